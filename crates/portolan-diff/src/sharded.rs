//! Revisions of a single-file OpenAPI definition held in shared units, for
//! the changelog's walk through many neighbouring revisions.
//!
//! A block-style YAML definition is cut into units (each path item, each
//! entry of a `components` section, Swagger 2.0's `definitions`,
//! `parameters` and `responses`) by [`ChunkCache::parse_units`]; each unit
//! is converted to JSON once, with the `$ref`s it holds, and shared with
//! every revision that wrote it the same ([`UnitCache`]). Loading the next
//! revision costs reading its text and converting what changed, not the
//! whole definition; comparing two revisions starts from which units they
//! share (see [`crate::cold`]).
//!
//! What this reads is exactly what loading and bundling the file gives
//! (`tests/sharded.rs` checks it unit by unit), or nothing: a revision it
//! cannot vouch for (JSON text, anchors, a `$ref` to another file or
//! written in a form the bundler would rewrite, a `$ref` to a whole
//! section) is loaded the usual way.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use portolan_apis::SpecFormat;
use portolan_apis::detect::{Detected, detect};
use portolan_core::Span;
use portolan_core::files::SourceFile;
use portolan_core::yaml::{Entry, Node, Value, escape_pointer_token};
use portolan_core::yaml_chunks::{Chunk, ChunkCache, UnitBody, UnitEntry, Units};
use serde_json::{Map, Value as Json};

use crate::doc::{DocView, ShardSection, Shards, Unit};

/// One revision, in units.
pub struct ShardedRevision {
    /// The root file (catalog-relative path and text).
    pub file: Arc<SourceFile>,
    pub format: SpecFormat,
    units: Units,
    skeleton: Json,
    shards: Shards,
}

impl std::fmt::Debug for ShardedRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedRevision")
            .field("file", &self.file.path)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Units converted while walking one history, by section and by the chunk
/// they were read from. Safe to share between threads; units not used in
/// the last two generations are dropped.
#[derive(Default)]
pub struct UnitCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    units: HashMap<(String, usize), (Arc<Unit>, u64)>,
    generation: u64,
}

impl UnitCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Start a new generation (see [`ChunkCache::next_generation`]).
    pub fn next_generation(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let keep_from = state.generation.saturating_sub(1);
        state.units.retain(|_, (_, used)| *used >= keep_from);
        state.generation += 1;
    }

    fn unit(&self, section: &str, name: &str, chunk: &Chunk) -> Option<Arc<Unit>> {
        // The chunk's tree is held by the unit, so its address names it
        // for as long as the unit is cached.
        let key = (section.to_string(), Arc::as_ptr(chunk.shared()) as usize);
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let generation = state.generation;
            if let Some((unit, used)) = state.units.get_mut(&key) {
                *used = generation;
                return Some(unit.clone());
            }
        }
        let pointer = format!("{section}/{}", escape_pointer_token(name));
        let section_tokens: Vec<&str> = section.split('/').skip(1).collect();
        let parent = section_tokens.last().copied().unwrap_or("");
        let json = convert(chunk.value(), parent, name)?;
        let mut refs = Vec::new();
        collect_refs(&json, &pointer, &mut refs);
        if refs.iter().any(|(_, target)| names_a_whole_section(target)) {
            return None;
        }
        let unit = Arc::new(Unit {
            chunk: chunk.shared().clone(),
            json,
            refs,
        });
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let generation = state.generation;
        let (unit, _) = state
            .units
            .entry(key)
            .or_insert_with(|| (unit, generation))
            .clone();
        Some(unit)
    }
}

/// The mappings cut into units.
fn cut(path: &[&str]) -> bool {
    matches!(
        path,
        [] | ["paths" | "components" | "definitions" | "parameters" | "responses"]
    ) || matches!(path, ["components", section] if *section != "securitySchemes")
}

/// A `$ref` to the document, a section or `components` itself: the units
/// cannot answer for it.
fn names_a_whole_section(target: &str) -> bool {
    let tokens: Vec<&str> = target.split('/').skip(1).collect();
    match tokens.first() {
        None => true,
        Some(&"components") => tokens.len() < 3,
        Some(&("paths" | "definitions" | "parameters" | "responses")) => tokens.len() < 2,
        Some(_) => false,
    }
}

impl ShardedRevision {
    /// `text`, the root file `path` of a definition that references no
    /// other file, in units; `None` when this way of reading cannot vouch
    /// for the result.
    pub fn load(
        path: &str,
        text: &str,
        chunks: &ChunkCache,
        cache: &UnitCache,
    ) -> Option<ShardedRevision> {
        if text.trim_start().starts_with(['{', '[']) {
            return None;
        }
        let units = chunks.parse_units(text, &cut)?;
        let format = format_of(&units)?;
        if !format.is_openapi() {
            return None;
        }
        let mut skeleton = Map::new();
        let mut shards = Shards::default();
        for entry in &units.root {
            match &entry.body {
                UnitBody::Leaf(chunk) => {
                    let value = convert(chunk.value(), "", &entry.key)?;
                    let mut refs = Vec::new();
                    collect_refs(
                        &value,
                        &format!("/{}", escape_pointer_token(&entry.key)),
                        &mut refs,
                    );
                    if refs.iter().any(|(_, t)| names_a_whole_section(t)) {
                        return None;
                    }
                    skeleton.insert(entry.key.clone(), value);
                }
                UnitBody::Section(inner, _) if entry.key == "components" => {
                    let mut components = Map::new();
                    for child in inner {
                        match &child.body {
                            UnitBody::Leaf(chunk) => {
                                let value = convert(chunk.value(), "components", &child.key)?;
                                let mut refs = Vec::new();
                                collect_refs(&value, "/components", &mut refs);
                                if refs.iter().any(|(_, t)| names_a_whole_section(t)) {
                                    return None;
                                }
                                components.insert(child.key.clone(), value);
                            }
                            UnitBody::Section(units_of, _) => {
                                let pointer =
                                    format!("/components/{}", escape_pointer_token(&child.key));
                                shards.sections.push(section(&pointer, units_of, cache)?);
                            }
                        }
                    }
                    skeleton.insert(entry.key.clone(), Json::Object(components));
                }
                UnitBody::Section(units_of, _) => {
                    let pointer = format!("/{}", escape_pointer_token(&entry.key));
                    shards.sections.push(section(&pointer, units_of, cache)?);
                }
            }
        }
        Some(ShardedRevision {
            file: Arc::new(SourceFile::new(path, text)),
            format,
            units,
            skeleton: Json::Object(skeleton),
            shards,
        })
    }

    pub(crate) fn view(&self) -> DocView<'_> {
        DocView::sharded(&self.skeleton, &self.shards)
    }

    /// The span to show for `pointer`, as the bundle's source map and
    /// [`Node::locate`] give it for the whole file.
    pub fn locate(&self, pointer: &str) -> Span {
        let mut span = self.units.span;
        let mut level: &[UnitEntry] = &self.units.root;
        let mut rest = pointer;
        while let Some(after) = rest.strip_prefix('/') {
            let (token, tail) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            let key = token.replace("~1", "/").replace("~0", "~");
            let Some(entry) = level.iter().find(|e| e.key == key) else {
                return span;
            };
            match &entry.body {
                UnitBody::Leaf(chunk) => return chunk.locate(tail),
                UnitBody::Section(inner, _) => {
                    span = entry.key_span;
                    level = inner;
                    rest = tail;
                }
            }
        }
        span
    }

    /// The whole tree (for tests: it is what parsing the file gives).
    pub fn to_node(&self) -> Node {
        self.units.to_node()
    }

    /// The JSON at `pointer`, as the walk reads it (for tests).
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        self.view().pointer(pointer)
    }

    /// Pointers of every unit (for tests).
    pub fn unit_pointers(&self) -> Vec<String> {
        self.shards
            .sections
            .iter()
            .flat_map(|s| s.names.iter().map(|n| s.unit_pointer(n)))
            .collect()
    }
}

fn section(pointer: &str, entries: &[UnitEntry], cache: &UnitCache) -> Option<ShardSection> {
    let mut names = Vec::with_capacity(entries.len());
    let mut units = HashMap::with_capacity(entries.len());
    for entry in entries {
        let UnitBody::Leaf(chunk) = &entry.body else {
            return None;
        };
        let unit = cache.unit(pointer, &entry.key, chunk)?;
        names.push(entry.key.clone());
        units.insert(entry.key.clone(), unit);
    }
    Some(ShardSection {
        pointer: pointer.to_string(),
        names,
        units,
    })
}

/// The format, from the root's `openapi` / `swagger` / `asyncapi` entry.
fn format_of(units: &Units) -> Option<SpecFormat> {
    let entries: Vec<Entry> = units
        .root
        .iter()
        .filter(|e| matches!(e.key.as_str(), "openapi" | "swagger" | "asyncapi"))
        .filter_map(|e| match &e.body {
            UnitBody::Leaf(chunk) => Some(Entry {
                key: e.key.clone(),
                key_span: e.key_span,
                value: chunk.value().clone(),
            }),
            UnitBody::Section(..) => None,
        })
        .collect();
    match detect(&Node::new(Value::Map(entries), units.span)) {
        Detected::Supported { format, .. } => Some(format),
        _ => None,
    }
}

/// A `$ref` the bundler keeps as written: an internal JSON pointer in the
/// form it would write it.
fn kept_as_written(raw: &str) -> bool {
    let Some(fragment) = raw.strip_prefix('#') else {
        return false;
    };
    if !(fragment.is_empty() || fragment.starts_with('/')) {
        return false;
    }
    let pointer = portolan_apis::refs::percent_decode(fragment);
    portolan_apis::bundle::encode_pointer(&pointer) == fragment
}

/// `node` as the bundler converts it in a one-file definition (`$ref`s and
/// reference-like discriminator mapping values kept), or `None` when it
/// holds a `$ref` the bundler would rewrite. `parent` and `key` are the two
/// keys above it (a mapping under `discriminator/mapping` is read as one).
fn convert(node: &Node, parent: &str, key: &str) -> Option<Json> {
    Some(match &node.value {
        Value::Map(entries) => {
            let in_mapping = key == "mapping" && parent == "discriminator";
            let mut map = Map::new();
            for entry in entries {
                if entry.key == "$ref"
                    && let Some(raw) = entry.value.as_str()
                {
                    if !kept_as_written(raw) {
                        return None;
                    }
                    map.insert("$ref".into(), Json::String(raw.to_string()));
                    continue;
                }
                if in_mapping
                    && let Some(raw) = entry.value.as_str()
                    && (raw.contains('#') || raw.contains('/'))
                {
                    if !kept_as_written(raw) {
                        return None;
                    }
                    map.insert(entry.key.clone(), Json::String(raw.to_string()));
                    continue;
                }
                map.insert(entry.key.clone(), convert(&entry.value, key, &entry.key)?);
            }
            Json::Object(map)
        }
        Value::Seq(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(item, key, &i.to_string()))
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => node.to_json(),
    })
}

/// Every internal `$ref` under `value` (at `pointer`): the pointer of the
/// object holding it and the pointer it names.
fn collect_refs(value: &Json, pointer: &str, out: &mut Vec<(String, String)>) {
    let mut stack = vec![(value, pointer.to_string())];
    while let Some((node, at)) = stack.pop() {
        match node {
            Json::Object(map) => {
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Json::as_str)
                    .and_then(|raw| raw.strip_prefix('#'))
                {
                    out.push((at.clone(), portolan_apis::refs::percent_decode(target)));
                }
                for (key, child) in map {
                    if child.is_object() || child.is_array() {
                        stack.push((child, format!("{at}/{}", escape_pointer_token(key))));
                    }
                }
            }
            Json::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        stack.push((child, format!("{at}/{i}")));
                    }
                }
            }
            _ => {}
        }
    }
}
