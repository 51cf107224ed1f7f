//! L006 `operation-id-url-safe`: `operationId`s hold only unreserved URL
//! characters (RFC 3986 §2.3).

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        let Some(id) = op.fields.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let bad = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')));
        if let Some(bad) = bad {
            out.push(
                Finding::new(
                    &codes::LINT_OPERATION_ID_URL_SAFE,
                    child(&op.pointer, "operationId"),
                    format!(
                        "operationId `{id}` of {} holds `{}`, which is not URL-safe",
                        op.label,
                        bad.escape_default()
                    ),
                )
                .with_help("use only letters, digits, `-`, `.`, `_` and `~`"),
            );
        }
    }
}
