//! Bundling: one self-contained document per API. Refs into other files are
//! pulled into the root's reusable sections (`components/<section>` for
//! OpenAPI 3 and AsyncAPI, `definitions`/`parameters`/`responses` for
//! Swagger 2.0) under stable, collision-free names and rewritten to internal
//! refs; internal refs are kept, so recursion survives. A source map records
//! where each part of the bundle came from, so findings on the bundle point
//! at the file and line they were written in.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use portolan_core::Span;
use portolan_core::yaml::{Node, Value, escape_pointer_token, pointer_tokens};
use rayon::prelude::*;
use serde_json::{Map, Value as Json};

use crate::detect::SpecFormat;
use crate::load::SpecSet;
use crate::lookup::{SpecLookup, count_work};
use crate::refs;

/// The bundled document and where its parts came from.
#[derive(Debug, Clone)]
pub struct Bundled {
    pub doc: Json,
    /// Pointer prefix in the bundle → (file, pointer prefix in that file).
    /// A pointer belongs to its longest prefix here; the root `""` is
    /// always present.
    source_map: HashMap<String, (String, String)>,
    /// `$ref`s found where the specification allows none (copied in anyway).
    pub misplaced_refs: Vec<MisplacedRef>,
}

impl Bundled {
    /// The file and node a pointer into the bundle came from.
    pub fn origin(&self, pointer: &str) -> (&str, String) {
        // The pointer itself, then each ancestor, longest first: as many
        // probes as the pointer has tokens, however many parts were pulled
        // in.
        let ancestors = pointer.rmatch_indices('/').map(|(i, _)| &pointer[..i]);
        let candidates = std::iter::once(pointer)
            .chain(ancestors)
            .chain(std::iter::once(""));
        for prefix in candidates {
            count_work(1);
            if let Some((file, file_pointer)) = self.source_map.get(prefix) {
                return (file, format!("{file_pointer}{}", &pointer[prefix.len()..]));
            }
        }
        // Not reached: the source map always has the root entry `""`.
        ("", pointer.to_string())
    }

    /// File and span for a pointer into the bundle (the key of the last
    /// member, as with entity findings).
    pub fn locate(&self, set: &SpecSet, pointer: &str) -> (String, Span) {
        self.locate_in(&SpecLookup::new(set), pointer)
    }

    /// [`Bundled::locate`] through `lookup`, which remembers the mappings
    /// it has indexed from one call to the next.
    pub fn locate_in(&self, lookup: &SpecLookup<'_>, pointer: &str) -> (String, Span) {
        let (file, file_pointer) = self.origin(pointer);
        let span = lookup
            .root(file)
            .map(|root| lookup.nodes.locate(root, &file_pointer))
            .unwrap_or_default();
        (file.to_string(), span)
    }

    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.doc).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The bundle as YAML (what most people download an OpenAPI file as).
    pub fn to_yaml_string(&self) -> String {
        crate::yaml_download::to_yaml_string(&self.doc)
    }
}

fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}

/// Reusable sections of OpenAPI 3 and AsyncAPI `components` (and Swagger
/// 2.0's root `definitions`).
const SECTIONS: &[&str] = &[
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "callbacks",
    "securitySchemes",
    "pathItems",
    "messages",
    "channels",
    "operations",
    "servers",
    "correlationIds",
    "messageTraits",
    "operationTraits",
    "replies",
    "replyAddresses",
    "serverVariables",
    "messageBindings",
    "channelBindings",
    "operationBindings",
    "serverBindings",
    "tags",
    "externalDocs",
    "definitions",
];

/// The last token of a path and the one before it.
fn last_two(path: &[String]) -> (Option<&str>, Option<&str>) {
    let n = path.len();
    (
        path.last().map(String::as_str),
        n.checked_sub(2).map(|i| path[i].as_str()),
    )
}

/// Which reusable section a `$ref` at `path` (tokens of the bundle pointer
/// of the Reference Object) belongs in, when its target doesn't say.
fn section_for(format: SpecFormat, path: &[String]) -> Option<&'static str> {
    let (last, parent) = last_two(path);
    // Extensions (`x-codeSamples`, ...) are free-form: whatever they include
    // is copied in place.
    if path.iter().any(|t| t.starts_with("x-")) {
        return None;
    }
    // An operation included by reference (`paths./x.get: {$ref}`; not in
    // the specification, but common, e.g. DigitalOcean's spec) has no
    // reusable home: inline it.
    if path.len() == 3 && matches!(path[0].as_str(), "paths" | "webhooks") {
        return None;
    }
    if is_schema_position(format, path) {
        return Some(schemas_section(format));
    }
    // For a list item (`parameters: [{$ref}]`) or a map value keyed by a
    // status code, the section is named by the container; otherwise by the
    // key itself (`requestBody: {$ref}`) or its container (`headers: {X: {$ref}}`).
    let is_index = last.is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    let key = if is_index { parent } else { last };
    let container = parent;
    // Anything else has no reusable home (a Reference Object is not allowed
    // there by the specification, e.g. `tags[].description: {$ref}`): the
    // target is copied in place.
    match format {
        SpecFormat::OpenApi20 => match container {
            Some("parameters") => Some("parameters"),
            Some("responses") if path.len() > 2 => Some("responses"),
            _ => None,
        },
        SpecFormat::OpenApi30 | SpecFormat::OpenApi31 => match (container, key) {
            (Some("parameters"), _) => Some("parameters"),
            (Some("responses"), _) => Some("responses"),
            (_, Some("requestBody")) => Some("requestBodies"),
            (Some("headers"), _) => Some("headers"),
            (Some("examples"), _) => Some("examples"),
            (Some("links"), _) => Some("links"),
            (Some("callbacks"), _) => Some("callbacks"),
            (Some("securitySchemes"), _) => Some("securitySchemes"),
            (Some("paths" | "webhooks"), _) if format == SpecFormat::OpenApi31 => Some("pathItems"),
            _ => None,
        },
        SpecFormat::AsyncApi2 | SpecFormat::AsyncApi3 => match (container, key) {
            (Some("channels"), _) => Some("channels"),
            (Some("operations"), _) => Some("operations"),
            (Some("servers"), _) => Some("servers"),
            (Some("messages"), _) | (_, Some("message")) => Some("messages"),
            (Some("oneOf"), _) if path.iter().any(|p| p == "message") => Some("messages"),
            (Some("parameters"), _) => Some("parameters"),
            (_, Some("correlationId")) => Some("correlationIds"),
            (Some("securitySchemes"), _) => Some("securitySchemes"),
            (_, Some("reply")) => Some("replies"),
            (_, Some("address")) if format == SpecFormat::AsyncApi3 => Some("replyAddresses"),
            (Some("traits"), _) if path.iter().any(|p| p == "messages" || p == "message") => {
                Some("messageTraits")
            }
            (Some("traits"), _) => Some("operationTraits"),
            (Some("variables"), _) => Some("serverVariables"),
            (_, Some("bindings")) => Some(bindings_section(path)),
            (Some("tags"), _) if format == SpecFormat::AsyncApi3 => Some("tags"),
            (_, Some("externalDocs")) if format == SpecFormat::AsyncApi3 => Some("externalDocs"),
            (Some("security"), _) if format == SpecFormat::AsyncApi3 => Some("securitySchemes"),
            _ => None,
        },
    }
}

/// AsyncAPI bindings by what they bind.
fn bindings_section(path: &[String]) -> &'static str {
    let owner = path.iter().rev().skip(1).find(|t| {
        matches!(
            t.as_str(),
            "messages" | "message" | "channels" | "operations" | "servers"
        )
    });
    match owner.map(String::as_str) {
        Some("messages" | "message") => "messageBindings",
        Some("channels") => "channelBindings",
        Some("operations") => "operationBindings",
        _ => "serverBindings",
    }
}

/// Whether the specification allows a Reference Object at `path`. Where it
/// does not, portolan still copies the target in (tools commonly do), and
/// reports the spot (`A013`).
fn reference_allowed(format: SpecFormat, path: &[String]) -> bool {
    // Extensions and example values are data: a `$ref` there is content.
    if path.iter().any(|t| t.starts_with("x-")) || path.last().is_some_and(|l| l == "example") {
        return true;
    }
    // Path Items have their own `$ref` field.
    if path.len() == 2 && matches!(path[0].as_str(), "paths" | "webhooks") {
        return true;
    }
    // A component may itself be a reference (`components.schemas.X: {$ref}`;
    // 2.0: `definitions.X`, `parameters.X`, `responses.X`).
    match path {
        [components, section, _]
            if components == "components" && SECTIONS.contains(&section.as_str()) =>
        {
            return true;
        }
        [section, _]
            if format == SpecFormat::OpenApi20
                && matches!(section.as_str(), "definitions" | "parameters" | "responses") =>
        {
            return true;
        }
        _ => {}
    }
    section_for(format, path).is_some()
}

/// What sits at `path`, for a message about a `$ref` that may not be there.
fn describe_position(path: &[String]) -> String {
    match path {
        [paths, _, _] if matches!(paths.as_str(), "paths" | "webhooks") => {
            "an Operation Object".to_string()
        }
        [.., last] if last == "properties" => "a `properties` map".to_string(),
        [.., last] if matches!(last.as_str(), "description" | "summary" | "title") => {
            format!("the string field `{last}`")
        }
        [.., last] => format!("`{last}`"),
        [] => "the document root".to_string(),
    }
}

/// Whether a Reference Object at `path` stands for a Schema Object.
fn is_schema_position(format: SpecFormat, path: &[String]) -> bool {
    let (last, parent) = last_two(path);
    if matches!(
        parent,
        Some("properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas")
    ) {
        return true;
    }
    let is_index = last.is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    if is_index
        && matches!(
            parent,
            Some("allOf" | "oneOf" | "anyOf" | "prefixItems" | "items")
        )
    {
        // An AsyncAPI 2 `message.oneOf` lists messages, not schemas.
        return !(format.is_asyncapi() && path.iter().any(|p| p == "message"));
    }
    match last {
        Some(
            "schema"
            | "items"
            | "additionalProperties"
            | "additionalItems"
            | "not"
            | "contains"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "contentSchema",
        ) => true,
        // AsyncAPI message payloads and headers are schemas.
        Some("payload") => format.is_asyncapi(),
        Some("headers") => {
            format.is_asyncapi() && path.iter().any(|p| p == "messages" || p == "message")
        }
        _ => false,
    }
}

fn schemas_section(format: SpecFormat) -> &'static str {
    match format {
        SpecFormat::OpenApi20 => "definitions",
        _ => "schemas",
    }
}

/// Where a section lives in the bundle.
fn section_pointer(format: SpecFormat, section: &str) -> String {
    match format {
        SpecFormat::OpenApi20 => format!("/{section}"),
        _ => format!("/components/{section}"),
    }
}

/// The section and name a target declares by its own location
/// (`#/components/schemas/Order`, `#/definitions/Order`).
fn declared_location(format: SpecFormat, pointer: &str) -> Option<(String, String)> {
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    match (format, tokens.as_slice()) {
        (SpecFormat::OpenApi20, [section, name])
            if matches!(section.as_str(), "definitions" | "parameters" | "responses") =>
        {
            Some((section.clone(), name.clone()))
        }
        (f, [components, section, name])
            if f != SpecFormat::OpenApi20 && components == "components" =>
        {
            Some((section.clone(), name.clone()))
        }
        _ => None,
    }
}

/// A name usable in a ref: file stems and keys, with anything odd replaced.
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "Unnamed".into()
    } else {
        cleaned
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

struct Bundler<'a> {
    set: &'a SpecSet,
    lookup: SpecLookup<'a>,
    format: SpecFormat,
    /// (file, pointer) → (section, name) for pulled-in parts.
    assigned: BTreeMap<(String, String), (String, String)>,
    taken: BTreeSet<(String, String)>,
    /// (section, base name) → the suffix to try next for it: names are
    /// only ever taken, so the smallest free suffix never goes down.
    next_suffix: HashMap<(String, String), usize>,
    queue: VecDeque<(String, String, String, String)>,
    source_map: SourceMap,
    /// Files being inlined (for sections without a reusable home), to stop
    /// self-inclusion.
    inlining: Vec<(String, String)>,
    /// Most targets inlined one inside another: a chain of references
    /// with no reusable home is inlined by recursion, so its length is
    /// bounded (`max_reference_depth`; longer chains are reported A015
    /// when loading).
    max_inline_depth: usize,
    misplaced_refs: Vec<MisplacedRef>,
}

/// Where the parts of a bundle came from, by their pointer in it. A prefix
/// recorded twice keeps its first origin.
#[derive(Default)]
struct SourceMap(HashMap<String, (String, String)>);

impl SourceMap {
    fn push(&mut self, prefix: String, file: String, file_pointer: String) {
        self.0.entry(prefix).or_insert((file, file_pointer));
    }
}

/// A `$ref` where the specification allows no Reference Object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisplacedRef {
    pub file: String,
    /// Span of the `$ref` value.
    pub span: Span,
    /// What the position is ("an Operation Object").
    pub position: String,
}

/// Bundle `set` into one document, inlining chains of references up to
/// the default `max_reference_depth`.
pub fn bundle(set: &SpecSet) -> Bundled {
    bundle_within(set, crate::load::LoadLimits::default().max_reference_depth)
}

/// Bundle `set` into one document; references past `max_reference_depth`
/// targets inlined one inside another are left as written.
pub fn bundle_within(set: &SpecSet, max_reference_depth: usize) -> Bundled {
    let format = set.format;
    let root = set.root();
    let lookup = SpecLookup::new(set);
    let mut taken = BTreeSet::new();
    let mut assigned = BTreeMap::new();
    // Names already used by the root document stay theirs. A root component
    // that is only a reference to another file (`Order: {$ref:
    // ./order.yaml#/Order}`) names that target: the target is copied in
    // under that name, and every other reference to it points there.
    for section in SECTIONS {
        if let Some(entries) = lookup
            .nodes
            .pointer(root, &section_pointer(format, section))
            .and_then(Node::as_map)
        {
            for e in entries {
                taken.insert((section.to_string(), e.key.clone()));
                if let Some(raw) = refs::ref_of(&e.value)
                    .filter(|_| e.value.as_map().is_some_and(|m| m.len() == 1))
                    && let Some((file, pointer, _)) =
                        lookup.node(&refs::resolve(&set.root_file, raw))
                    && file != set.root_file
                {
                    assigned
                        .entry((file.to_string(), pointer))
                        .or_insert((section.to_string(), e.key.clone()));
                }
            }
        }
    }
    let mut source_map = SourceMap::default();
    source_map.push(String::new(), set.root_file.clone(), String::new());
    let mut bundler = Bundler {
        assigned,
        taken,
        source_map,
        ..Bundler::new(set, lookup, max_reference_depth)
    };
    let mut doc = if set.files.len() == 1 {
        bundler.convert_split(root)
    } else {
        bundler.convert(&set.root_file, root, &mut Vec::new())
    };
    while let Some((file, pointer, section, name)) = bundler.queue.pop_front() {
        let Some(node) = bundler.lookup.pointer(&file, &pointer) else {
            continue;
        };
        let target = join(&section_pointer(format, &section), &name);
        let mut path: Vec<String> = pointer_tokens(&target).collect();
        let value = bundler.convert(&file, node, &mut path);
        insert_at(&mut doc, &target, value);
        bundler.source_map.push(target, file, pointer);
    }
    Bundled {
        doc,
        source_map: bundler.source_map.0,
        misplaced_refs: bundler.misplaced_refs,
    }
}

/// Set `pointer` in `doc`, creating objects on the way.
fn insert_at(doc: &mut Json, pointer: &str, value: Json) {
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    let mut current = doc;
    for (i, token) in tokens.iter().enumerate() {
        if !current.is_object() {
            *current = Json::Object(Map::new());
        }
        let map = current.as_object_mut().expect("made an object above");
        if i == tokens.len() - 1 {
            map.insert(token.clone(), value);
            return;
        }
        current = map
            .entry(token.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
}

/// Mappings written in this many bytes or more are converted entry by
/// entry on rayon's threads ([`Bundler::convert_split`]).
const SPLIT_BYTES: u32 = 64 * 1024;

/// Whether [`Bundler::convert_split`] converts the entries of `node`, at
/// `path` in the bundle, apart: a large mapping whose entries
/// [`Bundler::convert`] converts one by one, each alone (no `$ref` among
/// them, not a discriminator's mapping).
fn split_here(node: &Node, path: &[String]) -> bool {
    let Value::Map(entries) = &node.value else {
        return false;
    };
    node.span.end.saturating_sub(node.span.start) >= SPLIT_BYTES
        && entries.len() > 1
        && !in_discriminator_mapping(path)
        && !entries.iter().any(|e| e.key == "$ref")
}

fn in_discriminator_mapping(path: &[String]) -> bool {
    path.len() >= 2 && path[path.len() - 1] == "mapping" && path[path.len() - 2] == "discriminator"
}

/// The subtrees of `node` that [`Bundler::convert_split`] converts, in
/// document order, with their paths.
fn split_parts<'n>(node: &'n Node, path: &mut Vec<String>, out: &mut Vec<(&'n Node, Vec<String>)>) {
    match (&node.value, split_here(node, path)) {
        (Value::Map(entries), true) => {
            for entry in entries {
                path.push(entry.key.clone());
                split_parts(&entry.value, path, out);
                path.pop();
            }
        }
        _ => out.push((node, path.clone())),
    }
}

/// The JSON of `node` put together from its converted parts, in the order
/// [`split_parts`] listed them.
fn join_parts(node: &Node, path: &mut Vec<String>, parts: &mut impl Iterator<Item = Json>) -> Json {
    match (&node.value, split_here(node, path)) {
        (Value::Map(entries), true) => {
            let mut map = Map::with_capacity(entries.len());
            for entry in entries {
                path.push(entry.key.clone());
                let child = join_parts(&entry.value, path, parts);
                path.pop();
                map.insert(entry.key.clone(), child);
            }
            Json::Object(map)
        }
        _ => parts.next().unwrap_or(Json::Null),
    }
}

impl<'a> Bundler<'a> {
    /// A bundler that has named, queued and inlined nothing yet.
    fn new(set: &'a SpecSet, lookup: SpecLookup<'a>, max_inline_depth: usize) -> Self {
        Bundler {
            set,
            lookup,
            format: set.format,
            assigned: BTreeMap::new(),
            taken: BTreeSet::new(),
            next_suffix: HashMap::new(),
            queue: VecDeque::new(),
            source_map: SourceMap::default(),
            inlining: Vec::new(),
            max_inline_depth,
            misplaced_refs: Vec::new(),
        }
    }

    /// [`Bundler::convert`] of the root of a set of one file, its large
    /// mappings cut into their entries and those converted on rayon's
    /// threads (each thread with a bundler of its own): the same JSON and
    /// the same misplaced references, in the same order. A 4 MB
    /// definition took 20 ms on one thread.
    fn convert_split(&mut self, root: &'a Node) -> Json {
        let mut parts = Vec::new();
        split_parts(root, &mut Vec::new(), &mut parts);
        if parts.len() < 2 {
            let file = self.set.root_file.clone();
            return self.convert(&file, root, &mut Vec::new());
        }
        let (set, depth) = (self.set, self.max_inline_depth);
        // Each bundler indexes the mappings its references go through
        // (`components/schemas`) again: a few runs of parts per thread
        // keep that to a few times per thread, whatever the definition.
        let per_run = parts.len().div_ceil(4 * rayon::current_num_threads());
        // In a set of one file every reference stays in it: a fresh
        // bundler per run never names, queues or inlines anything.
        let converted: Vec<(Json, Vec<MisplacedRef>, u64)> = parts
            .into_par_iter()
            .with_min_len(per_run)
            .map_init(
                || Bundler::new(set, SpecLookup::new(set), depth),
                |bundler, (node, mut path)| {
                    // A part is converted without rayon, so all its work is
                    // this thread's, and counted for the caller's.
                    let before = crate::lookup::work_done();
                    let json = bundler.convert(&set.root_file, node, &mut path);
                    debug_assert!(bundler.queue.is_empty() && bundler.inlining.is_empty());
                    let work = crate::lookup::work_done() - before;
                    (json, std::mem::take(&mut bundler.misplaced_refs), work)
                },
            )
            .collect();
        let mut jsons = Vec::with_capacity(converted.len());
        for (json, misplaced, work) in converted {
            jsons.push(json);
            self.misplaced_refs.extend(misplaced);
            count_work(work as usize);
        }
        join_parts(root, &mut Vec::new(), &mut jsons.into_iter())
    }

    /// Convert `node` (at `pointer` in `file`) to JSON for bundle location
    /// `path`, rewriting refs.
    fn convert(&mut self, file: &str, node: &Node, path: &mut Vec<String>) -> Json {
        count_work(1);
        match &node.value {
            Value::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for entry in entries {
                    if entry.key == "$ref"
                        && let Some(raw) = entry.value.as_str()
                    {
                        if self.format.is_openapi() && !reference_allowed(self.format, path) {
                            self.misplaced_refs.push(MisplacedRef {
                                file: file.to_string(),
                                span: entry.value.span,
                                position: describe_position(path),
                            });
                        }
                        match self.rewrite_ref(file, raw, path) {
                            RefRewrite::Ref(new) => {
                                map.insert("$ref".into(), Json::String(new));
                            }
                            RefRewrite::Inline(value) => {
                                // Sibling keys of an inlined ref are dropped,
                                // as the target replaces the object.
                                return value;
                            }
                        }
                        continue;
                    }
                    let in_mapping = in_discriminator_mapping(path);
                    if let (true, Some(raw)) = (in_mapping, entry.value.as_str()) {
                        // Mapping values that are references are relative to
                        // the file they are written in, like `$ref`s: rewrite
                        // them to the bundle. Plain schema names stay.
                        if raw.contains('#') || raw.contains('/') {
                            path.push(entry.key.clone());
                            let rewritten = match self.rewrite_ref(
                                file,
                                raw,
                                &mut vec!["components".into(), "schemas".into(), "x".into()],
                            ) {
                                RefRewrite::Ref(new) => new,
                                RefRewrite::Inline(_) => raw.to_string(),
                            };
                            path.pop();
                            map.insert(entry.key.clone(), Json::String(rewritten));
                            continue;
                        }
                    }
                    path.push(entry.key.clone());
                    let child = self.convert(file, &entry.value, path);
                    path.pop();
                    map.insert(entry.key.clone(), child);
                }
                Json::Object(map)
            }
            Value::Seq(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(i.to_string());
                        let v = self.convert(file, item, path);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
            _ => node.to_json(),
        }
    }

    fn rewrite_ref(&mut self, file: &str, raw: &str, path: &mut Vec<String>) -> RefRewrite {
        let target = refs::resolve(file, raw);
        let (target_file, target_pointer) = match self.lookup.node(&target) {
            Some((f, p, _)) => (f.to_string(), p),
            // Broken, remote or escaping refs are reported by loading; they
            // stay as written.
            None => return RefRewrite::Ref(raw.to_string()),
        };
        if target_file == self.set.root_file {
            return RefRewrite::Ref(format!("#{}", encode_pointer(&target_pointer)));
        }
        let key = (target_file.clone(), target_pointer.clone());
        if let Some((section, name)) = self.assigned.get(&key) {
            // The root component that names this target: copy it in here.
            let own = join(&section_pointer(self.format, section), name);
            if pointer_tokens(&own).eq(path.iter().cloned())
                && !self.inlining.contains(&key)
                && self.inlining.len() < self.max_inline_depth
            {
                let node = self.lookup.pointer(&target_file, &target_pointer);
                if let Some(node) = node {
                    self.inlining.push(key);
                    self.source_map
                        .push(own, target_file.clone(), target_pointer.clone());
                    let value = self.convert(&target_file, node, path);
                    self.inlining.pop();
                    return RefRewrite::Inline(value);
                }
            }
            return RefRewrite::Ref(format!(
                "#{}",
                encode_pointer(&join(&section_pointer(self.format, section), name))
            ));
        }
        let declared = declared_location(self.format, &target_pointer);
        let section = match &declared {
            Some((section, _)) => Some(section.clone()),
            None => section_for(self.format, path).map(str::to_string),
        };
        let Some(section) = section else {
            // No reusable home (a Swagger 2.0 / OpenAPI 3.0 path item):
            // inline it, unless it includes itself.
            if self.inlining.contains(&key) || self.inlining.len() >= self.max_inline_depth {
                return RefRewrite::Ref(raw.to_string());
            }
            let Some(node) = self.lookup.pointer(&target_file, &target_pointer) else {
                return RefRewrite::Ref(raw.to_string());
            };
            self.inlining.push(key);
            let bundle_pointer: String = path.iter().fold(String::new(), |acc, t| join(&acc, t));
            self.source_map
                .push(bundle_pointer, target_file.clone(), target_pointer.clone());
            let value = self.convert(&target_file, node, path);
            self.inlining.pop();
            return RefRewrite::Inline(value);
        };
        let base_name = match &declared {
            Some((_, name)) => name.clone(),
            None => match pointer_tokens(&target_pointer).last() {
                Some(last) if !last.bytes().all(|b| b.is_ascii_digit()) => last,
                _ => file_stem(&target_file).to_string(),
            },
        };
        let base_name = sanitize(&base_name);
        let mut name = base_name.clone();
        let suffix = self
            .next_suffix
            .entry((section.clone(), base_name.clone()))
            .or_insert(2);
        while self.taken.contains(&(section.clone(), name.clone())) {
            count_work(1);
            name = format!("{base_name}_{suffix}");
            *suffix += 1;
        }
        self.taken.insert((section.clone(), name.clone()));
        self.assigned.insert(key, (section.clone(), name.clone()));
        self.queue
            .push_back((target_file, target_pointer, section.clone(), name.clone()));
        RefRewrite::Ref(format!(
            "#{}",
            encode_pointer(&join(&section_pointer(self.format, &section), &name))
        ))
    }
}

enum RefRewrite {
    Ref(String),
    Inline(Json),
}

/// A JSON pointer as a URI fragment: characters outside the fragment set
/// percent-encoded (`{` `}` in path templates, spaces).
pub fn encode_pointer(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        match c {
            'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '-'
            | '.'
            | '_'
            | '~'
            | '/'
            | '!'
            | '$'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | ';'
            | '='
            | ':'
            | '@' => out.push(c),
            _ => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// Every `$ref` in a bundled document that still leaves it.
pub fn external_refs(doc: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v {
            Json::Object(map) => {
                if let Some(Json::String(r)) = map.get("$ref")
                    && !r.starts_with('#')
                {
                    out.push(r.clone());
                }
                stack.extend(map.values());
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadLimits, RootDocument, load};
    use portolan_core::source::MemorySource;

    /// The root converted whole on one thread, and cut into parts on
    /// rayon's threads: the same JSON, misplaced references and work.
    fn assert_split_converts_as_whole(name: &str, text: &str) {
        let mut source = MemorySource::new();
        source.insert("api.yaml", text.as_bytes());
        let loaded = load(
            &source,
            RootDocument::File("api.yaml"),
            LoadLimits::default(),
        );
        let set = loaded.spec.expect("a definition");
        let root = set.root();

        let mut whole = Bundler::new(&set, SpecLookup::new(&set), 16);
        let before = crate::lookup::work_done();
        let expected = whole.convert(&set.root_file, root, &mut Vec::new());
        let whole_work = crate::lookup::work_done() - before;

        let mut parts = Vec::new();
        split_parts(root, &mut Vec::new(), &mut parts);
        assert!(parts.len() > 10, "{name}: only {} parts", parts.len());
        let mut split = Bundler::new(&set, SpecLookup::new(&set), 16);
        let before = crate::lookup::work_done();
        let got = split.convert_split(root);
        let split_work = crate::lookup::work_done() - before;

        assert!(got == expected, "{name}: the split conversion differs");
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "{name}: members in another order"
        );
        assert_eq!(split.misplaced_refs, whole.misplaced_refs, "{name}");
        // Each run of parts indexes what its references go through again.
        let runs = 4 * rayon::current_num_threads() as u64;
        assert!(
            whole_work <= split_work && split_work <= whole_work + runs * whole_work / 10,
            "{name}: work {split_work} in parts, {whole_work} whole"
        );
    }

    #[test]
    fn a_large_definition_converts_in_parts_as_whole() {
        let mut text = String::from("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n");
        for i in 0..600 {
            text.push_str(&format!(
                "  /items/{i}:\n    get:\n      operationId: get{i}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/S{i}'}}\n"
            ));
            if i % 50 == 0 {
                // A reference where an Operation Object must be written.
                text.push_str("    post: {$ref: '#/components/schemas/S0'}\n");
            }
        }
        text.push_str("components:\n  schemas:\n");
        for i in 0..600 {
            text.push_str(&format!(
                "    S{i}:\n      type: object\n      discriminator:\n        propertyName: kind\n        mapping:\n          a: '#/components/schemas/S0'\n          b: S1\n      properties:\n        kind: {{type: string}}\n        next: {{$ref: '#/components/schemas/S{}'}}\n        broken: {{$ref: '#/components/schemas/Nowhere'}}\n",
                (i + 1) % 600
            ));
        }
        assert!(text.len() > 2 * SPLIT_BYTES as usize);
        assert_split_converts_as_whole("generated", &text);
    }

    #[test]
    fn corpus_definitions_convert_in_parts_as_whole() {
        let corpus = std::env::var_os("PORTOLAN_CORPUS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
            });
        if !corpus.is_dir() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the shared corpus is missing at {} and CI=true",
                corpus.display()
            );
            eprintln!("skipping: the shared corpus is not at {}", corpus.display());
            return;
        }
        for file in [
            "openapi/stripe/openapi/spec3.yaml",
            "openapi/openai/openapi.yaml",
        ] {
            let text = std::fs::read_to_string(corpus.join(file)).expect("a corpus file");
            assert_split_converts_as_whole(file, &text);
        }
    }
}
