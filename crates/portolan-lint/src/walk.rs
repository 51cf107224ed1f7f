//! The one walk of a bundled document that every rule reads from: its
//! operations, schemas (with the direction they are used in), Reference
//! Objects and the objects that carry examples beside a schema.
//!
//! The walk knows where the specifications put schemas, so it visits
//! each schema object once, where it is written (a `$ref` is recorded,
//! not followed), and never descends into free-form values (examples,
//! defaults, enums, extensions): a `schema` key inside an example payload
//! is not a schema. It uses an explicit stack, so a deep document cannot
//! exhaust the thread's stack; every node is visited at most once, so the
//! walk is linear in the document.

use portolan_apis::SpecFormat;
pub use portolan_apis::rules::field;
use serde_json::{Map, Value};

/// How deeply internal `$ref` chains are followed by [`Ctx::deref`].
const MAX_REF_CHAIN: usize = 32;

/// The direction a schema or example is used in, which decides what
/// `readOnly` and `writeOnly` mean for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Sent by the client (request bodies, parameters).
    Request,
    /// Sent by the server (responses).
    Response,
    /// Either, or not known (reusable schemas, AsyncAPI messages).
    Neutral,
}

/// An operation: OpenAPI `paths`/`webhooks` operations, AsyncAPI 2
/// `publish`/`subscribe`, AsyncAPI 3 `operations`.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    pub pointer: String,
    pub fields: &'a Map<String, Value>,
    /// `GET /pets`, `publish user/signedup`, `operation sendMessage`.
    pub label: String,
    /// The path item's own fields (OpenAPI), for path-level parameters.
    pub path_item: Option<&'a Map<String, Value>>,
    /// An OpenAPI 3.1 webhook: a request the API sends, whose responses
    /// are the receiver's.
    pub webhook: bool,
}

/// A Reference Object as written.
#[derive(Debug, Clone)]
pub struct RefSite<'a> {
    /// Pointer of the object holding `$ref`.
    pub pointer: String,
    pub object: &'a Map<String, Value>,
    /// The `$ref` string.
    pub target: &'a str,
    /// Whether the object is a schema (3.1 allows siblings there).
    pub in_schema: bool,
}

/// A Schema Object, where it is written.
#[derive(Debug, Clone)]
pub struct SchemaSite<'a> {
    pub pointer: String,
    pub fields: &'a Map<String, Value>,
    pub usage: Usage,
}

/// An object holding a `schema` beside `example`/`examples`: a media type,
/// a parameter or a header.
#[derive(Debug, Clone)]
pub struct ExampleOwner<'a> {
    pub pointer: String,
    pub fields: &'a Map<String, Value>,
    pub usage: Usage,
}

/// What a rule reads.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub format: SpecFormat,
    pub doc: &'a Value,
    pub operations: Vec<Operation<'a>>,
    pub refs: Vec<RefSite<'a>>,
    pub schemas: Vec<SchemaSite<'a>>,
    pub example_owners: Vec<ExampleOwner<'a>>,
    /// Schema names and references a discriminator `mapping` uses.
    pub mapping_targets: Vec<&'a str>,
}

/// The pointer of member `key` of the node at `parent`.
pub use portolan_apis::rules::child_pointer as child;

/// Where the walk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Document structure (not a schema).
    Structure,
    /// A Schema Object.
    Schema,
    /// A map whose values are schemas (`properties`, `components.schemas`).
    SchemaMap,
    /// A list of schemas (`allOf`, `prefixItems`, tuple `items`).
    SchemaList,
}

/// Keys of the document's structure whose values are free-form data,
/// never walked: extensions, examples and an Example Object's `value`.
/// (`default` is a response there, and `enum` and `default` of server
/// variables and 2.0 parameters are scalars.) OpenAPI 3's `examples` is a
/// map of Example Objects, which may be references, and is walked; 2.0's
/// (by media type) and AsyncAPI's (messages' payloads) hold data.
fn is_data_key(format: SpecFormat, key: &str) -> bool {
    key.starts_with("x-")
        || matches!(key, "example" | "value")
        || (key == "examples" && !matches!(format, SpecFormat::OpenApi30 | SpecFormat::OpenApi31))
}

impl<'a> Ctx<'a> {
    pub fn new(format: SpecFormat, doc: &'a Value) -> Ctx<'a> {
        let mut ctx = Ctx {
            format,
            doc,
            operations: Vec::new(),
            refs: Vec::new(),
            schemas: Vec::new(),
            example_owners: Vec::new(),
            mapping_targets: Vec::new(),
        };
        ctx.walk();
        ctx.collect_operations();
        ctx
    }

    /// The root object's member `key`.
    pub fn root(&self, key: &str) -> Option<&'a Value> {
        self.doc.as_object()?.get(key)
    }

    /// `value` itself or, while it is an internal Reference Object, what it
    /// refers to (with its pointer). `None` for a reference that does not
    /// resolve inside the document or loops.
    pub fn deref(&self, pointer: &str, mut value: &'a Value) -> Option<(String, &'a Value)> {
        let mut pointer = pointer.to_string();
        for _ in 0..MAX_REF_CHAIN {
            let Some(target) = value.as_object().and_then(|o| field(o, "$ref")) else {
                return Some((pointer, value));
            };
            let target = internal_pointer(target.as_str()?)?;
            value = self.doc.pointer(&target)?;
            pointer = target;
        }
        None
    }

    /// Depth first, in document order: children go on the stack last
    /// first. (Rules report in that order; `check` sorts findings by
    /// place, so no sort is needed here.)
    fn walk(&mut self) {
        let format = self.format;
        let mut stack: Vec<(String, &'a Value, State, Usage)> =
            vec![(String::new(), self.doc, State::Structure, Usage::Neutral)];
        while let Some((pointer, value, state, usage)) = stack.pop() {
            match state {
                State::SchemaMap => {
                    if let Some(map) = value.as_object() {
                        for (key, v) in map.iter().rev() {
                            stack.push((child(&pointer, key), v, State::Schema, usage));
                        }
                    }
                    continue;
                }
                State::SchemaList => {
                    if let Some(items) = value.as_array() {
                        for (i, v) in items.iter().enumerate().rev() {
                            stack.push((format!("{pointer}/{i}"), v, State::Schema, usage));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let Some(map) = value.as_object() else {
                if let (State::Structure, Some(items)) = (state, value.as_array()) {
                    for (i, v) in items.iter().enumerate().rev() {
                        stack.push((format!("{pointer}/{i}"), v, State::Structure, usage));
                    }
                }
                continue;
            };
            if let Some(target) = field(map, "$ref").and_then(Value::as_str) {
                self.refs.push(RefSite {
                    pointer: pointer.clone(),
                    object: map,
                    target,
                    in_schema: state == State::Schema,
                });
            }
            if state == State::Schema {
                if let Some(mapping) = field(map, "discriminator")
                    .and_then(|d| field(d.as_object()?, "mapping"))
                    .and_then(Value::as_object)
                {
                    self.mapping_targets
                        .extend(mapping.values().filter_map(Value::as_str));
                }
                for (key, v) in map.iter().rev() {
                    let next = match key.as_str() {
                        "properties" | "patternProperties" | "$defs" | "definitions"
                        | "dependentSchemas" => State::SchemaMap,
                        "allOf" | "anyOf" | "oneOf" | "prefixItems" => State::SchemaList,
                        "items" if v.is_array() => State::SchemaList,
                        "items"
                        | "not"
                        | "additionalProperties"
                        | "additionalItems"
                        | "contains"
                        | "if"
                        | "then"
                        | "else"
                        | "propertyNames"
                        | "unevaluatedItems"
                        | "unevaluatedProperties"
                        | "contentSchema" => State::Schema,
                        _ => continue,
                    };
                    stack.push((child(&pointer, key), v, next, usage));
                }
                self.schemas.push(SchemaSite {
                    pointer,
                    fields: map,
                    usage,
                });
                continue;
            }
            // Document structure.
            if field(map, "schema").is_some()
                && (field(map, "example").is_some() || field(map, "examples").is_some())
            {
                self.example_owners.push(ExampleOwner {
                    pointer: pointer.clone(),
                    fields: map,
                    usage,
                });
            }
            for (key, v) in map.iter().rev() {
                if is_data_key(format, key) {
                    continue;
                }
                let usage = match key.as_str() {
                    "requestBody" | "requestBodies" | "parameters" => Usage::Request,
                    "responses" => Usage::Response,
                    _ => usage,
                };
                let next = match key.as_str() {
                    "schema" | "payload" => State::Schema,
                    "headers" if format.is_asyncapi() => State::Schema,
                    "schemas" if pointer == "/components" => State::SchemaMap,
                    "definitions" if pointer.is_empty() && format == SpecFormat::OpenApi20 => {
                        State::SchemaMap
                    }
                    // Only objects and arrays hold anything to walk.
                    _ if !(v.is_object() || v.is_array()) => continue,
                    _ => State::Structure,
                };
                stack.push((child(&pointer, key), v, next, usage));
            }
        }
    }

    fn collect_operations(&mut self) {
        match self.format {
            SpecFormat::AsyncApi2 => {
                let Some(channels) = self.root("channels").and_then(Value::as_object) else {
                    return;
                };
                for (name, channel) in channels {
                    let pointer = child("/channels", name);
                    let Some((pointer, channel)) = self.deref(&pointer, channel) else {
                        continue;
                    };
                    for verb in ["publish", "subscribe"] {
                        if let Some(fields) = channel.get(verb).and_then(Value::as_object) {
                            self.operations.push(Operation {
                                pointer: child(&pointer, verb),
                                fields,
                                label: format!("`{verb} {name}`"),
                                path_item: None,
                                webhook: false,
                            });
                        }
                    }
                }
            }
            SpecFormat::AsyncApi3 => {
                let Some(operations) = self.root("operations").and_then(Value::as_object) else {
                    return;
                };
                for (name, operation) in operations {
                    let pointer = child("/operations", name);
                    let Some((pointer, operation)) = self.deref(&pointer, operation) else {
                        continue;
                    };
                    if let Some(fields) = operation.as_object() {
                        self.operations.push(Operation {
                            pointer,
                            fields,
                            label: format!("operation `{name}`"),
                            path_item: None,
                            webhook: false,
                        });
                    }
                }
            }
            _ => {
                let methods: &[&str] = if self.format == SpecFormat::OpenApi20 {
                    &["get", "put", "post", "delete", "options", "head", "patch"]
                } else {
                    &[
                        "get", "put", "post", "delete", "options", "head", "patch", "trace",
                    ]
                };
                for section in ["paths", "webhooks"] {
                    let Some(items) = self.root(section).and_then(Value::as_object) else {
                        continue;
                    };
                    for (key, item) in items {
                        let pointer = child(&format!("/{section}"), key);
                        let Some((pointer, item)) = self.deref(&pointer, item) else {
                            continue;
                        };
                        let Some(item) = item.as_object() else {
                            continue;
                        };
                        for method in methods {
                            if let Some(fields) = item.get(*method).and_then(Value::as_object) {
                                let label = if section == "paths" {
                                    format!("`{} {key}`", method.to_uppercase())
                                } else {
                                    format!("`{}` of webhook `{key}`", method.to_uppercase())
                                };
                                self.operations.push(Operation {
                                    pointer: child(&pointer, method),
                                    fields,
                                    label,
                                    path_item: Some(item),
                                    webhook: section == "webhooks",
                                });
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The JSON pointer an internal reference (`#/components/schemas/A`)
/// names; `None` for references into other documents or by anchor.
pub fn internal_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let pointer = portolan_apis::refs::percent_decode(fragment);
    (pointer.is_empty() || pointer.starts_with('/')).then_some(pointer)
}

/// A string member of an object that is present and not blank.
pub fn non_empty<'v>(fields: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_schemas_not_data() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"post": {
                "requestBody": {"content": {"application/json": {
                    "schema": {"type": "object", "properties": {"schema": {"type": "string"}}},
                    "example": {"schema": {"type": "integer"}},
                }}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/A"}}}}},
            }}},
            "components": {"schemas": {"A": {"allOf": [{"type": "object"}], "x-s": {"schema": {}}}}},
        });
        let ctx = Ctx::new(SpecFormat::OpenApi30, &doc);
        let schemas: Vec<(&str, Usage)> = ctx
            .schemas
            .iter()
            .map(|s| (s.pointer.as_str(), s.usage))
            .collect();
        assert_eq!(
            schemas,
            // In document order.
            vec![
                (
                    "/paths/~1a/post/requestBody/content/application~1json/schema",
                    Usage::Request
                ),
                (
                    "/paths/~1a/post/requestBody/content/application~1json/schema/properties/schema",
                    Usage::Request
                ),
                (
                    "/paths/~1a/post/responses/200/content/application~1json/schema",
                    Usage::Response
                ),
                ("/components/schemas/A", Usage::Neutral),
                ("/components/schemas/A/allOf/0", Usage::Neutral),
            ]
        );
        assert_eq!(ctx.refs.len(), 1);
        assert_eq!(ctx.example_owners.len(), 1);
        assert_eq!(ctx.operations[0].label, "`POST /a`");
    }

    /// References from a `default` response and from an `examples` map
    /// are found; an example's data is not walked.
    #[test]
    fn walks_default_responses_and_example_maps() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {"responses": {"default": {"$ref": "#/components/responses/E"}}}}},
            "components": {
                "responses": {"E": {"description": "e", "content": {"application/json": {
                    "schema": {"type": "string"},
                    "examples": {"one": {"$ref": "#/components/examples/One"}, "two": {"value": {"$ref": "#/not/a/ref"}}},
                }}}},
                "examples": {"One": {"value": "x"}},
            },
        });
        let ctx = Ctx::new(SpecFormat::OpenApi30, &doc);
        let targets: Vec<&str> = ctx.refs.iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            vec!["#/components/responses/E", "#/components/examples/One"]
        );
    }

    #[test]
    fn deref_stops_on_loops() {
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/d"}, "d": 1});
        let ctx = Ctx::new(SpecFormat::OpenApi30, &doc);
        assert!(ctx.deref("/a", &doc["a"]).is_none());
        assert_eq!(ctx.deref("/c", &doc["c"]).unwrap().0, "/d");
    }
}
