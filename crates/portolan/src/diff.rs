//! `portolan diff`: the contract changes between two revisions of the
//! catalog's APIs, reported in every format `check` has plus markdown.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use portolan_catalog::catalog::Catalog;
use portolan_catalog::entity_ref::{DEFAULT_NAMESPACE, EntityRef};
use portolan_check::CheckOptions;
use portolan_core::Severity;
use portolan_core::files::{FileSet, SourceFile};
use portolan_core::render::{self, Format, RenderOptions};
use portolan_diff::catalog::{ApiDiff, Side, compare_catalogs, consumer_note};
use portolan_diff::report::{self, ApiFindings, Sides};
use portolan_diff::rules::{self, RuleNotes};
use portolan_diff::{Date, DiffOptions};

use crate::ExitCode;
use crate::cli::{DiffArgs, DiffFailOn, DiffFormat, GlobalArgs};
use crate::workspace::{self, Workspace};

pub fn run(global: &GlobalArgs, args: &DiffArgs, color: bool) -> Result<ExitCode> {
    if global.rev.is_some() {
        bail!("`diff` compares --base with --head; --rev is for the other commands");
    }
    let started = Instant::now();
    let today = match &args.today {
        Some(text) => Some(
            Date::parse(text)
                .with_context(|| format!("--today {text:?} is not a date (YYYY-MM-DD)"))?,
        ),
        None => today(),
    };
    let base = workspace::open_at(global, Some(&args.base))
        .with_context(|| format!("cannot read the base revision `{}`", args.base))?;
    let head =
        workspace::open_at(global, args.head.as_deref()).with_context(|| match &args.head {
            Some(rev) => format!("cannot read the head revision `{rev}`"),
            None => "cannot read the working tree".to_string(),
        })?;
    // The head's configuration decides levels and ignores: it is the
    // revision under review, and a change to it is part of the review.
    let config = &head.config;
    rules::check_rules(config).map_err(anyhow::Error::msg)?;
    if global.verbose {
        eprintln!("portolan: base {}", base.source.describe());
        eprintln!("portolan: head {}", head.source.describe());
    }
    // Both at once: a catalog whose API substitutes a large definition
    // (`$text`) reads and decodes it here, a third of the run for GitHub's
    // 13 MB description when the two revisions took turns.
    let (base_catalog, head_catalog) = rayon::join(|| load_catalog(&base), || load_catalog(&head));
    let base_catalog = base_catalog.context("cannot load the base revision's catalog")?;
    let head_catalog = head_catalog.context("cannot load the head revision's catalog")?;
    let only = named_apis(&args.apis, &base_catalog, &head_catalog)?;
    let limits = portolan_apis::LoadLimits {
        max_file_size: config.limits.max_file_size,
        yaml: config.limits.yaml(),
        max_reference_depth: config.limits.max_reference_depth,
        ..Default::default()
    };
    let options = DiffOptions {
        limits,
        today,
        ..DiffOptions::default()
    };
    let diffs = compare_catalogs(
        Side {
            source: base.source.as_ref(),
            catalog: &base_catalog,
        },
        Side {
            source: head.source.as_ref(),
            catalog: &head_catalog,
        },
        only.as_ref(),
        &options,
    );
    let base_label = args.base.clone();
    let base_name = |path: &str| format!("{base_label}:{path}");
    let mut notes = RuleNotes::default();
    let mut reports: Vec<ApiFindings<'_>> = Vec::with_capacity(diffs.len());
    for api in &diffs {
        let mut findings = api.findings(&base_name);
        findings.extend(load_findings(api, &base_name));
        let findings = rules::apply(
            config,
            &api.entity.key().to_string(),
            findings,
            today,
            &mut notes,
        )
        .map_err(anyhow::Error::msg)?;
        reports.push(ApiFindings { api, findings });
    }
    let files = file_set(&base_catalog, &head_catalog, &diffs, &reports, &base_name);
    let head_label = args
        .head
        .clone()
        .unwrap_or_else(|| "the working tree".to_string());
    let sides = Sides {
        base: &args.base,
        head: &head_label,
    };
    let version = crate::VERSION;
    let output = match args.format {
        DiffFormat::Json => report::json(&reports, &files, &sides, version),
        DiffFormat::Markdown => report::markdown(&reports, &files, &sides),
        other => {
            // Findings one by one: each names the API's consumers.
            let mut diagnostics = Vec::new();
            for r in &reports {
                let note = consumer_note(&r.api.consumers);
                for finding in &r.findings {
                    let mut d = finding.diagnostic.clone();
                    if let Some(note) = &note {
                        d.message.push_str("; ");
                        d.message.push_str(note);
                    }
                    diagnostics.push(d);
                }
            }
            let format = match other {
                DiffFormat::Human => Format::Human,
                DiffFormat::Concise => Format::Concise,
                DiffFormat::Sarif => Format::Sarif,
                _ => Format::Github,
            };
            render::render(
                format,
                &diagnostics,
                &files,
                RenderOptions {
                    color,
                    tool_version: version,
                },
            )
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .context("cannot write to standard output")?;
    stdout.flush().ok();
    for note in &notes.expired {
        eprintln!(
            "portolan: warning: {}",
            portolan_core::printable::escape(note)
        );
    }
    let all = || reports.iter().flat_map(|r| r.findings.iter());
    let count = |severity| all().filter(|f| f.diagnostic.severity == severity).count();
    if !global.quiet && matches!(args.format, DiffFormat::Human | DiffFormat::Concise) {
        for note in &notes.applied {
            eprintln!(
                "portolan: [[diff.rules]] {}",
                portolan_core::printable::escape(note)
            );
        }
        let changed = reports.iter().filter(|r| !r.findings.is_empty()).count();
        eprintln!(
            "compared {} API{} ({} → {}): {} breaking, {} warning{}, {} info in {} API{} ({:.2}s)",
            reports.len(),
            plural(reports.len()),
            portolan_core::printable::escape(&args.base),
            portolan_core::printable::escape(&head_label),
            count(Severity::Error),
            count(Severity::Warning),
            plural(count(Severity::Warning)),
            count(Severity::Info),
            changed,
            plural(changed),
            started.elapsed().as_secs_f64()
        );
    }
    let threshold = match args.fail_on {
        DiffFailOn::Breaking => Some(Severity::Error),
        DiffFailOn::Warning => Some(Severity::Warning),
        DiffFailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| all().any(|f| f.diagnostic.severity >= t));
    // The process ends with this command: freeing both revisions' trees
    // and bundles node by node (millions of small allocations for a large
    // definition) cost a tenth of the run on GitHub's 13 MB description,
    // and the memory goes back to the system at exit all the same.
    drop(reports);
    std::mem::forget(diffs);
    std::mem::forget(base_catalog);
    std::mem::forget(head_catalog);
    Ok(if failed {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Today in UTC: `SOURCE_DATE_EPOCH` when set, else the system clock.
fn today() -> Option<Date> {
    Date::from_unix_days(crate::scorecard::now_seconds().div_euclid(86_400))
}

/// Load and link one revision's catalog (no validation: `check` does that).
fn load_catalog(workspace: &Workspace) -> Result<Catalog> {
    let options = CheckOptions::from_config(&workspace.config);
    let loaded = portolan_catalog::load(workspace.source.as_ref(), &options.load)?;
    Ok(Catalog::link(loaded).0)
}

/// ENTITY_REF arguments as keys; each must name an API entity of either
/// revision.
fn named_apis(
    named: &[String],
    base: &Catalog,
    head: &Catalog,
) -> Result<Option<BTreeSet<String>>> {
    if named.is_empty() {
        return Ok(None);
    }
    let mut keys = BTreeSet::new();
    for text in named {
        let entity = EntityRef::parse(text, Some("api"), DEFAULT_NAMESPACE)
            .map_err(|e| anyhow::anyhow!("`{text}` is not an entity ref ({e})"))?;
        let is_api = |catalog: &Catalog| {
            catalog
                .get(&entity)
                .is_some_and(|e| e.kind == portolan_catalog::entity::Kind::Api)
        };
        if !is_api(base) && !is_api(head) {
            bail!("no API entity {entity} in either revision");
        }
        keys.insert(entity.key().to_string());
    }
    Ok(Some(keys))
}

/// What loading the definitions found wrong, where it explains a missing
/// comparison: the head's problems as they are (the change under review
/// made them), the base's as info under the base's file names.
fn load_findings(
    api: &ApiDiff,
    base_name: &dyn Fn(&str) -> String,
) -> Vec<portolan_diff::catalog::Finding> {
    let mut out = Vec::new();
    if let Some(head) = &api.head {
        out.extend(head.diagnostics.iter().cloned());
    }
    if matches!(
        api.not_compared,
        Some(portolan_diff::NotCompared::BaseUnreadable)
    ) && let Some(base) = &api.base
    {
        out.extend(base.diagnostics.iter().map(|d| {
            let mut d = d.clone();
            d.severity = Severity::Info;
            d.message = format!("in the base revision: {}", d.message);
            d.file = d.file.as_deref().map(base_name);
            for related in &mut d.related {
                related.file = base_name(&related.file);
            }
            d
        }));
    }
    out.into_iter()
        .map(|diagnostic| portolan_diff::catalog::Finding {
            diagnostic,
            operations: Vec::new(),
            pointers: (None, None),
        })
        .collect()
}

/// The files findings point at: the head's under their own paths, the
/// base's under `BASE:path` (only those, so a large catalog's texts are
/// not copied for a handful of findings).
fn file_set(
    base: &Catalog,
    head: &Catalog,
    diffs: &[ApiDiff],
    reports: &[ApiFindings<'_>],
    base_name: &dyn Fn(&str) -> String,
) -> FileSet {
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for finding in reports.iter().flat_map(|r| r.findings.iter()) {
        let d = &finding.diagnostic;
        wanted.extend(d.file.as_deref());
        wanted.extend(d.related.iter().map(|r| r.file.as_str()));
    }
    let mut files = FileSet::default();
    let mut offer = |file: &Arc<SourceFile>, name: Option<String>| match name {
        Some(name) if wanted.contains(name.as_str()) => {
            files.insert(Arc::new(SourceFile::new(name, file.text.clone())));
        }
        Some(_) => {}
        None if wanted.contains(file.path.as_str()) => files.insert(file.clone()),
        None => {}
    };
    for file in head.files.iter() {
        offer(file, None);
    }
    for file in base.files.iter() {
        offer(file, Some(base_name(&file.path)));
    }
    for api in diffs {
        for file in api.head.iter().flat_map(|r| r.files.iter()) {
            offer(file, None);
        }
        for file in api.base.iter().flat_map(|r| r.files.iter()) {
            offer(file, Some(base_name(&file.path)));
        }
    }
    files
}
