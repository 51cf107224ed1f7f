//! L027 `operation-security-defined`: every operation is secured, by its
//! own `security` or the document's.

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::Ctx;

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let global = ctx
        .root("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    for op in &ctx.operations {
        // An operation's own `security`, even `[]` or `[{}]`, is a choice
        // made for it.
        if global || op.fields.contains_key("security") {
            continue;
        }
        out.push(
            Finding::new(
                &codes::LINT_OPERATION_SECURITY,
                op.pointer.clone(),
                format!("{} has no security requirement, and the document sets none", op.label),
            )
            .with_help("add `security` to the operation or the document; write `security: []` to make a public operation explicit"),
        );
    }
}
