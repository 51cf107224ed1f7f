//! API entities' definitions: each is loaded with its `$ref`'d files,
//! bundled and validated by `portolan-apis`; findings point into the spec
//! files.

use std::collections::BTreeMap;

use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_catalog::entity::SubstitutionKind;
use portolan_catalog::{Catalog, EntityId, Kind};
use portolan_core::source::Source;
use rayon::prelude::*;

/// Spec types whose definitions are not OpenAPI/AsyncAPI documents; they are
/// kept as source text.
const SOURCE_ONLY_TYPES: &[&str] = &["graphql", "grpc", "trpc"];

/// Where an API entity's definition is: a file (through a substitution) or
/// the descriptor's own text. `None` when there is nothing to read (no
/// definition, or a substitution that failed and was reported already).
pub fn definition_root<'a>(catalog: &'a Catalog, id: EntityId) -> Option<RootDocument<'a>> {
    let entity = &catalog.entities[id];
    if entity.kind != Kind::Api {
        return None;
    }
    if let Some(sub) = entity
        .substitutions
        .iter()
        .find(|s| s.pointer == "/spec/definition")
    {
        return match (&sub.path, sub.kind) {
            (
                Some(path),
                SubstitutionKind::Text | SubstitutionKind::OpenApi | SubstitutionKind::AsyncApi,
            ) => Some(RootDocument::File(path)),
            // `$json`/`$yaml` give an object where a string is expected;
            // the schema reports that.
            _ => None,
        };
    }
    let text = entity.node.pointer("/spec/definition")?.as_str()?;
    if text.trim().is_empty() {
        return None;
    }
    Some(RootDocument::Inline {
        path: format!("{}#definition", entity.file),
        text: text.to_string(),
    })
}

/// Load and check every API entity's definition, in parallel.
pub fn check_apis(
    source: &dyn Source,
    catalog: &Catalog,
    limits: LoadLimits,
) -> BTreeMap<EntityId, ApiDefinition> {
    (0..catalog.entities.len())
        .into_par_iter()
        .filter_map(|id| {
            let entity = &catalog.entities[id];
            let spec_type = entity
                .spec_str("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let root = definition_root(catalog, id)?;
            if SOURCE_ONLY_TYPES.contains(&spec_type.as_str()) {
                // Shown as source; nothing to validate.
                return None;
            }
            Some((id, check_definition(source, root, limits)))
        })
        .collect()
}
