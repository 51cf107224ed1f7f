//! `portolan build`: check the catalog, render the site in memory, write it
//! atomically.

use std::time::Instant;

use anyhow::{Context, Result};
use portolan_check::CheckOptions;
use portolan_core::Severity;
use portolan_core::diagnostic::Summary;
use portolan_core::render::{self, Format, RenderOptions};
use portolan_core::source::human_bytes;
use portolan_site::BuildOptions;
use portolan_site::ownership::OutputPolicy;

use crate::ExitCode;
use crate::cli::{BuildArgs, FailOn, GlobalArgs};
use crate::pipeline::{normalize_base_url, plural, read_theme_overrides};
use crate::progress::Progress;
use crate::workspace;

pub fn run(global: &GlobalArgs, args: &BuildArgs, color: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let progress = Progress::new(global.quiet);
    progress.stage("reading the catalog");
    let workspace = workspace::open(global)?;
    let base_url = normalize_base_url(
        args.base_url
            .as_deref()
            .or(workspace.config.site.base_url.as_deref())
            .unwrap_or("/"),
    )?;
    // Where the site goes. The command line may name any directory that is
    // portolan's to replace; the repository's own portolan.toml only one
    // inside the catalog root (see portolan_site::ownership).
    let (out_dir, from_config) = match (&args.out, &workspace.config.site.out_dir) {
        (Some(out), _) => (std::env::current_dir()?.join(out), false),
        (None, Some(configured)) => (workspace.root.join(configured), true),
        (None, None) => (workspace.root.join("site"), true),
    };
    if global.verbose {
        progress.print(&format!(
            "portolan: reading {}\n",
            workspace.source.describe()
        ));
    }
    let options = CheckOptions::from_config(&workspace.config);
    progress.stage("checking the catalog");
    let checked = portolan_check::check(
        workspace.source.as_ref(),
        &workspace.config,
        &workspace.policies,
        &options,
    )?;
    let mut checked = match &args.audience {
        Some(audience) => portolan_site::audience::restrict_to_audience(checked, audience),
        None => checked,
    };
    // Scorecards: facts and levels for catalog.json, and their findings
    // (gates, expired waivers) with the rest.
    // Trends reuse the levels of past revisions the last build published.
    let mut trend_cache = crate::scorecard::TrendCache::default();
    trend_cache.absorb_site(&out_dir);
    let scorecards = crate::scorecard::score_for_site(
        &workspace,
        global.rev.as_deref().unwrap_or("HEAD"),
        &mut checked,
        None,
        Some((&mut trend_cache, args.audience.as_deref())),
    );
    if global.verbose && scorecards.trend_record.is_some() {
        progress.print(&format!(
            "portolan: scorecard trends: {} revision{} scored, {} reused ({:.2} s)\n",
            trend_cache.scored,
            plural(trend_cache.scored),
            trend_cache.reused,
            trend_cache.elapsed.as_secs_f64()
        ));
    }
    // Findings go to standard error: a build's output is the site.
    if !checked.diagnostics.is_empty() {
        let report = render::render(
            Format::Human,
            &checked.diagnostics,
            &checked.catalog.files,
            RenderOptions {
                color,
                tool_version: crate::VERSION,
            },
        );
        progress.print(&report);
    }
    let site = &workspace.config.site;
    let mut options = BuildOptions::new(crate::VERSION);
    if let Some(theme_dir) = &site.theme_dir {
        options.theme = read_theme_overrides(workspace.source.as_ref(), theme_dir)?;
        if global.verbose {
            progress.print(&format!(
                "portolan: {} theme files from {theme_dir}\n",
                options.theme.files.len()
            ));
        }
    }
    let policy = OutputPolicy {
        root: Some(workspace.root.clone()),
        inputs: input_files(&checked, &options),
        from_config,
    };
    let out_dir = match portolan_site::ownership::claim(&out_dir, &policy) {
        Ok(real) => real,
        Err(refusal) => {
            progress.finish();
            anyhow::bail!("{refusal}; nothing was written");
        }
    };
    // A build killed between the two renames of the fallback swap left the
    // previous site aside; put it back before anything can fail.
    portolan_site::output::recover_interrupted(&out_dir);
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let summary = Summary::of(&checked.diagnostics);
    if threshold.is_some_and(|t| checked.diagnostics.iter().any(|d| d.severity >= t)) {
        progress.finish();
        eprintln!(
            "error: the catalog has {} error{} and {} warning{}; {} was not written (use --fail-on never to build anyway)",
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings),
            out_dir.display()
        );
        return Ok(ExitCode::Findings);
    }
    if let Some(title) = &site.title {
        options.title = title.clone();
    }
    options.base_url = base_url;
    options.edit_url = site.edit_url.clone();
    // "Recently changed" comes from git: the revision being built, or HEAD
    // of the repository the catalog directory is in.
    options.history =
        crate::pipeline::catalog_history(&workspace, global.rev.as_deref().unwrap_or("HEAD"));
    options.hide_commit_messages = args.audience.is_some();
    options.scorecards = Some(scorecards);
    // API changelogs: the comparisons the last build published are reused
    // (the site in `out_dir` is read as a cache, nothing more).
    if workspace.config.changelog.max_commits > 0 {
        progress.stage("reading API changelogs from git");
        let mut cache = portolan_diff::history::ChangelogCache::new();
        crate::pipeline::absorb_previous_changelogs(&out_dir, &checked, &mut cache);
        options.changelogs = crate::pipeline::api_changelogs(
            &workspace,
            &checked,
            global.rev.as_deref().unwrap_or("HEAD"),
            &mut cache,
        );
        if global.verbose && options.changelogs.is_some() {
            progress.print(&format!(
                "portolan: API changelogs: {} comparison{} made\n",
                cache.diffs_run(),
                plural(cache.diffs_run())
            ));
        }
    }
    let checked_at = started.elapsed();
    // The pages are written as they are rendered, into a directory beside
    // the output that replaces it only once the whole site is there and
    // its links check out; on any error it is removed and the output keeps
    // what it held.
    let staging = portolan_site::output::Staging::begin(&out_dir)
        .with_context(|| format!("the site was not written to {}", out_dir.display()))?;
    let entities = checked.catalog.entities.len();
    progress.stage(&format!("rendering and writing {entities} entities"));
    let on_written = |files: usize| {
        progress.stage(&format!(
            "rendering and writing {entities} entities: {files} files written"
        ))
    };
    let spill =
        portolan_site::spill::Spill::new(&staging, &options.base_url, &options.theme, &on_written);
    match portolan_site::render_streaming(&checked, &options, &spill) {
        Ok(()) => {}
        Err(portolan_site::RenderError::Search(err)) => {
            progress.finish();
            anyhow::bail!(
                "the search index could not be built ({err}); {} was not written",
                out_dir.display()
            );
        }
        Err(portolan_site::RenderError::Write(err)) => {
            progress.finish();
            return Err(anyhow::Error::new(err))
                .with_context(|| format!("the site was not written to {}", out_dir.display()));
        }
        // What the theme overrides would publish is refused whatever
        // `--fail-on` or `[rules]` say.
        Err(err) => {
            let mut files = checked.catalog.files.clone();
            let found = portolan_site::render_error_diagnostics(&err, &options, &mut files);
            let report = render::render(
                Format::Human,
                &found,
                &files,
                RenderOptions {
                    color,
                    tool_version: crate::VERSION,
                },
            );
            progress.finish();
            eprint!("{report}");
            let what = match err {
                portolan_site::RenderError::Theme(_) => "the theme overrides would publish script",
                _ => "the theme failed to render",
            };
            eprintln!("error: {what}; {} was not written", out_dir.display());
            return Ok(ExitCode::Findings);
        }
    }
    let rendered_at = started.elapsed();
    let written = spill.files();
    if global.verbose && portolan_site::theme_guard::overrides_templates(&options.theme) {
        let pages = written
            .iter()
            .filter(|path| path.ends_with(".html"))
            .count();
        progress.print(&format!(
            "portolan: {pages} pages checked for script (a template is overridden)\n"
        ));
    }
    // Every internal link must land on a page of this build; one that does
    // not is a bug, and publishing it would break readers' bookmarks.
    progress.stage("checking links");
    let broken = spill.broken_links();
    if !broken.is_empty() {
        progress.finish();
        for (page, target) in broken.iter().take(20) {
            eprintln!(
                "  {}: {}",
                portolan_core::printable::escape(page),
                portolan_core::printable::escape(target)
            );
        }
        anyhow::bail!(
            "{} broken internal links in the rendered site; {} was not written (this is a bug in portolan or in a theme override)",
            broken.len(),
            out_dir.display()
        );
    }
    let (_, bytes) = staging.written();
    staging
        .commit()
        .with_context(|| format!("the site was not written to {}", out_dir.display()))?;
    progress.finish();
    if global.verbose {
        eprintln!(
            "portolan: checked in {:.2}s, rendered and written in {:.2}s, links checked and swapped in {:.2}s",
            checked_at.as_secs_f64(),
            (rendered_at - checked_at).as_secs_f64(),
            (started.elapsed() - rendered_at).as_secs_f64()
        );
    }
    if !global.quiet {
        eprintln!(
            "built {} entities into {}: {} files, {} ({} error{}, {} warning{}; {:.2}s)",
            checked.catalog.entities.len(),
            out_dir.display(),
            written.len(),
            human_bytes(bytes),
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::Clean)
}

/// Catalog paths of every file the build read: descriptors, API
/// definitions and the files they reference, docs pages and images, theme
/// overrides. The output may not be a directory holding any of them.
fn input_files(checked: &portolan_check::Checked, options: &BuildOptions) -> Vec<String> {
    let mut inputs: Vec<String> = checked
        .catalog
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(
            checked
                .apis
                .values()
                .flat_map(|d| d.files.iter().map(|f| f.path.clone())),
        )
        .chain(checked.docs.values().flat_map(|docs| {
            docs.pages
                .keys()
                .chain(docs.assets.keys())
                .map(move |page| match docs.dir.as_str() {
                    "" => page.clone(),
                    dir => format!("{dir}/{page}"),
                })
        }))
        .chain(options.theme.files.values().map(|(path, _)| path.clone()))
        .map(|path| match path.split_once('#') {
            Some((file, _)) => file.to_string(),
            None => path,
        })
        .collect();
    inputs.sort();
    inputs.dedup();
    inputs
}
