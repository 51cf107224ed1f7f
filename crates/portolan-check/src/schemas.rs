//! The JSON Schemas of `catalog-schema/`, embedded in the binary and
//! compiled once; schema errors mapped to the line:col of the failing node.

use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use portolan_catalog::Entity;
use portolan_core::schema_error::describe_errors;
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

/// Validate `instance` (the entity or a part of it) with `validator`;
/// `make` builds each finding's diagnostic. Shared with user policies.
pub fn schema_diagnostics(
    validator: &Validator,
    entity: &Entity,
    instance: &serde_json::Value,
    make: &dyn Fn(String) -> Diagnostic,
) -> Vec<Diagnostic> {
    describe_errors(validator, instance)
        .into_iter()
        .map(|f| {
            make(f.message)
                .at(&entity.file, entity.node.locate(&f.pointer))
                .with_label(f.label)
        })
        .collect()
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
}
