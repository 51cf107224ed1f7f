//! A011 `discriminator-mapping`: discriminator mappings point at schemas.
//!
//! **What it checks.** In OpenAPI 3.x, every value of a schema's
//! `discriminator.mapping`, wherever the schema is, names a schema of the
//! document: either a name under `components.schemas` (`Dog`), checked
//! here, or a reference (`#/components/schemas/Dog`, `./pets.yaml#/Dog`).
//! A reference is relative to the file it is written in, which the bundled
//! document no longer knows, so references are checked while loading
//! (`crate::load`), next to `$ref`s: one that leads to no node of a loaded
//! file is reported with this code, one that leaves the catalog root as
//! F002 and a remote one as A003. Mapping values never make portolan read
//! a file. (Swagger 2.0 and AsyncAPI discriminators are a plain property
//! name, with no mapping.)
//!
//! **Why.** The mapping tells deserializers which schema a payload with
//! a given discriminator value follows ([OpenAPI 3.1 §4.8.25][disc]). A
//! value that names no schema makes those payloads impossible to decode,
//! and tools reject the document or fail at run time.
//!
//! **Example.**
//!
//! ```yaml
//! Pet:
//!   oneOf: [{ $ref: '#/components/schemas/Dog' }, { $ref: '#/components/schemas/Cat' }]
//!   discriminator:
//!     propertyName: kind
//!     mapping:
//!       dog: '#/components/schemas/Dog'
//!       cat: Kat                          # A011: no schema `Kat`
//! ```
//!
//! [disc]: https://spec.openapis.org/oas/v3.1.0#discriminator-object

use std::collections::BTreeSet;
use std::fmt::Write as _;

use portolan_core::codes;
use portolan_core::yaml::push_pointer_token;
use serde_json::Value;

use super::Finding;
use super::document::{Document, Located, field, is_extension};
use crate::detect::SpecFormat;
use crate::load::NAME_MAPS;

/// Keys whose value is example or literal data, where nothing is a schema.
const DATA_KEYS: &[&str] = &["example", "examples", "enum", "const", "default"];

/// A step of the walk: enter a node (its token appended to the pointer),
/// or leave one (the pointer cut back to its parent's length).
enum Step<'a> {
    Enter {
        value: &'a Value,
        token: Token<'a>,
        reached_by: Option<&'a str>,
        is_name_map: bool,
    },
    Leave(usize),
}

enum Token<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

pub(crate) fn check(format: SpecFormat, doc: &Document<'_>, out: &mut Vec<Finding>) {
    if !matches!(format, SpecFormat::OpenApi30 | SpecFormat::OpenApi31) {
        return;
    }
    let schema_names: BTreeSet<&str> = doc
        .at("/components/schemas")
        .and_then(|s| s.object())
        .map(|schemas| schemas.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let Some(root) = doc.at("") else { return };
    // The document is a tree (references are not followed here), so a plain
    // walk visits every node once, depth-first in document order. It keeps
    // one pointer, grown and cut as it goes: on a large definition, a
    // pointer string per node cost more than the rest of the rule.
    let mut pointer = root.pointer.clone();
    let mut stack = vec![Step::Enter {
        value: root.value,
        token: Token::Root,
        reached_by: None,
        is_name_map: false,
    }];
    while let Some(step) = stack.pop() {
        let (value, reached_by, is_name_map) = match step {
            Step::Leave(len) => {
                pointer.truncate(len);
                continue;
            }
            Step::Enter {
                value,
                token,
                reached_by,
                is_name_map,
            } => {
                stack.push(Step::Leave(pointer.len()));
                match token {
                    Token::Root => {}
                    Token::Key(key) => {
                        pointer.push('/');
                        push_pointer_token(&mut pointer, key);
                    }
                    Token::Index(i) => {
                        let _ = write!(pointer, "/{i}");
                    }
                }
                (value, reached_by, is_name_map)
            }
        };
        if let Some(items) = value.as_array() {
            stack.extend(items.iter().enumerate().rev().map(|(i, item)| Step::Enter {
                value: item,
                token: Token::Index(i),
                reached_by: None,
                is_name_map: false,
            }));
            continue;
        }
        let Some(object) = value.as_object() else {
            continue;
        };
        if !is_name_map
            && let Some(mapping) =
                field(object, "discriminator").and_then(|d| field(d.as_object()?, "mapping"))
        {
            let at = Located::new(format!("{pointer}/discriminator/mapping"), mapping);
            check_mapping(&schema_names, &at, out);
        }
        stack.extend(
            object
                .iter()
                .rev()
                .filter(|(key, _)| {
                    is_name_map
                        || !(is_extension(key)
                            || DATA_KEYS.contains(&key.as_str())
                                && !(*key == "default" && reached_by == Some("responses")))
                })
                .map(|(key, child)| Step::Enter {
                    value: child,
                    token: Token::Key(key),
                    reached_by: Some(key),
                    is_name_map: !is_name_map && NAME_MAPS.contains(&key.as_str()),
                }),
        );
    }
}

fn check_mapping(schema_names: &BTreeSet<&str>, mapping: &Located<'_>, out: &mut Vec<Finding>) {
    for (value_name, target) in mapping.members() {
        let Some(target_text) = target.value.as_str() else {
            continue;
        };
        // References (`#/...`, `./x.yaml`, URLs) are checked by loading.
        let is_reference = target_text.contains(['/', ':', '#'])
            || [".json", ".yaml", ".yml"]
                .iter()
                .any(|ext| target_text.ends_with(ext));
        if is_reference || schema_names.contains(target_text) {
            continue;
        }
        let message = format!(
            "discriminator value `{value_name}` maps to schema `{target_text}`, which is not in `components.schemas`"
        );
        let folded = target_text.to_ascii_lowercase();
        let help = match schema_names.iter().find(|name| name.to_ascii_lowercase() == folded) {
            Some(near) => format!("did you mean `{near}` (`#/components/schemas/{near}`)?"),
            None => "map it to a schema name under `components.schemas` or to a `#/components/schemas/...` reference".to_string(),
        };
        out.push(
            Finding::new(&codes::DISCRIMINATOR_MAPPING, target.pointer, message).with_help(help),
        );
    }
}
