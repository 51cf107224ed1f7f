//! L015 `path-query-string`: path keys hold no query string or fragment.

use portolan_core::codes;

use super::path_keys;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in path_keys(ctx) {
        if let Some(at) = path.find(['?', '#']) {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_QUERY,
                    pointer,
                    format!("path `{path}` holds `{}`", &path[at..at + 1]),
                )
                .with_help("declare query parameters with `in: query` instead"),
            );
        }
    }
}
