//! `portolan scorecard`: levels on the catalog's scorecards; and the
//! scoring `check` runs for gates and expired waivers.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use portolan_check::{CheckOptions, Checked};
use portolan_core::Severity;
use portolan_core::render::{self, Format, RenderOptions};
use portolan_scorecard::report::{self, Selection};
use portolan_scorecard::{Day, ScoreOptions, Scored};

use crate::ExitCode;
use crate::cli::{GlobalArgs, ScorecardArgs, ScorecardFormat};
use crate::workspace::{self, Workspace};

/// The environment variable that fixes "now" for reproducible builds
/// (reproducible-builds.org's convention): seconds since the Unix epoch.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH` when set: `Err` with the message for a value that
/// is not a whole number of seconds (the convention asks tools to stop
/// rather than guess), `Ok(None)` when unset or empty.
pub fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(text) if !text.trim().is_empty() => text.trim().parse::<i64>().map(Some).map_err(|_| {
            format!("{SOURCE_DATE_EPOCH}={text:?} is not a number of seconds since 1970-01-01")
        }),
        _ => Ok(None),
    }
}

/// Now, in seconds since the Unix epoch: `SOURCE_DATE_EPOCH` when set (so
/// a build of the same revision with the same value gives the same bytes
/// on any day), else the system clock. The libraries never read the clock;
/// main() rejects a malformed value before any command runs.
pub fn now_seconds() -> i64 {
    if let Ok(Some(seconds)) = source_date_epoch() {
        return seconds;
    }
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Today in UTC (see [`now_seconds`]): the day waivers and `enforceFrom`
/// dates are compared with.
pub fn today() -> Day {
    Day::from_unix_seconds(now_seconds())
}

/// Score the checked catalog of `workspace`. Git facts come from the
/// repository holding the root, at --rev or HEAD.
pub fn score(
    workspace: &Workspace,
    global: &GlobalArgs,
    checked: &Checked,
    today: Day,
    all_facts: bool,
) -> Scored {
    let options = ScoreOptions {
        today,
        git: Some((
            workspace.root.clone(),
            global.rev.clone().unwrap_or_else(|| "HEAD".to_string()),
        )),
        max_git_commits: portolan_scorecard::DEFAULT_MAX_GIT_COMMITS,
        all_facts,
    };
    portolan_scorecard::score(
        workspace.source.as_ref(),
        checked,
        &workspace.config,
        &workspace.policies,
        &options,
    )
}

pub fn run(global: &GlobalArgs, args: &ScorecardArgs, color: bool) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    if args.list_facts {
        let listing = report::list_facts(args.format == ScorecardFormat::Json);
        stdout
            .write_all(listing.as_bytes())
            .context("cannot write to standard output")?;
        return Ok(ExitCode::Clean);
    }
    let today = match &args.today {
        Some(text) => match Day::parse(text) {
            Some(day) => day,
            None => bail!("--today {text:?} is not a date (YYYY-MM-DD)"),
        },
        None => today(),
    };
    let workspace = workspace::open(global)?;
    let mut options = CheckOptions::from_config(&workspace.config);
    options.keep_definitions = false;
    let mut checked = portolan_check::check(
        workspace.source.as_ref(),
        &workspace.config,
        &workspace.policies,
        &options,
    )?;
    let scored = score(&workspace, global, &checked, today, false);
    for file in &scored.loaded.files {
        checked.catalog.files.insert(file.clone());
    }
    let selection = Selection {
        scorecards: match &args.name {
            Some(name) => match scored.find(name) {
                Some(index) => vec![index],
                None if scored
                    .loaded
                    .failed
                    .iter()
                    .any(|id| id.eq_ignore_ascii_case(name)) =>
                {
                    Vec::new()
                }
                None => {
                    let known: Vec<&str> = scored
                        .loaded
                        .scorecards
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect();
                    bail!(
                        "no scorecard is named `{name}` (scorecards: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )
                }
            },
            None => (0..scored.loaded.scorecards.len()).collect(),
        },
        group: args.group.as_deref(),
    };
    // A NAME whose file has errors shows nothing but its errors.
    if !selection.scorecards.is_empty() || args.name.is_none() {
        let format = match args.format {
            ScorecardFormat::Human => report::Format::Human,
            ScorecardFormat::Json => report::Format::Json,
            ScorecardFormat::Markdown => report::Format::Markdown,
            ScorecardFormat::Csv => report::Format::Csv,
        };
        let output = report::render(&scored, &checked, &selection, format);
        stdout
            .write_all(output.as_bytes())
            .context("cannot write to standard output")?;
    }
    let problems = &scored.loaded.diagnostics;
    if !problems.is_empty() {
        let rendered = render::render(
            Format::Human,
            problems,
            &checked.catalog.files,
            RenderOptions {
                color,
                tool_version: crate::VERSION,
            },
        );
        eprint!("{rendered}");
    }
    Ok(if problems.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

/// Score the catalog a site is built from: the scorecard findings join
/// `checked`'s (so a gate failure stops the build as it fails `check`),
/// and the facts and levels are returned for `catalog.json`.
pub fn score_for_site(
    workspace: &Workspace,
    rev: &str,
    checked: &mut Checked,
    git_cache: Option<&mut portolan_scorecard::git::GitFactsCache>,
) -> std::sync::Arc<portolan_site::catalog_json::ScorecardJson> {
    let today = today();
    let options = ScoreOptions {
        today,
        git: Some((workspace.root.clone(), rev.to_string())),
        max_git_commits: portolan_scorecard::DEFAULT_MAX_GIT_COMMITS,
        all_facts: true,
    };
    let scored = portolan_scorecard::score_cached(
        workspace.source.as_ref(),
        checked,
        &workspace.config,
        &workspace.policies,
        &options,
        git_cache,
    );
    for file in &scored.loaded.files {
        checked.catalog.files.insert(file.clone());
    }
    let found = scored.diagnostics(checked, &workspace.config, today);
    checked.diagnostics.extend(found);
    portolan_core::diagnostic::sort_diagnostics(&mut checked.diagnostics);
    std::sync::Arc::new(catalog_json_data(&scored))
}

/// `catalog.json`'s scorecard data: every entity's facts, and its level
/// and rule states on each scorecard that selects it.
pub fn catalog_json_data(scored: &Scored) -> portolan_site::catalog_json::ScorecardJson {
    use serde_json::{Map, Value, json};
    let mut levels: Vec<Map<String, Value>> = vec![Map::new(); scored.facts.len()];
    let mut summaries = Vec::new();
    for (index, card) in scored.loaded.scorecards.iter().enumerate() {
        let mut histogram: Vec<usize> = vec![0; card.levels.len() + 1];
        for (id, score) in &scored.scores[index] {
            histogram[score.level.map_or(0, |l| l + 1)] += 1;
            let rules: Map<String, Value> = score
                .rules
                .iter()
                .map(|r| {
                    (
                        card.rules[r.rule].id.clone(),
                        json!({ "state": r.state, "value": r.value, "reason": r.reason }),
                    )
                })
                .collect();
            levels[*id].insert(
                card.id.clone(),
                json!({
                    "level": score.level.map(|l| card.levels[l].clone()),
                    "rules": rules,
                }),
            );
        }
        summaries.push(json!({
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
            "histogram": std::iter::once("none".to_string())
                .chain(card.levels.iter().cloned())
                .zip(histogram)
                .map(|(level, entities)| json!({ "level": level, "entities": entities }))
                .collect::<Vec<_>>(),
        }));
    }
    let entities = scored
        .facts
        .iter()
        .zip(levels)
        .enumerate()
        .map(|(id, (facts, levels))| (id, (json!(facts), Value::Object(levels))))
        .collect();
    portolan_site::catalog_json::ScorecardJson {
        scorecards: Value::Array(summaries),
        entities,
    }
}
