//! L003 `info-license`: `info` names a license.

use portolan_core::codes;

use super::info;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(info) = info(ctx) else { return };
    if !info.get("license").is_some_and(|c| c.is_object()) {
        out.push(
            Finding::new(
                &codes::LINT_INFO_LICENSE,
                "/info",
                "`info` has no `license`",
            )
            .with_help("add `license: {name: ...}` to say under which terms the API may be used"),
        );
    }
}
