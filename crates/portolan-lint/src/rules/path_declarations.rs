//! L031 `path-declarations`: a path template names each parameter: no
//! empty `{}` in a path key (Spectral's `path-declarations-must-exist`).

use portolan_core::codes;

use super::path_keys;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in path_keys(ctx) {
        if path.contains("{}") {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_DECLARATIONS,
                    pointer,
                    format!(
                        "path `{path}` has an empty `{{}}`: a template parameter without a name"
                    ),
                )
                .with_help("name the parameter (`/pets/{petId}`) and declare it with `in: path`"),
            );
        }
    }
}
