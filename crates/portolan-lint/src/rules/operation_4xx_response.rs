//! L011 `operation-4xx-response`: every operation declares a 4xx (or
//! `default`) response; webhooks are not checked.

use portolan_core::codes;

use super::{is_status_of, responses};
use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // A webhook's responses are its receiver's: how it refuses a call is
    // not the API's contract.
    for op in ctx.operations.iter().filter(|op| !op.webhook) {
        let Some(responses) = responses(op.fields) else {
            continue;
        };
        if !responses
            .keys()
            .any(|k| is_status_of(k, '4') || k == "default")
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
