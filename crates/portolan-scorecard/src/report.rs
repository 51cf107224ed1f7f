//! `portolan scorecard`'s output: levels and rule states as text for
//! people, JSON, markdown (a pull request comment) or CSV (a spreadsheet).
//! Entities in catalog order, rules in file order: the same input gives
//! the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portolan_catalog::EntityId;
use portolan_check::Checked;
use serde_json::{Value, json};

use crate::{EntityScore, Scorecard, Scored};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Csv,
}

/// What to show.
pub struct Selection<'a> {
    /// Indexes into the scorecards; all of them when empty.
    pub scorecards: Vec<usize>,
    /// Only entities owned by this group.
    pub group: Option<&'a str>,
}

struct View<'a> {
    scorecard: &'a Scorecard,
    entities: Vec<(EntityId, &'a EntityScore)>,
}

fn views<'a>(scored: &'a Scored, selection: &Selection<'_>) -> Vec<View<'a>> {
    let indexes: Vec<usize> = if selection.scorecards.is_empty() {
        (0..scored.loaded.scorecards.len()).collect()
    } else {
        selection.scorecards.clone()
    };
    indexes
        .into_iter()
        .map(|i| View {
            scorecard: &scored.loaded.scorecards[i],
            entities: scored.scores[i]
                .iter()
                .filter(|(id, _)| selection.group.is_none_or(|g| scored.owned_by(*id, g)))
                .map(|(id, score)| (*id, score))
                .collect(),
        })
        .collect()
}

fn level_name(scorecard: &Scorecard, score: &EntityScore) -> String {
    score
        .level
        .map_or_else(|| "none".to_string(), |l| scorecard.levels[l].clone())
}

/// `7 pass, 1 fail, 2 not-applicable`: the non-zero counts, in state order.
fn state_counts(score: &EntityScore) -> String {
    let mut counts: BTreeMap<crate::State, usize> = BTreeMap::new();
    for result in &score.rules {
        *counts.entry(result.state).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .into_iter()
        .map(|(state, n)| format!("{n} {}", state.as_str()))
        .collect();
    parts.join(", ")
}

/// Entities per level (and `none`), lowest first.
fn histogram(view: &View<'_>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<Option<usize>, usize> = BTreeMap::new();
    for (_, score) in &view.entities {
        *counts.entry(score.level).or_default() += 1;
    }
    let mut out = vec![("none".to_string(), counts.get(&None).copied().unwrap_or(0))];
    for (i, level) in view.scorecard.levels.iter().enumerate() {
        out.push((level.clone(), counts.get(&Some(i)).copied().unwrap_or(0)));
    }
    out
}

pub fn render(
    scored: &Scored,
    checked: &Checked,
    selection: &Selection<'_>,
    format: Format,
) -> String {
    let views = views(scored, selection);
    match format {
        Format::Human => human(&views, checked),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&json_report(&views, checked, scored))
                .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Markdown => markdown(&views, checked),
        Format::Csv => csv(&views, checked),
    }
}

fn human(views: &[View<'_>], checked: &Checked) -> String {
    let mut out = String::new();
    for view in views {
        let card = view.scorecard;
        let _ = writeln!(
            out,
            "{} ({}): {} entities",
            card.name,
            card.id,
            view.entities.len()
        );
        let width = view
            .entities
            .iter()
            .map(|(id, _)| checked.catalog.entities[*id].entity_ref().to_string().len())
            .max()
            .unwrap_or(0);
        for (id, score) in &view.entities {
            let entity = checked.catalog.entities[*id].entity_ref().to_string();
            let _ = writeln!(
                out,
                "  {entity:<width$}  {:<12}  {}",
                level_name(card, score),
                state_counts(score)
            );
            for result in score
                .rules
                .iter()
                .filter(|r| r.state != crate::State::Pass && r.state != crate::State::NotApplicable)
            {
                let rule = &card.rules[result.rule];
                let _ = writeln!(
                    out,
                    "      {:<14} {} [{}]: {}",
                    result.state.as_str(),
                    rule.id,
                    card.levels[rule.level],
                    result.reason
                );
            }
        }
        let histogram: Vec<String> = histogram(view)
            .into_iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        let _ = writeln!(out, "  levels: {}\n", histogram.join(", "));
    }
    out
}

fn json_report(views: &[View<'_>], checked: &Checked, scored: &Scored) -> Value {
    let scorecards: Vec<Value> = views
        .iter()
        .map(|view| {
            let card = view.scorecard;
            let entities: Vec<Value> = view
                .entities
                .iter()
                .map(|(id, score)| {
                    let entity = &checked.catalog.entities[*id];
                    json!({
                        "entity": entity.entity_ref().to_string(),
                        "owner": scored.facts.get(*id).and_then(|f| f.get("owner")).cloned().unwrap_or(Value::Null),
                        "level": score.level.map(|l| card.levels[l].clone()),
                        "rules": score.rules.iter().map(|r| json!({
                            "id": card.rules[r.rule].id,
                            "level": card.levels[card.rules[r.rule].level],
                            "state": r.state,
                            "value": r.value,
                            "reason": r.reason,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "id": card.id,
                "name": card.name,
                "description": card.description,
                "file": card.file,
                "levels": card.levels,
                "rules": card.rules.iter().map(|r| json!({
                    "id": r.id,
                    "title": r.title,
                    "level": card.levels[r.level],
                })).collect::<Vec<_>>(),
                "histogram": histogram(view).into_iter().map(|(l, n)| json!({"level": l, "entities": n})).collect::<Vec<_>>(),
                "entities": entities,
            })
        })
        .collect();
    json!({ "scorecards": scorecards })
}

/// `|` and line breaks would end a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(views: &[View<'_>], checked: &Checked) -> String {
    let mut out = String::new();
    for view in views {
        let card = view.scorecard;
        let _ = writeln!(out, "## {}\n", cell(&card.name));
        if !card.description.is_empty() {
            let _ = writeln!(out, "{}\n", card.description.trim());
        }
        let histogram: Vec<String> = histogram(view)
            .into_iter()
            .map(|(l, n)| format!("{} {n}", cell(&l)))
            .collect();
        let _ = writeln!(out, "Levels: {}\n", histogram.join(" · "));
        let _ = writeln!(out, "| Entity | Level | Not met |\n|---|---|---|");
        for (id, score) in &view.entities {
            let not_met: Vec<String> = score
                .rules
                .iter()
                .filter(|r| !r.state.counts_as_met())
                .map(|r| format!("`{}` ({})", card.rules[r.rule].id, r.state.as_str()))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(&checked.catalog.entities[*id].entity_ref().to_string()),
                cell(&level_name(card, score)),
                cell(&not_met.join(", "))
            );
        }
        out.push('\n');
    }
    out
}

/// RFC 4180: a field with a comma, quote or line break is quoted, its
/// quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(views: &[View<'_>], checked: &Checked) -> String {
    let mut out = String::from("scorecard,entity,level,rule,rule_level,state,value,reason\n");
    for view in views {
        let card = view.scorecard;
        for (id, score) in &view.entities {
            let entity = checked.catalog.entities[*id].entity_ref().to_string();
            for result in &score.rules {
                let rule = &card.rules[result.rule];
                let value = match &result.value {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let fields = [
                    card.id.as_str(),
                    &entity,
                    &level_name(card, score),
                    &rule.id,
                    &card.levels[rule.level],
                    result.state.as_str(),
                    &value,
                    &result.reason,
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
        }
    }
    out
}

/// The facts registry as text (`--list-facts`) or JSON.
pub fn list_facts(json: bool) -> String {
    if json {
        let mut text = serde_json::to_string_pretty(crate::FACTS).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let width = crate::FACTS.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for fact in crate::FACTS {
        let _ = writeln!(
            out,
            "{:<width$}  {:<6}  {}",
            fact.name,
            fact.ty.as_str(),
            fact.description
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
