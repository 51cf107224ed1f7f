//! L039 `channel-parameters`: an AsyncAPI channel's address and its
//! `parameters` name the same parameters, and none is empty (`{}`).

use std::collections::BTreeSet;

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(channels) = ctx.root("channels").and_then(Value::as_object) else {
        return;
    };
    for (key, channel) in channels {
        let pointer = child("/channels", key);
        let Some((channel_pointer, channel)) = ctx.deref(&pointer, channel) else {
            continue;
        };
        let Some(fields) = channel.as_object() else {
            continue;
        };
        // 2.x: the key is the address; 3.0: `address` (null: none).
        let (address, address_pointer) = match ctx.format {
            SpecFormat::AsyncApi2 => (key.as_str(), pointer.clone()),
            _ => match fields.get("address").and_then(Value::as_str) {
                Some(address) => (address, child(&channel_pointer, "address")),
                None => continue,
            },
        };
        let named = template_names(address);
        if named.iter().any(|n| n.is_empty()) {
            out.push(
                Finding::new(
                    &codes::LINT_CHANNEL_PARAMETERS,
                    address_pointer.clone(),
                    format!("channel `{address}` has an empty parameter `{{}}`"),
                )
                .with_help("name it (`{userId}`) and declare it under the channel's `parameters`"),
            );
        }
        let declared: BTreeSet<&str> = fields
            .get("parameters")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for name in named.iter().filter(|n| !n.is_empty()) {
            if !declared.contains(name) {
                out.push(
                    Finding::new(
                        &codes::LINT_CHANNEL_PARAMETERS,
                        address_pointer.clone(),
                        format!("channel `{address}` names `{{{name}}}`, which its `parameters` do not declare"),
                    )
                    .with_help(format!("add `{name}` under the channel's `parameters` (with a description and, in 2.x, a schema)")),
                );
            }
        }
        let parameters_pointer = child(&channel_pointer, "parameters");
        for name in &declared {
            if !named.contains(name) {
                out.push(
                    Finding::new(
                        &codes::LINT_CHANNEL_PARAMETERS,
                        child(&parameters_pointer, name),
                        format!("parameter `{name}` is not in the channel's address `{address}`"),
                    )
                    .with_help(format!(
                        "remove it, or put `{{{name}}}` in the address where the value goes"
                    )),
                );
            }
        }
    }
}

/// The names between `{` and `}` in an address, in order (`""` for `{}`).
fn template_names(address: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = address;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.insert(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}
