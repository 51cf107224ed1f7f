//! L038 `no-unsafe-markdown`: no `<script>` tag or `eval(` in the
//! document's `description` and `title` texts.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

/// Most findings listed per document; the rest are counted in the last.
const MAX_FINDINGS: usize = 50;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Every text under a `description` or `title` key, wherever it is
    // written as documentation (extensions too: any renderer may show
    // them), but not in data — examples, defaults, enums, an Example
    // Object's `value` — which renderers show as code. Pointers are written out only for what is
    // found: each visited container is an entry (parent, key) of `path`.
    enum Key<'a> {
        Root,
        Name(&'a str),
        Index(usize),
    }
    let mut path: Vec<(usize, Key<'_>)> = vec![(0, Key::Root)];
    let pointer_of = |path: &[(usize, Key<'_>)], mut at: usize, last: &str| {
        let mut keys: Vec<String> = vec![last.to_string()];
        while at != 0 {
            let (parent, key) = &path[at];
            keys.push(match key {
                Key::Root => String::new(),
                Key::Name(name) => (*name).to_string(),
                Key::Index(i) => i.to_string(),
            });
            at = *parent;
        }
        keys.iter()
            .rev()
            .fold(String::new(), |acc, k| child(&acc, k))
    };
    // (entry in `path`, node, whether the node's keys are names: of
    // properties, schemas, responses — where `default` or `example` is a
    // name, not data).
    let mut stack: Vec<(usize, &Value, bool)> = vec![(0, ctx.doc, false)];
    let mut found: Vec<(String, &str, &'static str)> = Vec::new();
    while let Some((at, node, names)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter().rev() {
                    if !names
                        && let (true, Some(text)) = (
                            matches!(key.as_str(), "description" | "title"),
                            value.as_str(),
                        )
                        && let Some(what) = unsafe_part(text)
                    {
                        found.push((pointer_of(&path, at, key), key.as_str(), what));
                    }
                    let data = !names
                        && (matches!(
                            key.as_str(),
                            "example" | "default" | "enum" | "const" | "value"
                        ) || (key == "examples" && value.is_array()));
                    if !data && (value.is_object() || value.is_array()) {
                        let holds_names = !names
                            && matches!(
                                key.as_str(),
                                "properties"
                                    | "patternProperties"
                                    | "definitions"
                                    | "$defs"
                                    | "schemas"
                                    | "responses"
                            );
                        path.push((at, Key::Name(key)));
                        stack.push((path.len() - 1, value, holds_names));
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    if item.is_object() || item.is_array() {
                        path.push((at, Key::Index(i)));
                        stack.push((path.len() - 1, item, false));
                    }
                }
            }
            _ => {}
        }
    }
    let total = found.len();
    for (i, (pointer, key, what)) in found.into_iter().enumerate().take(MAX_FINDINGS) {
        let more = if i + 1 == MAX_FINDINGS && total > MAX_FINDINGS {
            format!(" (and {} more texts like it)", total - MAX_FINDINGS)
        } else {
            String::new()
        };
        out.push(
            Finding::new(
                &codes::LINT_UNSAFE_MARKDOWN,
                pointer,
                format!("a `{key}` holds {what}{more}"),
            )
            .with_help("remove it: markdown renderers that keep raw HTML run it in every reader's browser (portolan's portal strips it)"),
        );
    }
}

/// What makes `text` unsafe to render as markdown with raw HTML, if any.
fn unsafe_part(text: &str) -> Option<&'static str> {
    let contains = |needle: &[u8]| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if text.contains('<') && contains(b"<script") {
        Some("a `<script>` tag")
    } else if text.contains('(') && contains(b"eval(") {
        Some("`eval(`")
    } else {
        None
    }
}
