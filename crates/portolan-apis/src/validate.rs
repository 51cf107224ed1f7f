//! Validation of a bundled definition: the structure of its specification
//! version (our schemas in `api-schema/`, embedded and compiled once), then
//! the semantic rules; every finding mapped back to the file and line each
//! part was written in.

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use portolan_core::schema_error::describe_errors;
use portolan_core::{Diagnostic, codes};

use std::collections::BTreeMap;

use crate::bundle::{Bundled, MisplacedRef};
use crate::detect::SpecFormat;
use crate::load::SpecSet;
use crate::lookup::SpecLookup;
use crate::rules;

/// (format, schema text).
const STRUCTURE_SCHEMAS: &[(SpecFormat, &str)] = &[
    (
        SpecFormat::OpenApi20,
        include_str!("../../../api-schema/openapi-2.0.schema.json"),
    ),
    (
        SpecFormat::OpenApi30,
        include_str!("../../../api-schema/openapi-3.0.schema.json"),
    ),
    (
        SpecFormat::OpenApi31,
        include_str!("../../../api-schema/openapi-3.1.schema.json"),
    ),
    (
        SpecFormat::AsyncApi2,
        include_str!("../../../api-schema/asyncapi-2.schema.json"),
    ),
    (
        SpecFormat::AsyncApi3,
        include_str!("../../../api-schema/asyncapi-3.schema.json"),
    ),
];

/// Most structure findings reported for one definition: past this, a
/// document is usually of another kind altogether, and a wall of errors
/// helps nobody.
const MAX_STRUCTURE_FINDINGS: usize = 100;

fn validator(format: SpecFormat) -> Option<&'static Validator> {
    static COMPILED: OnceLock<Vec<(SpecFormat, Validator)>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        STRUCTURE_SCHEMAS
            .iter()
            .map(|(format, text)| {
                // Embedded and tested to compile; failing here is a build bug.
                let schema: serde_json::Value =
                    serde_json::from_str(text).expect("embedded API schema is JSON");
                let validator = jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .build(&schema)
                    .expect("embedded API schema compiles");
                (*format, validator)
            })
            .collect()
    });
    compiled.iter().find(|(f, _)| *f == format).map(|(_, v)| v)
}

pub fn validate(set: &SpecSet, bundled: &Bundled) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // One finding per kind of place, at the first occurrence, with a count.
    let mut by_position: BTreeMap<&str, Vec<&MisplacedRef>> = BTreeMap::new();
    for misplaced in &bundled.misplaced_refs {
        by_position
            .entry(misplaced.position.as_str())
            .or_default()
            .push(misplaced);
    }
    let mut groups: Vec<(&str, Vec<&MisplacedRef>)> = by_position.into_iter().collect();
    for (_, places) in groups.iter_mut() {
        places.sort_by_key(|m| (&m.file, m.span.start));
    }
    groups.sort_by_key(|(_, places)| (&places[0].file, places[0].span.start));
    for (position, places) in groups {
        let first = places[0];
        let more = match places.len() {
            1 => String::new(),
            n => format!(" ({} places like this one)", n),
        };
        out.push(
            Diagnostic::new(&codes::REF_NOT_ALLOWED, format!("{} allows no `$ref` in {}{more}", set.format, position))
                .at(&first.file, first.span)
                .with_help("portolan copies the target in, as many tools do; move the content here to make the definition valid for every tool"),
        );
    }
    // Shared by every finding: a mapping is indexed once, however many
    // findings point into it.
    let lookup = SpecLookup::new(set);
    let mut semantic = Vec::new();
    for finding in rules::check_semantics(set.format, &bundled.doc) {
        let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
        let mut d = Diagnostic::new(finding.code, finding.message).at(file, span);
        if let Some(help) = finding.help {
            d = d.with_help(help);
        }
        semantic.push(d);
    }
    if let Some(validator) = validator(set.format) {
        let findings = describe_errors(validator, &bundled.doc);
        let total = findings.len();
        for finding in findings.into_iter().take(MAX_STRUCTURE_FINDINGS) {
            let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
            // A semantic rule that marked the same node says it better.
            if semantic
                .iter()
                .any(|d| d.file.as_deref() == Some(file.as_str()) && d.span == Some(span))
            {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &codes::API_STRUCTURE,
                    format!("{} ({})", finding.message, set.format),
                )
                .at(file, span)
                .with_label(finding.label),
            );
        }
        if total > MAX_STRUCTURE_FINDINGS {
            out.push(
                Diagnostic::new(
                    &codes::API_STRUCTURE,
                    format!(
                        "{} more structure findings in this definition are not shown",
                        total - MAX_STRUCTURE_FINDINGS
                    ),
                )
                .in_file(&set.root_file),
            );
        }
    }
    out.extend(semantic);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_compile() {
        for (format, _) in STRUCTURE_SCHEMAS {
            assert!(validator(*format).is_some());
        }
    }
}
