//! HTML pages from the checked catalog, through the embedded minijinja theme
//! (`themes/default/`). Every value from users reaches a template as data and
//! is escaped there; markdown is rendered and sanitised first
//! ([`crate::markdown`]); link URLs are kept only for web and mail schemes.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use portolan_catalog::{Catalog, EntityId, EntityRef, Kind};
use portolan_check::Checked;
use portolan_core::Diagnostic;
use portolan_core::diagnostic::Summary;
use rayon::prelude::*;
use serde::Serialize;

use crate::catalog_json::bundle_paths;
use crate::markdown::{plain_summary, render_markdown, safe_url};
use crate::memo::{Kept, Memo, Sink};
use crate::reference::{
    ReferenceUrls, definition_language, definition_text, render_reference, source_view,
};

/// The embedded theme: (name, source).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../../themes/default/templates/macros.html"),
    ),
    (
        "home.html",
        include_str!("../../../themes/default/templates/home.html"),
    ),
    (
        "catalog.html",
        include_str!("../../../themes/default/templates/catalog.html"),
    ),
    (
        "entity.html",
        include_str!("../../../themes/default/templates/entity.html"),
    ),
    (
        "checks.html",
        include_str!("../../../themes/default/templates/checks.html"),
    ),
    (
        "404.html",
        include_str!("../../../themes/default/templates/404.html"),
    ),
    (
        "api.html",
        include_str!("../../../themes/default/templates/api.html"),
    ),
    (
        "api-tag.html",
        include_str!("../../../themes/default/templates/api-tag.html"),
    ),
    (
        "api-schema.html",
        include_str!("../../../themes/default/templates/api-schema.html"),
    ),
    (
        "docs.html",
        include_str!("../../../themes/default/templates/docs.html"),
    ),
    (
        "facets.html",
        include_str!("../../../themes/default/templates/facets.html"),
    ),
    (
        "changes.html",
        include_str!("../../../themes/default/templates/changes.html"),
    ),
    (
        "scorecards.html",
        include_str!("../../../themes/default/templates/scorecards.html"),
    ),
    (
        "scorecard.html",
        include_str!("../../../themes/default/templates/scorecard.html"),
    ),
];

/// The theme's files that a `theme_dir` can't replace: its scripts run
/// under the portal's origin, and an SVG opened as a page can run script.
pub const FIXED_ASSETS: &[(&str, &str)] = &[
    (
        "assets/theme.js",
        include_str!("../../../themes/default/assets/theme.js"),
    ),
    (
        "assets/favicon.svg",
        include_str!("../../../themes/default/assets/favicon.svg"),
    ),
];

pub const ASSETS: &[(&str, &str)] = &[
    (
        "assets/portolan.css",
        include_str!("../../../themes/default/assets/portolan.css"),
    ),
    (
        "assets/portolan.js",
        include_str!("../../../themes/default/assets/portolan.js"),
    ),
    (
        "assets/search.js",
        include_str!("../../../themes/default/assets/search.js"),
    ),
];

/// Site-wide values every template sees as `site`. The counts are given
/// only to the pages that list the catalog (home, explorer, checks): a page
/// about one entity does not change when another entity is added, so
/// `serve` and `build` can keep it.
#[derive(Debug, Clone, Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    /// URL prefix of every link, ending in `/`.
    base: &'a str,
    version: &'a str,
    /// The commit the catalog was read from (the footer's "built from").
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<CommitContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<usize>,
    /// The catalog has scorecards: the header links to their pages.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    scorecards: bool,
}

/// A commit as templates see it: its short id and its date (UTC).
#[derive(Debug, Clone, Serialize)]
struct CommitContext {
    id: String,
    date: String,
}

/// A link to an entity (or a reference to one that is not in the catalog).
#[derive(Debug, Clone, Serialize)]
struct EntityLink {
    label: String,
    url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct EntityRow {
    #[serde(rename = "ref")]
    entity_ref: String,
    label: String,
    kind: String,
    url: String,
    #[serde(rename = "type")]
    spec_type: Option<String>,
    lifecycle: Option<String>,
    owner: Option<EntityLink>,
    system: Option<EntityLink>,
    tags: Vec<String>,
    /// Explorer pages filtered by this row's type, lifecycle and tags.
    type_url: Option<String>,
    lifecycle_url: Option<String>,
    tag_links: Vec<EntityLink>,
    summary: String,
    /// Its owner and system as facet values (the explorer's rows carry
    /// them for the script's filters).
    facet_data: crate::explorer::FacetData,
    /// Its level on each scorecard that selects it, and how it sorts.
    levels: Vec<crate::explorer::LevelCell>,
    level_sort: String,
}

#[derive(Debug, Serialize)]
struct KindCount {
    key: String,
    label: String,
    count: usize,
    url: String,
}

#[derive(Debug, Serialize)]
struct DiagnosticRow {
    severity: String,
    code: String,
    message: String,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    entity: Option<EntityLink>,
}

/// Rows per page of the catalog explorer.
const ROWS_PER_PAGE: usize = 500;

/// Findings per page of the checks page.
const CHECK_ROWS_PER_PAGE: usize = 1000;

/// Page `index` (from 0) of an explorer table rooted at `root`. `_page2`
/// cannot clash with a namespace: those are DNS labels, without `_`.
fn explorer_page_path(root: &str, index: usize) -> String {
    match index {
        0 => root.to_string(),
        n => format!("{root}_page{}/", n + 1),
    }
}

/// Site path (relative, ending in `/`) of an entity's page.
pub fn entity_url(catalog: &Catalog, id: EntityId) -> String {
    let e = &catalog.entities[id];
    format!(
        "catalog/{}/{}/{}/",
        url_segment(&e.kind_name),
        url_segment(&e.namespace),
        url_segment(&e.name)
    )
}

/// A path segment from an entity's kind, namespace or name.
fn url_segment(s: &str) -> String {
    crate::site_path::name_segment(s)
}

fn kind_url(kind: &str) -> String {
    format!("catalog/{}/", url_segment(kind))
}

fn is_listed(catalog: &Catalog, id: EntityId) -> bool {
    let e = &catalog.entities[id];
    e.has_identity() && catalog.index.get(e.key_ref()) == Some(&id)
}

pub(crate) fn entity_label(catalog: &Catalog, id: EntityId) -> String {
    let e = &catalog.entities[id];
    e.title()
        .map(str::to_string)
        .unwrap_or_else(|| e.name.clone())
}

fn link_to(catalog: &Catalog, target: &EntityRef) -> EntityLink {
    match catalog.index.get(&target.key()) {
        Some(&id) => EntityLink {
            label: entity_label(catalog, id),
            url: Some(entity_url(catalog, id)),
        },
        None => EntityLink {
            label: target.to_string(),
            url: None,
        },
    }
}

/// The entity a spec field refers to, as a link.
fn field_link(catalog: &Catalog, id: EntityId, field: &str) -> Option<EntityLink> {
    catalog
        .references_from(id)
        .iter()
        .find(|r| r.field == field)
        .map(|r| link_to(catalog, &r.target))
}

fn row(catalog: &Catalog, id: EntityId, levels: Vec<crate::explorer::LevelCell>) -> EntityRow {
    use crate::explorer::{facet_url, value_segment};
    let e = &catalog.entities[id];
    let description = e.description();
    EntityRow {
        type_url: e
            .spec_str("type")
            .map(|t| facet_url("type", &value_segment(t))),
        lifecycle_url: e
            .spec_str("lifecycle")
            .map(|l| facet_url("lifecycle", &value_segment(l))),
        tag_links: e
            .tags()
            .map(|t| EntityLink {
                label: t.to_string(),
                url: Some(facet_url("tag", &value_segment(t))),
            })
            .collect(),
        entity_ref: e.entity_ref().to_string(),
        label: entity_label(catalog, id),
        kind: e.kind_name.clone(),
        url: entity_url(catalog, id),
        spec_type: e.spec_str("type").map(str::to_string),
        lifecycle: e.spec_str("lifecycle").map(str::to_string),
        owner: field_link(catalog, id, "owner"),
        system: field_link(catalog, id, "system").or_else(|| field_link(catalog, id, "domain")),
        tags: e.tags().map(str::to_string).collect(),
        summary: plain_summary(description, 160),
        facet_data: Default::default(),
        level_sort: crate::explorer::level_sort_key(&levels),
        levels,
    }
}

fn diagnostic_row(checked: &Checked, d: &Diagnostic, entity: Option<EntityLink>) -> DiagnosticRow {
    let position = crate::catalog_json::diagnostic_position(checked, d);
    DiagnosticRow {
        severity: d.severity.to_string(),
        code: d.code.clone(),
        message: d.message.clone(),
        file: d.file.clone(),
        line: position.map(|p| p.line),
        column: position.map(|p| p.column),
        entity,
    }
}

/// Which entity a diagnostic belongs to (its document holds it).
fn owner_of(
    checked: &Checked,
    entities_by_file: &BTreeMap<&str, Vec<EntityId>>,
    d: &Diagnostic,
) -> Option<EntityId> {
    let (file, span) = (d.file.as_deref()?, d.span?);
    entities_by_file.get(file)?.iter().copied().find(|&id| {
        let node = &checked.catalog.entities[id].node;
        span.start >= node.span.start && span.start <= node.span.end
    })
}

/// Rows of "owned by this group and its sub-groups" listed on a group's
/// page; above this the page lists, per owning group, a count and a link
/// to that group's owner filter in the explorer, so the page of an
/// organisation's root group stays small and every entity stays reachable.
const OWNED_ROWS_ON_PAGE: usize = 250;

/// The group page's ownership section: every row, or a summary per owning
/// group when there are too many.
fn owned_view(catalog: &Catalog, rows: Vec<(OwnedRow, EntityId)>) -> Value {
    let total = rows.len();
    // Rows come sorted by kind: counted (and, when they fit, listed) per kind.
    let mut kinds: Vec<(String, Vec<OwnedRow>, usize)> = Vec::new();
    let fits = total <= OWNED_ROWS_ON_PAGE;
    let mut by_owner: BTreeMap<EntityId, usize> = BTreeMap::new();
    for (row, owner) in rows {
        *by_owner.entry(owner).or_default() += 1;
        if kinds.last().is_none_or(|(kind, _, _)| *kind != row.kind) {
            kinds.push((row.kind.clone(), Vec::new(), 0));
        }
        let last = kinds.last_mut().expect("pushed above");
        last.2 += 1;
        if fits {
            last.1.push(row);
        }
    }
    let by_kind: Vec<Value> = kinds
        .into_iter()
        .map(|(kind, rows, count)| context! { kind => kind, count => count, rows => v(rows) })
        .collect();
    if fits {
        return context! { total => total, by_kind => by_kind };
    }
    let mut owners: Vec<Value> = by_owner
        .into_iter()
        .map(|(owner, count)| {
            context! {
                owner => v(EntityLink { label: entity_label(catalog, owner), url: Some(entity_url(catalog, owner)) }),
                count => count,
                url => crate::explorer::facet_url("owner", &crate::explorer::entity_segment(catalog, owner)),
            }
        })
        .collect();
    owners.sort_by_key(|o| {
        o.get_attr("owner")
            .and_then(|l| l.get_attr("label"))
            .map(|l| l.to_string().to_lowercase())
            .unwrap_or_default()
    });
    context! { total => total, by_kind => by_kind, by_owner => owners }
}

/// Groups' sub-groups and what each group owns, for group pages.
struct Ownership {
    children: BTreeMap<EntityId, Vec<EntityId>>,
    owned: BTreeMap<EntityId, Vec<EntityId>>,
}

#[derive(Debug, Serialize)]
struct OwnedRow {
    entity: EntityLink,
    kind: String,
    /// The sub-group that owns it, when not the group itself.
    via: Option<EntityLink>,
}

impl Ownership {
    fn of(catalog: &Catalog) -> Self {
        use portolan_catalog::relations::RelationType;
        let mut children: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
        let mut owned: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
        for r in &catalog.references {
            let Some(target) = r.resolved else { continue };
            match r.relation {
                // Both sides of the hierarchy count: `children` on the
                // parent, `parent` on the child.
                RelationType::ParentOf => children.entry(r.from).or_default().push(target),
                RelationType::ChildOf => children.entry(target).or_default().push(r.from),
                RelationType::OwnedBy => owned.entry(target).or_default().push(r.from),
                _ => {}
            }
        }
        for list in children.values_mut().chain(owned.values_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        Ownership { children, owned }
    }

    /// Everything `group` owns, directly or through any sub-group, with
    /// the group that owns it directly.
    fn owned_through_subgroups(
        &self,
        catalog: &Catalog,
        group: EntityId,
    ) -> Vec<(OwnedRow, EntityId)> {
        if catalog.entities[group].kind != Kind::Group {
            return Vec::new();
        }
        let mut seen = std::collections::BTreeSet::from([group]);
        let mut queue = vec![group];
        let mut rows = Vec::new();
        while let Some(g) = queue.pop() {
            for &id in self.owned.get(&g).into_iter().flatten() {
                let row = OwnedRow {
                    entity: EntityLink {
                        label: entity_label(catalog, id),
                        url: Some(entity_url(catalog, id)),
                    },
                    kind: catalog.entities[id].kind_name.clone(),
                    via: (g != group).then(|| EntityLink {
                        label: entity_label(catalog, g),
                        url: Some(entity_url(catalog, g)),
                    }),
                };
                rows.push((row, g));
            }
            for &child in self.children.get(&g).into_iter().flatten() {
                // A cycle in the hierarchy must not loop forever.
                if seen.insert(child) {
                    queue.push(child);
                }
            }
        }
        rows.sort_by(|(a, _), (b, _)| (&a.kind, &a.entity.label).cmp(&(&b.kind, &b.entity.label)));
        rows
    }
}

/// One API an entity provides or consumes, as its page shows it.
#[derive(Debug, Serialize)]
struct ApiUse {
    api: EntityLink,
    /// `providesApi` or `consumesApi`.
    relation: &'static str,
    /// The definition's format and operation counts, when portolan read it.
    counts: Option<crate::entity_cards::ApiCounts>,
    /// Its API reference, when one was made.
    reference: Option<String>,
}

/// The APIs card: what an entity provides, then what it consumes.
fn api_uses_view(
    catalog: &Catalog,
    id: EntityId,
    counts: &BTreeMap<EntityId, crate::entity_cards::ApiCounts>,
) -> Value {
    let mut provided = Vec::new();
    let mut consumed = Vec::new();
    for (relation, api) in crate::entity_cards::api_uses(catalog, id) {
        if !is_listed(catalog, api) {
            continue;
        }
        let shown = counts.get(&api).cloned();
        let row = ApiUse {
            api: EntityLink {
                label: entity_label(catalog, api),
                url: Some(entity_url(catalog, api)),
            },
            relation: relation.as_str(),
            reference: shown
                .as_ref()
                .map(|_| format!("{}reference/", entity_url(catalog, api))),
            counts: shown,
        };
        match relation {
            portolan_catalog::relations::RelationType::ProvidesApi => provided.push(row),
            _ => consumed.push(row),
        }
    }
    if provided.is_empty() && consumed.is_empty() {
        return Value::from(());
    }
    context! { provided => v(provided), consumed => v(consumed) }
}

/// A group's team card: its parent groups, sub-groups and members, each
/// sorted by label.
fn team_view(catalog: &Catalog, relations: &[portolan_catalog::Relation]) -> Value {
    let (parents, children, members) = crate::entity_cards::team_relations(relations);
    let links = |list: Vec<&portolan_catalog::Relation>| -> Vec<EntityLink> {
        let mut out: Vec<EntityLink> = list.iter().map(|r| link_to(catalog, &r.target)).collect();
        out.sort_by_cached_key(|l| (l.label.to_lowercase(), l.url.clone()));
        out
    };
    let members: Vec<Value> = {
        let mut rows: Vec<(EntityLink, Option<String>)> = members
            .iter()
            .map(|r| {
                let profile = |field: &str| {
                    r.resolved.and_then(|m| {
                        catalog.entities[m]
                            .node
                            .pointer(&format!("/spec/profile/{field}"))
                            .and_then(|n| n.as_str())
                            .map(str::to_string)
                    })
                };
                let mut link = link_to(catalog, &r.target);
                // A person by the name their profile gives, unless the
                // descriptor has a title.
                if let Some(name) = profile("displayName").filter(|_| {
                    r.resolved
                        .is_some_and(|m| catalog.entities[m].title().is_none())
                }) {
                    link.label = name;
                }
                (link, profile("email"))
            })
            .collect();
        rows.sort_by_cached_key(|(l, _)| (l.label.to_lowercase(), l.url.clone()));
        rows.into_iter()
            .map(|(member, email)| context! { member => v(member), email => email })
            .collect()
    };
    context! { parents => v(links(parents)), children => v(links(children)), members => members }
}

pub struct PageOptions<'a> {
    pub theme: &'a ThemeOverrides,
    pub title: &'a str,
    pub base: &'a str,
    pub tool_version: &'a str,
    /// Prefix of "edit" links: the descriptor's path is appended.
    pub edit_url: Option<&'a str>,
    /// Recent git history of the catalog root, for "recently changed".
    pub history: Option<&'a portolan_core::history::History>,
    /// Leave commit messages out (they may name entities an audience build
    /// hides); in changelogs, authors too.
    pub hide_commit_messages: bool,
    /// API changelogs by entity ref; `None` outside git or when turned off.
    pub changelogs: Option<&'a crate::changelog::Changelogs>,
    /// Scorecards' levels and rule states; `None` when the catalog was not
    /// scored.
    pub scorecards: Option<&'a crate::scorecards::SiteScorecards>,
}

/// How many entities the home page lists as recently changed.
const RECENTLY_CHANGED: usize = 15;

/// The listed entities whose descriptor or API definition files changed in
/// the walked history, newest first: (entity, commit).
fn recently_changed<'h>(
    checked: &Checked,
    listed: &[EntityId],
    history: &'h portolan_core::history::History,
) -> Vec<(EntityId, &'h portolan_core::history::Commit)> {
    let catalog = &checked.catalog;
    let mut changed: Vec<(EntityId, &portolan_core::history::Commit)> = listed
        .iter()
        .filter_map(|&id| {
            let entity = &catalog.entities[id];
            let definition_files = checked
                .apis
                .get(&id)
                .into_iter()
                .flat_map(|d| d.files.iter().map(|f| f.path.as_str()));
            std::iter::once(entity.file.as_str())
                .chain(definition_files)
                .filter_map(|path| history.changed.get(path))
                .max_by_key(|commit| commit.time)
                .map(|commit| (id, commit))
        })
        .collect();
    changed.sort_by(|(a, ca), (b, cb)| {
        cb.time
            .cmp(&ca.time)
            .then_with(|| entity_label(catalog, *a).cmp(&entity_label(catalog, *b)))
    });
    changed.truncate(RECENTLY_CHANGED);
    changed
}

/// Templates and assets a catalog repository replaces, one file at a time
/// (`theme_dir` in portolan.toml): name → (catalog path, text).
#[derive(Debug, Clone, Default)]
pub struct ThemeOverrides {
    pub files: BTreeMap<String, (String, String)>,
}

/// The environment with the embedded theme, overridden file by file.
fn environment(overrides: &ThemeOverrides) -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // minijinja's HTML escaping also turns `/` into `&#x2f;`, which every
    // URL has many of; escaping `& < > " '` is what HTML needs in text and
    // quoted attributes, and keeps a 10,000-entity portal a fifth smaller.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text)
            if !value.is_safe() && matches!(state.auto_escape(), minijinja::AutoEscape::Html) =>
        {
            out.write_str(&crate::reference::esc(text)).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    for (name, source) in TEMPLATES {
        match overrides.files.get(*name) {
            Some((_, text)) => env.add_template_owned(name.to_string(), text.clone())?,
            // The embedded theme is tested to parse; a failure is a build bug.
            None => env
                .add_template(name, source)
                .expect("embedded template parses"),
        }
    }
    Ok(env)
}

/// Render every page into `sink`, reusing what `memo` holds from the last
/// render when its inputs are the same.
pub(crate) fn render_pages(
    checked: &Checked,
    options: &PageOptions<'_>,
    memo: Memo<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), minijinja::Error> {
    let catalog = &checked.catalog;
    // The environment (every template parsed) is kept by a cache: the
    // cache is emptied when the theme changes.
    let made_env;
    let env: &Environment<'static> = match memo.previous().and_then(|p| p.environment.as_deref()) {
        Some(env) => env,
        None => {
            made_env = Arc::new(environment(options.theme)?);
            sink.environment = Some(made_env.clone());
            &made_env
        }
    };
    if sink.environment.is_none() {
        sink.environment = memo.previous().and_then(|p| p.environment.clone());
    }
    let listed: Vec<EntityId> = (0..catalog.entities.len())
        .filter(|&id| is_listed(catalog, id))
        .collect();
    let summary = Summary::of(&checked.diagnostics);
    // With a cache: which entities a change since the last render can
    // reach (`None`: all of them, as on a first render).
    let previous = memo.previous();
    let structure = sink
        .caching()
        .then(|| crate::dirty::Structure::of(catalog, &listed));
    let affected: Option<HashSet<crate::dirty::Key>> = match (previous, &structure) {
        (Some(previous), Some(new)) => match (previous.structure.as_ref(), previous.reparsed()) {
            (Some(old), Some(reparsed)) => {
                let changed = crate::dirty::changed_entities(old, new, reparsed);
                Some(crate::dirty::affected(old, new, &changed))
            }
            _ => None,
        },
        _ => None,
    };
    // The last render's record of each entity no change reached (in the
    // order of `listed`).
    let unreached = |id: EntityId| -> Option<&Arc<crate::memo::EntityRecord>> {
        let key = catalog.entities[id].key_ref();
        if affected.as_ref()?.contains(&crate::dirty::key_of(key)) {
            return None;
        }
        previous?.entities.get(key)
    };
    let unreached_of: Vec<Option<&Arc<crate::memo::EntityRecord>>> =
        listed.par_iter().map(|&id| unreached(id)).collect();
    // One page's `site` (without the counts), and the listing pages'.
    let page_site = SiteContext {
        title: options.title,
        base: options.base,
        version: options.tool_version,
        commit: options
            .history
            .and_then(|h| h.head.as_ref())
            .map(|commit| CommitContext {
                id: commit.short_id().to_string(),
                date: portolan_core::history::format_date(commit.time),
            }),
        entity_count: None,
        errors: None,
        warnings: None,
        scorecards: options.scorecards.is_some_and(|s| !s.cards.is_empty()),
    };
    let site = SiteContext {
        entity_count: Some(listed.len()),
        errors: Some(summary.errors),
        warnings: Some(summary.warnings),
        ..page_site.clone()
    };
    let mut by_kind: BTreeMap<String, Vec<EntityId>> = BTreeMap::new();
    for &id in &listed {
        by_kind
            .entry(catalog.entities[id].kind_name.clone())
            .or_default()
            .push(id);
    }
    let kinds: Vec<KindCount> = by_kind
        .iter()
        .map(|(kind, ids)| KindCount {
            key: kind.clone(),
            label: kind.clone(),
            count: ids.len(),
            url: kind_url(kind),
        })
        .collect();

    for (path, text) in ASSETS {
        // The theme's scripts are never replaced (render_site refuses
        // such an override before it gets here).
        let replaced = options
            .theme
            .files
            .get(*path)
            .filter(|_| !crate::theme_guard::is_theme_script(path));
        match replaced {
            Some((_, replaced)) => sink.insert_new(*path, replaced.clone()),
            None => sink.insert_new(*path, *text),
        }
    }
    for (path, text) in FIXED_ASSETS {
        sink.insert_new(*path, *text);
    }
    sink.insert_new("assets/highlight.css", crate::highlight::stylesheet());

    // Home.
    // Each domain's systems, gathered in one pass (not one per domain).
    let mut in_domain: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
    for r in catalog.references.iter().filter(|r| r.field == "domain") {
        if let Some(domain) = r.resolved {
            in_domain.entry(domain).or_default().push(r.from);
        }
    }
    let domains: Vec<_> = listed
        .iter()
        .filter(|&&id| catalog.entities[id].kind == Kind::Domain)
        .map(|&id| {
            let systems: Vec<EntityLink> = in_domain
                .get(&id)
                .into_iter()
                .flatten()
                .map(|&from| EntityLink { label: entity_label(catalog, from), url: Some(entity_url(catalog, from)) })
                .collect();
            let description = catalog.entities[id].description();
            context! { label => entity_label(catalog, id), url => entity_url(catalog, id), description => plain_summary(description, 160), systems => v(systems) }
        })
        .collect();
    let recent: Vec<Value> = options
        .history
        .map(|history| recently_changed(checked, &listed, history))
        .unwrap_or_default()
        .into_iter()
        .map(|(id, commit)| {
            context! {
                label => entity_label(catalog, id),
                url => entity_url(catalog, id),
                kind => catalog.entities[id].kind_name.clone(),
                date => portolan_core::history::format_date(commit.time),
                commit => commit.short_id(),
                summary => (!options.hide_commit_messages).then(|| commit.summary.clone()),
            }
        })
        .collect();
    let head = options.history.and_then(|h| h.head.as_ref()).map(|commit| {
        context! {
            date => portolan_core::history::format_date(commit.time),
            commit => commit.short_id(),
        }
    });
    sink.page(memo.page(
        &env.get_template("home.html")?,
        "index.html",
        context! {
            site => v(&site),
            section => "home",
            kinds => v(&kinds),
            domains => domains,
            recent => recent,
            head => head,
            scorecards => v(options.scorecards.map(crate::scorecards::card_summaries)),
        },
    )?);

    // Explorer: everything, one table per kind and one per facet value
    // (filters that work as plain links), each split into pages of
    // ROWS_PER_PAGE; and an index page per facet.
    let catalog_tpl = env.get_template("catalog.html")?;
    let facets_tpl = env.get_template("facets.html")?;
    // The level facet exists when scorecards do.
    let has_levels = options.scorecards.is_some_and(|s| !s.cards.is_empty());
    let facets_shown: Vec<(&str, &str)> = crate::explorer::FACETS
        .iter()
        .copied()
        .filter(|(key, _)| *key != "level" || has_levels)
        .collect();
    let facet_nav: Vec<Value> = facets_shown
        .iter()
        .map(|(key, label)| context! { key => *key, label => *label, url => crate::explorer::facet_index_url(key) })
        .collect();
    // (URL, heading, current kind, current facet, entities)
    let mut tables: Vec<(String, String, String, String, Vec<EntityId>)> = vec![(
        "catalog/".into(),
        "Catalog".into(),
        String::new(),
        String::new(),
        listed.clone(),
    )];
    tables.extend(by_kind.iter().map(|(kind, ids)| {
        (
            kind_url(kind),
            kind.clone(),
            kind.clone(),
            String::new(),
            ids.clone(),
        )
    }));
    // What every explorer page shares, hashed once (pages are keyed by it
    // and their rows' hashes, so an unchanged page is not rebuilt).
    let explorer_key = memo.previous().map(|_| {
        crate::memo::hash_of(
            serde_json::to_string(&(v(&site), v(&kinds), &facet_nav)).unwrap_or_default(),
        )
    });
    // Each entity is a row of several tables (all, its kind, each of its
    // facets), with its facet values: built once, or kept from the last
    // render for an entity no change reached.
    let rows_by_id: BTreeMap<EntityId, Arc<EntityRowCache>> = listed
        .par_iter()
        .zip(&unreached_of)
        .map(|(&id, record)| {
            // Levels are read again each time: a scorecard's file can
            // change what no change to the entity reached.
            let levels = crate::explorer::entity_levels(options.scorecards, id);
            let row = match record {
                Some(record) if record.row.row.levels == levels => record.row.clone(),
                _ => {
                    let facets = crate::explorer::facet_entries(
                        catalog,
                        id,
                        &|t| entity_label(catalog, t),
                        &levels,
                    );
                    Arc::new(EntityRowCache::new(row(catalog, id, levels), facets))
                }
            };
            (id, row)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let values = crate::explorer::group_facets(&listed, &|i| &rows_by_id[&listed[i]].facets);
    for (key, label) in &facets_shown {
        let values = values.get(key).map(Vec::as_slice).unwrap_or_default();
        let context = || {
            let entries: Vec<Value> = values
                .iter()
                .map(|value| {
                    context! {
                        label => value.label.clone(),
                        count => value.entities.len(),
                        url => crate::explorer::facet_url(key, &value.segment),
                    }
                })
                .collect();
            context! {
                site => v(&site), section => "catalog", heading => format!("Catalog by {}", label.to_lowercase()),
                kinds => v(&kinds), facets => facet_nav.clone(), current_facet => *key, values => entries,
            }
        };
        let path = format!("{}index.html", crate::explorer::facet_index_url(key));
        sink.page(match explorer_key {
            // Keyed by what the entries are made from.
            Some(shared) => {
                let key = crate::memo::hash_of((
                    shared,
                    key,
                    values
                        .iter()
                        .map(|v| (&v.label, &v.segment, v.entities.len()))
                        .collect::<Vec<_>>(),
                ));
                memo.page_keyed(&facets_tpl, path, key, context)?
            }
            None => memo.page(&facets_tpl, path, context())?,
        });
        for value in values {
            tables.push((
                crate::explorer::facet_url(key, &value.segment),
                format!("{label}: {}", value.label),
                String::new(),
                key.to_string(),
                value.entities.clone(),
            ));
        }
    }
    for (root, heading, kind, facet, ids) in tables {
        // The facets of this table's rows, with counts, for its sidebar.
        let current = root
            .strip_prefix(&crate::explorer::facet_index_url(&facet))
            .filter(|_| !facet.is_empty())
            .map(|segment| (facet.as_str(), segment.trim_end_matches('/').to_string()));
        let sidebar = crate::explorer::sidebar(
            ids.iter().map(|id| rows_by_id[id].facets.as_slice()),
            current.as_ref().map(|(f, s)| (*f, s.as_str())),
        );
        let sidebar_key = crate::memo::hash_of(serde_json::to_string(&sidebar).unwrap_or_default());
        let total = ids.len();
        // An empty catalog still gets its (empty) explorer page: every
        // page's navigation links to it.
        let mut chunks: Vec<&[EntityId]> = ids.chunks(ROWS_PER_PAGE).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        let page_links: Vec<Value> = (0..chunks.len())
            .map(|i| context! { number => i + 1, url => explorer_page_path(&root, i) })
            .collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let rows: Vec<&EntityRowCache> = chunk
                .iter()
                .filter_map(|id| rows_by_id.get(id).map(|r| &**r))
                .collect();
            let path = format!("{}index.html", explorer_page_path(&root, i));
            let context = || {
                let rows: Vec<&EntityRow> = rows.iter().map(|r| &r.row).collect();
                context! {
                    site => v(&site), section => "catalog", heading => heading.clone(), kinds => v(&kinds),
                    current_kind => kind.clone(), facets => facet_nav.clone(), current_facet => facet.clone(),
                    entities => v(rows), sidebar => v(&sidebar), total => total,
                    first => i * ROWS_PER_PAGE + 1, last => (i * ROWS_PER_PAGE + chunk.len()),
                    pages => if chunks.len() > 1 { page_links.clone() } else { Vec::new() }, page => i + 1,
                }
            };
            sink.page(match explorer_key {
                Some(shared) => {
                    let key = crate::memo::hash_of((
                        shared,
                        &heading,
                        &kind,
                        &facet,
                        sidebar_key,
                        chunks.len(),
                        i,
                        rows.iter().map(|r| r.hash).collect::<Vec<_>>(),
                    ));
                    memo.page_keyed(&catalog_tpl, path, key, context)?
                }
                None => memo.page(&catalog_tpl, path, context())?,
            });
        }
    }

    // Entity pages.
    let entity_tpl = env.get_template("entity.html")?;
    let ownership = Ownership::of(catalog);
    // Made on first use: a rebuild that renders no system or domain page
    // never needs it.
    let graph_index: std::sync::OnceLock<crate::graph::GraphIndex> = std::sync::OnceLock::new();
    // Relations, for the entities rendered: all at once in one pass when
    // many are (a build), one by one when few are (a rebuild).
    let all_relations: std::sync::OnceLock<Vec<Vec<portolan_catalog::Relation>>> =
        std::sync::OnceLock::new();
    let few_to_render = std::sync::atomic::AtomicBool::new(false);
    let relations_of = |id: EntityId| -> std::borrow::Cow<'_, [portolan_catalog::Relation]> {
        if few_to_render.load(std::sync::atomic::Ordering::Relaxed) {
            std::borrow::Cow::Owned(catalog.relations_of(id))
        } else {
            std::borrow::Cow::Borrowed(&all_relations.get_or_init(|| catalog.all_relations())[id])
        }
    };
    let mut diagnostics_by_entity: BTreeMap<EntityId, Vec<&Diagnostic>> = BTreeMap::new();
    let mut entity_of_diagnostic: Vec<Option<EntityId>> =
        Vec::with_capacity(checked.diagnostics.len());
    let mut entities_by_file: BTreeMap<&str, Vec<EntityId>> = BTreeMap::new();
    for (id, e) in catalog.entities.iter().enumerate() {
        entities_by_file
            .entry(e.file.as_str())
            .or_default()
            .push(id);
    }
    for d in &checked.diagnostics {
        let owner = owner_of(checked, &entities_by_file, d).filter(|&id| is_listed(catalog, id));
        if let Some(id) = owner {
            diagnostics_by_entity.entry(id).or_default().push(d);
        }
        entity_of_diagnostic.push(owner);
    }
    // Each entity's page (and its API reference) renders on its own, so in
    // parallel; the results go into the map in a fixed order anyway.
    // A hash of the findings each entity's page shows.
    let findings_of = |id: EntityId| -> u64 {
        // What a row shows is made from these (its line and column from
        // the span, in a file that, unchanged, gives the same ones).
        let shown: Vec<_> = diagnostics_by_entity
            .get(&id)
            .into_iter()
            .flatten()
            .map(|d| (d.severity, &d.code, &d.message, &d.file, d.span))
            .collect();
        crate::memo::hash_of(shown)
    };
    let api_of = |id: EntityId| {
        checked
            .apis
            .get(&id)
            .map(|a| a.clone() as Arc<dyn std::any::Any + Send + Sync>)
    };
    let docs_of = |id: EntityId| {
        checked
            .docs
            .get(&id)
            .map(|d| d.clone() as Arc<dyn std::any::Any + Send + Sync>)
    };
    let changelog_of = |id: EntityId| {
        let log = options.changelogs?;
        (catalog.entities[id].kind == Kind::Api)
            .then(|| log.get(&catalog.entities[id].entity_ref().to_string()))
            .flatten()
    };
    let changes_of = |id: EntityId| {
        crate::changelog::fingerprint(changelog_of(id), options.hide_commit_messages)
    };
    // What an entity's page shows of the scorecards, hashed.
    let scores_of =
        |id: EntityId| crate::scorecards::entity_fingerprint(options.scorecards, catalog, id);
    let same = |a: &Option<Arc<dyn std::any::Any + Send + Sync>>,
                b: &Option<Arc<dyn std::any::Any + Send + Sync>>| match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    };
    // What entity pages show of the APIs they provide and consume, made
    // once per API.
    let api_counts: BTreeMap<EntityId, crate::entity_cards::ApiCounts> = checked
        .apis
        .par_iter()
        .filter_map(|(&id, definition)| {
            let (set, _) = definition.spec.as_ref()?;
            let model = definition.model()?;
            let format = set.format.to_string();
            Some((id, crate::entity_cards::ApiCounts::of(format, model)))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    // A hash of what an entity's page shows of the APIs it provides and
    // consumes: a change to one of their definitions renders it again.
    let uses_of = |id: EntityId| -> u64 {
        let uses = crate::entity_cards::api_uses(catalog, id);
        if uses.is_empty() {
            return 0;
        }
        crate::memo::hash_of(
            uses.iter()
                .map(|(_, api)| api_counts.get(api))
                .collect::<Vec<_>>(),
        )
    };
    let render_entity = |id: EntityId| -> Result<Vec<Made>, minijinja::Error> {
        let mut files = Vec::new();
        let e = &catalog.entities[id];
        let description = e.description();
        let links = crate::entity_cards::entity_links(e);
        let apis = api_uses_view(catalog, id, &api_counts);
        let team = (e.kind == Kind::Group).then(|| team_view(catalog, &relations_of(id)));
        let mut relations: BTreeMap<&'static str, Vec<EntityLink>> = BTreeMap::new();
        for r in relations_of(id).iter() {
            relations
                .entry(r.relation.as_str())
                .or_default()
                .push(link_to(catalog, &r.target));
        }
        let relations: Vec<_> = relations
            .into_iter()
            .map(|(label, targets)| context! { label => label, targets => v(targets) })
            .collect();
        let kv = |pointer: &str| -> Vec<_> {
            e.node
                .pointer(pointer)
                .and_then(|n| n.as_map())
                .into_iter()
                .flatten()
                .map(|entry| context! { key => entry.key.clone(), value => entry.value.as_str().unwrap_or_default().to_string() })
                .collect()
        };
        let position = catalog
            .files
            .get(&e.file)
            .map(|f| f.line_col(e.node.span.start));
        // A mounted repository's entity (`[[sources]]`) links to its own
        // repository's pages (the provenance annotations); the site's
        // `edit_url` prefix is the catalog root's repository.
        let mounted = e.file.contains(':');
        let edit_url = e
            .annotation("backstage.io/edit-url")
            .map(str::to_string)
            .or_else(|| {
                options
                    .edit_url
                    .filter(|_| !mounted)
                    .map(|prefix| format!("{prefix}{}", e.file))
            })
            .filter(|u| safe_url(u));
        let view_url = e
            .annotation("backstage.io/view-url")
            .map(str::to_string)
            .filter(|u| safe_url(u));
        // Definitions portolan does not interpret (GraphQL, gRPC) are shown
        // as source and offered raw for download.
        let mut raw_definition: Option<(String, String)> = None;
        let mut show_source = |language: &str, text: &str, file: Option<&str>| {
            let view = source_view(e, &definition_language(language, text), text, file);
            raw_definition = Some((view.download.clone(), text.to_string()));
            v(view)
        };
        let api = match checked.apis.get(&id) {
            Some(definition) => Some(
                if let (Some((set, _)), Some(model)) = (&definition.spec, definition.model()) {
                    let urls = ReferenceUrls::new(
                        format!("{}reference/", entity_url(catalog, id)),
                        options.base,
                        model,
                    );
                    let key = format!("{}#reference", entity_url(catalog, id));
                    let label = entity_label(catalog, id);
                    files.push(match memo.derived(&key, definition, &label) {
                        Some(kept) => Made(Kept::Derived(key, kept), false),
                        None => {
                            let pages = render_reference(
                                env,
                                &v(&page_site),
                                &label,
                                &entity_url(catalog, id),
                                model,
                                &urls,
                            )?;
                            let pages = pages
                                .into_iter()
                                .map(|(path, html)| (path, html.into_bytes()))
                                .collect();
                            Made(
                                Kept::Derived(key, Memo::made(definition, &label, pages)),
                                true,
                            )
                        }
                    });
                    let (json, yaml) = bundle_paths(checked, id);
                    let counts = if set.format.is_openapi() {
                        format!(
                            "{} operations, {} schemas",
                            model.operations.len() + model.webhooks.len(),
                            model.schemas.len()
                        )
                    } else {
                        format!(
                            "{} channels, {} operations, {} messages",
                            model.channels.len(),
                            model.async_operations.len(),
                            model.messages.len()
                        )
                    };
                    let changes = match changelog_of(id) {
                        Some(log) => {
                            let made = render_changelog(
                                env,
                                &page_site,
                                options,
                                &label,
                                &entity_url(catalog, id),
                                e,
                                log,
                            )?;
                            files.extend(made.files);
                            Some(made.summary)
                        }
                        None => None,
                    };
                    context! { format => set.format.to_string(), spec_version => set.version.clone(), title => model.info.title.clone(), version => model.info.version.clone(), counts => counts, bundle => context! { json => json, yaml => yaml }, reference => urls.root.clone(), changes => v(changes) }
                } else if let Some((language, file)) = &definition.other {
                    // An inline definition's pseudo path (`file#definition`) is no file.
                    show_source(
                        language,
                        &file.text,
                        Some(file.path.as_str()).filter(|p| !p.contains('#')),
                    )
                } else {
                    context! {}
                },
            ),
            None => definition_text(e).map(|(text, file)| {
                show_source(e.spec_str("type").unwrap_or_default(), text, file)
            }),
        };
        if let Some((path, text)) = raw_definition {
            files.push(Made(
                Kept::File(path, None, Arc::from(text.into_bytes())),
                true,
            ));
        }
        let diagnostics: Vec<DiagnosticRow> = diagnostics_by_entity
            .get(&id)
            .into_iter()
            .flatten()
            .map(|d| diagnostic_row(checked, d, None))
            .collect();
        let page = memo.page(&entity_tpl, format!("{}index.html", entity_url(catalog, id)), context! {
            site => v(&page_site),
            section => "catalog",
            e => v(row(catalog, id, Vec::new())),
            kind_url => kind_url(&e.kind_name),
            description_html => render_markdown(description),
            links => v(links),
            relations => relations,
            labels => kv("/metadata/labels"),
            annotations => kv("/metadata/annotations"),
            api => v(api),
            owned => owned_view(catalog, ownership.owned_through_subgroups(catalog, id)),
            docs_url => v(checked.docs.contains_key(&id).then(|| format!("{}docs/", entity_url(catalog, id)))),
            apis => v(apis),
            team => v(team),
            graph => v({
                let url_of = |n| format!("{}{}", options.base, entity_url(catalog, n));
                let label_of = |n| entity_label(catalog, n);
                match e.kind {
                    Kind::System => crate::graph::system_graph(catalog, graph_index.get_or_init(|| crate::graph::GraphIndex::of(catalog)), id, &url_of, &label_of),
                    Kind::Domain => crate::graph::domain_graph(catalog, graph_index.get_or_init(|| crate::graph::GraphIndex::of(catalog)), id, &url_of, &label_of),
                    Kind::Group | Kind::User => None,
                    // Its edges are the Relations card's: not sent to the
                    // template twice.
                    _ => crate::graph::entity_graph(catalog, id, &relations_of(id), &url_of, &label_of)
                        .map(|graph| crate::graph::Graph { edges: Vec::new(), ..graph }),
                }
            }),
            diagnostics => v(diagnostics),
            lint => v(crate::lint_summary::api_lint(checked, id)),
            scorecards => v(options.scorecards.map(|s| crate::scorecards::entity_cards(s, catalog, id))),
            operability => v(crate::operability::of_entity(checked, catalog, id)),
            levels_here => v(options.scorecards.map(|s| crate::scorecards::levels_here(s, catalog, id))),
            source => context! { file => e.file.clone(), line => v(position.map(|p| p.line)), edit_url => v(edit_url), view_url => v(view_url) },
        })?;
        files.push(Made(
            Kept::File(page.path, page.hash, page.bytes),
            page.fresh,
        ));
        Ok(files)
    };
    // An entity no change reached keeps what it made, if what it was made
    // from beyond the catalog's shape (definition, docs, findings) is the
    // same too.
    let caching = sink.caching();
    let kept: Vec<(u64, Option<&Arc<crate::memo::EntityRecord>>)> = listed
        .par_iter()
        .zip(&unreached_of)
        .map(|(&id, record)| {
            let findings = if caching && diagnostics_by_entity.contains_key(&id) {
                findings_of(id)
            } else {
                0
            };
            let record = record.filter(|record| {
                record.findings == findings
                    && record.scores == scores_of(id)
                    && record.operability == crate::operability::fingerprint(checked, catalog, id)
                    && record.changes == changes_of(id)
                    && record.uses == uses_of(id)
                    && same(&record.api, &api_of(id))
                    && same(&record.docs, &docs_of(id))
            });
            (findings, record)
        })
        .collect();
    let to_render = kept.iter().filter(|(_, record)| record.is_none()).count();
    few_to_render.store(to_render < 256, std::sync::atomic::Ordering::Relaxed);
    // Rendered now: the entity and what it made; kept: its last record.
    enum Outcome<'r> {
        Made(u64, Vec<Made>),
        Kept(&'r Arc<crate::memo::EntityRecord>),
    }
    // In chunks: a streaming build writes each chunk's pages before the
    // next is rendered, so they are never all in memory at once.
    for (listed, kept) in listed.chunks(ENTITY_CHUNK).zip(kept.chunks(ENTITY_CHUNK)) {
        let rendered: Vec<Result<(EntityId, Outcome<'_>), minijinja::Error>> = listed
            .par_iter()
            .zip(kept)
            .map(|(&id, &(findings, record))| match record {
                Some(record) => Ok((id, Outcome::Kept(record))),
                None => Ok((id, Outcome::Made(findings, render_entity(id)?))),
            })
            .collect();
        for result in rendered {
            match result? {
                (id, Outcome::Kept(record)) => {
                    for kept in &record.made {
                        sink.kept(kept.clone(), false);
                    }
                    sink.entities
                        .insert(catalog.entities[id].key(), record.clone());
                }
                (id, Outcome::Made(findings, made)) => {
                    if sink.caching() {
                        let record = crate::memo::EntityRecord {
                            api: api_of(id),
                            docs: docs_of(id),
                            findings,
                            scores: scores_of(id),
                            operability: crate::operability::fingerprint(checked, catalog, id),
                            changes: changes_of(id),
                            uses: uses_of(id),
                            row: rows_by_id[&id].clone(),
                            made: made.iter().map(|m| m.0.clone()).collect(),
                        };
                        sink.entities
                            .insert(catalog.entities[id].key(), Arc::new(record));
                    }
                    for Made(kept, fresh) in made {
                        sink.kept(kept, fresh);
                    }
                }
            }
        }
    }
    sink.structure = structure;

    for (&id, docs) in &checked.docs {
        if !is_listed(catalog, id) {
            continue;
        }
        let key = format!("{}#docs", entity_url(catalog, id));
        let label = entity_label(catalog, id);
        match memo.derived(&key, docs, &label) {
            Some(kept) => sink.derived(key, kept, false),
            None => {
                let pages = crate::docs::render_docs(
                    env,
                    &v(&page_site),
                    &label,
                    &entity_url(catalog, id),
                    docs,
                    options.base,
                )?;
                sink.derived(key, Memo::made(docs, &label, pages), true);
            }
        }
    }

    // Checks.
    // Checks: errors first, split into pages like the explorer, with a
    // count per code on the first page.
    let mut rows: Vec<(portolan_core::Severity, DiagnosticRow)> = checked
        .diagnostics
        .iter()
        .zip(&entity_of_diagnostic)
        .map(|(d, owner)| {
            let entity = owner.map(|id| EntityLink {
                label: entity_label(catalog, id),
                url: Some(entity_url(catalog, id)),
            });
            (d.severity, diagnostic_row(checked, d, entity))
        })
        .collect();
    rows.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
    let mut by_code: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    for d in &checked.diagnostics {
        let entry = by_code
            .entry(d.code.as_str())
            .or_insert_with(|| (0, d.severity.to_string()));
        entry.0 += 1;
    }
    let codes: Vec<Value> = by_code
        .into_iter()
        .map(|(code, (count, severity))| {
            let title = portolan_core::codes::find(code)
                .map(|c| c.summary.to_string())
                .unwrap_or_default();
            context! { code => code, count => count, severity => severity, title => title }
        })
        .collect();
    let rows: Vec<DiagnosticRow> = rows.into_iter().map(|(_, row)| row).collect();
    // Design lint per API, by family.
    let lint: Vec<Value> = crate::lint_summary::rows(checked)
        .into_iter()
        .map(|r| context! { entity => v(row(catalog, r.entity, Vec::new())), counts => r.counts, total => r.total })
        .collect();
    let mut chunks: Vec<&[DiagnosticRow]> = rows.chunks(CHECK_ROWS_PER_PAGE).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let page_links: Vec<Value> = (0..chunks.len())
        .map(|i| context! { number => i + 1, url => explorer_page_path("checks/", i) })
        .collect();
    let checks_tpl = env.get_template("checks.html")?;
    for (i, chunk) in chunks.iter().enumerate() {
        let path = format!("{}index.html", explorer_page_path("checks/", i));
        let context = || {
            context! {
                site => v(&site), section => "checks", diagnostics => v(chunk),
                scorecards => v(options.scorecards.map(crate::scorecards::card_summaries)),
                codes => if i == 0 { codes.clone() } else { Vec::new() },
                lint => if i == 0 { lint.clone() } else { Vec::new() },
                lint_families => v(crate::lint_summary::FAMILIES),
                pages => if chunks.len() > 1 { page_links.clone() } else { Vec::new() }, page => i + 1,
            }
        };
        sink.page(match explorer_key {
            // Keyed by the rows (serialised directly: cheaper than the
            // template context made of them).
            Some(shared) => {
                let key = crate::memo::hash_of((
                    shared,
                    i,
                    chunks.len(),
                    serde_json::to_string(chunk).unwrap_or_default(),
                    serde_json::to_string(&codes).unwrap_or_default(),
                    serde_json::to_string(&lint).unwrap_or_default(),
                ));
                memo.page_keyed(&checks_tpl, path, key, context)?
            }
            None => memo.page(&checks_tpl, path, context())?,
        });
    }
    // Scorecards: their pages and the entities' level badges.
    if let Some(scorecards) = options.scorecards.filter(|s| !s.cards.is_empty()) {
        crate::scorecards::render_pages(env, catalog, scorecards, &v(&site), memo, sink)?;
    }
    sink.page(memo.page(
        &env.get_template("404.html")?,
        "404.html",
        context! { site => v(&page_site), section => "" },
    )?);
    // A sitemap needs absolute URLs: written when the base URL is one.
    if options.base.starts_with("https://") || options.base.starts_with("http://") {
        let mut sitemap = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for path in sink.paths().iter().filter(|p| p.ends_with("index.html")) {
            let page = path.trim_end_matches("index.html");
            sitemap.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                xml_escape(&format!("{}{page}", options.base))
            ));
        }
        sitemap.push_str("</urlset>\n");
        sink.insert_new("sitemap.xml", sitemap);
        sink.insert_new(
            "robots.txt",
            format!(
                "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
                options.base
            ),
        );
    } else {
        sink.insert_new("robots.txt", "User-agent: *\nAllow: /\n");
    }
    Ok(())
}

/// An API's changelog files (page, feed, JSON) and what its entity page
/// shows of it.
struct MadeChangelog {
    files: Vec<Made>,
    summary: crate::changelog::Summary,
}

fn render_changelog(
    env: &Environment<'static>,
    page_site: &SiteContext<'_>,
    options: &PageOptions<'_>,
    label: &str,
    url: &str,
    entity: &portolan_catalog::Entity,
    log: &portolan_diff::history::Changelog,
) -> Result<MadeChangelog, minijinja::Error> {
    let hide = options.hide_commit_messages;
    let paths = crate::changelog::ChangelogPaths::of(url);
    let summary = crate::changelog::summary(log, &paths, hide);
    let entries: Vec<_> = log
        .entries
        .iter()
        .map(|e| crate::changelog::entry_view(e, hide))
        .collect();
    let html = env.get_template("changes.html")?.render(context! {
        site => v(page_site),
        section => "catalog",
        entity_label => label,
        entity_url => url,
        changes => v(&summary),
        entries => v(entries),
    })?;
    let api = entity.entity_ref().to_string();
    let feed = crate::changelog::atom_feed(
        &crate::changelog::FeedHead {
            api: &api,
            title: label,
            site_title: options.title,
            page_url: format!("{}{}", options.base, paths.url),
            feed_url: format!("{}{}", options.base, paths.feed),
        },
        log,
        hide,
    );
    let json = portolan_diff::history::published_json(&api, log, hide);
    let file = |path: String, bytes: Vec<u8>| Made(Kept::File(path, None, Arc::from(bytes)), true);
    Ok(MadeChangelog {
        files: vec![
            file(paths.page.clone(), html.into_bytes()),
            file(paths.feed.clone(), feed.into_bytes()),
            file(paths.json.clone(), json.into_bytes()),
        ],
        summary,
    })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Entities rendered together before their pages go to the sink.
const ENTITY_CHUNK: usize = 2048;

/// A file rendering one entity made, and whether it was made now.
struct Made(Kept, bool);

/// An explorer row, with a hash of it (explorer pages are keyed by their
/// rows' hashes).
#[derive(Debug)]
pub(crate) struct EntityRowCache {
    row: EntityRow,
    hash: u64,
    /// Its facet values (explorer filters).
    facets: Vec<crate::explorer::FacetEntry>,
}

impl EntityRowCache {
    fn new(mut row: EntityRow, facets: Vec<crate::explorer::FacetEntry>) -> Self {
        row.facet_data = crate::explorer::facet_data(&facets);
        let hash = crate::memo::hash_of(serde_json::to_string(&row).unwrap_or_default());
        EntityRowCache { row, hash, facets }
    }
}

/// Any serialisable value, for a template context.
fn v<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}
