//! `catalog.json`: every entity with its resolved relations, source
//! location, API summary and diagnostics, for scripts and other tools. Its
//! shape is described by `catalog-schema/catalog.schema.json`; breaking
//! changes bump [`FORMAT_VERSION`].

use std::collections::{BTreeMap, HashMap};

use portolan_catalog::{EntityId, Kind};
use portolan_check::Checked;
use portolan_core::Diagnostic;
use portolan_core::diagnostic::Summary;
use portolan_core::span::LineCol;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
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

/// Which diagnostics belong to which entity: those inside its document,
/// and those in its API definition's files. Made once for the catalog, so
/// each entity's are found without scanning every diagnostic (a 100,000
/// entity catalog with 30,000 findings would otherwise compare 3·10⁹
/// pairs).
struct DiagnosticIndex<'a> {
    /// Per file, the indexes of its diagnostics that have a span, by start.
    spanned: HashMap<&'a str, Vec<(u32, usize)>>,
    /// Per file, the indexes of all its diagnostics, in order.
    by_file: HashMap<&'a str, Vec<usize>>,
}

impl<'a> DiagnosticIndex<'a> {
    fn of(diagnostics: &'a [Diagnostic]) -> Self {
        let mut spanned: HashMap<&str, Vec<(u32, usize)>> = HashMap::new();
        let mut by_file: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, d) in diagnostics.iter().enumerate() {
            let Some(file) = d.file.as_deref() else {
                continue;
            };
            by_file.entry(file).or_default().push(i);
            if let Some(span) = d.span {
                spanned.entry(file).or_default().push((span.start, i));
            }
        }
        for list in spanned.values_mut() {
            list.sort_unstable();
        }
        DiagnosticIndex { spanned, by_file }
    }

    /// The entity's diagnostics, in the order of `checked.diagnostics`.
    fn of_entity(&self, checked: &'a Checked, id: EntityId) -> Vec<&'a Diagnostic> {
        let entity = &checked.catalog.entities[id];
        let span = entity.node.span;
        let mut found: Vec<usize> = Vec::new();
        if let Some(list) = self.spanned.get(entity.file.as_str()) {
            let from = list.partition_point(|&(start, _)| start < span.start);
            let to = list.partition_point(|&(start, _)| start <= span.end);
            found.extend(list[from..to].iter().map(|&(_, i)| i));
        }
        if let Some((set, _)) = checked.apis.get(&id).and_then(|d| d.spec.as_ref()) {
            for file in set.files.keys() {
                found.extend(self.by_file.get(file.as_str()).into_iter().flatten());
            }
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| &checked.diagnostics[i]).collect()
    }
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
    // Design-lint findings by family (absent families: none).
    map.insert(
        "lint".into(),
        json!(crate::lint_summary::counts(checked, id)),
    );
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

/// The document, serialised as it is written: one entity's JSON value at
/// a time, never the whole catalog's tree at once (for 100,000 entities
/// that tree alone took over a gigabyte).
pub struct CatalogJson<'a> {
    pub checked: &'a Checked,
    pub tool_version: &'a str,
    /// API changelogs by entity ref: each API's `latestBreakingChange`.
    pub changelogs: Option<&'a crate::changelog::Changelogs>,
    /// Facts and levels (`None`: no scorecards stage ran).
    pub scorecards: Option<&'a crate::scorecards::SiteScorecards>,
}

/// `catalog.json`'s text (pretty-printed, with a final newline).
pub fn catalog_json_text(
    checked: &Checked,
    tool_version: &str,
    changelogs: Option<&crate::changelog::Changelogs>,
    scorecards: Option<&crate::scorecards::SiteScorecards>,
) -> String {
    let mut text = Vec::new();
    // Writing into memory cannot fail, nor can the serialisation.
    write_catalog_json(checked, tool_version, changelogs, scorecards, &mut text)
        .unwrap_or_default();
    String::from_utf8(text).unwrap_or_default()
}

/// [`catalog_json_text`] written to `out` as it is made (a build writes
/// it straight into the site: at 100,000 entities it is over 200 MB).
pub fn write_catalog_json(
    checked: &Checked,
    tool_version: &str,
    changelogs: Option<&crate::changelog::Changelogs>,
    scorecards: Option<&crate::scorecards::SiteScorecards>,
    mut out: impl std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        &mut out,
        &CatalogJson {
            checked,
            tool_version,
            changelogs,
            scorecards,
        },
    )?;
    out.write_all(b"\n")
}

impl Serialize for CatalogJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let checked = self.checked;
        let catalog = &checked.catalog;
        // Only the first definition of an identity is the entity; later
        // duplicates are reported (R004) and left out.
        let listed: Vec<EntityId> = (0..catalog.entities.len())
            .filter(|&id| {
                let entity = &catalog.entities[id];
                entity.has_identity() && catalog.index.get(entity.key_ref()) == Some(&id)
            })
            .collect();
        let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
        for &id in &listed {
            *by_kind
                .entry(catalog.entities[id].kind_name.clone())
                .or_default() += 1;
        }
        let summary = Summary::of(&checked.diagnostics);
        let mut map = serializer.serialize_map(Some(5 + usize::from(self.scorecards.is_some())))?;
        map.serialize_entry("formatVersion", &FORMAT_VERSION)?;
        map.serialize_entry(
            "generator",
            &json!({ "name": "portolan", "version": self.tool_version }),
        )?;
        map.serialize_entry(
            "summary",
            &json!({
                "entities": listed.len(),
                "byKind": by_kind,
                "errors": summary.errors,
                "warnings": summary.warnings,
            }),
        )?;
        map.serialize_entry(
            "entities",
            &Entities {
                checked,
                listed: &listed,
                changelogs: self.changelogs,
                scorecards: self.scorecards,
            },
        )?;
        if let Some(scorecards) = self.scorecards {
            map.serialize_entry("scorecards", &scorecards.summary_json())?;
        }
        map.serialize_entry("diagnostics", &Diagnostics(checked))?;
        map.end()
    }
}

struct Entities<'a> {
    checked: &'a Checked,
    listed: &'a [EntityId],
    changelogs: Option<&'a crate::changelog::Changelogs>,
    scorecards: Option<&'a crate::scorecards::SiteScorecards>,
}

impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let checked = self.checked;
        let all_relations = checked.catalog.all_relations();
        let diagnostics = DiagnosticIndex::of(&checked.diagnostics);
        let mut seq = serializer.serialize_seq(Some(self.listed.len()))?;
        for &id in self.listed {
            seq.serialize_element(&entity_json(
                checked,
                id,
                &all_relations[id],
                &diagnostics,
                self.changelogs,
                self.scorecards.and_then(|s| s.entity_json(id)),
            ))?;
        }
        seq.end()
    }
}

struct Diagnostics<'a>(&'a Checked);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let checked = self.0;
        let mut seq = serializer.serialize_seq(Some(checked.diagnostics.len()))?;
        for d in &checked.diagnostics {
            seq.serialize_element(&diagnostic_json(checked, d))?;
        }
        seq.end()
    }
}

/// One entity of `entities`.
fn entity_json(
    checked: &Checked,
    id: EntityId,
    relations: &[portolan_catalog::Relation],
    diagnostics: &DiagnosticIndex<'_>,
    changelogs: Option<&crate::changelog::Changelogs>,
    scorecards: Option<(Value, Value)>,
) -> Value {
    let catalog = &checked.catalog;
    let entity = &catalog.entities[id];
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
    let relations: Vec<Value> = relations
        .iter()
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
        let mut api = api_summary(checked, id);
        let changelog = changelogs.and_then(|logs| logs.get(&entity.entity_ref().to_string()));
        if let (Some(api), Some(log)) = (api.as_object_mut(), changelog)
            && api.contains_key("bundle")
        {
            let url = crate::pages::entity_url(catalog, id);
            api.insert(
                "changes".into(),
                json!(crate::changelog::ChangelogPaths::of(&url).json),
            );
            api.insert(
                "latestBreakingChange".into(),
                match log.latest_breaking() {
                    Some(entry) => json!({
                        "date": portolan_core::history::format_timestamp(entry.time),
                        "commit": entry.commit,
                    }),
                    None => Value::Null,
                },
            );
        }
        out.insert("api".into(), api);
    }
    if let Some(operability) = crate::operability::of_entity(checked, catalog, id) {
        out.insert(
            "operability".into(),
            serde_json::to_value(operability).unwrap_or(Value::Null),
        );
    }
    if let Some((facts, levels)) = scorecards {
        out.insert("facts".into(), facts);
        out.insert("scorecards".into(), levels);
    }
    out.insert(
        "diagnostics".into(),
        Value::Array(
            diagnostics
                .of_entity(checked, id)
                .into_iter()
                .map(|d| diagnostic_json(checked, d))
                .collect(),
        ),
    );
    Value::Object(out)
}
