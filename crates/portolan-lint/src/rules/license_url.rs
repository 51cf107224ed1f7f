//! L036 `license-url`: `info.license` says where its text is.

use portolan_core::codes;
use serde_json::Value;

use super::info;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(info) = info(ctx) else { return };
    let Some(license) = info.get("license").and_then(Value::as_object) else {
        return;
    };
    // 3.1 may name an SPDX `identifier` instead.
    let located = ["url", "identifier"].iter().any(|key| {
        license
            .get(*key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    });
    if !located {
        out.push(
            Finding::new(
                &codes::LINT_LICENSE_URL,
                "/info/license",
                "`info.license` has no `url`",
            )
            .with_help("add `url:` (or, in OpenAPI 3.1, an SPDX `identifier:`) so readers can read the terms"),
        );
    }
}
