//! Renderers for diagnostics: `human` (code frames), `concise`, `json`,
//! `sarif` and `github`. The code-frame library is confined to this file.

use std::borrow::Cow;
use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::json;

use crate::codes;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::files::{FileSet, SourceFile};
use crate::printable;
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

/// Line:col of spans, for one rendering. Diagnostics come sorted by file
/// and position, so each start is counted from the previous one when it is
/// further along the same line: counting from the line's start every time
/// made a minified spec (one line of megabytes) with thousands of findings
/// quadratic.
struct Positions<'a> {
    files: &'a FileSet,
    /// Per file, the last start converted: byte offset (on a character
    /// boundary) and its line:col. Per file, because findings alternate
    /// between files (a change's head place, then its base place).
    last: std::cell::RefCell<std::collections::HashMap<&'a str, (usize, LineCol)>>,
}

impl<'a> Positions<'a> {
    fn new(files: &'a FileSet) -> Self {
        Positions {
            files,
            last: Default::default(),
        }
    }

    fn get(&self, file: Option<&str>, span: Option<Span>) -> Option<Position> {
        let file = self.files.get(file?)?;
        let span = span?;
        let start = self.line_col(file, span.start);
        let end = line_col_from(
            file,
            (floor_boundary(&file.text, span.start), start),
            span.end,
        )
        .unwrap_or_else(|| file.line_col(span.end));
        Some(Position { start, end })
    }

    fn line_col(&self, file: &'a SourceFile, offset: u32) -> LineCol {
        let path = file.path.as_str();
        let cached = self
            .last
            .borrow()
            .get(path)
            .and_then(|&known| line_col_from(file, known, offset));
        let pos = cached.unwrap_or_else(|| file.line_col(offset));
        self.last
            .borrow_mut()
            .insert(path, (floor_boundary(&file.text, offset), pos));
        pos
    }
}

/// The largest character boundary at or before `offset` (clamped to the text).
fn floor_boundary(text: &str, offset: u32) -> usize {
    let mut at = (offset as usize).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Line:col of `offset` counted from a known position `(at, pos)` on the
/// same line, forwards or backwards (so the cost is the distance between
/// them, not from the line's start); `None` when `offset` is on another
/// line.
fn line_col_from(file: &SourceFile, (at, pos): (usize, LineCol), offset: u32) -> Option<LineCol> {
    let target = floor_boundary(&file.text, offset);
    if file.lines.line_of(offset) + 1 != pos.line as usize {
        return None;
    }
    let column = if target >= at {
        pos.column + file.text[at..target].chars().count() as u32
    } else {
        pos.column
            .checked_sub(file.text[target..at].chars().count() as u32)?
    };
    Some(LineCol {
        line: pos.line,
        column,
    })
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

/// A frame longer than this (a minified JSON spec is one line of
/// megabytes) shows only the part around the span: the frame renderer
/// lays out every character it is given, once per finding.
const MAX_FRAME_BYTES: usize = 2048;

/// Bytes of context kept on each side of the span in a cut frame, and the
/// most of the span itself that is shown.
const CUT_CONTEXT: usize = 160;
const CUT_SPAN: usize = 1024;

/// The lines a code frame shows, with control characters replaced by
/// one-column stand-ins (so the underline still lines up) and the span
/// moved to match.
struct FrameSource<'a> {
    path: Cow<'a, str>,
    /// Line:col of the span's start when the window was cut (the frame
    /// renderer would count from the cut).
    cut_at: Option<LineCol>,
    first_line: usize,
    window: Cow<'a, str>,
    start: usize,
    end: usize,
}

/// Just the lines `span` covers (the whole file is never handed to the
/// frame renderer: specs run to megabytes), cut around the span when they
/// are long.
fn frame_source<'a>(
    file: &'a SourceFile,
    span: Span,
    positions: &Positions<'a>,
) -> FrameSource<'a> {
    let first = file.lines.line_of(span.start);
    let last = file
        .lines
        .line_of(span.end.max(span.start))
        .min(first + MAX_FRAME_LINES - 1);
    let window_start = file.lines.line_range(&file.text, first).start;
    let window_end = file.lines.line_range(&file.text, last).end;
    let window = &file.text[window_start..window_end];
    // A span can start on the line's terminator (`\r\n`, a final `\r`),
    // which the window leaves out: it is shown at the line's end.
    let span_start = (span.start as usize).clamp(window_start, window_end);
    let mut start = span_start - window_start;
    let mut end = (span.end as usize).clamp(span_start, window_end) - window_start;
    // Spans are byte ranges; never cut a character in two.
    while start > 0 && !window.is_char_boundary(start) {
        start -= 1;
    }
    while end < window.len() && !window.is_char_boundary(end) {
        end += 1;
    }
    let mut cut_at = None;
    let mut shown = Cow::Borrowed(window);
    if window.len() > MAX_FRAME_BYTES {
        cut_at = Some(positions.line_col(file, span.start));
        let end_shown = end.min(start + CUT_SPAN);
        let from = floor_boundary(window, start.saturating_sub(CUT_CONTEXT) as u32);
        let to = ceil_boundary(window, end_shown + CUT_CONTEXT);
        let prefix = if from > 0 { "..." } else { "" };
        let suffix = if to < window.len() { "..." } else { "" };
        shown = Cow::Owned(format!("{prefix}{}{suffix}", &window[from..to]));
        let shift = |at: usize| at - from + prefix.len();
        start = shift(start);
        end = shift(ceil_boundary(window, end_shown));
    }
    let (window, start, end) = match shown {
        Cow::Borrowed(window) => visible_window(window, start, end),
        Cow::Owned(cut) => {
            let (visible, start, end) = visible_window(&cut, start, end);
            (Cow::Owned(visible.into_owned()), start, end)
        }
    };
    FrameSource {
        path: printable::escape(&file.path),
        cut_at,
        first_line: first + 1,
        window,
        start,
        end,
    }
}

/// The smallest character boundary at or after `offset` (clamped).
fn ceil_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// `window` with every unsafe character replaced by its stand-in, and the
/// byte offsets `start..end` carried over to the new text. A CR that ends a
/// line (CRLF files) is kept: the frame renderer treats `\r\n` as one break.
fn visible_window(window: &str, start: usize, end: usize) -> (Cow<'_, str>, usize, usize) {
    let needs_change = window
        .char_indices()
        .any(|(i, c)| stand_in(window, i, c).is_some());
    if !needs_change {
        return (Cow::Borrowed(window), start, end);
    }
    let mut out = String::with_capacity(window.len() + 16);
    let (mut new_start, mut new_end) = (None, None);
    for (i, c) in window.char_indices() {
        if i >= start && new_start.is_none() {
            new_start = Some(out.len());
        }
        if i >= end && new_end.is_none() {
            new_end = Some(out.len());
        }
        out.push(stand_in(window, i, c).unwrap_or(c));
    }
    let new_start = new_start.unwrap_or(out.len());
    let new_end = new_end.unwrap_or(out.len()).max(new_start);
    (Cow::Owned(out), new_start, new_end)
}

fn stand_in(window: &str, at: usize, c: char) -> Option<char> {
    if c == '\r' && window[at + 1..].starts_with('\n') {
        return None;
    }
    printable::frame_stand_in(c)
}

fn frame<'a>(
    source: &'a FrameSource<'a>,
    label: Option<&'a str>,
    primary: bool,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let kind = if primary {
        AnnotationKind::Primary
    } else {
        AnnotationKind::Context
    };
    let mut annotation = kind.span(source.start..source.end);
    if let Some(label) = label {
        annotation = annotation.label(label);
    }
    let snippet = Snippet::source(source.window.as_ref())
        .line_start(source.first_line)
        .annotation(annotation);
    match source.cut_at {
        // The origin line says where the span is; the snippet's own would
        // count from the cut.
        Some(_) => snippet,
        None => snippet.path(source.path.as_ref()),
    }
}

/// A cut frame's snippet has no path (its own `path:line:col` would count
/// from the cut); the frame renderer then marks it with an empty `:::`
/// line under the real origin line, which this drops.
fn drop_empty_origin_lines(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    for line in rendered.split_inclusive('\n') {
        if strip_styles(line).trim() != ":::" {
            out.push_str(line);
        }
    }
    out
}

/// `line` without the SGR escape sequences (`ESC [ ... m`) the styled
/// renderer adds.
fn strip_styles(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `--> path:line:col` line of a cut frame.
fn cut_origin<'a>(source: &'a FrameSource<'a>) -> Option<annotate_snippets::Origin<'a>> {
    let at = source.cut_at?;
    Some(
        annotate_snippets::Origin::path(source.path.as_ref())
            .line(at.line as usize)
            .char_column(at.column as usize),
    )
}

/// Every piece of one diagnostic's text, escaped, so the groups handed to
/// the frame renderer can borrow from it.
struct HumanText<'a> {
    code: Cow<'a, str>,
    message: Cow<'a, str>,
    file: Option<Cow<'a, str>>,
    frame: Option<FrameSource<'a>>,
    label: Option<Cow<'a, str>>,
    help: Option<Cow<'a, str>>,
    related: Vec<(Cow<'a, str>, Cow<'a, str>, Option<FrameSource<'a>>)>,
}

impl<'a> HumanText<'a> {
    fn of(d: &'a Diagnostic, files: &'a FileSet, positions: &Positions<'a>) -> Self {
        let file = d.file.as_deref().and_then(|f| files.get(f));
        HumanText {
            code: printable::escape(&d.code),
            message: printable::escape(&d.message),
            file: d.file.as_deref().map(printable::escape),
            frame: file
                .zip(d.span)
                .map(|(file, span)| frame_source(file, span, positions)),
            label: d.label.as_deref().map(printable::escape),
            help: d.help.as_deref().map(printable::escape),
            related: d
                .related
                .iter()
                .map(|r| {
                    (
                        printable::escape(&r.message),
                        printable::escape(&r.file),
                        files
                            .get(&r.file)
                            .map(|file| frame_source(file, r.span, positions)),
                    )
                })
                .collect(),
        }
    }
}

pub fn render_human(diagnostics: &[Diagnostic], files: &FileSet, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let positions = Positions::new(files);
    for d in diagnostics {
        let text = HumanText::of(d, files, &positions);
        let title = level(d.severity)
            .primary_title(text.message.as_ref())
            .id(text.code.as_ref());
        let mut group = match (&text.frame, &text.file) {
            (Some(source), _) => {
                let mut group = Group::with_title(title);
                if let Some(origin) = cut_origin(source) {
                    group = group.element(origin);
                }
                group.element(frame(source, text.label.as_deref(), true))
            }
            (None, Some(path)) => {
                Group::with_title(title).element(annotate_snippets::Origin::path(path.as_ref()))
            }
            (None, None) => Group::with_title(title),
        };
        if let Some(help) = &text.help {
            group = group.element(Level::HELP.message(help.as_ref()));
        }
        let mut report = vec![group];
        for (message, path, source) in &text.related {
            let note = Level::NOTE.secondary_title(message.as_ref());
            report.push(match source {
                Some(source) => {
                    let mut group = Group::with_title(note);
                    if let Some(origin) = cut_origin(source) {
                        group = group.element(origin);
                    }
                    group.element(frame(source, None, false))
                }
                None => {
                    Group::with_title(note).element(annotate_snippets::Origin::path(path.as_ref()))
                }
            });
        }
        let rendered = renderer.render(&report);
        let has_cut = text
            .frame
            .iter()
            .chain(text.related.iter().filter_map(|r| r.2.as_ref()));
        if has_cut.into_iter().any(|f| f.cut_at.is_some()) {
            out.push_str(&drop_empty_origin_lines(&rendered));
        } else {
            out.push_str(&rendered);
        }
        out.push_str("\n\n");
    }
    out
}

pub fn render_concise(diagnostics: &[Diagnostic], files: &FileSet) -> String {
    let mut out = String::new();
    let positions = Positions::new(files);
    for d in diagnostics {
        let location = match (&d.file, positions.get(d.file.as_deref(), d.span)) {
            (Some(file), Some(pos)) => format!(
                "{}:{}:{}: ",
                printable::escape(file),
                pos.start.line,
                pos.start.column
            ),
            (Some(file), None) => format!("{}: ", printable::escape(file)),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "{location}{}[{}] {}",
            d.severity,
            printable::escape(&d.code),
            printable::escape(&d.message)
        );
    }
    out
}

fn diagnostic_json(d: &Diagnostic, positions: &Positions<'_>) -> serde_json::Value {
    let pos = positions.get(d.file.as_deref(), d.span);
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
        "fingerprint": d.fingerprint,
        "related": d.related.iter().map(|r| {
            let pos = positions.get(Some(&r.file), Some(r.span));
            json!({
                "file": r.file,
                "line": pos.as_ref().map(|p| p.start.line),
                "column": pos.as_ref().map(|p| p.start.column),
                "message": r.message,
            })
        }).collect::<Vec<_>>(),
    })
}

/// Each diagnostic as the `json` format writes it (code, severity, message,
/// file, line, column, …), for reports that embed findings in a document
/// of their own (`portolan diff --format json`).
pub fn diagnostics_json(diagnostics: &[Diagnostic], files: &FileSet) -> Vec<serde_json::Value> {
    let positions = Positions::new(files);
    diagnostics
        .iter()
        .map(|d| diagnostic_json(d, &positions))
        .collect()
}

pub fn render_json(diagnostics: &[Diagnostic], files: &FileSet, version: &str) -> String {
    let positions = Positions::new(files);
    let doc = json!({
        "tool": { "name": "portolan", "version": version },
        "summary": Summary::of(diagnostics),
        "diagnostics": diagnostics.iter().map(|d| diagnostic_json(d, &positions)).collect::<Vec<_>>(),
    });
    let mut out =
        printable::escape_json_text(serde_json::to_string_pretty(&doc).unwrap_or_default());
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

fn sarif_location(positions: &Positions<'_>, file: &str, span: Option<Span>) -> serde_json::Value {
    let mut physical = json!({
        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
    });
    if let Some(pos) = positions.get(Some(file), span) {
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
    let positions = Positions::new(files);
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
                // What `--explain` prints, where code-scanning services
                // show a rule's help.
                "help": { "text": format!("{}\n\nportolan check --explain {}", c.explanation, c.code) },
                "helpUri": codes::help_uri(c),
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
                result["locations"] = json!([sarif_location(&positions, file, d.span)]);
            }
            if let Some(fingerprint) = &d.fingerprint {
                result["partialFingerprints"] = json!({ "portolan/v1": fingerprint });
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut loc = sarif_location(&positions, &r.file, Some(r.span));
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
    let mut out =
        printable::escape_json_text(serde_json::to_string_pretty(&doc).unwrap_or_default());
    out.push('\n');
    out
}

/// Workflow-command data escaping, as the Actions runner unescapes it:
/// `%`, CR and LF. The text has been through [`printable::escape`] already,
/// so CR and LF here are only the ones the renderer itself puts in (the
/// line before `help:`).
fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also escape `:` and `,`: a `::` would end the property
/// list early and a `,` would start a new property.
fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…::message`), which show
/// as annotations on the pull request's diff. One line per diagnostic,
/// whatever its text holds.
pub fn render_github(diagnostics: &[Diagnostic], files: &FileSet) -> String {
    let mut out = String::new();
    let positions = Positions::new(files);
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!(
                "file={}",
                escape_github_property(&printable::escape(file))
            ));
            if let Some(pos) = positions.get(Some(file), d.span) {
                props.push(format!("line={}", pos.start.line));
                props.push(format!("col={}", pos.start.column));
                props.push(format!("endLine={}", pos.end.line));
                props.push(format!("endColumn={}", pos.end.column));
            }
        }
        props.push(format!(
            "title={}",
            escape_github_property(&format!("portolan {}", printable::escape(&d.code)))
        ));
        let mut message = printable::escape(&d.message).into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&printable::escape(help));
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const FORGED: &str = "x\n::error file=a.rs,line=1::forged\u{1b}[2J\u{202e}\u{9b}";

    fn one(source: &str, span: Span, message: &str) -> (Vec<Diagnostic>, FileSet) {
        let mut files = FileSet::default();
        files.insert(Arc::new(SourceFile::new("dir/a\u{1b}[31m.yaml", source)));
        let d = Diagnostic::new(&codes::INVALID_NAME, message)
            .at("dir/a\u{1b}[31m.yaml", span)
            .with_label(format!("label {FORGED}"))
            .with_help(format!("help {FORGED}"))
            .with_related("dir/a\u{1b}[31m.yaml", span, format!("related {FORGED}"));
        (vec![d], files)
    }

    #[test]
    fn positions_in_any_order_and_across_files_match_counting_from_the_start() {
        let mut files = FileSet::default();
        let a = "é{\"k\": [1, 2, 3], \"ü\": \"x\"}\nsecond line ä b c";
        let b = "ab\ncdé fg";
        files.insert(Arc::new(SourceFile::new("a", a)));
        files.insert(Arc::new(SourceFile::new("b", b)));
        let positions = Positions::new(&files);
        // Forwards, backwards, alternating files, on one line and across.
        let visits: [(&str, u32); 10] = [
            ("a", 20),
            ("b", 7),
            ("a", 5),
            ("b", 1),
            ("a", 30),
            ("a", 2),
            ("b", 9),
            ("a", 36),
            ("a", 33),
            ("b", 0),
        ];
        for (name, offset) in visits {
            let file = files.get(name).unwrap();
            let expected = file.line_col(offset);
            let got = positions
                .get(
                    Some(name),
                    Some(Span::new(offset as usize, offset as usize)),
                )
                .unwrap()
                .start;
            assert_eq!(
                (got.line, got.column),
                (expected.line, expected.column),
                "{name}:{offset}"
            );
        }
    }

    fn assert_printable(out: &str) {
        assert!(
            !out.chars().any(|c| c != '\n' && printable::is_unsafe(c)),
            "{out:?}"
        );
    }

    #[test]
    fn every_text_format_escapes_user_text() {
        let source = "name: \"x\\n::error\"\n";
        let (diagnostics, files) = one(source, Span::new(6, 18), &format!("`{FORGED}` bad"));
        let options = RenderOptions {
            color: false,
            tool_version: "0",
        };
        for format in [Format::Human, Format::Concise, Format::Github] {
            let out = render(format, &diagnostics, &files, options);
            assert_printable(&out);
            assert!(out.contains(r"\u{1b}[2J"), "{format:?}: {out}");
            assert!(
                !out.lines().skip(1).any(|l| l.starts_with("::")),
                "{format:?}: {out}"
            );
        }
        let concise = render(Format::Concise, &diagnostics, &files, options);
        assert_eq!(
            concise,
            "dir/a\\u{1b}[31m.yaml:1:7: error[E002] `x\\n::error file=a.rs,line=1::forged\\u{1b}[2J\\u{202e}\\u{9b}` bad\n"
        );
        let github = render(Format::Github, &diagnostics, &files, options);
        assert_eq!(github.lines().count(), 1, "{github}");
        assert!(
            github.starts_with(
                "::error file=dir/a\\u{1b}[31m.yaml,line=1,col=7,endLine=1,endColumn=19,title=portolan E002::`x\\n::error"
            ),
            "{github}"
        );
        assert!(github.contains("%0Ahelp: help x\\n::error"), "{github}");
    }

    #[test]
    fn json_and_sarif_keep_values_and_escape_controls() {
        let (diagnostics, files) = one("name: x\n", Span::new(6, 7), FORGED);
        for format in [Format::Json, Format::Sarif] {
            let options = RenderOptions {
                color: false,
                tool_version: "0",
            };
            let out = render(format, &diagnostics, &files, options);
            assert_printable(&out);
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            let message = match format {
                Format::Json => &doc["diagnostics"][0]["message"],
                _ => &doc["runs"][0]["results"][0]["message"]["text"],
            };
            assert!(message.as_str().unwrap().starts_with(FORGED), "{message}");
        }
    }

    /// Found by the `yaml_spans` fuzz target: a span starting on a line's
    /// terminator (the `\r` of `\r\n`, or a lone `\r` at the end) lies
    /// past the line's text, and the frame clamped its end to a range
    /// whose minimum was past its maximum (a panic).
    #[test]
    fn regression_spans_on_a_line_terminator_are_framed() {
        for (source, span) in [
            ("a: b\r", Span::new(5, 5)),
            ("a: b\r", Span::new(4, 5)),
            ("a\r\nb", Span::new(2, 3)),
            ("a\r\n", Span::new(2, 3)),
        ] {
            let (diagnostics, files) = one(source, span, "m");
            let out = render_human(&diagnostics, &files, false);
            assert!(out.contains("error[E002]: m"), "{out}");
        }
    }

    /// A minified spec is one line of megabytes: every frame handed the
    /// whole line to the frame renderer, so thousands of findings on it took
    /// minutes. Long windows are cut around the span; the location line
    /// still gives the real column.
    #[test]
    fn frames_on_long_lines_are_cut_and_keep_the_real_position() {
        let mut source = "é".repeat(100_000);
        let start = source.len();
        source.push_str("bad");
        source.push_str(&"x".repeat(100_000));
        source.push('\n');
        let diagnostics: Vec<Diagnostic> = (0..2)
            .map(|_| {
                Diagnostic::new(&codes::INVALID_NAME, "m").at("a.json", Span::new(start, start + 3))
            })
            .collect();
        let mut files = FileSet::default();
        files.insert(Arc::new(SourceFile::new("a.json", source)));
        let out = render_human(&diagnostics, &files, false);
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert_eq!(out.matches(" --> a.json:1:100001").count(), 2, "{out}");
        assert!(!out.lines().any(|l| l.trim() == ":::"), "{out}");
        let line = out.lines().find(|l| l.contains("bad")).unwrap();
        assert_underlined(&out, line, "bad");
        let concise = render_concise(&diagnostics, &files);
        assert_eq!(concise.matches("a.json:1:100001: error[E002] m").count(), 2);
    }

    /// The `^^^` under `line` of `out` starts at the column of `word`.
    fn assert_underlined(out: &str, line: &str, word: &str) {
        let underline = out
            .lines()
            .skip_while(|l| !l.contains(word))
            .nth(1)
            .unwrap();
        let column = |s: &str, pat: &str| s[..s.find(pat).unwrap()].chars().count();
        assert_eq!(column(underline, "^^^"), column(line, word), "{out}");
    }

    /// The code frame shows the source with control characters as
    /// one-column pictures, and the underline stays under the span.
    #[test]
    fn code_frames_show_controls_and_keep_the_underline_aligned() {
        let source = "a: \"\u{1b}[2J\u{202e}\u{9b}\u{7f}\" bad\r\nb: 1\r\n";
        let start = source.find("bad").unwrap();
        let (diagnostics, files) = one(source, Span::new(start, start + 3), "m");
        let out = render_human(&diagnostics, &files, false);
        assert_printable(&out);
        let line = out.lines().find(|l| l.contains("bad")).unwrap();
        assert!(line.ends_with("a: \"␛[2J\u{fffd}\u{fffd}␡\" bad"), "{out}");
        assert_underlined(&out, line, "bad");
        assert!(!out.contains('␍'), "CRLF line ends are not shown: {out}");
        // A lone CR is.
        let (diagnostics, files) = one("a: x\ry\n", Span::new(0, 1), "m");
        assert!(render_human(&diagnostics, &files, false).contains("a: x␍y"));
    }
}
