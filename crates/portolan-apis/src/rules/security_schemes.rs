//! A010 `undefined-security-scheme`: security requirements name defined
//! schemes.
//!
//! **What it checks.**
//!
//! - OpenAPI 3.x: each name in the root `security` and in each operation's
//!   `security` is a key of `components.securitySchemes`; Swagger 2.0: of
//!   `securityDefinitions`.
//! - AsyncAPI 2: each name in the `security` of servers (root and
//!   component) and of operations is a key of `components.securitySchemes`.
//! - AsyncAPI 3: `security` lists Security Scheme Objects or references
//!   to them (on servers, operations and operation traits, root and
//!   component); each reference resolves.
//!
//! **Why.** "Each name MUST correspond to a security scheme which is
//! declared in the Security Schemes under the Components Object" ([OpenAPI
//! 3.1 §4.8.30][req]; the same in 2.0 and AsyncAPI 2). An undefined name is
//! a misspelling that leaves the operation with a requirement no client can
//! meet, or silently unprotected in generated servers.
//!
//! **Example.**
//!
//! ```yaml
//! security:
//!   - apiKey: []          # A010: the scheme is called `api_key`
//! components:
//!   securitySchemes:
//!     api_key: { type: apiKey, name: X-API-Key, in: header }
//! ```
//!
//! [req]: https://spec.openapis.org/oas/v3.1.0#security-requirement-object

use std::collections::BTreeSet;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, Located, RefError, child_pointer, ref_of};
use super::operations::{asyncapi2_operations, openapi_operations};
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    match format {
        SpecFormat::OpenApi20 | SpecFormat::OpenApi30 | SpecFormat::OpenApi31 => {
            check_openapi(format, doc, out)
        }
        SpecFormat::AsyncApi2 => check_asyncapi2(doc, out),
        SpecFormat::AsyncApi3 => check_asyncapi3(doc, out),
    }
}

fn check_openapi(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    let defined_at = if format == SpecFormat::OpenApi20 {
        "/securityDefinitions"
    } else {
        "/components/securitySchemes"
    };
    let mut holders: Vec<Located<'_>> = doc.at("").into_iter().collect();
    holders.extend(
        openapi_operations(format, doc)
            .into_iter()
            .map(|op| op.location),
    );
    check_named_requirements(doc, defined_at, &holders, out);
}

fn check_asyncapi2(doc: &Document<'_>, out: &mut Vec<Finding>) {
    let mut holders = entries(doc, &["/servers", "/components/servers"]);
    holders.extend(asyncapi2_operations(doc).into_iter().map(|op| op.location));
    check_named_requirements(doc, "/components/securitySchemes", &holders, out);
}

/// Requirements that name schemes: `security: [{name: [scopes]}, ...]` of
/// each holder, checked against the keys of the object at `defined_at`.
fn check_named_requirements(
    doc: &Document<'_>,
    defined_at: &str,
    holders: &[Located<'_>],
    out: &mut Vec<Finding>,
) {
    let defined: BTreeSet<&str> = doc
        .at(defined_at)
        .and_then(|d| d.object())
        .map(|schemes| schemes.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let section = defined_at.trim_start_matches('/').replace('/', ".");
    for holder in holders {
        let Some(security) = holder.member("security") else {
            continue;
        };
        for requirement in security.items() {
            for (name, _) in requirement.members() {
                if defined.contains(name) {
                    continue;
                }
                let mut finding = Finding::new(
                    &codes::UNDEFINED_SECURITY_SCHEME,
                    child_pointer(&requirement.pointer, name),
                    format!(
                        "security requirement names `{name}`, which is not defined in `{section}`"
                    ),
                );
                finding = match closest(name, &defined) {
                    Some(near) => finding.with_help(format!("did you mean `{near}`?")),
                    None => finding.with_help(format!(
                        "define `{name}` under `{section}`, or correct the name"
                    )),
                };
                out.push(finding);
            }
        }
    }
}

fn check_asyncapi3(doc: &Document<'_>, out: &mut Vec<Finding>) {
    let mut holders = entries(
        doc,
        &[
            "/servers",
            "/components/servers",
            "/operations",
            "/components/operations",
            "/components/operationTraits",
        ],
    );
    let traits: Vec<_> = holders
        .iter()
        .filter_map(|h| h.member("traits"))
        .flat_map(|t| {
            t.items()
                .filter_map(|item| doc.deref(item).ok())
                .collect::<Vec<_>>()
        })
        .collect();
    holders.extend(traits);
    let mut seen = BTreeSet::new();
    for holder in holders
        .into_iter()
        .filter(|h| seen.insert(h.pointer.clone()))
    {
        let Some(security) = holder.member("security") else {
            continue;
        };
        for scheme in security.items() {
            let Some(reference) = ref_of(scheme.value) else {
                continue;
            };
            if doc.resolve(reference) == Err(RefError::NotFound) {
                out.push(
                    Finding::new(
                        &codes::UNDEFINED_SECURITY_SCHEME,
                        scheme.pointer,
                        format!("security scheme reference `{reference}` does not resolve"),
                    )
                    .with_help("point it at a scheme under `components.securitySchemes`"),
                );
            }
        }
    }
}

/// The members of the objects at `pointers`, with `$ref`s followed.
fn entries<'a>(doc: &Document<'a>, pointers: &[&str]) -> Vec<Located<'a>> {
    pointers
        .iter()
        .filter_map(|p| doc.at(p))
        .flat_map(|section| {
            section
                .members()
                .filter_map(|(_, entry)| doc.deref(entry).ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The defined name that differs from `name` only in case and `-`/`_`,
/// the usual misspellings.
fn closest<'a>(name: &str, defined: &BTreeSet<&'a str>) -> Option<&'a str> {
    let fold = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    defined.iter().copied().find(|d| fold(d) == fold(name))
}
