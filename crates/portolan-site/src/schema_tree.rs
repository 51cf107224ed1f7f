//! Schemas shown in place (issue 14, "schemas in place"): request and
//! response bodies, parameters and message payloads as trees inside the
//! operation that uses them, rather than links to schema pages.
//!
//! Each property is a row: its name, its type (with format, `| null`, a
//! link to a named schema's own page), `required`, `deprecated`,
//! read-only/write-only, its description and its facts (constraints,
//! enum, const, default, example). Children (an object's properties, an
//! array's items, the alternatives of `oneOf`/`anyOf`) are in `<details>`,
//! open near the top and closed deeper, so a reader expands what they need
//! and nothing needs JavaScript. `allOf` is merged into one list of
//! properties; `oneOf`/`anyOf` alternatives are `<details>` of one group
//! (`name`: opening one closes the others, a switch without script),
//! labelled with their discriminator value when the mapping names them.
//!
//! Named schemas (`$ref`s to `components/schemas`) are expanded in place
//! while the tree is small, and always link to their own page. Big specs
//! keep pages small by three bounds, all deterministic: a schema already
//! being expanded above is not expanded again (recursion is a link to the
//! node that shows it, `#t…`); named schemas nest at most
//! [`MAX_NAMED_DEPTH`] deep; and each tree has a budget of rows, so a named
//! schema is expanded only while its own rows fit (beyond, the link to its
//! page). Long enums are folded, and a long enum already listed on the page
//! (Stripe repeats one of 300 merchant categories a dozen times a page) is
//! a link to the first listing. Every walk is linear in the rows it writes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use portolan_apis::model::{Discriminator, Header, Parameter, Property, Schema};
use serde_json::Value as Json;

use crate::example::{Named, Side};

/// Most of a parameter's named examples listed in its row.
const MAX_EXAMPLES: usize = 5;
use crate::markdown::render_markdown;
use crate::reference::{ReferenceUrls, esc};

/// Deepest nesting of property lists shown; deeper levels are a note (and
/// the named schema's page, when there is one).
const MAX_DEPTH: usize = 12;
/// Named schemas expanded inside one another at most this deep.
pub const MAX_NAMED_DEPTH: usize = 3;
/// Nesting levels whose `<details>` are open when the page loads.
const OPEN_DEPTH: usize = 1;
/// Enums with more values than this are folded into a `<details>`.
const SHORT_ENUM: usize = 12;
/// Alternatives named in a type label before it says "one of N".
const LABEL_ALTERNATIVES: usize = 4;
/// Deepest `allOf` merged (a part's parts, ...).
const MAX_MERGE_DEPTH: usize = 8;

/// Row budgets: how many rows a tree may show before named schemas inside
/// it stay links.
pub mod budget {
    /// A request body, the first success response, a message payload.
    pub const BODY: usize = 150;
    /// Other responses (errors are most often one shared schema, shown on
    /// every operation), callbacks and headers.
    pub const SECONDARY: usize = 30;
    /// An operation's parameters, together.
    pub const PARAMETERS: usize = 40;
    /// A named schema's own page.
    pub const SCHEMA_PAGE: usize = 150;
}

/// The named schemas of one API and where their pages are: what every tree
/// of the API's reference reads.
pub struct SchemaTrees<'a> {
    named: &'a Named<'a>,
    urls: &'a ReferenceUrls,
    /// Rows a named schema shows without expanding the named schemas it
    /// refers to (computed once per API).
    own_rows: HashMap<&'a str, usize>,
}

/// What one page's trees share: ids are unique on the page, and a long
/// enum is listed once per page.
#[derive(Default)]
pub struct PageTrees {
    next_id: usize,
    /// A long enum's values (as JSON text) → the id of its first listing.
    enums: HashMap<String, String>,
    /// Named schemas expanded on the page (for a side) → the id of the
    /// node showing them: a page shows each once.
    shown: HashMap<(String, Option<Side>), String>,
}

impl PageTrees {
    fn id(&mut self, prefix: char) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }
}

impl<'a> SchemaTrees<'a> {
    pub fn new(named: &'a Named<'a>, urls: &'a ReferenceUrls) -> Self {
        let mut counter = RowCounter {
            named,
            memo: HashMap::new(),
            visiting: HashSet::new(),
        };
        for (key, schema) in named.iter() {
            counter.named_rows(key, schema);
        }
        SchemaTrees {
            named,
            urls,
            own_rows: counter.memo,
        }
    }

    /// The tree of a body (request, response, message payload or headers)
    /// for `side` (`None`: both, nothing hidden), within `budget` rows.
    pub fn body(
        &self,
        page: &mut PageTrees,
        schema: &Schema,
        side: Option<Side>,
        budget: usize,
    ) -> String {
        let mut walk = Walk::new(self, page, side, budget);
        walk.root(schema, None, true);
        walk.out
    }

    /// A named schema on its own page (or its section of a compact API's
    /// schemas page), `anchor` being the id of its heading: recursion back
    /// to it links there.
    pub fn named_page(
        &self,
        page: &mut PageTrees,
        name: &str,
        schema: &Schema,
        anchor: &str,
    ) -> String {
        let mut walk = Walk::new(self, page, None, budget::SCHEMA_PAGE);
        let key = self.named.get(name).map(|(key, _)| key);
        // The page's heading says the type already.
        walk.root(schema, key.map(|k| (k, anchor.to_string())), false);
        walk.out
    }

    /// An operation's (or channel's) parameters as rows, grouped by where
    /// they go (path, query, header, cookie, in that order).
    pub fn parameters(&self, page: &mut PageTrees, parameters: &[Parameter]) -> String {
        let mut walk = Walk::new(self, page, Some(Side::Request), budget::PARAMETERS);
        let order = ["path", "query", "header", "cookie"];
        let mut locations: Vec<&str> = order
            .iter()
            .copied()
            .filter(|l| parameters.iter().any(|p| p.location == *l))
            .collect();
        for p in parameters {
            if !locations.contains(&p.location.as_str()) {
                locations.push(&p.location);
            }
        }
        for location in locations {
            let title = match location {
                "path" => "Path parameters".to_string(),
                "query" => "Query parameters".to_string(),
                "header" => "Headers".to_string(),
                "cookie" => "Cookies".to_string(),
                other => format!("In {other}"),
            };
            let _ = write!(walk.out, "<h4>{}</h4><ul class=\"props\">", esc(&title));
            for p in parameters.iter().filter(|p| p.location == location) {
                let empty = Schema::default();
                let schema = p.schema.as_ref().unwrap_or(&empty);
                walk.row(
                    Row {
                        name: &p.name,
                        extra: false,
                        required: p.required,
                        deprecated: p.deprecated,
                        description: p.description.as_deref(),
                        // Its `example`, else its named `examples`.
                        examples: match &p.example {
                            Some(example) => vec![(None, example)],
                            None => p
                                .examples
                                .iter()
                                .filter_map(|e| Some((e.name.as_deref(), e.value.as_ref()?)))
                                .collect(),
                        },
                    },
                    schema,
                    0,
                );
            }
            walk.out.push_str("</ul>");
        }
        walk.out
    }

    /// A response's headers as rows.
    pub fn headers(&self, page: &mut PageTrees, headers: &[Header]) -> String {
        let mut walk = Walk::new(self, page, Some(Side::Response), budget::SECONDARY);
        walk.out.push_str("<ul class=\"props\">");
        let empty = Schema::default();
        for h in headers {
            walk.row(
                Row {
                    name: &h.name,
                    extra: false,
                    required: false,
                    deprecated: false,
                    description: h.description.as_deref(),
                    examples: Vec::new(),
                },
                h.schema.as_ref().unwrap_or(&empty),
                0,
            );
        }
        walk.out.push_str("</ul>");
        walk.out
    }

    /// The API's named schemas.
    pub fn named(&self) -> &'a Named<'a> {
        self.named
    }

    fn schema_url(&self, name: &str) -> Option<String> {
        self.urls
            .schema_path(name)
            .map(|path| format!("{}{path}", self.urls.base))
    }
}

/// Counts the rows a schema shows inline: properties, alternatives,
/// items, down its inline nesting and through the named parts of its
/// `allOf` (which are merged into it), but not through other references
/// (they are expanded, or not, each on its own budget). A long enum counts
/// a row per eight values. Each named schema is counted once (memoised), so
/// counting every schema of an API is linear in its size.
struct RowCounter<'n, 'a> {
    named: &'n Named<'a>,
    memo: HashMap<&'a str, usize>,
    visiting: HashSet<&'a str>,
}

impl<'a> RowCounter<'_, 'a> {
    fn named_rows(&mut self, key: &'a str, schema: &'a Schema) -> usize {
        if let Some(&n) = self.memo.get(key) {
            return n;
        }
        if !self.visiting.insert(key) {
            // An allOf loop: its rows are counted where it started.
            return 0;
        }
        let n = self.rows(schema, 0);
        self.visiting.remove(key);
        self.memo.insert(key, n);
        n
    }

    fn rows(&mut self, schema: &'a Schema, depth: usize) -> usize {
        if depth > MAX_DEPTH {
            return 0;
        }
        let mut n = schema.enum_values.len() / 8;
        for p in &schema.properties {
            n += 1 + self.rows(&p.schema, depth + 1);
        }
        for alt in schema.one_of.iter().chain(&schema.any_of) {
            n += 1 + self.rows(alt, depth + 1);
        }
        for part in &schema.all_of {
            match part.reference.as_ref().and_then(|r| r.name.as_deref()) {
                Some(name) => {
                    if let Some((key, target)) = self.named.get(name) {
                        n += self.named_rows(key, target);
                    }
                }
                None => n += self.rows(part, depth + 1),
            }
        }
        for child in schema.items.iter().chain(&schema.additional_properties) {
            n += self.rows(child, depth + 1);
        }
        n
    }
}

/// A property-like row: a property, a parameter, a header.
struct Row<'r> {
    name: &'r str,
    /// `additionalProperties`: the name is a phrase, not a key.
    extra: bool,
    required: bool,
    deprecated: bool,
    /// The row's own description (a parameter's); else the schema's.
    description: Option<&'r str>,
    /// A parameter's own examples (named, or its one `example`).
    examples: Vec<(Option<&'r str>, &'r Json)>,
}

impl<'r> Row<'r> {
    fn property(p: &'r Property) -> Self {
        Row {
            name: &p.name,
            extra: false,
            required: p.required,
            deprecated: false,
            description: None,
            examples: Vec::new(),
        }
    }
}

/// Where a reference leads, once looked up.
enum Lookup<'a> {
    /// Not a reference.
    Inline,
    /// A named schema being expanded above (`recursive`), or already
    /// shown on this page: a link to the node showing it.
    Above { id: String, recursive: bool },
    /// A named schema to expand here.
    Expand(&'a str, &'a Schema),
    /// A named schema shown as a link to its page (too deep, over budget).
    Link,
    /// A reference to something that is not a named schema.
    Unknown,
}

struct Walk<'t, 'a> {
    trees: &'t SchemaTrees<'a>,
    page: &'t mut PageTrees,
    side: Option<Side>,
    budget: usize,
    /// Named schemas being expanded, outermost first, with the id of the
    /// node showing each (at most [`MAX_NAMED_DEPTH`] + 1 long).
    stack: Vec<(&'a str, String)>,
    out: String,
}

impl<'t, 'a> Walk<'t, 'a> {
    fn new(
        trees: &'t SchemaTrees<'a>,
        page: &'t mut PageTrees,
        side: Option<Side>,
        budget: usize,
    ) -> Self {
        Walk {
            trees,
            page,
            side,
            budget,
            stack: Vec::new(),
            out: String::new(),
        }
    }

    /// The named schema a reference leads to, or the schema itself.
    fn target<'s>(&self, schema: &'s Schema) -> &'s Schema
    where
        'a: 's,
    {
        schema
            .reference
            .as_ref()
            .and_then(|r| r.name.as_deref())
            .and_then(|name| self.trees.named.get(name))
            .map_or(schema, |(_, target)| target)
    }

    /// Starts expanding the named schema `key` here: a new node id, on the
    /// stack (for recursion) and in the page's record (for later uses).
    fn enter(&mut self, key: &'a str) -> String {
        let id = self.page.id('t');
        self.page
            .shown
            .entry((key.to_string(), self.side))
            .or_insert_with(|| id.clone());
        self.stack.push((key, id.clone()));
        id
    }

    /// A link to the node that shows a named schema already.
    fn above(&mut self, id: &str, recursive: bool) {
        let _ = write!(
            self.out,
            "<p class=\"note\"><a href=\"#{id}\">Shown above</a>{}</p>",
            if recursive { " (recursive)" } else { "" }
        );
    }

    fn lookup(&self, schema: &Schema, force: bool) -> Lookup<'a> {
        let Some(reference) = &schema.reference else {
            return Lookup::Inline;
        };
        let Some((key, target)) = reference
            .name
            .as_deref()
            .and_then(|n| self.trees.named.get(n))
        else {
            return Lookup::Unknown;
        };
        if let Some((_, id)) = self.stack.iter().find(|(name, _)| *name == key) {
            return Lookup::Above {
                id: id.clone(),
                recursive: true,
            };
        }
        if let Some(id) = self.page.shown.get(&(key.to_string(), self.side)) {
            return Lookup::Above {
                id: id.clone(),
                recursive: false,
            };
        }
        let own = self.trees.own_rows.get(key).copied().unwrap_or(0);
        if force || (self.stack.len() < MAX_NAMED_DEPTH && own <= self.budget) {
            Lookup::Expand(key, target)
        } else {
            Lookup::Link
        }
    }

    /// The top of a tree: its type, description and facts, then its
    /// children unfolded. `named`: the named schema this root is (a schema
    /// page), with the id recursion links to; `show_type`: whether the
    /// tree starts with the type.
    fn root(&mut self, schema: &Schema, named: Option<(&'a str, String)>, show_type: bool) {
        let pushed = named.is_some();
        if let Some(entry) = named {
            self.stack.push(entry);
        }
        let type_html = if show_type {
            self.type_html(schema, 0)
        } else {
            String::new()
        };
        let lookup = self.lookup(schema, true);
        match lookup {
            Lookup::Expand(key, target) => {
                let id = self.enter(key);
                let _ = write!(self.out, "<div class=\"tree\" id=\"{id}\">");
                if !type_html.is_empty() {
                    let _ = write!(self.out, "<p class=\"t\">{type_html}</p>");
                }
                self.describe(schema.description.as_deref(), target, &[]);
                self.children(target, 0);
                self.stack.pop();
            }
            _ => {
                self.out.push_str("<div class=\"tree\">");
                if !type_html.is_empty() {
                    let _ = write!(self.out, "<p class=\"t\">{type_html}</p>");
                }
                if let Lookup::Above { id, recursive } = &lookup {
                    self.above(id, *recursive);
                }
                if matches!(lookup, Lookup::Inline) {
                    self.describe(None, schema, &[]);
                    self.children(schema, 0);
                }
            }
        }
        self.out.push_str("</div>");
        if pushed {
            self.stack.pop();
        }
    }

    /// One row (`<li>`): head, description, facts, children.
    fn row(&mut self, row: Row<'_>, schema: &Schema, depth: usize) {
        self.budget = self.budget.saturating_sub(1);
        let lookup = self.lookup(schema, false);
        let (shown, id): (Option<&Schema>, Option<String>) = match &lookup {
            Lookup::Expand(key, target) => (Some(*target), Some(self.enter(key))),
            Lookup::Inline => (Some(schema), None),
            _ => (None, None),
        };
        match &id {
            Some(id) => {
                let _ = write!(self.out, "<li id=\"{id}\">");
            }
            None => self.out.push_str("<li>"),
        }
        if row.extra {
            let _ = write!(self.out, "<em class=\"n\">{}</em>", esc(row.name));
        } else {
            let _ = write!(self.out, "<code class=\"n\">{}</code>", esc(row.name));
        }
        let type_html = self.type_html(schema, 0);
        if !type_html.is_empty() {
            let _ = write!(self.out, " <span class=\"t\">{type_html}</span>");
        }
        if row.required {
            self.out
                .push_str(" <span class=\"required\">required</span>");
        }
        let flags_of = shown.unwrap_or_else(|| self.target(schema));
        if row.deprecated || flags_of.deprecated || schema.deprecated {
            self.out
                .push_str(" <span class=\"badge warning\">deprecated</span>");
        }
        if flags_of.read_only {
            self.out.push_str(" <span class=\"flag\">read-only</span>");
        }
        if flags_of.write_only {
            self.out.push_str(" <span class=\"flag\">write-only</span>");
        }
        let own_description = row.description.or(schema.description.as_deref());
        match lookup {
            Lookup::Expand(_, target) => {
                self.describe(own_description, target, &row.examples);
                self.nested(target, depth + 1);
                self.stack.pop();
            }
            Lookup::Inline => {
                self.describe(own_description, schema, &row.examples);
                self.nested(schema, depth + 1);
            }
            Lookup::Above { id, recursive } => {
                self.describe(own_description, &Schema::default(), &row.examples);
                self.above(&id, recursive);
            }
            Lookup::Link | Lookup::Unknown => {
                self.describe(own_description, &Schema::default(), &row.examples)
            }
        }
        self.out.push_str("</li>");
    }

    /// A description (the row's own, else the schema's) and the schema's
    /// facts.
    fn describe(&mut self, own: Option<&str>, schema: &Schema, examples: &[(Option<&str>, &Json)]) {
        if let Some(text) = own.or(schema.description.as_deref())
            && !text.trim().is_empty()
        {
            self.out.push_str(&render_markdown(text));
        }
        self.facts(schema, examples);
    }

    /// The children of a row, folded in a `<details>` (open near the top).
    fn nested(&mut self, schema: &Schema, depth: usize) {
        // An array of something shown above: the link, with nothing to fold.
        if let Some(items) = schema.items.as_deref()
            && schema.properties.is_empty()
            && schema.one_of.is_empty()
            && schema.any_of.is_empty()
            && schema.all_of.is_empty()
            && let Lookup::Above { id, recursive } = self.lookup(items, false)
        {
            self.above(&id, recursive);
            return;
        }
        let start = self.out.len();
        self.children(schema, depth);
        if self.out.len() == start {
            return;
        }
        let inner = self.out.split_off(start);
        let summary = self.summary(schema, false);
        let _ = write!(
            self.out,
            "<details{}><summary>{summary}</summary>{inner}</details>",
            if depth <= OPEN_DEPTH { " open" } else { "" }
        );
    }

    /// What a folded row holds: "3 properties", "2 alternatives", "4
    /// properties of each item".
    fn summary(&self, schema: &Schema, item: bool) -> String {
        let merged = self.merged(schema);
        let count = self.visible(&merged.properties).count();
        let alternatives = merged.one_of.len() + merged.any_of.len();
        let each = if item { " of each item" } else { "" };
        if count > 0 {
            let noun = if count == 1 { "property" } else { "properties" };
            return format!("{count} {noun}{each}");
        }
        if alternatives == 1
            && let Some(alt) = merged.one_of.first().or(merged.any_of.first())
        {
            return self.summary(self.target(alt), item);
        }
        if alternatives > 0 {
            return format!("{alternatives} alternatives{each}");
        }
        if let Some(items) = merged.items.as_deref().filter(|_| !item) {
            let items = match items.reference.as_ref().and_then(|r| r.name.as_deref()) {
                Some(name) => self.trees.named.get(name).map(|(_, s)| s).unwrap_or(items),
                None => items,
            };
            return self.summary(items, true);
        }
        if merged.additional_properties.is_some() {
            return "Additional properties".to_string();
        }
        "Details".to_string()
    }

    fn visible<'p>(&self, properties: &'p [Property]) -> impl Iterator<Item = &'p Property> {
        let side = self.side;
        let named = self.trees.named;
        properties.iter().filter(move |p| {
            let target = match p.schema.reference.as_ref().and_then(|r| r.name.as_deref()) {
                Some(name) => named.get(name).map(|(_, s)| s).unwrap_or(&p.schema),
                None => &p.schema,
            };
            match side {
                Some(Side::Request) => !target.read_only,
                Some(Side::Response) => !target.write_only,
                None => true,
            }
        })
    }

    /// `allOf` merged into one schema for reading (its parts' properties
    /// together, the first description, type, facts).
    fn merged<'s>(&self, schema: &'s Schema) -> Cow<'s, Schema> {
        if schema.all_of.is_empty() {
            return Cow::Borrowed(schema);
        }
        let mut merged = schema.clone();
        merged.all_of.clear();
        let mut seen: HashMap<String, usize> = merged
            .properties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        let mut visiting: Vec<&str> = self.stack.iter().map(|(n, _)| *n).collect();
        self.merge_parts(&mut merged, &schema.all_of, &mut seen, &mut visiting, 0);
        Cow::Owned(merged)
    }

    fn merge_parts<'s>(
        &self,
        into: &mut Schema,
        parts: &'s [Schema],
        seen: &mut HashMap<String, usize>,
        visiting: &mut Vec<&'s str>,
        depth: usize,
    ) where
        'a: 's,
    {
        if depth >= MAX_MERGE_DEPTH {
            return;
        }
        for part in parts {
            let (part, key): (&'s Schema, Option<&'s str>) = match &part.reference {
                Some(r) => match r.name.as_deref().and_then(|n| self.trees.named.get(n)) {
                    Some((key, target)) if !visiting.contains(&key) => (target, Some(key)),
                    // A loop, or a reference to something else: nothing
                    // to merge.
                    _ => continue,
                },
                None => (part, None),
            };
            if let Some(key) = key {
                visiting.push(key);
            }
            if into.types.is_empty() {
                into.types = part.types.clone();
            }
            into.nullable |= part.nullable;
            into.deprecated |= part.deprecated;
            into.read_only |= part.read_only;
            into.write_only |= part.write_only;
            if into.description.is_none() {
                into.description = part.description.clone();
            }
            if into.format.is_none() {
                into.format = part.format.clone();
            }
            if into.enum_values.is_empty() {
                into.enum_values = part.enum_values.clone();
            }
            if into.default.is_none() {
                into.default = part.default.clone();
            }
            if into.discriminator.is_none() {
                into.discriminator = part.discriminator.clone();
            }
            for (k, v) in &part.constraints {
                into.constraints
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
            for p in &part.properties {
                match seen.get(&p.name) {
                    // Named again by a later part: required if any part
                    // requires it.
                    Some(&i) => into.properties[i].required |= p.required,
                    None => {
                        seen.insert(p.name.clone(), into.properties.len());
                        into.properties.push(p.clone());
                    }
                }
            }
            if into.items.is_none() {
                into.items = part.items.clone();
            }
            if into.additional_properties.is_none() {
                into.additional_properties = part.additional_properties.clone();
            }
            into.one_of.extend(part.one_of.iter().cloned());
            into.any_of.extend(part.any_of.iter().cloned());
            self.merge_parts(into, &part.all_of, seen, visiting, depth + 1);
            if key.is_some() {
                visiting.pop();
            }
        }
    }

    /// What is inside a schema: the named parts it combines, its
    /// discriminator, alternatives, properties, other keys and items.
    fn children(&mut self, schema: &Schema, depth: usize) {
        if depth > MAX_DEPTH {
            self.out
                .push_str("<p class=\"note\">(deeper levels not shown)</p>");
            return;
        }
        // The named parts of allOf, linked: where the merged properties
        // come from.
        let parts: Vec<String> = schema
            .all_of
            .iter()
            .filter_map(|part| part.reference.as_ref()?.name.as_deref())
            .map(|name| match self.trees.schema_url(name) {
                Some(url) => format!("<a href=\"{}\">{}</a>", esc(&url), esc(name)),
                None => format!("<code>{}</code>", esc(name)),
            })
            .collect();
        let merged = self.merged(schema);
        let schema: &Schema = &merged;
        if !parts.is_empty() {
            let _ = write!(
                self.out,
                "<p class=\"note\">Combines {}</p>",
                parts.join(", ")
            );
        }
        if let Some(d) = &schema.discriminator {
            self.discriminator(d);
        }
        for (label, list) in [("One of", &schema.one_of), ("Any of", &schema.any_of)] {
            if !list.is_empty() {
                self.alternatives(label, list, schema.discriminator.as_ref(), depth);
            }
        }
        let properties: Vec<&Property> = self.visible(&schema.properties).collect();
        if !properties.is_empty() {
            self.out.push_str("<ul class=\"props\">");
            for p in properties {
                self.row(Row::property(p), &p.schema, depth);
            }
            self.out.push_str("</ul>");
        }
        if let Some(extra) = &schema.additional_properties {
            self.out.push_str("<ul class=\"props\">");
            self.row(
                Row {
                    name: "additional properties",
                    extra: true,
                    required: false,
                    deprecated: false,
                    description: None,
                    examples: Vec::new(),
                },
                extra,
                depth,
            );
            self.out.push_str("</ul>");
        }
        if let Some(items) = &schema.items {
            self.items(items, depth);
        }
    }

    /// An array's items: their facts, then their children at the same
    /// level (an array adds no level of its own to read through).
    fn items(&mut self, items: &Schema, depth: usize) {
        match self.lookup(items, false) {
            Lookup::Expand(key, target) => {
                let id = self.enter(key);
                let _ = write!(self.out, "<div id=\"{id}\">");
                self.item_facts(target);
                self.children(target, depth);
                self.stack.pop();
                self.out.push_str("</div>");
            }
            Lookup::Inline if !has_children(items) => {}
            Lookup::Inline => {
                if let Some(text) = items.description.as_deref()
                    && !text.trim().is_empty()
                {
                    self.out.push_str(&render_markdown(text));
                }
                self.item_facts(items);
                self.children(items, depth);
            }
            Lookup::Above { id, recursive } => self.above(&id, recursive),
            Lookup::Link | Lookup::Unknown => {}
        }
    }

    fn item_facts(&mut self, items: &Schema) {
        let start = self.out.len();
        self.facts(items, &[]);
        if self.out.len() > start {
            // "Each item:" before the facts of the items.
            let inner = self.out.split_off(start);
            let _ = write!(
                self.out,
                "<div class=\"each\"><p class=\"note\">Each item:</p>{inner}</div>"
            );
        }
    }

    fn discriminator(&mut self, d: &Discriminator) {
        let _ = write!(
            self.out,
            "<p class=\"note\">Discriminated by <code>{}</code>",
            esc(&d.property_name)
        );
        if !d.mapping.is_empty() {
            let items: Vec<String> = d
                .mapping
                .iter()
                .map(|(value, target)| {
                    let name = target.rsplit('/').next().unwrap_or(target);
                    let link = match self.trees.schema_url(name) {
                        Some(url) => format!("<a href=\"{}\">{}</a>", esc(&url), esc(name)),
                        None => esc(name),
                    };
                    format!("<code>{}</code> → {link}", esc(value))
                })
                .collect();
            let _ = write!(self.out, ": {}", items.join(", "));
        }
        self.out.push_str("</p>");
    }

    /// `oneOf`/`anyOf`: each alternative labelled (by its discriminator
    /// value when the mapping names it); those with something to show are
    /// `<details>` of one group, the first open near the top.
    fn alternatives(
        &mut self,
        label: &str,
        list: &[Schema],
        discriminator: Option<&Discriminator>,
        depth: usize,
    ) {
        if let [alt] = list {
            // A lone alternative (`anyOf: [$ref]` beside `nullable`, as
            // Stripe writes an optional object) is the schema itself: the
            // row above named it and described it.
            match self.lookup(alt, false) {
                Lookup::Expand(key, target) => {
                    let id = self.enter(key);
                    let start = self.out.len();
                    self.facts(target, &[]);
                    self.children(target, depth);
                    self.stack.pop();
                    if self.out.len() > start {
                        self.out.insert_str(start, &format!("<div id=\"{id}\">"));
                        self.out.push_str("</div>");
                    }
                }
                Lookup::Inline => {
                    self.facts(alt, &[]);
                    self.children(alt, depth);
                }
                Lookup::Above { id, recursive } => self.above(&id, recursive),
                Lookup::Link | Lookup::Unknown => {}
            }
            return;
        }
        let group = self.page.id('g');
        let _ = write!(
            self.out,
            "<div class=\"alts\"><p class=\"note\">{label} {} alternatives:</p>",
            list.len()
        );
        let mut first_open = depth <= OPEN_DEPTH;
        for (i, alt) in list.iter().enumerate() {
            self.budget = self.budget.saturating_sub(1);
            let mut summary = format!("{}. ", i + 1);
            if let Some(value) = discriminator.and_then(|d| mapped_value(d, alt)) {
                let _ = write!(summary, "<code>{}</code> ", esc(value));
            }
            let type_text = self.type_label(alt, 0, false);
            summary.push_str(if type_text.is_empty() {
                "any value"
            } else {
                &type_text
            });
            let start = self.out.len();
            let lookup = self.lookup(alt, false);
            match lookup {
                Lookup::Expand(key, target) => {
                    let id = self.enter(key);
                    self.describe(alt.description.as_deref(), target, &[]);
                    self.children(target, depth + 1);
                    self.stack.pop();
                    if self.out.len() > start {
                        // The node recursion links to.
                        self.out.insert_str(start, &format!("<div id=\"{id}\">"));
                        self.out.push_str("</div>");
                    }
                }
                Lookup::Inline => {
                    self.describe(None, alt, &[]);
                    self.children(alt, depth + 1);
                }
                Lookup::Above { id, recursive } => self.above(&id, recursive),
                Lookup::Link | Lookup::Unknown => {}
            }
            let mut inner = self.out.split_off(start);
            if inner.is_empty() {
                // Nothing to unfold: a line, where the type may link.
                let mut line = format!("{}. ", i + 1);
                if let Some(value) = discriminator.and_then(|d| mapped_value(d, alt)) {
                    let _ = write!(line, "<code>{}</code> ", esc(value));
                }
                let type_html = self.type_html(alt, 0);
                line.push_str(if type_html.is_empty() {
                    "any value"
                } else {
                    &type_html
                });
                let _ = write!(self.out, "<p class=\"alt\">{line}</p>");
            } else {
                if alt.reference.is_some() {
                    // The named schema's page, linked inside (not from the
                    // summary).
                    inner.insert_str(0, &format!("<p class=\"t\">{}</p>", self.type_html(alt, 0)));
                }
                let _ = write!(
                    self.out,
                    "<details class=\"alt\" name=\"{group}\"{}><summary>{summary}</summary>{inner}</details>",
                    if first_open { " open" } else { "" }
                );
                first_open = false;
            }
        }
        self.out.push_str("</div>");
    }

    /// A type as HTML: `string (date-time) | null`, `array of <a>Item</a>`,
    /// `string | <a>customer</a>`; named schemas link to their pages.
    fn type_html(&self, schema: &Schema, depth: usize) -> String {
        self.type_label(schema, depth, true)
    }

    /// [`Self::type_html`], with or without links (a `<summary>` holds no
    /// links: it is itself the control).
    fn type_label(&self, schema: &Schema, depth: usize, links: bool) -> String {
        if depth > 3 {
            return String::new();
        }
        if let Some(reference) = &schema.reference {
            let name = reference
                .name
                .clone()
                .unwrap_or_else(|| reference.pointer.clone());
            return match reference
                .name
                .as_deref()
                .and_then(|n| self.trees.schema_url(n))
            {
                Some(url) if links => format!("<a href=\"{}\">{}</a>", esc(&url), esc(&name)),
                _ => esc(&name),
            };
        }
        let mut label = String::new();
        if schema.types.iter().any(|t| t == "array")
            && let Some(items) = &schema.items
        {
            let inner = self.type_label(items, depth + 1, links);
            label = if inner.is_empty() {
                "array".into()
            } else {
                format!("array of {inner}")
            };
            let others: Vec<&String> = schema.types.iter().filter(|t| *t != "array").collect();
            for t in others {
                let _ = write!(label, " | {}", esc(t));
            }
        } else if !schema.types.is_empty() {
            label = esc(&schema.types.join(" | "));
        } else {
            let alternatives = if schema.one_of.is_empty() {
                &schema.any_of
            } else {
                &schema.one_of
            };
            if !alternatives.is_empty() && alternatives.len() <= LABEL_ALTERNATIVES {
                let labels: Vec<String> = alternatives
                    .iter()
                    .map(|a| self.type_label(a, depth + 1, links))
                    .filter(|l| !l.is_empty())
                    .collect();
                let mut unique: Vec<String> = Vec::new();
                for l in labels {
                    if !unique.contains(&l) {
                        unique.push(l);
                    }
                }
                label = unique.join(" | ");
            } else if !alternatives.is_empty() {
                label = format!("one of {} types", alternatives.len());
            } else if !schema.properties.is_empty() || schema.additional_properties.is_some() {
                label = "object".into();
            } else if !schema.all_of.is_empty() {
                let parts: Vec<String> = schema
                    .all_of
                    .iter()
                    .map(|a| self.type_label(a, depth + 1, links))
                    .filter(|l| !l.is_empty())
                    .collect();
                label = parts.join(" &amp; ");
            }
        }
        if let Some(format) = &schema.format {
            label = if label.is_empty() {
                esc(format)
            } else {
                format!("{label} ({})", esc(format))
            };
        }
        if schema.nullable {
            label.push_str(if label.is_empty() { "null" } else { " | null" });
        }
        label
    }

    /// Constraints, enum, const, default and example, as one line (with
    /// the facts of an array's scalar items); a long enum folded after it
    /// (or linked to its first listing on the page).
    fn facts(&mut self, schema: &Schema, examples: &[(Option<&str>, &Json)]) {
        let mut facts = self.fact_list(schema, examples);
        let scalar_items = schema
            .items
            .as_deref()
            .filter(|items| items.reference.is_none() && !has_children(items));
        if let Some(items) = scalar_items {
            let each = self.fact_list(items, &[]);
            if !each.is_empty() {
                facts.push(format!("each item: {}", each.join(", ")));
            }
        }
        if !facts.is_empty() {
            let _ = write!(self.out, "<p class=\"facts\">{}</p>", facts.join(" · "));
        }
        for values in [Some(schema), scalar_items]
            .into_iter()
            .flatten()
            .map(|s| &s.enum_values)
            .filter(|v| v.len() > SHORT_ENUM)
        {
            self.long_enum(values);
        }
    }

    fn fact_list(&self, schema: &Schema, examples: &[(Option<&str>, &Json)]) -> Vec<String> {
        let mut facts: Vec<String> = Vec::new();
        for (key, value) in &schema.constraints {
            facts.push(format!(
                "{} <code>{}</code>",
                esc(key),
                esc(&value_text(value))
            ));
        }
        if !schema.enum_values.is_empty() && schema.enum_values.len() <= SHORT_ENUM {
            let values: Vec<String> = schema
                .enum_values
                .iter()
                .map(|v| format!("<code>{}</code>", esc(&value_text(v))))
                .collect();
            facts.push(format!("one of {}", values.join(" ")));
        }
        if let Some(c) = &schema.const_value {
            facts.push(format!("always <code>{}</code>", esc(&value_text(c))));
        }
        if let Some(d) = &schema.default {
            facts.push(format!("default <code>{}</code>", esc(&value_text(d))));
        }
        // A parameter's own examples (at most five, by name when named),
        // else the schema's first.
        for (name, example) in examples.iter().take(MAX_EXAMPLES) {
            let name = name
                .map(|n| format!(" <em>{}</em>", esc(n)))
                .unwrap_or_default();
            facts.push(format!(
                "example{name} <code>{}</code>",
                esc(&truncate(&value_text(example), 120))
            ));
        }
        if examples.len() > MAX_EXAMPLES {
            facts.push(format!(
                "and {} more examples",
                examples.len() - MAX_EXAMPLES
            ));
        }
        if examples.is_empty()
            && let Some(example) = schema.examples.first()
        {
            facts.push(format!(
                "example <code>{}</code>",
                esc(&truncate(&value_text(example), 120))
            ));
        }
        if let Some(not) = &schema.not {
            let label = self.type_html(not, 1);
            facts.push(if label.is_empty() {
                "never valid".to_string()
            } else {
                format!("not {label}")
            });
        }
        facts
    }

    fn long_enum(&mut self, values: &[Json]) {
        let key = serde_json::to_string(values).unwrap_or_default();
        if let Some(id) = self.page.enums.get(&key) {
            let _ = write!(
                self.out,
                "<p class=\"facts\">one of the {} values <a href=\"#{id}\">listed above</a></p>",
                values.len()
            );
            return;
        }
        let id = self.page.id('e');
        let _ = write!(
            self.out,
            "<details class=\"enum\" id=\"{id}\"><summary>one of {} values</summary><p class=\"facts\">",
            values.len()
        );
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            let _ = write!(self.out, "<code>{}</code>", esc(&value_text(v)));
        }
        self.out.push_str("</p></details>");
        self.page.enums.insert(key, id);
    }
}

/// Whether a schema has rows inside it (not counting references).
fn has_children(schema: &Schema) -> bool {
    !schema.properties.is_empty()
        || !schema.one_of.is_empty()
        || !schema.any_of.is_empty()
        || !schema.all_of.is_empty()
        || schema.items.is_some()
        || schema.additional_properties.is_some()
}

/// The discriminator value whose mapping names `alt`'s schema.
fn mapped_value<'d>(d: &'d Discriminator, alt: &Schema) -> Option<&'d str> {
    let reference = alt.reference.as_ref()?;
    d.mapping
        .iter()
        .find(|(_, target)| {
            target.as_str() == reference.pointer
                || target.strip_prefix('#') == Some(reference.pointer.as_str())
                || reference.name.as_deref() == Some(target.as_str())
                || target.rsplit('/').next() == reference.name.as_deref()
        })
        .map(|(value, _)| value.as_str())
}

/// A value as shown: strings as they are, anything else as JSON.
fn value_text(value: &Json) -> String {
    match value {
        Json::String(s) if s.is_empty() => "\"\"".to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_apis::detect::SpecFormat;
    use portolan_apis::model::{ApiModel, build_model};
    use serde_json::json;

    /// A model whose `components.schemas` are `schemas`.
    fn model(schemas: Json) -> ApiModel {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas},
        });
        build_model(SpecFormat::OpenApi30, "3.0.3", &doc)
    }

    fn reference(name: &str) -> Schema {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {},
            "components": {"schemas": {"Probe": {"$ref": format!("#/components/schemas/{name}")}}},
        });
        build_model(SpecFormat::OpenApi30, "3.0.3", &doc).schemas[0]
            .schema
            .clone()
    }

    /// Renders `body` for a response, on a fresh page, with the trees of
    /// `model`.
    fn render(model: &ApiModel, bodies: &[Schema], budget: usize) -> Vec<String> {
        let named = Named::new(model.schemas.iter().map(|s| (s.name.as_str(), &s.schema)));
        let urls = ReferenceUrls::new("api/".into(), "/", model);
        let trees = SchemaTrees::new(&named, &urls);
        let mut page = PageTrees::default();
        bodies
            .iter()
            .map(|b| trees.body(&mut page, b, Some(Side::Response), budget))
            .collect()
    }

    fn one(model: &ApiModel, body: Schema) -> String {
        render(model, &[body], budget::BODY).remove(0)
    }

    #[test]
    fn all_of_is_read_as_one_list_of_properties() {
        let m = model(json!({
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "Pet": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"name": {"type": "string", "description": "What it answers to."}}},
            ]},
        }));
        let html = one(&m, reference("Pet"));
        assert!(
            html.contains("Combines <a href=\"/api/schemas/#schema-base\">Base</a>"),
            "{html}"
        );
        // One list holds both parts' properties, required kept.
        let list = &html[html.find("<ul class=\"props\">").unwrap()..];
        assert_eq!(html.matches("<ul class=\"props\">").count(), 1, "{html}");
        assert!(list.contains("<code class=\"n\">id</code> <span class=\"t\">string (uuid)</span> <span class=\"required\">required</span>"), "{html}");
        assert!(list.contains("<code class=\"n\">name</code> <span class=\"t\">string</span><p>What it answers to.</p>"), "{html}");
    }

    #[test]
    fn one_of_alternatives_are_one_group_labelled_by_discriminator() {
        let m = model(json!({
            "Cat": {"type": "object", "properties": {"meows": {"type": "boolean"}}},
            "Dog": {"type": "object", "properties": {"barks": {"type": "boolean"}}},
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}},
            },
        }));
        let html = one(&m, reference("Pet"));
        assert!(
            html.contains("Discriminated by <code>kind</code>"),
            "{html}"
        );
        assert!(html.contains("One of 2 alternatives:"), "{html}");
        // Both alternatives, each labelled with its value and type, in one
        // group of <details> (opening one closes the other); the first open.
        let group: Vec<&str> = html
            .match_indices("<details class=\"alt\" name=\"")
            .map(|(i, _)| &html[i..i + 40])
            .collect();
        assert_eq!(group.len(), 2, "{html}");
        assert!(
            html.contains("<summary>1. <code>cat</code> Cat</summary><p class=\"t\"><a href=\"/api/schemas/#schema-cat\">Cat</a></p>"),
            "{html}"
        );
        assert!(
            html.contains("<summary>2. <code>dog</code> Dog</summary><p class=\"t\"><a href=\"/api/schemas/#schema-dog\">Dog</a></p>"),
            "{html}"
        );
        // A <summary> is a control: no link inside one (axe's
        // nested-interactive).
        for summary in html.split("<summary>").skip(1) {
            let summary = &summary[..summary.find("</summary>").unwrap()];
            assert!(!summary.contains("<a "), "{summary}");
        }
        let first = html.find("1. <code>cat</code>").unwrap();
        let second = html.find("2. <code>dog</code>").unwrap();
        assert!(html[..first].ends_with(" open><summary>"), "{html}");
        assert!(!html[..second].ends_with(" open><summary>"), "{html}");
        assert!(html.contains("meows") && html.contains("barks"), "{html}");
        // Scalar alternatives have nothing to unfold: a plain line each.
        let scalar = Schema {
            any_of: vec![
                Schema {
                    types: vec!["string".into()],
                    ..Schema::default()
                },
                Schema {
                    types: vec!["integer".into()],
                    ..Schema::default()
                },
            ],
            ..Schema::default()
        };
        let html = one(&m, scalar);
        assert!(
            html.contains("<p class=\"t\">string | integer</p>"),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"alt\">1. string</p><p class=\"alt\">2. integer</p>"),
            "{html}"
        );
    }

    #[test]
    fn a_lone_alternative_is_read_as_the_schema_itself() {
        // Stripe's optional objects: `anyOf: [$ref]` and `nullable`.
        let m = model(json!({
            "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
            "Customer": {"type": "object", "properties": {"address": {
                "anyOf": [{"$ref": "#/components/schemas/Address"}],
                "nullable": true,
                "description": "Where the customer lives.",
            }}},
        }));
        let html = one(&m, reference("Customer"));
        assert!(!html.contains("alternative"), "{html}");
        assert!(
            html.contains("<code class=\"n\">address</code> <span class=\"t\"><a href=\"/api/schemas/#schema-address\">Address</a> | null</span><p>Where the customer lives.</p>\n<details open><summary>1 property</summary><div id=\"t2\"><ul class=\"props\"><li><code class=\"n\">city</code>"),
            "{html}"
        );
    }

    #[test]
    fn recursion_is_a_link_to_the_node_already_shown() {
        let m = model(json!({
            "Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "parent": {"$ref": "#/components/schemas/Node"},
            }},
        }));
        let html = one(&m, reference("Node"));
        let id = html
            .split("<div class=\"tree\" id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        // Each recursive use links to the root node, never expands again.
        assert_eq!(
            html.matches(&format!("<a href=\"#{id}\">Shown above</a> (recursive)"))
                .count(),
            2,
            "{html}"
        );
        assert_eq!(
            html.matches("<code class=\"n\">name</code>").count(),
            1,
            "{html}"
        );
    }

    #[test]
    fn named_schemas_nest_to_a_depth_then_link_to_their_pages() {
        let mut schemas = serde_json::Map::new();
        for i in 0..6 {
            schemas.insert(
                format!("L{i}"),
                json!({"type": "object", "properties": {
                    format!("field{i}"): {"type": "string"},
                    "next": {"$ref": format!("#/components/schemas/L{}", i + 1)},
                }}),
            );
        }
        let m = model(Json::Object(schemas));
        let html = one(&m, reference("L0"));
        for i in 0..MAX_NAMED_DEPTH {
            assert!(
                html.contains(&format!("<code class=\"n\">field{i}</code>")),
                "L{i} expanded: {html}"
            );
        }
        let deeper = MAX_NAMED_DEPTH;
        assert!(!html.contains(&format!("field{deeper}")), "{html}");
        // The first one not expanded is a link to its page.
        assert!(
            html.contains(&format!(
                "<a href=\"/api/schemas/#schema-l{deeper}\">L{deeper}</a>"
            )),
            "{html}"
        );
        // Levels below the first are folded; the first level is open.
        assert!(
            html.contains("<details open><summary>2 properties</summary>"),
            "{html}"
        );
        assert!(
            html.contains("<details><summary>2 properties</summary>"),
            "{html}"
        );
    }

    #[test]
    fn the_row_budget_keeps_big_named_schemas_as_links() {
        let wide: serde_json::Map<String, Json> = (0..50)
            .map(|i| (format!("p{i}"), json!({"type": "integer"})))
            .collect();
        let m = model(json!({
            "Wide": {"type": "object", "properties": wide},
            "Holder": {"type": "object", "properties": {"wide": {"$ref": "#/components/schemas/Wide"}}},
        }));
        let big = render(&m, &[reference("Holder")], 100).remove(0);
        assert!(big.contains("<code class=\"n\">p49</code>"), "{big}");
        let small = render(&m, &[reference("Holder")], 20).remove(0);
        assert!(!small.contains("<code class=\"n\">p0</code>"), "{small}");
        assert!(small.contains("<code class=\"n\">wide</code> <span class=\"t\"><a href=\"/api/schemas/#schema-wide\">Wide</a></span>"), "{small}");
    }

    #[test]
    fn inline_nesting_past_the_depth_limit_is_a_note() {
        let mut schema = Schema {
            types: vec!["string".into()],
            ..Schema::default()
        };
        for _ in 0..MAX_DEPTH + 3 {
            schema = Schema {
                types: vec!["object".into()],
                properties: vec![Property {
                    name: "deeper".into(),
                    required: false,
                    schema,
                }],
                ..Schema::default()
            };
        }
        let m = model(json!({}));
        let html = one(&m, schema);
        assert!(html.contains("(deeper levels not shown)"), "{html}");
        assert_eq!(
            html.matches("<code class=\"n\">deeper</code>").count(),
            MAX_DEPTH + 1
        );
    }

    #[test]
    fn a_page_shows_a_named_schema_and_a_long_enum_once() {
        let categories: Vec<Json> = (0..40).map(|i| json!(format!("category_{i}"))).collect();
        let m = model(json!({
            "Card": {"type": "object", "properties": {
                "allowed": {"type": "array", "items": {"type": "string", "enum": categories}},
                "blocked": {"type": "array", "items": {"type": "string", "enum": categories}},
            }},
        }));
        let pages = render(&m, &[reference("Card"), reference("Card")], budget::BODY);
        let (first, second) = (&pages[0], &pages[1]);
        assert_eq!(first.matches("category_39").count(), 1, "{first}");
        assert!(
            first.contains("one of the 40 values <a href=\"#e"),
            "{first}"
        );
        assert!(first.contains("<details class=\"enum\" id=\"e"), "{first}");
        // The second use of Card on the page links to the first.
        assert!(
            second.contains("<a href=\"#t1\">Shown above</a>"),
            "{second}"
        );
        assert!(!second.contains("category_"), "{second}");
    }

    #[test]
    fn sides_hide_what_they_never_see_and_text_is_escaped() {
        let m = model(json!({
            "User": {"type": "object", "properties": {
                "id": {"type": "string", "readOnly": true},
                "password": {"type": "string", "writeOnly": true},
                "<b>name</b>": {"type": "string", "nullable": true, "deprecated": true, "default": "<i>x</i>"},
            }},
        }));
        let named = Named::new(m.schemas.iter().map(|s| (s.name.as_str(), &s.schema)));
        let urls = ReferenceUrls::new("api/".into(), "/", &m);
        let trees = SchemaTrees::new(&named, &urls);
        let mut page = PageTrees::default();
        let request = trees.body(&mut page, &reference("User"), Some(Side::Request), 50);
        let mut page = PageTrees::default();
        let response = trees.body(&mut page, &reference("User"), Some(Side::Response), 50);
        let mut page = PageTrees::default();
        let both = trees.named_page(&mut page, "User", &m.schemas[0].schema, "schema");
        assert!(
            !request.contains(">id<") && request.contains(">password<"),
            "{request}"
        );
        assert!(
            response.contains(">id<") && !response.contains(">password<"),
            "{response}"
        );
        assert!(
            both.contains("<span class=\"flag\">read-only</span>"),
            "{both}"
        );
        assert!(
            both.contains("<span class=\"flag\">write-only</span>"),
            "{both}"
        );
        assert!(both.contains("<code class=\"n\">&lt;b&gt;name&lt;/b&gt;</code> <span class=\"t\">string | null</span> <span class=\"badge warning\">deprecated</span>"), "{both}");
        assert!(
            both.contains("default <code>&lt;i&gt;x&lt;/i&gt;</code>"),
            "{both}"
        );
        assert!(!both.contains("<b>") && !both.contains("<i>"), "{both}");
    }
}
