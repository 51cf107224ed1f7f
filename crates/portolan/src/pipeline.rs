//! Check + (audience filter) + render + link check into memory, as one
//! function `serve` calls on every rebuild, with [`Caches`] so that a
//! rebuild re-reads only changed files and re-renders only pages whose
//! inputs changed. `build` still runs the same stages itself (build.rs).

use std::time::{Duration, Instant};

use anyhow::Result;
use portolan_check::{CheckCache, CheckOptions, Checked};
use portolan_core::Severity;
use portolan_core::diagnostic::Summary;
use portolan_core::render::{self, Format, RenderOptions};
use portolan_diff::history::{ChangelogCache, ChangelogOptions, DefinitionFiles};
use portolan_site::changelog::Changelogs;
use portolan_site::{BuildOptions, Output, RenderCache, RenderStats};

use crate::workspace::Workspace;

/// How far back "recently changed" looks (as in `build`).
pub const HISTORY_COMMITS: usize = 500;

/// What to build.
pub struct SiteOptions<'a> {
    pub audience: Option<&'a str>,
    /// Findings at or above this severity stop the build; `None` never.
    pub threshold: Option<Severity>,
    /// The URL prefix every link starts with (`/` for `serve`).
    pub base_url: &'a str,
    /// Colour in the terminal report.
    pub color: bool,
    /// "Recently changed" on the home page. `serve` reads git's history
    /// once per session (about 10 ms for examples/acme in this repository;
    /// no need to pay it on every rebuild).
    pub history: Option<portolan_core::history::History>,
    /// Make the data files (`catalog.json`, the search indexes) now.
    /// `serve` makes them after the pages are served, so an edit shows
    /// without waiting for them.
    pub data: bool,
}

/// What `serve` keeps from one build for the next.
#[derive(Default)]
pub struct Caches {
    pub check: CheckCache,
    pub render: RenderCache,
    /// API changelog comparisons, by blob ids: valid whatever changed.
    pub changelog: ChangelogCache,
    /// The last findings and their report (thousands of code frames are
    /// not written again when nothing about them changed).
    report: Option<(Vec<portolan_core::Diagnostic>, Report)>,
    /// Paths changed since the last build.
    changed: std::collections::BTreeSet<String>,
    /// Scorecards' git facts, while HEAD and the entities' files stay.
    git_facts: portolan_scorecard::git::GitFactsCache,
    /// Scorecards' levels at past revisions, by commit.
    trends: crate::scorecard::TrendCache,
}

impl Caches {
    /// Forget what the changed paths (catalog-relative) could have changed.
    pub fn invalidate(&mut self, changed: &std::collections::BTreeSet<String>) {
        self.check.invalidate(changed);
        self.changed.extend(changed.iter().cloned());
    }
}

/// Findings rendered for the two places they are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Code frames, for the terminal (coloured when asked).
    pub human: String,
    /// `path:line:col: severity[CODE] message`, one a line (the overlay).
    pub concise: String,
}

pub struct Rendered {
    pub output: Output,
    /// The checked (audience-filtered) catalog the site was made from.
    pub checked: Checked,
    /// What it was rendered with.
    pub build: BuildOptions,
    /// With caches: what was rendered afresh and what was reused.
    pub stats: Option<RenderStats>,
    pub entities: usize,
    pub summary: Summary,
    /// Findings below the threshold (warnings), if any.
    pub report: Report,
    pub checked_in: Duration,
    pub rendered_in: Duration,
}

pub enum Outcome {
    Rendered(Box<Rendered>),
    /// Nothing to publish: the findings (or the failure) say why.
    Failed {
        report: Report,
        reason: String,
    },
}

fn report(
    diagnostics: &[portolan_core::Diagnostic],
    files: &portolan_core::files::FileSet,
    color: bool,
) -> Report {
    let options = |color| RenderOptions {
        color,
        tool_version: crate::VERSION,
    };
    Report {
        human: render::render(Format::Human, diagnostics, files, options(color)),
        concise: render::render(Format::Concise, diagnostics, files, options(false)),
    }
}

/// Check the catalog and render the site into memory. `Err` is for what
/// stops the tool (an unreadable root); findings and template failures are
/// an [`Outcome::Failed`].
pub fn check_and_render(
    workspace: &Workspace,
    options: &SiteOptions<'_>,
    mut caches: Option<&mut Caches>,
) -> Result<Outcome> {
    let started = Instant::now();
    let check_options = CheckOptions::from_config(&workspace.config);
    let checked = portolan_check::check_cached(
        workspace.source.as_ref(),
        &workspace.config,
        &workspace.policies,
        &check_options,
        caches.as_deref_mut().map(|c| &mut c.check),
    )?;
    let mut checked = match options.audience {
        Some(audience) => portolan_site::audience::restrict_to_audience(checked, audience),
        None => checked,
    };
    // Scorecards: facts and levels for catalog.json, and their findings.
    let scorecards = match caches.as_deref_mut() {
        Some(caches) => crate::scorecard::score_for_site(
            workspace,
            "HEAD",
            &mut checked,
            Some(&mut caches.git_facts),
            Some((&mut caches.trends, options.audience)),
        ),
        None => crate::scorecard::score_for_site(workspace, "HEAD", &mut checked, None, None),
    };
    let findings = match caches.as_deref_mut() {
        Some(caches) => {
            let changed = std::mem::take(&mut caches.changed);
            // A frame shows the file's text: a finding in a changed file
            // is written again even if it is the same finding.
            let touched = |file: &str| {
                let file = file.split('#').next().unwrap_or(file);
                changed
                    .iter()
                    .any(|c| c == file || file.starts_with(&format!("{c}/")))
            };
            match &caches.report {
                Some((last, findings))
                    if *last == checked.diagnostics
                        && !last.iter().any(|d| {
                            d.file.as_deref().is_some_and(touched)
                                || d.related.iter().any(|r| touched(&r.file))
                        }) =>
                {
                    findings.clone()
                }
                _ => {
                    let made = report(&checked.diagnostics, &checked.catalog.files, options.color);
                    caches.report = Some((checked.diagnostics.clone(), made.clone()));
                    made
                }
            }
        }
        None => report(&checked.diagnostics, &checked.catalog.files, options.color),
    };
    let summary = Summary::of(&checked.diagnostics);
    if options
        .threshold
        .is_some_and(|t| checked.diagnostics.iter().any(|d| d.severity >= t))
    {
        return Ok(Outcome::Failed {
            report: findings,
            reason: format!(
                "the catalog has {} error{} and {} warning{}",
                summary.errors,
                plural(summary.errors),
                summary.warnings,
                plural(summary.warnings)
            ),
        });
    }
    let checked_in = started.elapsed();
    let site = &workspace.config.site;
    let mut build = BuildOptions::new(crate::VERSION);
    if let Some(title) = &site.title {
        build.title = title.clone();
    }
    build.base_url = options.base_url.to_string();
    build.edit_url = site.edit_url.clone();
    build.history = options.history.clone();
    build.hide_commit_messages = options.audience.is_some();
    build.scorecards = Some(scorecards);
    let mut fresh_cache = ChangelogCache::new();
    let changelog_cache = match caches.as_deref_mut() {
        Some(caches) => &mut caches.changelog,
        None => &mut fresh_cache,
    };
    build.changelogs = api_changelogs(workspace, &checked, "HEAD", changelog_cache);
    if let Some(theme_dir) = &site.theme_dir {
        build.theme = read_theme_overrides(workspace.source.as_ref(), theme_dir)?;
    }
    let mut render_cache = caches.map(|c| {
        c.render.set_reparsed(c.check.reparsed().clone());
        &mut c.render
    });
    let mut output = match portolan_site::render_site(&checked, &build, render_cache.as_deref_mut())
    {
        Ok(output) => output,
        Err(err) => {
            let mut files = checked.catalog.files.clone();
            let found = portolan_site::render_error_diagnostics(&err, &build, &mut files);
            let reason = match err {
                portolan_site::RenderError::Theme(_) => {
                    "the theme overrides would publish script".to_string()
                }
                _ => "the theme failed to render".to_string(),
            };
            return Ok(Outcome::Failed {
                report: report(&found, &files, options.color),
                reason,
            });
        }
    };
    if options.data {
        match portolan_site::render_data(&checked, &build) {
            Ok(files) => {
                for (path, bytes) in files {
                    output.insert(path, bytes);
                }
            }
            Err(err) => {
                return Ok(Outcome::Failed {
                    report: Report::default(),
                    reason: format!("the search index could not be built ({err})"),
                });
            }
        }
    }
    let stats = render_cache.map(|c| c.stats.clone());
    // A page reused from the last build links where it did then; the pages
    // rendered now are the ones to check.
    let broken = portolan_site::links::broken_links_in(
        &output,
        &build.base_url,
        stats.as_ref().map(|s| s.rendered.as_slice()),
    );
    if !broken.is_empty() {
        let mut text = String::new();
        for (page, target) in broken.iter().take(20) {
            text.push_str(&format!("{page}: broken link to {target}\n"));
        }
        return Ok(Outcome::Failed {
            report: Report {
                human: text.clone(),
                concise: text,
            },
            reason: format!(
                "{} broken internal links in the rendered site (a bug in portolan or in a theme override)",
                broken.len()
            ),
        });
    }
    Ok(Outcome::Rendered(Box::new(Rendered {
        entities: checked.catalog.entities.len(),
        output,
        checked,
        build,
        stats,
        summary,
        report: findings,
        checked_in,
        rendered_in: started.elapsed() - checked_in,
    })))
}

/// Each API definition's changelog from the git history of `rev`
/// (`[changelog]` in portolan.toml), with `cache`'s comparisons reused;
/// `None` outside a git repository or with `max_commits = 0`. Definitions
/// written inline in a descriptor, and those that do not read as OpenAPI or
/// AsyncAPI, have none.
/// Recent git history of the catalog: the root's, and each mounted
/// repository's (`[[sources]]`) at the commit read, its files under their
/// catalog paths, so an entity's last change comes from its own
/// repository.
pub fn catalog_history(
    workspace: &Workspace,
    rev: &str,
) -> Option<portolan_core::history::History> {
    let mut history = portolan_core::history::recent_history(&workspace.root, rev, HISTORY_COMMITS);
    for mount in workspace.source.mounts() {
        let Some(theirs) = portolan_core::history::recent_history(
            &mount.repo_path,
            &mount.commit,
            HISTORY_COMMITS,
        ) else {
            continue;
        };
        let ours = history.get_or_insert_with(Default::default);
        ours.commits_walked += theirs.commits_walked;
        ours.changed.extend(
            theirs
                .changed
                .into_iter()
                .map(|(path, commit)| (format!("{}:{path}", mount.name), commit)),
        );
    }
    history
}

pub fn api_changelogs(
    workspace: &Workspace,
    checked: &Checked,
    rev: &str,
    cache: &mut ChangelogCache,
) -> Option<std::sync::Arc<Changelogs>> {
    let max_commits = workspace.config.changelog.max_commits;
    if max_commits == 0 {
        return None;
    }
    let definitions = changelog_definitions(checked);
    let limits = &workspace.config.limits;
    let options = ChangelogOptions {
        max_commits,
        limits: portolan_apis::LoadLimits {
            max_file_size: limits.max_file_size,
            yaml: limits.yaml(),
            max_reference_depth: limits.max_reference_depth,
            ..Default::default()
        },
        ..ChangelogOptions::default()
    };
    portolan_diff::history::changelogs(&workspace.root, rev, &definitions, &options, cache)
        .map(std::sync::Arc::new)
}

/// The API definitions that get a changelog, with their files.
fn changelog_definitions(checked: &Checked) -> Vec<DefinitionFiles> {
    let catalog = &checked.catalog;
    checked
        .apis
        .iter()
        .filter(|(_, definition)| definition.spec.is_some())
        .filter_map(|(&id, definition)| {
            let portolan_apis::RootDocument::File(root) =
                portolan_check::apis::definition_root(catalog, id)?
            else {
                return None;
            };
            // A definition in a repository mounted by `[[sources]]` has its
            // history in that repository, which is not walked (yet): no
            // changelog rather than an empty one.
            if root.contains(':') {
                return None;
            }
            let mut files: Vec<String> = definition
                .files
                .iter()
                .map(|f| f.path.clone())
                .filter(|p| !p.contains('#'))
                .collect();
            if !files.iter().any(|f| f == root) {
                files.push(root.to_string());
            }
            files.sort();
            files.dedup();
            Some(DefinitionFiles {
                api: catalog.entities[id].entity_ref().to_string(),
                root: root.to_string(),
                files,
            })
        })
        .collect()
}

/// Largest changelog JSON read back from a previous build.
const MAX_PUBLISHED_CHANGELOG: u64 = 64 * 1024 * 1024;

/// Fill `cache` from the changelogs a previous build published in
/// `out_dir`. The directory is portolan's, but its content is not
/// trusted: a file that is not a regular file (a symbolic link), too large,
/// or not the expected JSON is skipped.
pub fn absorb_previous_changelogs(
    out_dir: &std::path::Path,
    checked: &Checked,
    cache: &mut ChangelogCache,
) {
    use std::io::Read;
    let catalog = &checked.catalog;
    for &id in checked.apis.keys() {
        let url = portolan_site::pages::entity_url(catalog, id);
        let path = out_dir.join(portolan_site::changelog::ChangelogPaths::of(&url).json);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_PUBLISHED_CHANGELOG {
            continue;
        }
        let mut bytes = Vec::new();
        if std::fs::File::open(&path)
            .and_then(|f| f.take(MAX_PUBLISHED_CHANGELOG).read_to_end(&mut bytes))
            .is_ok()
        {
            cache.absorb_published(&bytes);
        }
    }
}

/// Templates and assets of `theme_dir` (relative to the catalog root) that
/// replace the embedded theme's files of the same name. (The same as
/// build.rs's, which this change leaves alone.)
pub fn read_theme_overrides(
    source: &dyn portolan_core::source::Source,
    theme_dir: &str,
) -> Result<portolan_site::pages::ThemeOverrides> {
    let dir = portolan_core::paths::join_normalized("", theme_dir)
        .map_err(|e| anyhow::anyhow!("theme_dir `{theme_dir}`: {e}"))?;
    let mut overrides = portolan_site::pages::ThemeOverrides::default();
    let names = portolan_site::pages::TEMPLATES
        .iter()
        .map(|(name, _)| format!("templates/{name}"))
        .chain(
            portolan_site::pages::ASSETS
                .iter()
                .chain(portolan_site::pages::FIXED_ASSETS)
                .map(|(path, _)| path.to_string()),
        );
    for name in names {
        let path = if dir.is_empty() {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        match source.read(&path, 4 * 1024 * 1024) {
            Ok(bytes) => {
                let text =
                    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{path} is not UTF-8"))?;
                let key = name.strip_prefix("templates/").unwrap_or(&name).to_string();
                overrides.files.insert(key, (path, text));
            }
            Err(portolan_core::source::ReadError::NotFound) => {}
            Err(err) => anyhow::bail!("cannot read {path}: {err}"),
        }
    }
    Ok(overrides)
}

/// `/docs`, `docs/`, `https://x.example/portal` → a prefix ending in `/`
/// (see [`portolan_site::base_url::normalize_base_url`]).
pub fn normalize_base_url(base: &str) -> Result<String> {
    portolan_site::base_url::normalize_base_url(base).map_err(anyhow::Error::msg)
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
