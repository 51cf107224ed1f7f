//! A006 `duplicate-operation-id`: every `operationId` is unique.
//!
//! **What it checks.** The `operationId` of every OpenAPI operation (under
//! `paths`, 3.1 `webhooks`, component path items and callbacks) and of every
//! AsyncAPI 2 `publish`/`subscribe` operation is used by no other operation.
//! An operation reached through several `$ref`s is one operation and counts
//! once. AsyncAPI 3 names operations by their key in `operations`, which
//! cannot repeat, so it has nothing to check.
//!
//! **Why.** The specifications require it ("The id MUST be unique among all
//! operations described in the API", [OpenAPI 3.1 §4.8.10.1][oas], and the
//! same in 2.0, 3.0 and AsyncAPI 2): code generators name functions after
//! it and links address operations by it, so with a duplicate one of the
//! two operations cannot be reached.
//!
//! **Example.**
//!
//! ```yaml
//! paths:
//!   /pets:
//!     get: { operationId: listPets, responses: { '200': { description: ok } } }
//!   /pets/mine:
//!     get: { operationId: listPets, responses: { '200': { description: ok } } }  # A006
//! ```
//!
//! The second `operationId` is reported: first is by key order of the
//! bundled document, then by method in the specification's order.
//!
//! [oas]: https://spec.openapis.org/oas/v3.1.0#fixed-fields-7

use std::collections::BTreeMap;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, child_pointer};
use super::operations::{asyncapi2_operations, openapi_operations};
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    let operations = match format {
        SpecFormat::AsyncApi3 => return,
        SpecFormat::AsyncApi2 => asyncapi2_operations(doc),
        _ => openapi_operations(format, doc),
    };
    let mut first_use: BTreeMap<&str, &str> = BTreeMap::new();
    for operation in &operations {
        let Some(id) = operation.fields.get("operationId").and_then(|v| v.as_str()) else {
            continue;
        };
        match first_use.get(id) {
            None => {
                first_use.insert(id, &operation.label);
            }
            Some(first) => out.push(
                Finding::new(
                    &codes::DUPLICATE_OPERATION_ID,
                    child_pointer(&operation.location.pointer, "operationId"),
                    format!(
                        "operationId `{id}` of {} is already used by {first}",
                        operation.label
                    ),
                )
                .with_help("give each operation its own operationId"),
            ),
        }
    }
}
