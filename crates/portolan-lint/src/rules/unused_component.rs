//! L019 `unused-component`: every reusable component is reached by some
//! `$ref` from outside the components (directly or through other used
//! components). A component used only by itself (recursion) or by other
//! unused components is unused.

use std::collections::{HashMap, HashSet, VecDeque};

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child, internal_pointer};

/// The component a pointer lies in (`/components/schemas/Pet` for
/// `/components/schemas/Pet/properties/id`), when it lies in one.
fn component_of(format: SpecFormat, pointer: &str) -> Option<&str> {
    let parts = if format == SpecFormat::OpenApi20 {
        let section = pointer.strip_prefix('/')?.split('/').next()?;
        if !matches!(section, "definitions" | "parameters" | "responses") {
            return None;
        }
        2
    } else {
        if !pointer.starts_with("/components/") {
            return None;
        }
        3
    };
    let mut ends = pointer.match_indices('/').map(|(i, _)| i).skip(parts);
    let end = ends.next().unwrap_or(pointer.len());
    let component = &pointer[..end];
    (component.matches('/').count() == parts).then_some(component)
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let format = ctx.format;
    // Each component's outgoing references, and the references from
    // outside the components (where reachability starts).
    let mut from: HashMap<&str, Vec<String>> = HashMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for site in &ctx.refs {
        let Some(target) = internal_pointer(site.target) else {
            continue;
        };
        match component_of(format, &site.pointer) {
            Some(container) => from.entry(container).or_default().push(target),
            None => queue.push_back(target),
        }
    }
    let schemas = format.schemas_pointer();
    for target in &ctx.mapping_targets {
        match internal_pointer(target) {
            Some(pointer) => queue.push_back(pointer),
            None if !target.contains(['/', '#', '.']) => queue.push_back(child(schemas, target)),
            None => {}
        }
    }
    // A schema that extends one with a `discriminator` (`allOf: [{$ref:
    // Pet}]`) is one of its subtypes, chosen by name, and used through it.
    for site in &ctx.refs {
        let Some((parent, index)) = site.pointer.rsplit_once('/') else {
            continue;
        };
        if !parent.ends_with("/allOf") || index.parse::<usize>().is_err() {
            continue;
        }
        let extends_discriminated = internal_pointer(site.target)
            .and_then(|target| ctx.doc.pointer(&target))
            .is_some_and(|target| target.get("discriminator").is_some());
        if extends_discriminated && let Some(component) = component_of(format, parent) {
            queue.push_back(component.to_string());
        }
    }
    let mut used: HashSet<String> = HashSet::new();
    while let Some(target) = queue.pop_front() {
        let Some(component) = component_of(format, &target) else {
            continue;
        };
        if !used.insert(component.to_string()) {
            continue;
        }
        if let Some(targets) = from.get(component) {
            queue.extend(targets.iter().cloned());
        }
    }
    let sections: Vec<(String, &serde_json::Map<String, Value>)> =
        if format == SpecFormat::OpenApi20 {
            ["definitions", "parameters", "responses"]
                .iter()
                .filter_map(|s| Some((format!("/{s}"), ctx.root(s)?.as_object()?)))
                .collect()
        } else {
            ctx.root("components")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(s, _)| !s.starts_with("x-") && s.as_str() != "securitySchemes")
                .filter_map(|(s, v)| Some((child("/components", s), v.as_object()?)))
                .collect()
        };
    for (section, members) in sections {
        for name in members.keys().filter(|k| !k.starts_with("x-")) {
            let pointer = child(&section, name);
            if !used.contains(&pointer) {
                out.push(
                    Finding::new(
                        &codes::LINT_UNUSED_COMPONENT,
                        pointer.clone(),
                        format!("component `{}` is not referenced", &pointer[1..]),
                    )
                    .with_help("remove it, or reference it where it was meant to be used"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_pointers() {
        let v3 = SpecFormat::OpenApi30;
        assert_eq!(
            component_of(v3, "/components/schemas/A/properties/b"),
            Some("/components/schemas/A")
        );
        assert_eq!(
            component_of(v3, "/components/schemas/A"),
            Some("/components/schemas/A")
        );
        assert_eq!(component_of(v3, "/components/schemas"), None);
        assert_eq!(component_of(v3, "/paths/~1a"), None);
        let v2 = SpecFormat::OpenApi20;
        assert_eq!(
            component_of(v2, "/definitions/A/items"),
            Some("/definitions/A")
        );
        assert_eq!(component_of(v2, "/paths/~1a"), None);
    }
}
