//! L014 `path-trailing-slash`: path keys do not end with `/`.

use portolan_core::codes;

use super::path_keys;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in path_keys(ctx) {
        if path.len() > 1 && path.ends_with('/') {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_TRAILING_SLASH,
                    pointer,
                    format!("path `{path}` ends with `/`"),
                )
                .with_help("remove the trailing `/`"),
            );
        }
    }
}
