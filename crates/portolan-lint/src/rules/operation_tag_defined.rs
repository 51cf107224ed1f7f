//! L008 `operation-tag-defined`: the tags operations use are declared in
//! the root `tags` (when the document declares any).

use std::collections::HashSet;

use portolan_core::codes;
use serde_json::Value;

use super::declared_tags;
use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((_, tags)) = declared_tags(ctx) else {
        return;
    };
    let declared: HashSet<&str> = tags
        .iter()
        .filter_map(|t| t.get("name")?.as_str())
        .collect();
    if declared.is_empty() {
        return;
    }
    for op in &ctx.operations {
        let Some(used) = op.fields.get("tags").and_then(Value::as_array) else {
            continue;
        };
        for (i, tag) in used.iter().enumerate() {
            let Some(name) = tag.as_str() else { continue };
            if !declared.contains(name) {
                out.push(
                    Finding::new(
                        &codes::LINT_OPERATION_TAG_DEFINED,
                        format!("{}/{i}", child(&op.pointer, "tags")),
                        format!(
                            "tag `{name}` of {} is not declared in the root `tags`",
                            op.label
                        ),
                    )
                    .with_help("declare it under `tags` with a description, or fix its spelling"),
                );
            }
        }
    }
}
