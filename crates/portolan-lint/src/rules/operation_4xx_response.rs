//! L011 `operation-4xx-response`: every operation declares a 4xx (or
//! `default`) response.

use portolan_core::codes;

use super::responses;
use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        let Some(responses) = responses(op.fields) else {
            continue;
        };
        if !responses
            .keys()
            .any(|k| k.starts_with('4') || k == "default")
        {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_4XX_RESPONSE,
                    child(&op.pointer, "responses"),
                    format!("{} declares no 4xx response", op.label),
                )
                .with_help("declare how a request can be refused (400, 401, 404, ...), or a `default` error response"),
            );
        }
    }
}
