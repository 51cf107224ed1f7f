//! L017 `typed-enum`: `enum` values are of the schema's type.

use portolan_core::codes;
use serde_json::Value;

use super::{is_of_type, schema_types, type_name};
use crate::Finding;
use crate::walk::{Ctx, child, field};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for schema in &ctx.schemas {
        let Some(values) = field(schema.fields, "enum").and_then(Value::as_array) else {
            continue;
        };
        let types = schema_types(schema.fields);
        if types.is_empty() {
            continue;
        }
        for (i, value) in values.iter().enumerate() {
            if !types.iter().any(|t| is_of_type(value, t)) {
                out.push(
                    Finding::new(
                        &codes::LINT_TYPED_ENUM,
                        format!("{}/{i}", child(&schema.pointer, "enum")),
                        format!(
                            "enum value {} is {} {}, not of the schema's type `{}`",
                            short(value),
                            article(type_name(value)),
                            type_name(value),
                            types.join("`, `")
                        ),
                    )
                    .with_help("change the value or the `type`"),
                );
            }
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A value as JSON, cut short for a message.
pub(crate) fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
