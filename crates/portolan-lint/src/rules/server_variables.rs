//! L021 `server-variables`: a server URL's `{variables}` are declared,
//! declared variables are used, enums are not empty and hold the default.

use std::collections::HashSet;

use portolan_core::codes;
use serde_json::Value;

use super::servers;
use crate::Finding;
use crate::walk::{Ctx, child};

/// The `{names}` of a URL template, in order.
fn template_names(url: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for server in servers(ctx) {
        let variables_pointer = child(&server.pointer, "variables");
        let variables = server
            .fields
            .get("variables")
            .and_then(|v| ctx.deref(&variables_pointer, v))
            .and_then(|(p, v)| Some((p, v.as_object()?)));
        let names = template_names(&server.url);
        let used: HashSet<&str> = names.iter().copied().collect();
        let mut reported = HashSet::new();
        for name in names {
            let declared = variables
                .as_ref()
                .is_some_and(|(_, v)| v.contains_key(name));
            if !declared && reported.insert(name) {
                out.push(
                    Finding::new(
                        &codes::LINT_SERVER_VARIABLES,
                        server.url_pointer.clone(),
                        format!(
                            "server URL variable `{{{name}}}` is not declared under `variables`"
                        ),
                    )
                    .with_help(format!("declare `variables: {{{name}: {{default: ...}}}}`")),
                );
            }
        }
        let Some((pointer, variables)) = variables else {
            continue;
        };
        for (name, variable) in variables {
            let var_pointer = child(&pointer, name);
            if !used.contains(name.as_str()) {
                out.push(
                    Finding::new(
                        &codes::LINT_SERVER_VARIABLES,
                        var_pointer.clone(),
                        format!(
                            "server variable `{name}` is not used in the URL `{}`",
                            server.url
                        ),
                    )
                    .with_help("remove it, or use it in the URL as `{name}`"),
                );
            }
            let Some((var_pointer, variable)) = ctx.deref(&var_pointer, variable) else {
                continue;
            };
            let Some(values) = variable.get("enum").and_then(Value::as_array) else {
                continue;
            };
            if values.is_empty() {
                out.push(
                    Finding::new(
                        &codes::LINT_SERVER_VARIABLES,
                        child(&var_pointer, "enum"),
                        format!("server variable `{name}` has an empty `enum`"),
                    )
                    .with_help("list the values it may take, or remove `enum`"),
                );
            } else if let Some(default) = variable.get("default")
                && !values.contains(default)
            {
                out.push(
                    Finding::new(
                        &codes::LINT_SERVER_VARIABLES,
                        child(&var_pointer, "default"),
                        format!("the default of server variable `{name}` is not one of its `enum` values"),
                    )
                    .with_help("make the default one of the enum's values"),
                );
            }
        }
    }
}
