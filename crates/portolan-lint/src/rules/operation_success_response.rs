//! L010 `operation-success-response`: every operation declares a 2xx or
//! 3xx response.

use portolan_apis::SpecFormat;
use portolan_core::codes;

use super::{is_status_of, responses};
use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for op in &ctx.operations {
        let pointer = match responses(op.fields) {
            Some(r)
                if r.keys()
                    .any(|k| is_status_of(k, '2') || is_status_of(k, '3')) =>
            {
                continue;
            }
            Some(_) => child(&op.pointer, "responses"),
            // 2.0 and 3.0 require `responses`: the structure check (A005)
            // says so already.
            None if ctx.format == SpecFormat::OpenApi31 => op.pointer.clone(),
            None => continue,
        };
        out.push(
            Finding::new(
                &codes::LINT_OPERATION_SUCCESS_RESPONSE,
                pointer,
                format!("{} declares no 2xx or 3xx response", op.label),
            )
            .with_help("declare what the operation returns when it works"),
        );
    }
}
