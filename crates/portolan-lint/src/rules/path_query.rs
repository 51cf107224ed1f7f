//! L015 `path-query-string`: path keys hold no query string or fragment.

use portolan_core::codes;

use super::addresses;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in addresses(ctx) {
        if let Some(at) = path.find(['?', '#']) {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_QUERY,
                    pointer,
                    format!("{} `{path}` holds `{}`", noun(ctx), &path[at..at + 1]),
                )
                .with_help("declare query parameters with `in: query` instead"),
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
