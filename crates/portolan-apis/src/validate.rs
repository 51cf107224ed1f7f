//! Validation of a bundled definition: the structure of its specification
//! version (our schemas in `api-schema/`, embedded and compiled once), then
//! the semantic rules; every finding mapped back to the file and line each
//! part was written in.

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use portolan_core::schema_error::{SchemaFinding, describe_errors_in};
use portolan_core::yaml::pointer_tokens;
use portolan_core::{Diagnostic, Span, codes};

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
    // The semantic rules and the schema validation only read the bundled
    // document: on a large definition they run side by side.
    let (semantic_findings, findings) = rayon::join(
        || rules::check_semantics(set.format, &bundled.doc),
        || {
            validator(set.format)
                .map(|validator| describe_errors_in(validator, &bundled.doc, "the document"))
        },
    );
    // Shared by every finding: a mapping is indexed once, however many
    // findings point into it.
    let lookup = SpecLookup::new(set);
    let mut semantic = Vec::new();
    for finding in semantic_findings {
        let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
        let mut d = Diagnostic::new(finding.code, finding.message).at(file, span);
        if let Some(help) = finding.help {
            d = d.with_help(help);
        }
        semantic.push(d);
    }
    if let Some(findings) = findings {
        // Bindings apart: a protocol binding breaking its binding schema is
        // a warning of its own, and never takes the place of a finding
        // about the document itself (not in the cap, not in deduplication).
        let mut core = Vec::new();
        let mut bindings = Vec::new();
        for finding in findings {
            match binding_finding(set.format, &finding) {
                Some(binding) => bindings.push(binding),
                None => core.push(finding),
            }
        }
        let marked: Vec<(String, Span)> = semantic
            .iter()
            .filter_map(|d| Some((d.file.clone()?, d.span?)))
            .collect();
        let total = core.len();
        for finding in core.into_iter().take(MAX_STRUCTURE_FINDINGS) {
            let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
            // A semantic rule that marked the same node says it better.
            if marked.iter().any(|(f, s)| *f == file && *s == span) {
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
        let total = bindings.len();
        for (place, finding) in bindings.into_iter().take(MAX_STRUCTURE_FINDINGS) {
            let (file, span) = bundled.locate_in(&lookup, &finding.pointer);
            if marked.iter().any(|(f, s)| *f == file && *s == span) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &codes::BINDING_STRUCTURE,
                    format!(
                        "{} ({} {} binding, {})",
                        finding.message, place.protocol, place.owner, set.format
                    ),
                )
                .at(file, span)
                .with_label(finding.label),
            );
        }
        if total > MAX_STRUCTURE_FINDINGS {
            out.push(
                Diagnostic::new(
                    &codes::BINDING_STRUCTURE,
                    format!(
                        "{} more binding findings in this definition are not shown",
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

/// A protocol binding, as a finding names it.
#[derive(Debug, PartialEq, Eq)]
struct BindingPlace {
    /// The binding's protocol (`kafka`), as its key is written.
    protocol: String,
    /// What it binds: `server`, `channel`, `operation` or `message`.
    owner: &'static str,
}

/// The finding to report when `finding` is about a protocol binding: the
/// finding itself when its node lies inside a binding, or, for a value
/// matching none of the forms allowed, the closest form's first error when
/// every error of that form lies inside a binding (a binding breaking its
/// schema inside a message that may also be a Reference Object).
fn binding_finding(
    format: SpecFormat,
    finding: &SchemaFinding,
) -> Option<(BindingPlace, SchemaFinding)> {
    if !format.is_asyncapi() {
        return None;
    }
    if let Some(place) = binding_place(&finding.pointer) {
        return Some((place, finding.clone()));
    }
    let first = finding.within.first()?;
    let place = binding_place(&first.pointer)?;
    if finding
        .within
        .iter()
        .all(|f| binding_place(&f.pointer).is_some())
    {
        return Some((place, first.clone()));
    }
    None
}

/// Where `pointer` (into an AsyncAPI document) lies inside a protocol
/// binding: strictly under a `bindings` object of a server, channel,
/// operation or message (or one of their traits), or under a reusable
/// bindings object (`components.operationBindings.<name>`). An error at
/// the `bindings` key itself (`bindings: 5`) is about the document's own
/// structure, and a property called `bindings` in a schema is no binding.
fn binding_place(pointer: &str) -> Option<BindingPlace> {
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    let mut owner = "server";
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        // Maps of user-chosen names: the token after them is a name, and
        // says nothing about the structure.
        let names_follow = match token {
            "servers" => {
                owner = "server";
                true
            }
            "channels" => {
                owner = "channel";
                true
            }
            "operations" | "operationTraits" => {
                owner = "operation";
                true
            }
            "messages" | "messageTraits" => {
                owner = "message";
                true
            }
            // AsyncAPI 2.x operations, and a channel's message.
            "publish" | "subscribe" => {
                owner = "operation";
                false
            }
            "message" => {
                owner = "message";
                false
            }
            "serverBindings" | "channelBindings" | "operationBindings" | "messageBindings"
                if i == 1 && tokens[0] == "components" =>
            {
                let protocol = tokens.get(i + 2)?;
                return Some(BindingPlace {
                    protocol: protocol.clone(),
                    owner: match token {
                        "serverBindings" => "server",
                        "channelBindings" => "channel",
                        "operationBindings" => "operation",
                        _ => "message",
                    },
                });
            }
            "bindings" => {
                let protocol = tokens.get(i + 1)?;
                return Some(BindingPlace {
                    protocol: protocol.clone(),
                    owner,
                });
            }
            // Schemas (and their properties, which may be called anything)
            // hold no bindings.
            "payload" | "headers" | "schema" | "schemas" | "parameters" => return None,
            // Other reusable sections are maps of names too.
            _ if i == 1 && tokens[0] == "components" => true,
            _ => false,
        };
        i += if names_follow { 2 } else { 1 };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(pointer: &str) -> Option<(String, &'static str)> {
        binding_place(pointer).map(|p| (p.protocol, p.owner))
    }

    #[test]
    fn binding_places() {
        let kafka = |owner| Some(("kafka".to_string(), owner));
        assert_eq!(
            place("/channels/a~1b/subscribe/bindings/kafka/clientId"),
            kafka("operation")
        );
        assert_eq!(place("/channels/a/bindings/kafka/topic"), kafka("channel"));
        assert_eq!(
            place("/channels/a/publish/message/bindings/kafka/key"),
            kafka("message")
        );
        assert_eq!(place("/servers/prod/bindings/kafka"), kafka("server"));
        assert_eq!(
            place("/operations/send/bindings/kafka/groupId"),
            kafka("operation")
        );
        assert_eq!(
            place("/components/operationTraits/kafka/bindings/kafka/clientId"),
            kafka("operation")
        );
        assert_eq!(
            place("/components/messageBindings/common/kafka/key"),
            kafka("message")
        );
        // A channel called `message`, an operation called `bindings`.
        assert_eq!(
            place("/channels/message/bindings/kafka/x"),
            kafka("channel")
        );
        assert_eq!(place("/operations/bindings/action"), None);
        // The `bindings` key itself, and schema properties called so.
        assert_eq!(place("/channels/a/bindings"), None);
        assert_eq!(
            place("/components/schemas/S/properties/bindings/kafka"),
            None
        );
        assert_eq!(
            place("/channels/a/subscribe/message/payload/properties/bindings/x"),
            None
        );
        assert_eq!(place("/info/version"), None);
    }

    fn finding(pointer: &str, within: Vec<SchemaFinding>) -> SchemaFinding {
        SchemaFinding {
            pointer: pointer.into(),
            message: format!("at {pointer}"),
            label: String::new(),
            within,
        }
    }

    /// A value matching none of its forms is a binding finding when the
    /// closest form fails only inside bindings, reported at the binding.
    #[test]
    fn forms_failing_only_in_bindings_are_binding_findings() {
        let inside = finding("/channels/a/publish/message/bindings/kafka/key", vec![]);
        let outside = finding("/channels/a/publish/message/name", vec![]);
        let wrapped = finding("/channels/a/publish/message", vec![inside.clone()]);
        let (place, reported) = binding_finding(SpecFormat::AsyncApi2, &wrapped).unwrap();
        assert_eq!((place.protocol.as_str(), place.owner), ("kafka", "message"));
        assert_eq!(reported, inside);
        let mixed = finding("/channels/a/publish/message", vec![inside, outside]);
        assert!(binding_finding(SpecFormat::AsyncApi2, &mixed).is_none());
        let openapi = finding("/paths/~1a/get/bindings/kafka/x", vec![]);
        assert!(binding_finding(SpecFormat::OpenApi31, &openapi).is_none());
    }

    #[test]
    fn embedded_schemas_compile() {
        for (format, _) in STRUCTURE_SCHEMAS {
            assert!(validator(*format).is_some());
        }
    }
}
