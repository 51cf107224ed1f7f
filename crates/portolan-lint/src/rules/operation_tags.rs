//! L007 `operation-tags`: every operation has at least one tag.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        let tagged = op
            .fields
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(|tags| !tags.is_empty());
        if !tagged {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_TAGS,
                    op.pointer.clone(),
                    format!("{} has no tags", op.label),
                )
                .with_help("add `tags: [...]`: tags group operations in the portal and in generated clients"),
            );
        }
    }
}
