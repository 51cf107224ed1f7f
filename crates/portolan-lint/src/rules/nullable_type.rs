//! L042 `nullable-type`: an OpenAPI 3.0 schema that says `nullable: true`
//! also says its `type`.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child, field};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for schema in &ctx.schemas {
        let f = schema.fields;
        if field(f, "nullable") == Some(&Value::Bool(true)) && field(f, "type").is_none() {
            out.push(
                Finding::new(
                    &codes::LINT_NULLABLE_TYPE,
                    child(&schema.pointer, "nullable"),
                    "`nullable: true` without a `type` allows nothing more",
                )
                .with_help("add the `type` that may also be null (OpenAPI 3.0.3: `nullable` only adds null to an explicit `type`)"),
            );
        }
    }
}
