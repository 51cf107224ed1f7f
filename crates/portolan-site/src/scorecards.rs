//! Scorecards in the portal: what portolan-scorecard computed (levels and
//! rule states, [`portolan_scorecard::Scored`]) and, when the build read
//! git history, the levels at sampled past revisions ([`TrendPoint`]), as
//! the site shows them: one page per scorecard (its levels, a rules ×
//! entities matrix, the levels per team and per domain, the rules most
//! failed, the trend as an SVG chart), a card on each entity's page, a
//! level badge per entity as an SVG file, and `catalog.json`'s scorecard
//! data. The site computes none of the judgements; it counts and draws.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portolan_catalog::{Catalog, EntityId, EntityRef};
use portolan_scorecard::{Scored, State};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Every scorecard's results, and every entity's facts.
#[derive(Debug, Clone, Default)]
pub struct SiteScorecards {
    pub cards: Vec<Card>,
    /// Per entity (by id), its facts as a JSON object; empty when the
    /// build computed none.
    pub facts: Vec<Value>,
    /// The levels of the sampled revisions, written to [`TREND_JSON`]
    /// for the next build to reuse (`None`: no trend was computed).
    pub trend_record: Option<TrendRecord>,
    /// Per owner and per domain (their entity refs, lower case), per card:
    /// the levels of the entities they own or hold (for team and domain
    /// pages; made once, so each page costs a lookup).
    pub by_group: BTreeMap<String, Vec<Vec<Option<usize>>>>,
}

/// Where the trends' levels are published, for the next build to read
/// back as its cache.
pub const TREND_JSON: &str = "scorecards/trend.json";

/// What [`TREND_JSON`] holds: the levels of each sampled commit, and the
/// key of what they were computed with (the scorecards, the
/// configuration, the policies, the audience and portolan's version);
/// a build whose key differs computes them again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrendRecord {
    pub key: String,
    /// By commit id: per scorecard id, the entities at no level, then at
    /// each level.
    pub commits: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
}

impl TrendRecord {
    /// The published JSON (sorted keys: the same levels, the same bytes).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// One scorecard and the entities it selects.
#[derive(Debug, Clone)]
pub struct Card {
    /// The scorecard's id (its file name without extension).
    pub id: String,
    /// Its pages' path segment (`scorecards/<segment>/`), its badges'
    /// folder (`badges/<segment>/`): unique among the cards.
    pub segment: String,
    pub name: String,
    pub description: String,
    pub file: String,
    /// Lowest first.
    pub levels: Vec<String>,
    pub rules: Vec<CardRule>,
    /// The entities the scorecard selects, by id (ascending).
    pub entities: Vec<ScoredEntity>,
    /// Levels at past revisions, oldest first (empty: no history read).
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone)]
pub struct CardRule {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Index into the card's levels.
    pub level: usize,
}

/// One entity's result on one scorecard.
#[derive(Debug, Clone)]
pub struct ScoredEntity {
    pub id: EntityId,
    /// Index into the card's levels; `None`: not even the first.
    pub level: Option<usize>,
    /// One per rule of the card, in the card's order.
    pub rules: Vec<RuleCell>,
}

/// One rule's state for one entity.
#[derive(Debug, Clone)]
pub struct RuleCell {
    pub state: State,
    /// The fact's value, for fact rules (null otherwise, or when unknown).
    pub value: Value,
    /// Why: what failed, which waiver exempts, when enforcement starts.
    pub reason: String,
}

/// How many entities were at each level at one past revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TrendPoint {
    /// The sampled commit's id and committer time (Unix seconds).
    pub commit: String,
    pub time: i64,
    /// Entities at no level first, then at each of the card's levels
    /// (the levels of today's scorecard file).
    pub counts: Vec<usize>,
}

impl SiteScorecards {
    /// The portal's view of what scoring computed.
    pub fn from_scored(scored: &Scored) -> Self {
        let mut segments: Vec<String> = Vec::new();
        let cards: Vec<Card> = scored
            .loaded
            .scorecards
            .iter()
            .zip(&scored.scores)
            .map(|(card, scores)| {
                let mut segment = crate::site_path::name_segment(&card.id);
                // Ids differ case-insensitively; their segments may still
                // meet (`a b` and `a_b`): a later one gets a suffix.
                let base = segment.clone();
                let mut n = 2;
                while segments.contains(&segment) {
                    segment = format!("{base}-{n}");
                    n += 1;
                }
                segments.push(segment.clone());
                Card {
                    id: card.id.clone(),
                    segment,
                    name: card.name.clone(),
                    description: card.description.clone(),
                    file: card.file.clone(),
                    levels: card.levels.clone(),
                    rules: card
                        .rules
                        .iter()
                        .map(|r| CardRule {
                            id: r.id.clone(),
                            title: r.title.clone(),
                            description: r.description.clone(),
                            level: r.level,
                        })
                        .collect(),
                    entities: scores
                        .iter()
                        .map(|(id, score)| {
                            let mut rules: Vec<RuleCell> = card
                                .rules
                                .iter()
                                .map(|_| RuleCell {
                                    state: State::Unknown,
                                    value: Value::Null,
                                    reason: String::new(),
                                })
                                .collect();
                            for r in &score.rules {
                                rules[r.rule] = RuleCell {
                                    state: r.state,
                                    value: r.value.clone(),
                                    reason: r.reason.clone(),
                                };
                            }
                            ScoredEntity {
                                id: *id,
                                level: score.level,
                                rules,
                            }
                        })
                        .collect(),
                    trend: Vec::new(),
                }
            })
            .collect();
        let facts: Vec<Value> = scored.facts.iter().map(|f| json!(f)).collect();
        let mut by_group: BTreeMap<String, Vec<Vec<Option<usize>>>> = BTreeMap::new();
        for (index, card) in cards.iter().enumerate() {
            for e in &card.entities {
                for fact in ["owner", "domain"] {
                    let Some(group) = facts
                        .get(e.id)
                        .and_then(|f| f.get(fact))
                        .and_then(Value::as_str)
                    else {
                        continue;
                    };
                    let per_card = by_group
                        .entry(group.to_ascii_lowercase())
                        .or_insert_with(|| vec![Vec::new(); cards.len()]);
                    per_card[index].push(e.level);
                }
            }
        }
        SiteScorecards {
            cards,
            facts,
            trend_record: None,
            by_group,
        }
    }

    /// `catalog.json`'s top-level `scorecards`.
    pub fn summary_json(&self) -> Value {
        Value::Array(
            self.cards
                .iter()
                .map(|card| {
                    let mut summary = json!({
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
                        "histogram": card.level_names()
                            .zip(card.histogram())
                            .map(|(level, entities)| json!({ "level": level, "entities": entities }))
                            .collect::<Vec<_>>(),
                    });
                    if !card.trend.is_empty()
                        && let Some(map) = summary.as_object_mut()
                    {
                        map.insert(
                            "trend".into(),
                            card.trend
                                .iter()
                                .map(|p| {
                                    json!({
                                        "commit": p.commit,
                                        "date": portolan_core::history::format_date(p.time),
                                        "histogram": card.level_names().zip(&p.counts)
                                            .map(|(level, entities)| json!({ "level": level, "entities": entities }))
                                            .collect::<Vec<_>>(),
                                    })
                                })
                                .collect(),
                        );
                    }
                    summary
                })
                .collect(),
        )
    }

    /// An entity's `facts` and `scorecards` in `catalog.json` (`None`:
    /// no facts were computed for it).
    pub fn entity_json(&self, id: EntityId) -> Option<(Value, Value)> {
        let facts = self.facts.get(id)?.clone();
        let mut levels = Map::new();
        for card in &self.cards {
            let Some(scored) = card.entity(id) else {
                continue;
            };
            let rules: Map<String, Value> = card
                .rules
                .iter()
                .zip(&scored.rules)
                .map(|(rule, cell)| {
                    (
                        rule.id.clone(),
                        json!({ "state": cell.state, "value": cell.value, "reason": cell.reason }),
                    )
                })
                .collect();
            levels.insert(
                card.id.clone(),
                json!({
                    "level": scored.level.map(|l| card.levels[l].clone()),
                    "rules": rules,
                }),
            );
        }
        Some((facts, Value::Object(levels)))
    }

    /// The fact `name` of entity `id`, as a string.
    fn fact_str(&self, id: EntityId, name: &str) -> Option<&str> {
        self.facts.get(id)?.get(name)?.as_str()
    }
}

impl Card {
    /// `none`, then the level names.
    pub fn level_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once("none").chain(self.levels.iter().map(String::as_str))
    }

    /// Entities at no level, then at each level.
    pub fn histogram(&self) -> Vec<usize> {
        counts_of(self.levels.len(), self.entities.iter().map(|e| e.level))
    }

    /// The entity's result, if the card selects it.
    pub fn entity(&self, id: EntityId) -> Option<&ScoredEntity> {
        self.entities
            .binary_search_by_key(&id, |e| e.id)
            .ok()
            .map(|i| &self.entities[i])
    }

    /// Where the page of the scorecard is (site path, ending in `/`).
    pub fn url(&self) -> String {
        format!("scorecards/{}/", self.segment)
    }

    /// Site path of entity `id`'s level badge on this card.
    pub fn badge_path(&self, catalog: &Catalog, id: EntityId) -> String {
        badge_path(&self.segment, catalog, id)
    }

    /// The level's name (`none` below the first).
    pub fn level_name(&self, level: Option<usize>) -> &str {
        level.map_or("none", |l| self.levels[l].as_str())
    }
}

/// Counts of `levels` (each `None` or an index below `level_count`): at
/// no level first, then at each level.
pub fn counts_of(level_count: usize, levels: impl Iterator<Item = Option<usize>>) -> Vec<usize> {
    let mut counts = vec![0; level_count + 1];
    for level in levels {
        counts[level.map_or(0, |l| (l + 1).min(level_count))] += 1;
    }
    counts
}

/// `badges/<card>/<kind>/<namespace>/<name>.svg`: beside the entity's
/// page path (`catalog/<kind>/<namespace>/<name>/`), so a README can name
/// it from the entity's ref alone.
pub fn badge_path(card_segment: &str, catalog: &Catalog, id: EntityId) -> String {
    let e = &catalog.entities[id];
    format!(
        "badges/{card_segment}/{}/{}/{}.svg",
        crate::site_path::name_segment(&e.kind_name),
        crate::site_path::name_segment(&e.namespace),
        crate::site_path::name_segment(&e.name)
    )
}

/// Text for XML (attributes and content): the five special characters
/// escaped, and characters XML 1.0 does not allow at all left out.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A text's width in the badges' 11px sans-serif, estimated per
/// character (no font metrics at build time): generous, so text never
/// overflows its box.
fn text_width(s: &str) -> u32 {
    s.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 4,
            'm' | 'w' | 'M' | 'W' => 11,
            c if c.is_ascii_uppercase() => 8,
            c if c.is_ascii() => 7,
            // Wide scripts (CJK and the like) take a full em.
            _ => 12,
        })
        .sum()
}

/// Longest text a badge shows of a name, in characters.
const BADGE_TEXT_MAX: usize = 40;

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// Badge colours (white text on each has a contrast above 4.5:1): the
/// highest level green, no level grey, the others by rank.
fn level_colour(level: Option<usize>, level_count: usize) -> &'static str {
    const OTHERS: [&str; 3] = ["#9a4f00", "#6f42c1", "#0a58ca"];
    match level {
        None => "#57606a",
        Some(l) if l + 1 == level_count => "#1a7f37",
        Some(l) => OTHERS[l % OTHERS.len()],
    }
}

/// A level badge: the scorecard's name on the left, the level on the
/// right, as a static SVG file (no script, no external reference; the
/// text escaped).
pub fn badge_svg(
    card_name: &str,
    level_name: &str,
    level: Option<usize>,
    level_count: usize,
) -> String {
    let left = shorten(card_name, BADGE_TEXT_MAX);
    let right = shorten(level_name, BADGE_TEXT_MAX);
    let lw = text_width(&left) + 12;
    let rw = text_width(&right) + 12;
    let width = lw + rw;
    let label = xml_text(&format!("{card_name}: {level_name}"));
    let colour = level_colour(level, level_count);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" viewBox=\"0 0 {width} 20\" role=\"img\" aria-label=\"{label}\">\
<title>{label}</title>\
<rect width=\"{lw}\" height=\"20\" fill=\"#3d444d\"/>\
<rect x=\"{lw}\" width=\"{rw}\" height=\"20\" fill=\"{colour}\"/>\
<g fill=\"#ffffff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{lx}\" y=\"14\">{left}</text>\
<text x=\"{rx}\" y=\"14\">{right}</text>\
</g></svg>",
        lx = lw / 2,
        rx = lw + rw / 2,
        left = xml_text(&left),
        right = xml_text(&right),
    );
    svg
}

/// A horizontal bar split by level (`counts` as [`Card::histogram`]
/// gives them), drawn inline beside a table row that states the same
/// numbers: decoration for sighted readers, hidden from others.
pub fn histogram_bar_svg(counts: &[usize]) -> String {
    const WIDTH: usize = 160;
    let total: usize = counts.iter().sum();
    let mut svg = format!(
        "<svg class=\"level-bar\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"12\" viewBox=\"0 0 {WIDTH} 12\" aria-hidden=\"true\" focusable=\"false\">"
    );
    if total == 0 {
        svg.push_str("<rect class=\"empty\" width=\"160\" height=\"12\"/>");
    } else {
        // Cumulative edges, rounded: the parts always fill the bar.
        let mut before = 0;
        for (index, &count) in counts.iter().enumerate() {
            let x0 = scale(before, total, WIDTH);
            before += count;
            let x1 = scale(before, total, WIDTH);
            if x1 > x0 {
                let _ = write!(
                    svg,
                    "<rect class=\"{}\" x=\"{x0}\" width=\"{}\" height=\"12\"/>",
                    level_class(index),
                    x1 - x0
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// `part` of `whole` as a length of `length` (0 of nothing).
fn scale(part: usize, whole: usize, length: usize) -> usize {
    (part * length).checked_div(whole).unwrap_or(0)
}

/// The CSS class of position `index` of a histogram (0: no level).
pub fn level_class(index: usize) -> String {
    match index {
        0 => "lv-none".to_string(),
        n => format!("lv-{}", (n - 1) % 6),
    }
}

/// The trend chart: per sampled revision, a column split by level, as
/// the share of the entities scored then (so a catalog that grew still
/// compares), dated under the first and last columns and every fourth.
pub fn trend_svg(card: &Card) -> Option<String> {
    if card.trend.is_empty() {
        return None;
    }
    const HEIGHT: usize = 160;
    const COLUMN: usize = 18;
    const GAP: usize = 6;
    const LEFT: usize = 40;
    const BOTTOM: usize = 36;
    let n = card.trend.len();
    let width = LEFT + n * (COLUMN + GAP) + GAP;
    let total_height = HEIGHT + BOTTOM + 8;
    let mut svg = format!(
        "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{total_height}\" viewBox=\"0 0 {width} {total_height}\" role=\"img\" aria-labelledby=\"trend-title-{seg}\"><title id=\"trend-title-{seg}\">{title}</title>",
        seg = xml_text(&card.segment),
        title = xml_text(&format!(
            "{}: share of entities at each level at {n} past revisions (the table below gives the numbers)",
            card.name
        )),
    );
    // The axis: 0, 50 and 100 % of the entities.
    for (share, label) in [(0, "0%"), (50, "50%"), (100, "100%")] {
        let y = 8 + HEIGHT - share * HEIGHT / 100;
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{width}\" y1=\"{y}\" y2=\"{y}\"/><text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
            LEFT - 4,
            y + 4
        );
    }
    let mut last_label: Option<(usize, usize)> = None;
    for (i, point) in card.trend.iter().enumerate() {
        let x = LEFT + GAP + i * (COLUMN + GAP);
        let total: usize = point.counts.iter().sum();
        if total > 0 {
            // The highest level at the bottom, no level on top.
            let mut below = 0;
            for index in (0..point.counts.len()).rev() {
                let count = point.counts[index];
                let y0 = scale(below, total, HEIGHT);
                below += count;
                let y1 = scale(below, total, HEIGHT);
                if y1 > y0 {
                    let _ = write!(
                        svg,
                        "<rect class=\"{}\" x=\"{x}\" y=\"{}\" width=\"{COLUMN}\" height=\"{}\"/>",
                        level_class(index),
                        8 + HEIGHT - y1,
                        y1 - y0
                    );
                }
            }
        }
        // Every fourth column and the last are dated; a date closer
        // than three columns to the one before goes on the second line.
        if i + 1 == n || i % 4 == 0 {
            let row = match last_label {
                Some((at, row)) if i - at < 3 => 1 - row,
                _ => 0,
            };
            last_label = Some((i, row));
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + COLUMN / 2,
                8 + HEIGHT + 16 + row * 12,
                xml_text(&short_date(point.time))
            );
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// `MM-DD` of a time (the chart's labels; the table gives full dates).
fn short_date(seconds: i64) -> String {
    let date = portolan_core::history::format_date(seconds);
    date.get(5..).unwrap_or(&date).to_string()
}

// ---------------------------------------------------------------------
// What the templates see.

/// A rule state as a page shows it: its word (never colour alone) and
/// its CSS class.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    /// `pass`, `fail`, `exempt`, `pending`, `n/a`, `unknown`.
    pub text: &'static str,
    /// The state's full name (`not applicable`).
    pub title: &'static str,
    pub class: &'static str,
}

pub fn state_view(state: State) -> StateView {
    let (text, title) = match state {
        State::Pass => ("pass", "pass"),
        State::Fail => ("fail", "fail"),
        State::NotApplicable => ("n/a", "not applicable"),
        State::Exempt => ("exempt", "exempt (waived)"),
        State::Pending => ("pending", "pending (not enforced yet)"),
        State::Unknown => ("unknown", "unknown (cannot be computed)"),
    };
    StateView {
        text,
        title,
        class: state.as_str(),
    }
}

/// A fact's value as text (strings as they are, anything else as JSON;
/// empty for null).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One scorecard on an entity's page.
#[derive(Debug, Clone, Serialize)]
pub struct EntityCardView {
    pub name: String,
    pub url: String,
    pub level: String,
    pub level_class: String,
    /// `Silver of Bronze, Silver, Gold`: the level among all.
    pub levels: Vec<String>,
    pub badge: String,
    pub rules: Vec<EntityRuleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityRuleView {
    pub id: String,
    pub title: String,
    pub level: String,
    pub state: StateView,
    pub value: String,
    pub reason: String,
}

/// The scorecards that select entity `id`, for its page.
pub fn entity_cards(
    scorecards: &SiteScorecards,
    catalog: &Catalog,
    id: EntityId,
) -> Vec<EntityCardView> {
    scorecards
        .cards
        .iter()
        .filter_map(|card| {
            let scored = card.entity(id)?;
            Some(EntityCardView {
                name: card.name.clone(),
                url: card.url(),
                level: card.level_name(scored.level).to_string(),
                level_class: level_class(scored.level.map_or(0, |l| l + 1)),
                levels: card.levels.clone(),
                badge: card.badge_path(catalog, id),
                rules: card
                    .rules
                    .iter()
                    .zip(&scored.rules)
                    .map(|(rule, cell)| EntityRuleView {
                        id: rule.id.clone(),
                        title: rule.title.clone(),
                        level: card.levels[rule.level].clone(),
                        state: state_view(cell.state),
                        value: value_text(&cell.value),
                        reason: cell.reason.clone(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A hash of what entity `id`'s page shows of the scorecards (`serve`
/// keeps a page only while it is the same).
pub fn entity_fingerprint(
    scorecards: Option<&SiteScorecards>,
    catalog: &Catalog,
    id: EntityId,
) -> u64 {
    match scorecards {
        None => 0,
        Some(s) => crate::memo::hash_of((
            serde_json::to_string(&entity_cards(s, catalog, id)).unwrap_or_default(),
            serde_json::to_string(&levels_here(s, catalog, id)).unwrap_or_default(),
        )),
    }
}

/// One scorecard's levels on a team's or a domain's page.
#[derive(Debug, Clone, Serialize)]
pub struct LevelsHere {
    pub name: String,
    pub url: String,
    /// `none` first, then each level: name, class and how many.
    pub levels: Vec<LevelCount>,
    pub total: usize,
    pub bar: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelCount {
    pub name: String,
    pub class: String,
    pub count: usize,
}

/// On a team's or a domain's page: for each scorecard, the levels of the
/// entities it owns (a Group) or holds (a Domain).
pub fn levels_here(
    scorecards: &SiteScorecards,
    catalog: &Catalog,
    id: EntityId,
) -> Vec<LevelsHere> {
    let key = catalog.entities[id]
        .entity_ref()
        .to_string()
        .to_ascii_lowercase();
    let Some(per_card) = scorecards.by_group.get(&key) else {
        return Vec::new();
    };
    scorecards
        .cards
        .iter()
        .zip(per_card)
        .filter(|(_, levels)| !levels.is_empty())
        .map(|(card, levels)| {
            let counts = counts_of(card.levels.len(), levels.iter().copied());
            LevelsHere {
                name: card.name.clone(),
                url: card.url(),
                levels: card
                    .level_names()
                    .zip(&counts)
                    .enumerate()
                    .map(|(i, (name, &count))| LevelCount {
                        name: name.to_string(),
                        class: level_class(i),
                        count,
                    })
                    .collect(),
                total: counts.iter().sum(),
                bar: histogram_bar_svg(&counts),
            }
        })
        .collect()
}

/// A row of a levels table (per team, per domain).
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub label: String,
    /// The group's page, when it is an entity of the catalog.
    pub url: Option<String>,
    pub counts: Vec<usize>,
    pub total: usize,
    pub bar: String,
}

/// Levels per value of a fact (`owner`, `domain`), sorted by label; the
/// entities without one last, as `without`.
fn levels_by(
    card: &Card,
    scorecards: &SiteScorecards,
    catalog: &Catalog,
    fact: &str,
    without: &str,
) -> Vec<GroupRow> {
    let mut groups: BTreeMap<Option<&str>, Vec<Option<usize>>> = BTreeMap::new();
    for e in &card.entities {
        groups
            .entry(scorecards.fact_str(e.id, fact))
            .or_default()
            .push(e.level);
    }
    let mut rows: Vec<(bool, GroupRow)> = groups
        .into_iter()
        .map(|(key, levels)| {
            let counts = counts_of(card.levels.len(), levels.into_iter());
            let (label, url) = match key {
                None => (without.to_string(), None),
                Some(text) => match EntityRef::parse(text, None, "default")
                    .ok()
                    .and_then(|r| catalog.index.get(&r.key()).copied())
                {
                    Some(target) => (
                        crate::pages::entity_label(catalog, target),
                        Some(crate::pages::entity_url(catalog, target)),
                    ),
                    None => (text.to_string(), None),
                },
            };
            (
                key.is_none(),
                GroupRow {
                    label,
                    url,
                    total: counts.iter().sum(),
                    bar: histogram_bar_svg(&counts),
                    counts,
                },
            )
        })
        .collect();
    rows.sort_by(|(a_none, a), (b_none, b)| {
        (a_none, a.label.to_lowercase(), &a.label).cmp(&(b_none, b.label.to_lowercase(), &b.label))
    });
    rows.into_iter().map(|(_, row)| row).collect()
}

/// A rule's counts of each state over the card's entities.
#[derive(Debug, Clone, Serialize)]
pub struct RuleStats {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub level: String,
    pub pass: usize,
    pub fail: usize,
    pub exempt: usize,
    pub pending: usize,
    pub not_applicable: usize,
    pub unknown: usize,
}

/// Every rule with its counts, the most failed first (failed and unknown
/// count: both keep a level from being reached), then in file order.
pub fn rules_by_failures(card: &Card) -> Vec<RuleStats> {
    let mut stats: Vec<(usize, RuleStats)> = card
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let mut s = RuleStats {
                id: rule.id.clone(),
                title: rule.title.clone(),
                description: rule.description.clone(),
                level: card.levels[rule.level].clone(),
                pass: 0,
                fail: 0,
                exempt: 0,
                pending: 0,
                not_applicable: 0,
                unknown: 0,
            };
            for e in &card.entities {
                match e.rules[i].state {
                    State::Pass => s.pass += 1,
                    State::Fail => s.fail += 1,
                    State::Exempt => s.exempt += 1,
                    State::Pending => s.pending += 1,
                    State::NotApplicable => s.not_applicable += 1,
                    State::Unknown => s.unknown += 1,
                }
            }
            (i, s)
        })
        .collect();
    stats.sort_by_key(|(i, s)| (std::cmp::Reverse(s.fail + s.unknown), *i));
    stats.into_iter().map(|(_, s)| s).collect()
}

/// One row of the matrix: an entity, its level and each rule's state.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub label: String,
    pub url: String,
    pub level: String,
    pub level_class: String,
    pub cells: Vec<StateView>,
}

/// The matrix's rows, by entity label (then ref).
pub fn matrix_rows(card: &Card, catalog: &Catalog) -> Vec<MatrixRow> {
    let mut rows: Vec<(String, String, MatrixRow)> = card
        .entities
        .iter()
        .map(|e| {
            let label = crate::pages::entity_label(catalog, e.id);
            let key = catalog.entities[e.id].entity_ref().to_string();
            let row = MatrixRow {
                label: label.clone(),
                url: crate::pages::entity_url(catalog, e.id),
                level: card.level_name(e.level).to_string(),
                level_class: level_class(e.level.map_or(0, |l| l + 1)),
                cells: e.rules.iter().map(|c| state_view(c.state)).collect(),
            };
            (label.to_lowercase(), key, row)
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}

/// The levels table's header: `none` and each level, with their classes.
#[derive(Debug, Clone, Serialize)]
pub struct LevelHead {
    pub name: String,
    pub class: String,
}

pub fn level_heads(card: &Card) -> Vec<LevelHead> {
    card.level_names()
        .enumerate()
        .map(|(i, name)| LevelHead {
            name: name.to_string(),
            class: level_class(i),
        })
        .collect()
}

/// One sampled revision in the trend's table.
#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub date: String,
    pub commit: String,
    pub counts: Vec<usize>,
    pub total: usize,
}

pub fn trend_rows(card: &Card) -> Vec<TrendRow> {
    card.trend
        .iter()
        .map(|p| TrendRow {
            date: portolan_core::history::format_date(p.time),
            commit: p.commit.chars().take(10).collect(),
            counts: p.counts.clone(),
            total: p.counts.iter().sum(),
        })
        .collect()
}

/// Levels per team and per domain of a card.
pub fn team_rows(card: &Card, scorecards: &SiteScorecards, catalog: &Catalog) -> Vec<GroupRow> {
    levels_by(card, scorecards, catalog, "owner", "no owner")
}

pub fn domain_rows(card: &Card, scorecards: &SiteScorecards, catalog: &Catalog) -> Vec<GroupRow> {
    levels_by(card, scorecards, catalog, "domain", "no domain")
}

/// Rows per page of a scorecard's matrix (like the explorer's tables).
const MATRIX_ROWS_PER_PAGE: usize = 500;

/// Page `index` (from 0) of a scorecard's matrix.
fn matrix_page_url(card: &Card, index: usize) -> String {
    match index {
        0 => card.url(),
        n => format!("{}_page{}/", card.url(), n + 1),
    }
}

/// One scorecard in the list of scorecards (and on the home page).
#[derive(Debug, Clone, Serialize)]
pub struct CardSummary {
    pub name: String,
    pub url: String,
    pub summary: String,
    pub entities: usize,
    pub levels: Vec<LevelHead>,
    pub counts: Vec<usize>,
    pub bar: String,
}

/// The scorecards, for the list page and the home page.
pub fn card_summaries(scorecards: &SiteScorecards) -> Vec<CardSummary> {
    scorecards
        .cards
        .iter()
        .map(|card| {
            let counts = card.histogram();
            CardSummary {
                name: card.name.clone(),
                url: card.url(),
                summary: crate::markdown::plain_summary(&card.description, 200),
                entities: card.entities.len(),
                levels: level_heads(card),
                bar: histogram_bar_svg(&counts),
                counts,
            }
        })
        .collect()
}

fn v<T: Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// The scorecards' pages (the list, one page per scorecard with its
/// matrix split into pages) and every entity's level badges.
pub(crate) fn render_pages(
    env: &minijinja::Environment<'static>,
    catalog: &Catalog,
    scorecards: &SiteScorecards,
    site: &minijinja::Value,
    memo: crate::memo::Memo<'_>,
    sink: &mut crate::memo::Sink<'_>,
) -> Result<(), minijinja::Error> {
    use minijinja::context;
    let list_tpl = env.get_template("scorecards.html")?;
    sink.page(memo.page(
        &list_tpl,
        "scorecards/index.html",
        context! { site => site.clone(), section => "scorecards", cards => v(card_summaries(scorecards)) },
    )?);
    if let Some(record) = &scorecards.trend_record {
        sink.insert_new(TREND_JSON, record.to_json());
    }
    let card_tpl = env.get_template("scorecard.html")?;
    for card in &scorecards.cards {
        let rows = matrix_rows(card, catalog);
        let mut chunks: Vec<&[MatrixRow]> = rows.chunks(MATRIX_ROWS_PER_PAGE).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        let pages: Vec<minijinja::Value> = if chunks.len() > 1 {
            (0..chunks.len())
                .map(|i| context! { number => i + 1, url => matrix_page_url(card, i) })
                .collect()
        } else {
            Vec::new()
        };
        let counts = card.histogram();
        let levels: Vec<minijinja::Value> = card
            .levels
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let rules: Vec<minijinja::Value> = card
                    .rules
                    .iter()
                    .filter(|r| r.level == i)
                    .map(|r| context! { id => r.id.clone(), title => r.title.clone(), description => r.description.clone() })
                    .collect();
                context! { name => name.clone(), class => level_class(i + 1), entities => counts[i + 1], rules => rules }
            })
            .collect();
        let rule_heads: Vec<minijinja::Value> = card
            .rules
            .iter()
            .map(|r| context! { id => r.id.clone(), title => r.title.clone(), level => card.levels[r.level].clone() })
            .collect();
        let card_view = context! {
            id => card.id.clone(),
            name => card.name.clone(),
            file => card.file.clone(),
            url => card.url(),
            badges => format!("badges/{}/", card.segment),
        };
        for (i, chunk) in chunks.iter().enumerate() {
            let path = format!("{}index.html", matrix_page_url(card, i));
            let context = if i == 0 {
                context! {
                    site => site.clone(), section => "scorecards", card => card_view.clone(),
                    description_html => crate::markdown::render_markdown(&card.description),
                    levels => levels.clone(),
                    level_heads => v(level_heads(card)),
                    histogram => context! { counts => counts.clone(), total => card.entities.len(), bar => histogram_bar_svg(&counts) },
                    teams => v(team_rows(card, scorecards, catalog)),
                    domains => v(domain_rows(card, scorecards, catalog)),
                    rules => v(rules_by_failures(card)),
                    trend => context! { svg => trend_svg(card), rows => v(trend_rows(card)) },
                    rule_heads => rule_heads.clone(),
                    matrix => v(chunk),
                    pages => pages.clone(), page => i + 1,
                }
            } else {
                context! {
                    site => site.clone(), section => "scorecards", card => card_view.clone(),
                    level_heads => v(level_heads(card)),
                    rule_heads => rule_heads.clone(),
                    matrix => v(chunk),
                    pages => pages.clone(), page => i + 1,
                }
            };
            sink.page(memo.page(&card_tpl, path, context)?);
        }
        for e in &card.entities {
            sink.insert_new(
                card.badge_path(catalog, e.id),
                badge_svg(
                    &card.name,
                    card.level_name(e.level),
                    e.level,
                    card.levels.len(),
                ),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_put_no_level_first() {
        assert_eq!(
            counts_of(3, [None, Some(0), Some(2), Some(2), None].into_iter()),
            vec![2, 1, 0, 2]
        );
        assert_eq!(counts_of(2, std::iter::empty()), vec![0, 0, 0]);
    }

    #[test]
    fn badge_escapes_its_text_and_is_plain_svg() {
        let svg = badge_svg(
            "<script>alert(1)</script> & \"co\"\u{1}",
            "Gold",
            Some(2),
            3,
        );
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        // Nothing that runs or loads: no script, handler, link or style.
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                matches!(name, "svg" | "title" | "rect" | "g" | "text"),
                "unexpected element {name}"
            );
            for attr in node.attributes() {
                assert!(!attr.name().starts_with("on"), "{}", attr.name());
                assert!(!attr.name().contains("href"), "{}", attr.name());
            }
        }
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(title, "<script>alert(1)</script> & \"co\": Gold");
        // The highest level's colour, and none's.
        assert!(svg.contains("#1a7f37"));
        assert!(badge_svg("x", "none", None, 3).contains("#57606a"));
        // Same input, same bytes.
        assert_eq!(
            svg,
            badge_svg(
                "<script>alert(1)</script> & \"co\"\u{1}",
                "Gold",
                Some(2),
                3
            )
        );
    }

    #[test]
    fn badge_is_as_wide_as_its_text() {
        let short = badge_svg("R", "Gold", Some(0), 1);
        let long = badge_svg("Production readiness", "Gold", Some(0), 1);
        let width = |svg: &str| -> u32 {
            let doc = roxmltree::Document::parse(svg).unwrap();
            doc.root_element()
                .attribute("width")
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(width(&long) > width(&short) + 80, "{long}");
        // A name past the limit is cut, with an ellipsis.
        let cut = badge_svg(&"x".repeat(200), "Gold", Some(0), 1);
        assert!(cut.contains('…') && width(&cut) < 400, "{cut}");
    }

    #[test]
    fn histogram_bar_fills_its_width_in_level_order() {
        let svg = histogram_bar_svg(&[1, 1, 0, 2]);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let rects: Vec<(String, u32, u32)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| {
                (
                    n.attribute("class").unwrap().to_string(),
                    n.attribute("x").unwrap().parse().unwrap(),
                    n.attribute("width").unwrap().parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rects,
            vec![
                ("lv-none".to_string(), 0, 40),
                ("lv-0".to_string(), 40, 40),
                ("lv-2".to_string(), 80, 80),
            ]
        );
        // Nothing scored: an empty bar, no division by zero.
        assert!(histogram_bar_svg(&[0, 0]).contains("class=\"empty\""));
    }

    fn card(levels: &[&str], rules: &[usize], entities: Vec<(Option<usize>, Vec<State>)>) -> Card {
        Card {
            id: "ready".into(),
            segment: "ready".into(),
            name: "Readiness".into(),
            description: String::new(),
            file: "scorecards/ready.yaml".into(),
            levels: levels.iter().map(|l| l.to_string()).collect(),
            rules: rules
                .iter()
                .enumerate()
                .map(|(i, &level)| CardRule {
                    id: format!("r{i}"),
                    title: format!("Rule {i}"),
                    description: None,
                    level,
                })
                .collect(),
            entities: entities
                .into_iter()
                .enumerate()
                .map(|(id, (level, states))| ScoredEntity {
                    id,
                    level,
                    rules: states
                        .into_iter()
                        .map(|state| RuleCell {
                            state,
                            value: Value::Null,
                            reason: String::new(),
                        })
                        .collect(),
                })
                .collect(),
            trend: Vec::new(),
        }
    }

    #[test]
    fn rules_are_ranked_by_failures_then_file_order() {
        use State::*;
        let card = card(
            &["Bronze", "Silver"],
            &[0, 0, 1],
            vec![
                (None, vec![Fail, Pass, Unknown]),
                (Some(0), vec![Pass, Pass, Fail]),
                (Some(1), vec![Exempt, NotApplicable, Pending]),
            ],
        );
        let stats = rules_by_failures(&card);
        let order: Vec<(&str, usize, usize)> = stats
            .iter()
            .map(|s| (s.id.as_str(), s.fail, s.unknown))
            .collect();
        assert_eq!(order, vec![("r2", 1, 1), ("r0", 1, 0), ("r1", 0, 0)]);
        let r1 = &stats[2];
        assert_eq!((r1.pass, r1.not_applicable), (2, 1));
        let r0 = &stats[1];
        assert_eq!((r0.pass, r0.exempt, r0.level.as_str()), (1, 1, "Bronze"));
        assert_eq!(stats[0].pending, 1);
        assert_eq!(card.histogram(), vec![1, 1, 1]);
    }

    #[test]
    fn every_state_reads_as_a_word() {
        use State::*;
        let texts: Vec<&str> = [Pass, Fail, NotApplicable, Exempt, Pending, Unknown]
            .into_iter()
            .map(|s| state_view(s).text)
            .collect();
        assert_eq!(
            texts,
            ["pass", "fail", "n/a", "exempt", "pending", "unknown"]
        );
    }

    #[test]
    fn trend_chart_stacks_shares_and_dates_its_columns() {
        let mut c = card(&["Bronze", "Silver"], &[0], Vec::new());
        assert!(trend_svg(&c).is_none());
        c.trend = vec![
            TrendPoint {
                commit: "a".repeat(40),
                time: 1_700_000_000,
                counts: vec![4, 0, 0],
            },
            TrendPoint {
                commit: "b".repeat(40),
                time: 1_700_604_800,
                counts: vec![1, 1, 2],
            },
        ];
        let svg = trend_svg(&c).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let rects: Vec<(String, u32)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .map(|n| {
                (
                    n.attribute("class").unwrap().to_string(),
                    n.attribute("height").unwrap().parse().unwrap(),
                )
            })
            .collect();
        // First revision: all at no level (the full height); second: a
        // half at the top level, a quarter at each other.
        assert_eq!(
            rects,
            vec![
                ("lv-none".to_string(), 160),
                ("lv-1".to_string(), 80),
                ("lv-0".to_string(), 40),
                ("lv-none".to_string(), 40),
            ]
        );
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(
            labels.contains(&"11-14") && labels.contains(&"11-21"),
            "{labels:?}"
        );
        // Neighbouring dates are on two lines, not over each other.
        let rows: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.contains('-')))
            .map(|n| n.attribute("y").unwrap())
            .collect();
        assert_eq!(rows, ["184", "196"]);
    }
}
