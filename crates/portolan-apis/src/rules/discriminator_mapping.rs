//! A011 `discriminator-mapping`: discriminator mappings point at schemas.
//!
//! **What it checks.** In OpenAPI 3.x, every value of a schema's
//! `discriminator.mapping`, wherever the schema is, names a schema of the
//! document: either a name under `components.schemas` (`Dog`) or an
//! internal reference (`#/components/schemas/Dog`) that resolves. Values
//! pointing into other files (`pets.yaml#/Dog`, `./dog.json`, a URL) are
//! left alone: bundling rewrites `$ref`s, not mapping strings, so they
//! cannot be checked on the bundled document. (Swagger 2.0 and AsyncAPI
//! discriminators are a plain property name, with no mapping.)
//!
//! **Why.** The mapping tells deserializers which schema a payload with
//! a given discriminator value follows ([OpenAPI 3.1 §4.8.25][disc]). A
//! value that names no schema makes those payloads impossible to decode,
//! and tools reject the document or fail at run time.
//!
//! **Example.**
//!
//! ```yaml
//! Pet:
//!   oneOf: [{ $ref: '#/components/schemas/Dog' }, { $ref: '#/components/schemas/Cat' }]
//!   discriminator:
//!     propertyName: kind
//!     mapping:
//!       dog: '#/components/schemas/Dog'
//!       cat: Kat                          # A011: no schema `Kat`
//! ```
//!
//! [disc]: https://spec.openapis.org/oas/v3.1.0#discriminator-object

use std::collections::BTreeSet;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, Located, RefError, internal_ref_tokens, is_extension};
use crate::detect::SpecFormat;

/// Keys whose value is an object of user-chosen names, each holding a
/// schema: a member called `discriminator` there is a property, not a
/// Discriminator Object.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    "schemas",
];

/// Keys whose value is example or literal data, where nothing is a schema.
const DATA_KEYS: &[&str] = &["example", "examples", "enum", "const", "default"];

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    if !matches!(format, SpecFormat::OpenApi30 | SpecFormat::OpenApi31) {
        return;
    }
    let schema_names: BTreeSet<&str> = doc
        .at("/components/schemas")
        .and_then(|s| s.object())
        .map(|schemas| schemas.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let Some(root) = doc.at("") else { return };
    // The document is a tree (references are not followed here), so a plain
    // walk visits every node once.
    let mut stack: Vec<(Located<'_>, Option<&str>, bool)> = vec![(root, None, false)];
    while let Some((node, reached_by, is_name_map)) = stack.pop() {
        if node.value.is_array() {
            stack.extend(node.items().map(|item| (item, None, false)));
            continue;
        }
        if !is_name_map
            && let Some(mapping) = node
                .member("discriminator")
                .and_then(|d| d.member("mapping"))
        {
            check_mapping(doc, &schema_names, &mapping, out);
        }
        let mut children: Vec<_> = node
            .members()
            .filter(|(key, _)| {
                is_name_map
                    || !(is_extension(key)
                        || DATA_KEYS.contains(key)
                            && !(*key == "default" && reached_by == Some("responses")))
            })
            .map(|(key, child)| (child, Some(key), !is_name_map && NAME_MAPS.contains(&key)))
            .collect();
        // Depth-first in document order.
        children.reverse();
        stack.extend(children);
    }
}

fn check_mapping(
    doc: &Document<'_>,
    schema_names: &BTreeSet<&str>,
    mapping: &Located<'_>,
    out: &mut Vec<Finding>,
) {
    for (value_name, target) in mapping.members() {
        let Some(target_text) = target.value.as_str() else {
            continue;
        };
        let message = if target_text.starts_with('#') {
            if doc.resolve(target_text) != Err(RefError::NotFound)
                || !names_root_member(doc, target_text)
            {
                continue;
            }
            format!(
                "discriminator value `{value_name}` maps to `{target_text}`, which does not exist"
            )
        } else {
            let looks_external = target_text.contains(['/', ':', '#'])
                || [".json", ".yaml", ".yml"]
                    .iter()
                    .any(|ext| target_text.ends_with(ext));
            if looks_external || schema_names.contains(target_text) {
                continue;
            }
            format!(
                "discriminator value `{value_name}` maps to schema `{target_text}`, which is not in `components.schemas`"
            )
        };
        let folded = target_text
            .rsplit('/')
            .next()
            .unwrap_or(target_text)
            .to_ascii_lowercase();
        let help = match schema_names.iter().find(|name| name.to_ascii_lowercase() == folded) {
            Some(near) => format!("did you mean `{near}` (`#/components/schemas/{near}`)?"),
            None => "map it to a schema name under `components.schemas` or to a `#/components/schemas/...` reference".to_string(),
        };
        out.push(
            Finding::new(&codes::DISCRIMINATOR_MAPPING, target.pointer, message).with_help(help),
        );
    }
}

/// Whether `#/a/...` starts at a member the root has, or at one an
/// OpenAPI root can have that holds schemas (`components`, `paths`,
/// `webhooks`). Bundling rewrites `$ref`s and leaves mapping strings as
/// written, so a `#/...` mapping written in a file other than the root
/// still points into that file (`#/floating_ip_action_assign` in
/// DigitalOcean's `models/floating_ip_actions.yml`) and means nothing in
/// the bundle. Such a pointer is skipped rather than reported wrongly.
fn names_root_member(doc: &Document<'_>, reference: &str) -> bool {
    let Some(first) = internal_ref_tokens(reference).and_then(|tokens| tokens.into_iter().next())
    else {
        return false;
    };
    ["components", "paths", "webhooks"].contains(&first.as_str())
        || doc.at("").and_then(|root| root.member(&first)).is_some()
}
