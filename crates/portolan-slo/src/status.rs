//! `slo-status.json`: what CI measured, dropped beside SLO files. Read as
//! it is and shown with its timestamp; portolan never queries a
//! monitoring system.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use portolan_catalog::Catalog;
use portolan_core::files::SourceFile;
use portolan_core::source::Source;
use portolan_core::{Diagnostic, Span, codes};
use serde_json::Value;

use crate::{Limits, STATUS_FILE, SloCatalog, Status};

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

pub fn attach(source: &dyn Source, catalog: &Catalog, limits: Limits, out: &mut SloCatalog) {
    let listed: HashSet<&str> = catalog.all_files.iter().map(String::as_str).collect();
    let dirs: BTreeSet<String> = out
        .slos
        .iter()
        .map(|s| dir_of(&s.file).to_string())
        .collect();
    for dir in dirs {
        let path = if dir.is_empty() {
            STATUS_FILE.to_string()
        } else {
            format!("{dir}/{STATUS_FILE}")
        };
        if !listed.contains(path.as_str()) {
            continue;
        }
        let report = |message: String, span: Span| {
            Diagnostic::new(&codes::SLO_STATUS, message).at(&path, span)
        };
        let text = match source
            .read(&path, limits.max_file_size)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8".to_string()))
        {
            Ok(text) => text,
            Err(err) => {
                out.diagnostics
                    .push(report(format!("cannot read {path}: {err}"), Span::at(0)));
                continue;
            }
        };
        let file = Arc::new(SourceFile::new(path.clone(), text));
        let value: Value = match serde_json::from_str(&file.text) {
            Ok(value) => value,
            Err(err) => {
                let offset = file.lines.offset_of(
                    &file.text,
                    err.line().saturating_sub(1),
                    err.column().saturating_sub(1),
                );
                out.diagnostics.push(report(
                    format!("{path} is not JSON: {err}"),
                    Span::at(offset),
                ));
                out.files.push(file);
                continue;
            }
        };
        let shape = "expected {\"timestamp\": \"...\", \"slos\": {\"<slo name>\": {\"current\": 99.95, \"remainingBudget\": 62.5}}}";
        let (Some(timestamp), Some(entries)) = (
            value.get("timestamp").and_then(Value::as_str),
            value.get("slos").and_then(Value::as_object),
        ) else {
            out.diagnostics.push(report(
                format!("{path} is not a status file: {shape}"),
                Span::at(0),
            ));
            out.files.push(file);
            continue;
        };
        // Where a name is written (its key), for findings about it.
        let key_span = |name: &str| {
            let quoted = serde_json::to_string(name).unwrap_or_default();
            let after = file.text.find("\"slos\"").unwrap_or(0);
            Span::at(file.text[after..].find(&quoted).map_or(0, |i| after + i))
        };
        for (name, entry) in entries {
            let field = |key: &str| entry.get(key).and_then(Value::as_f64);
            if !entry.is_object()
                || ["objective", "current", "remainingBudget"]
                    .iter()
                    .any(|k| entry.get(*k).is_some_and(|v| !v.is_number()))
            {
                out.diagnostics.push(report(
                    format!("the status of `{name}` is not an object of numbers: {shape}"),
                    key_span(name),
                ));
                continue;
            }
            let status = Status {
                timestamp: timestamp.to_string(),
                objective: field("objective"),
                current: field("current"),
                remaining_budget: field("remainingBudget"),
            };
            let mut found = false;
            for slo in out
                .slos
                .iter_mut()
                .filter(|s| dir_of(&s.file) == dir && s.name == *name)
            {
                slo.status = Some(status.clone());
                found = true;
            }
            if !found {
                out.diagnostics.push(report(
                    format!(
                        "{path} gives the status of `{name}`, which no SLO file beside it defines"
                    ),
                    key_span(name),
                ));
            }
        }
        out.files.push(file);
    }
}
