//! Comparing two schemas, keyword by keyword, in the direction the value
//! travels (see [`Direction`]). A schema is first flattened: `$ref`s
//! followed and `allOf` members merged into one view, so inlining,
//! extracting into `components` and `allOf` flattening that changes nothing
//! compare equal. Documentation keywords are never read.

use std::collections::{BTreeMap, BTreeSet};

use portolan_core::codes;
use serde_json::Value as Json;

use crate::doc::DocView;
use crate::engine::{Direction, Engine, Work};
use crate::json::{canonical, join, ref_pointer, schema_name};

/// Most schemas merged into one view (a schema, its `$ref` targets and
/// `allOf` members, transitively).
const MAX_MEMBERS: usize = 256;

/// Upper and lower bounds, and what loosening each means.
const UPPER_BOUNDS: &[&str] = &["maxLength", "maximum", "maxItems", "maxProperties"];
const LOWER_BOUNDS: &[&str] = &["minLength", "minimum", "minItems", "minProperties"];

/// `additionalProperties`, `unevaluatedProperties`, `unevaluatedItems`.
#[derive(Debug, Clone, PartialEq)]
enum Extra {
    /// Absent, `true` or `{}`.
    Open,
    /// `false`, at this pointer.
    Closed(String),
    Schema(String),
}

/// A schema with its `$ref`s and `allOf` members merged.
#[derive(Debug)]
struct Flat<'a> {
    pointer: String,
    /// Named component it is (`Pet`), for messages.
    name: Option<String>,
    /// `None`: any type. Never holds `null` (that is `nullable`).
    types: Option<BTreeSet<&'a str>>,
    nullable: bool,
    format: Option<(&'a str, String)>,
    /// `enum`, or `const` as a one-value enum.
    enum_values: Option<(Vec<&'a Json>, String)>,
    /// Bounds and other constraints: keyword → (value, pointer).
    constraints: BTreeMap<&'static str, (&'a Json, String)>,
    /// Property name → pointer of its schema.
    properties: BTreeMap<&'a str, String>,
    properties_pointer: Option<String>,
    required: BTreeSet<&'a str>,
    items: Option<String>,
    prefix_items: Vec<String>,
    additional: Extra,
    unevaluated_properties: Extra,
    unevaluated_items: Extra,
    one_of: Vec<String>,
    any_of: Vec<String>,
    not: Option<String>,
    if_: Option<String>,
    then: Option<String>,
    else_: Option<String>,
    dependent_required: BTreeMap<&'a str, (BTreeSet<&'a str>, String)>,
    discriminator: Option<(&'a str, String)>,
}

/// Keywords kept as constraints.
const CONSTRAINTS: &[&str] = &[
    "maxLength",
    "maximum",
    "maxItems",
    "maxProperties",
    "minLength",
    "minimum",
    "minItems",
    "minProperties",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "pattern",
    "multipleOf",
    "uniqueItems",
];

fn extra(value: Option<&Json>, pointer: String) -> Option<Extra> {
    match value? {
        Json::Bool(false) => Some(Extra::Closed(pointer)),
        Json::Bool(true) => Some(Extra::Open),
        Json::Object(map) if map.is_empty() => Some(Extra::Open),
        Json::Object(_) => Some(Extra::Schema(pointer)),
        _ => None,
    }
}

/// Flatten the schema at `pointer` in `doc`.
fn flatten<'a>(doc: DocView<'a>, pointer: &str, max_hops: usize) -> Flat<'a> {
    let mut flat = Flat {
        pointer: pointer.to_string(),
        name: None,
        types: None,
        nullable: false,
        format: None,
        enum_values: None,
        constraints: BTreeMap::new(),
        properties: BTreeMap::new(),
        properties_pointer: None,
        required: BTreeSet::new(),
        items: None,
        prefix_items: Vec::new(),
        additional: Extra::Open,
        unevaluated_properties: Extra::Open,
        unevaluated_items: Extra::Open,
        one_of: Vec::new(),
        any_of: Vec::new(),
        not: None,
        if_: None,
        then: None,
        else_: None,
        dependent_required: BTreeMap::new(),
        discriminator: None,
    };
    let Some((resolved, _)) = crate::json::resolve_at(doc, pointer, max_hops) else {
        return flat;
    };
    flat.name = schema_name(&resolved);
    // Members in document order: the schema itself first, so its own
    // keywords win over those of what it references.
    let mut stack = vec![resolved];
    let mut seen = BTreeSet::new();
    let mut additional_set = false;
    while let Some(at) = stack.pop() {
        if seen.len() >= MAX_MEMBERS || !seen.insert(at.clone()) {
            continue;
        }
        let Some(node) = doc.pointer(&at) else {
            continue;
        };
        let Some(map) = node.as_object() else {
            // `false` accepts nothing; `true` anything.
            if node == &Json::Bool(false) {
                flat.types = Some(BTreeSet::new());
            }
            continue;
        };
        let mut next = Vec::new();
        if let Some(target) = ref_pointer(node) {
            next.push(target);
        }
        if let Some(members) = map.get("allOf").and_then(Json::as_array) {
            next.extend((0..members.len()).map(|i| join(&join(&at, "allOf"), &i.to_string())));
        }
        merge_keywords(&mut flat, map, &at, &mut additional_set);
        // Reversed, so the first member is popped first.
        stack.extend(next.into_iter().rev());
    }
    flat
}

fn merge_keywords<'a>(
    flat: &mut Flat<'a>,
    map: &'a serde_json::Map<String, Json>,
    at: &str,
    additional_set: &mut bool,
) {
    let mut types: Option<BTreeSet<&str>> = match map.get("type") {
        Some(Json::String(t)) => Some(BTreeSet::from([t.as_str()])),
        Some(Json::Array(ts)) => Some(ts.iter().filter_map(Json::as_str).collect()),
        _ => None,
    };
    if let Some(ts) = &mut types {
        if ts.remove("null") {
            flat.nullable = true;
        }
        flat.types = Some(match flat.types.take() {
            None => ts.clone(),
            Some(existing) => intersect_types(&existing, ts),
        });
    }
    for key in ["nullable", "x-nullable"] {
        if map.get(key) == Some(&Json::Bool(true)) {
            flat.nullable = true;
        }
    }
    if flat.format.is_none()
        && let Some(format) = map.get("format").and_then(Json::as_str)
    {
        flat.format = Some((format, join(at, "format")));
    }
    if flat.enum_values.is_none() {
        if let Some(values) = map.get("enum").and_then(Json::as_array) {
            flat.enum_values = Some((values.iter().collect(), join(at, "enum")));
        } else if let Some(value) = map.get("const") {
            flat.enum_values = Some((vec![value], join(at, "const")));
        }
    }
    for &key in CONSTRAINTS {
        if let Some(value) = map.get(key) {
            flat.constraints
                .entry(key)
                .or_insert_with(|| (value, join(at, key)));
        }
    }
    if let Some(properties) = map.get("properties").and_then(Json::as_object) {
        let properties_pointer = join(at, "properties");
        for name in properties.keys() {
            flat.properties
                .entry(name.as_str())
                .or_insert_with(|| join(&properties_pointer, name));
        }
        flat.properties_pointer.get_or_insert(properties_pointer);
    }
    if let Some(required) = map.get("required").and_then(Json::as_array) {
        flat.required
            .extend(required.iter().filter_map(Json::as_str));
    }
    if flat.items.is_none() {
        match map.get("items") {
            Some(Json::Object(_)) => flat.items = Some(join(at, "items")),
            // Draft 4 tuple form, as OpenAPI 3.0 and Swagger never allow it
            // but some write it: the items are compared as `prefixItems`.
            Some(Json::Array(items)) if flat.prefix_items.is_empty() => {
                flat.prefix_items = (0..items.len())
                    .map(|i| join(&join(at, "items"), &i.to_string()))
                    .collect();
            }
            _ => {}
        }
    }
    if flat.prefix_items.is_empty()
        && let Some(items) = map.get("prefixItems").and_then(Json::as_array)
    {
        flat.prefix_items = (0..items.len())
            .map(|i| join(&join(at, "prefixItems"), &i.to_string()))
            .collect();
    }
    if !*additional_set
        && let Some(e) = extra(
            map.get("additionalProperties"),
            join(at, "additionalProperties"),
        )
    {
        flat.additional = e;
        *additional_set = true;
    }
    if flat.unevaluated_properties == Extra::Open
        && let Some(e) = extra(
            map.get("unevaluatedProperties"),
            join(at, "unevaluatedProperties"),
        )
    {
        flat.unevaluated_properties = e;
    }
    if flat.unevaluated_items == Extra::Open
        && let Some(e) = extra(map.get("unevaluatedItems"), join(at, "unevaluatedItems"))
    {
        flat.unevaluated_items = e;
    }
    for (key, list) in [("oneOf", &mut flat.one_of), ("anyOf", &mut flat.any_of)] {
        if let Some(members) = map.get(key).and_then(Json::as_array) {
            list.extend((0..members.len()).map(|i| join(&join(at, key), &i.to_string())));
        }
    }
    for (key, slot) in [
        ("not", &mut flat.not),
        ("if", &mut flat.if_),
        ("then", &mut flat.then),
        ("else", &mut flat.else_),
    ] {
        if slot.is_none() && map.contains_key(key) {
            *slot = Some(join(at, key));
        }
    }
    if let Some(dependent) = map.get("dependentRequired").and_then(Json::as_object) {
        for (name, names) in dependent {
            let names = names
                .as_array()
                .map(|a| a.iter().filter_map(Json::as_str).collect())
                .unwrap_or_default();
            flat.dependent_required
                .entry(name.as_str())
                .or_insert_with(|| (names, join(&join(at, "dependentRequired"), name)));
        }
    }
    if flat.discriminator.is_none() {
        let name = match map.get("discriminator") {
            // Swagger 2.0: the property name itself.
            Some(Json::String(name)) => Some(name.as_str()),
            Some(d) => d.get("propertyName").and_then(Json::as_str),
            None => None,
        };
        if let Some(name) = name {
            flat.discriminator = Some((name, join(at, "discriminator")));
        }
    }
}

/// Types allowed by both (`allOf`): `integer` is a `number`.
fn intersect_types<'a>(a: &BTreeSet<&'a str>, b: &BTreeSet<&'a str>) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for &t in a {
        if b.contains(t) || (t == "integer" && b.contains("number")) {
            out.insert(t);
        }
    }
    for &t in b {
        if t == "integer" && a.contains("number") {
            out.insert(t);
        }
    }
    out
}

/// Whether a value of type `t` is valid under `types` (`None`: any).
fn accepts(types: Option<&BTreeSet<&str>>, t: &str) -> bool {
    types.is_none_or(|ts| ts.contains(t) || (t == "integer" && ts.contains("number")))
}

/// Every type `from` allows is allowed by `to`.
fn types_within(from: Option<&BTreeSet<&str>>, to: Option<&BTreeSet<&str>>) -> bool {
    match from {
        None => to.is_none(),
        Some(ts) => ts.iter().all(|t| accepts(to, t)),
    }
}

fn describe_types(types: Option<&BTreeSet<&str>>) -> String {
    match types {
        None => "any".to_string(),
        Some(ts) if ts.is_empty() => "none".to_string(),
        Some(ts) => ts.iter().copied().collect::<Vec<_>>().join(" | "),
    }
}

fn show(value: &Json) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn show_list(values: &[&Json]) -> String {
    values
        .iter()
        .map(|v| format!("`{}`", show(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the property schema at `pointer` is `readOnly` (or `writeOnly`),
/// on itself or what it references.
fn flagged(doc: DocView<'_>, pointer: &str, key: &str, max_hops: usize) -> bool {
    let mut at = pointer.to_string();
    for _ in 0..=max_hops {
        let Some(node) = doc.pointer(&at) else {
            return false;
        };
        if node.get(key) == Some(&Json::Bool(true)) {
            return true;
        }
        match ref_pointer(node) {
            Some(next) => at = next,
            None => return false,
        }
    }
    false
}

fn number(value: &Json) -> Option<f64> {
    value.as_f64()
}

impl Engine<'_> {
    /// Compare queued pairs until none is left.
    pub fn run(&mut self) {
        while let Some(work) = self.queue.pop_front() {
            self.compare(&work);
        }
    }

    fn compare(&mut self, w: &Work) {
        if let (Some(bn), Some(hn)) = (self.base.pointer(&w.base), self.head.pointer(&w.head))
            && bn == hn
        {
            // Written the same in both: only what its `$ref`s name can differ.
            self.compare_references_within(w, bn);
            return;
        }
        let b = flatten(self.base, &w.base, self.max_hops);
        let h = flatten(self.head, &w.head, self.max_hops);
        if !self.compare_types(w, &b, &h) {
            // The value is of another kind now: what its old keywords said
            // no longer applies, and one change says it.
            return;
        }
        self.compare_nullable(w, &b, &h);
        self.compare_format(w, &b, &h);
        self.compare_enum(w, &b, &h);
        self.compare_constraints(w, &b, &h);
        self.compare_properties(w, &b, &h);
        self.compare_items(w, &b, &h);
        self.compare_extras(w, &b, &h);
        self.compare_variants(w, &b.one_of, &h.one_of, "oneOf", &b, &h);
        self.compare_variants(w, &b.any_of, &h.any_of, "anyOf", &b, &h);
        self.compare_conditions(w, &b, &h);
        if let (Some((bd, bp)), Some((hd, hp))) = (&b.discriminator, &h.discriminator)
            && bd != hd
        {
            self.report_in(
                w,
                &codes::DISCRIMINATOR_CHANGED,
                format!(
                    "discriminator of {} changed from `{bd}` to `{hd}`",
                    w.subject()
                ),
                bp.clone(),
                hp.clone(),
            );
        }
    }

    /// A schema written identically in both revisions (most of a large
    /// definition between two commits): instead of comparing keyword by
    /// keyword, pair up the targets of the `$ref`s inside it, named as the
    /// keyword comparison would name them. Linear in the subtree's size.
    fn compare_references_within(&mut self, w: &Work, node: &Json) {
        let prefix = schema_name(&w.head).unwrap_or_else(|| w.path.clone());
        let dot = |path: &str, name: &str| {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        // (node, its pointer relative to the schema, path for messages,
        // whether it is a map of property names)
        let mut stack: Vec<(&Json, String, String, bool)> =
            vec![(node, String::new(), prefix, false)];
        while let Some((node, relative, path, names)) = stack.pop() {
            match node {
                Json::Object(map) if names => {
                    for (name, value) in map {
                        stack.push((value, join(&relative, name), dot(&path, name), false));
                    }
                }
                Json::Object(map) => {
                    if let Some(target) = ref_pointer(node) {
                        if !relative.is_empty() {
                            // Siblings of a `$ref` (3.1) are equal too.
                            self.child_pair(w, &target, &target, path);
                            continue;
                        }
                        // The schema itself is a `$ref` with siblings: its
                        // target is merged into it, so compare that.
                        self.child_pair(w, &target, &target, w.path.clone());
                    }
                    for (key, value) in map {
                        if crate::json::is_documentation_key(key)
                            || matches!(key.as_str(), "enum" | "const" | "default" | "$ref")
                        {
                            continue;
                        }
                        let at = join(&relative, key);
                        if matches!(key.as_str(), "not" | "if") {
                            self.compare_condition_within(w, key, value, &at);
                            continue;
                        }
                        let child_path = match key.as_str() {
                            "items" | "prefixItems" | "unevaluatedItems" => format!("{path}[]"),
                            "additionalProperties" | "unevaluatedProperties" => format!("{path}.*"),
                            _ => path.clone(),
                        };
                        let names = matches!(key.as_str(), "properties" | "patternProperties");
                        stack.push((value, at, child_path, names));
                    }
                }
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        stack.push((item, join(&relative, &i.to_string()), path.clone(), false));
                    }
                }
                _ => {}
            }
        }
    }

    /// A `not` or `if` inside a schema written identically in both
    /// revisions: compared whole, with what its `$ref`s name, as
    /// [`Engine::compare_conditions`] does.
    fn compare_condition_within(&mut self, w: &Work, key: &str, value: &Json, at: &str) {
        let (mut b_budget, mut h_budget) = (2_000, 2_000);
        let bs = canonical(self.base, value, 8, &mut b_budget);
        let hs = canonical(self.head, value, 8, &mut h_budget);
        if bs != hs {
            self.report_in(
                w,
                &codes::CONDITIONAL_SCHEMA_CHANGED,
                format!("`{key}` of {} changed", w.subject()),
                format!("{}{at}", w.base),
                format!("{}{at}", w.head),
            );
        }
    }

    /// Reports a type change; false when it is incompatible.
    fn compare_types(&mut self, w: &Work, b: &Flat, h: &Flat) -> bool {
        if b.types == h.types {
            return true;
        }
        let (bt, ht) = (b.types.as_ref(), h.types.as_ref());
        let compatible = match w.direction {
            Direction::Request => types_within(bt, ht),
            Direction::Response => types_within(ht, bt),
        };
        let message = format!(
            "type of {} changed from `{}` to `{}`",
            w.subject(),
            describe_types(bt),
            describe_types(ht)
        );
        let code = if compatible {
            &codes::TYPE_WIDENED
        } else {
            &codes::TYPE_CHANGED
        };
        self.report_in(w, code, message, b.pointer.clone(), h.pointer.clone());
        compatible
    }

    fn compare_nullable(&mut self, w: &Work, b: &Flat, h: &Flat) {
        match (w.direction, b.nullable, h.nullable) {
            (Direction::Response, false, true) => self.report_in(
                w,
                &codes::RESPONSE_BECAME_NULLABLE,
                format!("{} may now be null", w.subject()),
                b.pointer.clone(),
                h.pointer.clone(),
            ),
            (Direction::Request, true, false) => self.report_in(
                w,
                &codes::REQUEST_NULL_REJECTED,
                format!("{} no longer accepts null", w.subject()),
                b.pointer.clone(),
                h.pointer.clone(),
            ),
            _ => {}
        }
    }

    fn compare_format(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let narrows = match (&b.format, &h.format) {
            (Some((bf, _)), Some((hf, _))) => bf != hf,
            (None, Some(_)) => w.direction == Direction::Request,
            (Some(_), None) => w.direction == Direction::Response,
            (None, None) => false,
        };
        if narrows {
            let name =
                |f: &Option<(&str, String)>| f.as_ref().map_or("none", |(f, _)| *f).to_string();
            let at = |f: &Option<(&str, String)>, flat: &Flat| {
                f.as_ref()
                    .map_or_else(|| flat.pointer.clone(), |(_, p)| p.clone())
            };
            self.report_in(
                w,
                &codes::FORMAT_CHANGED,
                format!(
                    "format of {} changed from `{}` to `{}`",
                    w.subject(),
                    name(&b.format),
                    name(&h.format)
                ),
                at(&b.format, b),
                at(&h.format, h),
            );
        }
    }

    fn compare_enum(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let at = |flat: &Flat| {
            flat.enum_values
                .as_ref()
                .map_or_else(|| flat.pointer.clone(), |(_, p)| p.clone())
        };
        let (bp, hp) = (at(b), at(h));
        let subject = w.subject();
        match (&b.enum_values, &h.enum_values, w.direction) {
            (None, None, _) => {}
            (None, Some((values, _)), Direction::Request) => self.report_in(
                w,
                &codes::REQUEST_ENUM_VALUE_REMOVED,
                format!("{subject} is now limited to {}", show_list(values)),
                bp,
                hp,
            ),
            (Some(_), None, Direction::Response) => self.report_in(
                w,
                &codes::RESPONSE_ENUM_VALUE_ADDED,
                format!("{subject} is no longer limited to its enum values"),
                bp,
                hp,
            ),
            (None, Some(_), Direction::Response) | (Some(_), None, Direction::Request) => self
                .report_in(
                    w,
                    &codes::ENUM_CHANGED_COMPATIBLY,
                    format!("enum of {subject} changed compatibly"),
                    bp,
                    hp,
                ),
            (Some((bv, _)), Some((hv, _)), direction) => {
                let removed: Vec<&Json> = bv.iter().copied().filter(|v| !hv.contains(v)).collect();
                let added: Vec<&Json> = hv.iter().copied().filter(|v| !bv.contains(v)).collect();
                let (breaking, compatible) = match direction {
                    Direction::Request => (&removed, &added),
                    Direction::Response => (&added, &removed),
                };
                if !breaking.is_empty() {
                    let (code, verb) = match direction {
                        Direction::Request => (&codes::REQUEST_ENUM_VALUE_REMOVED, "removed from"),
                        Direction::Response => (&codes::RESPONSE_ENUM_VALUE_ADDED, "added to"),
                    };
                    self.report_in(
                        w,
                        code,
                        format!("enum value {} {verb} {subject}", show_list(breaking)),
                        bp.clone(),
                        hp.clone(),
                    );
                }
                if !compatible.is_empty() {
                    let verb = match direction {
                        Direction::Request => "added to",
                        Direction::Response => "removed from",
                    };
                    self.report_in(
                        w,
                        &codes::ENUM_CHANGED_COMPATIBLY,
                        format!("enum value {} {verb} {subject}", show_list(compatible)),
                        bp,
                        hp,
                    );
                }
            }
        }
    }

    fn compare_constraints(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let mut tightened = Vec::new();
        let mut loosened = Vec::new();
        let mut keys: BTreeSet<&str> = b.constraints.keys().copied().collect();
        keys.extend(h.constraints.keys().copied());
        for key in keys {
            let bv = b.constraints.get(key).map(|(v, _)| *v);
            let hv = h.constraints.get(key).map(|(v, _)| *v);
            if bv == hv {
                continue;
            }
            let describe = |v: Option<&Json>| v.map_or("none".to_string(), show);
            let text = format!("`{key}` {} → {}", describe(bv), describe(hv));
            let upper =
                UPPER_BOUNDS.contains(&key) || (key == "exclusiveMaximum" && !is_bool(bv, hv));
            let lower =
                LOWER_BOUNDS.contains(&key) || (key == "exclusiveMinimum" && !is_bool(bv, hv));
            // Whether the head accepts fewer values than the base.
            let narrower = if upper {
                match (bv.and_then(number), hv.and_then(number)) {
                    (None, Some(_)) => true,
                    (Some(x), Some(y)) => y < x,
                    _ => false,
                }
            } else if lower {
                match (bv.and_then(number), hv.and_then(number)) {
                    (None, Some(_)) => true,
                    (Some(x), Some(y)) => y > x,
                    _ => false,
                }
            } else if matches!(key, "uniqueItems" | "exclusiveMaximum" | "exclusiveMinimum") {
                hv == Some(&Json::Bool(true))
            } else {
                // `pattern`, `multipleOf`: another value is another set of
                // values, taken as narrower (and wider) both ways.
                hv.is_some()
            };
            let wider = if upper || lower {
                !narrower
            } else if matches!(key, "uniqueItems" | "exclusiveMaximum" | "exclusiveMinimum") {
                bv == Some(&Json::Bool(true))
            } else {
                bv.is_some()
            };
            match w.direction {
                Direction::Request if narrower => tightened.push((key, text)),
                Direction::Response if wider => loosened.push((key, text)),
                _ => {}
            }
        }
        let pointer = |flat: &Flat, key: &str| {
            flat.constraints
                .get(key)
                .map_or_else(|| flat.pointer.clone(), |(_, p)| p.clone())
        };
        for (key, text) in tightened {
            self.report_in(
                w,
                &codes::REQUEST_CONSTRAINT_TIGHTENED,
                format!("{} constrained more tightly: {text}", w.subject()),
                pointer(b, key),
                pointer(h, key),
            );
        }
        for (key, text) in loosened {
            self.report_in(
                w,
                &codes::RESPONSE_CONSTRAINT_LOOSENED,
                format!("{} constrained less tightly: {text}", w.subject()),
                pointer(b, key),
                pointer(h, key),
            );
        }
        self.compare_dependent_required(w, b, h);
    }

    fn compare_dependent_required(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let (from, to, code, verb) = match w.direction {
            Direction::Request => (h, b, &codes::REQUEST_CONSTRAINT_TIGHTENED, "now requires"),
            Direction::Response => (
                b,
                h,
                &codes::RESPONSE_CONSTRAINT_LOOSENED,
                "no longer requires",
            ),
        };
        for (name, (names, pointer)) in &from.dependent_required {
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| {
                    !to.dependent_required
                        .get(name)
                        .is_some_and(|(ns, _)| ns.contains(n))
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let other = to
                .dependent_required
                .get(name)
                .map_or_else(|| to.pointer.clone(), |(_, p)| p.clone());
            let (base, head) = match w.direction {
                Direction::Request => (other, pointer.clone()),
                Direction::Response => (pointer.clone(), other),
            };
            self.report_in(
                w,
                code,
                format!(
                    "{}: `dependentRequired` {verb} `{}` with `{name}`",
                    w.subject(),
                    missing.join("`, `")
                ),
                base,
                head,
            );
        }
    }

    fn compare_properties(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let prefix = h
            .name
            .clone()
            .or_else(|| b.name.clone())
            .unwrap_or_else(|| w.path.clone());
        let child_path = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            }
        };
        // Values clients never see in this direction: `readOnly` properties
        // are not sent in requests, `writeOnly` ones not returned.
        let hidden = match w.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let max_hops = self.max_hops;
        let visible = |doc: DocView<'_>, flat: &Flat, name: &str| {
            flat.properties
                .get(name)
                .is_none_or(|p| !flagged(doc, p, hidden, max_hops))
        };
        let names = |flat: &Flat<'_>| -> BTreeSet<String> {
            flat.properties
                .keys()
                .chain(flat.required.iter())
                .map(|n| n.to_string())
                .collect()
        };
        let (bn, hn) = (names(b), names(h));
        let properties_at = |flat: &Flat| {
            flat.properties_pointer
                .clone()
                .unwrap_or_else(|| flat.pointer.clone())
        };
        let property_at = |flat: &Flat, name: &str| {
            flat.properties
                .get(name)
                .cloned()
                .unwrap_or_else(|| join(&flat.pointer, "required"))
        };
        let (base_doc, head_doc) = (self.base, self.head);
        for name in bn.union(&hn) {
            let in_base = bn.contains(name) && visible(base_doc, b, name);
            let in_head = hn.contains(name) && visible(head_doc, h, name);
            let b_required = b.required.contains(name.as_str());
            let h_required = h.required.contains(name.as_str());
            let path = child_path(name);
            let word = w.direction.word();
            match (in_base, in_head) {
                (true, false) if hn.contains(name) => {}
                (true, false) => {
                    let (code, adjective) = match (w.direction, b_required) {
                        (Direction::Request, _) => (&codes::REQUEST_PROPERTY_REMOVED, ""),
                        (Direction::Response, true) => {
                            (&codes::REQUIRED_RESPONSE_PROPERTY_REMOVED, "required ")
                        }
                        (Direction::Response, false) => {
                            (&codes::OPTIONAL_RESPONSE_PROPERTY_REMOVED, "optional ")
                        }
                    };
                    self.report_in(
                        w,
                        code,
                        format!("{adjective}{word} property `{path}` removed"),
                        property_at(b, name),
                        properties_at(h),
                    );
                }
                (false, true) if bn.contains(name) => {}
                (false, true) => {
                    let (code, message) = if w.direction == Direction::Request && h_required {
                        (
                            &codes::REQUIRED_REQUEST_PROPERTY_ADDED,
                            format!("new required request property `{path}`"),
                        )
                    } else {
                        let adjective = if h_required { "required" } else { "optional" };
                        (
                            &codes::PROPERTY_ADDED,
                            format!("{adjective} {word} property `{path}` added"),
                        )
                    };
                    self.report_in(w, code, message, properties_at(b), property_at(h, name));
                }
                (true, true) => {
                    match (w.direction, b_required, h_required) {
                        (Direction::Request, false, true) => self.report_in(
                            w,
                            &codes::REQUEST_PROPERTY_BECAME_REQUIRED,
                            format!("request property `{path}` became required"),
                            property_at(b, name),
                            property_at(h, name),
                        ),
                        (Direction::Response, true, false) => self.report_in(
                            w,
                            &codes::RESPONSE_PROPERTY_BECAME_OPTIONAL,
                            format!("response property `{path}` became optional"),
                            property_at(b, name),
                            property_at(h, name),
                        ),
                        _ => {}
                    }
                    if let (Some(bp), Some(hp)) = (
                        b.properties.get(name.as_str()),
                        h.properties.get(name.as_str()),
                    ) {
                        self.child_pair(w, bp, hp, path);
                    }
                }
                (false, false) => {}
            }
        }
    }

    fn compare_items(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let prefix = h
            .name
            .clone()
            .or_else(|| b.name.clone())
            .unwrap_or_else(|| w.path.clone());
        if let (Some(bi), Some(hi)) = (&b.items, &h.items) {
            self.child_pair(w, bi, hi, format!("{prefix}[]"));
        }
        for (i, (bp, hp)) in b.prefix_items.iter().zip(&h.prefix_items).enumerate() {
            self.child_pair(w, bp, hp, format!("{prefix}[{i}]"));
        }
        let (bl, hl) = (b.prefix_items.len(), h.prefix_items.len());
        if bl != hl {
            let code = match w.direction {
                Direction::Request => &codes::REQUEST_CONSTRAINT_TIGHTENED,
                Direction::Response => &codes::RESPONSE_CONSTRAINT_LOOSENED,
            };
            self.report_in(
                w,
                code,
                format!(
                    "{}: `prefixItems` changed from {bl} to {hl} positions",
                    w.subject()
                ),
                b.pointer.clone(),
                h.pointer.clone(),
            );
        }
    }

    fn compare_extras(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let prefix = h
            .name
            .clone()
            .or_else(|| b.name.clone())
            .unwrap_or_else(|| w.path.clone());
        for (key, be, he, suffix) in [
            ("additionalProperties", &b.additional, &h.additional, ".*"),
            (
                "unevaluatedProperties",
                &b.unevaluated_properties,
                &h.unevaluated_properties,
                ".*",
            ),
            (
                "unevaluatedItems",
                &b.unevaluated_items,
                &h.unevaluated_items,
                "[*]",
            ),
        ] {
            let at = |e: &Extra, flat: &Flat| match e {
                Extra::Closed(p) | Extra::Schema(p) => p.clone(),
                Extra::Open => flat.pointer.clone(),
            };
            match (be, he, w.direction) {
                (Extra::Schema(bp), Extra::Schema(hp), _) => {
                    self.child_pair(w, bp, hp, format!("{prefix}{suffix}"));
                }
                (Extra::Open | Extra::Schema(_), Extra::Closed(_), Direction::Request) => self
                    .report_in(
                        w,
                        &codes::REQUEST_CONSTRAINT_TIGHTENED,
                        format!(
                            "{} no longer accepts {}: `{key}: false`",
                            w.subject(),
                            if suffix == "[*]" {
                                "further items"
                            } else {
                                "other properties"
                            }
                        ),
                        at(be, b),
                        at(he, h),
                    ),
                (Extra::Closed(_), Extra::Open | Extra::Schema(_), Direction::Response) => self
                    .report_in(
                        w,
                        &codes::RESPONSE_CONSTRAINT_LOOSENED,
                        format!(
                            "{} may now hold {}: `{key}` no longer `false`",
                            w.subject(),
                            if suffix == "[*]" {
                                "further items"
                            } else {
                                "other properties"
                            }
                        ),
                        at(be, b),
                        at(he, h),
                    ),
                _ => {}
            }
        }
    }

    /// Match alternatives by the schema they reference, then by content,
    /// then by position among those left; compare matched ones.
    fn compare_variants(
        &mut self,
        w: &Work,
        bv: &[String],
        hv: &[String],
        key: &str,
        b: &Flat,
        h: &Flat,
    ) {
        if bv.is_empty() && hv.is_empty() {
            return;
        }
        let name_of = |doc: DocView<'_>, p: &String| {
            doc.pointer(p)
                .filter(|n| n.as_object().is_some_and(|m| m.len() == 1))
                .and_then(ref_pointer)
                .and_then(|r| schema_name(&r))
        };
        let signature = |doc: DocView<'_>, p: &String| {
            let mut budget = 2_000;
            doc.pointer(p)
                .map(|n| canonical(doc, n, 8, &mut budget))
                .unwrap_or_default()
        };
        let mut b_left: Vec<usize> = (0..bv.len()).collect();
        let mut h_left: Vec<usize> = (0..hv.len()).collect();
        let mut matched: Vec<(usize, usize)> = Vec::new();
        let b_names: Vec<Option<String>> = bv.iter().map(|p| name_of(self.base, p)).collect();
        let h_names: Vec<Option<String>> = hv.iter().map(|p| name_of(self.head, p)).collect();
        // Names compare case-insensitively: a schema moved into its own
        // file is named after the file (`Company` → `company.yaml`).
        let same_name = |i: usize, j: usize| match (&b_names[i], &h_names[j]) {
            (Some(b), Some(h)) => b.eq_ignore_ascii_case(h),
            _ => false,
        };
        take_matches(&mut b_left, &mut h_left, &mut matched, same_name);
        if !b_left.is_empty() && !h_left.is_empty() {
            // Only the alternatives left unmatched are expanded: most are
            // matched by name, and a signature costs up to its budget.
            let mut b_sigs: Vec<String> = vec![String::new(); bv.len()];
            let mut h_sigs: Vec<String> = vec![String::new(); hv.len()];
            for &i in &b_left {
                b_sigs[i] = signature(self.base, &bv[i]);
            }
            for &j in &h_left {
                h_sigs[j] = signature(self.head, &hv[j]);
            }
            take_matches(&mut b_left, &mut h_left, &mut matched, |i, j| {
                b_sigs[i] == h_sigs[j]
            });
        }
        // An alternative edited in place: the one sharing the most property
        // names and types, then by position.
        if !b_left.is_empty() && !h_left.is_empty() {
            let shape = |doc: DocView<'_>, p: &String| {
                let flat = flatten(doc, p, self.max_hops);
                let mut keys: BTreeSet<String> =
                    flat.properties.keys().map(|k| format!("p:{k}")).collect();
                keys.extend(flat.types.iter().flatten().map(|t| format!("t:{t}")));
                keys
            };
            let b_shapes: Vec<BTreeSet<String>> = bv.iter().map(|p| shape(self.base, p)).collect();
            let h_shapes: Vec<BTreeSet<String>> = hv.iter().map(|p| shape(self.head, p)).collect();
            let mut i = 0;
            while i < b_left.len() {
                let best = h_left
                    .iter()
                    .enumerate()
                    .map(|(k, &j)| (b_shapes[b_left[i]].intersection(&h_shapes[j]).count(), k))
                    .filter(|&(score, _)| score > 0)
                    .max_by_key(|&(score, k)| (score, std::cmp::Reverse(k)));
                match best {
                    Some((_, k)) => {
                        matched.push((b_left.remove(i), h_left.remove(k)));
                    }
                    None => i += 1,
                }
            }
        }
        let n = b_left.len().min(h_left.len());
        matched.extend(b_left.drain(..n).zip(h_left.drain(..n)));
        matched.sort();
        for (i, j) in matched {
            self.child_pair(w, &bv[i], &hv[j], w.path.clone());
        }
        let describe = |names: &[Option<String>], i: usize| match &names[i] {
            Some(name) => format!("`{name}`"),
            None => format!("#{}", i + 1),
        };
        for i in b_left {
            let (code, level_text) = match w.direction {
                Direction::Request => (&codes::REQUEST_VARIANT_REMOVED, "removed from"),
                Direction::Response => (&codes::VARIANT_CHANGED_COMPATIBLY, "removed from"),
            };
            self.report_in(
                w,
                code,
                format!(
                    "`{key}` alternative {} {level_text} {}",
                    describe(&b_names, i),
                    w.subject()
                ),
                bv[i].clone(),
                h.pointer.clone(),
            );
        }
        for j in h_left {
            let code = match w.direction {
                Direction::Request => &codes::VARIANT_CHANGED_COMPATIBLY,
                Direction::Response => &codes::RESPONSE_VARIANT_ADDED,
            };
            self.report_in(
                w,
                code,
                format!(
                    "`{key}` alternative {} added to {}",
                    describe(&h_names, j),
                    w.subject()
                ),
                b.pointer.clone(),
                hv[j].clone(),
            );
        }
    }

    fn compare_conditions(&mut self, w: &Work, b: &Flat, h: &Flat) {
        let sig = |doc: DocView<'_>, p: &Option<String>| {
            let mut budget = 2_000;
            p.as_ref()
                .and_then(|p| doc.pointer(p))
                .map(|n| canonical(doc, n, 8, &mut budget))
        };
        for (key, bp, hp) in [("not", &b.not, &h.not), ("if", &b.if_, &h.if_)] {
            if sig(self.base, bp) != sig(self.head, hp) {
                self.report_in(
                    w,
                    &codes::CONDITIONAL_SCHEMA_CHANGED,
                    format!("`{key}` of {} changed", w.subject()),
                    bp.clone().unwrap_or_else(|| b.pointer.clone()),
                    hp.clone().unwrap_or_else(|| h.pointer.clone()),
                );
            }
        }
        for (bp, hp) in [(&b.then, &h.then), (&b.else_, &h.else_)] {
            match (bp, hp) {
                (Some(bp), Some(hp)) => self.child_pair(w, bp, hp, w.path.clone()),
                (None, None) => {}
                (bp, hp) => self.report_in(
                    w,
                    &codes::CONDITIONAL_SCHEMA_CHANGED,
                    format!("`then`/`else` of {} added or removed", w.subject()),
                    bp.clone().unwrap_or_else(|| b.pointer.clone()),
                    hp.clone().unwrap_or_else(|| h.pointer.clone()),
                ),
            }
        }
    }
}

fn is_bool(a: Option<&Json>, b: Option<&Json>) -> bool {
    a.is_some_and(Json::is_boolean) || b.is_some_and(Json::is_boolean)
}

/// Move pairs that `same` accepts from the two lists to `matched`, in order.
fn take_matches(
    b_left: &mut Vec<usize>,
    h_left: &mut Vec<usize>,
    matched: &mut Vec<(usize, usize)>,
    same: impl Fn(usize, usize) -> bool,
) {
    let mut i = 0;
    while i < b_left.len() {
        if let Some(k) = h_left.iter().position(|&j| same(b_left[i], j)) {
            matched.push((b_left[i], h_left[k]));
            h_left.remove(k);
            b_left.remove(i);
        } else {
            i += 1;
        }
    }
}
