//! Which entity each SLO belongs to: the files an entity's
//! `portolan.dev/slos` annotation names, or else the Component or System
//! its service is named after. An SLO that belongs to none is an orphan
//! (O005); an annotation that names no SLO file is reported too (O006).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use portolan_catalog::{Catalog, Kind};
use portolan_core::{Diagnostic, codes};

use crate::{SLOS_ANNOTATION, SloCatalog};

pub fn link(catalog: &Catalog, out: &mut SloCatalog) {
    let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, slo) in out.slos.iter().enumerate() {
        by_file.entry(slo.file.as_str()).or_default().push(index);
    }
    let mut links: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    let mut findings = Vec::new();
    let pointer = format!(
        "/metadata/annotations/{}",
        SLOS_ANNOTATION.replace('/', "~1")
    );
    for (id, entity) in catalog.entities.iter().enumerate() {
        let Some(value) = entity.annotation(SLOS_ANNOTATION) else {
            continue;
        };
        let report = |message: String| {
            Diagnostic::new(&codes::SLO_ANNOTATION, message)
                .at(&entity.file, entity.node.locate(&pointer))
        };
        for pattern in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let resolved = match portolan_core::paths::resolve_relative(&entity.file, pattern) {
                Ok(resolved) => resolved,
                Err(err) => {
                    findings.push(report(format!("`{pattern}`: {err}")));
                    continue;
                }
            };
            let matcher = match globset::GlobBuilder::new(&resolved)
                .literal_separator(true)
                .build()
            {
                Ok(glob) => glob.compile_matcher(),
                Err(err) => {
                    findings.push(report(format!("`{pattern}` is not a glob: {}", err.kind())));
                    continue;
                }
            };
            let mut matched = false;
            for (&file, slos) in &by_file {
                if matcher.is_match(file) {
                    matched = true;
                    claimed.insert(file);
                    links.entry(id).or_default().extend(slos);
                }
            }
            if !matched {
                findings.push(report(format!(
                    "`{pattern}` (`{resolved}` from the catalog root) matches no file that holds an SLO"
                )));
            }
        }
    }
    // By service name: Components and Systems, names compared
    // case-insensitively as entity references are.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (id, entity) in catalog.entities.iter().enumerate() {
        if matches!(entity.kind, Kind::Component | Kind::System) {
            by_name
                .entry(entity.name.to_ascii_lowercase())
                .or_default()
                .push(id);
        }
    }
    for (index, slo) in out.slos.iter().enumerate() {
        if claimed.contains(slo.file.as_str()) {
            continue;
        }
        match by_name.get(&slo.service.to_ascii_lowercase()) {
            Some(ids) => {
                for &id in ids {
                    links.entry(id).or_default().push(index);
                }
            }
            None => findings.push(
                Diagnostic::new(
                    &codes::SLO_ORPHAN,
                    format!(
                        "SLO `{}` is for service `{}`, which is no Component or System of the catalog, and no entity's `{SLOS_ANNOTATION}` annotation names its file",
                        slo.name, slo.service
                    ),
                )
                .at(&slo.file, slo.service_span),
            ),
        }
    }
    for list in links.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    out.by_entity = links;
    out.diagnostics.extend(findings);
}
