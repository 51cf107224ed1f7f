//! `portolan check`: lint the catalog and report.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use portolan_check::CheckOptions;
use portolan_core::Severity;
use portolan_core::codes;
use portolan_core::diagnostic::Summary;
use portolan_core::render::{self, Format, RenderOptions};

use crate::ExitCode;
use crate::cli::{CheckArgs, FailOn, GlobalArgs, OutputFormat};
use crate::pipeline::{normalize_base_url, read_theme_overrides};
use crate::workspace;

pub fn run(global: &GlobalArgs, args: &CheckArgs, color: bool) -> Result<ExitCode> {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let started = Instant::now();
    if args.write_baseline && global.rev.is_some() {
        bail!("--write-baseline writes the working tree's baseline; it cannot be used with --rev");
    }
    let workspace = workspace::open(global)?;
    let mut options = CheckOptions::from_config(&workspace.config);
    options.apply_baseline = !args.write_baseline;
    // Nothing is rendered: API definitions' documents are let go once checked.
    options.keep_definitions = false;
    if !args.files.is_empty() {
        let named = named_files(
            &workspace.root,
            &args.files,
            global.rev.is_some(),
            global.quiet,
        )?;
        // A scorecard file named is checked as a scorecard (its findings
        // are reported), not read as a descriptor.
        let files = workspace.source.files().unwrap_or_default();
        let scorecards: BTreeSet<String> =
            portolan_scorecard::file::scorecard_paths(&files, &workspace.config)
                .unwrap_or_default()
                .into_iter()
                .collect();
        options.load.named_files = named
            .iter()
            .filter(|f| !scorecards.contains(*f))
            .cloned()
            .collect();
        options.only_files = Some(named);
    }
    if global.verbose {
        eprintln!("portolan: reading {}", workspace.source.describe());
        if let Some(origin) = &workspace.config_origin {
            eprintln!("portolan: configuration from {origin}");
        }
    }
    let mut checked = portolan_check::check(
        workspace.source.as_ref(),
        &workspace.config,
        &workspace.policies,
        &options,
    )?;
    // Scorecards: their files' findings, gate failures and expired
    // waivers (nothing to do when the catalog has no scorecard).
    let today = crate::scorecard::today();
    // Levels and states only: check reports no reasons.
    let scored = crate::scorecard::score(&workspace, global, &checked, today, false);
    for file in &scored.loaded.files {
        checked.catalog.files.insert(file.clone());
    }
    let mut found = scored.diagnostics(&checked, &workspace.config, today);
    if let Some(only) = &options.only_files {
        found.retain(|d| d.file.as_ref().is_some_and(|f| only.contains(f)));
    }
    checked.diagnostics.extend(found);
    portolan_core::diagnostic::sort_diagnostics(&mut checked.diagnostics);
    // What in the theme overrides would stop `build` is a finding here
    // too (check ⊇ build): a script overridden, a template that does not
    // parse or fails, pages that could run script. That takes rendering
    // the site while a template is overridden; a hook naming files of
    // which none is the theme's skips it.
    // A base URL build would refuse, check refuses too.
    let base_url = normalize_base_url(workspace.config.site.base_url.as_deref().unwrap_or("/"))?;
    if let Some(theme_dir) = &workspace.config.site.theme_dir {
        let theme = read_theme_overrides(workspace.source.as_ref(), theme_dir)?;
        let named_theme = options
            .only_files
            .as_ref()
            .is_none_or(|only| theme.files.values().any(|(path, _)| only.contains(path)));
        if named_theme {
            let site = &workspace.config.site;
            let mut build = portolan_site::BuildOptions::new(crate::VERSION);
            if let Some(title) = &site.title {
                build.title = title.clone();
            }
            build.base_url = base_url;
            build.edit_url = site.edit_url.clone();
            build.theme = theme;
            let mut files = checked.catalog.files.clone();
            let mut found = portolan_site::theme_diagnostics(&checked, &build, &mut files);
            checked.catalog.files = files;
            if let Some(only) = &options.only_files {
                found.retain(|d| d.file.as_ref().is_some_and(|f| only.contains(f)));
            }
            checked.diagnostics.extend(found);
        }
    }
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
    };
    let output = render::render(
        format,
        &checked.diagnostics,
        &checked.catalog.files,
        RenderOptions {
            color,
            tool_version: crate::VERSION,
        },
    );
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .context("cannot write to standard output")?;
    stdout.flush().ok();
    if args.write_baseline {
        write_baseline(&workspace, &checked.diagnostics, global.quiet)?;
    }
    if let Some(applied) = &checked.lint_baseline
        && !global.quiet
        && (applied.suppressed > 0 || applied.stale > 0)
    {
        let mut note = format!(
            "portolan: {} lint finding{} in the baseline ({}) not shown",
            applied.suppressed,
            plural(applied.suppressed),
            applied.path
        );
        if applied.stale > 0 {
            note.push_str(&format!(
                "; {} baselined finding{} fixed since: `portolan check --write-baseline` updates it",
                applied.stale,
                plural(applied.stale)
            ));
        }
        eprintln!("{note}");
    }
    let summary = Summary::of(&checked.diagnostics);
    if !global.quiet && matches!(args.format, OutputFormat::Human | OutputFormat::Concise) {
        eprintln!(
            "checked {} entities in {} files: {} error{}, {} warning{} ({:.2}s)",
            checked.catalog.entities.len(),
            checked.catalog.descriptor_files.len(),
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings),
            started.elapsed().as_secs_f64()
        );
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| checked.diagnostics.iter().any(|d| d.severity >= t));
    // The process ends with this command: the catalog's trees, the API
    // definitions and the scorecards' facts are not freed node by node
    // (hundreds of thousands of small allocations on a large catalog);
    // the memory goes back to the system at exit all the same.
    std::mem::forget(scored);
    std::mem::forget(checked);
    Ok(if failed {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

/// Write the lint baseline of `diagnostics` where `[lint] baseline` says
/// (or the default), inside the catalog root only, never over a file that
/// is not a baseline, and atomically (a temporary file renamed over it).
fn write_baseline(
    workspace: &workspace::Workspace,
    diagnostics: &[portolan_core::Diagnostic],
    quiet: bool,
) -> Result<()> {
    use portolan_check::baseline::{Baseline, DEFAULT_PATH};
    let configured = workspace.config.lint.baseline.as_deref();
    let relative = configured.unwrap_or(DEFAULT_PATH);
    let normalized =
        portolan_core::paths::resolve_relative(portolan_core::config::CONFIG_FILE, relative)
            .map_err(|err| anyhow::anyhow!("[lint] baseline `{relative}`: {err}"))?;
    let root = workspace
        .root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", workspace.root.display()))?;
    let target = root.join(&normalized);
    // The folder must exist and be inside the root once links are
    // resolved; the file itself must not be a link.
    let parent = target
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .filter(|p| p.starts_with(&root))
        .with_context(|| {
            format!(
                "the baseline's folder for `{normalized}` does not exist inside the catalog root"
            )
        })?;
    let target = parent.join(target.file_name().unwrap_or_default());
    match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            bail!("`{normalized}` is a symbolic link; the baseline is not written through it")
        }
        Ok(_) => {
            let existing = std::fs::read_to_string(&target).unwrap_or_default();
            if Baseline::parse(&existing).is_err() {
                bail!(
                    "`{normalized}` exists and is not a lint baseline; it is not overwritten (choose another `baseline` under [lint])"
                );
            }
        }
        Err(_) => {}
    }
    let baseline = Baseline::of(diagnostics);
    let temporary = parent.join(format!(".{}.portolan-tmp", std::process::id()));
    std::fs::write(&temporary, baseline.render())
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, &target).with_context(|| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}", target.display())
    })?;
    if !quiet {
        let findings: usize = baseline.entries.values().sum();
        eprintln!(
            "portolan: wrote {findings} lint finding{} to the baseline {normalized}",
            plural(findings)
        );
        if configured.is_none() {
            eprintln!(
                "portolan: add `baseline = \"{normalized}\"` under [lint] in portolan.toml so checks read it"
            );
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// FILES as catalog-relative paths. Paths outside the root are skipped with
/// a note (a pre-commit hook passes every changed file of the repository).
fn named_files(
    root: &Path,
    files: &[std::path::PathBuf],
    rev: bool,
    quiet: bool,
) -> Result<BTreeSet<String>> {
    let cwd = std::env::current_dir()?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = BTreeSet::new();
    for file in files {
        let absolute = cwd.join(file);
        // Canonicalise the directory (the file may not exist at this
        // revision, or at all: that is reported as a finding).
        let resolved = match (
            absolute.parent().and_then(|p| p.canonicalize().ok()),
            absolute.file_name(),
        ) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => absolute.clone(),
        };
        match resolved.strip_prefix(&root) {
            Ok(relative) => {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(parts.join("/"));
            }
            Err(_) if rev => {
                out.insert(
                    file.to_string_lossy()
                        .replace('\\', "/")
                        .trim_start_matches("./")
                        .to_string(),
                );
            }
            Err(_) => {
                if !quiet {
                    eprintln!(
                        "portolan: skipping {}: it is outside the catalog root {}",
                        file.display(),
                        root.display()
                    );
                }
            }
        }
    }
    Ok(out)
}

fn explain(code: &str) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if code.eq_ignore_ascii_case("all") {
        // The name column as wide as the longest name.
        let width = codes::ALL.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in codes::ALL {
            writeln!(
                out,
                "{}  {:<width$} {:<8} {}",
                c.code, c.name, c.severity, c.summary
            )?;
        }
        return Ok(ExitCode::Clean);
    }
    match codes::find(code) {
        Some(c) => {
            writeln!(
                out,
                "{} ({}): {}\n\nDefault severity: {}\n\n{}",
                c.code,
                c.name,
                c.summary,
                c.severity,
                wrap(c.explanation, 79)
            )?;
            Ok(ExitCode::Clean)
        }
        None => {
            eprintln!(
                "error: unknown diagnostic code `{code}`; `portolan check --explain all` lists them"
            );
            Ok(ExitCode::Usage)
        }
    }
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}
