//! A007 `path-parameter`: a path template and its path parameters agree.
//!
//! **What it checks.** For each member of `paths`:
//!
//! - every `{name}` of the template is declared by a parameter with
//!   `in: path` on the path item or on each of its operations (a path item
//!   without operations needs none, [OpenAPI 3.1 §4.8.8][paths]);
//! - every `in: path` parameter names a `{...}` of the template;
//! - every `in: path` parameter has `required: true`.
//!
//! Parameters may be `$ref`s; an operation's parameter replaces the path
//! item's one with the same `name` and `in`. A missing declaration is
//! reported at the operation that lacks it, or at the path when all of them
//! do; the other two at the parameter.
//!
//! **Why.** The specifications require all three ([OpenAPI 3.1
//! §4.8.8][paths] and [§4.8.12.1][parameter]; the same in 2.0 and 3.0). A
//! parameter missing from either side means clients build the wrong URL,
//! and generated servers fail to route or to bind the value.
//!
//! **Example.**
//!
//! ```yaml
//! paths:
//!   /pets/{petId}:            # A007: no operation declares `petId`
//!     get:
//!       parameters:
//!         - { name: id, in: path, required: true, schema: { type: string } }  # A007: not in the template
//!       responses: { '200': { description: ok } }
//! ```
//!
//! [paths]: https://spec.openapis.org/oas/v3.1.0#path-templating-matching
//! [parameter]: https://spec.openapis.org/oas/v3.1.0#fixed-fields-9

use std::collections::BTreeSet;

use portolan_core::codes;

use super::Finding;
use super::document::{Document, Located, child_pointer};
use super::operations::{PathItemOrigin, openapi_path_items};
use crate::detect::SpecFormat;

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    if !format.is_openapi() {
        return;
    }
    let mut definitions = Vec::new();
    for item in openapi_path_items(format, doc) {
        let PathItemOrigin::Path(template) = &item.origin else {
            continue;
        };
        let names = template_names(template);
        let shared = Parameters::of(doc, &item.location);
        let operations: Vec<_> = item
            .operations(format)
            .into_iter()
            .map(|op| {
                let own = Parameters::of(doc, &op.location);
                (op, own)
            })
            .collect();

        for parameters in std::iter::once(&shared).chain(operations.iter().map(|(_, own)| own)) {
            for param in parameters.in_path() {
                if !names.contains(param.name) {
                    out.push(
                        Finding::new(
                            &codes::PATH_PARAMETER,
                            // An inline parameter: point at its name (a
                            // one-line frame); a `$ref`: at the reference.
                            if param.definition.pointer == param.site {
                                format!("{}/name", param.site)
                            } else {
                                param.site.clone()
                            },
                            format!("path parameter `{}` does not appear in the path template `{template}`", param.name),
                        )
                        .with_help("rename it to match a `{...}` segment of the path, or remove it"),
                    );
                }
                definitions.push(param.definition.clone());
            }
        }

        if operations.is_empty() || !shared.complete {
            continue;
        }
        for name in &names {
            if shared.declares(name) {
                continue;
            }
            let lacking: Vec<_> = operations
                .iter()
                .filter(|(_, own)| own.complete && !own.declares(name))
                .collect();
            let help = format!(
                "declare a parameter with `name: {name}`, `in: path` and `required: true` on the path item or the operation"
            );
            if lacking.len() == operations.len() {
                out.push(
                    Finding::new(
                        &codes::PATH_PARAMETER,
                        child_pointer("/paths", template),
                        format!(
                            "`{{{name}}}` of path `{template}` is not declared as a path parameter"
                        ),
                    )
                    .with_help(help),
                );
            } else {
                for (op, _) in lacking {
                    out.push(
                        Finding::new(
                            &codes::PATH_PARAMETER,
                            &op.location.pointer,
                            format!("`{{{name}}}` of the path is not declared as a path parameter of {}", op.label),
                        )
                        .with_help(help.clone()),
                    );
                }
            }
        }
    }

    let mut reported = BTreeSet::new();
    for definition in definitions {
        if !reported.insert(definition.pointer.clone()) {
            continue;
        }
        let required = definition.member("required");
        if required
            .as_ref()
            .is_some_and(|r| r.value.as_bool() == Some(true))
        {
            continue;
        }
        let name = definition
            .value
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        out.push(
            Finding::new(
                &codes::PATH_PARAMETER,
                required.map(|r| r.pointer).unwrap_or(definition.pointer),
                format!("path parameter `{name}` must have `required: true`"),
            )
            .with_help("a path parameter is always part of the URL, so it is always required"),
        );
    }
}

/// The parameter names of a path template: `/a/{x}/b.{y}` → `x`, `y`.
fn template_names(template: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.insert(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

/// One declared parameter.
struct Parameter<'a> {
    name: &'a str,
    location: &'a str,
    /// The entry in the `parameters` list (the `$ref`, when it is one).
    site: String,
    /// Where its fields are.
    definition: Located<'a>,
}

/// The `parameters` of a path item or operation.
struct Parameters<'a> {
    list: Vec<Parameter<'a>>,
    /// Whether every entry could be read; when a `$ref` could not be
    /// followed, a declaration may be hiding behind it.
    complete: bool,
}

impl<'a> Parameters<'a> {
    fn of(doc: &Document<'a>, holder: &Located<'a>) -> Self {
        let mut list = Vec::new();
        let mut complete = true;
        let Some(parameters) = holder.member("parameters") else {
            return Parameters { list, complete };
        };
        for entry in parameters.items() {
            let site = entry.pointer.clone();
            let Ok(definition) = doc.deref(entry) else {
                complete = false;
                continue;
            };
            let field = |key: &str| definition.value.get(key).and_then(|v| v.as_str());
            match (field("name"), field("in")) {
                (Some(name), Some(location)) => list.push(Parameter {
                    name,
                    location,
                    site,
                    definition: definition.clone(),
                }),
                _ => complete = false,
            }
        }
        Parameters { list, complete }
    }

    fn in_path(&self) -> impl Iterator<Item = &Parameter<'a>> {
        self.list.iter().filter(|p| p.location == "path")
    }

    fn declares(&self, name: &str) -> bool {
        self.in_path().any(|p| p.name == name)
    }
}
