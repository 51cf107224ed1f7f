//! L030 `rate-limit-headers`: `429` responses tell the client when to
//! retry.

use std::collections::HashSet;

use portolan_core::codes;
use serde_json::Value;

use super::responses;
use crate::Finding;
use crate::walk::{Ctx, child};

fn is_rate_limit_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "retry-after"
        || name.starts_with("ratelimit")
        || name.starts_with("x-ratelimit")
        || name.starts_with("x-rate-limit")
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    for op in &ctx.operations {
        let Some(response) = responses(op.fields).and_then(|r| r.get("429")) else {
            continue;
        };
        let pointer = child(&child(&op.pointer, "responses"), "429");
        // A shared response is reported once, where it is written.
        let Some((pointer, response)) = ctx.deref(&pointer, response) else {
            continue;
        };
        if !seen.insert(pointer.clone()) {
            continue;
        }
        let declared = response
            .get("headers")
            .and_then(Value::as_object)
            .is_some_and(|h| h.keys().any(|k| is_rate_limit_header(k)));
        if !declared {
            out.push(
                Finding::new(
                    &codes::LINT_RATE_LIMIT_HEADERS,
                    pointer,
                    "429 response declares no `Retry-After` or rate-limit headers",
                )
                .with_help("declare `Retry-After` (or `RateLimit`/`X-RateLimit-*` headers) so clients know when to try again"),
            );
        }
    }
}
