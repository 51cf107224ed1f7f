//! The AsyncAPI walk (2.x and 3.0, also one against the other): channels
//! matched by address, operations by id, their messages by name, and the
//! messages' payload and headers compared as schemas in the direction the
//! message travels: what the application sends, clients read (like a
//! response); what it receives, clients write (like a request). AsyncAPI
//! 2.x `subscribe` is the application sending, `publish` receiving.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value as Json;

use crate::engine::{Direction, Engine};
use crate::json::{erase_template_variables, join, resolve};
use crate::openapi::Doc;

/// A channel of one side.
struct ChannelView {
    /// AsyncAPI 3 channel id, or the 2.x channel name.
    key: String,
    address: String,
    pointer: String,
}

/// A message an operation carries.
struct MessageView {
    pointer: String,
    payload: Option<String>,
    headers: Option<String>,
}

/// An operation of one side.
struct OperationView {
    key: String,
    /// The application's: `send` or `receive`.
    action: &'static str,
    channel: ChannelView,
    pointer: String,
    messages: BTreeMap<String, MessageView>,
}

impl OperationView {
    fn label(&self) -> String {
        format!(
            "{} {}",
            self.action.to_ascii_uppercase(),
            self.channel.address
        )
    }

    /// Who writes the messages: clients write what the application receives.
    fn direction(&self) -> Direction {
        match self.action {
            "receive" => Direction::Request,
            _ => Direction::Response,
        }
    }
}

fn is_v3(doc: Doc<'_>) -> bool {
    doc.format == SpecFormat::AsyncApi3
}

fn channels(doc: Doc<'_>) -> Vec<ChannelView> {
    doc.json
        .get("channels")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(key, channel)| {
            let (pointer, channel) =
                resolve(doc.json, &join("/channels", key), channel, doc.max_hops);
            channel_view(doc, key, pointer, channel)
        })
        .collect()
}

fn channel_view(doc: Doc<'_>, key: &str, pointer: String, channel: &Json) -> ChannelView {
    let address = if is_v3(doc) {
        // A null or absent address: the channel's key names it.
        channel.get("address").and_then(Json::as_str).unwrap_or(key)
    } else {
        key
    };
    ChannelView {
        key: key.to_string(),
        address: address.to_string(),
        pointer,
    }
}

/// A message, its payload and headers when they are JSON Schema (or the
/// OpenAPI/AsyncAPI schema dialects); other schema formats (Avro,
/// Protobuf, RAML) are not compared.
fn message_view(doc: Doc<'_>, pointer: &str, node: &Json) -> (String, MessageView) {
    let (pointer, node) = resolve(doc.json, pointer, node, doc.max_hops);
    let json_schema = |format: Option<&str>| {
        format.is_none_or(|f| {
            f.starts_with("application/schema")
                || f.starts_with("application/vnd.aai.asyncapi")
                || f.starts_with("application/vnd.oai.openapi")
        })
    };
    let schema_at = |key: &str| -> Option<String> {
        let value = node.get(key)?;
        let at = join(&pointer, key);
        // AsyncAPI 3 Multi Format Schema Object: `{schemaFormat, schema}`.
        if value.get("schema").is_some() && value.get("schemaFormat").is_some() {
            let format = value.get("schemaFormat").and_then(Json::as_str);
            return json_schema(format).then(|| join(&at, "schema"));
        }
        let format = node.get("schemaFormat").and_then(Json::as_str);
        (key == "headers" || json_schema(format)).then_some(at)
    };
    let name = node
        .get("name")
        .or_else(|| node.get("messageId"))
        .and_then(Json::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            pointer
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~")
        });
    let view = MessageView {
        payload: schema_at("payload"),
        headers: schema_at("headers"),
        pointer,
    };
    (name, view)
}

fn operations(doc: Doc<'_>) -> BTreeMap<String, OperationView> {
    if is_v3(doc) {
        operations_v3(doc)
    } else {
        operations_v2(doc)
    }
}

fn operations_v3(doc: Doc<'_>) -> BTreeMap<String, OperationView> {
    let mut out = BTreeMap::new();
    for (key, op) in doc
        .json
        .get("operations")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        let (pointer, op) = resolve(doc.json, &join("/operations", key), op, doc.max_hops);
        let action = match op.get("action").and_then(Json::as_str) {
            Some("send") => "send",
            Some("receive") => "receive",
            _ => continue,
        };
        let Some(channel_ref) = op.get("channel").and_then(crate::json::ref_pointer) else {
            continue;
        };
        let Some(channel) = doc.json.pointer(&channel_ref) else {
            continue;
        };
        let channel_key = channel_ref
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace("~1", "/")
            .replace("~0", "~");
        let channel = channel_view(doc, &channel_key, channel_ref.clone(), channel);
        let mut messages = BTreeMap::new();
        match op.get("messages").and_then(Json::as_array) {
            Some(list) => {
                for (i, m) in list.iter().enumerate() {
                    let at = join(&join(&pointer, "messages"), &i.to_string());
                    let (name, view) = message_view(doc, &at, m);
                    messages.entry(name).or_insert(view);
                }
            }
            // No list: every message of the channel.
            None => {
                let channel_node = doc.json.pointer(&channel.pointer);
                for (k, m) in channel_node
                    .and_then(|c| c.get("messages"))
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                {
                    let at = join(&join(&channel.pointer, "messages"), k);
                    let (name, view) = message_view(doc, &at, m);
                    messages.entry(name).or_insert(view);
                }
            }
        }
        out.insert(
            key.clone(),
            OperationView {
                key: key.clone(),
                action,
                channel,
                pointer,
                messages,
            },
        );
    }
    out
}

fn operations_v2(doc: Doc<'_>) -> BTreeMap<String, OperationView> {
    let mut out = BTreeMap::new();
    for channel in channels(doc) {
        let Some(node) = doc.json.pointer(&channel.pointer) else {
            continue;
        };
        for (verb, action) in [("subscribe", "send"), ("publish", "receive")] {
            let Some(op) = node.get(verb) else {
                continue;
            };
            let pointer = join(&channel.pointer, verb);
            let key = op
                .get("operationId")
                .and_then(Json::as_str)
                .map_or_else(|| format!("{verb} {}", channel.address), str::to_string);
            let mut messages = BTreeMap::new();
            if let Some(message) = op.get("message") {
                let message_pointer = join(&pointer, "message");
                let (message_pointer, message) =
                    resolve(doc.json, &message_pointer, message, doc.max_hops);
                match message.get("oneOf").and_then(Json::as_array) {
                    Some(list) => {
                        for (i, m) in list.iter().enumerate() {
                            let at = join(&join(&message_pointer, "oneOf"), &i.to_string());
                            let (name, view) = message_view(doc, &at, m);
                            messages.entry(name).or_insert(view);
                        }
                    }
                    None => {
                        let (name, view) = message_view(doc, &message_pointer, message);
                        messages.insert(name, view);
                    }
                }
            }
            let channel = ChannelView {
                key: channel.key.clone(),
                address: channel.address.clone(),
                pointer: channel.pointer.clone(),
            };
            out.entry(key.clone()).or_insert(OperationView {
                key,
                action,
                channel,
                pointer,
                messages,
            });
        }
    }
    out
}

/// Server URLs: AsyncAPI 3 `protocol://host/pathname`, 2.x `url` (with
/// the protocol when the URL has no scheme).
fn servers(doc: Doc<'_>) -> Vec<(String, String)> {
    doc.json
        .get("servers")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, server)| {
            let (pointer, server) =
                resolve(doc.json, &join("/servers", name), server, doc.max_hops);
            let protocol = server.get("protocol").and_then(Json::as_str).unwrap_or("");
            let url = if is_v3(doc) {
                let host = server.get("host").and_then(Json::as_str)?;
                let path = server.get("pathname").and_then(Json::as_str).unwrap_or("");
                format!("{protocol}://{host}{path}")
            } else {
                let url = server.get("url").and_then(Json::as_str)?;
                if url.contains("://") {
                    url.to_string()
                } else {
                    format!("{protocol}://{url}")
                }
            };
            Some((url, pointer))
        })
        .collect()
}

pub(crate) struct AsyncWalk<'e, 'a> {
    pub engine: &'e mut Engine<'a>,
    pub base: Doc<'a>,
    pub head: Doc<'a>,
}

impl AsyncWalk<'_, '_> {
    pub fn run(&mut self) {
        self.servers();
        let base_ops = operations(self.base);
        let head_ops = operations(self.head);
        // Base addresses whose operations moved elsewhere (reported as
        // moved, not as a removed channel).
        let mut moved = BTreeSet::new();
        for (key, b) in &base_ops {
            let Some(h) = head_ops.get(key) else {
                let operation = self.engine.operation(b.label());
                self.engine.report(
                    &codes::ASYNC_OPERATION_REMOVED,
                    format!("operation `{key}` ({}) removed", b.label()),
                    None,
                    b.pointer.clone(),
                    if is_v3(self.head) {
                        "/operations".to_string()
                    } else {
                        "/channels".to_string()
                    },
                    Some(operation),
                );
                continue;
            };
            self.operation(b, h, &mut moved);
        }
        for (key, h) in &head_ops {
            if !base_ops.contains_key(key) {
                let operation = self.engine.operation(h.label());
                self.engine.report(
                    &codes::OPERATION_ADDED,
                    format!("operation `{key}` ({}) added", h.label()),
                    None,
                    if is_v3(self.base) {
                        "/operations".to_string()
                    } else {
                        "/channels".to_string()
                    },
                    h.pointer.clone(),
                    Some(operation),
                );
            }
        }
        self.channels(&moved);
        self.engine.run();
    }

    fn operation(&mut self, b: &OperationView, h: &OperationView, moved: &mut BTreeSet<String>) {
        let label = h.label();
        let operation = self.engine.operation(label.clone());
        let context: Rc<str> = format!("operation `{}`", h.key).into();
        if b.action != h.action {
            self.engine.report(
                &codes::OPERATION_ACTION_CHANGED,
                format!("action changed from {} to {}", b.action, h.action),
                Some(context.clone()),
                b.pointer.clone(),
                h.pointer.clone(),
                Some(operation),
            );
            // What clients wrote they now read: the messages' old rules no
            // longer apply, and this one change says it.
            return;
        }
        let (ba, ha) = (
            erase_template_variables(&b.channel.address),
            erase_template_variables(&h.channel.address),
        );
        if ba != ha {
            moved.insert(ba);
            self.engine.report(
                &codes::CHANNEL_ADDRESS_CHANGED,
                format!(
                    "address changed from `{}` to `{}`",
                    b.channel.address, h.channel.address
                ),
                Some(context.clone()),
                b.channel.pointer.clone(),
                h.channel.pointer.clone(),
                Some(operation),
            );
        }
        for (name, bm) in &b.messages {
            let Some(hm) = h.messages.get(name) else {
                self.engine.report(
                    &codes::MESSAGE_REMOVED,
                    format!("message `{name}` removed"),
                    Some(context.clone()),
                    bm.pointer.clone(),
                    h.pointer.clone(),
                    Some(operation),
                );
                continue;
            };
            let direction = h.direction();
            if let (Some(bp), Some(hp)) = (&bm.payload, &hm.payload) {
                let root = format!("payload of message `{name}`");
                self.engine
                    .root_pair(operation, bp, hp, direction, &root, context.clone());
            }
            if let (Some(bp), Some(hp)) = (&bm.headers, &hm.headers) {
                let root = format!("headers of message `{name}`");
                self.engine
                    .root_pair(operation, bp, hp, direction, &root, context.clone());
            }
        }
    }

    fn channels(&mut self, moved: &BTreeSet<String>) {
        let head = channels(self.head);
        let head_addresses: BTreeSet<String> = head
            .iter()
            .map(|c| erase_template_variables(&c.address))
            .collect();
        for b in channels(self.base) {
            let address = erase_template_variables(&b.address);
            if head_addresses.contains(&address) || moved.contains(&address) {
                continue;
            }
            // AsyncAPI 3: the same channel id at another address.
            let same_id = (is_v3(self.base) && is_v3(self.head))
                .then(|| head.iter().find(|h| h.key == b.key))
                .flatten();
            match same_id {
                Some(h) => self.engine.report(
                    &codes::CHANNEL_ADDRESS_CHANGED,
                    format!(
                        "channel `{}` moved from `{}` to `{}`",
                        b.key, b.address, h.address
                    ),
                    None,
                    b.pointer.clone(),
                    h.pointer.clone(),
                    None,
                ),
                None => self.engine.report(
                    &codes::CHANNEL_REMOVED,
                    format!("channel `{}` removed", b.address),
                    None,
                    b.pointer.clone(),
                    "/channels".to_string(),
                    None,
                ),
            }
        }
    }

    fn servers(&mut self) {
        let (base, head) = (servers(self.base), servers(self.head));
        self.engine.servers_removed(&base, &head, "/servers", None);
    }
}
