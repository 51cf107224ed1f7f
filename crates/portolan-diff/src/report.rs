//! The two reports made for a whole catalog comparison rather than per
//! finding: a JSON document grouped by API (with consumers and owners), and
//! markdown for a pull-request comment (a summary table, then the changes
//! of each API).

use std::fmt::Write;

use portolan_core::files::FileSet;
use portolan_core::render::diagnostics_json;
use portolan_core::{Diagnostic, Severity, printable};
use serde_json::json;

use crate::catalog::{ApiDiff, ApiStatus, Finding, owner_words, short};

/// One API's comparison and its findings after `portolan.toml`'s rules.
pub struct ApiFindings<'a> {
    pub api: &'a ApiDiff,
    pub findings: Vec<Finding>,
}

impl ApiFindings<'_> {
    /// (breaking, warning, info).
    pub fn counts(&self) -> (usize, usize, usize) {
        count(self.findings.iter().map(|f| &f.diagnostic))
    }
}

fn count<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for d in diagnostics {
        match d.severity {
            Severity::Error => counts.0 += 1,
            Severity::Warning => counts.1 += 1,
            Severity::Info => counts.2 += 1,
        }
    }
    counts
}

/// What was compared with what, in words: `origin/main`, `the working tree`.
pub struct Sides<'a> {
    pub base: &'a str,
    pub head: &'a str,
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "breaking",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The JSON report: every API compared, its status, owner, consumers and
/// changes (each as `--format json` writes a finding, plus its level and
/// the operations it affects), and totals.
pub fn json(apis: &[ApiFindings<'_>], files: &FileSet, sides: &Sides<'_>, version: &str) -> String {
    let mut totals = (0, 0, 0);
    let entries: Vec<serde_json::Value> = apis
        .iter()
        .map(|a| {
            let (b, w, i) = a.counts();
            totals = (totals.0 + b, totals.1 + w, totals.2 + i);
            let diagnostics: Vec<Diagnostic> =
                a.findings.iter().map(|f| f.diagnostic.clone()).collect();
            let changes: Vec<serde_json::Value> = diagnostics_json(&diagnostics, files)
                .into_iter()
                .zip(&a.findings)
                .map(|(mut value, finding)| {
                    value["level"] = json!(level_name(finding.diagnostic.severity));
                    value["operations"] = json!(finding.operations);
                    value["basePointer"] = json!(finding.pointers.0);
                    value["headPointer"] = json!(finding.pointers.1);
                    value
                })
                .collect();
            json!({
                "entity": a.api.entity.to_string(),
                "status": a.api.status.as_str(),
                "owner": a.api.owner.as_ref().map(ToString::to_string),
                "consumers": a.api.consumers.iter().map(|c| json!({
                    "entity": c.entity.to_string(),
                    "owner": c.owner.as_ref().map(ToString::to_string),
                })).collect::<Vec<_>>(),
                "definitionChanged": !a.api.unchanged_definition,
                "summary": { "breaking": b, "warning": w, "info": i },
                "changes": changes,
            })
        })
        .collect();
    let doc = json!({
        "tool": { "name": "portolan", "version": version },
        "base": sides.base,
        "head": sides.head,
        "summary": {
            "apis": apis.len(),
            "apisWithChanges": apis.iter().filter(|a| !a.findings.is_empty()).count(),
            "breaking": totals.0,
            "warning": totals.1,
            "info": totals.2,
        },
        "apis": entries,
    });
    let mut out =
        printable::escape_json_text(serde_json::to_string_pretty(&doc).unwrap_or_default());
    out.push('\n');
    out
}

/// GitHub keeps a comment to 65,536 characters; the details stop before.
const MARKDOWN_BUDGET: usize = 60_000;

/// Markdown for a pull-request comment: a headline, a table of the APIs
/// with changes (owner, counts, consumers), then each API's changes, worst
/// first. Everything taken from the repository is escaped: it renders as
/// text, never as markup, links, HTML or @-mentions.
pub fn markdown(apis: &[ApiFindings<'_>], files: &FileSet, sides: &Sides<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## portolan diff: {} → {}\n",
        text(sides.base),
        text(sides.head)
    );
    let changed: Vec<&ApiFindings<'_>> = apis.iter().filter(|a| !a.findings.is_empty()).collect();
    let totals = count(
        changed
            .iter()
            .flat_map(|a| a.findings.iter().map(|f| &f.diagnostic)),
    );
    if changed.is_empty() {
        let _ = writeln!(
            out,
            "No contract changes in the {} API{} compared.",
            apis.len(),
            if apis.len() == 1 { "" } else { "s" }
        );
        return out;
    }
    let headline = if totals.0 > 0 {
        format!(
            "**{} breaking change{}**",
            totals.0,
            if totals.0 == 1 { "" } else { "s" }
        )
    } else {
        "No breaking changes".to_string()
    };
    let _ = writeln!(
        out,
        "{headline}, {} warning{} and {} info in {} of the {} APIs compared.\n",
        totals.1,
        if totals.1 == 1 { "" } else { "s" },
        totals.2,
        changed.len(),
        apis.len()
    );
    out.push_str("| API | Owner | Breaking | Warning | Info | Consumers |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | --- |\n");
    for a in &changed {
        let (b, w, i) = a.counts();
        let consumers: Vec<String> = a
            .api
            .consumers
            .iter()
            .map(|c| code(&short(&c.entity)))
            .collect();
        let _ = writeln!(
            out,
            "| {}{} | {} | {b} | {w} | {i} | {} |",
            code(&a.api.entity.to_string()),
            match a.api.status {
                ApiStatus::Added => " (added)",
                ApiStatus::Removed => " (removed)",
                ApiStatus::Compared => "",
            },
            a.api
                .owner
                .as_ref()
                .map_or("—".to_string(), |o| text(&owner_words(o))),
            if consumers.is_empty() {
                "—".to_string()
            } else {
                consumers.join(", ")
            }
        );
    }
    let mut omitted = 0usize;
    for a in &changed {
        if out.len() > MARKDOWN_BUDGET {
            omitted += a.findings.len();
            continue;
        }
        let _ = writeln!(out, "\n### {}\n", code(&a.api.entity.to_string()));
        if !a.api.consumers.is_empty() {
            let consumers: Vec<String> = a
                .api
                .consumers
                .iter()
                .map(|c| match &c.owner {
                    Some(owner) => format!(
                        "{} ({})",
                        code(&short(&c.entity)),
                        text(&owner_words(owner))
                    ),
                    None => code(&short(&c.entity)),
                })
                .collect();
            let _ = writeln!(out, "Consumed by {}.\n", consumers.join(", "));
        }
        out.push_str("| Level | Code | Change | Where |\n| --- | --- | --- | --- |\n");
        let mut findings: Vec<&Finding> = a.findings.iter().collect();
        // Worst first; otherwise in report order.
        findings.sort_by_key(|f| std::cmp::Reverse(f.diagnostic.severity));
        for (shown, finding) in findings.iter().enumerate() {
            if out.len() > MARKDOWN_BUDGET {
                omitted += findings.len() - shown;
                break;
            }
            let d = &finding.diagnostic;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                match d.severity {
                    Severity::Error => "🔴 **breaking**",
                    Severity::Warning => "🟠 warning",
                    Severity::Info => "🔵 info",
                },
                text(&d.code),
                message(&d.message),
                place(d, files)
            );
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "\n{omitted} more change{} not shown here (a comment has a size limit): see the job's log or `--format json`.",
            if omitted == 1 { "" } else { "s" }
        );
    }
    out
}

fn place(d: &Diagnostic, files: &FileSet) -> String {
    let Some(file) = &d.file else {
        return "—".to_string();
    };
    let position = d
        .span
        .zip(files.get(file))
        .map(|(span, f)| f.line_col(span.start));
    match position {
        Some(p) => code(&format!("{file}:{}:{}", p.line, p.column)),
        None => code(file),
    }
}

/// Text from the repository, as markdown that renders it literally:
/// control characters shown escaped, HTML and markdown punctuation
/// escaped, and `@` kept from starting a mention.
fn text(raw: &str) -> String {
    let raw = printable::escape(raw);
    let mut out = String::with_capacity(raw.len() + 8);
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A zero-width space after `@` keeps GitHub from reading a
            // mention (`@org/team` in a description would notify them).
            '@' => out.push_str("@\u{200b}"),
            // What could start markup, a link or an autolink (`https:`,
            // `www.`); the rest of ASCII punctuation reads as itself.
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '|' | '~' | ':' | '.' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `raw` literally (in a table: `|` escaped, which GFM
/// requires even inside code spans).
fn code(raw: &str) -> String {
    let raw = printable::escape(raw).replace('|', "\\|");
    // A fence longer than any run of backticks inside.
    let longest = raw.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if raw.starts_with('`') || raw.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{raw}{pad}{fence}")
}

/// A message whose `backticked` parts (names from the definition) become
/// code spans and the rest text.
fn message(raw: &str) -> String {
    let parts: Vec<&str> = raw.split('`').collect();
    let closed = parts.len() % 2 == 1;
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if i % 2 == 1 && (closed || !last) {
            out.push_str(&code(part));
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&text(part));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_text_renders_literally() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<script>"), "&lt;script&gt;");
        assert_eq!(text("[x](javascript:y)"), "\\[x\\]\\(javascript\\:y\\)");
        assert_eq!(text("@acme/owners"), "@\u{200b}acme/owners");
        assert!(!text("line\nbreak").contains('\n'));
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn messages_keep_their_names_as_code() {
        assert_eq!(
            message("property `Payment.charges` removed (GET /p)"),
            "property `Payment.charges` removed \\(GET /p\\)"
        );
        // An unpaired backtick stays text.
        assert_eq!(message("a `b"), "a \\`b");
    }
}
