//! L023 `operation-summary`: every operation has a summary.

use portolan_core::codes;

use crate::Finding;
use crate::walk::{Ctx, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        if non_empty(op.fields, "summary").is_none() {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_SUMMARY,
                    op.pointer.clone(),
                    format!("{} has no summary", op.label),
                )
                .with_help("add a one-line `summary`: the portal's navigation shows it"),
            );
        }
    }
}
