//! Finding every operation of a document, for the rules that look at
//! operations: OpenAPI path items (under `paths`, `webhooks`,
//! `components.pathItems` and callbacks, however deeply nested) and
//! AsyncAPI 2 `publish`/`subscribe` operations.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::document::{Document, Located, is_extension};
use crate::detect::SpecFormat;

/// Swagger 2.0 operations, in the order the specification lists them.
const METHODS_V2: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];
/// OpenAPI 3.x added `trace`.
const METHODS_V3: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a path item was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathItemOrigin {
    /// A member of `paths`; the key is the path template.
    Path(String),
    /// A member of `webhooks` (OpenAPI 3.1).
    Webhook(String),
    /// Anywhere else: a callback or a component.
    Other,
}

/// One path item, with `$ref`s followed.
#[derive(Debug, Clone)]
pub(crate) struct PathItem<'a> {
    pub origin: PathItemOrigin,
    /// Where the path item's fields are: the `$ref` target when the entry
    /// is a reference.
    pub location: Located<'a>,
}

/// One operation (`get`, `post`, ...) of a path item.
#[derive(Debug, Clone)]
pub(crate) struct Operation<'a> {
    pub location: Located<'a>,
    pub fields: &'a Map<String, Value>,
    /// How messages name it: `GET /pets`, or its pointer.
    pub label: String,
}

impl<'a> PathItem<'a> {
    /// The operations of this path item, in the specification's order.
    pub fn operations(&self, format: SpecFormat) -> Vec<Operation<'a>> {
        let methods = if format == SpecFormat::OpenApi20 {
            METHODS_V2
        } else {
            METHODS_V3
        };
        methods
            .iter()
            .filter_map(|&method| {
                let location = self.location.member(method)?;
                let fields = location.value.as_object()?;
                let label = match &self.origin {
                    PathItemOrigin::Path(template) => {
                        format!("`{} {template}`", method.to_uppercase())
                    }
                    PathItemOrigin::Webhook(name) => {
                        format!("`{}` of webhook `{name}`", method.to_uppercase())
                    }
                    PathItemOrigin::Other => format!("the operation at `{}`", location.pointer),
                };
                Some(Operation {
                    location,
                    fields,
                    label,
                })
            })
            .collect()
    }
}

/// Every path item of an OpenAPI document: each member of `paths` (a path
/// item shared by two paths is listed for each, since the templates
/// differ), then, once each, webhooks, component path items and callbacks'
/// path items at any depth.
pub(crate) fn openapi_path_items<'a>(format: SpecFormat, doc: &Document<'a>) -> Vec<PathItem<'a>> {
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    if let Some(paths) = doc.at("/paths") {
        for (template, entry) in paths.members().filter(|(k, _)| !is_extension(k)) {
            if let Some(location) = doc.deref(entry).ok().filter(|l| l.value.is_object()) {
                seen.insert(location.pointer.clone());
                items.push(PathItem {
                    origin: PathItemOrigin::Path(template.to_string()),
                    location,
                });
            }
        }
    }
    let mut push_once =
        |items: &mut Vec<PathItem<'a>>, origin: PathItemOrigin, entry: Located<'a>| {
            if let Some(location) = doc.deref(entry).ok().filter(|l| l.value.is_object())
                && seen.insert(location.pointer.clone())
            {
                items.push(PathItem { origin, location });
            }
        };
    if format == SpecFormat::OpenApi20 {
        return items;
    }
    if let Some(webhooks) = doc.at("/webhooks") {
        for (name, entry) in webhooks.members().filter(|(k, _)| !is_extension(k)) {
            push_once(&mut items, PathItemOrigin::Webhook(name.to_string()), entry);
        }
    }
    if let Some(path_items) = doc.at("/components/pathItems") {
        for (_, entry) in path_items.members() {
            push_once(&mut items, PathItemOrigin::Other, entry);
        }
    }
    let mut callbacks: Vec<Located<'a>> = doc
        .at("/components/callbacks")
        .map(|c| c.members().map(|(_, cb)| cb).collect())
        .unwrap_or_default();
    // Breadth-first over path items found so far: their operations'
    // callbacks hold more path items, which may hold more callbacks.
    let mut next = 0;
    loop {
        for callback in callbacks.drain(..) {
            let Ok(callback) = doc.deref(callback) else {
                continue;
            };
            for (_, entry) in callback.members().filter(|(k, _)| !is_extension(k)) {
                push_once(&mut items, PathItemOrigin::Other, entry);
            }
        }
        let Some(item) = items.get(next) else { break };
        next += 1;
        for operation in item.operations(format) {
            if let Some(map) = operation.location.member("callbacks") {
                callbacks.extend(map.members().map(|(_, cb)| cb));
            }
        }
    }
    items
}

/// Every distinct OpenAPI operation: those of [`openapi_path_items`], each
/// once even when several paths share its path item.
pub(crate) fn openapi_operations<'a>(format: SpecFormat, doc: &Document<'a>) -> Vec<Operation<'a>> {
    let mut seen = BTreeSet::new();
    openapi_path_items(format, doc)
        .iter()
        .flat_map(|item| item.operations(format))
        .filter(|op| seen.insert(op.location.pointer.clone()))
        .collect()
}

/// Every AsyncAPI 2 operation: `publish` and `subscribe` of each channel
/// (channels may be `$ref`s), each once.
pub(crate) fn asyncapi2_operations<'a>(doc: &Document<'a>) -> Vec<Operation<'a>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let Some(channels) = doc.at("/channels") else {
        return out;
    };
    for (name, channel) in channels.members() {
        let Ok(channel) = doc.deref(channel) else {
            continue;
        };
        for method in ["publish", "subscribe"] {
            let Some(location) = channel.member(method) else {
                continue;
            };
            let Some(fields) = location.value.as_object() else {
                continue;
            };
            if seen.insert(location.pointer.clone()) {
                out.push(Operation {
                    label: format!("`{method}` of channel `{name}`"),
                    location,
                    fields,
                });
            }
        }
    }
    out
}
