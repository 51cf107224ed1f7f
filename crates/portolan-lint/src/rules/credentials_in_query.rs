//! L029 `no-credentials-in-query`: API keys are not sent in the query
//! string.

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (pointer, schemes) = if ctx.format == SpecFormat::OpenApi20 {
        (
            "/securityDefinitions".to_string(),
            ctx.root("securityDefinitions"),
        )
    } else {
        (
            "/components/securitySchemes".to_string(),
            ctx.root("components")
                .and_then(|c| c.get("securitySchemes")),
        )
    };
    let Some(schemes) = schemes.and_then(Value::as_object) else {
        return;
    };
    for (name, scheme) in schemes {
        let Some((scheme_pointer, scheme)) = ctx.deref(&child(&pointer, name), scheme) else {
            continue;
        };
        let ty = scheme.get("type").and_then(Value::as_str).unwrap_or("");
        let place = scheme.get("in").and_then(Value::as_str).unwrap_or("");
        if matches!(ty, "apiKey" | "httpApiKey") && place == "query" {
            out.push(
                Finding::new(
                    &codes::LINT_CREDENTIALS_IN_QUERY,
                    child(&scheme_pointer, "in"),
                    format!("security scheme `{name}` sends its key in the query string"),
                )
                .with_help(
                    "send it in a header (`in: header`): URLs are logged and kept in history",
                ),
            );
        }
    }
}
