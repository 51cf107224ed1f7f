//! Renderers for diagnostics: `human` (code frames), `concise`, `json`,
//! `sarif` and `github`. The code-frame library is confined to this file.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::json;

use crate::codes;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::files::{FileSet, SourceFile};
use crate::span::{LineCol, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    pub color: bool,
    /// Tool version written into SARIF and JSON.
    pub tool_version: &'a str,
}

/// Render `diagnostics` (already sorted) in `format`.
pub fn render(
    format: Format,
    diagnostics: &[Diagnostic],
    files: &FileSet,
    options: RenderOptions<'_>,
) -> String {
    match format {
        Format::Human => render_human(diagnostics, files, options.color),
        Format::Concise => render_concise(diagnostics, files),
        Format::Json => render_json(diagnostics, files, options.tool_version),
        Format::Sarif => render_sarif(diagnostics, files, options.tool_version),
        Format::Github => render_github(diagnostics, files),
    }
}

struct Position {
    start: LineCol,
    end: LineCol,
}

fn position(files: &FileSet, file: Option<&str>, span: Option<Span>) -> Option<Position> {
    let file = files.get(file?)?;
    let (start, end) = file.span_line_cols(span?);
    Some(Position { start, end })
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// At most this many source lines are shown per code frame.
const MAX_FRAME_LINES: usize = 6;

/// A snippet of just the lines `span` covers (the whole file is never handed
/// to the frame renderer: specs run to megabytes).
fn frame<'a>(
    file: &'a SourceFile,
    span: Span,
    label: Option<&'a str>,
    primary: bool,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let first = file.lines.line_of(span.start);
    let last = file
        .lines
        .line_of(span.end.max(span.start))
        .min(first + MAX_FRAME_LINES - 1);
    let window_start = file.lines.line_range(&file.text, first).start;
    let window_end = file.lines.line_range(&file.text, last).end;
    let window = &file.text[window_start..window_end];
    let mut start = span.start as usize - window_start;
    let mut end = (span.end as usize).clamp(span.start as usize, window_end) - window_start;
    // Spans are byte ranges; never cut a character in two.
    while start > 0 && !window.is_char_boundary(start) {
        start -= 1;
    }
    while end < window.len() && !window.is_char_boundary(end) {
        end += 1;
    }
    let kind = if primary {
        AnnotationKind::Primary
    } else {
        AnnotationKind::Context
    };
    let mut annotation = kind.span(start..end);
    if let Some(label) = label {
        annotation = annotation.label(label);
    }
    Snippet::source(window)
        .line_start(first + 1)
        .path(file.path.as_str())
        .annotation(annotation)
}

pub fn render_human(diagnostics: &[Diagnostic], files: &FileSet, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let title = level(d.severity)
            .primary_title(d.message.as_str())
            .id(d.code.as_str());
        let file = d.file.as_deref().and_then(|f| files.get(f));
        let mut group = match (file, d.span) {
            (Some(file), Some(span)) => {
                Group::with_title(title).element(frame(file, span, d.label.as_deref(), true))
            }
            _ => {
                let group = Group::with_title(title);
                match &d.file {
                    Some(path) => group.element(annotate_snippets::Origin::path(path.as_str())),
                    None => group,
                }
            }
        };
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let mut report = vec![group];
        for related in &d.related {
            let note = Level::NOTE.secondary_title(related.message.as_str());
            match files.get(&related.file) {
                Some(file) => report.push(Group::with_title(note).element(frame(
                    file,
                    related.span,
                    None,
                    false,
                ))),
                None => report.push(
                    Group::with_title(note)
                        .element(annotate_snippets::Origin::path(related.file.as_str())),
                ),
            }
        }
        out.push_str(&renderer.render(&report));
        out.push_str("\n\n");
    }
    out
}

pub fn render_concise(diagnostics: &[Diagnostic], files: &FileSet) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let location = match (&d.file, position(files, d.file.as_deref(), d.span)) {
            (Some(file), Some(pos)) => format!("{file}:{}:{}: ", pos.start.line, pos.start.column),
            (Some(file), None) => format!("{file}: "),
            (None, _) => String::new(),
        };
        let _ = writeln!(out, "{location}{}[{}] {}", d.severity, d.code, d.message);
    }
    out
}

fn diagnostic_json(d: &Diagnostic, files: &FileSet) -> serde_json::Value {
    let pos = position(files, d.file.as_deref(), d.span);
    json!({
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "file": d.file,
        "line": pos.as_ref().map(|p| p.start.line),
        "column": pos.as_ref().map(|p| p.start.column),
        "endLine": pos.as_ref().map(|p| p.end.line),
        "endColumn": pos.as_ref().map(|p| p.end.column),
        "label": d.label,
        "help": d.help,
        "related": d.related.iter().map(|r| {
            let pos = position(files, Some(&r.file), Some(r.span));
            json!({
                "file": r.file,
                "line": pos.as_ref().map(|p| p.start.line),
                "column": pos.as_ref().map(|p| p.start.column),
                "message": r.message,
            })
        }).collect::<Vec<_>>(),
    })
}

pub fn render_json(diagnostics: &[Diagnostic], files: &FileSet, version: &str) -> String {
    let doc = json!({
        "tool": { "name": "portolan", "version": version },
        "summary": Summary::of(diagnostics),
        "diagnostics": diagnostics.iter().map(|d| diagnostic_json(d, files)).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_location(files: &FileSet, file: &str, span: Option<Span>) -> serde_json::Value {
    let mut physical = json!({
        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
    });
    if let Some(pos) = position(files, Some(file), span) {
        physical["region"] = json!({
            "startLine": pos.start.line,
            "startColumn": pos.start.column,
            "endLine": pos.end.line,
            "endColumn": pos.end.column,
        });
    }
    json!({ "physicalLocation": physical })
}

/// SARIF 2.1.0, as GitHub code scanning and most CI dashboards read it.
pub fn render_sarif(diagnostics: &[Diagnostic], files: &FileSet, version: &str) -> String {
    // Rules: every built-in code, then any custom (policy) code seen.
    let mut rule_ids: Vec<String> = codes::ALL.iter().map(|c| c.code.to_string()).collect();
    let mut rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": { "text": c.summary },
                "fullDescription": { "text": c.explanation },
                "defaultConfiguration": { "level": sarif_level(c.severity) },
            })
        })
        .collect();
    let mut custom: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| codes::find(&d.code).is_none())
        .collect();
    custom.sort_by(|a, b| a.code.cmp(&b.code));
    custom.dedup_by(|a, b| a.code == b.code);
    for d in custom {
        rule_ids.push(d.code.clone());
        rules.push(json!({
            "id": d.code,
            "shortDescription": { "text": format!("Catalog policy {}", d.code) },
            "defaultConfiguration": { "level": sarif_level(d.severity) },
        }));
    }
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": rule_ids.iter().position(|id| *id == d.code).unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": { "text": text },
            });
            if let Some(file) = &d.file {
                result["locations"] = json!([sarif_location(files, file, d.span)]);
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut loc = sarif_location(files, &r.file, Some(r.span));
                        loc["id"] = json!(i);
                        loc["message"] = json!({ "text": r.message });
                        loc
                    })
                    .collect();
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "portolan",
                "version": version,
                "informationUri": "https://github.com/portolan-dev/portolan",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…::message`), which show
/// as annotations on the pull request's diff.
pub fn render_github(diagnostics: &[Diagnostic], files: &FileSet) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_github_property(file)));
            if let Some(pos) = position(files, Some(file), d.span) {
                props.push(format!("line={}", pos.start.line));
                props.push(format!("col={}", pos.start.column));
                props.push(format!("endLine={}", pos.end.line));
                props.push(format!("endColumn={}", pos.end.column));
            }
        }
        props.push(format!(
            "title={}",
            escape_github_property(&format!("portolan {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_github_data(&message)
        );
    }
    out
}
