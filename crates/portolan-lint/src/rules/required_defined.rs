//! L043 `required-properties-defined`: every name a schema lists under
//! `required` is one of its `properties`.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child, field};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for schema in &ctx.schemas {
        let f = schema.fields;
        let (Some(required), Some(properties)) = (
            field(f, "required").and_then(Value::as_array),
            field(f, "properties").and_then(Value::as_object),
        ) else {
            continue;
        };
        // Another part may define the name: a composition, pattern or
        // additional properties, or — inside an `allOf` — a sibling branch.
        let open = [
            "allOf",
            "anyOf",
            "oneOf",
            "patternProperties",
            "$ref",
            "dependentSchemas",
            "if",
        ]
        .iter()
        .any(|k| f.contains_key(*k))
            || field(f, "additionalProperties").is_some_and(|a| a != &Value::Bool(false))
            || schema.pointer.contains("/allOf/");
        if open {
            continue;
        }
        let list_pointer = child(&schema.pointer, "required");
        for (i, name) in required.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if !properties.contains_key(name) {
                out.push(
                    Finding::new(
                        &codes::LINT_REQUIRED_DEFINED,
                        child(&list_pointer, &i.to_string()),
                        format!("required property `{name}` is not among the schema's `properties`"),
                    )
                    .with_help(format!("define `{name}` under `properties`, or drop it from `required` (a typo is the usual cause)")),
                );
            }
        }
    }
}
