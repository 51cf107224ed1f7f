//! Which entity pages a change can reach (`serve`).
//!
//! An entity's page shows the entity, the labels and URLs of the entities
//! it is related to, and, for systems, domains and groups, what they
//! contain (graphs, owned entities), which reaches two relations away and
//! up any chain of containers (system → domain → parent domain, owner →
//! parent group). [`Structure`] is that much of a catalog, kept from one
//! render to the next; [`affected`] is the set of pages to render again
//! when the entities in `changed` changed: the changed ones, their
//! neighbours, and the containers of anything within two relations, in the
//! old catalog and in the new. Everything else is reused as it was.

use std::collections::{HashMap, HashSet};

use portolan_catalog::relations::RelationType;
use portolan_catalog::{Catalog, EntityId, EntityKey};

/// The shape of a catalog, by entity key.
#[derive(Default)]
pub(crate) struct Structure {
    /// Listed entities and their descriptor files.
    pub files: HashMap<EntityKey, String>,
    /// Related entities, both directions; references to entities that do
    /// not exist count too (creating one changes its referrers' pages).
    neighbours: HashMap<EntityKey, Vec<EntityKey>>,
    /// What contains an entity: its system, domain, parent domain, owner,
    /// parent group.
    containers: HashMap<EntityKey, Vec<EntityKey>>,
}

impl Structure {
    pub fn of(catalog: &Catalog, listed: &[EntityId]) -> Structure {
        let mut structure = Structure {
            files: listed
                .iter()
                .map(|&id| {
                    let e = &catalog.entities[id];
                    (e.key(), e.file.clone())
                })
                .collect(),
            ..Default::default()
        };
        for r in &catalog.references {
            let from = catalog.entities[r.from].key();
            let to = match r.resolved {
                Some(target) => catalog.entities[target].key(),
                None => r.target.key(),
            };
            if from == to {
                continue;
            }
            let up = match r.relation {
                RelationType::PartOf | RelationType::OwnedBy | RelationType::ChildOf => {
                    Some((from.clone(), to.clone()))
                }
                RelationType::ParentOf | RelationType::HasPart | RelationType::OwnerOf => {
                    Some((to.clone(), from.clone()))
                }
                _ => None,
            };
            if let Some((inner, outer)) = up {
                structure.containers.entry(inner).or_default().push(outer);
            }
            structure
                .neighbours
                .entry(from.clone())
                .or_default()
                .push(to.clone());
            structure.neighbours.entry(to).or_default().push(from);
        }
        structure
    }

    fn neighbours_of(&self, key: &EntityKey) -> &[EntityKey] {
        self.neighbours
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The entities whose pages may change, in either catalog, when those in
/// `changed` changed.
pub(crate) fn affected(
    old: &Structure,
    new: &Structure,
    changed: &HashSet<EntityKey>,
) -> HashSet<EntityKey> {
    let widen = |from: &HashSet<EntityKey>| -> HashSet<EntityKey> {
        let mut out = from.clone();
        for key in from {
            for structure in [old, new] {
                out.extend(structure.neighbours_of(key).iter().cloned());
            }
        }
        out
    };
    let near = widen(changed);
    let far = widen(&near);
    let mut affected = near;
    // Containers, all the way up, of anything within two relations.
    let mut queue: Vec<EntityKey> = far.into_iter().collect();
    let mut seen: HashSet<EntityKey> = queue.iter().cloned().collect();
    while let Some(key) = queue.pop() {
        for structure in [old, new] {
            for outer in structure.containers.get(&key).into_iter().flatten() {
                affected.insert(outer.clone());
                if seen.insert(outer.clone()) {
                    queue.push(outer.clone());
                }
            }
        }
    }
    affected
}

/// Entities that changed between two catalogs: added, removed, moved to
/// another file, or in a descriptor file that was parsed again.
pub(crate) fn changed_entities(
    old: &Structure,
    new: &Structure,
    reparsed: &std::collections::BTreeSet<String>,
) -> HashSet<EntityKey> {
    let mut changed = HashSet::new();
    for (key, file) in &new.files {
        if reparsed.contains(file) || old.files.get(key) != Some(file) {
            changed.insert(key.clone());
        }
    }
    for (key, file) in &old.files {
        if reparsed.contains(file) || !new.files.contains_key(key) {
            changed.insert(key.clone());
        }
    }
    changed
}
