//! The OpenAPI walk: operations matched by method and path (template
//! variables erased), then their parameters, request bodies, responses and
//! security, and the document's servers. Swagger 2.0 is read into the same
//! shapes (`body` parameters and `consumes` as a request body, `produces`
//! as response media types, `host` + `basePath` + `schemes` as servers), so
//! it is compared alike, even against a 3.x revision.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value as Json;

use crate::Date;
use crate::doc::DocView;
use crate::engine::{Direction, Engine};
use crate::json::{erase_template_variables, join, resolve, template_variables};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One side's document.
#[derive(Clone, Copy)]
pub(crate) struct Doc<'a> {
    pub json: DocView<'a>,
    pub format: SpecFormat,
    pub max_hops: usize,
}

impl<'a> Doc<'a> {
    fn resolve(&self, pointer: &str, node: &'a Json) -> (String, &'a Json) {
        resolve(self.json, pointer, node, self.max_hops)
    }

    fn is_swagger(&self) -> bool {
        self.format == SpecFormat::OpenApi20
    }

    /// A string list at the operation, else the document root (`consumes`,
    /// `produces`), else `application/json`.
    fn media_list(&self, op: &Json, key: &str) -> Vec<String> {
        let list = op
            .get(key)
            .or_else(|| self.json.get(key))
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if list.is_empty() {
            vec!["application/json".to_string()]
        } else {
            list
        }
    }
}

/// An operation of one side.
struct OperationView<'a> {
    method: &'static str,
    /// The path as written.
    path: String,
    pointer: String,
    node: &'a Json,
    /// The path item's parameters, which the operation's override.
    shared_parameters: Vec<(String, &'a Json)>,
    /// The path item's `servers` (3.x), which the operation's override,
    /// and its pointer.
    item_servers: Option<(String, &'a Json)>,
}

fn operations<'a>(doc: Doc<'a>) -> BTreeMap<(String, &'static str), OperationView<'a>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc.json.paths() {
        let (item_pointer, item) = doc.resolve(&join("/paths", path), item);
        let shared_pointer = join(&item_pointer, "parameters");
        let shared_parameters: Vec<(String, &Json)> = item
            .get("parameters")
            .and_then(Json::as_array)
            .map(|ps| {
                ps.iter()
                    .enumerate()
                    .map(|(i, p)| (join(&shared_pointer, &i.to_string()), p))
                    .collect()
            })
            .unwrap_or_default();
        let item_servers = item
            .get("servers")
            .map(|servers| (join(&item_pointer, "servers"), servers));
        for &method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let (pointer, node) = doc.resolve(&join(&item_pointer, method), op);
            // Two paths equal but for variable names are the same path (and
            // invalid together); the first one is compared.
            out.entry((erase_template_variables(path), method))
                .or_insert(OperationView {
                    method,
                    path: path.to_string(),
                    pointer,
                    node,
                    shared_parameters: shared_parameters.clone(),
                    item_servers: item_servers.clone(),
                });
        }
    }
    out
}

impl OperationView<'_> {
    fn label(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.path)
    }

    fn deprecated(&self) -> bool {
        self.node.get("deprecated") == Some(&Json::Bool(true))
    }
}

/// What one comparison needs besides the documents.
pub(crate) struct Walk<'e, 'a> {
    pub engine: &'e mut Engine<'a>,
    pub base: Doc<'a>,
    pub head: Doc<'a>,
    pub today: Option<Date>,
}

impl Walk<'_, '_> {
    pub fn run(&mut self) {
        self.servers();
        let base_ops = operations(self.base);
        let head_ops = operations(self.head);
        for (key, b) in &base_ops {
            match head_ops.get(key) {
                // Written the same, with nothing it names changed.
                Some(h)
                    if b.path == h.path
                        && self.engine.cold.is_some_and(|c| c.is_cold_path(&b.path)) => {}
                Some(h) => self.operation(b, h),
                None => self.removed_operation(b, &key.0),
            }
        }
        for (key, h) in &head_ops {
            if !base_ops.contains_key(key) {
                let operation = self.engine.operation(h.label());
                let base = self.base_place_of_path(&key.0);
                self.engine.report(
                    &codes::OPERATION_ADDED,
                    format!("operation {} added", h.label()),
                    None,
                    base,
                    h.pointer.clone(),
                    Some(operation),
                );
            }
        }
        self.engine.run();
    }

    /// Where a path (variables erased) is in the base, or `/paths`.
    fn base_place_of_path(&self, erased: &str) -> String {
        place_of_path(self.base.json, erased)
    }

    fn removed_operation(&mut self, b: &OperationView, erased: &str) {
        let label = b.label();
        let operation = self.engine.operation(label.clone());
        let sunset = b.node.get("x-sunset").and_then(Json::as_str);
        let sunset_date = sunset.and_then(Date::parse);
        let (code, message) = if b.deprecated() || sunset.is_some() {
            match (sunset_date, self.today) {
                (Some(date), Some(today)) if today < date => (
                    &codes::OPERATION_REMOVED_BEFORE_SUNSET,
                    format!(
                        "operation {label} removed before its sunset date {date} (today is {today})"
                    ),
                ),
                (Some(date), None) => (
                    &codes::OPERATION_REMOVED_BEFORE_SUNSET,
                    format!("operation {label} removed; its sunset date is {date}"),
                ),
                _ => (
                    &codes::DEPRECATED_OPERATION_REMOVED,
                    format!("deprecated operation {label} removed"),
                ),
            }
        } else {
            (
                &codes::OPERATION_REMOVED,
                format!("operation {label} removed"),
            )
        };
        let head = place_of_path(self.head.json, erased);
        self.engine.report(
            code,
            message,
            None,
            b.pointer.clone(),
            head,
            Some(operation),
        );
    }

    fn operation(&mut self, b: &OperationView, h: &OperationView) {
        let label = h.label();
        let operation = self.engine.operation(label.clone());
        let context: Rc<str> = label.as_str().into();
        let bid = b.node.get("operationId").and_then(Json::as_str);
        let hid = h.node.get("operationId").and_then(Json::as_str);
        if let Some(bid) = bid
            && Some(bid) != hid
        {
            let message = match hid {
                Some(hid) => format!("operationId changed from `{bid}` to `{hid}`"),
                None => format!("operationId `{bid}` removed"),
            };
            self.engine.report(
                &codes::OPERATION_ID_CHANGED,
                message,
                Some(context.clone()),
                join(&b.pointer, "operationId"),
                h.node
                    .get("operationId")
                    .map_or_else(|| h.pointer.clone(), |_| join(&h.pointer, "operationId")),
                Some(operation),
            );
        }
        if !b.deprecated() && h.deprecated() {
            self.engine.report(
                &codes::OPERATION_DEPRECATED,
                format!("operation {label} deprecated"),
                None,
                b.pointer.clone(),
                join(&h.pointer, "deprecated"),
                Some(operation),
            );
        }
        self.parameters(b, h, operation, &context);
        self.request_body(b, h, operation, &context);
        self.responses(b, h, operation, &label);
        self.security(b, h, operation, &context);
        self.operation_servers(b, h, operation, &context);
    }

    /// Servers set on an operation or its path item (3.x) override the
    /// document's: when either side sets them, the operation's own list
    /// is compared (the document's are compared once, for all).
    fn operation_servers(
        &mut self,
        b: &OperationView,
        h: &OperationView,
        operation: usize,
        context: &Rc<str>,
    ) {
        if self.base.is_swagger() || self.head.is_swagger() {
            return;
        }
        let (bs, hs) = (own_servers(b), own_servers(h));
        if bs.is_none() && hs.is_none() {
            return;
        }
        let base = bs.map_or_else(|| servers(self.base), |(list, _)| list);
        let (head, place) = match hs {
            Some((list, place)) => (list, place),
            None => (servers(self.head), server_place(self.head)),
        };
        self.engine
            .servers_removed(&base, &head, &place, Some((operation, context.clone())));
    }
}

/// An operation's own servers (its `servers`, else its path item's), with
/// the pointer of each URL, and where the list is.
fn own_servers(op: &OperationView) -> Option<(Vec<(String, String)>, String)> {
    let (pointer, list) = match op.node.get("servers") {
        Some(list) => (join(&op.pointer, "servers"), list),
        None => {
            let (pointer, list) = op.item_servers.as_ref()?;
            (pointer.clone(), *list)
        }
    };
    let urls = list
        .as_array()?
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            Some((
                s.get("url")?.as_str()?.to_string(),
                format!("{pointer}/{i}/url"),
            ))
        })
        .collect::<Vec<_>>();
    // An empty list overrides nothing.
    (!urls.is_empty()).then_some((urls, pointer))
}

/// Where a path (variables erased) is in `doc`, or `/paths`.
fn place_of_path(doc: DocView<'_>, erased: &str) -> String {
    doc.paths()
        .into_iter()
        .find(|(p, _)| erase_template_variables(p) == erased)
        .map_or_else(|| "/paths".to_string(), |(p, _)| join("/paths", p))
}

/// A parameter of an operation, by (location, name); path parameters by
/// their position in the template, so renaming one is no change.
struct ParameterView<'a> {
    name: String,
    location: String,
    pointer: String,
    node: &'a Json,
    /// The schema: 3.x `schema` (or the first `content` entry's), Swagger
    /// 2.0 the parameter itself.
    schema: Option<String>,
}

impl ParameterView<'_> {
    fn required(&self) -> bool {
        self.location == "path" || self.node.get("required") == Some(&Json::Bool(true))
    }

    /// How the value is serialised, defaults written out, so writing a
    /// default explicitly is no change.
    fn style(&self, swagger: bool) -> String {
        if swagger {
            let is_array = self.node.get("type").and_then(Json::as_str) == Some("array");
            return match self.node.get("collectionFormat").and_then(Json::as_str) {
                Some(format) if is_array => format!("collectionFormat {format}"),
                _ if is_array => "collectionFormat csv".to_string(),
                _ => String::new(),
            };
        }
        let default_style = match self.location.as_str() {
            "query" | "cookie" => "form",
            _ => "simple",
        };
        let style = self
            .node
            .get("style")
            .and_then(Json::as_str)
            .unwrap_or(default_style);
        let explode = self
            .node
            .get("explode")
            .and_then(Json::as_bool)
            .unwrap_or(style == "form");
        format!("style {style}, explode {explode}")
    }

    fn describe(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }
}

fn parameters<'a>(
    doc: Doc<'a>,
    op: &OperationView<'a>,
) -> BTreeMap<(String, String), ParameterView<'a>> {
    let variables = template_variables(&op.path);
    let own_pointer = join(&op.pointer, "parameters");
    let own: Vec<(String, &Json)> = op
        .node
        .get("parameters")
        .and_then(Json::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| (join(&own_pointer, &i.to_string()), p))
                .collect()
        })
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    // Operation parameters first: they override the path item's.
    for (pointer, node) in own.iter().chain(&op.shared_parameters) {
        let (pointer, node) = doc.resolve(pointer, node);
        let (Some(name), Some(location)) = (
            node.get("name").and_then(Json::as_str),
            node.get("in").and_then(Json::as_str),
        ) else {
            continue;
        };
        // Swagger 2.0 bodies are request bodies.
        if location == "body" {
            continue;
        }
        let key_name = match location {
            "path" => match variables.iter().position(|v| *v == name) {
                Some(i) => format!("#{i}"),
                None => name.to_string(),
            },
            // Header names are case-insensitive (RFC 9110 §5.1).
            "header" => name.to_ascii_lowercase(),
            _ => name.to_string(),
        };
        let schema = if node.get("schema").is_some() {
            Some(join(&pointer, "schema"))
        } else if let Some((media, _)) = node
            .get("content")
            .and_then(Json::as_object)
            .and_then(|c| c.iter().next())
        {
            Some(join(&join(&join(&pointer, "content"), media), "schema"))
        } else if doc.is_swagger() {
            Some(pointer.clone())
        } else {
            None
        };
        out.entry((location.to_string(), key_name))
            .or_insert(ParameterView {
                name: name.to_string(),
                location: location.to_string(),
                pointer,
                node,
                schema,
            });
    }
    out
}

/// A request body: 3.x `requestBody`, Swagger 2.0 the `body` parameter
/// with `consumes`.
struct BodyView {
    pointer: String,
    required: bool,
    /// Media type (lowercase) → schema pointer.
    media: BTreeMap<String, Option<String>>,
    /// Where to point for a media type that is not there.
    media_pointer: String,
}

fn request_body(doc: Doc<'_>, op: &OperationView<'_>) -> Option<BodyView> {
    if doc.is_swagger() {
        let own_pointer = join(&op.pointer, "parameters");
        let own = op
            .node
            .get("parameters")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, p)| (join(&own_pointer, &i.to_string()), p));
        for (pointer, node) in own.chain(op.shared_parameters.iter().map(|(p, n)| (p.clone(), *n)))
        {
            let (pointer, node) = doc.resolve(&pointer, node);
            if node.get("in").and_then(Json::as_str) != Some("body") {
                continue;
            }
            let schema = node.get("schema").map(|_| join(&pointer, "schema"));
            let media = doc
                .media_list(op.node, "consumes")
                .into_iter()
                .map(|m| (m.to_ascii_lowercase(), schema.clone()))
                .collect();
            let media_pointer = if op.node.get("consumes").is_some() {
                join(&op.pointer, "consumes")
            } else if doc.json.get("consumes").is_some() {
                "/consumes".to_string()
            } else {
                pointer.clone()
            };
            return Some(BodyView {
                required: node.get("required") == Some(&Json::Bool(true)),
                pointer,
                media,
                media_pointer,
            });
        }
        return None;
    }
    let body = op.node.get("requestBody")?;
    let (pointer, body) = doc.resolve(&join(&op.pointer, "requestBody"), body);
    let media_pointer = join(&pointer, "content");
    Some(BodyView {
        required: body.get("required") == Some(&Json::Bool(true)),
        media: content(body, &media_pointer),
        pointer,
        media_pointer,
    })
}

/// A 3.x `content` map: media type (lowercase) → schema pointer.
fn content(node: &Json, content_pointer: &str) -> BTreeMap<String, Option<String>> {
    node.get("content")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(media, m)| {
            let at = join(content_pointer, media);
            (
                media.to_ascii_lowercase(),
                m.get("schema").map(|_| join(&at, "schema")),
            )
        })
        .collect()
}

/// Whether a media type is among `available`, directly or through a
/// wildcard (`application/*`, `*/*`). Parameters (`; charset=utf-8`) are
/// ignored.
fn media_covered(media: &str, available: &BTreeMap<String, Option<String>>) -> bool {
    let essence = |m: &str| m.split(';').next().unwrap_or(m).trim().to_string();
    let wanted = essence(media);
    let kind = wanted.split('/').next().unwrap_or("");
    available
        .keys()
        .map(|m| essence(m))
        .any(|m| m == wanted || m == "*/*" || m.strip_suffix("/*").is_some_and(|k| k == kind))
}

/// The schema to compare a media type of `base` with in `head`: the same
/// media type, else a wildcard one covering it.
fn matching_media<'m>(
    media: &str,
    head: &'m BTreeMap<String, Option<String>>,
) -> Option<&'m Option<String>> {
    head.get(media).or_else(|| {
        let kind = media.split('/').next().unwrap_or("");
        head.get(&format!("{kind}/*")).or_else(|| head.get("*/*"))
    })
}

/// A response of an operation.
struct ResponseView<'a> {
    pointer: String,
    node: &'a Json,
    media: BTreeMap<String, Option<String>>,
    media_pointer: String,
}

fn responses<'a>(doc: Doc<'a>, op: &OperationView<'a>) -> BTreeMap<String, ResponseView<'a>> {
    let responses_pointer = join(&op.pointer, "responses");
    let mut out = BTreeMap::new();
    for (status, response) in op
        .node
        .get("responses")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        let (pointer, node) = doc.resolve(&join(&responses_pointer, status), response);
        let (media, media_pointer) = if doc.is_swagger() {
            let schema = node.get("schema").map(|_| join(&pointer, "schema"));
            let media = match schema {
                Some(_) => doc
                    .media_list(op.node, "produces")
                    .into_iter()
                    .map(|m| (m.to_ascii_lowercase(), schema.clone()))
                    .collect(),
                None => BTreeMap::new(),
            };
            let media_pointer = if op.node.get("produces").is_some() {
                join(&op.pointer, "produces")
            } else if doc.json.get("produces").is_some() {
                "/produces".to_string()
            } else {
                pointer.clone()
            };
            (media, media_pointer)
        } else {
            let media_pointer = join(&pointer, "content");
            (content(node, &media_pointer), media_pointer)
        };
        // `2xx` and `2XX` are one range; `default` stays as written.
        let key = if status.starts_with(|c: char| c.is_ascii_digit()) {
            status.to_ascii_uppercase()
        } else {
            status.clone()
        };
        out.insert(
            key,
            ResponseView {
                pointer,
                node,
                media,
                media_pointer,
            },
        );
    }
    out
}

/// A response header: (pointer, node, schema pointer).
fn headers<'a>(
    doc: Doc<'a>,
    response: &ResponseView<'a>,
) -> BTreeMap<String, (String, &'a Json, Option<String>)> {
    let headers_pointer = join(&response.pointer, "headers");
    response
        .node
        .get("headers")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(name, header)| {
            let (pointer, node) = doc.resolve(&join(&headers_pointer, name), header);
            let schema = if node.get("schema").is_some() {
                Some(join(&pointer, "schema"))
            } else if doc.is_swagger() {
                Some(pointer.clone())
            } else {
                None
            };
            (name.to_ascii_lowercase(), (pointer, node, schema))
        })
        .collect()
}

/// One security alternative: scheme → scopes.
type Requirement = BTreeMap<String, BTreeSet<String>>;

/// The operation's security alternatives (its own, else the document's)
/// and where they are written.
fn security(doc: Doc<'_>, op: &OperationView<'_>) -> (Vec<Requirement>, String) {
    let (list, pointer) = match op.node.get("security") {
        Some(list) => (Some(list), join(&op.pointer, "security")),
        None => (doc.json.get("security"), "/security".to_string()),
    };
    let alternatives = list
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_object)
        .map(|alternative| {
            alternative
                .iter()
                .map(|(scheme, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        .map(str::to_string)
                        .collect();
                    (scheme.clone(), scopes)
                })
                .collect()
        })
        .collect();
    (alternatives, pointer)
}

/// Whether credentials for `have` satisfy `need`.
fn satisfies(have: &Requirement, need: &Requirement) -> bool {
    need.iter()
        .all(|(scheme, scopes)| have.get(scheme).is_some_and(|h| scopes.is_subset(h)))
}

impl Walk<'_, '_> {
    fn parameters(
        &mut self,
        b: &OperationView,
        h: &OperationView,
        operation: usize,
        context: &Rc<str>,
    ) {
        let bp = parameters(self.base, b);
        let hp = parameters(self.head, h);
        for (key, bparam) in &bp {
            let Some(hparam) = hp.get(key) else {
                self.engine.report(
                    &codes::PARAMETER_REMOVED,
                    format!("{} removed", bparam.describe()),
                    Some(context.clone()),
                    bparam.pointer.clone(),
                    parameters_place(h),
                    Some(operation),
                );
                continue;
            };
            if !bparam.required() && hparam.required() {
                self.engine.report(
                    &codes::PARAMETER_BECAME_REQUIRED,
                    format!("{} became required", hparam.describe()),
                    Some(context.clone()),
                    bparam.pointer.clone(),
                    hparam.pointer.clone(),
                    Some(operation),
                );
            }
            let (bs, hs) = (
                bparam.style(self.base.is_swagger()),
                hparam.style(self.head.is_swagger()),
            );
            // Across Swagger 2.0 and 3.x the two notations differ; only
            // like is compared with like.
            if self.base.is_swagger() == self.head.is_swagger() && bs != hs {
                self.engine.report(
                    &codes::PARAMETER_STYLE_CHANGED,
                    format!(
                        "serialisation of {} changed from {bs} to {hs}",
                        hparam.describe()
                    ),
                    Some(context.clone()),
                    bparam.pointer.clone(),
                    hparam.pointer.clone(),
                    Some(operation),
                );
            }
            if let (Some(bs), Some(hs)) = (&bparam.schema, &hparam.schema) {
                self.engine.root_pair(
                    operation,
                    bs,
                    hs,
                    Direction::Request,
                    &hparam.describe(),
                    context.clone(),
                );
            }
        }
        for (key, hparam) in &hp {
            if bp.contains_key(key) {
                continue;
            }
            let (code, adjective) = if hparam.required() {
                (&codes::REQUIRED_PARAMETER_ADDED, "required")
            } else {
                (&codes::OPTIONAL_PARAMETER_ADDED, "optional")
            };
            self.engine.report(
                code,
                format!("new {adjective} {}", hparam.describe()),
                Some(context.clone()),
                parameters_place(b),
                hparam.pointer.clone(),
                Some(operation),
            );
        }
    }

    fn request_body(
        &mut self,
        b: &OperationView,
        h: &OperationView,
        operation: usize,
        context: &Rc<str>,
    ) {
        let bb = request_body(self.base, b);
        let hb = request_body(self.head, h);
        match (bb, hb) {
            (None, None) => {}
            (None, Some(hb)) => {
                if hb.required {
                    self.engine.report(
                        &codes::REQUEST_BODY_REQUIRED,
                        "new required request body".to_string(),
                        Some(context.clone()),
                        b.pointer.clone(),
                        hb.pointer,
                        Some(operation),
                    );
                }
            }
            (Some(bb), None) => self.engine.report(
                &codes::REQUEST_BODY_REMOVED,
                "request body removed".to_string(),
                Some(context.clone()),
                bb.pointer,
                h.pointer.clone(),
                Some(operation),
            ),
            (Some(bb), Some(hb)) => {
                if !bb.required && hb.required {
                    self.engine.report(
                        &codes::REQUEST_BODY_REQUIRED,
                        "request body became required".to_string(),
                        Some(context.clone()),
                        bb.pointer.clone(),
                        hb.pointer.clone(),
                        Some(operation),
                    );
                }
                for (media, bschema) in &bb.media {
                    if !media_covered(media, &hb.media) {
                        self.engine.report(
                            &codes::REQUEST_MEDIA_TYPE_REMOVED,
                            format!("request media type `{media}` no longer accepted"),
                            Some(context.clone()),
                            join(&bb.media_pointer, media),
                            hb.media_pointer.clone(),
                            Some(operation),
                        );
                        continue;
                    }
                    if let (Some(bs), Some(Some(hs))) = (bschema, matching_media(media, &hb.media))
                    {
                        self.engine.root_pair(
                            operation,
                            bs,
                            hs,
                            Direction::Request,
                            "request body",
                            context.clone(),
                        );
                    }
                }
            }
        }
    }

    fn responses(&mut self, b: &OperationView, h: &OperationView, operation: usize, label: &str) {
        let br = responses(self.base, b);
        let hr = responses(self.head, h);
        for (status, bresp) in &br {
            let context: Rc<str> = format!("{label}, {status}").into();
            let Some(hresp) = hr.get(status) else {
                let success = status.starts_with('2');
                let code = if success {
                    &codes::SUCCESS_RESPONSE_REMOVED
                } else {
                    &codes::RESPONSE_REMOVED
                };
                let what = if success {
                    "success response"
                } else {
                    "response"
                };
                self.engine.report(
                    code,
                    format!("{what} {status} removed"),
                    Some(label.into()),
                    bresp.pointer.clone(),
                    join(&h.pointer, "responses"),
                    Some(operation),
                );
                continue;
            };
            for (media, bschema) in &bresp.media {
                // A head response that documents no body at all says
                // nothing about one (a 3.x response with no `content`).
                if !media_covered(media, &hresp.media) {
                    if !hresp.media.is_empty() {
                        self.engine.report(
                            &codes::RESPONSE_MEDIA_TYPE_REMOVED,
                            format!("response media type `{media}` removed"),
                            Some(context.clone()),
                            join(&bresp.media_pointer, media),
                            hresp.media_pointer.clone(),
                            Some(operation),
                        );
                    }
                    continue;
                }
                if let (Some(bs), Some(Some(hs))) = (bschema, matching_media(media, &hresp.media)) {
                    self.engine.root_pair(
                        operation,
                        bs,
                        hs,
                        Direction::Response,
                        "response body",
                        context.clone(),
                    );
                }
            }
            self.response_headers(bresp, hresp, operation, &context);
        }
    }

    fn response_headers(
        &mut self,
        bresp: &ResponseView,
        hresp: &ResponseView,
        operation: usize,
        context: &Rc<str>,
    ) {
        let bh = headers(self.base, bresp);
        let hh = headers(self.head, hresp);
        for (name, (bpointer, bnode, bschema)) in &bh {
            match hh.get(name) {
                None => {
                    let required = bnode.get("required") == Some(&Json::Bool(true));
                    let (code, adjective) = if required {
                        (&codes::REQUIRED_RESPONSE_HEADER_REMOVED, "required ")
                    } else {
                        (&codes::RESPONSE_HEADER_REMOVED, "")
                    };
                    self.engine.report(
                        code,
                        format!("{adjective}response header `{name}` removed"),
                        Some(context.clone()),
                        bpointer.clone(),
                        join(&hresp.pointer, "headers"),
                        Some(operation),
                    );
                }
                Some((_, _, hschema)) => {
                    if let (Some(bs), Some(hs)) = (bschema, hschema) {
                        let root = format!("response header `{name}`");
                        self.engine.root_pair(
                            operation,
                            bs,
                            hs,
                            Direction::Response,
                            &root,
                            context.clone(),
                        );
                    }
                }
            }
        }
    }

    fn security(
        &mut self,
        b: &OperationView,
        h: &OperationView,
        operation: usize,
        context: &Rc<str>,
    ) {
        let (mut balts, bpointer) = security(self.base, b);
        let (halts, hpointer) = security(self.head, h);
        if halts.is_empty() || halts.iter().any(BTreeMap::is_empty) {
            // The head lets anyone in.
            return;
        }
        if balts.is_empty() {
            balts.push(Requirement::new());
        }
        // The first base alternative no head alternative accepts: one
        // finding per operation says what its clients now lack.
        let Some(lacking) = balts
            .iter()
            .find(|have| !halts.iter().any(|need| satisfies(have, need)))
        else {
            return;
        };
        // The head alternative closest to what those clients have: the one
        // whose schemes they all hold, when there is one (then only scopes
        // are missing).
        let scopes_only = halts
            .iter()
            .find(|need| need.keys().all(|s| lacking.contains_key(s)));
        let (code, message) = match scopes_only {
            Some(need) => {
                let missing: Vec<String> = need
                    .iter()
                    .flat_map(|(scheme, scopes)| {
                        let have = &lacking[scheme];
                        scopes
                            .iter()
                            .filter(|s| !have.contains(*s))
                            .map(move |s| format!("`{scheme}: {s}`"))
                    })
                    .collect();
                (
                    &codes::SECURITY_SCOPE_ADDED,
                    format!("operation now requires scope {}", missing.join(", ")),
                )
            }
            None => {
                let need = halts
                    .iter()
                    .min_by_key(|need| need.keys().filter(|s| !lacking.contains_key(*s)).count())
                    .expect("halts is not empty");
                let missing: Vec<String> = need
                    .keys()
                    .filter(|s| !lacking.contains_key(*s))
                    .map(|s| format!("`{s}`"))
                    .collect();
                let had = if lacking.is_empty() {
                    "none".to_string()
                } else {
                    lacking
                        .keys()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                };
                (
                    &codes::SECURITY_REQUIREMENT_ADDED,
                    format!(
                        "operation now requires security scheme {} (clients with {had} are refused)",
                        missing.join(" + ")
                    ),
                )
            }
        };
        self.engine.report(
            code,
            message,
            Some(context.clone()),
            bpointer,
            hpointer,
            Some(operation),
        );
    }

    fn servers(&mut self) {
        let (base, head) = (servers(self.base), servers(self.head));
        self.engine
            .servers_removed(&base, &head, &server_place(self.head), None);
    }
}

/// The document's server URLs and where each is written. 3.x `servers`
/// (none means `/`); Swagger 2.0 `schemes`, `host` and `basePath` combined.
fn servers(doc: Doc<'_>) -> Vec<(String, String)> {
    if doc.is_swagger() {
        let host = doc.json.get("host").and_then(Json::as_str).unwrap_or("");
        let base_path = doc
            .json
            .get("basePath")
            .and_then(Json::as_str)
            .unwrap_or("");
        let schemes: Vec<&str> = doc
            .json
            .get("schemes")
            .and_then(Json::as_array)
            .map(|s| s.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let pointer = if doc.json.get("basePath").is_some() {
            "/basePath"
        } else if doc.json.get("host").is_some() {
            "/host"
        } else {
            ""
        };
        let authority = if host.is_empty() {
            String::new()
        } else {
            format!("//{host}")
        };
        if schemes.is_empty() {
            return vec![(format!("{authority}{base_path}"), pointer.to_string())];
        }
        return schemes
            .iter()
            .map(|s| {
                let prefix = if host.is_empty() {
                    String::new()
                } else {
                    format!("{s}:")
                };
                (
                    format!("{prefix}{authority}{base_path}"),
                    pointer.to_string(),
                )
            })
            .collect();
    }
    let list: Vec<(String, String)> = doc
        .json
        .get("servers")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, s)| {
            Some((
                s.get("url")?.as_str()?.to_string(),
                format!("/servers/{i}/url"),
            ))
        })
        .collect();
    if list.is_empty() {
        vec![("/".to_string(), String::new())]
    } else {
        list
    }
}

fn server_place(doc: Doc<'_>) -> String {
    if doc.is_swagger() {
        for key in ["basePath", "host"] {
            if doc.json.get(key).is_some() {
                return format!("/{key}");
            }
        }
        return String::new();
    }
    if doc.json.get("servers").is_some() {
        "/servers".to_string()
    } else {
        String::new()
    }
}

/// Where an operation's parameters are (or the operation).
fn parameters_place(op: &OperationView) -> String {
    if op.node.get("parameters").is_some() {
        join(&op.pointer, "parameters")
    } else {
        op.pointer.clone()
    }
}
