//! One classified contract change, located in both revisions, and its
//! conversion into the [`Diagnostic`] model every renderer reads.

use std::fmt;

use portolan_core::codes::Code;
use portolan_core::{Diagnostic, Severity, Span};

/// How a change affects existing clients.
///
/// A level is the severity of the change's code ([`Code::severity`]):
/// `Breaking` is reported as [`Severity::Error`], so `--fail-on`, SARIF
/// levels and the GitHub annotations treat a breaking change as the error it
/// is for a pull request, and a per-code override in `portolan.toml` moves a
/// change between levels like any other finding. The enum only names the
/// levels in the words a changelog uses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// For the changelog; no client notices.
    Info,
    /// Some clients may notice; a person should look.
    Warning,
    /// Existing clients fail.
    Breaking,
}

impl Level {
    pub fn from_severity(severity: Severity) -> Level {
        match severity {
            Severity::Info => Level::Info,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Breaking,
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Level::Info => Severity::Info,
            Level::Warning => Severity::Warning,
            Level::Breaking => Severity::Error,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a change is, in one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// JSON pointer into that revision's bundled document. For something
    /// that exists only in the other revision, the place it would be in
    /// (the parent: the `properties` of the schema, the operation, `/paths`).
    pub pointer: String,
    /// The file the node is written in (catalog-relative; a `$ref`'d file
    /// when the node came from one).
    pub file: String,
    /// The node's key (or item) in that file; line:col at render time.
    pub span: Span,
}

/// A change between the base and the head revision of one API definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The registered code (`C036`): its name, summary and explanation are
    /// `--explain`'s.
    pub code: &'static Code,
    pub level: Level,
    /// "required response property `Payment.charges` removed (GET
    /// /payments/{id}, 200)".
    pub message: String,
    /// Every operation the change affects (`GET /payments/{id}`), sorted; a
    /// change in a schema shared by several operations is reported once and
    /// lists them all, up to 100 (past that, the message says "at least").
    /// Empty for document-wide changes (servers).
    pub operations: Vec<String>,
    pub base: Place,
    /// The primary location: where the annotation goes.
    pub head: Place,
    /// Stable across edits that move lines: a hash of the code and both
    /// pointers (path template variables erased). 16 hex digits.
    pub fingerprint: String,
}

impl Change {
    pub fn is_breaking(&self) -> bool {
        self.level == Level::Breaking
    }

    /// The change as a diagnostic at its head location, with its base
    /// location as the related one. `base_file` names a base-revision file
    /// as the renderers should know it: base and head files often share a
    /// path with different text, so the caller gives the base side distinct
    /// names (`origin/main:payments.yaml`) and registers the base files
    /// under them (see [`crate::Revision::files_named`]).
    pub fn to_diagnostic(&self, base_file: &dyn Fn(&str) -> String) -> Diagnostic {
        Diagnostic::new(self.code, self.message.clone())
            .at(self.head.file.clone(), self.head.span)
            .with_related(
                base_file(&self.base.file),
                self.base.span,
                "in the base revision",
            )
    }
}

/// FNV-1a, 64 bits: small, stable across platforms and releases (unlike
/// `std`'s hasher, whose algorithm may change), which is what a fingerprint
/// stored by code-scanning services needs.
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A pointer with its path template variables erased
/// (`/paths/~1pets~1{petId}/get` → `/paths/~1pets~1{}/get`), for
/// fingerprints that survive renaming a variable.
pub(crate) fn stable_pointer(pointer: &str) -> String {
    crate::json::erase_template_variables(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_separate_parts() {
        // The value is part of the contract with code-scanning services:
        // it must not change between releases.
        assert_eq!(fingerprint(&["C001", "/a"]), fingerprint(&["C001", "/a"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
    }

    #[test]
    fn levels_map_to_severities_both_ways() {
        for level in [Level::Info, Level::Warning, Level::Breaking] {
            assert_eq!(Level::from_severity(level.severity()), level);
        }
    }
}
