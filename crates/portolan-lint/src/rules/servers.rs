//! L012 `servers-defined`: the document says where the API is served
//! (`servers`, or `host` in OpenAPI 2.0).

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (present, what) = match ctx.format {
        SpecFormat::OpenApi20 => (
            ctx.root("host")
                .and_then(Value::as_str)
                .is_some_and(|h| !h.is_empty()),
            "`host`",
        ),
        _ if ctx.format.is_openapi() => (
            ctx.root("servers")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty()),
            "`servers`",
        ),
        _ => (
            ctx.root("servers")
                .and_then(Value::as_object)
                .is_some_and(|s| !s.is_empty()),
            "`servers`",
        ),
    };
    if !present {
        // The empty list, or else the version line: one line to mark,
        // where the whole document would be all of it.
        let pointer = match ctx.root("servers") {
            Some(_) if what == "`servers`" => "/servers",
            _ => ["/openapi", "/swagger", "/asyncapi"]
                .into_iter()
                .find(|p| ctx.doc.pointer(p).is_some())
                .unwrap_or(""),
        };
        out.push(
            Finding::new(
                &codes::LINT_SERVERS,
                pointer,
                format!("the document declares no {what}"),
            )
            .with_help(
                "say where the API is served, so clients and the portal's examples have a base URL",
            ),
        );
    }
}
