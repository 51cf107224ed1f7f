//! L014 `path-trailing-slash`: path keys do not end with `/`.

use portolan_core::codes;

use super::addresses;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in addresses(ctx) {
        if path.len() > 1 && path.ends_with('/') {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_TRAILING_SLASH,
                    pointer,
                    format!("{} `{path}` ends with `/`", noun(ctx)),
                )
                .with_help("remove the trailing `/`"),
            );
        }
    }
}

/// What the format calls an address.
fn noun(ctx: &Ctx<'_>) -> &'static str {
    if ctx.format.is_asyncapi() {
        "channel address"
    } else {
        "path"
    }
}
