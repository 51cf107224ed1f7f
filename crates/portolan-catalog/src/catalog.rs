//! The linked catalog: entities indexed by identity, references resolved,
//! relations derived in pairs.

use std::collections::HashMap;

use rayon::prelude::*;

use portolan_core::Diagnostic;
use portolan_core::codes;
use portolan_core::files::FileSet;
use portolan_core::yaml::{Node, escape_pointer_token};
use serde::Serialize;

use crate::entity::Entity;
use crate::entity_ref::{EntityKey, EntityRef, RefError};
use crate::load::{Loaded, LocationTarget};
use crate::relations::{RelationType, relation_fields};

pub type EntityId = usize;

/// One reference written in a spec field.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub from: EntityId,
    /// `spec.<field>`.
    pub field: &'static str,
    /// JSON pointer of the reference inside the entity.
    pub pointer: String,
    pub relation: RelationType,
    pub target: EntityRef,
    /// Kinds the field accepts (lowercase); empty: any.
    pub target_kinds: &'static [&'static str],
    pub resolved: Option<EntityId>,
}

/// The references one entity's `spec` fields make, as parsed (`from` 0,
/// unresolved), with their targets' keys and the findings of references
/// that do not parse.
#[derive(Debug)]
pub(crate) struct ParsedReferences {
    references: Vec<Reference>,
    keys: Vec<EntityKey>,
    diagnostics: Vec<Diagnostic>,
}

/// A relation as seen from `source`, in both directions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Relation {
    pub relation: RelationType,
    pub target: EntityRef,
    pub resolved: Option<EntityId>,
}

#[derive(Debug, Default)]
pub struct Catalog {
    /// Sorted by file, then document position.
    pub entities: Vec<Entity>,
    /// Identity → the first entity defining it.
    pub index: HashMap<EntityKey, EntityId>,
    pub references: Vec<Reference>,
    pub files: FileSet,
    pub descriptor_files: Vec<String>,
    /// Every file of the catalog root, sorted.
    pub all_files: Vec<String>,
    pub location_targets: Vec<LocationTarget>,
}

impl Catalog {
    /// Link loaded entities; returns the catalog and the diagnostics of
    /// loading plus linking.
    pub fn link(loaded: Loaded) -> (Catalog, Vec<Diagnostic>) {
        let mut diagnostics = loaded.diagnostics;
        let mut files = FileSet::default();
        for file in loaded.files {
            files.insert(file);
        }
        let mut catalog = Catalog {
            entities: loaded.entities,
            index: HashMap::new(),
            references: Vec::new(),
            files,
            descriptor_files: loaded.descriptor_files,
            all_files: loaded.all_files,
            location_targets: loaded.location_targets,
        };
        for (id, entity) in catalog.entities.iter().enumerate() {
            if !entity.has_identity() {
                continue;
            }
            match catalog.index.get(entity.key_ref()) {
                Some(&first) => {
                    let original = &catalog.entities[first];
                    diagnostics.push(
                        Diagnostic::new(
                            &codes::DUPLICATE_ENTITY,
                            format!("{} is defined more than once", entity.entity_ref()),
                        )
                        .at(&entity.file, entity.node.locate("/metadata/name"))
                        .with_related(&original.file, original.node.locate("/metadata/name"), "first defined here")
                        .with_help("entity identity is kind + namespace + name, compared case-insensitively; rename or remove one"),
                    );
                }
                None => {
                    catalog.index.insert(entity.key(), id);
                }
            }
        }
        // Per entity in parallel, then joined in entity order.
        let collected: Vec<(Vec<Reference>, Vec<Diagnostic>)> = catalog
            .entities
            .par_iter()
            .enumerate()
            .map(|(id, entity)| {
                let parsed = entity.references.get_or_init(|| {
                    let mut references = Vec::new();
                    let mut diagnostics = Vec::new();
                    collect_references(0, entity, &mut references, &mut diagnostics);
                    let keys = references.iter().map(|r| r.target.key()).collect();
                    std::sync::Arc::new(ParsedReferences {
                        references,
                        keys,
                        diagnostics,
                    })
                });
                let references = parsed
                    .references
                    .iter()
                    .zip(&parsed.keys)
                    .map(|(reference, key)| Reference {
                        from: id,
                        resolved: catalog.index.get(key).copied(),
                        ..reference.clone()
                    })
                    .collect();
                (references, parsed.diagnostics.clone())
            })
            .collect();
        let mut references = Vec::with_capacity(collected.iter().map(|(r, _)| r.len()).sum());
        for (found_references, found) in collected {
            references.extend(found_references);
            diagnostics.extend(found);
        }
        catalog.references = references;
        (catalog, diagnostics)
    }

    /// The references written in entity `id` (references are kept in entity
    /// order, so this is a binary search).
    pub fn references_from(&self, id: EntityId) -> &[Reference] {
        let start = self.references.partition_point(|r| r.from < id);
        let end = self.references.partition_point(|r| r.from <= id);
        &self.references[start..end]
    }

    pub fn get(&self, entity_ref: &EntityRef) -> Option<&Entity> {
        self.index
            .get(&entity_ref.key())
            .map(|&id| &self.entities[id])
    }

    /// Every relation of `id`, outgoing and incoming (as its inverse), sorted.
    /// For all entities at once, use [`Catalog::all_relations`].
    pub fn relations_of(&self, id: EntityId) -> Vec<Relation> {
        let mut relations: Vec<Relation> = Vec::new();
        for reference in &self.references {
            if reference.from == id || reference.resolved == Some(id) {
                push_relation(self, reference, id, &mut relations);
            }
        }
        relations.sort();
        relations.dedup();
        relations
    }

    /// The relations of every entity, indexed by id, in one pass over the
    /// references.
    pub fn all_relations(&self) -> Vec<Vec<Relation>> {
        let mut all: Vec<Vec<Relation>> = vec![Vec::new(); self.entities.len()];
        for reference in &self.references {
            push_relation(self, reference, reference.from, &mut all[reference.from]);
            if let Some(target) = reference.resolved
                && target != reference.from
            {
                push_relation(self, reference, target, &mut all[target]);
            }
        }
        for relations in &mut all {
            relations.sort();
            relations.dedup();
        }
        all
    }
}

/// `reference` as seen from `id` (its source or its target).
fn push_relation(catalog: &Catalog, reference: &Reference, id: EntityId, out: &mut Vec<Relation>) {
    if reference.from == id {
        out.push(Relation {
            relation: reference.relation,
            target: reference.target.clone(),
            resolved: reference.resolved,
        });
    }
    if reference.resolved == Some(id) {
        out.push(Relation {
            relation: reference.relation.inverse(),
            target: catalog.entities[reference.from].entity_ref(),
            resolved: Some(reference.from),
        });
    }
}

fn collect_references(
    id: EntityId,
    entity: &Entity,
    out: &mut Vec<Reference>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(spec) = entity.node.get("spec") else {
        return;
    };
    let kind = entity.kind_name.to_ascii_lowercase();
    for field in relation_fields(&kind) {
        let Some(value) = spec.get(field.field) else {
            continue;
        };
        let base = format!("/spec/{}", escape_pointer_token(field.field));
        let items: Vec<(String, &Node)> = if field.many {
            match value.as_seq() {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (format!("{base}/{i}"), n))
                    .collect(),
                // The schema reports the wrong type.
                None => continue,
            }
        } else {
            vec![(base.clone(), value)]
        };
        for (pointer, node) in items {
            let Some(text) = node.as_str() else { continue };
            match EntityRef::parse(text, field.default_kind, &entity.namespace) {
                Ok(target) => out.push(Reference {
                    from: id,
                    field: field.field,
                    pointer,
                    relation: field.relation,
                    target,
                    target_kinds: field.target_kinds,
                    resolved: None,
                }),
                Err(err) => {
                    let mut d = Diagnostic::new(
                        &codes::INVALID_REF,
                        format!(
                            "invalid reference `{text}` in `spec.{}`: {err}",
                            field.field
                        ),
                    )
                    .at(&entity.file, node.span);
                    if err == RefError::MissingKind {
                        d = d.with_help(format!(
                            "write `kind:{text}`, e.g. `resource:{text}` or `component:{text}`"
                        ));
                    }
                    diagnostics.push(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{LoadOptions, load};
    use portolan_core::source::MemorySource;

    #[test]
    fn relations_come_in_pairs_and_the_index_matches_the_scan() {
        let source = MemorySource::new().with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: orders}\nspec: {type: service, lifecycle: production, owner: team-a, providesApis: [orders-api], dependsOn: ['resource:db']}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: orders-api}\nspec: {type: openapi, lifecycle: production, owner: team-a, definition: x}\n",
        );
        let (catalog, _) = Catalog::link(load(&source, &LoadOptions::default()).unwrap());
        let all = catalog.all_relations();
        for (id, relations) in all.iter().enumerate() {
            assert_eq!(*relations, catalog.relations_of(id));
        }
        let group = catalog.index[&EntityRef::new("group", "default", "team-a").key()];
        let owned: Vec<String> = all[group]
            .iter()
            .filter(|r| r.relation == RelationType::OwnerOf)
            .map(|r| r.target.to_string())
            .collect();
        assert_eq!(
            owned,
            vec!["api:default/orders-api", "component:default/orders"]
        );
        let orders = catalog.index[&EntityRef::new("component", "default", "orders").key()];
        let db = all[orders]
            .iter()
            .find(|r| r.relation == RelationType::DependsOn)
            .unwrap();
        assert_eq!(
            (db.target.to_string(), db.resolved),
            ("resource:default/db".to_string(), None)
        );
    }

    /// Linking reuses each entity's parsed references: a second catalog
    /// made of the same entities in another order, with another set of
    /// entities to resolve against, gets its own ids and resolutions; and
    /// an entity changed through `make_mut` is parsed again.
    #[test]
    fn references_parsed_once_are_resolved_again_in_each_catalog() {
        let source = MemorySource::new().with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: orders}\nspec: {type: service, owner: team-a, dependsOn: ['resource:db', 'bad:ref:x:y']}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db}\nspec: {type: database, owner: team-a}\n",
        );
        let loaded = load(&source, &LoadOptions::default()).unwrap();
        let entities = loaded.entities.clone();
        let (first, first_found) = Catalog::link(loaded);
        let described = |catalog: &Catalog| {
            let mut out: Vec<String> = catalog
                .references
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} -> {}",
                        catalog.entities[r.from].name,
                        r.pointer,
                        r.target,
                        r.resolved
                            .map_or("none", |t| catalog.entities[t].name.as_str())
                    )
                })
                .collect();
            out.sort();
            out
        };
        // The same entities, the database left out and the order reversed.
        let again = Loaded {
            entities: entities
                .iter()
                .rev()
                .filter(|e| e.name != "db")
                .cloned()
                .collect(),
            ..Loaded::default()
        };
        let (second, second_found) = Catalog::link(again);
        assert_eq!(
            described(&first),
            vec![
                "db /spec/owner group:default/team-a -> team-a",
                "orders /spec/dependsOn/0 resource:default/db -> db",
                "orders /spec/owner group:default/team-a -> team-a",
            ]
        );
        assert_eq!(
            described(&second),
            vec![
                "orders /spec/dependsOn/0 resource:default/db -> none",
                "orders /spec/owner group:default/team-a -> team-a",
            ]
        );
        let codes = |found: &[Diagnostic]| found.iter().map(|d| d.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(&first_found), codes(&second_found));
        assert!(!codes(&first_found).is_empty());
        // Changed: its owner removed, so it no longer references team-a.
        let mut changed = entities.clone();
        let orders = changed.iter_mut().find(|e| e.name == "orders").unwrap();
        let node = std::sync::Arc::make_mut(&mut orders.make_mut().node);
        if let portolan_core::yaml::Value::Map(entries) = &mut node.value {
            for entry in entries.iter_mut().filter(|e| e.key == "spec") {
                if let portolan_core::yaml::Value::Map(spec) = &mut entry.value.value {
                    spec.retain(|e| e.key != "owner");
                }
            }
        }
        let third = Loaded {
            entities: changed,
            ..Loaded::default()
        };
        let (third, _) = Catalog::link(third);
        assert!(
            !described(&third)
                .iter()
                .any(|r| r.starts_with("orders /spec/owner"))
        );
    }
}
