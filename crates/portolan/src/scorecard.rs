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

/// Today in UTC, from the system clock (the libraries take it as given).
pub fn today() -> Day {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Day::from_unix_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
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
/// and the facts and levels are returned for the site (its scorecard
/// pages, badges and `catalog.json`).
pub fn score_for_site(
    workspace: &Workspace,
    rev: &str,
    checked: &mut Checked,
    git_cache: Option<&mut portolan_scorecard::git::GitFactsCache>,
) -> std::sync::Arc<portolan_site::scorecards::SiteScorecards> {
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
    std::sync::Arc::new(portolan_site::scorecards::SiteScorecards::from_scored(
        &scored,
    ))
}
