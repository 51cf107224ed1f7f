//! SLOs as code. Reads the service level objectives a repository keeps
//! beside its catalog: OpenSLO (`openslo/v1`, `openslo/v1alpha`) and Sloth
//! (`prometheus/v1`, and its Kubernetes form) files, found by what they
//! declare rather than by name. Validates them offline (each format's
//! schema, objectives, windows, budgeting methods, references between
//! OpenSLO objects), links each SLO to the catalog entities it belongs to,
//! and computes what an SRE reads off it: the error budget of each
//! objective and the error rates at which its burn-rate alerts fire.
//!
//! Nothing here queries a monitoring system. When CI drops an
//! `slo-status.json` beside SLO files, its measurements are attached as
//! they are, with their timestamp.

mod link;
mod read;
mod status;
pub mod window;

use std::collections::BTreeMap;
use std::sync::Arc;

use portolan_catalog::{Catalog, EntityId};
use portolan_core::Diagnostic;
use portolan_core::files::SourceFile;
use portolan_core::source::Source;
use portolan_core::yaml::YamlLimits;
use rayon::prelude::*;
use serde::Serialize;

/// The annotation naming an entity's SLO files: globs relative to the
/// descriptor's folder, comma-separated.
pub const SLOS_ANNOTATION: &str = "portolan.dev/slos";

/// The file CI may write beside SLO files with measured values.
pub const STATUS_FILE: &str = "slo-status.json";

/// One service level objective, whatever format it was written in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Slo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `openslo/v1`, `openslo/v1alpha` or `sloth/prometheus/v1`.
    pub format: &'static str,
    /// The file (catalog-relative) and the 1-based line the SLO starts at.
    pub file: String,
    pub line: usize,
    /// The service it is about, as the file names it.
    pub service: String,
    /// Where the service is named (findings about the link point there).
    #[serde(skip)]
    pub service_span: portolan_core::Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// `Occurrences`, `Timeslices` or `RatioTimeslices`.
    pub budgeting_method: String,
    pub objectives: Vec<Objective>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<Indicator>,
    pub alerts: Vec<Alert>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// No error was found in it (schema, objective, window, references).
    pub valid: bool,
}

/// The window an SLO is measured over.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// As written (`28d`, `1 Month`).
    pub text: String,
    /// Its length (calendar units count 30, 90 or 365 days).
    pub minutes: f64,
    pub rolling: bool,
}

/// One objective of an SLO.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Objective {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The target as a percentage (99.9).
    pub percent: f64,
    /// The error budget over the window, in minutes (with a valid window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_minutes: Option<f64>,
    /// The same, as a person reads it (`43.2 min`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
}

/// What is measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    /// `threshold`, `ratio` (OpenSLO), `events`, `raw` or `plugin` (Sloth).
    pub kind: String,
    /// The data source's type or name, when the file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The queries, labelled (`good`, `total`, `error_query`, ...).
    pub queries: Vec<Query>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub label: String,
    pub text: String,
}

/// A burn-rate alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// How many times faster than the budget allows errors are spent.
    pub burn_rate: f64,
    /// The window the rate is measured over (`1h`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// The error rate (percent) at which it fires, for the first objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fires_at_error_percent: Option<f64>,
}

/// Measured values from `slo-status.json`, shown as they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_budget: Option<f64>,
}

/// Every SLO of a catalog, and the entities they belong to.
#[derive(Debug, Default, Clone)]
pub struct SloCatalog {
    /// In file order, then position in the file.
    pub slos: Vec<Slo>,
    /// Entity → its SLOs (indices into `slos`).
    pub by_entity: BTreeMap<EntityId, Vec<usize>>,
    /// The SLO and status files read (for code frames).
    pub files: Vec<Arc<SourceFile>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What an entity's SLOs add up to, for scorecard facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntitySummary {
    pub count: usize,
    /// Every one of them is valid.
    pub valid: bool,
    /// The lowest objective (percent) of the valid ones.
    pub lowest_objective: Option<f64>,
    /// The smallest error budget (minutes) of the valid ones.
    pub smallest_budget_minutes: Option<f64>,
}

impl SloCatalog {
    /// The SLOs of an entity.
    pub fn of_entity(&self, id: EntityId) -> impl Iterator<Item = &Slo> {
        self.by_entity
            .get(&id)
            .into_iter()
            .flatten()
            .map(|&i| &self.slos[i])
    }

    /// Keep the links of the entities `old_ids` lists, renumbered by
    /// their place in it (a catalog restricted to an audience): the SLOs
    /// of the others are no longer shown anywhere.
    pub fn keep_entities(&mut self, old_ids: &[EntityId]) {
        let mut by_entity = BTreeMap::new();
        for (new_id, old_id) in old_ids.iter().enumerate() {
            if let Some(list) = self.by_entity.remove(old_id) {
                by_entity.insert(new_id, list);
            }
        }
        self.by_entity = by_entity;
    }

    pub fn summary(&self, id: EntityId) -> EntitySummary {
        let mut summary = EntitySummary {
            count: 0,
            valid: true,
            lowest_objective: None,
            smallest_budget_minutes: None,
        };
        for slo in self.of_entity(id) {
            summary.count += 1;
            summary.valid &= slo.valid;
            if !slo.valid {
                continue;
            }
            for objective in &slo.objectives {
                summary.lowest_objective = Some(
                    summary
                        .lowest_objective
                        .map_or(objective.percent, |l| l.min(objective.percent)),
                );
                if let Some(budget) = objective.budget_minutes {
                    summary.smallest_budget_minutes = Some(
                        summary
                            .smallest_budget_minutes
                            .map_or(budget, |b| b.min(budget)),
                    );
                }
            }
        }
        summary.valid &= summary.count > 0;
        summary
    }
}

/// Limits on what is read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_size: u64,
    pub yaml: YamlLimits,
}

/// Whether a file's text declares an SLO format on one of its lines (a
/// cheap look before parsing: most YAML files of a repository are not SLO
/// files, and are never parsed here).
pub fn declares_slo(text: &str) -> bool {
    // Each format's marker is somewhere in the text, or no line declares
    // it: a search far faster than looking at every line of a 4 MB API
    // definition.
    let holds = |marker: &str| memchr::memmem::find(text.as_bytes(), marker.as_bytes()).is_some();
    if !(holds("openslo/") || holds(read::SLOTH_K8S) || holds(read::SLOTH_VERSION)) {
        return false;
    }
    text.lines().any(|line| {
        let line = line.trim_start_matches(['-', ' ', '\t']);
        let value = |key: &str| {
            line.strip_prefix(key)
                .map(|rest| rest.trim().trim_matches(['"', '\'']))
        };
        value("apiVersion:").is_some_and(|v| v.starts_with("openslo/") || v == read::SLOTH_K8S)
            || value("version:").is_some_and(|v| v == read::SLOTH_VERSION)
    })
}

/// Find, read and check the SLO files among `catalog`'s files, and link
/// them to its entities. Descriptor files are not SLO files.
pub fn load(source: &dyn Source, catalog: &Catalog, limits: Limits) -> SloCatalog {
    let candidates: Vec<&String> = catalog
        .all_files
        .iter()
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
        .filter(|f| catalog.files.get(f.as_str()).is_none())
        .collect();
    // Read and parse in parallel; keep the listing's (sorted) order.
    let read: Vec<(
        Arc<SourceFile>,
        Vec<portolan_core::yaml::Document>,
        Vec<Diagnostic>,
    )> = candidates
        .par_iter()
        .filter_map(|path| {
            let bytes = source.read(path, limits.max_file_size).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            if !declares_slo(&text) {
                return None;
            }
            let file = Arc::new(SourceFile::new(path.as_str(), text));
            let mut diagnostics = Vec::new();
            let documents = portolan_core::parse::parse_file(&file, limits.yaml, &mut diagnostics);
            Some((file, documents, diagnostics))
        })
        .collect();
    let mut out = SloCatalog::default();
    let mut documents = Vec::new();
    for (file, docs, diagnostics) in read {
        out.diagnostics.extend(diagnostics);
        for doc in docs.into_iter().filter(|d| !d.is_empty) {
            documents.push((file.clone(), doc.root));
        }
        out.files.push(file);
    }
    out.slos = read::read_all(&documents, &mut out.diagnostics);
    status::attach(source, catalog, limits, &mut out);
    link::link(catalog, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::declares_slo;

    #[test]
    fn a_format_is_declared_on_a_line_of_its_own() {
        assert!(declares_slo("apiVersion: openslo/v1\nkind: SLO\n"));
        assert!(declares_slo("---\n- apiVersion: \"openslo/v1alpha\"\n"));
        assert!(declares_slo("version: 'prometheus/v1'\nservice: x\n"));
        assert!(declares_slo("a: 1\napiVersion: sloth.slok.dev/v1\n"));
        // The marker elsewhere on a line, or no marker at all.
        assert!(!declares_slo(
            "description: see openslo/v1 and prometheus/v1\n"
        ));
        assert!(!declares_slo(
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
        ));
        assert!(!declares_slo(
            "apiVersion: backstage.io/v1alpha1\nversion: 2\n"
        ));
    }
}
