//! L040 `channel-servers`: the servers an AsyncAPI channel names exist.

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(channels) = ctx.root("channels").and_then(Value::as_object) else {
        return;
    };
    let servers = ctx.root("servers").and_then(Value::as_object);
    for (key, channel) in channels {
        let pointer = child("/channels", key);
        let Some((channel_pointer, channel)) = ctx.deref(&pointer, channel) else {
            continue;
        };
        let Some(list) = channel.get("servers").and_then(Value::as_array) else {
            continue;
        };
        let list_pointer = child(&channel_pointer, "servers");
        for (i, entry) in list.iter().enumerate() {
            // 2.x: a server's name; 3.0: a reference to one under
            // `servers` (a reference elsewhere is A012's or the bundle's).
            let name = match ctx.format {
                SpecFormat::AsyncApi2 => entry.as_str().map(str::to_string),
                _ => entry
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/servers/"))
                    .filter(|n| !n.contains('/'))
                    .map(|n| n.replace("~1", "/").replace("~0", "~")),
            };
            let Some(name) = name else { continue };
            if !servers.is_some_and(|s| s.contains_key(&name)) {
                out.push(
                    Finding::new(
                        &codes::LINT_CHANNEL_SERVERS,
                        child(&list_pointer, &i.to_string()),
                        format!(
                            "channel `{key}` names server `{name}`, which `servers` does not define"
                        ),
                    )
                    .with_help(
                        "define the server under `servers`, or remove it from the channel's list",
                    ),
                );
            }
        }
    }
}
