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
    if out.is_empty() || out == "." || out == ".." {
        out = format!("_{out}");
    }
    out
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
    format!(
        "{}.{}.{}",
        value_segment(&e.kind_name.to_ascii_lowercase()),
        value_segment(&e.namespace.to_ascii_lowercase()),
        value_segment(&e.name.to_ascii_lowercase())
    )
}

/// The resolved target of an entity's `field` reference, if it is listed.
pub fn resolved_field(catalog: &Catalog, id: EntityId, field: &str) -> Option<EntityId> {
    catalog
        .references_from(id)
        .iter()
        .find(|r| r.field == field)
        .and_then(|r| r.resolved)
}

/// Every facet's values over `listed`, sorted by label, keyed by facet.
pub fn facet_values(
    catalog: &Catalog,
    listed: &[EntityId],
    label_of: &dyn Fn(EntityId) -> String,
) -> BTreeMap<&'static str, Vec<FacetValue>> {
    let mut by_facet: BTreeMap<&'static str, BTreeMap<String, FacetValue>> = BTreeMap::new();
    let mut add = |facet: &'static str, segment: String, label: String, id: EntityId| {
        by_facet
            .entry(facet)
            .or_default()
            .entry(segment.clone())
            .or_insert_with(|| FacetValue {
                label,
                segment,
                entities: Vec::new(),
            })
            .entities
            .push(id);
    };
    for &id in listed {
        let e = &catalog.entities[id];
        if let Some(t) = e.spec_str("type") {
            add("type", value_segment(t), t.to_string(), id);
        }
        if let Some(l) = e.spec_str("lifecycle") {
            add("lifecycle", value_segment(l), l.to_string(), id);
        }
        let mut tags: Vec<&str> = e.tags().collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            add("tag", value_segment(tag), tag.to_string(), id);
        }
        for (facet, field) in [("owner", "owner"), ("system", "system")] {
            if let Some(target) = resolved_field(catalog, id, field) {
                add(facet, entity_segment(catalog, target), label_of(target), id);
            }
        }
    }
    by_facet
        .into_iter()
        .map(|(facet, values)| {
            let mut values: Vec<FacetValue> = values.into_values().collect();
            values.sort_by(|a, b| {
                a.label
                    .to_lowercase()
                    .cmp(&b.label.to_lowercase())
                    .then_with(|| a.segment.cmp(&b.segment))
            });
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
