//! L041 `message-ids-unique`: no two AsyncAPI 2 messages share a
//! `messageId`.

use std::collections::HashMap;

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Every message object once, by where it is written: reusable ones in
    // `components.messages`, inline ones in operations (a `oneOf` list or
    // one message). A `$ref` is the message it names, not a second one.
    let mut messages: Vec<(String, &Value)> = Vec::new();
    if let Some(components) = ctx
        .root("components")
        .and_then(|c| c.get("messages"))
        .and_then(Value::as_object)
    {
        for (name, message) in components {
            messages.push((child("/components/messages", name), message));
        }
    }
    for op in &ctx.operations {
        let Some(message) = op.fields.get("message") else {
            continue;
        };
        let at = child(&op.pointer, "message");
        match message.get("oneOf").and_then(Value::as_array) {
            Some(list) => {
                let list_pointer = child(&at, "oneOf");
                for (i, m) in list.iter().enumerate() {
                    messages.push((child(&list_pointer, &i.to_string()), m));
                }
            }
            None => messages.push((at, message)),
        }
    }
    let mut first: HashMap<&str, String> = HashMap::new();
    for (pointer, message) in messages {
        if message.get("$ref").is_some() {
            continue;
        }
        let Some(id) = message.get("messageId").and_then(Value::as_str) else {
            continue;
        };
        match first.get(id) {
            Some(earlier) => out.push(
                Finding::new(
                    &codes::LINT_MESSAGE_IDS_UNIQUE,
                    child(&pointer, "messageId"),
                    format!("messageId `{id}` is also the id of the message at `{earlier}`"),
                )
                .with_help("give each message its own `messageId`: generators name types and handlers after it"),
            ),
            None => {
                first.insert(id, pointer);
            }
        }
    }
}
