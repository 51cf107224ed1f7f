//! Semantic rules that the structural schemas cannot express, run on the
//! bundled document (one JSON value; only internal `#/...` refs remain).
//! Each rule reports [`Finding`]s by JSON pointer into that document; the
//! caller maps pointers back to file:line:col.
//!
//! One rule per module, each with its code in `portolan_core::codes`:
//!
//! | code | module |
//! |------|--------|
//! | A006 | [`operation_ids`] |
//! | A007 | [`path_parameters`] |
//! | A008 | [`equivalent_paths`] |
//! | A009 | [`response_codes`] |
//! | A010 | [`security_schemes`] |
//! | A011 | [`discriminator_mapping`] |
//! | A012 | [`asyncapi_references`] |
//!
//! Rules never report what bundling already reports: a `$ref` into another
//! file or a `$ref` loop is skipped, not flagged again.

pub mod asyncapi_references;
pub mod discriminator_mapping;
mod document;
pub use document::{child_pointer, field};
pub mod equivalent_paths;
pub mod operation_ids;
mod operations;
pub mod path_parameters;
pub mod response_codes;
pub mod security_schemes;

use std::collections::BTreeSet;

use portolan_core::codes::Code;
use serde_json::Value;

use crate::detect::SpecFormat;
use document::Document;

/// One problem found in a bundled document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static Code,
    /// JSON pointer (RFC 6901) of the offending node in the bundled document.
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub(crate) fn new(
        code: &'static Code,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code,
            pointer: pointer.into(),
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A rule: checks one document and adds what it finds.
type Rule = fn(SpecFormat, &Document<'_>, &mut Vec<Finding>);

/// Every rule, in code order. Each decides for itself which formats it
/// applies to.
const RULES: &[Rule] = &[
    operation_ids::check,
    path_parameters::check,
    equivalent_paths::check,
    response_codes::check,
    security_schemes::check,
    discriminator_mapping::check,
    asyncapi_references::check,
];

/// Run every semantic rule that applies to `format`. Findings come in rule
/// order, then document order; a node shared through `$ref`s is reported
/// once, not once per use.
pub fn check_semantics(format: SpecFormat, doc: &Value) -> Vec<Finding> {
    let doc = Document::new(doc);
    let mut findings = Vec::new();
    for rule in RULES {
        rule(format, &doc, &mut findings);
    }
    let mut seen = BTreeSet::new();
    findings.retain(|f| seen.insert((f.code.code, f.pointer.clone(), f.message.clone())));
    findings
}
