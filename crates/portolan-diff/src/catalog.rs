//! Two revisions of a whole catalog: API entities matched by entity ref,
//! each pair's definitions compared ([`crate::diff`]), the catalog's own
//! changes to an API (added, removed, deprecated, owner, `providesApis`),
//! and who consumes each API (`consumesApi` relations and their owners).

use std::collections::{BTreeMap, BTreeSet};

use portolan_apis::{LoadLimits, RootDocument};
use portolan_catalog::catalog::{Catalog, EntityId};
use portolan_catalog::entity::{Entity, Kind};
use portolan_catalog::entity_ref::EntityRef;
use portolan_catalog::relations::RelationType;
use portolan_check::apis::definition_root;
use portolan_core::codes::{self, Code};
use portolan_core::source::Source;
use portolan_core::{Diagnostic, Span};
use rayon::prelude::*;

use crate::change::{Level, Place, fingerprint};
use crate::{Change, DiffOptions, NotCompared, Revision};

/// One revision of a catalog: where its files are read from, and the
/// catalog loaded and linked from them.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub source: &'a dyn Source,
    pub catalog: &'a Catalog,
}

/// An entity that consumes an API, and who owns it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Consumer {
    pub entity: EntityRef,
    /// `spec.owner` as a reference (`group:default/storefront`).
    pub owner: Option<EntityRef>,
}

/// What happened to one API entity between the two catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiStatus {
    Added,
    Removed,
    /// In both catalogs; its definitions were compared.
    Compared,
}

impl ApiStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiStatus::Added => "added",
            ApiStatus::Removed => "removed",
            ApiStatus::Compared => "compared",
        }
    }
}

/// A change the catalog itself records about an API (not its definition).
/// Either place may be missing: a removed API has no head place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogChange {
    pub code: &'static Code,
    pub level: Level,
    pub message: String,
    pub base: Option<Place>,
    pub head: Option<Place>,
    pub fingerprint: String,
}

/// A change as a diagnostic, with the operations it affects (for
/// `[[diff.rules]]` entries that name one, and the JSON report).
#[derive(Debug, Clone)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    pub operations: Vec<String>,
    /// JSON pointers into the base and the head revision's bundled
    /// definition (for a catalog change: into the entity), where there is
    /// one.
    pub pointers: (Option<String>, Option<String>),
}

/// One API entity compared across the two catalogs.
#[derive(Debug)]
pub struct ApiDiff {
    /// The entity's ref as written in the head (the base, when removed).
    pub entity: EntityRef,
    pub status: ApiStatus,
    /// `spec.owner`, as a reference.
    pub owner: Option<EntityRef>,
    /// Entities that consume the API (head catalog; the base's when the
    /// API was removed, as those are the ones now broken), sorted.
    pub consumers: Vec<Consumer>,
    /// The definition's contract changes.
    pub changes: Vec<Change>,
    /// The catalog's changes to the API.
    pub catalog_changes: Vec<CatalogChange>,
    /// Set when the definitions could not be compared.
    pub not_compared: Option<NotCompared>,
    /// The definition's files were byte-identical on both sides, so it was
    /// loaded only once and not compared.
    pub unchanged_definition: bool,
    pub base: Option<Revision>,
    pub head: Option<Revision>,
}

impl ApiDiff {
    /// Every change as a finding: contract changes at their head place
    /// (the base place related), catalog changes at theirs, each with a
    /// fingerprint prefixed with the API's entity ref. The consumers are
    /// not in the messages (see [`consumer_note`]).
    pub fn findings(&self, base_file: &dyn Fn(&str) -> String) -> Vec<Finding> {
        let key = self.entity.key().to_string();
        let mut out: Vec<Finding> = Vec::new();
        for change in &self.catalog_changes {
            let mut d = Diagnostic::new(change.code, change.message.clone())
                .with_fingerprint(fingerprint(&[&key, &change.fingerprint]));
            if let Some(head) = &change.head {
                d = d.at(head.file.clone(), head.span);
            }
            if let Some(base) = &change.base {
                d = d.with_related(base_file(&base.file), base.span, "in the base revision");
            }
            out.push(Finding {
                diagnostic: d,
                operations: Vec::new(),
                pointers: (
                    change.base.as_ref().map(|p| p.pointer.clone()),
                    change.head.as_ref().map(|p| p.pointer.clone()),
                ),
            });
        }
        if let Some(reason) = &self.not_compared {
            out.push(Finding {
                diagnostic: self.not_compared_diagnostic(reason, base_file),
                operations: Vec::new(),
                pointers: (None, None),
            });
        }
        for change in &self.changes {
            out.push(Finding {
                diagnostic: change
                    .to_diagnostic(base_file)
                    .with_fingerprint(fingerprint(&[&key, &change.fingerprint])),
                operations: change.operations.clone(),
                pointers: (
                    Some(change.base.pointer.clone()),
                    Some(change.head.pointer.clone()),
                ),
            });
        }
        out
    }

    fn not_compared_diagnostic(
        &self,
        reason: &NotCompared,
        base_file: &dyn Fn(&str) -> String,
    ) -> Diagnostic {
        let why = match reason {
            NotCompared::BaseUnreadable => "the base revision's definition could not be read",
            NotCompared::HeadUnreadable => "the head revision's definition could not be read",
            NotCompared::DifferentKinds => "one revision is OpenAPI and the other AsyncAPI",
        };
        let mut d = Diagnostic::new(
            &codes::DEFINITION_NOT_COMPARED,
            format!("{}: definition not compared: {why}", self.entity),
        )
        .with_fingerprint(fingerprint(&[
            &self.entity.key().to_string(),
            codes::DEFINITION_NOT_COMPARED.code,
        ]));
        let first_file = |revision: &Option<Revision>| {
            revision
                .as_ref()
                .and_then(|r| r.files.first())
                .map(|f| f.path.clone())
        };
        if let Some(file) = first_file(&self.head) {
            d = d.at(file, Span::new(0, 0));
        }
        if let Some(file) = first_file(&self.base) {
            d = d.with_related(base_file(&file), Span::new(0, 0), "in the base revision");
        }
        d
    }
}

/// "consumed by `checkout-service` (team storefront) and 2 others", or
/// `None` when nothing consumes the API.
pub fn consumer_note(consumers: &[Consumer]) -> Option<String> {
    const SHOWN: usize = 3;
    if consumers.is_empty() {
        return None;
    }
    let named: Vec<String> = consumers
        .iter()
        .take(SHOWN)
        .map(|c| match &c.owner {
            Some(owner) => format!("`{}` ({})", short(&c.entity), owner_words(owner)),
            None => format!("`{}` (no owner)", short(&c.entity)),
        })
        .collect();
    let rest = consumers.len().saturating_sub(SHOWN);
    let list = match (named.len(), rest) {
        (1, _) => named[0].clone(),
        (n, 0) => format!("{} and {}", named[..n - 1].join(", "), named[n - 1]),
        (_, 1) => format!("{} and 1 other", named.join(", ")),
        (_, rest) => format!("{} and {rest} others", named.join(", ")),
    };
    Some(format!("consumed by {list}"))
}

/// An owner as people say it: `team payments` for a group, the name
/// otherwise (a user).
pub fn owner_words(owner: &EntityRef) -> String {
    if owner.kind.eq_ignore_ascii_case("group") {
        format!("team {}", short(owner))
    } else {
        short(owner)
    }
}

/// An entity ref as people say it: the name alone in the default
/// namespace, `namespace/name` elsewhere.
pub fn short(entity: &EntityRef) -> String {
    if entity
        .namespace
        .eq_ignore_ascii_case(portolan_catalog::entity_ref::DEFAULT_NAMESPACE)
    {
        entity.name.clone()
    } else {
        format!("{}/{}", entity.namespace, entity.name)
    }
}

/// Compare the API entities of two catalogs, in parallel; only those named
/// in `only` when it is given (matched by key). Sorted by entity ref.
pub fn compare_catalogs(
    base: Side<'_>,
    head: Side<'_>,
    only: Option<&BTreeSet<String>>,
    options: &DiffOptions,
) -> Vec<ApiDiff> {
    let apis = |catalog: &Catalog| -> BTreeMap<String, EntityId> {
        catalog
            .index
            .iter()
            .filter(|(_, id)| catalog.entities[**id].kind == Kind::Api)
            .map(|(key, id)| (key.to_string(), *id))
            .filter(|(key, _)| only.is_none_or(|only| only.contains(key)))
            .collect()
    };
    let base_apis = apis(base.catalog);
    let head_apis = apis(head.catalog);
    let keys: BTreeSet<&String> = base_apis.keys().chain(head_apis.keys()).collect();
    let pairs: Vec<(Option<EntityId>, Option<EntityId>)> = keys
        .into_iter()
        .map(|key| (base_apis.get(key).copied(), head_apis.get(key).copied()))
        .collect();
    pairs
        .into_par_iter()
        .map(|(b, h)| compare_api(base, head, b, h, options))
        .collect()
}

fn compare_api(
    base: Side<'_>,
    head: Side<'_>,
    base_id: Option<EntityId>,
    head_id: Option<EntityId>,
    options: &DiffOptions,
) -> ApiDiff {
    let limits = options.limits;
    let load = |side: Side<'_>, id: EntityId| -> Revision {
        match definition_root(side.catalog, id) {
            Some(root) => Revision::load(side.source, root, limits),
            None => Revision {
                spec: None,
                diagnostics: Vec::new(),
                files: Vec::new(),
            },
        }
    };
    match (base_id, head_id) {
        (None, Some(h)) => {
            let entity = &head.catalog.entities[h];
            ApiDiff {
                entity: entity.entity_ref(),
                status: ApiStatus::Added,
                owner: owner_of(entity),
                consumers: consumers(head.catalog, h),
                changes: Vec::new(),
                catalog_changes: vec![catalog_change(
                    &codes::API_ADDED,
                    format!("API {} added", entity.entity_ref()),
                    None,
                    Some(entity_place(entity, "/metadata/name")),
                )],
                not_compared: None,
                unchanged_definition: false,
                base: None,
                head: None,
            }
        }
        (Some(b), None) => {
            let entity = &base.catalog.entities[b];
            ApiDiff {
                entity: entity.entity_ref(),
                status: ApiStatus::Removed,
                owner: owner_of(entity),
                consumers: consumers(base.catalog, b),
                changes: Vec::new(),
                catalog_changes: vec![catalog_change(
                    &codes::API_REMOVED,
                    format!("API {} removed from the catalog", entity.entity_ref()),
                    Some(entity_place(entity, "/metadata/name")),
                    None,
                )],
                not_compared: None,
                unchanged_definition: false,
                base: None,
                head: None,
            }
        }
        (Some(b), Some(h)) => {
            let head_entity = &head.catalog.entities[h];
            let catalog_changes = catalog_changes(base, head, b, h);
            let mut diff = ApiDiff {
                entity: head_entity.entity_ref(),
                status: ApiStatus::Compared,
                owner: owner_of(head_entity),
                consumers: consumers(head.catalog, h),
                changes: Vec::new(),
                catalog_changes,
                not_compared: None,
                unchanged_definition: false,
                base: None,
                head: None,
            };
            let base_root = definition_root(base.catalog, b);
            let head_root = definition_root(head.catalog, h);
            if !classified(&base.catalog.entities[b]) && !classified(head_entity) {
                // GraphQL, gRPC, ...: the text is compared, not the contract.
                let text = |side: Side<'_>, root: &Option<RootDocument<'_>>| match root {
                    Some(RootDocument::File(path)) => {
                        side.source.read(path, limits.max_file_size).ok()
                    }
                    Some(RootDocument::Inline { text, .. }) => Some(text.as_bytes().to_vec()),
                    None => None,
                };
                if text(base, &base_root) != text(head, &head_root) {
                    let place = |side: Side<'_>, id: EntityId, root: &Option<RootDocument<'_>>| {
                        match root {
                            Some(RootDocument::File(path)) => Place {
                                pointer: String::new(),
                                file: path.to_string(),
                                span: Span::new(0, 0),
                            },
                            _ => entity_place(&side.catalog.entities[id], "/spec/definition"),
                        }
                    };
                    diff.catalog_changes.push(catalog_change(
                        &codes::UNCLASSIFIED_DEFINITION_CHANGED,
                        format!(
                            "the {} definition of API {} changed (only OpenAPI and AsyncAPI changes are classified)",
                            head_entity.spec_str("type").unwrap_or("untyped"),
                            diff.entity
                        ),
                        Some(place(base, b, &base_root)),
                        Some(place(head, h, &head_root)),
                    ));
                }
                return diff;
            }
            if base_root.is_none() && head_root.is_none() {
                // No definition on either side (an API entity of another
                // type with nothing written): nothing to compare.
                return diff;
            }
            let root_unchanged = same_root(base_root.as_ref(), head_root.as_ref())
                && match &base_root {
                    Some(RootDocument::File(path)) => same_file(base, head, path, limits),
                    _ => true,
                };
            let (base_revision, head_revision) = if root_unchanged {
                // Likely the same definition: load the base, and the head
                // only if a file the base read differs.
                let base_revision = load(base, b);
                if same_files(&base_revision, base, head, limits) {
                    diff.unchanged_definition = true;
                    diff.base = Some(base_revision);
                    return diff;
                }
                let head_revision = load(head, h);
                (base_revision, head_revision)
            } else {
                // Changed: both sides at once (one API's diff uses both
                // cores; many APIs are spread over them anyway).
                rayon::join(|| load(base, b), || load(head, h))
            };
            let report = crate::diff(&base_revision, &head_revision, options);
            diff.changes = report.changes;
            diff.not_compared = report.not_compared;
            diff.base = Some(base_revision);
            diff.head = Some(head_revision);
            diff
        }
        (None, None) => unreachable!("every key comes from one of the two catalogs"),
    }
}

/// Whether portolan classifies changes to the entity's definition:
/// OpenAPI and AsyncAPI (`spec.type`, case-insensitive).
fn classified(entity: &Entity) -> bool {
    entity
        .spec_str("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("openapi") || t.eq_ignore_ascii_case("asyncapi"))
}

fn same_root(base: Option<&RootDocument<'_>>, head: Option<&RootDocument<'_>>) -> bool {
    match (base, head) {
        (Some(RootDocument::File(b)), Some(RootDocument::File(h))) => b == h,
        (
            Some(RootDocument::Inline { path: bp, text: bt }),
            Some(RootDocument::Inline { path: hp, text: ht }),
        ) => bp == hp && bt == ht,
        _ => false,
    }
}

/// Whether every file the base revision read reads the same in the head:
/// then the head would load to the same definition (loading is a function
/// of the files' bytes), and there is nothing to compare. Only when the
/// base loaded cleanly: a file missing in the base may exist in the head.
fn same_files(base: &Revision, base_side: Side<'_>, head: Side<'_>, limits: LoadLimits) -> bool {
    base.spec.is_some()
        && base.diagnostics.is_empty()
        && !base.files.is_empty()
        && base.files.iter().all(|file| {
            // Inline definitions' pseudo files (`x.yaml#definition`) were
            // compared by text in `same_root`.
            file.path.contains('#')
                || match (
                    base_side.source.content_id(&file.path),
                    head.source.content_id(&file.path),
                ) {
                    (Some(b), Some(h)) => b == h,
                    _ => head
                        .source
                        .read(&file.path, limits.max_file_size)
                        .is_ok_and(|bytes| bytes == file.text.as_bytes()),
                }
        })
}

/// Whether `path` has the same content on both sides: by content id when
/// both sources know one (git blob ids: nothing read), else by bytes.
fn same_file(base: Side<'_>, head: Side<'_>, path: &str, limits: LoadLimits) -> bool {
    match (base.source.content_id(path), head.source.content_id(path)) {
        (Some(b), Some(h)) => b == h,
        _ => {
            let read = |side: Side<'_>| side.source.read(path, limits.max_file_size).ok();
            let bytes = read(base);
            bytes.is_some() && bytes == read(head)
        }
    }
}

fn owner_of(entity: &Entity) -> Option<EntityRef> {
    let owner = entity.spec_str("owner")?;
    EntityRef::parse(owner, Some("group"), &entity.namespace).ok()
}

fn consumers(catalog: &Catalog, api: EntityId) -> Vec<Consumer> {
    let mut found: Vec<Consumer> = catalog
        .references
        .iter()
        .filter(|r| r.relation == RelationType::ConsumesApi && r.resolved == Some(api))
        .map(|r| {
            let entity = &catalog.entities[r.from];
            Consumer {
                entity: entity.entity_ref(),
                owner: owner_of(entity),
            }
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn entity_place(entity: &Entity, pointer: &str) -> Place {
    // The nearest ancestor that exists (a field may be missing on one side).
    let mut at = pointer;
    while !at.is_empty() && entity.node.pointer(at).is_none() {
        at = &at[..at.rfind('/').unwrap_or(0)];
    }
    Place {
        pointer: pointer.to_string(),
        file: entity.file.clone(),
        span: entity.node.locate(at),
    }
}

fn catalog_change(
    code: &'static Code,
    message: String,
    base: Option<Place>,
    head: Option<Place>,
) -> CatalogChange {
    let pointer = |p: &Option<Place>| p.as_ref().map_or(String::new(), |p| p.pointer.clone());
    let fingerprint = fingerprint(&[code.code, &pointer(&base), &pointer(&head), &message]);
    CatalogChange {
        code,
        level: Level::from_severity(code.severity),
        message,
        base,
        head,
        fingerprint,
    }
}

fn catalog_changes(
    base: Side<'_>,
    head: Side<'_>,
    base_id: EntityId,
    head_id: EntityId,
) -> Vec<CatalogChange> {
    let b = &base.catalog.entities[base_id];
    let h = &head.catalog.entities[head_id];
    let api = h.entity_ref();
    let mut out = Vec::new();
    let deprecated = |e: &Entity| {
        e.spec_str("lifecycle")
            .is_some_and(|l| l.eq_ignore_ascii_case("deprecated"))
    };
    if deprecated(h) && !deprecated(b) {
        out.push(catalog_change(
            &codes::API_DEPRECATED,
            format!(
                "API {api} deprecated (lifecycle `{}` → `deprecated`)",
                b.spec_str("lifecycle").unwrap_or("")
            ),
            Some(entity_place(b, "/spec/lifecycle")),
            Some(entity_place(h, "/spec/lifecycle")),
        ));
    }
    let (base_owner, head_owner) = (owner_of(b), owner_of(h));
    if base_owner.as_ref().map(EntityRef::key) != head_owner.as_ref().map(EntityRef::key) {
        let name = |o: &Option<EntityRef>| o.as_ref().map_or("nobody".to_string(), short);
        out.push(catalog_change(
            &codes::API_OWNER_CHANGED,
            format!(
                "API {api}: owner changed from {} to {}",
                name(&base_owner),
                name(&head_owner)
            ),
            Some(entity_place(b, "/spec/owner")),
            Some(entity_place(h, "/spec/owner")),
        ));
    }
    // Components that provided the API in the base and do not in the head.
    let providers = |side: Side<'_>, api: EntityId| -> BTreeMap<String, (EntityId, String)> {
        side.catalog
            .references
            .iter()
            .filter(|r| r.relation == RelationType::ProvidesApi && r.resolved == Some(api))
            .map(|r| {
                let entity = &side.catalog.entities[r.from];
                (entity.key().to_string(), (r.from, r.pointer.clone()))
            })
            .collect()
    };
    let head_providers = providers(head, head_id);
    for (key, (from, pointer)) in providers(base, base_id) {
        if head_providers.contains_key(&key) {
            continue;
        }
        let provider = &base.catalog.entities[from];
        let still_there = head
            .catalog
            .index
            .get(provider.key_ref())
            .map(|&id| &head.catalog.entities[id]);
        let (what, head_place) = match still_there {
            Some(entity) => (
                "no longer lists it in `providesApis`",
                entity_place(entity, "/spec/providesApis"),
            ),
            None => ("was removed", entity_place(h, "/metadata/name")),
        };
        out.push(catalog_change(
            &codes::API_NO_LONGER_PROVIDED,
            format!("API {api}: provider {} {what}", provider.entity_ref()),
            Some(entity_place(provider, &pointer)),
            Some(head_place),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumer(name: &str, owner: Option<&str>) -> Consumer {
        Consumer {
            entity: EntityRef::new("component", "default", name),
            owner: owner.map(|o| EntityRef::new("group", "default", o)),
        }
    }

    #[test]
    fn consumer_notes_name_the_first_three_and_count_the_rest() {
        assert_eq!(consumer_note(&[]), None);
        assert_eq!(
            consumer_note(&[consumer("a", Some("t"))]).unwrap(),
            "consumed by `a` (team t)"
        );
        assert_eq!(
            consumer_note(&[consumer("a", Some("t")), consumer("b", None)]).unwrap(),
            "consumed by `a` (team t) and `b` (no owner)"
        );
        let five: Vec<Consumer> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| consumer(n, Some("t")))
            .collect();
        assert_eq!(
            consumer_note(&five).unwrap(),
            "consumed by `a` (team t), `b` (team t), `c` (team t) and 2 others"
        );
    }

    #[test]
    fn short_names_drop_the_default_namespace_only() {
        assert_eq!(short(&EntityRef::new("api", "default", "pay")), "pay");
        assert_eq!(short(&EntityRef::new("api", "shop", "pay")), "shop/pay");
    }
}
