//! The normalised model of an API that the site renders and search indexes:
//! one shape for OpenAPI 2.0 / 3.0 / 3.1 and AsyncAPI 2 / 3. Built from the
//! bundled document, so every `$ref` left is internal; named schemas are
//! referenced by name (never expanded here), which keeps Stripe-sized
//! models small and lets recursion be shown as a link.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::detect::SpecFormat;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Info {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub terms_of_service: Option<String>,
    pub contact: Option<Json>,
    pub license: Option<Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerVariable {
    pub default: Option<String>,
    pub enum_values: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Server {
    /// Key in AsyncAPI's `servers` map; `None` in OpenAPI.
    pub name: Option<String>,
    pub url: String,
    pub protocol: Option<String>,
    pub description: Option<String>,
    pub variables: BTreeMap<String, ServerVariable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    pub name: String,
    /// `apiKey`, `http`, `oauth2`, `openIdConnect`, `mutualTLS`, `basic`, ...
    pub scheme_type: String,
    pub description: Option<String>,
    /// The scheme's other fields (`in`, `name`, `scheme`, `flows`, ...).
    pub details: Json,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagGroup {
    pub name: String,
    pub tags: Vec<String>,
}

/// A schema, shallow: references to named schemas stay references.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Schema {
    /// Set when this schema is a reference: the named schema's name (for a
    /// link) and the pointer.
    pub reference: Option<SchemaRef>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// `type`, as a list (3.1 allows several).
    pub types: Vec<String>,
    pub format: Option<String>,
    /// 3.0 `nullable: true`, or `null` among 3.1's types.
    pub nullable: bool,
    pub deprecated: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub enum_values: Vec<Json>,
    pub const_value: Option<Json>,
    pub default: Option<Json>,
    pub examples: Vec<Json>,
    /// minLength, maximum, pattern, ...: validation keywords by name.
    pub constraints: BTreeMap<String, Json>,
    pub properties: Vec<Property>,
    /// `additionalProperties` as a schema (`true` becomes an empty schema).
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub all_of: Vec<Schema>,
    pub one_of: Vec<Schema>,
    pub any_of: Vec<Schema>,
    pub not: Option<Box<Schema>>,
    pub discriminator: Option<Discriminator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemaRef {
    /// Named schema (`Order` for `#/components/schemas/Order`), when it is one.
    pub name: Option<String>,
    pub pointer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Property {
    pub name: String,
    pub required: bool,
    pub schema: Schema,
}

#[derive(Debug, Clone, Serialize)]
pub struct Discriminator {
    pub property_name: String,
    pub mapping: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub value: Option<Json>,
    pub external_value: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaType {
    pub media_type: String,
    pub schema: Option<Schema>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub name: String,
    /// `path`, `query`, `header`, `cookie`.
    pub location: String,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<String>,
    pub schema: Option<Schema>,
    pub example: Option<Json>,
    /// OpenAPI 3's named `examples` (references followed).
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    pub description: Option<String>,
    pub required: bool,
    pub content: Vec<MediaType>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<Schema>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    /// `200`, `4XX`, `default`.
    pub code: String,
    pub description: Option<String>,
    pub content: Vec<MediaType>,
    pub headers: Vec<Header>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeSample {
    pub lang: String,
    pub label: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Callback {
    pub name: String,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub operation_id: Option<String>,
    /// Lowercase HTTP method.
    pub method: String,
    /// Path template (or webhook / callback expression).
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    pub callbacks: Vec<Callback>,
    /// Effective security: scheme names per alternative; empty list = none.
    pub security: Option<Vec<Vec<String>>>,
    pub code_samples: Vec<CodeSample>,
    /// JSON pointer of the operation in the bundled document.
    pub pointer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedSchema {
    pub name: String,
    pub schema: Schema,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// What channels and operations call it by: its key under
    /// `components.messages` (or in its channel), or its `$ref`'s last token.
    pub key: String,
    /// Its `name` when it has one, else its key.
    pub name: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub content_type: Option<String>,
    pub payload: Option<Schema>,
    pub headers: Option<Schema>,
    pub bindings: Option<Json>,
    pub examples: Vec<Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: String,
    pub address: Option<String>,
    pub description: Option<String>,
    pub parameters: Vec<Parameter>,
    /// Names of the channel's messages (AsyncAPI 3) or of the messages its
    /// operations carry (AsyncAPI 2).
    pub messages: Vec<String>,
    pub bindings: Option<Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AsyncOperation {
    pub name: String,
    /// `send` or `receive` (AsyncAPI 2's `publish` is the application
    /// receiving, `subscribe` the application sending).
    pub action: String,
    pub channel: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub messages: Vec<String>,
    pub reply_channel: Option<String>,
    pub bindings: Option<Json>,
}

/// The normalised API.
#[derive(Debug, Clone, Serialize)]
pub struct ApiModel {
    pub format: SpecFormat,
    pub version: String,
    pub info: Info,
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    pub security: Vec<Vec<String>>,
    pub tags: Vec<Tag>,
    pub tag_groups: Vec<TagGroup>,
    pub operations: Vec<Operation>,
    pub webhooks: Vec<Operation>,
    pub schemas: Vec<NamedSchema>,
    pub channels: Vec<Channel>,
    pub async_operations: Vec<AsyncOperation>,
    pub messages: Vec<Message>,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn s(v: &Json, key: &str) -> Option<String> {
    v.get(key).and_then(Json::as_str).map(str::to_string)
}

fn b(v: &Json, key: &str) -> bool {
    v.get(key).and_then(Json::as_bool).unwrap_or(false)
}

fn obj(v: &Json) -> impl Iterator<Item = (&String, &Json)> {
    v.as_object().into_iter().flat_map(Map::iter)
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Decode a local ref into a pointer.
fn ref_pointer(r: &str) -> Option<String> {
    let fragment = r.strip_prefix('#')?;
    Some(crate::refs::percent_decode(fragment))
}

/// Follow internal refs (bounded) to the object they name.
fn deref<'a>(doc: &'a Json, mut v: &'a Json) -> &'a Json {
    for _ in 0..16 {
        let Some(pointer) = v.get("$ref").and_then(Json::as_str).and_then(ref_pointer) else {
            return v;
        };
        match doc.pointer(&pointer) {
            Some(target) => v = target,
            None => return v,
        }
    }
    v
}

struct Builder<'a> {
    doc: &'a Json,
    format: SpecFormat,
}

impl Builder<'_> {
    fn schemas_prefix(&self) -> &'static str {
        match self.format {
            SpecFormat::OpenApi20 => "/definitions/",
            _ => "/components/schemas/",
        }
    }

    fn schema(&self, v: &Json) -> Schema {
        self.schema_at(v, 0)
    }

    fn schema_at(&self, v: &Json, depth: usize) -> Schema {
        let mut out = Schema::default();
        if let Some(b) = v.as_bool() {
            // `true` accepts anything; `false` nothing.
            if !b {
                out.not = Some(Box::default());
            }
            return out;
        }
        if depth > 64 {
            return out;
        }
        if let Some(r) = v.get("$ref").and_then(Json::as_str) {
            let pointer = ref_pointer(r).unwrap_or_else(|| r.to_string());
            let name = pointer
                .strip_prefix(self.schemas_prefix())
                .filter(|rest| !rest.contains('/'))
                .map(|n| n.replace("~1", "/").replace("~0", "~"));
            out.reference = Some(SchemaRef { name, pointer });
            // 3.1 allows siblings next to $ref; keep their description.
            out.description = s(v, "description");
            return out;
        }
        out.title = s(v, "title");
        out.description = s(v, "description");
        match v.get("type") {
            Some(Json::String(t)) => out.types.push(t.clone()),
            Some(Json::Array(ts)) => out
                .types
                .extend(ts.iter().filter_map(Json::as_str).map(str::to_string)),
            _ => {}
        }
        if out.types.iter().any(|t| t == "null") {
            out.nullable = true;
            out.types.retain(|t| t != "null");
        }
        out.nullable |= b(v, "nullable") || b(v, "x-nullable");
        out.format = s(v, "format");
        out.deprecated = b(v, "deprecated");
        out.read_only = b(v, "readOnly");
        out.write_only = b(v, "writeOnly");
        if let Some(Json::Array(values)) = v.get("enum") {
            out.enum_values = values.clone();
        }
        out.const_value = v.get("const").cloned();
        out.default = v.get("default").cloned();
        match v.get("examples") {
            Some(Json::Array(values)) => out.examples = values.clone(),
            _ => {
                if let Some(example) = v.get("example") {
                    out.examples.push(example.clone());
                }
            }
        }
        for key in [
            "minLength",
            "maxLength",
            "pattern",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
            "contentMediaType",
            "contentEncoding",
        ] {
            if let Some(value) = v.get(key) {
                out.constraints.insert(key.to_string(), value.clone());
            }
        }
        let required: Vec<&str> = v
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        for (name, prop) in obj(v.get("properties").unwrap_or(&Json::Null)) {
            out.properties.push(Property {
                name: name.clone(),
                required: required.contains(&name.as_str()),
                schema: self.schema_at(prop, depth + 1),
            });
        }
        match v.get("additionalProperties") {
            Some(Json::Bool(true)) => out.additional_properties = Some(Box::default()),
            Some(ap @ Json::Object(_)) => {
                out.additional_properties = Some(Box::new(self.schema_at(ap, depth + 1)))
            }
            _ => {}
        }
        if let Some(items) = v.get("items") {
            out.items = Some(Box::new(self.schema_at(items, depth + 1)));
        }
        let list = |key: &str| -> Vec<Schema> {
            v.get(key)
                .and_then(Json::as_array)
                .map(|a| a.iter().map(|x| self.schema_at(x, depth + 1)).collect())
                .unwrap_or_default()
        };
        out.all_of = list("allOf");
        out.one_of = list("oneOf");
        out.any_of = list("anyOf");
        if let Some(not) = v.get("not") {
            out.not = Some(Box::new(self.schema_at(not, depth + 1)));
        }
        match v.get("discriminator") {
            Some(Json::String(name)) => {
                // Swagger 2.0: the discriminator is just a property name.
                out.discriminator = Some(Discriminator {
                    property_name: name.clone(),
                    mapping: BTreeMap::new(),
                });
            }
            Some(d @ Json::Object(_)) => {
                out.discriminator = Some(Discriminator {
                    property_name: s(d, "propertyName").unwrap_or_default(),
                    mapping: obj(d.get("mapping").unwrap_or(&Json::Null))
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect(),
                });
            }
            _ => {}
        }
        out
    }

    fn examples(&self, v: &Json) -> Vec<Example> {
        let mut out = Vec::new();
        if let Some(example) = v.get("example") {
            out.push(Example {
                name: None,
                summary: None,
                value: Some(example.clone()),
                external_value: None,
            });
        }
        for (name, ex) in obj(v.get("examples").unwrap_or(&Json::Null)) {
            let ex = deref(self.doc, ex);
            out.push(Example {
                name: Some(name.clone()),
                summary: s(ex, "summary"),
                value: ex.get("value").cloned(),
                external_value: s(ex, "externalValue"),
            });
        }
        out
    }

    fn content(&self, v: &Json) -> Vec<MediaType> {
        obj(v.get("content").unwrap_or(&Json::Null))
            .map(|(media_type, m)| MediaType {
                media_type: media_type.clone(),
                schema: m.get("schema").map(|x| self.schema(x)),
                examples: self.examples(m),
            })
            .collect()
    }

    fn parameter(&self, p: &Json) -> Option<Parameter> {
        let p = deref(self.doc, p);
        let location = s(p, "in")?;
        // Swagger 2.0 puts type/format on the parameter itself.
        let schema = match p.get("schema") {
            Some(schema) => Some(self.schema(schema)),
            None if p.get("type").is_some() => Some(self.schema(p)),
            None => p
                .get("content")
                .and_then(|c| c.as_object())
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .map(|x| self.schema(x)),
        };
        Some(Parameter {
            name: s(p, "name").unwrap_or_default(),
            required: b(p, "required") || location == "path",
            location,
            deprecated: b(p, "deprecated"),
            description: s(p, "description"),
            schema,
            example: p.get("example").cloned(),
            examples: self.examples(&serde_json::json!({ "examples": p.get("examples").cloned().unwrap_or(Json::Null) })),
        })
    }

    fn headers(&self, v: &Json) -> Vec<Header> {
        obj(v.get("headers").unwrap_or(&Json::Null))
            .map(|(name, h)| {
                let h = deref(self.doc, h);
                Header {
                    name: name.clone(),
                    description: s(h, "description"),
                    schema: h
                        .get("schema")
                        .map(|x| self.schema(x))
                        .or_else(|| h.get("type").map(|_| self.schema(h))),
                }
            })
            .collect()
    }

    /// Operations of one path item.
    fn path_item(
        &self,
        path: &str,
        item: &Json,
        pointer: &str,
        root_security: &[Vec<String>],
    ) -> Vec<Operation> {
        let item = deref(self.doc, item);
        let shared: Vec<&Json> = item
            .get("parameters")
            .and_then(Json::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            out.push(self.operation(
                path,
                method,
                op,
                &shared,
                &format!("{pointer}/{method}"),
                root_security,
            ));
        }
        out
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        op: &Json,
        shared: &[&Json],
        pointer: &str,
        root_security: &[Vec<String>],
    ) -> Operation {
        // Operation parameters override path-level ones by (name, in).
        let mut parameters: Vec<Parameter> = Vec::new();
        let own: Vec<Parameter> = op
            .get("parameters")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| self.parameter(p))
            .collect();
        for p in shared.iter().filter_map(|p| self.parameter(p)) {
            if !own
                .iter()
                .any(|o| o.name == p.name && o.location == p.location)
            {
                parameters.push(p);
            }
        }
        parameters.extend(own);

        let mut request_body = op.get("requestBody").map(|rb| {
            let rb = deref(self.doc, rb);
            RequestBody {
                description: s(rb, "description"),
                required: b(rb, "required"),
                content: self.content(rb),
            }
        });
        let mut responses: Vec<Response> = obj(op.get("responses").unwrap_or(&Json::Null))
            .map(|(code, r)| {
                let r = deref(self.doc, r);
                Response {
                    code: code.clone(),
                    description: s(r, "description"),
                    content: self.content(r),
                    headers: self.headers(r),
                }
            })
            .collect();

        if self.format == SpecFormat::OpenApi20 {
            self.swagger2_bodies(op, &mut parameters, &mut request_body, &mut responses);
        }

        let security = op
            .get("security")
            .and_then(Json::as_array)
            .map(|alternatives| security_names(alternatives))
            .or_else(|| (!root_security.is_empty()).then(|| root_security.to_vec()));
        let callbacks = obj(op.get("callbacks").unwrap_or(&Json::Null))
            .map(|(name, cb)| {
                let cb = deref(self.doc, cb);
                Callback {
                    name: name.clone(),
                    operations: obj(cb)
                        .flat_map(|(expression, item)| {
                            self.path_item(
                                expression,
                                item,
                                &format!(
                                    "{pointer}/callbacks/{}/{}",
                                    escape(name),
                                    escape(expression)
                                ),
                                &[],
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let code_samples = op
            .get("x-codeSamples")
            .or_else(|| op.get("x-code-samples"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(CodeSample {
                    lang: s(c, "lang")?,
                    label: s(c, "label"),
                    source: s(c, "source")?,
                })
            })
            .collect();
        Operation {
            operation_id: s(op, "operationId"),
            method: method.to_string(),
            path: path.to_string(),
            summary: s(op, "summary"),
            description: s(op, "description"),
            tags: op
                .get("tags")
                .and_then(Json::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            deprecated: b(op, "deprecated"),
            parameters,
            request_body,
            responses,
            callbacks,
            security,
            code_samples,
            pointer: pointer.to_string(),
        }
    }

    /// Swagger 2.0: `body` and `formData` parameters become a request body;
    /// response schemas get the `produces` media types.
    fn swagger2_bodies(
        &self,
        op: &Json,
        parameters: &mut Vec<Parameter>,
        request_body: &mut Option<RequestBody>,
        responses: &mut [Response],
    ) {
        let list = |key: &str| -> Vec<String> {
            op.get(key)
                .or_else(|| self.doc.get(key))
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let consumes = list("consumes");
        let produces = list("produces");
        let raw: Vec<&Json> = op
            .get("parameters")
            .and_then(Json::as_array)
            .map(|a| a.iter().map(|p| deref(self.doc, p)).collect())
            .unwrap_or_default();
        if let Some(body) = raw
            .iter()
            .find(|p| p.get("in").and_then(Json::as_str) == Some("body"))
        {
            let media = if consumes.is_empty() {
                vec!["application/json".to_string()]
            } else {
                consumes.clone()
            };
            *request_body = Some(RequestBody {
                description: s(body, "description"),
                required: b(body, "required"),
                content: media
                    .into_iter()
                    .map(|media_type| MediaType {
                        media_type,
                        schema: body.get("schema").map(|x| self.schema(x)),
                        examples: Vec::new(),
                    })
                    .collect(),
            });
        }
        let form: Vec<&&Json> = raw
            .iter()
            .filter(|p| p.get("in").and_then(Json::as_str) == Some("formData"))
            .collect();
        if !form.is_empty() {
            let has_file = form
                .iter()
                .any(|p| p.get("type").and_then(Json::as_str) == Some("file"));
            let media_type = if has_file || consumes.iter().any(|c| c == "multipart/form-data") {
                "multipart/form-data"
            } else {
                "application/x-www-form-urlencoded"
            };
            let mut schema = Schema {
                types: vec!["object".into()],
                ..Default::default()
            };
            for p in &form {
                let mut prop = self.schema(p);
                if prop.types.iter().any(|t| t == "file") {
                    prop.types = vec!["string".into()];
                    prop.format = Some("binary".into());
                }
                schema.properties.push(Property {
                    name: s(p, "name").unwrap_or_default(),
                    required: b(p, "required"),
                    schema: prop,
                });
            }
            *request_body = Some(RequestBody {
                description: None,
                required: form.iter().any(|p| b(p, "required")),
                content: vec![MediaType {
                    media_type: media_type.into(),
                    schema: Some(schema),
                    examples: Vec::new(),
                }],
            });
        }
        parameters.retain(|p| p.location != "body" && p.location != "formData");
        let media = if produces.is_empty() {
            vec!["application/json".to_string()]
        } else {
            produces
        };
        for response in responses.iter_mut() {
            let Some(r) = op
                .get("responses")
                .and_then(|rs| rs.get(&response.code))
                .map(|r| deref(self.doc, r))
            else {
                continue;
            };
            if let Some(schema) = r.get("schema") {
                let examples = r.get("examples");
                response.content = media
                    .iter()
                    .map(|media_type| MediaType {
                        media_type: media_type.clone(),
                        schema: Some(self.schema(schema)),
                        examples: examples
                            .and_then(|e| e.get(media_type))
                            .map(|v| {
                                vec![Example {
                                    name: None,
                                    summary: None,
                                    value: Some(v.clone()),
                                    external_value: None,
                                }]
                            })
                            .unwrap_or_default(),
                    })
                    .collect();
            }
        }
    }
}

fn security_names(alternatives: &[Json]) -> Vec<Vec<String>> {
    alternatives
        .iter()
        .map(|req| obj(req).map(|(name, _)| name.clone()).collect())
        .collect()
}

/// Build the model of a bundled document.
pub fn build_model(format: SpecFormat, version: &str, doc: &Json) -> ApiModel {
    let builder = Builder { doc, format };
    let info_v = doc.get("info").unwrap_or(&Json::Null);
    let info = Info {
        title: s(info_v, "title").unwrap_or_default(),
        version: s(info_v, "version").unwrap_or_default(),
        description: s(info_v, "description"),
        terms_of_service: s(info_v, "termsOfService"),
        contact: info_v.get("contact").cloned(),
        license: info_v.get("license").cloned(),
    };
    let security = doc
        .get("security")
        .and_then(Json::as_array)
        .map(|a| security_names(a))
        .unwrap_or_default();
    let tags = doc
        .get("tags")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some(Tag {
                name: s(t, "name")?,
                description: s(t, "description"),
            })
        })
        .collect();
    let tag_groups = doc
        .get("x-tagGroups")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| {
            Some(TagGroup {
                name: s(g, "name")?,
                tags: g
                    .get("tags")?
                    .as_array()?
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect();
    let mut model = ApiModel {
        format,
        version: version.to_string(),
        info,
        servers: Vec::new(),
        security_schemes: Vec::new(),
        security,
        tags,
        tag_groups,
        operations: Vec::new(),
        webhooks: Vec::new(),
        schemas: Vec::new(),
        channels: Vec::new(),
        async_operations: Vec::new(),
        messages: Vec::new(),
    };
    let schemes_v = match format {
        SpecFormat::OpenApi20 => doc.get("securityDefinitions"),
        _ => doc.get("components").and_then(|c| c.get("securitySchemes")),
    };
    for (name, scheme) in obj(schemes_v.unwrap_or(&Json::Null)) {
        let scheme = deref(doc, scheme);
        let mut details = scheme.clone();
        if let Some(map) = details.as_object_mut() {
            map.remove("type");
            map.remove("description");
        }
        model.security_schemes.push(SecurityScheme {
            name: name.clone(),
            scheme_type: s(scheme, "type").unwrap_or_default(),
            description: s(scheme, "description"),
            details,
        });
    }
    let schemas_v = match format {
        SpecFormat::OpenApi20 => doc.get("definitions"),
        _ => doc.get("components").and_then(|c| c.get("schemas")),
    };
    model.schemas = obj(schemas_v.unwrap_or(&Json::Null))
        .map(|(name, schema)| NamedSchema {
            name: name.clone(),
            schema: builder.schema(schema),
        })
        .collect();

    match format {
        SpecFormat::OpenApi20 => {
            let scheme = doc
                .get("schemes")
                .and_then(Json::as_array)
                .and_then(|a| a.first())
                .and_then(Json::as_str)
                .unwrap_or("https");
            if let Some(host) = s(doc, "host") {
                model.servers.push(Server {
                    name: None,
                    url: format!(
                        "{scheme}://{host}{}",
                        s(doc, "basePath").unwrap_or_default()
                    ),
                    protocol: Some(scheme.to_string()),
                    description: None,
                    variables: BTreeMap::new(),
                });
            }
        }
        SpecFormat::OpenApi30 | SpecFormat::OpenApi31 => {
            model.servers = doc
                .get("servers")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(|sv| openapi_server(None, sv))
                .collect();
        }
        SpecFormat::AsyncApi2 | SpecFormat::AsyncApi3 => {
            model.servers = obj(doc.get("servers").unwrap_or(&Json::Null))
                .map(|(name, sv)| {
                    let sv = deref(doc, sv);
                    let mut server = openapi_server(Some(name.clone()), sv);
                    if format == SpecFormat::AsyncApi3 {
                        server.url = format!(
                            "{}{}",
                            s(sv, "host").unwrap_or_default(),
                            s(sv, "pathname").unwrap_or_default()
                        );
                    }
                    server.protocol = s(sv, "protocol");
                    server
                })
                .collect();
        }
    }

    if format.is_openapi() {
        let root_security = model.security.clone();
        for (path, item) in obj(doc.get("paths").unwrap_or(&Json::Null)) {
            model.operations.extend(builder.path_item(
                path,
                item,
                &format!("/paths/{}", escape(path)),
                &root_security,
            ));
        }
        for (name, item) in obj(doc.get("webhooks").unwrap_or(&Json::Null)) {
            model.webhooks.extend(builder.path_item(
                name,
                item,
                &format!("/webhooks/{}", escape(name)),
                &root_security,
            ));
        }
    } else {
        build_async(&builder, &mut model);
    }
    model
}

fn openapi_server(name: Option<String>, sv: &Json) -> Server {
    Server {
        name,
        url: s(sv, "url").unwrap_or_default(),
        protocol: None,
        description: s(sv, "description"),
        variables: obj(sv.get("variables").unwrap_or(&Json::Null))
            .map(|(k, v)| {
                (
                    k.clone(),
                    ServerVariable {
                        default: v.get("default").map(|d| {
                            d.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| d.to_string())
                        }),
                        enum_values: v
                            .get("enum")
                            .and_then(Json::as_array)
                            .map(|a| {
                                a.iter()
                                    .map(|x| {
                                        x.as_str()
                                            .map(str::to_string)
                                            .unwrap_or_else(|| x.to_string())
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        description: s(v, "description"),
                    },
                )
            })
            .collect(),
    }
}

/// The last segment of a local ref (`#/channels/orders` → `orders`).
fn ref_name(v: &Json) -> Option<String> {
    let r = v.get("$ref")?.as_str()?;
    let pointer = ref_pointer(r)?;
    pointer
        .rsplit('/')
        .next()
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
}

fn build_async(builder: &Builder<'_>, model: &mut ApiModel) {
    let doc = builder.doc;
    let message = |name: String, m: &Json| -> Message {
        let m = deref(doc, m);
        // AsyncAPI 3 multi-format schema: {schemaFormat, schema}.
        let payload = m.get("payload").map(|p| {
            let p = if p.get("schemaFormat").is_some() {
                p.get("schema").unwrap_or(p)
            } else {
                p
            };
            builder.schema(p)
        });
        Message {
            title: s(m, "title"),
            summary: s(m, "summary"),
            description: s(m, "description"),
            content_type: s(m, "contentType"),
            payload,
            headers: m.get("headers").map(|h| builder.schema(h)),
            bindings: m.get("bindings").cloned(),
            examples: m
                .get("examples")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default(),
            key: name.clone(),
            name: s(m, "name").unwrap_or(name),
        }
    };
    let mut messages: BTreeMap<String, Message> = BTreeMap::new();
    for (name, m) in obj(doc
        .get("components")
        .and_then(|c| c.get("messages"))
        .unwrap_or(&Json::Null))
    {
        messages.insert(name.clone(), message(name.clone(), m));
    }
    for (name, channel) in obj(doc.get("channels").unwrap_or(&Json::Null)) {
        let channel = deref(doc, channel);
        let mut channel_messages = Vec::new();
        let parameters = obj(channel.get("parameters").unwrap_or(&Json::Null))
            .map(|(pname, p)| {
                let p = deref(doc, p);
                Parameter {
                    name: pname.clone(),
                    location: "channel".into(),
                    required: true,
                    deprecated: false,
                    description: s(p, "description"),
                    // 2.x: a Schema Object under `schema`; 3.0: `enum`,
                    // `default` and `examples` on the parameter itself,
                    // which read as a schema of strings.
                    schema: match p.get("schema") {
                        Some(schema) => Some(builder.schema(schema)),
                        None if builder.format == SpecFormat::AsyncApi3 => {
                            let mut schema = builder.schema(p);
                            schema.description = None;
                            if schema.types.is_empty() {
                                schema.types.push("string".into());
                            }
                            Some(schema)
                        }
                        None => None,
                    },
                    example: None,
                    examples: Vec::new(),
                }
            })
            .collect();
        if builder.format == SpecFormat::AsyncApi3 {
            for (mname, m) in obj(channel.get("messages").unwrap_or(&Json::Null)) {
                let key = ref_name(m)
                    .filter(|_| m.get("$ref").is_some())
                    .unwrap_or_else(|| mname.clone());
                messages
                    .entry(key.clone())
                    .or_insert_with(|| message(key.clone(), m));
                channel_messages.push(key);
            }
        } else {
            // AsyncAPI 2: publish/subscribe operations live in the channel.
            for (verb, action) in [("subscribe", "send"), ("publish", "receive")] {
                let Some(op) = channel.get(verb) else {
                    continue;
                };
                let mut op_messages = Vec::new();
                if let Some(m) = op.get("message") {
                    let alternatives: Vec<&Json> = match m.get("oneOf").and_then(Json::as_array) {
                        Some(list) => list.iter().collect(),
                        None => vec![m],
                    };
                    for (i, alt) in alternatives.into_iter().enumerate() {
                        let key = ref_name(alt).unwrap_or_else(|| {
                            s(deref(doc, alt), "name")
                                .unwrap_or_else(|| format!("{name}-{verb}-{}", i + 1))
                        });
                        messages
                            .entry(key.clone())
                            .or_insert_with(|| message(key.clone(), alt));
                        op_messages.push(key.clone());
                        if !channel_messages.contains(&key) {
                            channel_messages.push(key);
                        }
                    }
                }
                model.async_operations.push(AsyncOperation {
                    name: s(op, "operationId").unwrap_or_else(|| format!("{verb} {name}")),
                    action: action.into(),
                    channel: name.clone(),
                    summary: s(op, "summary"),
                    description: s(op, "description"),
                    messages: op_messages,
                    reply_channel: None,
                    bindings: op.get("bindings").cloned(),
                });
            }
        }
        model.channels.push(Channel {
            name: name.clone(),
            address: if builder.format == SpecFormat::AsyncApi3 {
                s(channel, "address")
            } else {
                Some(name.clone())
            },
            description: s(channel, "description"),
            parameters,
            messages: channel_messages,
            bindings: channel.get("bindings").cloned(),
        });
    }
    if builder.format == SpecFormat::AsyncApi3 {
        for (name, op) in obj(doc.get("operations").unwrap_or(&Json::Null)) {
            let op = deref(doc, op);
            model.async_operations.push(AsyncOperation {
                name: name.clone(),
                action: s(op, "action").unwrap_or_default(),
                channel: op.get("channel").and_then(ref_name).unwrap_or_default(),
                summary: s(op, "summary"),
                description: s(op, "description"),
                messages: op
                    .get("messages")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(ref_name)
                    .collect(),
                reply_channel: op
                    .get("reply")
                    .map(|r| deref(doc, r))
                    .and_then(|r| r.get("channel"))
                    .and_then(ref_name),
                bindings: op.get("bindings").cloned(),
            });
        }
    }
    model.messages = messages.into_values().collect();
}
