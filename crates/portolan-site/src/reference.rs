//! API reference pages from the normalised model: an overview per API, one
//! page per tag with its operations, one page per named schema. Named
//! schemas are links, never expanded in place, so recursion is a link and a
//! Stripe-sized API stays a set of small pages. Definitions portolan does
//! not interpret (GraphQL, gRPC's protobuf) are shown as highlighted source
//! ([`source_view`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use minijinja::context;
use minijinja::value::{Serde, Value};
use portolan_apis::model::{ApiModel, MediaType, Operation, Schema};
use portolan_catalog::Entity;
use portolan_catalog::entity::SubstitutionKind;
use serde::Serialize;

use crate::markdown::render_markdown;
use crate::schema_tree::{self, PageTrees, SchemaTrees};

/// HTML-escape text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A path segment from free text (tags, schema names).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "x".to_string()
    } else {
        crate::site_path::bounded(trimmed.to_string())
    }
}

/// Where an API's reference pages live, and how to link into them.
pub struct ReferenceUrls {
    /// Site path of the overview, ending in `/` (without the base).
    pub root: String,
    pub base: String,
    /// Schema name → page slug, unique per API.
    schema_slugs: BTreeMap<String, String>,
    /// A small API: all operations on one page and all schemas on another,
    /// instead of a page per tag and per schema. Most APIs of a big catalog
    /// are small, and a page each multiplied the files of a build.
    pub compact: bool,
}

/// An API is compact when it has at most this many operations...
const COMPACT_OPERATIONS: usize = 16;
/// ...and at most this many named schemas.
const COMPACT_SCHEMAS: usize = 60;

impl ReferenceUrls {
    pub fn new(root: String, base: &str, model: &ApiModel) -> Self {
        let mut schema_slugs = BTreeMap::new();
        let mut used = std::collections::BTreeSet::new();
        for schema in &model.schemas {
            let mut s = slug(&schema.name);
            let mut n = 2;
            while used.contains(&s) {
                s = format!("{}-{n}", slug(&schema.name));
                n += 1;
            }
            used.insert(s.clone());
            schema_slugs.insert(schema.name.clone(), s);
        }
        ReferenceUrls {
            root,
            base: base.to_string(),
            schema_slugs,
            compact: model.operations.len() + model.webhooks.len() <= COMPACT_OPERATIONS
                && model.schemas.len() <= COMPACT_SCHEMAS,
        }
    }

    /// Site path of a named schema's documentation: its own page, or an
    /// anchor on the schemas page of a compact API.
    pub fn schema_path(&self, name: &str) -> Option<String> {
        let slug = self.schema_slugs.get(name)?;
        Some(if self.compact {
            format!("{}schemas/#schema-{slug}", self.root)
        } else {
            format!("{}schemas/{slug}/", self.root)
        })
    }

    /// Site path of the operations of a tag: its own page, or an anchor on
    /// the operations page of a compact API.
    pub fn tag_path(&self, tag: &str) -> String {
        if self.compact {
            format!("{}operations/#tag-{}", self.root, slug(tag))
        } else {
            format!("{}{}/", self.root, slug(tag))
        }
    }

    /// Site path of the page holding the operations page `index` (from 0) of
    /// a tag, without anchor.
    pub(crate) fn tag_page(&self, tag: &str, index: usize) -> String {
        match (self.compact, index) {
            (true, _) => format!("{}operations/", self.root),
            (false, 0) => self.tag_path(tag),
            (false, n) => format!("{}{}/", self.tag_path(tag), n + 1),
        }
    }
}

/// An API definition shown as its source text.
#[derive(Debug, Serialize)]
pub struct SourceView {
    /// The language, for people: `GraphQL`, `Protocol Buffers`, or the
    /// spec type as written when portolan knows no better.
    pub format: String,
    /// Catalog path of the definition's file; `None` when it is written
    /// inline in the descriptor.
    pub file: Option<String>,
    pub lines: usize,
    /// `<pre class="code numbered">`, highlighted when the language is known.
    pub source_html: String,
    /// Too big to highlight (see
    /// [`crate::highlight::MAX_HIGHLIGHTED_BYTES`]): listed as plain text.
    pub too_large: bool,
    /// Site path of the raw text, for download.
    pub download: String,
}

/// The text of an API entity's `spec.definition` and the file it came from
/// (`None`: inline), when it is a string that was read: a `$text` (or
/// `$openapi`/`$asyncapi`) substitution that failed leaves its target in
/// place of the text, and that is not a definition.
pub fn definition_text(entity: &Entity) -> Option<(&str, Option<&str>)> {
    let file = match entity
        .substitutions
        .iter()
        .find(|s| s.pointer == "/spec/definition")
    {
        Some(sub) => match (&sub.path, sub.kind) {
            (
                Some(path),
                SubstitutionKind::Text | SubstitutionKind::OpenApi | SubstitutionKind::AsyncApi,
            ) => Some(path.as_str()),
            _ => return None,
        },
        None => None,
    };
    let text = entity.node.pointer("/spec/definition")?.as_str()?;
    (!text.trim().is_empty()).then_some((text, file))
}

/// The highlighting language of a definition: from `spec.type` (`graphql`,
/// `grpc`), else from its first lines (see
/// [`portolan_apis::detect::sniff_text`]), else the type as written.
pub fn definition_language(spec_type: &str, text: &str) -> String {
    match spec_type.to_ascii_lowercase().as_str() {
        "graphql" => "graphql".into(),
        "grpc" => "proto".into(),
        other => match portolan_apis::detect::sniff_text(text) {
            Some("GraphQL") => "graphql".into(),
            Some("protobuf") => "proto".into(),
            _ => other.to_string(),
        },
    }
}

/// The view of a definition kept as source, for `entity`'s page.
pub fn source_view(entity: &Entity, language: &str, text: &str, file: Option<&str>) -> SourceView {
    let format = match language {
        "graphql" => "GraphQL".to_string(),
        "proto" => "Protocol Buffers".to_string(),
        other => other.to_string(),
    };
    SourceView {
        format,
        file: file.map(str::to_string),
        lines: text.lines().count(),
        source_html: crate::highlight::source_listing(text, language),
        too_large: text.len() > crate::highlight::MAX_HIGHLIGHTED_BYTES,
        download: source_download_path(entity, language, file),
    }
}

/// Site path of a source definition's raw text: `apis/<ns>/<name>.<ext>`,
/// with the file's own extension when it has a plain one (`.gql`), so the
/// download opens in the reader's tools as the original would.
pub fn source_download_path(entity: &Entity, language: &str, file: Option<&str>) -> String {
    let default_extension = match language {
        "graphql" => "graphql",
        "proto" => "proto",
        _ => "txt",
    };
    let extension = file
        .and_then(|f| f.rsplit('/').next())
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| {
            !ext.is_empty() && ext.len() <= 12 && ext.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .unwrap_or_else(|| default_extension.to_string());
    format!(
        "apis/{}/{}.{extension}",
        entity.namespace.to_ascii_lowercase(),
        entity.name.to_ascii_lowercase()
    )
}

/// Operations shown on one page of a tag.
const OPERATIONS_PER_PAGE: usize = 16;

fn tag_page_path(urls: &ReferenceUrls, tag: &str, index: usize) -> String {
    urls.tag_page(tag, index)
}

/// A group for an untagged operation: its first path segment that is not a
/// version (`/v1/customers/{id}` → `customers`).
/// The group an operation is listed under: its first tag, else the first
/// meaningful segment of its path.
pub(crate) fn operation_group(op: &Operation) -> String {
    op.tags
        .first()
        .cloned()
        .unwrap_or_else(|| path_group(&op.path))
}

/// The id of an operation's `<article>` on its page.
pub(crate) fn operation_anchor(op: &Operation) -> String {
    format!(
        "op-{}",
        slug(
            op.operation_id
                .as_deref()
                .unwrap_or(&format!("{} {}", op.method, op.path))
        )
    )
}

/// The operations page (tag page, or the single operations page of a
/// compact API) listing each operation of `model`, with its anchor:
/// (pointer of the operation, site path with `#anchor`).
pub(crate) fn operation_urls(model: &ApiModel, urls: &ReferenceUrls) -> Vec<(String, String)> {
    let mut seen_in_group: BTreeMap<String, usize> = BTreeMap::new();
    model
        .operations
        .iter()
        .chain(&model.webhooks)
        .map(|op| {
            let group = operation_group(op);
            let position = seen_in_group.entry(group.clone()).or_default();
            let page = urls.tag_page(&group, *position / OPERATIONS_PER_PAGE);
            *position += 1;
            (
                op.pointer.clone(),
                format!("{page}#{}", operation_anchor(op)),
            )
        })
        .collect()
}

fn path_group(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .find(|s| {
            let is_version = s.len() <= 4
                && s.starts_with('v')
                && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.');
            !is_version
        })
        .unwrap_or("Other")
        .to_string()
}

/// AsyncAPI protocol bindings (`kafka`, `amqp`, `http`, …) of a channel,
/// operation or message: one collapsible block per protocol, its settings
/// as JSON. Everything escaped.
fn bindings_html(bindings: Option<&serde_json::Value>) -> String {
    let Some(serde_json::Value::Object(map)) = bindings else {
        return String::new();
    };
    let mut out = String::new();
    for (protocol, value) in map {
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        let _ = write!(
            out,
            "<details class=\"bindings\"><summary>{}</summary><pre class=\"source\" tabindex=\"0\"><code>{}</code></pre></details>",
            esc(protocol),
            esc(&text)
        );
    }
    out
}

fn type_label(schema: &Schema) -> String {
    let mut label = if schema.types.is_empty() {
        String::new()
    } else {
        schema.types.join(" | ")
    };
    if schema.types.iter().any(|t| t == "array")
        && let Some(items) = &schema.items
    {
        let inner = match &items.reference {
            Some(r) => r.name.clone().unwrap_or_else(|| "schema".into()),
            None => items.types.join(" | "),
        };
        if !inner.is_empty() {
            label = format!("array of {inner}");
        }
    }
    if let Some(format) = &schema.format {
        label = if label.is_empty() {
            format.clone()
        } else {
            format!("{label} ({format})")
        };
    }
    if schema.nullable {
        label.push_str(if label.is_empty() { "null" } else { " | null" });
    }
    label
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[derive(Serialize)]
struct ParameterRow {
    name: String,
    location: String,
    required: bool,
    deprecated: bool,
    type_label: String,
    description_html: String,
}

#[derive(Serialize)]
struct BodyView {
    media_type: String,
    schema_html: String,
    examples: Vec<ExampleView>,
}

/// An example payload: the definition's own (named when it names it), or
/// one made from the schema (`generated`).
#[derive(Serialize)]
struct ExampleView {
    label: Option<String>,
    text: String,
    generated: bool,
}

/// Longest example text shown (a definition's own examples can be huge).
const MAX_EXAMPLE_CHARS: usize = 8_000;

/// An example value as shown: JSON pretty-printed, a string as it is.
fn example_text(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    truncate(&text, MAX_EXAMPLE_CHARS)
}

/// The examples of one media type: the definition's first, else one made
/// from its schema for `side`.
fn media_examples(
    media: &MediaType,
    named: &crate::example::Named<'_>,
    side: crate::example::Side,
    generate: bool,
) -> Vec<(Option<String>, serde_json::Value, bool)> {
    let own: Vec<(Option<String>, serde_json::Value, bool)> = media
        .examples
        .iter()
        .filter_map(|e| {
            let label = e.summary.clone().or_else(|| e.name.clone());
            e.value.clone().map(|v| (label, v, false))
        })
        .collect();
    if !own.is_empty() {
        return own;
    }
    let schema = media.schema.as_ref();
    if let Some(first) = schema.and_then(|s| s.examples.first()) {
        return vec![(None, first.clone(), false)];
    }
    schema
        .filter(|_| generate)
        .and_then(|s| crate::example::generate(s, named, side))
        .map(|v| vec![(None, v, true)])
        .unwrap_or_default()
}

/// A message's examples (AsyncAPI Message Example Objects: `name`,
/// `summary`, `headers`, `payload`), each shown whole, labelled by its
/// name or summary.
fn message_examples(examples: &[serde_json::Value]) -> Vec<ExampleView> {
    examples
        .iter()
        .map(|e| ExampleView {
            label: ["name", "summary"]
                .iter()
                .find_map(|k| e.get(k).and_then(serde_json::Value::as_str))
                .map(str::to_string),
            text: example_text(e),
            generated: false,
        })
        .collect()
}

#[derive(Serialize)]
struct ResponseView {
    code: String,
    summary: String,
    description_html: String,
    /// The response's headers as schema rows.
    headers_html: String,
    bodies: Vec<BodyView>,
}

/// An operation the API calls back (OpenAPI `callbacks`), shown inside
/// the operation that registers it.
#[derive(Serialize)]
struct CallbackView {
    name: String,
    method: String,
    expression: String,
    summary: Option<String>,
    description_html: String,
    request: Vec<BodyView>,
    responses: Vec<ResponseView>,
}

#[derive(Serialize)]
struct OperationView {
    anchor: String,
    method: String,
    path: String,
    summary: Option<String>,
    description_html: String,
    deprecated: bool,
    parameters: Vec<ParameterRow>,
    /// The parameters as schema trees, grouped by where they go.
    parameters_html: String,
    request: Vec<BodyView>,
    responses: Vec<ResponseView>,
    security: Vec<String>,
    /// curl, JavaScript, Python and Go.
    code: Vec<crate::samples::Sample>,
    /// The definition's own (`x-codeSamples`): (label, source).
    samples: Vec<(String, String)>,
    callbacks: Vec<CallbackView>,
}

fn responses(
    responses: &[portolan_apis::model::Response],
    trees: &SchemaTrees<'_>,
    page: &mut PageTrees,
) -> Vec<ResponseView> {
    let success = first_success(responses);
    responses
        .iter()
        .enumerate()
        .map(|(i, r)| ResponseView {
            code: r.code.clone(),
            summary: r
                .description
                .as_deref()
                .map(|d| crate::markdown::plain_summary(d, 120))
                .unwrap_or_default(),
            description_html: r
                .description
                .as_deref()
                .map(render_markdown)
                .unwrap_or_default(),
            headers_html: if r.headers.is_empty() {
                String::new()
            } else {
                trees.headers(page, &r.headers)
            },
            // Examples are made, and schemas expanded in full, for the first
            // success response only: error bodies are most often one shared
            // schema, the same on every operation, and would weigh down
            // every page.
            bodies: bodies(
                &r.content,
                trees,
                page,
                crate::example::Side::Response,
                i == success,
            ),
        })
        .collect()
}

/// The index of the first 2XX response (or of none: `usize::MAX`).
fn first_success(responses: &[portolan_apis::model::Response]) -> usize {
    responses
        .iter()
        .position(|r| r.code.starts_with('2'))
        .unwrap_or(usize::MAX)
}

/// The bodies of a request or response, one per media type. `primary`: the
/// request or the first success response, which get a generated example
/// (when the definition has none) and the larger tree budget.
fn bodies(
    content: &[MediaType],
    trees: &SchemaTrees<'_>,
    page: &mut PageTrees,
    side: crate::example::Side,
    primary: bool,
) -> Vec<BodyView> {
    let budget = if primary {
        schema_tree::budget::BODY
    } else {
        schema_tree::budget::SECONDARY
    };
    content
        .iter()
        .map(|m| BodyView {
            media_type: m.media_type.clone(),
            examples: media_examples(m, trees.named(), side, primary)
                .into_iter()
                .map(|(label, value, generated)| ExampleView {
                    label,
                    text: example_text(&value),
                    generated,
                })
                .collect(),
            schema_html: m
                .schema
                .as_ref()
                .map(|s| trees.body(page, s, Some(side), budget))
                .unwrap_or_default(),
        })
        .collect()
}

/// The request the code samples make: the first request media type, with
/// its first example (the definition's, else one made from the schema).
fn code_samples(
    model: &ApiModel,
    op: &Operation,
    named: &crate::example::Named<'_>,
) -> Vec<crate::samples::Sample> {
    use crate::samples::Body;
    let media = op.request_body.as_ref().and_then(|b| b.content.first());
    let example = media.and_then(|m| {
        media_examples(m, named, crate::example::Side::Request, true)
            .into_iter()
            .next()
            .map(|(_, value, _)| value)
    });
    let body = match (media, &example) {
        (Some(m), Some(value)) => {
            let media_type = m.media_type.to_ascii_lowercase();
            Some(if media_type.contains("json") {
                Body::Json(value)
            } else if media_type.starts_with("application/x-www-form-urlencoded") {
                Body::Form(value)
            } else {
                Body::Text(match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                })
            })
        }
        _ => None,
    };
    let request = crate::samples::request(model, op, media.map(|m| m.media_type.as_str()), body);
    crate::samples::samples(&request)
}

fn operation_view(
    model: &ApiModel,
    op: &Operation,
    trees: &SchemaTrees<'_>,
    page: &mut PageTrees,
) -> OperationView {
    let mut callbacks = Vec::new();
    for cb in &op.callbacks {
        for c in &cb.operations {
            callbacks.push(CallbackView {
                name: cb.name.clone(),
                method: c.method.to_ascii_uppercase(),
                expression: c.path.clone(),
                summary: c.summary.clone(),
                description_html: c
                    .description
                    .as_deref()
                    .map(render_markdown)
                    .unwrap_or_default(),
                request: c
                    .request_body
                    .as_ref()
                    .map(|b| bodies(&b.content, trees, page, crate::example::Side::Request, true))
                    .unwrap_or_default(),
                responses: responses(&c.responses, trees, page),
            });
        }
    }
    OperationView {
        anchor: operation_anchor(op),
        method: op.method.to_ascii_uppercase(),
        path: op.path.clone(),
        summary: op.summary.clone(),
        description_html: op
            .description
            .as_deref()
            .map(render_markdown)
            .unwrap_or_default(),
        deprecated: op.deprecated,
        parameters: op
            .parameters
            .iter()
            .map(|p| ParameterRow {
                name: p.name.clone(),
                location: p.location.clone(),
                required: p.required,
                deprecated: p.deprecated,
                type_label: p
                    .schema
                    .as_ref()
                    .map(|s| match &s.reference {
                        Some(r) => r.name.clone().unwrap_or_default(),
                        None => type_label(s),
                    })
                    .unwrap_or_default(),
                description_html: p
                    .description
                    .as_deref()
                    .map(render_markdown)
                    .unwrap_or_default(),
            })
            .collect(),
        parameters_html: if op.parameters.is_empty() {
            String::new()
        } else {
            trees.parameters(page, &op.parameters)
        },
        request: op
            .request_body
            .as_ref()
            .map(|b| bodies(&b.content, trees, page, crate::example::Side::Request, true))
            .unwrap_or_default(),
        responses: responses(&op.responses, trees, page),
        callbacks,
        security: op
            .security
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|alt| alt.join(" + "))
            .collect(),
        code: code_samples(model, op, trees.named()),
        samples: op
            .code_samples
            .iter()
            .map(|c| {
                (
                    c.label.clone().unwrap_or_else(|| c.lang.clone()),
                    c.source.clone(),
                )
            })
            .collect(),
    }
}

fn v<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

/// The reference's own navigation, beside every page of it: the overview,
/// each group (tag) with its operation count, the operations of the group
/// being shown, and the schemas. Only the current group lists its
/// operations, so a Stripe-sized API's navigation stays a few KB a page.
#[derive(Serialize, Clone)]
struct NavView {
    overview: String,
    /// "overview", "schemas", or the current group's name.
    current: String,
    groups: Vec<NavGroup>,
    schemas: Option<NavLink>,
}

#[derive(Serialize, Clone)]
struct NavGroup {
    name: String,
    url: String,
    count: usize,
    current: bool,
    operations: Vec<NavOperation>,
}

#[derive(Serialize, Clone)]
struct NavOperation {
    method: String,
    label: String,
    url: String,
    deprecated: bool,
}

#[derive(Serialize, Clone)]
struct NavLink {
    url: String,
    count: usize,
}

impl NavView {
    /// The navigation with `current` (a group's name) expanded.
    fn at(&self, current: &str, operations: &BTreeMap<String, Vec<NavOperation>>) -> NavView {
        let mut nav = self.clone();
        nav.current = current.to_string();
        for group in &mut nav.groups {
            group.current = group.name == current;
            if group.current {
                group.operations = operations.get(current).cloned().unwrap_or_default();
            }
        }
        nav
    }
}

/// Render the reference pages of one API; returns (site path, html) pairs.
pub fn render_reference(
    env: &minijinja::Environment<'_>,
    site: &Value,
    entity_label: &str,
    entity_url: &str,
    model: &ApiModel,
    urls: &ReferenceUrls,
) -> Result<Vec<(String, String)>, minijinja::Error> {
    let mut pages = Vec::new();
    let named =
        crate::example::Named::new(model.schemas.iter().map(|s| (s.name.as_str(), &s.schema)));
    let trees = SchemaTrees::new(&named, urls);
    // Operations by tag (their first tag), in tag declaration order, then
    // alphabetical for undeclared tags; untagged last.
    let mut groups: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in model.operations.iter().chain(&model.webhooks) {
        groups.entry(operation_group(op)).or_default().push(op);
    }
    let mut order: Vec<String> = model
        .tags
        .iter()
        .map(|t| t.name.clone())
        .filter(|t| groups.contains_key(t))
        .collect();
    for tag in groups.keys() {
        if !order.contains(tag) {
            order.push(tag.clone());
        }
    }
    let tags: Vec<Value> = order
        .iter()
        .map(|t| {
            let description = model.tags.iter().find(|d| &d.name == t).and_then(|d| d.description.as_deref()).map(render_markdown).unwrap_or_default();
            context! { name => t.clone(), url => urls.tag_path(t), count => groups[t].len(), description_html => description }
        })
        .collect();
    // Each group's operations, as the navigation links them.
    let operation_url: BTreeMap<String, String> = operation_urls(model, urls).into_iter().collect();
    let nav_operations: BTreeMap<String, Vec<NavOperation>> = groups
        .iter()
        .map(|(group, ops)| {
            let list = ops
                .iter()
                .map(|op| NavOperation {
                    method: op.method.to_ascii_uppercase(),
                    label: op
                        .summary
                        .clone()
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| op.path.clone()),
                    url: operation_url.get(&op.pointer).cloned().unwrap_or_default(),
                    deprecated: op.deprecated,
                })
                .collect();
            (group.clone(), list)
        })
        .collect();
    let nav = NavView {
        overview: urls.root.clone(),
        current: "overview".into(),
        groups: order
            .iter()
            .map(|g| NavGroup {
                name: g.clone(),
                url: if urls.compact {
                    format!("{}#tag-{}", urls.tag_page(g, 0), slug(g))
                } else {
                    urls.tag_page(g, 0)
                },
                count: groups[g].len(),
                current: false,
                operations: Vec::new(),
            })
            .collect(),
        schemas: model
            .schemas
            .iter()
            .find_map(|s| urls.schema_path(&s.name))
            .map(|_| NavLink {
                url: if urls.compact {
                    format!("{}schemas/", urls.root)
                } else {
                    format!("{}#schemas", urls.root)
                },
                count: model.schemas.len(),
            }),
    };
    let schemas: Vec<Value> = model
        .schemas
        .iter()
        .filter_map(|s| {
            urls.schema_path(&s.name)
                .map(|url| context! { name => s.name.clone(), url => url })
        })
        .collect();
    let channels: Vec<Value> = model
        .channels
        .iter()
        .map(|c| {
            // Channels name messages by key, which a message's own `name`
            // may differ from: the anchor is the key's.
            let messages: Vec<Value> = c.messages.iter().map(|m| context! { name => m.clone(), anchor => format!("msg-{}", slug(m)) }).collect();
            // What fills the address's `{name}`s: type, allowed values,
            // default, description.
            let parameters: Vec<Value> = c
                .parameters
                .iter()
                .map(|p| {
                    let schema = p.schema.as_ref();
                    let show = |v: &serde_json::Value| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    context! {
                        name => p.name.clone(),
                        type_label => schema.map(type_label).unwrap_or_default(),
                        values => schema.map(|s| s.enum_values.iter().map(show).collect::<Vec<_>>()).unwrap_or_default(),
                        default => schema.and_then(|s| s.default.as_ref()).map(show),
                        description_html => p.description.as_deref().map(render_markdown).unwrap_or_default(),
                    }
                })
                .collect();
            context! { name => c.name.clone(), anchor => format!("channel-{}", slug(&c.name)), address => c.address.clone(), parameters => parameters, description_html => c.description.as_deref().map(render_markdown).unwrap_or_default(), messages => messages, bindings_html => bindings_html(c.bindings.as_ref()) }
        })
        .collect();
    let async_operations: Vec<Value> = model
        .async_operations
        .iter()
        .map(|o| context! { name => o.name.clone(), action => o.action.clone(), channel => o.channel.clone(), summary => o.summary.clone(), messages => o.messages.clone(), bindings_html => bindings_html(o.bindings.as_ref()) })
        .collect();
    // The overview's trees (message payloads) share its ids.
    let mut overview_trees = PageTrees::default();
    let messages: Vec<Value> = model
        .messages
        .iter()
        .map(|m| {
            context! {
                name => m.name.clone(), anchor => format!("msg-{}", slug(&m.key)), title => m.title.clone(), content_type => m.content_type.clone(),
                description_html => m.description.as_deref().or(m.summary.as_deref()).map(render_markdown).unwrap_or_default(),
                payload_html => m.payload.as_ref().map(|p| trees.body(&mut overview_trees, p, None, schema_tree::budget::BODY)).unwrap_or_default(),
                headers_html => m.headers.as_ref().map(|h| trees.body(&mut overview_trees, h, None, schema_tree::budget::SECONDARY)).unwrap_or_default(),
                bindings_html => bindings_html(m.bindings.as_ref()),
                examples => v(message_examples(&m.examples)),
            }
        })
        .collect();
    let overview = env.get_template("api.html")?.render(context! {
        site => site.clone(), section => "catalog",
        entity_label => entity_label, entity_url => entity_url,
        info => v(&model.info), description_html => model.info.description.as_deref().map(render_markdown).unwrap_or_default(),
        format => model.format.to_string(), servers => v(&model.servers), security_schemes => v(&model.security_schemes),
        tags => tags, schemas => schemas, channels => channels, async_operations => async_operations, messages => messages,
        nav => v(&nav),
    })?;
    pages.push((format!("{}index.html", urls.root), overview));
    let tag_tpl = env.get_template("api-tag.html")?;
    if urls.compact {
        // One page: every tag's operations, each tag under its heading.
        let mut page_trees = PageTrees::default();
        let groups_view: Vec<Value> = order
            .iter()
            .map(|tag| {
                let operations: Vec<OperationView> = groups[tag]
                    .iter()
                    .map(|op| operation_view(model, op, &trees, &mut page_trees))
                    .collect();
                context! { name => tag.clone(), anchor => format!("tag-{}", slug(tag)), operations => v(operations) }
            })
            .collect();
        if !groups_view.is_empty() {
            let html = tag_tpl.render(context! {
                site => site.clone(), section => "catalog",
                entity_label => entity_label, entity_url => entity_url, reference_url => urls.root.clone(),
                tag => "Operations", groups => groups_view,
                nav => v(NavView { current: "operations".into(), groups: nav.groups.iter().map(|g| NavGroup { current: true, operations: nav_operations.get(&g.name).cloned().unwrap_or_default(), ..g.clone() }).collect(), ..nav.clone() }),
            })?;
            pages.push((format!("{}operations/index.html", urls.root), html));
        }
    }
    for tag in order.iter().filter(|_| !urls.compact) {
        // Big groups are split over several pages, so no page grows past
        // what a browser opens quickly.
        let chunks: Vec<&[&Operation]> = groups[tag].chunks(OPERATIONS_PER_PAGE).collect();
        let page_links: Vec<Value> = (0..chunks.len())
            .map(|i| context! { number => i + 1, url => tag_page_path(urls, tag, i) })
            .collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut page_trees = PageTrees::default();
            let operations: Vec<OperationView> = chunk
                .iter()
                .map(|op| operation_view(model, op, &trees, &mut page_trees))
                .collect();
            let html = tag_tpl.render(context! {
                site => site.clone(), section => "catalog",
                entity_label => entity_label, entity_url => entity_url, reference_url => urls.root.clone(),
                tag => tag.clone(), operations => v(operations), nav => v(nav.at(tag, &nav_operations)),
                pages => if chunks.len() > 1 { page_links.clone() } else { Vec::new() }, page => i + 1,
            })?;
            pages.push((format!("{}index.html", tag_page_path(urls, tag, i)), html));
        }
    }
    let schema_tpl = env.get_template("api-schema.html")?;
    if urls.compact {
        let mut page_trees = PageTrees::default();
        let schemas_view: Vec<Value> = model
            .schemas
            .iter()
            .filter_map(|schema| {
                let slug = urls.schema_slugs.get(&schema.name)?;
                let anchor = format!("schema-{slug}");
                let html = trees.named_page(&mut page_trees, &schema.name, &schema.schema, &anchor);
                Some(context! {
                    name => schema.name.clone(), anchor => anchor,
                    type_label => type_label(&schema.schema), schema_html => html,
                })
            })
            .collect();
        if !schemas_view.is_empty() {
            let html = schema_tpl.render(context! {
                site => site.clone(), section => "catalog",
                entity_label => entity_label, entity_url => entity_url, reference_url => urls.root.clone(),
                name => "Schemas", schemas => schemas_view, nav => v(nav.at("schemas", &nav_operations)),
            })?;
            pages.push((format!("{}schemas/index.html", urls.root), html));
        }
    }
    for schema in model.schemas.iter().filter(|_| !urls.compact) {
        let Some(path) = urls.schema_path(&schema.name) else {
            continue;
        };
        let mut page_trees = PageTrees::default();
        let anchor = "schema";
        let tree = trees.named_page(&mut page_trees, &schema.name, &schema.schema, anchor);
        let html = schema_tpl.render(context! {
            site => site.clone(), section => "catalog",
            entity_label => entity_label, entity_url => entity_url, reference_url => urls.root.clone(),
            name => schema.name.clone(), anchor => anchor, type_label => type_label(&schema.schema), schema_html => tree,
            nav => v(nav.at("schemas", &nav_operations)),
        })?;
        pages.push((format!("{path}index.html"), html));
    }
    Ok(pages)
}
