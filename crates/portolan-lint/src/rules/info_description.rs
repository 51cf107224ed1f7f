//! L002 `info-description`: `info` has a description that is not blank.

use portolan_core::codes;

use super::info;
use crate::Finding;
use crate::walk::{Ctx, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(info) = info(ctx) else { return };
    if non_empty(info, "description").is_none() {
        let pointer = if info.contains_key("description") {
            "/info/description"
        } else {
            "/info"
        };
        out.push(
            Finding::new(
                &codes::LINT_INFO_DESCRIPTION,
                pointer,
                "`info` has no description",
            )
            .with_help("say what the API is for, who may use it and how to authenticate"),
        );
    }
}
