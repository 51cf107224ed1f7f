//! L005 `operation-operation-id`: every operation has an `operationId`.

use portolan_core::codes;

use crate::Finding;
use crate::walk::{Ctx, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        if non_empty(op.fields, "operationId").is_none() {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_ID,
                    op.pointer.clone(),
                    format!("{} has no operationId", op.label),
                )
                .with_help(
                    "add an `operationId`: code generators name the client's function after it",
                ),
            );
        }
    }
}
