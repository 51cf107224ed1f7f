//! portolan-check: the validation stage. Runs every rule over a loaded
//! [`Catalog`] in parallel — the embedded JSON Schemas, Backstage's format
//! rules, cross-entity rules and user policies — then applies `[rules]`
//! severity overrides and sorts the findings deterministically.

pub mod apis;
pub mod docs;
pub mod policy;
pub mod rules;
pub mod schemas;

use std::collections::{BTreeMap, BTreeSet};

use portolan_catalog::{Catalog, EntityId, Kind, LoadOptions};
use portolan_core::config::Config;
use portolan_core::source::{Source, SourceError};
use portolan_core::{Diagnostic, codes, diagnostic};
use rayon::prelude::*;

pub use policy::Policy;

/// The checked catalog and every finding.
pub struct Checked {
    pub catalog: Catalog,
    /// API entities' definitions, loaded, bundled and checked.
    pub apis: BTreeMap<EntityId, portolan_apis::ApiDefinition>,
    /// Entities' docs-as-code.
    pub docs: BTreeMap<EntityId, docs::DocSet>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What to check.
pub struct CheckOptions {
    pub load: LoadOptions,
    /// Report only findings in these files (`check FILES...`); the whole
    /// catalog is still loaded, since references need it.
    pub only_files: Option<BTreeSet<String>>,
}

impl CheckOptions {
    pub fn from_config(config: &Config) -> CheckOptions {
        CheckOptions {
            load: LoadOptions {
                include: config.discovery.include.clone(),
                exclude: config.discovery.exclude.clone(),
                named_files: Vec::new(),
                max_file_size: config.limits.max_file_size,
                yaml_limits: Default::default(),
            },
            only_files: None,
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
    let loaded = portolan_catalog::load(source, &options.load)?;
    let (mut catalog, mut diagnostics) = Catalog::link(loaded);
    diagnostics.extend(validate(&catalog, policies));
    let limits = portolan_apis::LoadLimits {
        max_file_size: options.load.max_file_size,
        yaml: options.load.yaml_limits,
        ..Default::default()
    };
    let apis = apis::check_apis(source, &catalog, limits);
    let docs = docs::load_docs(source, &catalog, &catalog.all_files, &mut diagnostics);
    // Docs pages are files findings point into: keep them for code frames.
    for set in docs.values() {
        for (page, text) in &set.pages {
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
    if let Some(only) = &options.only_files {
        // An inline definition's findings belong to its descriptor.
        diagnostics.retain(|d| {
            d.file
                .as_ref()
                .is_some_and(|f| only.contains(f.split('#').next().unwrap_or(f)))
        });
    }
    diagnostic::sort_diagnostics(&mut diagnostics);
    Ok(Checked {
        catalog,
        apis,
        docs,
        diagnostics,
    })
}

/// Every per-entity and cross-entity rule.
pub fn validate(catalog: &Catalog, policies: &[Policy]) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = catalog
        .entities
        .par_iter()
        .flat_map_iter(|entity| {
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
        })
        .collect();
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
