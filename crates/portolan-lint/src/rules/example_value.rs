//! L033 `example-value-or-external-value`: an Example Object has `value`
//! or `externalValue`, not both (OpenAPI 3; Spectral's
//! `oas3-examples-value-or-externalValue`).

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut sites: Vec<(String, &Value)> = Vec::new();
    if let Some(examples) = ctx
        .root("components")
        .and_then(|c| c.get("examples"))
        .and_then(Value::as_object)
    {
        for (name, example) in examples {
            sites.push((child("/components/examples", name), example));
        }
    }
    for owner in &ctx.example_owners {
        if let Some(examples) = owner.fields.get("examples").and_then(Value::as_object) {
            let at = child(&owner.pointer, "examples");
            for (name, example) in examples {
                sites.push((child(&at, name), example));
            }
        }
    }
    sites.sort_by(|a, b| a.0.cmp(&b.0));
    sites.dedup_by(|a, b| a.0 == b.0);
    for (pointer, example) in sites {
        let Some(fields) = example.as_object() else {
            continue;
        };
        if fields.contains_key("$ref") {
            continue;
        }
        if fields.contains_key("value") && fields.contains_key("externalValue") {
            out.push(
                Finding::new(
                    &codes::LINT_EXAMPLE_VALUE,
                    pointer,
                    "the example has both `value` and `externalValue`; they are mutually exclusive",
                )
                .with_help("keep `value` for an inline example, or `externalValue` for a URL"),
            );
        }
    }
}
