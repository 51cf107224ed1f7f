//! L026 `path-http-verbs`: no path segment is an HTTP verb.

use portolan_core::codes;

use super::path_keys;
use crate::Finding;
use crate::walk::Ctx;

const VERBS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in path_keys(ctx) {
        let verb = path
            .split('/')
            .find(|s| VERBS.iter().any(|v| v.eq_ignore_ascii_case(s)));
        if let Some(verb) = verb {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_VERBS,
                    pointer,
                    format!("path `{path}` holds the HTTP verb `{verb}`"),
                )
                .with_help(
                    "name the resource in the path and let the method say what to do with it",
                ),
            );
        }
    }
}
