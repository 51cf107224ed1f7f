//! The one diagnostic model every stage reports problems in users' files with.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; never fails a run.
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains the primary one ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: String,
    pub span: Span,
    pub message: String,
}

/// A problem found in a user's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code: a built-in one from [`crate::codes`] or a user policy's.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the catalog root, `/`-separated; `None` for findings
    /// about the catalog as a whole.
    pub file: Option<String>,
    pub span: Option<Span>,
    /// Label under the highlighted source.
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// A hash that identifies the finding across edits that move lines
    /// (`portolan diff` gives every change one), for code-scanning services
    /// that track findings from run to run (SARIF `partialFingerprints`).
    pub fingerprint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: &crate::codes::Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.code.to_string(),
            severity: code.severity,
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
            related: Vec::new(),
            fingerprint: None,
        }
    }

    /// A diagnostic with a code that is not in the built-in registry (user
    /// policies).
    pub fn custom(code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            file: None,
            span: None,
            label: None,
            help: None,
            related: Vec::new(),
            fingerprint: None,
        }
    }

    pub fn at(mut self, file: impl Into<String>, span: Span) -> Self {
        self.file = Some(file.into());
        self.span = Some(span);
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    pub fn with_related(
        mut self,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            file: file.into(),
            span,
            message: message.into(),
        });
        self
    }

    /// The order diagnostics are reported in: by file, position, code, message.
    pub fn report_order(&self, other: &Self) -> Ordering {
        (
            &self.file,
            self.span.map(|s| s.start),
            &self.code,
            &self.message,
        )
            .cmp(&(
                &other.file,
                other.span.map(|s| s.start),
                &other.code,
                &other.message,
            ))
    }
}

/// Sort for deterministic output and drop exact duplicates (two workers can
/// find the same problem, e.g. a broken file named twice). Findings alike
/// in place and words (one aliased YAML node reached by two pointers) are
/// ordered by fingerprint, so the order they were found in never shows.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        a.report_order(b)
            .then_with(|| a.severity.cmp(&b.severity))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    diagnostics.dedup();
}

/// Counts per severity, for summaries and exit codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut summary = Summary::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_alike_but_for_their_fingerprint_sort_the_same_from_any_order() {
        let at = |fingerprint: &str| {
            Diagnostic::new(&crate::codes::LINT_ARRAY_ITEMS, "no items")
                .at("api.yaml", crate::span::Span { start: 4, end: 9 })
                .with_fingerprint(fingerprint)
        };
        let mut one = vec![at("L020 api.yaml#/b"), at("L020 api.yaml#/a")];
        let mut other = vec![at("L020 api.yaml#/a"), at("L020 api.yaml#/b")];
        sort_diagnostics(&mut one);
        sort_diagnostics(&mut other);
        assert_eq!(one, other);
        assert_eq!(one[0].fingerprint.as_deref(), Some("L020 api.yaml#/a"));
        // Exact duplicates still go.
        let mut twice = vec![
            at("L020 api.yaml#/a"),
            at("L020 api.yaml#/b"),
            at("L020 api.yaml#/a"),
        ];
        sort_diagnostics(&mut twice);
        assert_eq!(twice.len(), 2);
    }
}
