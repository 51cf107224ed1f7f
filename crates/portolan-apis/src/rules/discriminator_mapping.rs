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

use portolan_core::codes;

use super::Finding;
use super::document::{Document, Located, is_extension};
use crate::detect::SpecFormat;
use crate::load::NAME_MAPS;

/// Keys whose value is example or literal data, where nothing is a schema.
const DATA_KEYS: &[&str] = &["example", "examples", "enum", "const", "default"];

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
    // walk visits every node once.
    let mut stack: Vec<(Located<'_>, Option<&str>, bool)> = vec![(root, None, false)];
    while let Some((node, reached_by, is_name_map)) = stack.pop() {
        if node.value.is_array() {
            stack.extend(node.items().map(|item| (item, None, false)));
            continue;
        }
        if !is_name_map
            && let Some(mapping) = node
                .member("discriminator")
                .and_then(|d| d.member("mapping"))
        {
            check_mapping(&schema_names, &mapping, out);
        }
        let mut children: Vec<_> = node
            .members()
            .filter(|(key, _)| {
                is_name_map
                    || !(is_extension(key)
                        || DATA_KEYS.contains(key)
                            && !(*key == "default" && reached_by == Some("responses")))
            })
            .map(|(key, child)| (child, Some(key), !is_name_map && NAME_MAPS.contains(&key)))
            .collect();
        // Depth-first in document order.
        children.reverse();
        stack.extend(children);
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
