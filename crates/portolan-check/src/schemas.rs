//! The JSON Schemas of `catalog-schema/`, embedded in the binary and
//! compiled once; schema errors mapped to the line:col of the failing node.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Validator};
use portolan_catalog::Entity;
use portolan_core::{Diagnostic, codes};

pub const ENVELOPE_SCHEMA: &str = include_str!("../../../catalog-schema/envelope.schema.json");

/// (kind as Backstage spells it, schema text).
pub const KIND_SCHEMAS: &[(&str, &str)] = &[
    (
        "API",
        include_str!("../../../catalog-schema/kinds/api.schema.json"),
    ),
    (
        "Component",
        include_str!("../../../catalog-schema/kinds/component.schema.json"),
    ),
    (
        "Domain",
        include_str!("../../../catalog-schema/kinds/domain.schema.json"),
    ),
    (
        "Group",
        include_str!("../../../catalog-schema/kinds/group.schema.json"),
    ),
    (
        "Location",
        include_str!("../../../catalog-schema/kinds/location.schema.json"),
    ),
    (
        "Resource",
        include_str!("../../../catalog-schema/kinds/resource.schema.json"),
    ),
    (
        "System",
        include_str!("../../../catalog-schema/kinds/system.schema.json"),
    ),
    (
        "User",
        include_str!("../../../catalog-schema/kinds/user.schema.json"),
    ),
];

/// apiVersions Backstage's kind validators accept for the core kinds.
pub const CORE_API_VERSIONS: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

struct Compiled {
    envelope: Validator,
    kinds: Vec<(&'static str, Validator)>,
}

fn compile(text: &str, name: &str) -> Validator {
    let schema: serde_json::Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("embedded schema {name} is not JSON: {e}"));
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&schema)
        .unwrap_or_else(|e| panic!("embedded schema {name} does not compile: {e}"))
}

fn compiled() -> &'static Compiled {
    // The embedded schemas are tested to compile; a failure here is a bug in
    // the build, not in the user's input.
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled {
        envelope: compile(ENVELOPE_SCHEMA, "envelope"),
        kinds: KIND_SCHEMAS
            .iter()
            .map(|(kind, text)| (*kind, compile(text, kind)))
            .collect(),
    })
}

/// `/spec/links/0/url` → `spec.links[0].url`.
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in portolan_core::yaml::pointer_tokens(pointer) {
        if token.bytes().all(|b| b.is_ascii_digit()) && !token.is_empty() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    if out.is_empty() {
        "the entity".to_string()
    } else {
        out
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Validate `instance` (the entity or a part of it) with `validator`;
/// `code` names the findings. Shared with user policies.
pub fn schema_diagnostics(
    validator: &Validator,
    entity: &Entity,
    instance: &serde_json::Value,
    make: &dyn Fn(String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let pointer = error.instance_path().as_str().to_string();
        let path = pointer_to_path(&pointer);
        let actual = instance.pointer(&pointer);
        let (message, pointer, label) = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let property = property.as_str().unwrap_or_default().to_string();
                let full = if pointer.is_empty() {
                    property.clone()
                } else {
                    format!("{path}.{property}")
                };
                (
                    format!("`{full}` is required"),
                    pointer,
                    format!("`{property}` is missing here"),
                )
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let first = unexpected.first().cloned().unwrap_or_default();
                let field_pointer = format!(
                    "{pointer}/{}",
                    portolan_core::yaml::escape_pointer_token(&first)
                );
                let where_ = if pointer.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `{path}`")
                };
                (
                    format!("unknown field `{first}` {where_}"),
                    field_pointer,
                    "not allowed here".to_string(),
                )
            }
            ValidationErrorKind::Type { kind } => {
                let expected = format!("{kind:?}")
                    .to_lowercase()
                    .replace("single(", "")
                    .replace(')', "");
                let found = actual.map(json_type).unwrap_or("nothing");
                (
                    format!("`{path}` must be {}, found {found}", article(&expected)),
                    pointer,
                    format!("this is {}", article(found)),
                )
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.to_string())
                    .collect();
                (
                    format!("`{path}` must be one of {}", options.join(", ")),
                    pointer,
                    "not an allowed value".to_string(),
                )
            }
            ValidationErrorKind::Constant { expected_value } => (
                format!("`{path}` must be {expected_value}"),
                pointer,
                "unexpected value".to_string(),
            ),
            ValidationErrorKind::MinLength { limit } if *limit == 1 => (
                format!("`{path}` must not be empty"),
                pointer,
                "empty".to_string(),
            ),
            _ => (
                format!("`{path}`: {error}"),
                pointer,
                "fails here".to_string(),
            ),
        };
        let span = entity.node.locate(&pointer);
        out.push(make(message).at(&entity.file, span).with_label(label));
    }
    out
}

fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

/// The kind's own schema (which includes the envelope) when Backstage's
/// kind validators would claim the entity — exact kind and apiVersion — and
/// the envelope alone otherwise (catalog-schema/FORMAT-RULES.md §5).
pub fn validate_entity(entity: &Entity) -> Vec<Diagnostic> {
    let compiled = compiled();
    let make = |message: String| Diagnostic::new(&codes::SCHEMA, message);
    let kind_validator = CORE_API_VERSIONS
        .contains(&entity.api_version.as_str())
        .then(|| {
            compiled
                .kinds
                .iter()
                .find(|(kind, _)| *kind == entity.kind_name)
        })
        .flatten()
        .map(|(_, validator)| validator);
    let validator = kind_validator.unwrap_or(&compiled.envelope);
    let mut out = schema_diagnostics(validator, entity, &entity.to_json(), &make);
    // Unknown root fields are the format rule's finding (E009).
    out.retain(|d| {
        !d.message.starts_with("unknown field") || !d.message.ends_with("at the top level")
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_compile() {
        let compiled = compiled();
        assert_eq!(compiled.kinds.len(), 8);
    }

    #[test]
    fn pointers_read_as_paths() {
        assert_eq!(pointer_to_path("/spec/links/0/url"), "spec.links[0].url");
        assert_eq!(
            pointer_to_path("/metadata/annotations/a~1b"),
            "metadata.annotations.a/b"
        );
        assert_eq!(pointer_to_path(""), "the entity");
    }
}
