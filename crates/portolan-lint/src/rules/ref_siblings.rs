//! L016 `ref-siblings`: no keys beside a `$ref` where they are ignored
//! (OpenAPI 2.0/3.0, AsyncAPI).

use portolan_core::codes;

use crate::Finding;
use crate::walk::{Ctx, child};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for site in &ctx.refs {
        for key in site.object.keys() {
            if key == "$ref" || key.starts_with("x-") {
                continue;
            }
            out.push(
                Finding::new(
                    &codes::LINT_REF_SIBLINGS,
                    child(&site.pointer, key),
                    format!("`{key}` beside `$ref` is ignored: the reference replaces the whole object"),
                )
                .with_help("wrap the reference as `allOf: [{$ref: ...}]` to add keys, or move them to the target"),
            );
        }
    }
}
