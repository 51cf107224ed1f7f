//! A008 `equivalent-paths`: no two paths differ only in template names.
//!
//! **What it checks.** Two members of `paths` whose templates are the same
//! once every `{...}` is blanked out: `/orders/{id}` and
//! `/orders/{orderId}`. The second, by key order of the bundled document,
//! is reported. Concrete and templated paths may overlap (`/orders/mine`
//! next to `/orders/{id}`): the specification says the concrete one wins.
//! OpenAPI 3.x only: Swagger 2.0 has no such requirement, and accepted 2.0
//! documents rely on it (Netlify's API has `GET
//! /sites/{site_id}/database/migrations/{name}` next to `POST
//! .../migrations/{deploy_id}`).
//!
//! **Why.** "Templated paths with the same hierarchy but different
//! templated names MUST NOT exist as they are identical" ([OpenAPI 3.1
//! §4.8.8][paths], since 3.0.0). A server cannot tell which of the two a request
//! meant.
//!
//! **Example.**
//!
//! ```yaml
//! paths:
//!   /orders/{id}: { ... }
//!   /orders/{orderId}: { ... }   # A008
//! ```
//!
//! [paths]: https://spec.openapis.org/oas/v3.1.0#path-templating-matching

use std::collections::BTreeMap;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, is_extension};
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    if !matches!(format, SpecFormat::OpenApi30 | SpecFormat::OpenApi31) {
        return;
    }
    let Some(paths) = doc.at("/paths") else {
        return;
    };
    let mut first_of: BTreeMap<String, &str> = BTreeMap::new();
    for (template, entry) in paths.members().filter(|(k, _)| !is_extension(k)) {
        let shape = blank_template(template);
        match first_of.get(&shape) {
            None => {
                first_of.insert(shape, template);
            }
            Some(first) => out.push(
                Finding::new(
                    &codes::EQUIVALENT_PATHS,
                    entry.pointer,
                    format!("path `{template}` is equivalent to `{first}`: they differ only in the names of their template parameters"),
                )
                .with_help("merge the two paths into one"),
            ),
        }
    }
}

/// The template with every parameter name removed: `/a/{x}.{y}` →
/// `/a/{}.{}`.
fn blank_template(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..=open]);
        out.push('}');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::blank_template;

    #[test]
    fn blanks_every_parameter() {
        assert_eq!(blank_template("/a/{x}/b.{y}"), "/a/{}/b.{}");
        assert_eq!(blank_template("/a/{x"), "/a/{x");
        assert_eq!(blank_template("/plain"), "/plain");
    }
}
