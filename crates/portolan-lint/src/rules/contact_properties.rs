//! L037 `contact-properties`: `info.contact` has a name, a URL and an
//! email address.

use portolan_core::codes;
use serde_json::Value;

use super::info;
use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(info) = info(ctx) else { return };
    let Some(contact) = info.get("contact").and_then(Value::as_object) else {
        return;
    };
    let missing: Vec<&str> = ["name", "url", "email"]
        .into_iter()
        .filter(|key| {
            contact
                .get(*key)
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
        })
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Finding::new(
                &codes::LINT_CONTACT_PROPERTIES,
                "/info/contact",
                format!("`info.contact` has no {list}"),
            )
            .with_help("give the contact a `name`, a `url` and an `email` address"),
        );
    }
}
