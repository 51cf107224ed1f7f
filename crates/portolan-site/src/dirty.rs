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

/// An entity key, hashed. Two keys with the same hash would only make more
/// pages render (each stands for both), never fewer.
pub(crate) type Key = u64;

pub(crate) fn key_of(key: &EntityKey) -> Key {
    crate::memo::hash_of(key.as_str())
}

/// The shape of a catalog, by entity key.
#[derive(Default)]
pub(crate) struct Structure {
    /// Listed entities and their descriptor files.
    pub files: HashMap<Key, String>,
    /// Related entities, both directions; references to entities that do
    /// not exist count too (creating one changes its referrers' pages).
    neighbours: HashMap<Key, Vec<Key>>,
    /// What contains an entity: its system, domain, parent domain, owner,
    /// parent group.
    containers: HashMap<Key, Vec<Key>>,
}

impl Structure {
    pub fn of(catalog: &Catalog, listed: &[EntityId]) -> Structure {
        let keys: Vec<Key> = catalog
            .entities
            .iter()
            .map(|e| key_of(e.key_ref()))
            .collect();
        let mut structure = Structure {
            files: listed
                .iter()
                .map(|&id| (keys[id], catalog.entities[id].file.clone()))
                .collect(),
            ..Default::default()
        };
        for r in &catalog.references {
            let from = keys[r.from];
            let to = match r.resolved {
                Some(target) => keys[target],
                None => key_of(&r.target.key()),
            };
            if from == to {
                continue;
            }
            let up = match r.relation {
                RelationType::PartOf | RelationType::OwnedBy | RelationType::ChildOf => {
                    Some((from, to))
                }
                RelationType::ParentOf | RelationType::HasPart | RelationType::OwnerOf => {
                    Some((to, from))
                }
                _ => None,
            };
            if let Some((inner, outer)) = up {
                structure.containers.entry(inner).or_default().push(outer);
            }
            structure.neighbours.entry(from).or_default().push(to);
            structure.neighbours.entry(to).or_default().push(from);
        }
        structure
    }

    fn neighbours_of(&self, key: &Key) -> &[Key] {
        self.neighbours
            .get(key)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The entities whose pages may change, in either catalog, when those in
/// `changed` changed.
pub(crate) fn affected(old: &Structure, new: &Structure, changed: &HashSet<Key>) -> HashSet<Key> {
    let widen = |from: &HashSet<Key>| -> HashSet<Key> {
        let mut out = from.clone();
        for key in from {
            for structure in [old, new] {
                out.extend(structure.neighbours_of(key).iter().copied());
            }
        }
        out
    };
    let near = widen(changed);
    let far = widen(&near);
    let mut affected = near;
    // Containers, all the way up, of anything within two relations.
    let mut queue: Vec<Key> = far.into_iter().collect();
    let mut seen: HashSet<Key> = queue.iter().copied().collect();
    while let Some(key) = queue.pop() {
        for structure in [old, new] {
            for &outer in structure.containers.get(&key).into_iter().flatten() {
                affected.insert(outer);
                if seen.insert(outer) {
                    queue.push(outer);
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
) -> HashSet<Key> {
    let mut changed = HashSet::new();
    for (key, file) in &new.files {
        if reparsed.contains(file) || old.files.get(key) != Some(file) {
            changed.insert(*key);
        }
    }
    for (key, file) in &old.files {
        if reparsed.contains(file) || !new.files.contains_key(key) {
            changed.insert(*key);
        }
    }
    changed
}
