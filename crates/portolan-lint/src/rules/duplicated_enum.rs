//! L018 `duplicated-enum-entry`: `enum` values are unique.

use std::collections::HashSet;

use portolan_core::codes;
use serde_json::Value;

use super::typed_enum::short;
use crate::Finding;
use crate::walk::{Ctx, child, field};

/// A value's identity as JSON Schema compares it: numbers by value
/// (`1` = `1.0`), the rest by their JSON text.
fn identity(value: &Value) -> String {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("n{}", f as i64),
            Some(f) => format!("n{f}"),
            None => format!("n{n}"),
        },
        other => other.to_string(),
    }
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for schema in &ctx.schemas {
        let Some(values) = field(schema.fields, "enum").and_then(Value::as_array) else {
            continue;
        };
        let mut seen = HashSet::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            if !seen.insert(identity(value)) {
                out.push(
                    Finding::new(
                        &codes::LINT_DUPLICATED_ENUM,
                        format!("{}/{i}", child(&schema.pointer, "enum")),
                        format!("enum value {} is listed twice", short(value)),
                    )
                    .with_help("remove the second one"),
                );
            }
        }
    }
}
