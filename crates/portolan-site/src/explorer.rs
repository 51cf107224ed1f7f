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
use serde::Serialize;

/// The filters besides kind, as (URL segment, label).
pub const FACETS: &[(&str, &str)] = &[
    ("type", "Type"),
    ("owner", "Owner"),
    ("lifecycle", "Lifecycle"),
    ("tag", "Tag"),
    ("system", "System"),
    ("level", "Level"),
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

/// An entity's level on one scorecard, as the explorer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCell {
    /// The scorecard's name.
    pub card: String,
    /// The level's name (`none` below the first).
    pub level: String,
    /// 0 below the first level, then 1, 2, … (for sorting).
    pub rank: usize,
    /// The level facet's value: `<scorecard segment>.<level>`.
    pub segment: String,
    /// The badge's class (as the scorecard pages colour levels).
    pub class: String,
}

/// The entity's level on each scorecard that selects it, in the cards'
/// order.
pub fn entity_levels(
    scorecards: Option<&crate::scorecards::SiteScorecards>,
    id: EntityId,
) -> Vec<LevelCell> {
    let Some(scorecards) = scorecards else {
        return Vec::new();
    };
    scorecards
        .cards
        .iter()
        .filter_map(|card| {
            let scored = card.entity(id)?;
            let level = card.level_name(scored.level).to_string();
            let rank = scored.level.map_or(0, |l| l + 1);
            Some(LevelCell {
                card: card.name.clone(),
                segment: value_segment(&format!("{}.{}", card.segment, level.to_lowercase())),
                class: crate::scorecards::level_class(rank),
                level,
                rank,
            })
        })
        .collect()
}

/// How a row sorts by level: its ranks on the scorecards, zero-padded, in
/// the cards' order (empty: no scorecard selects it).
pub fn level_sort_key(levels: &[LevelCell]) -> String {
    levels
        .iter()
        .map(|l| format!("{:03}", l.rank))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The facet values of one entity (its type, lifecycle, tags, owner,
/// system and scorecard levels).
pub fn facet_entries(
    catalog: &Catalog,
    id: EntityId,
    label_of: &dyn Fn(EntityId) -> String,
    levels: &[LevelCell],
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
    for level in levels {
        out.push((
            "level",
            level.segment.clone(),
            format!("{}: {}", level.card, level.level),
        ));
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
        .map(|&id| facet_entries(catalog, id, label_of, &[]))
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

/// The row attributes of one entity: its owner and system facet values
/// (the script reads the other facets from the row's cells and links, and
/// these from attributes: their cells link to entity pages). Every row is
/// rendered in several tables, so it carries no more than that.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FacetData {
    pub owner: String,
    pub system: String,
}

pub fn facet_data(entries: &[FacetEntry]) -> FacetData {
    let mut out = FacetData::default();
    for (facet, segment, _) in entries {
        match *facet {
            "owner" => out.owner = segment.clone(),
            "system" => out.system = segment.clone(),
            _ => {}
        }
    }
    out
}

/// Values a sidebar lists per facet (the most frequent); the facet's own
/// page lists them all.
pub const SIDEBAR_VALUES: usize = 10;

/// One facet of the explorer's sidebar.
#[derive(Debug, Serialize)]
pub struct SidebarFacet {
    pub key: &'static str,
    pub label: &'static str,
    /// The most frequent values in the table, by count then label.
    pub values: Vec<SidebarValue>,
    /// How many values the facet has in the table.
    pub total: usize,
    /// The page listing all of them (`None` for kinds: all are shown).
    pub all_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SidebarValue {
    pub label: String,
    pub segment: String,
    /// Rows of the table with this value.
    pub count: usize,
    /// The page of every entity with this value.
    pub url: String,
    /// The page is that value's.
    pub current: bool,
}

/// The sidebar of an explorer table whose rows have `rows` (their facet
/// entries): per facet, the values with their counts among these rows.
/// Kinds are not among them: the kind navigation above the table lists
/// every kind with its count. Linear in the rows' facet entries.
pub fn sidebar<'a>(
    rows: impl Iterator<Item = &'a [FacetEntry]>,
    current: Option<(&str, &str)>,
) -> Vec<SidebarFacet> {
    // Per facet (in FACETS' order): segment → (label, count). Borrowed
    // keys, counted in hash maps: every table of the explorer counts its
    // rows, so this runs over each row several times. The order shown
    // comes from the sort below, not from the maps.
    let facets: &[(&'static str, &'static str)] = FACETS;
    let mut counts: Vec<std::collections::HashMap<&'a str, (&'a str, usize)>> =
        vec![Default::default(); facets.len()];
    let slot = |facet: &str| facets.iter().position(|(key, _)| *key == facet);
    for entries in rows {
        for (facet, segment, label) in entries {
            if let Some(i) = slot(facet) {
                counts[i]
                    .entry(segment.as_str())
                    .or_insert((label.as_str(), 0))
                    .1 += 1;
            }
        }
    }
    // Most frequent first, then by label (ASCII case folded), then by
    // segment: a total order, so the same rows give the same sidebar.
    let by_label = |a: &(&str, &str, usize), b: &(&str, &str, usize)| {
        let fold = |s: &str| {
            s.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        fold(a.1).cmp(&fold(b.1)).then_with(|| a.0.cmp(b.0))
    };
    let by_count = |a: &(&str, &str, usize), b: &(&str, &str, usize)| {
        b.2.cmp(&a.2).then_with(|| by_label(a, b))
    };
    facets
        .iter()
        .zip(counts)
        .filter_map(|(&(key, label), values)| {
            let total = values.len();
            if total == 0 {
                return None;
            }
            let mut values: Vec<(&str, &str, usize)> = values
                .into_iter()
                .map(|(segment, (label, count))| (segment, label, count))
                .collect();
            if values.len() > SIDEBAR_VALUES {
                values.select_nth_unstable_by(SIDEBAR_VALUES - 1, by_count);
                values.truncate(SIDEBAR_VALUES);
            }
            values.sort_by(by_count);
            let values = values
                .into_iter()
                .map(|(segment, value_label, count)| SidebarValue {
                    url: facet_url(key, segment),
                    current: current == Some((key, segment)),
                    label: value_label.to_string(),
                    segment: segment.to_string(),
                    count,
                })
                .collect();
            Some(SidebarFacet {
                key,
                label,
                values,
                total,
                all_url: Some(facet_index_url(key)),
            })
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

    fn entry(facet: &'static str, value: &str) -> FacetEntry {
        (facet, value_segment(value), value.to_string())
    }

    #[test]
    fn sidebar_counts_each_value_among_the_tables_rows() {
        let a = vec![
            entry("lifecycle", "production"),
            entry("tag", "java"),
            entry("tag", "rust"),
        ];
        let b = vec![entry("lifecycle", "production"), entry("tag", "rust")];
        let c = vec![entry("lifecycle", "experimental")];
        let rows = [a.as_slice(), b.as_slice(), c.as_slice()];
        let facets = sidebar(rows.iter().copied(), Some(("lifecycle", "production")));
        // (facet, [(value, count, current)])
        type Shown<'a> = Vec<(&'a str, Vec<(&'a str, usize, bool)>)>;
        let shown: Shown<'_> = facets
            .iter()
            .map(|f| {
                (
                    f.key,
                    f.values
                        .iter()
                        .map(|v| (v.label.as_str(), v.count, v.current))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    "lifecycle",
                    vec![("production", 2, true), ("experimental", 1, false)]
                ),
                ("tag", vec![("rust", 2, false), ("java", 1, false)]),
            ]
        );
        assert_eq!(facets[1].values[0].url, "catalog/_by/tag/rust/");
        assert_eq!(facets[1].all_url.as_deref(), Some("catalog/_by/tag/"));
    }

    #[test]
    fn sidebar_lists_the_most_frequent_values_and_counts_all() {
        let entries: Vec<Vec<FacetEntry>> = (0..30)
            .map(|i| vec![entry("tag", &format!("t{:02}", i % 15))])
            .chain((0..5).map(|_| vec![entry("tag", "zz")]))
            .collect();
        let facets = sidebar(entries.iter().map(|e| e.as_slice()), None);
        // Kinds are above the table, not in the sidebar.
        assert_eq!(facets.iter().map(|f| f.key).collect::<Vec<_>>(), ["tag"]);
        let tags = &facets[0];
        assert_eq!(tags.total, 16);
        assert_eq!(tags.values.len(), SIDEBAR_VALUES);
        // The most frequent first, then by label.
        assert_eq!(
            (tags.values[0].label.as_str(), tags.values[0].count),
            ("zz", 5)
        );
        assert_eq!(
            (tags.values[1].label.as_str(), tags.values[1].count),
            ("t00", 2)
        );
    }

    #[test]
    fn rows_carry_their_owner_and_system() {
        let data = facet_data(&[
            entry("tag", "java"),
            ("owner", "group.default.a".into(), "A".into()),
            ("system", "system.default.s".into(), "S".into()),
        ]);
        assert_eq!(data.owner, "group.default.a");
        assert_eq!(data.system, "system.default.s");
    }
}
