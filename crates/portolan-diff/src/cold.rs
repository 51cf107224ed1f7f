//! Which parts of two OpenAPI revisions cannot hold a change, so the walk
//! need not compare them.
//!
//! A definition is cut into *units*: each path item (`/paths/<path>`) and
//! each entry of a reusable section (`/components/<section>/<name>`, or
//! Swagger 2.0's `/definitions`, `/parameters` and `/responses`). A unit is
//! *dirty* when it is not written the same in both revisions (or exists in
//! one only), and *tainted* when it is dirty or one of its `$ref`s names a
//! tainted unit. Inside a unit written the same in both revisions, the node
//! at a pointer is *hot* when a `$ref` at or below it names a tainted unit
//! (or a place outside every unit).
//!
//! A pair of schemas at the same pointer on both sides is *cold* when that
//! pointer lies in an untainted unit, or in a clean unit but not hot:
//! everything reachable from it is written identically in both revisions,
//! so comparing it finds nothing. The walk skips cold pairs, and the
//! operations of untainted path items when the rest of the document (what
//! is outside every unit: servers, global security, Swagger's
//! `consumes`/`produces`, security schemes) is the same too. Skipping them
//! changes nothing else: a pair that leads to a change is never cold, and
//! the walk's queue keeps the order of the pairs it still holds, so each
//! change is found first from the same operation and named the same.
//!
//! Between two neighbouring commits of a large definition most units are
//! clean, and this is what keeps a changelog of fifty commits cheap.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use portolan_apis::SpecFormat;
use portolan_core::yaml::escape_pointer_token;
use serde_json::Value as Json;

use crate::doc::{DocView, Unit};

/// The cold parts of a pair of revisions (see the module docs).
pub(crate) struct Cold {
    /// Unit ids by (section, name).
    sections: Vec<Section>,
    /// Per unit id: whether it is dirty, tainted.
    dirty: Vec<bool>,
    tainted: Vec<bool>,
    /// Hot pointers inside clean tainted units.
    hot: HashSet<String>,
    /// Everything outside the units is the same in both revisions.
    rest_same: bool,
}

struct Section {
    /// `/paths`, `/components/schemas`, `/definitions`.
    pointer: String,
    /// Unit ids by name (unescaped).
    units: HashMap<String, usize>,
}

/// The sections a document's units live in, with each side's entries.
fn section_pointers(format: SpecFormat, base: &Json, head: &Json) -> Vec<String> {
    let mut out = vec!["/paths".to_string()];
    if format == SpecFormat::OpenApi20 {
        for key in ["definitions", "parameters", "responses"] {
            out.push(format!("/{key}"));
        }
        return out;
    }
    let mut names: Vec<&str> = Vec::new();
    for doc in [base, head] {
        if let Some(components) = doc.get("components").and_then(Json::as_object) {
            for (key, value) in components {
                // Security schemes are named by requirements, not `$ref`s:
                // they stay with the rest of the document.
                if value.is_object() && key != "securitySchemes" && !names.contains(&key.as_str()) {
                    names.push(key);
                }
            }
        }
    }
    for name in names {
        out.push(format!("/components/{}", escape_pointer_token(name)));
    }
    out
}

fn section_map<'a>(doc: &'a Json, pointer: &str) -> Option<&'a serde_json::Map<String, Json>> {
    doc.pointer(pointer).and_then(Json::as_object)
}

/// One side's unit: in a bundled document, or shared between revisions.
#[derive(Clone, Copy)]
enum UnitRef<'a> {
    Json(&'a Json),
    Shared(&'a Arc<Unit>),
}

impl<'a> UnitRef<'a> {
    fn json(self) -> &'a Json {
        match self {
            UnitRef::Json(json) => json,
            UnitRef::Shared(unit) => &unit.json,
        }
    }
}

fn same_unit(a: UnitRef<'_>, b: UnitRef<'_>) -> bool {
    if let (UnitRef::Shared(a), UnitRef::Shared(b)) = (a, b)
        && Arc::ptr_eq(a, b)
    {
        return true;
    }
    same(a.json(), b.json())
}

/// A side's units of the section at `pointer`, in order.
fn units_of<'a>(doc: DocView<'a>, pointer: &str) -> Vec<(&'a str, UnitRef<'a>)> {
    match doc.shards() {
        Some(shards) => shards
            .section(pointer)
            .map(|s| {
                s.names
                    .iter()
                    .filter_map(|n| Some((n.as_str(), UnitRef::Shared(s.units.get(n)?))))
                    .collect()
            })
            .unwrap_or_default(),
        None => section_map(doc.root(), pointer)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), UnitRef::Json(v)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

impl Cold {
    /// The cold parts of `base` and `head` (two revisions of one OpenAPI
    /// definition), or `None` for AsyncAPI.
    pub(crate) fn new(format: SpecFormat, base: DocView<'_>, head: DocView<'_>) -> Option<Cold> {
        if !format.is_openapi() {
            return None;
        }
        let pointers = match (base.shards(), head.shards()) {
            (Some(b), Some(h)) => {
                let mut pointers: Vec<String> = Vec::new();
                for s in b.sections.iter().chain(&h.sections) {
                    if !pointers.contains(&s.pointer) {
                        pointers.push(s.pointer.clone());
                    }
                }
                pointers
            }
            (None, None) => section_pointers(format, base.root(), head.root()),
            _ => return None,
        };
        let mut sections = Vec::with_capacity(pointers.len());
        // (base unit, head unit) per unit id.
        let mut values: Vec<(Option<UnitRef>, Option<UnitRef>)> = Vec::new();
        for pointer in pointers {
            let mut units = HashMap::new();
            let b = units_of(base, &pointer);
            let h: HashMap<&str, UnitRef> = units_of(head, &pointer).into_iter().collect();
            for &(name, value) in &b {
                units.insert(name.to_string(), values.len());
                values.push((Some(value), h.get(name).copied()));
            }
            for (name, value) in units_of(head, &pointer) {
                if !units.contains_key(name) {
                    units.insert(name.to_string(), values.len());
                    values.push((None, Some(value)));
                }
            }
            sections.push(Section { pointer, units });
        }
        let dirty: Vec<bool> = values
            .iter()
            .map(|(b, h)| match (b, h) {
                (Some(b), Some(h)) => !same_unit(*b, *h),
                _ => true,
            })
            .collect();
        let mut cold = Cold {
            sections,
            tainted: dirty.clone(),
            dirty,
            hot: HashSet::new(),
            rest_same: rest_same(format, base.root(), head.root()),
        };
        // Who names whom, among the clean units (written the same on both
        // sides, so either side's `$ref`s will do). A `$ref` to a place
        // outside every unit taints its unit outright.
        let mut named_by: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
        let mut queue: Vec<usize> = Vec::new();
        for (id, (b, _)) in values.iter().enumerate() {
            if cold.dirty[id] {
                queue.push(id);
                continue;
            }
            let Some(value) = b else { continue };
            let mut outside = false;
            let mut edge = |target: &str| match cold.unit_of(target) {
                Some(to) => named_by[to].push(id),
                None => outside = true,
            };
            match value {
                UnitRef::Json(json) => for_each_ref(json, &mut edge),
                UnitRef::Shared(unit) => unit.refs.iter().for_each(|(_, t)| edge(t)),
            }
            if outside && !cold.tainted[id] {
                cold.tainted[id] = true;
                queue.push(id);
            }
        }
        while let Some(id) = queue.pop() {
            for &by in &named_by[id] {
                if !cold.tainted[by] {
                    cold.tainted[by] = true;
                    queue.push(by);
                }
            }
        }
        // Hot pointers: in each clean tainted unit, the nodes above a
        // `$ref` to a tainted unit or to a place outside every unit.
        let mut hot = HashSet::new();
        for section in &cold.sections {
            for (name, &id) in &section.units {
                if cold.dirty[id] || !cold.tainted[id] {
                    continue;
                }
                let unit_pointer = format!("{}/{}", section.pointer, escape_pointer_token(name));
                match values[id].0 {
                    Some(UnitRef::Json(value)) => mark_hot(value, &unit_pointer, &cold, &mut hot),
                    Some(UnitRef::Shared(unit)) => {
                        for (site, target) in &unit.refs {
                            if cold.unit_of(target).is_some_and(|t| !cold.tainted[t]) {
                                continue;
                            }
                            // The site and every node above it, to the unit.
                            let mut at = site.as_str();
                            while at.len() >= unit_pointer.len() {
                                if !hot.insert(at.to_string()) {
                                    break;
                                }
                                match at.rfind('/') {
                                    Some(i) => at = &at[..i],
                                    None => break,
                                }
                            }
                        }
                    }
                    None => {}
                }
            }
        }
        cold.hot = hot;
        Some(cold)
    }

    /// The unit holding `pointer` (unescaped tokens matched against the
    /// section's names), if any.
    fn unit_of(&self, pointer: &str) -> Option<usize> {
        self.sections.iter().find_map(|section| {
            let (name, _) = crate::doc::split_at_section(pointer, &section.pointer)?;
            Some(section.units.get(name.as_ref()).copied())
        })?
    }

    /// Whether the schema pair (`pointer`, `pointer`) cannot hold a change.
    pub(crate) fn is_cold(&self, pointer: &str) -> bool {
        match self.unit_of(pointer) {
            Some(id) if self.dirty[id] => false,
            Some(id) if !self.tainted[id] => true,
            Some(_) => !self.hot.contains(pointer),
            None => false,
        }
    }

    /// Whether the operations of the path item `path` (written the same
    /// in both revisions) cannot hold a change.
    pub(crate) fn is_cold_path(&self, path: &str) -> bool {
        if !self.rest_same {
            return false;
        }
        let pointer = format!("/paths/{}", escape_pointer_token(path));
        matches!(self.unit_of(&pointer), Some(id) if !self.tainted[id])
    }
}

/// `a == b`, comparing objects entry by entry in order first: two
/// revisions of a document almost always keep their keys' order, and
/// serde_json's equality looks every key up by hash.
pub(crate) fn same(a: &Json, b: &Json) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        match (a, b) {
            (Json::Object(x), Json::Object(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                let in_order = x.keys().zip(y.keys()).all(|(k, l)| k == l);
                if in_order {
                    stack.extend(x.values().zip(y.values()));
                } else if x != y {
                    return false;
                }
            }
            (Json::Array(x), Json::Array(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                stack.extend(x.iter().zip(y.iter()));
            }
            (a, b) => {
                if a != b {
                    return false;
                }
            }
        }
    }
    true
}

/// Everything outside the units is written the same on both sides.
fn rest_same(format: SpecFormat, base: &Json, head: &Json) -> bool {
    let (Some(b), Some(h)) = (base.as_object(), head.as_object()) else {
        return base == head;
    };
    let sectioned = |key: &str| match format {
        SpecFormat::OpenApi20 => {
            matches!(key, "paths" | "definitions" | "parameters" | "responses")
        }
        _ => matches!(key, "paths" | "components"),
    };
    let keys_same = |b: &serde_json::Map<String, Json>,
                     h: &serde_json::Map<String, Json>,
                     skip: &dyn Fn(&str, &Json) -> bool| {
        b.iter()
            .filter(|(k, v)| !skip(k, v))
            .all(|(k, v)| h.get(k) == Some(v))
            && h.iter()
                .filter(|(k, v)| !skip(k, v))
                .all(|(k, _)| b.contains_key(k))
    };
    if !keys_same(b, h, &|k, _| sectioned(k)) {
        return false;
    }
    if format == SpecFormat::OpenApi20 {
        return true;
    }
    // `components` beside its sections (security schemes, extensions).
    let empty = serde_json::Map::new();
    let bc = b
        .get("components")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let hc = h
        .get("components")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    if b.get("components").is_some_and(|c| !c.is_object())
        || h.get("components").is_some_and(|c| !c.is_object())
    {
        return b.get("components") == h.get("components");
    }
    keys_same(bc, hc, &|k, v| v.is_object() && k != "securitySchemes")
        && keys_same(hc, bc, &|k, v| v.is_object() && k != "securitySchemes")
}

/// Call `f` with the pointer of every internal `$ref` under `value`.
fn for_each_ref(value: &Json, f: &mut dyn FnMut(&str)) {
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Json::Object(map) => {
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Json::as_str)
                    .and_then(|raw| raw.strip_prefix('#'))
                {
                    f(&portolan_apis::refs::percent_decode(target));
                }
                stack.extend(map.values());
            }
            Json::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

/// Add to `hot` the pointer of every node under `value` (at `pointer`)
/// that holds, at or below it, a `$ref` naming a tainted unit or a place
/// outside every unit.
fn mark_hot<'a>(value: &'a Json, pointer: &str, cold: &Cold, hot: &mut HashSet<String>) {
    // Depth-first with an explicit stack; a node is hot when its own `$ref`
    // or any child is. Pointers are written out for hot nodes only.
    #[derive(Clone, Copy)]
    enum Token<'a> {
        Root,
        Key(&'a str),
        Index(usize),
    }
    struct Frame<'a> {
        token: Token<'a>,
        children: Vec<(Token<'a>, &'a Json)>,
        hot: bool,
    }
    let frame = |node: &'a Json, token: Token<'a>| -> Frame<'a> {
        let mut own = false;
        let children = match node {
            Json::Object(map) => {
                if let Some(target) = map
                    .get("$ref")
                    .and_then(Json::as_str)
                    .and_then(|raw| raw.strip_prefix('#'))
                {
                    let target = portolan_apis::refs::percent_decode(target);
                    own = cold.unit_of(&target).is_none_or(|id| cold.tainted[id]);
                }
                map.iter()
                    .rev()
                    .filter(|(_, v)| v.is_object() || v.is_array())
                    .map(|(k, v)| (Token::Key(k.as_str()), v))
                    .collect()
            }
            Json::Array(items) => items
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, v)| v.is_object() || v.is_array())
                .map(|(i, v)| (Token::Index(i), v))
                .collect(),
            _ => Vec::new(),
        };
        Frame {
            token,
            children,
            hot: own,
        }
    };
    let mut stack = vec![frame(value, Token::Root)];
    while let Some(top) = stack.last_mut() {
        if let Some((token, child)) = top.children.pop() {
            let next = frame(child, token);
            stack.push(next);
            continue;
        }
        if !top.hot {
            stack.pop();
            continue;
        }
        let mut at = pointer.to_string();
        for f in &stack {
            match f.token {
                Token::Root => {}
                Token::Key(key) => {
                    at.push('/');
                    at.push_str(&escape_pointer_token(key));
                }
                Token::Index(i) => {
                    at.push('/');
                    at.push_str(&i.to_string());
                }
            }
        }
        hot.insert(at);
        stack.pop();
        if let Some(parent) = stack.last_mut() {
            parent.hot = true;
        }
    }
}
