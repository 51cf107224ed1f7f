//! L004 `operation-description`: every operation has a description or a
//! summary that is not blank.

use portolan_core::codes;

use crate::Finding;
use crate::walk::{Ctx, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        if non_empty(op.fields, "description").is_none()
            && non_empty(op.fields, "summary").is_none()
        {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_DESCRIPTION,
                    op.pointer.clone(),
                    format!("{} has neither a description nor a summary", op.label),
                )
                .with_help("add a `description` (or at least a `summary`)"),
            );
        }
    }
}
