//! The catalog explorer: every listed entity in one table, split into
//! pages, and the same table filtered by kind, type, owner, lifecycle, tag
//! and system. Each filter value is a page of its own, so filtering works as
//! plain links without JavaScript; the theme's script filters rows as the
//! reader types on top of that.
//!
//! URLs: `catalog/` (everything), `catalog/<kind>/` (one kind), and
//! `catalog/_by/<facet>/` (the values of a facet, with counts) with
//! `catalog/_by/<facet>/<value>/` per value. Kinds cannot start with `_`,
//! so these never clash with entity pages.

use std::collections::BTreeMap;

use portolan_catalog::{Catalog, EntityId};

/// The filters besides kind, as (URL segment, label).
pub const FACETS: &[(&str, &str)] = &[
    ("type", "Type"),
    ("owner", "Owner"),
    ("lifecycle", "Lifecycle"),
    ("tag", "Tag"),
    ("system", "System"),
];

/// A path segment for a free-form value (a type, a lifecycle, a tag) that
/// is injective, so two different values never share a page: lower-case
/// letters, digits, `-` and `.` stay, every other byte becomes `_xx`.
pub fn value_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'.' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    crate::site_path::bounded(crate::site_path::not_a_dot_name(out))
}

/// Site path of the page listing entities with `value` for `facet`.
pub fn facet_url(facet: &str, segment: &str) -> String {
    format!("catalog/_by/{facet}/{segment}/")
}

/// Site path of a facet's index (its values with counts).
pub fn facet_index_url(facet: &str) -> String {
    format!("catalog/_by/{facet}/")
}

/// One value of a facet: its label, URL segment and entities (in catalog
/// order).
#[derive(Debug)]
pub struct FacetValue {
    pub label: String,
    pub segment: String,
    pub entities: Vec<EntityId>,
}

/// The segment of an entity-valued facet (owner, system): `kind.namespace.name`.
/// Kinds and namespaces hold no `.`, so this reads back unambiguously.
pub fn entity_segment(catalog: &Catalog, id: EntityId) -> String {
    let e = &catalog.entities[id];
    crate::site_path::bounded(format!(
        "{}.{}.{}",
        value_segment(&e.kind_name.to_ascii_lowercase()),
        value_segment(&e.namespace.to_ascii_lowercase()),
        value_segment(&e.name.to_ascii_lowercase())
    ))
}

/// The resolved target of an entity's `field` reference, if it is listed.
pub fn resolved_field(catalog: &Catalog, id: EntityId, field: &str) -> Option<EntityId> {
    catalog
        .references_from(id)
        .iter()
        .find(|r| r.field == field)
        .and_then(|r| r.resolved)
}

/// One facet value of an entity: (facet, segment, label).
pub type FacetEntry = (&'static str, String, String);

/// The facet values of one entity (its type, lifecycle, tags, owner and
/// system).
pub fn facet_entries(
    catalog: &Catalog,
    id: EntityId,
    label_of: &dyn Fn(EntityId) -> String,
) -> Vec<FacetEntry> {
    let e = &catalog.entities[id];
    let mut out = Vec::new();
    if let Some(t) = e.spec_str("type") {
        out.push(("type", value_segment(t), t.to_string()));
    }
    if let Some(l) = e.spec_str("lifecycle") {
        out.push(("lifecycle", value_segment(l), l.to_string()));
    }
    let mut tags: Vec<&str> = e.tags().collect();
    tags.sort_unstable();
    tags.dedup();
    for tag in tags {
        out.push(("tag", value_segment(tag), tag.to_string()));
    }
    for (facet, field) in [("owner", "owner"), ("system", "system")] {
        if let Some(target) = resolved_field(catalog, id, field) {
            out.push((facet, entity_segment(catalog, target), label_of(target)));
        }
    }
    out
}

/// Every facet's values over `listed`, sorted by label, keyed by facet.
pub fn facet_values(
    catalog: &Catalog,
    listed: &[EntityId],
    label_of: &dyn Fn(EntityId) -> String,
) -> BTreeMap<&'static str, Vec<FacetValue>> {
    let entries: Vec<Vec<FacetEntry>> = listed
        .iter()
        .map(|&id| facet_entries(catalog, id, label_of))
        .collect();
    group_facets(listed, &|i| &entries[i])
}

/// [`facet_values`] from each listed entity's [`facet_entries`]
/// (`entries_of(i)` for `listed[i]`).
pub fn group_facets<'a>(
    listed: &[EntityId],
    entries_of: &dyn Fn(usize) -> &'a [FacetEntry],
) -> BTreeMap<&'static str, Vec<FacetValue>> {
    let mut by_facet: BTreeMap<&'static str, BTreeMap<&'a str, FacetValue>> = BTreeMap::new();
    for (i, &id) in listed.iter().enumerate() {
        for (facet, segment, label) in entries_of(i) {
            by_facet
                .entry(facet)
                .or_default()
                .entry(segment.as_str())
                .or_insert_with(|| FacetValue {
                    label: label.clone(),
                    segment: segment.clone(),
                    entities: Vec::new(),
                })
                .entities
                .push(id);
        }
    }
    by_facet
        .into_iter()
        .map(|(facet, values)| {
            let mut values: Vec<FacetValue> = values.into_values().collect();
            values.sort_by_cached_key(|v| (v.label.to_lowercase(), v.segment.clone()));
            (facet, values)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_segments_are_injective_and_path_safe() {
        assert_eq!(value_segment("production"), "production");
        assert_eq!(value_segment("Service"), "_53ervice");
        assert_eq!(value_segment("a b/c"), "a_20b_2fc");
        assert_eq!(value_segment("a_20b"), "a_5f20b");
        assert_eq!(value_segment(".."), "_..");
        assert_eq!(value_segment(""), "_");
        assert_ne!(value_segment("x_2f"), value_segment("x/"));
    }
}
