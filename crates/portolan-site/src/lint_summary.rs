//! Design-lint findings per API, counted by family (validity,
//! documentation, responses, style, security, and the ruleset's custom
//! rules): the checks page's table and each API's `lint` in
//! `catalog.json`, which scorecards and dashboards can read.

use std::collections::BTreeMap;

use portolan_catalog::EntityId;
use portolan_check::Checked;
use serde::Serialize;

/// Families in the order tables show them.
pub const FAMILIES: &[&str] = &[
    "validity",
    "documentation",
    "responses",
    "style",
    "security",
    "custom",
];

/// The family of a finding's code; `None` when it is no lint finding.
pub fn family_of(code: &str) -> Option<&'static str> {
    if code == portolan_core::codes::CUSTOM_RULE.code {
        return Some("custom");
    }
    portolan_lint::find_rule(code)
        .filter(|rule| rule.code.code == code)
        .map(|rule| rule.family.as_str())
}

/// One API's counts, by family (families without findings absent).
pub fn counts(checked: &Checked, id: EntityId) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    if let Some(definition) = checked.apis.get(&id) {
        for d in &definition.diagnostics {
            if let Some(family) = family_of(&d.code) {
                *out.entry(family).or_insert(0) += 1;
            }
        }
    }
    out
}

/// What an API's page shows of its lint: counts by family, in
/// [`FAMILIES`] order (families without findings left out), and the total.
#[derive(Debug, Clone, Serialize)]
pub struct ApiLint {
    pub families: Vec<FamilyCount>,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyCount {
    pub family: &'static str,
    pub count: usize,
}

/// The lint summary of entity `id`'s API definition; `None` when it has
/// none (not an API, or a definition portolan does not read).
pub fn api_lint(checked: &Checked, id: EntityId) -> Option<ApiLint> {
    let definition = checked.apis.get(&id)?;
    definition.spec.as_ref()?;
    let counts = counts(checked, id);
    Some(ApiLint {
        families: FAMILIES
            .iter()
            .filter_map(|f| counts.get(f).map(|&count| FamilyCount { family: f, count }))
            .collect(),
        total: counts.values().sum(),
    })
}

/// A row of the checks page's table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub entity: EntityId,
    /// Counts in [`FAMILIES`] order.
    pub counts: Vec<usize>,
    pub total: usize,
}

/// Every API with lint findings, most findings first (then catalog order).
pub fn rows(checked: &Checked) -> Vec<Row> {
    let mut rows: Vec<Row> = checked
        .apis
        .keys()
        .filter_map(|&id| {
            let counts = counts(checked, id);
            let total: usize = counts.values().sum();
            (total > 0).then(|| Row {
                entity: id,
                counts: FAMILIES
                    .iter()
                    .map(|f| counts.get(f).copied().unwrap_or(0))
                    .collect(),
                total,
            })
        })
        .collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then(a.entity.cmp(&b.entity)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_of_codes() {
        assert_eq!(family_of("L005"), Some("documentation"));
        assert_eq!(family_of("L028"), Some("security"));
        assert_eq!(family_of("U001"), Some("custom"));
        assert_eq!(family_of("A005"), None);
        // A rule's name is not a finding's code.
        assert_eq!(family_of("operation-operation-id"), None);
    }
}
