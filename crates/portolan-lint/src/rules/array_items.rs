//! L020 `array-items`: array schemas say what their items are.

use portolan_core::codes;

use super::schema_types;
use crate::Finding;
use crate::walk::{Ctx, field};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for schema in &ctx.schemas {
        let f = schema.fields;
        if field(f, "$ref").is_some()
            || field(f, "items").is_some()
            || field(f, "prefixItems").is_some()
        {
            continue;
        }
        if schema_types(f).contains(&"array") {
            out.push(
                Finding::new(
                    &codes::LINT_ARRAY_ITEMS,
                    schema.pointer.clone(),
                    "schema of type `array` has no `items`",
                )
                .with_help("add `items: {...}` describing the elements"),
            );
        }
    }
}
