//! portolan-check: the validation stage. Runs every rule over a loaded
//! [`Catalog`] in parallel — the embedded JSON Schemas, Backstage's format
//! rules, cross-entity rules, user policies and the API design lint
//! (`[lint]`, `portolan-lint`) — then applies `[rules]`
//! severity overrides and sorts the findings deterministically.

pub mod apis;
pub mod baseline;
pub mod docs;
pub mod policy;
pub mod rules;
pub mod schemas;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use portolan_catalog::{Catalog, EntityId, Kind, LoadOptions};
use portolan_core::config::Config;
use portolan_core::source::{Source, SourceError};
use portolan_core::{Diagnostic, codes, diagnostic};
use rayon::prelude::*;

pub use policy::Policy;

/// The checked catalog and every finding.
pub struct Checked {
    pub catalog: Catalog,
    /// API entities' definitions, loaded, bundled and checked. Shared, so
    /// a rebuild in `serve` can keep an unchanged definition (and the model
    /// and pages made from it).
    pub apis: BTreeMap<EntityId, Arc<portolan_apis::ApiDefinition>>,
    /// Entities' docs-as-code (shared like `apis`).
    pub docs: BTreeMap<EntityId, Arc<docs::DocSet>>,
    /// The catalog's SLO files (OpenSLO, Sloth), checked and linked to
    /// entities (portolan-slo).
    pub slos: Arc<portolan_slo::SloCatalog>,
    pub diagnostics: Vec<Diagnostic>,
    /// What the lint baseline (`[lint] baseline`) hid, when one was read.
    pub lint_baseline: Option<baseline::Applied>,
}

/// What to check.
pub struct CheckOptions {
    pub load: LoadOptions,
    /// Report only findings in these files (`check FILES...`); the whole
    /// catalog is still loaded, since references need it.
    pub only_files: Option<BTreeSet<String>>,
    /// Keep each API definition's loaded and bundled documents in
    /// [`Checked::apis`] (what `build` and `serve` render from). `check`
    /// alone needs only their findings and files: without this, each
    /// definition's trees are dropped as soon as it is checked, which is
    /// most of a large catalog's memory.
    pub keep_definitions: bool,
    /// Longest chain of `$ref`s followed in an API definition.
    pub max_reference_depth: usize,
    /// Hide the lint findings `[lint] baseline` lists (off to write one).
    pub apply_baseline: bool,
    /// Sort the findings (file, place, code) for reporting. Off when only
    /// their counts matter (a trend's past revisions): sorting 20,000 of
    /// them is a visible part of checking a revision again.
    pub sort_findings: bool,
}

impl CheckOptions {
    pub fn from_config(config: &Config) -> CheckOptions {
        CheckOptions {
            load: LoadOptions {
                include: config.discovery.include.clone(),
                exclude: config.discovery.exclude.clone(),
                named_files: Vec::new(),
                max_file_size: config.limits.max_file_size,
                yaml_limits: config.limits.yaml(),
            },
            only_files: None,
            max_reference_depth: config.limits.max_reference_depth,
            keep_definitions: true,
            apply_baseline: true,
            sort_findings: true,
        }
    }
}

/// Load, link and validate the catalog in `source`.
pub fn check(
    source: &dyn Source,
    config: &Config,
    policies: &[Policy],
    options: &CheckOptions,
) -> Result<Checked, SourceError> {
    check_cached(source, config, policies, options, None)
}

/// What one check keeps for the next (`serve`): parsed descriptors, the
/// per-entity rules' findings, API definitions and docs. Each part is
/// made again only when a file it was made from changed; call
/// [`CheckCache::invalidate`] with the changed paths before checking.
/// Cross-entity work (linking, reference rules, sorting) is always redone.
#[derive(Default)]
pub struct CheckCache {
    load: portolan_catalog::LoadCache,
    /// Findings of the per-entity rules, by descriptor file; valid while
    /// the file's parse is.
    validation: HashMap<String, Vec<Diagnostic>>,
    /// The policies (and their schemas) those findings were made with.
    policies: Option<u64>,
    apis: apis::ApiCache,
    docs: docs::DocsCache,
}

impl CheckCache {
    /// Forget what `changed` paths (catalog-relative; a folder stands for
    /// everything under it) could have changed.
    pub fn invalidate(&mut self, changed: &BTreeSet<String>) {
        self.load.invalidate(changed);
        self.apis.invalidate(changed);
        self.docs.invalidate(changed);
    }

    /// Descriptor files the last check parsed (rather than took from the
    /// cache).
    pub fn reparsed(&self) -> &BTreeSet<String> {
        &self.load.reparsed
    }
}

/// [`check`], reusing from `cache` whatever the changes since the last
/// check did not touch. The result is the same as [`check`]'s.
pub fn check_cached(
    source: &dyn Source,
    config: &Config,
    policies: &[Policy],
    options: &CheckOptions,
    mut cache: Option<&mut CheckCache>,
) -> Result<Checked, SourceError> {
    let loaded = portolan_catalog::load_cached(
        source,
        &options.load,
        cache.as_deref_mut().map(|c| &mut c.load),
    )?;
    let reparsed = cache
        .as_deref()
        .map(|c| c.load.reparsed.clone())
        .unwrap_or_default();
    let (mut catalog, mut diagnostics) = Catalog::link(loaded);
    diagnostics.extend(validate_cached(&catalog, policies, cache.as_deref_mut()));
    let limits = portolan_apis::LoadLimits {
        max_file_size: options.load.max_file_size,
        yaml: options.load.yaml_limits,
        max_reference_depth: options.max_reference_depth,
        ..Default::default()
    };
    let lint = lint_settings(source, config, options, &mut catalog, &mut diagnostics);
    let apis = apis::check_apis_cached(
        source,
        &catalog,
        limits,
        &lint,
        cache.as_deref_mut().map(|c| &mut c.apis),
        &reparsed,
        options.keep_definitions,
    );
    let docs = docs::load_docs_cached(
        source,
        &catalog,
        &catalog.all_files,
        &mut diagnostics,
        cache.map(|c| &mut c.docs),
        &reparsed,
    );
    // Docs pages and withheld SVGs are files findings point into: keep
    // them for code frames.
    for set in docs.values() {
        for (page, text) in set.pages.iter().chain(&set.withheld) {
            let path = if set.dir.is_empty() {
                page.clone()
            } else {
                format!("{}/{page}", set.dir)
            };
            if catalog.files.get(&path).is_none() {
                catalog
                    .files
                    .insert(std::sync::Arc::new(portolan_core::files::SourceFile::new(
                        path,
                        text.clone(),
                    )));
            }
        }
        if let Some((path, text)) = &set.mkdocs
            && catalog.files.get(path).is_none()
        {
            catalog
                .files
                .insert(std::sync::Arc::new(portolan_core::files::SourceFile::new(
                    path.clone(),
                    text.clone(),
                )));
        }
    }
    // SLOs as code: found by content among the files that are not
    // descriptors, checked, and linked to entities.
    let mut slos = portolan_slo::load(
        source,
        &catalog,
        portolan_slo::Limits {
            max_file_size: options.load.max_file_size,
            yaml: options.load.yaml_limits,
        },
    );
    diagnostics.append(&mut slos.diagnostics);
    for file in &slos.files {
        if catalog.files.get(&file.path).is_none() {
            catalog.files.insert(file.clone());
        }
    }
    for definition in apis.values() {
        diagnostics.extend(definition.diagnostics.iter().cloned());
        for file in &definition.files {
            if catalog.files.get(&file.path).is_none() {
                catalog.files.insert(file.clone());
            }
        }
    }
    let mut diagnostics = apply_rule_settings(diagnostics, config);
    let lint_baseline = match &config.lint.baseline {
        Some(path) if options.apply_baseline => {
            read_baseline(source, path, &mut diagnostics).map(|b| b.apply(&mut diagnostics, path))
        }
        _ => None,
    };
    if let Some(only) = &options.only_files {
        // An inline definition's findings belong to its descriptor.
        diagnostics.retain(|d| {
            d.file
                .as_ref()
                .is_some_and(|f| only.contains(f.split('#').next().unwrap_or(f)))
        });
    }
    if options.sort_findings {
        diagnostic::sort_diagnostics(&mut diagnostics);
    }
    Ok(Checked {
        catalog,
        apis,
        docs,
        slos: Arc::new(slos),
        diagnostics,
        lint_baseline,
    })
}

/// `[lint]` of portolan.toml over the Spectral ruleset, when there is one:
/// the file `[lint] ruleset` names, or `.spectral.yaml`/`.yml`/`.json` at
/// the root. Its findings (U002, U003) join `diagnostics`, and its text
/// the catalog's files (for code frames).
fn lint_settings(
    source: &dyn Source,
    config: &Config,
    options: &CheckOptions,
    catalog: &mut Catalog,
    diagnostics: &mut Vec<Diagnostic>,
) -> portolan_lint::Settings {
    use portolan_core::source::ReadError;
    let candidates: Vec<&str> = match &config.lint.ruleset {
        Some(path) => vec![path.as_str()],
        None => portolan_lint::ruleset::DEFAULT_FILES.to_vec(),
    };
    for path in candidates {
        match source.read(path, options.load.max_file_size) {
            Ok(bytes) => {
                let Ok(text) = String::from_utf8(bytes) else {
                    diagnostics.push(
                        Diagnostic::new(&codes::RULESET_INVALID, format!("{path} is not UTF-8"))
                            .in_file(path),
                    );
                    break;
                };
                let file = Arc::new(portolan_core::files::SourceFile::new(path, text));
                let ruleset =
                    portolan_lint::ruleset::read(&file, options.load.yaml_limits, diagnostics);
                catalog.files.insert(file);
                return portolan_lint::Settings::with_ruleset(&config.lint, ruleset);
            }
            Err(ReadError::NotFound) if config.lint.ruleset.is_none() => continue,
            Err(err) => {
                diagnostics.push(
                    Diagnostic::new(
                        &codes::RULESET_INVALID,
                        format!(
                            "the ruleset `{path}` (`ruleset` under [lint]) cannot be read: {err}"
                        ),
                    )
                    .in_file(portolan_core::config::CONFIG_FILE),
                );
                break;
            }
        }
    }
    portolan_lint::Settings::new(&config.lint)
}

/// The lint baseline at `path` (catalog-relative, read through the
/// source: it cannot leave the root); a finding when it cannot be used.
fn read_baseline(
    source: &dyn Source,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<baseline::Baseline> {
    let config_file = portolan_core::config::CONFIG_FILE;
    let problem = match source.read(path, 64 << 20) {
        Ok(bytes) => match String::from_utf8(bytes)
            .map_err(|_| "it is not UTF-8".to_string())
            .and_then(|text| baseline::Baseline::parse(&text))
        {
            Ok(baseline) => return Some(baseline),
            Err(why) => format!("the lint baseline `{path}` cannot be used: {why}"),
        },
        Err(err) => format!(
            "the lint baseline `{path}` cannot be read ({err}); write it with `portolan check --write-baseline`"
        ),
    };
    diagnostics.push(
        Diagnostic::new(&codes::LINT_BASELINE, problem)
            .in_file(config_file)
            .with_help("every lint finding is reported until the baseline can be read"),
    );
    None
}

/// Every per-entity and cross-entity rule.
pub fn validate(catalog: &Catalog, policies: &[Policy]) -> Vec<Diagnostic> {
    validate_cached(catalog, policies, None)
}

/// The per-entity rules for one entity.
fn validate_entity(entity: &portolan_catalog::Entity, policies: &[Policy]) -> Vec<Diagnostic> {
    let mut out = schemas::validate_entity(entity);
    out.extend(rules::format::check_format(entity));
    if entity.kind == Kind::Other && !entity.kind_name.is_empty() {
        out.push(
            Diagnostic::new(
                &codes::UNKNOWN_KIND,
                format!(
                    "kind `{}` is not a core Backstage kind; only its envelope is checked",
                    entity.kind_name
                ),
            )
            .at(&entity.file, entity.node.locate("/kind"))
            .with_help("silence with `\"E010\" = \"off\"` under [rules] in portolan.toml"),
        );
    }
    for policy in policies {
        out.extend(policy.check(entity));
    }
    out
}

/// [`validate`], taking the per-entity findings of descriptor files that
/// were not parsed again from `cache`.
fn validate_cached(
    catalog: &Catalog,
    policies: &[Policy],
    cache: Option<&mut CheckCache>,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = match cache {
        None => catalog
            .entities
            .par_iter()
            .flat_map_iter(|entity| validate_entity(entity, policies))
            .collect(),
        Some(cache) => {
            let fingerprint = policy::fingerprint(policies);
            if cache.policies != Some(fingerprint) {
                cache.validation.clear();
                cache.policies = Some(fingerprint);
            }
            // Entities are sorted by file: one run of entities per file.
            let mut runs: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
            for (id, entity) in catalog.entities.iter().enumerate() {
                match runs.last_mut() {
                    Some((file, range)) if *file == entity.file.as_str() => range.end = id + 1,
                    _ => runs.push((entity.file.as_str(), id..id + 1)),
                }
            }
            let reparsed = &cache.load.reparsed;
            let previous = &cache.validation;
            let made: Vec<(&str, Vec<Diagnostic>)> = runs
                .par_iter()
                .map(|(file, range)| {
                    let found = match previous.get(*file) {
                        Some(found) if !reparsed.contains(*file) => found.clone(),
                        _ => catalog.entities[range.clone()]
                            .iter()
                            .flat_map(|entity| validate_entity(entity, policies))
                            .collect(),
                    };
                    (*file, found)
                })
                .collect();
            let mut kept = HashMap::with_capacity(made.len());
            let mut out = Vec::new();
            for (file, found) in made {
                out.extend(found.iter().cloned());
                kept.insert(file.to_string(), found);
            }
            cache.validation = kept;
            out
        }
    };
    diagnostics.extend(rules::references::check_references(catalog));
    diagnostics.extend(policies.iter().filter_map(Policy::load_error));
    diagnostics
}

/// Apply `[rules]` overrides; drop findings of rules turned off.
pub fn apply_rule_settings(diagnostics: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
    if config.rules.is_empty() {
        return diagnostics;
    }
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            let name = codes::find(&d.code).map(|c| c.name);
            let severity = config.severity_for(&d.code, name, d.severity)?;
            d.severity = severity;
            Some(d)
        })
        .collect()
}
