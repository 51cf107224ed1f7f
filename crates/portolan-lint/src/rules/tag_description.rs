//! L009 `tag-description`: every declared tag has a description.

use portolan_core::codes;
use serde_json::Value;

use super::declared_tags;
use crate::Finding;
use crate::walk::{Ctx, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((pointer, tags)) = declared_tags(ctx) else {
        return;
    };
    for (i, tag) in tags.iter().enumerate() {
        let Some(fields) = tag.as_object() else {
            continue;
        };
        if non_empty(fields, "description").is_none() {
            let name = fields.get("name").and_then(Value::as_str).unwrap_or("");
            out.push(
                Finding::new(
                    &codes::LINT_TAG_DESCRIPTION,
                    format!("{pointer}/{i}"),
                    format!("tag `{name}` has no description"),
                )
                .with_help("the portal shows it at the head of the tag's operations"),
            );
        }
    }
}
