//! L028 `server-https`: servers are reached over TLS.

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use super::servers;
use crate::Finding;
use crate::walk::{Ctx, child};

/// Whether a host is this machine (where plain http is fine).
fn is_local(rest: &str) -> bool {
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "localhost" | "127.0.0.1" | "[" | "0.0.0.0") || rest.starts_with("[::1]")
}

/// Protocols (AsyncAPI `protocol`) that send in clear text.
const PLAIN: &[&str] = &["http", "ws"];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.format == SpecFormat::OpenApi20 {
        let host = ctx.root("host").and_then(Value::as_str).unwrap_or("");
        if is_local(host) && !host.is_empty() {
            return;
        }
        for (i, scheme) in ctx
            .root("schemes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if matches!(scheme.as_str(), Some("http") | Some("ws")) {
                out.push(
                    Finding::new(
                        &codes::LINT_SERVER_HTTPS,
                        format!("/schemes/{i}"),
                        format!("the API is served over `{}`", scheme.as_str().unwrap_or("")),
                    )
                    .with_help("serve it over `https` (or `wss`) only"),
                );
            }
        }
        return;
    }
    for server in servers(ctx) {
        let lower = server.url.to_ascii_lowercase();
        let (scheme, rest) = match lower.split_once("://") {
            Some((scheme, rest)) => (scheme.to_string(), rest.to_string()),
            None => {
                // AsyncAPI 2 URLs without a scheme: the protocol says.
                let protocol = server
                    .fields
                    .get("protocol")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                (protocol.to_ascii_lowercase(), lower.clone())
            }
        };
        if !PLAIN.contains(&scheme.as_str()) || is_local(&rest) {
            continue;
        }
        let pointer = if ctx.format.is_asyncapi() && !server.url.contains("://") {
            child(&server.pointer, "protocol")
        } else {
            server.url_pointer.clone()
        };
        out.push(
            Finding::new(
                &codes::LINT_SERVER_HTTPS,
                pointer,
                format!(
                    "server `{}` is reached over `{scheme}`, in clear text",
                    server.url
                ),
            )
            .with_help("use `https` (or `wss`)"),
        );
    }
}
