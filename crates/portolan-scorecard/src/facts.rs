//! Built-in facts: what the catalog, the API definitions, the docs, the
//! checks and git history say about each entity, computed offline and
//! named in one registry ([`FACTS`]) that rules, `--list-facts` and
//! `catalog.json` share.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use portolan_catalog::catalog::Reference;
use portolan_catalog::relations::RelationType;
use portolan_catalog::{Entity, EntityId, EntityRef, Kind};
use portolan_check::Checked;
use portolan_core::yaml::Node;
use portolan_core::{Diagnostic, Severity, codes};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::git::{CodeOwners, GitFacts};

/// What values a fact takes (`null` aside: a string fact of an entity
/// that has no such field is `null`; `exists` tells them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactType {
    Bool,
    Number,
    String,
    List,
}

impl FactType {
    pub fn as_str(self) -> &'static str {
        match self {
            FactType::Bool => "bool",
            FactType::Number => "number",
            FactType::String => "string",
            FactType::List => "list",
        }
    }

    /// Whether `value` is of this type (or null).
    pub fn admits(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (_, Value::Null)
                | (FactType::Bool, Value::Bool(_))
                | (FactType::Number, Value::Number(_))
                | (FactType::String, Value::String(_))
                | (FactType::List, Value::Array(_))
        )
    }
}

/// One built-in fact.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct FactDef {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: FactType,
    pub description: &'static str,
}

macro_rules! facts {
    ($($name:literal, $ty:ident, $description:literal;)*) => {
        /// Every built-in fact, in the order `--list-facts` shows them.
        pub const FACTS: &[FactDef] = &[$(FactDef { name: $name, ty: FactType::$ty, description: $description }),*];
    };
}

facts! {
    "kind", String, "The entity's kind, as written (`Component`, `API`, ...).";
    "type", String, "`spec.type` (`service`, `openapi`, `team`, ...); null when absent.";
    "lifecycle", String, "`spec.lifecycle` (`production`, `experimental`, `deprecated`, ...); null when absent.";
    "owner", String, "`spec.owner` as a full entity ref (`group:default/payments`); null when absent.";
    "owner.resolved", Bool, "The owner names an entity of the catalog.";
    "owner.group_with_members", Bool, "The owner is a Group of the catalog with at least one member (a User whose `memberOf` names it, or one of its `spec.members`).";
    "description.length", Number, "Characters of `metadata.description` (0 when absent).";
    "system", String, "`spec.system` as a full entity ref; null when absent.";
    "domain", String, "The domain: a System's `spec.domain`, or the domain of the System the entity is part of; null when none.";
    "tags", List, "`metadata.tags`.";
    "tags.count", Number, "How many tags the entity has.";
    "docs.exists", Bool, "The entity has docs-as-code (`backstage.io/techdocs-ref: dir:...`) with at least one page.";
    "docs.pages", Number, "Pages of the entity's docs.";
    "docs.broken_links", Number, "Links in the entity's docs that lead nowhere (D002 findings).";
    "apis.provided", Number, "APIs the entity provides (`spec.providesApis`).";
    "apis.consumed", Number, "APIs the entity consumes (`spec.consumesApis`).";
    "api.definition_valid", Bool, "API entities: the definition loaded with no error-severity finding. Unknown for other kinds.";
    "api.errors", Number, "Error findings in the API definition's files (for a Component or Resource: summed over the APIs it provides). Unknown for other kinds.";
    "api.warnings", Number, "Warning findings in the API definition's files, counted like `api.errors`.";
    "deps.deprecated", Number, "Entities this one depends on or consumes whose `spec.lifecycle` is `deprecated`.";
    "links.runbook", Bool, "`metadata.links` has a link of type `runbook`.";
    "links.dashboard", Bool, "A link of type `dashboard`, or a Grafana, Datadog or New Relic dashboard annotation.";
    "oncall", Bool, "A PagerDuty or Opsgenie annotation says who is paged.";
    "oncall.pagerduty", Bool, "`pagerduty.com/service-id` or `pagerduty.com/integration-key` is set.";
    "oncall.opsgenie", Bool, "`opsgenie.com/component-selector` or `opsgenie.com/team` is set.";
    "source_location", Bool, "`backstage.io/source-location` is set.";
    "slo.count", Number, "SLOs of the entity: OpenSLO or Sloth files its `portolan.dev/slos` annotation names, or whose service is the entity's name (Components and Systems).";
    "slo.valid", Bool, "The entity has SLOs and every one of them passed validation (no O001-O004 finding).";
    "slo.lowest_objective", Number, "The lowest objective (percent, 99.9) of the entity's valid SLOs. Unknown without one.";
    "slo.error_budget_minutes", Number, "The smallest error budget (minutes over the SLO's window) of the entity's valid SLOs: 99.9% over 30 days leaves 43.2. Unknown without one.";
    "ci", Bool, "A CI annotation is set (GitHub, GitLab, CircleCI, Jenkins, Buildkite, Azure DevOps).";
    "findings.errors", Number, "Error findings of `check` in the entity's descriptor document and API definition (scorecard findings aside).";
    "findings.warnings", Number, "Warning findings, counted like `findings.errors`.";
    "git.days_since_change", Number, "Days from the last commit that changed one of the entity's files (descriptor, substituted files, API definition, docs) to the HEAD commit (the revision read, so a rebuild gives the same number). Unknown outside git, or when no change was found in the commits walked.";
    "git.commits_90d", Number, "Commits in the 90 days before the HEAD commit that changed one of the entity's files. Unknown outside git.";
    "git.authors_90d", Number, "Distinct authors (by e-mail) of those commits. Unknown outside git.";
    "git.codeowners", Bool, "A CODEOWNERS file (`.github/`, the root or `docs/`) gives the entity's descriptor an owner. Unknown when the catalog has no CODEOWNERS file.";
}

/// The registry entry for `name`.
pub fn find_fact(name: &str) -> Option<&'static FactDef> {
    FACTS.iter().find(|f| f.name == name)
}

/// How many built-in facts there are.
pub const FACT_COUNT: usize = FACTS.len();
const _: () = assert!(FACT_COUNT <= 64, "FactSet holds 64 facts");

/// The index in [`FACTS`] of fact `name`: at compile time for a literal
/// (an unknown name does not compile), `None` for an unknown one at run
/// time.
pub const fn fact_index(name: &str) -> Option<usize> {
    let name = name.as_bytes();
    let mut i = 0;
    while i < FACTS.len() {
        let candidate = FACTS[i].name.as_bytes();
        if candidate.len() == name.len() {
            let mut j = 0;
            while j < name.len() && candidate[j] == name[j] {
                j += 1;
            }
            if j == name.len() {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// The index of a fact named by a literal, checked when compiling.
macro_rules! fact {
    ($name:literal) => {
        const {
            match fact_index($name) {
                Some(index) => index,
                None => panic!(concat!("no fact named ", $name)),
            }
        }
    };
}

/// Indexes of [`FACTS`] in the order of their names (how facts are listed
/// in JSON).
fn by_name() -> &'static [usize; FACT_COUNT] {
    static ORDER: std::sync::OnceLock<[usize; FACT_COUNT]> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let mut order: [usize; FACT_COUNT] = std::array::from_fn(|i| i);
        order.sort_by_key(|&i| FACTS[i].name);
        order
    })
}

/// A set of built-in facts (by index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactSet(u64);

impl FactSet {
    pub fn insert(&mut self, index: usize) {
        self.0 |= 1 << index;
    }

    pub fn contains(&self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// Whether it holds any of `indexes`.
    pub fn any(&self, indexes: &[usize]) -> bool {
        indexes.iter().any(|&i| self.contains(i))
    }
}

/// One entity's facts; a fact that could not be computed is absent.
/// Held by index in [`FACTS`], so setting and reading one costs no
/// search; listed (and written as JSON) in the order of their names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts(Vec<Option<Value>>);

impl Facts {
    pub fn new() -> Facts {
        Facts::default()
    }

    /// Set the fact at `index` in [`FACTS`].
    pub fn set(&mut self, index: usize, value: Value) {
        if self.0.is_empty() {
            self.0.resize(FACT_COUNT, None);
        }
        self.0[index] = Some(value);
    }

    /// The fact at `index` in [`FACTS`].
    pub fn get_at(&self, index: usize) -> Option<&Value> {
        self.0.get(index)?.as_ref()
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.get_at(fact_index(name)?)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Keep the facts (by index in [`FACTS`]) `keep` holds.
    pub fn retain(&mut self, keep: &FactSet) {
        for (index, value) in self.0.iter_mut().enumerate() {
            if !keep.contains(index) {
                *value = None;
            }
        }
    }

    /// Every fact, in the order of their names.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        let present = !self.0.is_empty();
        by_name()
            .iter()
            .filter(move |_| present)
            .filter_map(|&i| Some((FACTS[i].name, self.0[i].as_ref()?)))
    }

    /// The names of the facts set, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.iter().map(|(name, _)| name)
    }

    pub fn len(&self) -> usize {
        self.0.iter().filter(|v| v.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// A JSON object, names in order.
impl Serialize for Facts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

const DASHBOARD_ANNOTATIONS: &[&str] = &[
    "grafana/dashboard-selector",
    "grafana/overview-dashboard",
    "datadoghq.com/dashboard-url",
    "newrelic.com/dashboard-guid",
];
const PAGERDUTY_ANNOTATIONS: &[&str] =
    &["pagerduty.com/service-id", "pagerduty.com/integration-key"];
const OPSGENIE_ANNOTATIONS: &[&str] = &["opsgenie.com/component-selector", "opsgenie.com/team"];
const CI_ANNOTATIONS: &[&str] = &[
    "github.com/project-slug",
    "gitlab.com/project-slug",
    "gitlab.com/project-id",
    "circleci.com/project-slug",
    "jenkins.io/job-full-name",
    "jenkins.io/github-folder",
    "buildkite.com/pipeline-slug",
    "dev.azure.com/project-repo",
];

const SOURCE_LOCATION_ANNOTATIONS: &[&str] = &["backstage.io/source-location"];
/// Every annotation a fact reads.
const ANNOTATION_FACTS: &[&[&str]] = &[
    DASHBOARD_ANNOTATIONS,
    PAGERDUTY_ANNOTATIONS,
    OPSGENIE_ANNOTATIONS,
    CI_ANNOTATIONS,
    SOURCE_LOCATION_ANNOTATIONS,
];

/// What facts are computed from, made once per catalog.
pub struct FactContext<'a> {
    checked: &'a Checked,
    /// Per entity, the references it makes and those that resolve to it
    /// (borrowed: `Catalog::all_relations` would copy every target).
    references: Adjacency<'a>,
    /// Per entity, whether its `spec.lifecycle` is `deprecated`.
    deprecated: Vec<bool>,
    /// Per file, its findings (scorecards' own excluded), by position
    /// (findings without one first): an entity's are found by binary
    /// search, so a file of 100,000 entities is not scanned once for each.
    by_file: HashMap<&'a str, Vec<&'a Diagnostic>>,
    git: Option<Arc<GitFacts>>,
    codeowners: Option<CodeOwners>,
}

impl<'a> FactContext<'a> {
    /// The context of `checked`, without git facts or CODEOWNERS (see
    /// [`FactContext::with_git`]).
    pub fn new(checked: &'a Checked) -> FactContext<'a> {
        // Three independent indexes, built side by side.
        let entities = &checked.catalog.entities;
        let by_file = || {
            let mut by_file: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
            for d in &checked.diagnostics {
                if d.code.starts_with('S') && codes::find(&d.code).is_some() {
                    continue;
                }
                if let Some(file) = d.file.as_deref() {
                    by_file.entry(file).or_default().push(d);
                }
            }
            for list in by_file.values_mut() {
                list.sort_by_key(|d| d.span.map(|s| s.start));
            }
            by_file
        };
        let references = || Adjacency::new(&checked.catalog.references, entities.len());
        let deprecated = || {
            entities
                .par_iter()
                .map(|e| {
                    e.spec_str("lifecycle")
                        .is_some_and(|l| l.eq_ignore_ascii_case("deprecated"))
                })
                .collect()
        };
        let (by_file, (references, deprecated)) =
            rayon::join(by_file, || rayon::join(references, deprecated));
        FactContext {
            checked,
            references,
            deprecated,
            by_file,
            git: None,
            codeowners: None,
        }
    }

    /// The context with these git facts and CODEOWNERS file.
    pub fn with_git(
        self,
        git: Option<Arc<GitFacts>>,
        codeowners: Option<CodeOwners>,
    ) -> FactContext<'a> {
        FactContext {
            git,
            codeowners,
            ..self
        }
    }

    pub fn checked(&self) -> &'a Checked {
        self.checked
    }

    /// The facts of entity `id` that can be computed, of those `wanted`
    /// names (all when `None`), and maybe others computed with them.
    pub fn facts_of(&self, id: EntityId, wanted: Option<&FactSet>) -> Facts {
        let want = |indexes: &[usize]| wanted.is_none_or(|w| w.any(indexes));
        let catalog = &self.checked.catalog;
        let entity = &catalog.entities[id];
        let mut facts = Facts::new();
        facts.set(fact!("kind"), json!(entity.kind_name));
        facts.set(fact!("type"), opt_str(entity.spec_str("type")));
        facts.set(fact!("lifecycle"), opt_str(entity.spec_str("lifecycle")));

        let first = |id: EntityId, relation: RelationType, target_kind: Option<&str>| {
            self.relations(id, relation)
                .filter(|(target, _)| {
                    target_kind.is_none_or(|kind| target.kind.eq_ignore_ascii_case(kind))
                })
                .min()
        };
        if want(&[
            fact!("owner"),
            fact!("owner.resolved"),
            fact!("owner.group_with_members"),
        ]) {
            let owner = first(id, RelationType::OwnedBy, None);
            facts.set(
                fact!("owner"),
                json!(owner.as_ref().map(|(target, _)| target.to_string())),
            );
            facts.set(
                fact!("owner.resolved"),
                json!(
                    owner
                        .as_ref()
                        .is_some_and(|(_, resolved)| resolved.is_some())
                ),
            );
            let group_with_members =
                owner
                    .and_then(|(_, resolved)| resolved)
                    .is_some_and(|group| {
                        catalog.entities[group].kind == Kind::Group
                            && self
                                .relations(group, RelationType::HasMember)
                                .next()
                                .is_some()
                    });
            facts.set(fact!("owner.group_with_members"), json!(group_with_members));
        }
        if want(&[fact!("description.length")]) {
            facts.set(
                fact!("description.length"),
                json!(entity.description().chars().count()),
            );
        }

        if want(&[fact!("system"), fact!("domain")]) {
            let system = first(id, RelationType::PartOf, Some("system"));
            facts.set(
                fact!("system"),
                json!(system.as_ref().map(|(target, _)| target.to_string())),
            );
            let domain = if entity.kind == Kind::System {
                first(id, RelationType::PartOf, Some("domain"))
            } else {
                system
                    .and_then(|(_, resolved)| resolved)
                    .and_then(|system| first(system, RelationType::PartOf, Some("domain")))
            };
            facts.set(
                fact!("domain"),
                json!(domain.map(|(target, _)| target.to_string())),
            );
        }

        if want(&[fact!("tags"), fact!("tags.count")]) {
            let tags: Vec<&str> = entity.tags().collect();
            facts.set(fact!("tags.count"), json!(tags.len()));
            facts.set(fact!("tags"), json!(tags));
        }

        let docs = self.checked.docs.get(&id).filter(|d| !d.pages.is_empty());
        facts.set(fact!("docs.exists"), json!(docs.is_some()));
        facts.set(
            fact!("docs.pages"),
            json!(docs.map_or(0, |d| d.pages.len())),
        );
        if want(&[fact!("docs.broken_links")]) {
            let broken = docs.map_or(0, |docs| {
                let mkdocs = docs.mkdocs.as_ref().map(|(path, _)| path.clone());
                docs.pages
                    .keys()
                    .map(|page| {
                        if docs.dir.is_empty() {
                            page.clone()
                        } else {
                            format!("{}/{page}", docs.dir)
                        }
                    })
                    .chain(mkdocs)
                    .flat_map(|path| self.by_file.get(path.as_str()).into_iter().flatten())
                    .filter(|d| d.code == codes::BROKEN_DOC_LINK.code)
                    .count()
            });
            facts.set(fact!("docs.broken_links"), json!(broken));
        }

        // Relations are counted once however often they are written.
        let distinct = |relation: RelationType| {
            let mut list: Vec<_> = self.relations(id, relation).collect();
            list.sort_unstable();
            list.dedup();
            list
        };
        if want(&[
            fact!("apis.provided"),
            fact!("apis.consumed"),
            fact!("api.definition_valid"),
            fact!("api.errors"),
            fact!("api.warnings"),
        ]) {
            let provided = distinct(RelationType::ProvidesApi);
            facts.set(fact!("apis.provided"), json!(provided.len()));
            facts.set(
                fact!("apis.consumed"),
                json!(distinct(RelationType::ConsumesApi).len()),
            );
            match entity.kind {
                Kind::Api => {
                    let (errors, warnings) = self.definition_findings(id);
                    let loaded = self
                        .checked
                        .apis
                        .get(&id)
                        .is_some_and(|a| a.spec.is_some() || a.other.is_some());
                    facts.set(fact!("api.definition_valid"), json!(loaded && errors == 0));
                    facts.set(fact!("api.errors"), json!(errors));
                    facts.set(fact!("api.warnings"), json!(warnings));
                }
                Kind::Component | Kind::Resource => {
                    let (mut errors, mut warnings) = (0, 0);
                    let mut seen = std::collections::BTreeSet::new();
                    for api in provided.iter().filter_map(|(_, resolved)| *resolved) {
                        if seen.insert(api) {
                            let (e, w) = self.definition_findings(api);
                            errors += e;
                            warnings += w;
                        }
                    }
                    facts.set(fact!("api.errors"), json!(errors));
                    facts.set(fact!("api.warnings"), json!(warnings));
                }
                _ => {}
            }
        }
        if want(&[fact!("deps.deprecated")]) {
            let deprecated = self
                .relations(id, RelationType::DependsOn)
                .chain(self.relations(id, RelationType::ConsumesApi))
                .filter_map(|(_, resolved)| resolved)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .filter(|&t| self.deprecated[t])
                .count();
            facts.set(fact!("deps.deprecated"), json!(deprecated));
        }

        if want(&[
            fact!("links.runbook"),
            fact!("links.dashboard"),
            fact!("oncall"),
            fact!("oncall.pagerduty"),
            fact!("oncall.opsgenie"),
            fact!("source_location"),
            fact!("ci"),
        ]) {
            let has_link = |ty: &str| {
                links(entity).any(|link| {
                    link.get("type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case(ty))
                })
            };
            // The annotations facts read that are set (not blank), in one
            // pass over them; a key written twice counts as its first value,
            // as lookups read it. Only those keys are kept, so the pass stays
            // linear however many annotations an entity has.
            let mut annotations: Vec<(&str, bool)> = Vec::new();
            for entry in entity
                .node
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(Node::as_map)
                .into_iter()
                .flatten()
            {
                let key = entry.key.as_str();
                if ANNOTATION_FACTS.iter().any(|keys| keys.contains(&key))
                    && annotations.iter().all(|(seen, _)| *seen != key)
                {
                    let set = entry.value.as_str().is_some_and(|v| !v.trim().is_empty());
                    annotations.push((key, set));
                }
            }
            let any_annotation =
                |keys: &[&str]| annotations.iter().any(|(k, set)| *set && keys.contains(k));
            facts.set(fact!("links.runbook"), json!(has_link("runbook")));
            facts.set(
                fact!("links.dashboard"),
                json!(has_link("dashboard") || any_annotation(DASHBOARD_ANNOTATIONS)),
            );
            let pagerduty = any_annotation(PAGERDUTY_ANNOTATIONS);
            let opsgenie = any_annotation(OPSGENIE_ANNOTATIONS);
            facts.set(fact!("oncall"), json!(pagerduty || opsgenie));
            facts.set(fact!("oncall.pagerduty"), json!(pagerduty));
            facts.set(fact!("oncall.opsgenie"), json!(opsgenie));
            facts.set(
                fact!("source_location"),
                json!(any_annotation(SOURCE_LOCATION_ANNOTATIONS)),
            );
            facts.set(fact!("ci"), json!(any_annotation(CI_ANNOTATIONS)));
        }

        if want(&[
            fact!("slo.count"),
            fact!("slo.valid"),
            fact!("slo.lowest_objective"),
            fact!("slo.error_budget_minutes"),
        ]) {
            let slos = self.checked.slos.summary(id);
            facts.set(fact!("slo.count"), json!(slos.count));
            facts.set(fact!("slo.valid"), json!(slos.valid));
            if let Some(lowest) = slos.lowest_objective {
                facts.set(fact!("slo.lowest_objective"), json!(lowest));
            }
            if let Some(budget) = slos.smallest_budget_minutes {
                facts.set(fact!("slo.error_budget_minutes"), json!(budget));
            }
        }

        if want(&[fact!("findings.errors"), fact!("findings.warnings")]) {
            let (mut errors, mut warnings) = self.document_findings(entity);
            if entity.kind == Kind::Api {
                let (e, w) = self.definition_findings(id);
                errors += e;
                warnings += w;
            }
            facts.set(fact!("findings.errors"), json!(errors));
            facts.set(fact!("findings.warnings"), json!(warnings));
        }

        if let Some(git) = &self.git {
            let files = entity_files(self.checked, id);
            let change = git.entity_change(&files);
            if let Some(days) = change.days_since_change {
                facts.set(fact!("git.days_since_change"), json!(days));
            }
            facts.set(fact!("git.commits_90d"), json!(change.commits));
            facts.set(fact!("git.authors_90d"), json!(change.authors));
        }
        if let Some(codeowners) = &self.codeowners {
            facts.set(
                fact!("git.codeowners"),
                json!(codeowners.covers(&entity.file)),
            );
        }
        facts
    }

    /// The relations of type `relation` of entity `id`, as
    /// `Catalog::all_relations` lists them (target, resolved), unsorted
    /// and with repeats: references it makes of that type, and those of
    /// the inverse type that resolve to it (whose target is their source).
    fn relations(
        &self,
        id: EntityId,
        relation: RelationType,
    ) -> impl Iterator<Item = (Cow<'a, EntityRef>, Option<EntityId>)> + '_ {
        let entities = &self.checked.catalog.entities;
        let made = of_type(&self.references.made[id], relation)
            .iter()
            .map(|r| (Cow::Borrowed(&r.target), r.resolved));
        let received = of_type(&self.references.received[id], relation.inverse())
            .iter()
            .map(move |r| (Cow::Owned(entities[r.from].entity_ref()), Some(r.from)));
        made.chain(received)
    }

    /// Error and warning findings in the descriptor document of `entity`.
    fn document_findings(&self, entity: &Entity) -> (usize, usize) {
        let span = entity.node.span;
        let Some(list) = self.by_file.get(entity.file.as_str()) else {
            return (0, 0);
        };
        let from = list.partition_point(|d| d.span.is_none_or(|s| s.start < span.start));
        let to = list.partition_point(|d| d.span.is_none_or(|s| s.start <= span.end));
        count(list[from..to.max(from)].iter())
    }

    /// Error and warning findings in the files of API entity `id`'s
    /// definition (its descriptor aside).
    fn definition_findings(&self, id: EntityId) -> (usize, usize) {
        let Some(api) = self.checked.apis.get(&id) else {
            return (0, 0);
        };
        let descriptor = &self.checked.catalog.entities[id].file;
        count(
            api.files
                .iter()
                .filter(|f| &f.path != descriptor)
                .flat_map(|f| self.by_file.get(f.path.as_str()).into_iter().flatten()),
        )
    }
}

/// Per entity, the references it makes and those that resolve to it,
/// each list ordered by relation type: one type's references are a slice
/// found by binary search, so a system of 10,000 parts is not scanned
/// for each of them.
struct Adjacency<'a> {
    made: Vec<Vec<&'a Reference>>,
    received: Vec<Vec<&'a Reference>>,
}

impl<'a> Adjacency<'a> {
    fn new(references: &'a [Reference], entities: usize) -> Self {
        let mut made = vec![Vec::new(); entities];
        let mut received = vec![Vec::new(); entities];
        for reference in references {
            made[reference.from].push(reference);
            if let Some(target) = reference.resolved {
                received[target].push(reference);
            }
        }
        for list in made.iter_mut().chain(received.iter_mut()) {
            list.sort_by_key(|r| r.relation);
        }
        Adjacency { made, received }
    }
}

/// The references of type `relation` in `list` (ordered by type).
fn of_type<'l, 'a>(list: &'l [&'a Reference], relation: RelationType) -> &'l [&'a Reference] {
    let start = list.partition_point(|r| r.relation < relation);
    let end = list.partition_point(|r| r.relation <= relation);
    &list[start..end]
}

fn count<'b>(diagnostics: impl Iterator<Item = &'b &'b Diagnostic>) -> (usize, usize) {
    diagnostics.fold((0, 0), |(e, w), d| match d.severity {
        Severity::Error => (e + 1, w),
        Severity::Warning => (e, w + 1),
        Severity::Info => (e, w),
    })
}

fn opt_str(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn links(entity: &Entity) -> impl Iterator<Item = &Node> {
    entity
        .node
        .get("metadata")
        .and_then(|m| m.get("links"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
}

/// The files that make up entity `id`: its descriptor, the files its
/// substitutions read, its API definition's files and its docs' pages.
pub fn entity_files(checked: &Checked, id: EntityId) -> Vec<String> {
    let entity = &checked.catalog.entities[id];
    let mut files = vec![entity.file.clone()];
    files.extend(entity.substitutions.iter().filter_map(|s| s.path.clone()));
    if let Some(api) = checked.apis.get(&id) {
        files.extend(api.files.iter().map(|f| f.path.clone()));
    }
    if let Some(docs) = checked.docs.get(&id) {
        files.extend(docs.pages.keys().map(|page| {
            if docs.dir.is_empty() {
                page.clone()
            } else {
                format!("{}/{page}", docs.dir)
            }
        }));
    }
    files.sort();
    files.dedup();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_catalog::Relation;
    use portolan_core::source::MemorySource;

    const TYPES: [RelationType; 14] = [
        RelationType::OwnedBy,
        RelationType::OwnerOf,
        RelationType::PartOf,
        RelationType::HasPart,
        RelationType::ProvidesApi,
        RelationType::ApiProvidedBy,
        RelationType::ConsumesApi,
        RelationType::ApiConsumedBy,
        RelationType::DependsOn,
        RelationType::DependencyOf,
        RelationType::ParentOf,
        RelationType::ChildOf,
        RelationType::MemberOf,
        RelationType::HasMember,
    ];

    #[test]
    fn borrowed_relations_are_the_catalogs_relations() {
        // Every relation field, written twice, pointing at itself, at
        // nothing, and from the other side (dependencyOf, memberOf).
        let doc = |kind: &str, name: &str, spec: &str| {
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}---\n"
            )
        };
        let text = [
            doc("Group", "team", "  type: team\n  children: [sub]\n  members: [ann]\n"),
            doc("Group", "sub", "  type: team\n  parent: team\n  children: []\n"),
            doc("User", "ann", "  memberOf: [team, sub, team]\n"),
            doc("User", "bob", "  memberOf: [sub, missing]\n"),
            doc("Domain", "shop", "  owner: team\n"),
            doc("System", "cart", "  owner: team\n  domain: shop\n"),
            doc("API", "orders", "  type: openapi\n  lifecycle: production\n  owner: team\n  system: cart\n  definition: x\n"),
            doc(
                "Component",
                "web",
                "  type: service\n  lifecycle: production\n  owner: team\n  system: cart\n  providesApis: [orders, orders, ghost]\n  consumesApis: [orders]\n  dependsOn: [component:web, component:db, resource:store]\n  dependencyOf: [component:db]\n",
            ),
            doc(
                "Component",
                "db",
                "  type: library\n  lifecycle: deprecated\n  owner: user:ann\n  subcomponentOf: web\n  dependencyOf: [component:web]\n",
            ),
            doc("Resource", "store", "  type: database\n  owner: sub\n  dependencyOf: [component:db]\n"),
        ]
        .concat();
        let source = MemorySource::new().with_file("catalog-info.yaml", text);
        let config = portolan_core::config::Config::default();
        let options = portolan_check::CheckOptions::from_config(&config);
        let checked = portolan_check::check(&source, &config, &[], &options).unwrap();
        assert!(checked.catalog.entities.len() >= 10);
        let context = FactContext::new(&checked);
        let all = checked.catalog.all_relations();
        for (id, relations) in all.iter().enumerate() {
            for relation in TYPES {
                let expected: Vec<(EntityRef, Option<EntityId>)> = relations
                    .iter()
                    .filter(|r| r.relation == relation)
                    .map(|r: &Relation| (r.target.clone(), r.resolved))
                    .collect();
                let mut got: Vec<(EntityRef, Option<EntityId>)> = context
                    .relations(id, relation)
                    .map(|(t, r)| (t.into_owned(), r))
                    .collect();
                got.sort();
                got.dedup();
                assert_eq!(got, expected, "entity {id}, {relation:?}");
            }
        }
    }
}
