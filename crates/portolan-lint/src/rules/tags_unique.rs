//! L034 `tags-unique`: the document's `tags` list names each tag once
//! (Spectral's `openapi-tags-uniqueness`, `asyncapi-tags-uniqueness`).

use std::collections::BTreeMap;

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // OpenAPI: top-level `tags`; AsyncAPI 2: top-level `tags`; AsyncAPI 3:
    // `info.tags`.
    let (list, pointer) = match ctx.root("tags") {
        Some(tags) => (Some(tags), "/tags".to_string()),
        None => (
            ctx.root("info").and_then(|i| i.get("tags")),
            "/info/tags".to_string(),
        ),
    };
    let Some(items) = list.and_then(Value::as_array) else {
        return;
    };
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, tag) in items.iter().enumerate() {
        let Some(name) = tag.get("name").and_then(Value::as_str) else {
            continue;
        };
        if let Some(earlier) = first.get(name) {
            out.push(
                Finding::new(
                    &codes::LINT_TAGS_UNIQUE,
                    child(&child(&pointer, &i.to_string()), "name"),
                    format!("tag `{name}` is declared twice (first as tag {earlier})"),
                )
                .with_help("merge the two declarations"),
            );
        } else {
            first.insert(name, i);
        }
    }
}
