//! `catalog.json`: every entity with its resolved relations, source
//! location, API summary and diagnostics, for scripts and other tools. Its
//! shape is described by `catalog-schema/catalog.schema.json`; breaking
//! changes bump [`FORMAT_VERSION`].

use std::collections::BTreeMap;

use portolan_catalog::{EntityId, Kind};
use portolan_check::Checked;
use portolan_core::Diagnostic;
use portolan_core::diagnostic::Summary;
use portolan_core::span::LineCol;
use serde_json::{Map, Value, json};

pub const FORMAT_VERSION: u64 = 1;

/// Where an API entity's bundled definition is written in the site.
pub fn bundle_paths(checked: &Checked, id: EntityId) -> (String, String) {
    let entity = &checked.catalog.entities[id];
    let base = format!(
        "apis/{}/{}",
        crate::site_path::name_segment(&entity.namespace),
        crate::site_path::name_segment(&entity.name)
    );
    (format!("{base}.json"), format!("{base}.yaml"))
}

/// Where a diagnostic starts, 1-based, when it has a file and a span.
pub fn diagnostic_position(checked: &Checked, d: &Diagnostic) -> Option<LineCol> {
    let file = checked.catalog.files.get(d.file.as_deref()?)?;
    Some(file.line_col(d.span?.start))
}

fn diagnostic_json(checked: &Checked, d: &Diagnostic) -> Value {
    let position = diagnostic_position(checked, d);
    json!({
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "file": d.file,
        "line": position.map(|p| p.line),
        "column": position.map(|p| p.column),
    })
}

/// Diagnostics that belong to an entity: those inside its document, and
/// those in its API definition's files.
fn entity_diagnostics(checked: &Checked, id: EntityId) -> Vec<&Diagnostic> {
    let entity = &checked.catalog.entities[id];
    let span = entity.node.span;
    let spec_files: Vec<&str> = checked
        .apis
        .get(&id)
        .and_then(|d| d.spec.as_ref())
        .map(|(set, _)| set.files.keys().map(String::as_str).collect())
        .unwrap_or_default();
    checked
        .diagnostics
        .iter()
        .filter(|d| match (d.file.as_deref(), d.span) {
            (Some(f), Some(s)) if f == entity.file => s.start >= span.start && s.start <= span.end,
            (Some(f), _) => spec_files.contains(&f),
            _ => false,
        })
        .collect()
}

fn api_summary(checked: &Checked, id: EntityId) -> Value {
    let Some(definition) = checked.apis.get(&id) else {
        // GraphQL and gRPC definitions are not interpreted: shown as source
        // on the entity's page and offered raw for download.
        let entity = &checked.catalog.entities[id];
        let Some((text, file)) = crate::reference::definition_text(entity) else {
            return Value::Null;
        };
        let language =
            crate::reference::definition_language(entity.spec_str("type").unwrap_or(""), text);
        let format = match language.as_str() {
            "graphql" => "GraphQL",
            "proto" => "protobuf",
            _ => return Value::Null,
        };
        return json!({
            "format": format,
            "definitionFile": file.map(str::to_string).unwrap_or_else(|| format!("{}#definition", entity.file)),
            "download": crate::reference::source_download_path(entity, &language, file),
        });
    };
    if let Some((language, file)) = &definition.other {
        return json!({ "format": language, "definitionFile": file.path });
    }
    let (Some((set, _)), Some(model)) = (&definition.spec, definition.model()) else {
        return Value::Null;
    };
    let (json_path, yaml_path) = bundle_paths(checked, id);
    let mut summary = json!({
        "format": set.format.to_string(),
        "specVersion": set.version,
        "title": model.info.title,
        "version": model.info.version,
        "definitionFile": set.root_file,
        "files": set.files.len(),
        "bundle": { "json": json_path, "yaml": yaml_path },
    });
    let map = summary.as_object_mut().expect("a JSON object");
    if set.format.is_openapi() {
        map.insert("operations".into(), json!(model.operations.len()));
        map.insert("webhooks".into(), json!(model.webhooks.len()));
        map.insert("schemas".into(), json!(model.schemas.len()));
    } else {
        map.insert("channels".into(), json!(model.channels.len()));
        map.insert("operations".into(), json!(model.async_operations.len()));
        map.insert("messages".into(), json!(model.messages.len()));
    }
    summary
}

/// The document, as a JSON value (callers serialise it).
pub fn catalog_json(checked: &Checked, tool_version: &str) -> Value {
    let catalog = &checked.catalog;
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut entities = Vec::new();
    let mut all_relations = catalog.all_relations();
    for (id, entity) in catalog.entities.iter().enumerate() {
        // Only the first definition of an identity is the entity; later
        // duplicates are reported (R004) and left out.
        if !entity.has_identity() || catalog.index.get(entity.key_ref()) != Some(&id) {
            continue;
        }
        *by_kind.entry(entity.kind_name.clone()).or_default() += 1;
        let mut value = entity.to_json();
        let object = value.as_object_mut();
        let (metadata, mut spec) = match object {
            Some(o) => (
                o.remove("metadata").unwrap_or(Value::Null),
                o.remove("spec").unwrap_or(Value::Null),
            ),
            None => (Value::Null, Value::Null),
        };
        // The definition text is served as the bundled files instead (a
        // catalog.json of 10,000 entities should not carry every spec).
        if entity.kind == Kind::Api
            && let Some(spec) = spec.as_object_mut()
        {
            spec.remove("definition");
        }
        let position = catalog
            .files
            .get(&entity.file)
            .map(|f| f.line_col(entity.node.span.start));
        let relations: Vec<Value> = std::mem::take(&mut all_relations[id])
            .into_iter()
            .map(|r| {
                json!({
                    "type": r.relation.as_str(),
                    "target": r.target.to_string(),
                    "resolved": r.resolved.is_some(),
                })
            })
            .collect();
        let mut out = Map::new();
        out.insert("ref".into(), json!(entity.entity_ref().to_string()));
        out.insert("apiVersion".into(), json!(entity.api_version));
        out.insert("kind".into(), json!(entity.kind_name));
        out.insert("namespace".into(), json!(entity.namespace));
        out.insert("name".into(), json!(entity.name));
        out.insert("metadata".into(), metadata);
        out.insert("spec".into(), spec);
        out.insert(
            "source".into(),
            json!({
                "file": entity.file,
                "document": entity.doc_index,
                "line": position.map(|p| p.line),
                "column": position.map(|p| p.column),
            }),
        );
        out.insert("relations".into(), Value::Array(relations));
        if entity.kind == Kind::Api {
            out.insert("api".into(), api_summary(checked, id));
        }
        out.insert(
            "diagnostics".into(),
            Value::Array(
                entity_diagnostics(checked, id)
                    .into_iter()
                    .map(|d| diagnostic_json(checked, d))
                    .collect(),
            ),
        );
        entities.push(Value::Object(out));
    }
    let summary = Summary::of(&checked.diagnostics);
    json!({
        "formatVersion": FORMAT_VERSION,
        "generator": { "name": "portolan", "version": tool_version },
        "summary": {
            "entities": entities.len(),
            "byKind": by_kind,
            "errors": summary.errors,
            "warnings": summary.warnings,
        },
        "entities": entities,
        "diagnostics": checked.diagnostics.iter().map(|d| diagnostic_json(checked, d)).collect::<Vec<_>>(),
    })
}
