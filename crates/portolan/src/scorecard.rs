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
/// repository holding the root, at --rev or HEAD. With `reasons`, each
/// rule says why it is in its state (reports); `check` needs states only.
pub fn score(
    workspace: &Workspace,
    global: &GlobalArgs,
    checked: &Checked,
    today: Day,
    reasons: bool,
) -> Scored {
    let options = ScoreOptions {
        today,
        git: Some((
            workspace.root.clone(),
            global.rev.clone().unwrap_or_else(|| "HEAD".to_string()),
        )),
        max_git_commits: portolan_scorecard::DEFAULT_MAX_GIT_COMMITS,
        all_facts: false,
        reasons,
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
    let scored = score(&workspace, global, &checked, today, true);
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
/// pages, badges and `catalog.json`). With `trends`, the levels at past
/// revisions too ([`trend_points`]).
pub fn score_for_site(
    workspace: &Workspace,
    rev: &str,
    checked: &mut Checked,
    git_cache: Option<&mut portolan_scorecard::git::GitFactsCache>,
    trends: Option<(&mut TrendCache, Option<&str>)>,
) -> std::sync::Arc<portolan_site::scorecards::SiteScorecards> {
    let today = today();
    let mut own_cache = portolan_scorecard::git::GitFactsCache::default();
    let git_cache = git_cache.unwrap_or(&mut own_cache);
    let options = ScoreOptions {
        today,
        git: Some((workspace.root.clone(), rev.to_string())),
        max_git_commits: portolan_scorecard::DEFAULT_MAX_GIT_COMMITS,
        all_facts: true,
        reasons: true,
    };
    let scored = portolan_scorecard::score_cached(
        workspace.source.as_ref(),
        checked,
        &workspace.config,
        &workspace.policies,
        &options,
        Some(&mut *git_cache),
    );
    for file in &scored.loaded.files {
        checked.catalog.files.insert(file.clone());
    }
    let found = scored.diagnostics(checked, &workspace.config, today);
    checked.diagnostics.extend(found);
    portolan_core::diagnostic::sort_diagnostics(&mut checked.diagnostics);
    let mut site = portolan_site::scorecards::SiteScorecards::from_scored(&scored);
    if let Some((cache, audience)) = trends
        && !scored.loaded.scorecards.is_empty()
        && workspace.config.scorecards.trend_samples > 0
    {
        trend_points(
            workspace, rev, audience, &scored, &mut site, cache, git_cache,
        );
    }
    std::sync::Arc::new(site)
}

/// Most revisions a trend samples (`trend_samples` above is cut to it).
const MAX_TREND_SAMPLES: usize = 520;

/// The levels of each sampled past revision, by commit, kept between
/// builds (read back from the last site's `scorecards/trend.json`) and
/// between `serve`'s rebuilds: a commit is scored once for the same
/// scorecards, configuration, policies and audience.
#[derive(Debug, Default)]
pub struct TrendCache {
    record: portolan_site::scorecards::TrendRecord,
    /// Revisions scored and reused by the last call, and its time.
    pub scored: usize,
    pub reused: usize,
    pub elapsed: std::time::Duration,
}

impl TrendCache {
    /// Take the levels a previous build published (ignored when they do
    /// not parse).
    pub fn absorb_published(&mut self, bytes: &[u8]) {
        if let Ok(record) = serde_json::from_slice(bytes) {
            self.record = record;
        }
    }

    /// Read `scorecards/trend.json` of the site in `out_dir`, if any.
    pub fn absorb_site(&mut self, out_dir: &std::path::Path) {
        use std::io::Read;
        // Far above what 520 samples of a few scorecards take.
        const MAX_BYTES: u64 = 16 << 20;
        let path = out_dir.join(portolan_site::scorecards::TREND_JSON);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return;
        };
        let mut bytes = Vec::new();
        if meta.is_file()
            && meta.len() <= MAX_BYTES
            && std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes))
                .is_ok()
        {
            self.absorb_published(&bytes);
        }
    }
}

/// What the levels of a past revision depend on besides its commit: the
/// scorecard files, portolan.toml (discovery, limits, `[scorecards]`),
/// the policies, the audience and this version of portolan.
fn trend_key(workspace: &Workspace, scored: &Scored, audience: Option<&str>) -> String {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: the same inputs give the same key in every
    // run (a key that changed would only cost a recomputation).
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    crate::VERSION.hash(&mut hasher);
    audience.hash(&mut hasher);
    for file in &scored.loaded.files {
        (&file.path, &file.text).hash(&mut hasher);
    }
    let config = workspace
        .source
        .read(portolan_core::config::CONFIG_FILE, 1 << 20)
        .unwrap_or_default();
    config.hash(&mut hasher);
    portolan_check::policy::fingerprint(&workspace.policies).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Fill each card's trend: the levels of the catalog at the start of each
/// of the last `trend_samples - 1` intervals (today's scorecards applied
/// to each past revision, read from git without a checkout: checked,
/// restricted to `audience`, scored as of its commit's day), then today's.
/// Nothing outside git.
fn trend_points(
    workspace: &Workspace,
    rev: &str,
    audience: Option<&str>,
    scored: &Scored,
    site: &mut portolan_site::scorecards::SiteScorecards,
    cache: &mut TrendCache,
    git_cache: &mut portolan_scorecard::git::GitFactsCache,
) {
    use portolan_site::scorecards::TrendPoint;
    let started = std::time::Instant::now();
    cache.scored = 0;
    cache.reused = 0;
    let config = &workspace.config.scorecards;
    let Some((head_id, head_time)) =
        git2::Repository::discover(&workspace.root)
            .ok()
            .and_then(|repo| {
                let commit = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
                Some((commit.id().to_string(), commit.time().seconds()))
            })
    else {
        return;
    };
    let samples = config.trend_samples.min(MAX_TREND_SAMPLES);
    let boundaries = portolan_scorecard::trend::boundaries(
        head_time,
        samples.saturating_sub(1),
        config.trend_interval_days,
    );
    let Some(past) = portolan_scorecard::trend::sample_revisions(&workspace.root, rev, &boundaries)
    else {
        return;
    };
    let key = trend_key(workspace, scored, audience);
    if cache.record.key != key {
        cache.record = portolan_site::scorecards::TrendRecord {
            key,
            commits: Default::default(),
        };
    }
    let mut commits: Vec<&str> = past.iter().map(|s| s.commit.as_str()).collect();
    commits.sort_unstable();
    commits.dedup();
    let missing: Vec<&str> = commits
        .iter()
        .copied()
        .filter(|c| !cache.record.commits.contains_key(*c))
        .collect();
    cache.reused = commits.len() - missing.len();
    cache.scored = missing.len();
    // Newest first, one after the other, through one check cache: a
    // revision is checked incrementally from the one before it (only the
    // files that differ between their trees are read and checked again),
    // as `serve` rebuilds after an edit. Neighbouring samples a week apart
    // share nearly every file.
    let mut order: Vec<&str> = missing.clone();
    order.sort_by_key(|c| std::cmp::Reverse(past.iter().find(|s| s.commit == *c).map(|s| s.time)));
    let mut check_cache = portolan_check::CheckCache::default();
    // The last revision checked: its commit and tree.
    let mut previous: Option<(git2::Oid, git2::Oid)> = None;
    let repo = git2::Repository::discover(&workspace.root).ok();
    let prefix = repo
        .as_ref()
        .map(|repo| {
            portolan_core::history::subdir_of(repo, &workspace.root)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default();
    let mut made: Vec<(String, std::collections::BTreeMap<String, Vec<usize>>)> = Vec::new();
    // Two revisions at a time: while one is scored, the next (older) one
    // is checked, so the check's serial parts (linking, loading) overlap
    // the scoring's.
    let mut waiting: Option<CheckedRevision> = None;
    let mut order = order.into_iter();
    loop {
        let next = order.next();
        if next.is_none() && waiting.is_none() {
            break;
        }
        // What differs from the revision checked last, when known.
        let mut changed: Option<std::collections::BTreeSet<String>> = None;
        if let Some(commit) = next {
            let tree = repo
                .as_ref()
                .and_then(|repo| repo.revparse_single(commit).ok()?.peel_to_tree().ok());
            let oid = git2::Oid::from_str(commit).ok();
            match (&repo, previous, &tree) {
                (Some(repo), Some((newer, before)), Some(tree)) => {
                    // What the commits between them changed (the history
                    // the git facts walk anyway), else the trees compared.
                    let paths = oid
                        .and_then(|oid| git_cache.changed_between(newer, oid))
                        .unwrap_or_else(|| {
                            let before = repo.find_tree(before).ok();
                            portolan_core::history::changed_paths(
                                repo,
                                before.as_ref(),
                                Some(tree),
                                &prefix,
                            )
                            .into_iter()
                            .collect()
                        });
                    check_cache.invalidate(&paths);
                    changed = Some(paths);
                }
                // Nothing to compare with: check from scratch.
                _ => check_cache = portolan_check::CheckCache::default(),
            }
            previous = oid.zip(tree.as_ref().map(|t| t.id()));
        }
        let before = waiting.as_ref().map(|r| &r.source).zip(changed.as_ref());
        let (checked, levels) = rayon::join(
            || {
                next.and_then(|commit| {
                    check_at(workspace, commit, audience, &mut check_cache, before)
                })
            },
            || {
                waiting
                    .as_ref()
                    .map(|revision| levels_of(workspace, scored, revision, git_cache))
            },
        );
        made.extend(levels);
        // Freed beside the next round's work, not before it.
        if let Some(done) = std::mem::replace(&mut waiting, checked) {
            rayon::spawn(move || drop(done));
        }
    }
    cache.record.commits.extend(made);
    // The record keeps only what this trend shows (it does not grow).
    let shown: std::collections::BTreeSet<&str> = commits.iter().copied().collect();
    cache
        .record
        .commits
        .retain(|c, _| shown.contains(c.as_str()));
    for card in &mut site.cards {
        card.trend = past
            .iter()
            .filter_map(|sample| {
                let counts = cache.record.commits.get(&sample.commit)?.get(&card.id)?;
                Some(TrendPoint {
                    commit: sample.commit.clone(),
                    time: sample.time,
                    counts: counts.clone(),
                })
            })
            .collect();
        card.trend.push(TrendPoint {
            commit: head_id.clone(),
            time: head_time,
            counts: card.histogram(),
        });
    }
    site.trend_record = Some(cache.record.clone());
    cache.elapsed = started.elapsed();
}

/// A past revision read from git and checked, to be scored.
struct CheckedRevision {
    commit: String,
    source: portolan_core::source::GitSource,
    /// The commit's time (Unix seconds).
    time: i64,
    checked: Checked,
}

/// The catalog at `commit` read from git, checked (through `check_cache`)
/// and restricted to `audience`. `None` when the revision cannot be read.
/// `before`: the source of the revision checked last and the paths that
/// may differ from it, so only those are looked up in `commit`'s tree.
fn check_at(
    workspace: &Workspace,
    commit: &str,
    audience: Option<&str>,
    check_cache: &mut portolan_check::CheckCache,
    before: Option<(
        &portolan_core::source::GitSource,
        &std::collections::BTreeSet<String>,
    )>,
) -> Option<CheckedRevision> {
    use portolan_core::source::GitSource;
    let source = match before {
        Some((previous, changed)) => {
            GitSource::open_changed(previous, &workspace.root, commit, changed)
        }
        None => GitSource::open(&workspace.root, commit),
    }
    .ok()?;
    let time = git2::Repository::discover(&workspace.root)
        .ok()?
        .revparse_single(commit)
        .ok()?
        .peel_to_commit()
        .ok()?
        .time()
        .seconds();
    let mut options = CheckOptions::from_config(&workspace.config);
    options.keep_definitions = false;
    // Levels read counts of findings, not their order.
    options.sort_findings = false;
    let checked = portolan_check::check_cached(
        &source,
        &workspace.config,
        &workspace.policies,
        &options,
        Some(check_cache),
    )
    .ok()?;
    let checked = match audience {
        Some(audience) => portolan_site::audience::restrict_to_audience(checked, audience),
        None => checked,
    };
    Some(CheckedRevision {
        commit: commit.to_string(),
        source,
        time,
        checked,
    })
}

/// Each scorecard's level counts (by id) in a checked past revision,
/// scored as of its commit's day, with its commit.
fn levels_of(
    workspace: &Workspace,
    scored: &Scored,
    revision: &CheckedRevision,
    git_cache: &mut portolan_scorecard::git::GitFactsCache,
) -> (String, std::collections::BTreeMap<String, Vec<usize>>) {
    let levels = portolan_scorecard::score_levels(
        &scored.loaded,
        &revision.source,
        &revision.checked,
        &workspace.policies,
        &ScoreOptions {
            today: Day::from_unix_seconds(revision.time),
            git: Some((workspace.root.clone(), revision.commit.clone())),
            max_git_commits: portolan_scorecard::DEFAULT_MAX_GIT_COMMITS,
            all_facts: false,
            reasons: false,
        },
        Some(git_cache),
    );
    let counts = scored
        .loaded
        .scorecards
        .iter()
        .zip(levels)
        .map(|(card, levels)| {
            (
                card.id.clone(),
                portolan_site::scorecards::counts_of(card.levels.len(), levels.into_iter()),
            )
        })
        .collect();
    (revision.commit.clone(), counts)
}
