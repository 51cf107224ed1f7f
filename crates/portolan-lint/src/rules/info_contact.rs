//! L001 `info-contact`: `info` names a contact (see the code's
//! explanation in `portolan_core::codes`).

use portolan_core::codes;

use super::info;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(info) = info(ctx) else { return };
    if !info.get("contact").is_some_and(|c| c.is_object()) {
        out.push(
            Finding::new(
                &codes::LINT_INFO_CONTACT,
                "/info",
                "`info` has no `contact`",
            )
            .with_help("add `contact: {name: ..., email: ...}` so readers know whom to ask"),
        );
    }
}
