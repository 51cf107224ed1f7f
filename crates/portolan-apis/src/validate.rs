//! Validation of a bundled definition: the semantic rules, with findings
//! mapped back to the file and line each part was written in.

use portolan_core::Diagnostic;

use crate::bundle::Bundled;
use crate::load::SpecSet;
use crate::rules;

pub fn validate(set: &SpecSet, bundled: &Bundled) -> Vec<Diagnostic> {
    rules::check_semantics(set.format, &bundled.doc)
        .into_iter()
        .map(|finding| {
            let (file, span) = bundled.locate(set, &finding.pointer);
            let mut d = Diagnostic::new(finding.code, finding.message).at(file, span);
            if let Some(help) = finding.help {
                d = d.with_help(help);
            }
            d
        })
        .collect()
}
