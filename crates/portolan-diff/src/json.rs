//! Reading the bundled documents: JSON pointers, internal `$ref`s (the
//! bundle has no other kind left, except broken or remote ones, which stay
//! opaque), and a canonical form of a subtree for matching alternatives.

use std::collections::BTreeSet;

use portolan_core::yaml::escape_pointer_token;
use serde_json::Value as Json;

use crate::doc::DocView;

/// `pointer` + `/token`, the token escaped.
pub(crate) fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

/// The pointer an internal `$ref` of `node` names (`#/components/schemas/Pet`).
pub(crate) fn ref_pointer(node: &Json) -> Option<String> {
    let raw = node.get("$ref")?.as_str()?;
    let fragment = raw.strip_prefix('#')?;
    Some(portolan_apis::refs::percent_decode(fragment))
}

/// Follow a chain of internal `$ref`s from `node` (at `pointer`) to the node
/// it stands for, at most `max_hops` links and never round a loop. Returns
/// the pointer and node reached; a broken, remote or looping ref stops on
/// the Reference Object itself.
pub(crate) fn resolve<'a>(
    doc: DocView<'a>,
    pointer: &str,
    node: &'a Json,
    max_hops: usize,
) -> (String, &'a Json) {
    let mut pointer = pointer.to_string();
    let mut node = node;
    let mut seen = BTreeSet::new();
    for _ in 0..max_hops {
        // Only a pure Reference Object is followed here; one with siblings
        // (OpenAPI 3.1 allows them next to a schema's `$ref`) is merged with
        // its target by the schema flattening instead.
        let pure = node.as_object().is_some_and(|m| m.len() == 1);
        let Some(target) = ref_pointer(node).filter(|_| pure) else {
            break;
        };
        let Some(next) = doc.pointer(&target) else {
            break;
        };
        if !seen.insert(target.clone()) {
            break;
        }
        pointer = target;
        node = next;
    }
    (pointer, node)
}

/// Like [`resolve`], when the node is to be looked up first.
pub(crate) fn resolve_at<'a>(
    doc: DocView<'a>,
    pointer: &str,
    max_hops: usize,
) -> Option<(String, &'a Json)> {
    let node = doc.pointer(pointer)?;
    Some(resolve(doc, pointer, node, max_hops))
}

/// The name of a reusable schema at `pointer` (`/components/schemas/Pet`,
/// Swagger 2.0 `/definitions/Pet`), for messages (`Pet.name`).
pub(crate) fn schema_name(pointer: &str) -> Option<String> {
    let rest = pointer
        .strip_prefix("/components/schemas/")
        .or_else(|| pointer.strip_prefix("/definitions/"))?;
    (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

/// Keys that document a schema without constraining it: edits to them are
/// never a contract change.
pub(crate) fn is_documentation_key(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "summary"
            | "title"
            | "example"
            | "examples"
            | "externalDocs"
            | "$comment"
            | "deprecated"
            | "xml"
    ) || key.starts_with("x-")
}

/// A canonical text of the subtree at `node`: object keys sorted,
/// documentation keys left out, internal refs replaced by their target's
/// canonical text down to `depth` levels (then by the target's pointer), so
/// an alternative written inline in one revision and referenced in the
/// other compares equal.
pub(crate) fn canonical(doc: DocView<'_>, node: &Json, depth: usize, budget: &mut usize) -> String {
    let mut out = String::new();
    write_canonical(doc, node, depth, budget, &mut out);
    out
}

fn write_canonical(
    doc: DocView<'_>,
    node: &Json,
    depth: usize,
    budget: &mut usize,
    out: &mut String,
) {
    // A budget of nodes keeps a wide, deep schema from costing more than a
    // bounded amount per alternative.
    if *budget == 0 {
        out.push('…');
        return;
    }
    *budget -= 1;
    match node {
        Json::Object(map) => {
            if let Some(target) = ref_pointer(node) {
                match doc.pointer(&target) {
                    Some(next) if depth > 0 => {
                        return write_canonical(doc, next, depth - 1, budget, out);
                    }
                    _ => {
                        out.push_str("$ref:");
                        out.push_str(&target);
                        return;
                    }
                }
            }
            let mut keys: Vec<&String> = map.keys().filter(|k| !is_documentation_key(k)).collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(':');
                write_canonical(doc, &map[key], depth, budget, out);
                out.push(',');
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for item in items {
                write_canonical(doc, item, depth, budget, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Path template with its variables erased: `/pets/{petId}` → `/pets/{}`,
/// so renaming a variable does not look like a new path.
pub(crate) fn erase_template_variables(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_variable = false;
    for c in path.chars() {
        match c {
            '{' if !in_variable => {
                in_variable = true;
                out.push('{');
            }
            '}' if in_variable => {
                in_variable = false;
                out.push('}');
            }
            _ if in_variable => {}
            _ => out.push(c),
        }
    }
    out
}

/// The variables of a path template, in order (`/a/{x}/b/{y}` → `x`, `y`).
pub(crate) fn template_variables(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_variables_are_erased_and_listed() {
        assert_eq!(
            erase_template_variables("/pets/{petId}/toys/{id}"),
            "/pets/{}/toys/{}"
        );
        assert_eq!(
            template_variables("/pets/{petId}/toys/{id}"),
            ["petId", "id"]
        );
        assert_eq!(template_variables("/a/{broken"), Vec::<&str>::new());
    }

    #[test]
    fn resolve_stops_on_loops() {
        let doc = serde_json::json!({
            "a": {"$ref": "#/b"},
            "b": {"$ref": "#/a"},
        });
        let (pointer, _) = resolve(DocView::full(&doc), "/a", &doc["a"], 64);
        assert!(pointer == "/a" || pointer == "/b");
    }

    #[test]
    fn canonical_ignores_documentation_and_order() {
        let doc = serde_json::json!({
            "components": {"schemas": {"Pet": {"type": "object", "description": "x"}}},
        });
        let mut budget = 1000;
        let inline = serde_json::json!({"description": "y", "type": "object"});
        let by_ref = serde_json::json!({"$ref": "#/components/schemas/Pet"});
        assert_eq!(
            canonical(DocView::full(&doc), &inline, 4, &mut budget),
            canonical(DocView::full(&doc), &by_ref, 4, &mut budget)
        );
    }
}
