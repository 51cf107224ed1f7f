//! L035 `operation-singular-tag`: an operation has at most one tag.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        let Some(tags) = op.fields.get("tags").and_then(Value::as_array) else {
            continue;
        };
        if tags.len() > 1 {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_SINGULAR_TAG,
                    child(&child(&op.pointer, "tags"), "1"),
                    format!("{} has {} tags", op.label, tags.len()),
                )
                .with_help("keep one tag: the portal's navigation and generated clients group each operation under one"),
            );
        }
    }
}
