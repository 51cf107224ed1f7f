//! L032 `parameters-unique`: an operation declares each parameter (name
//! and location) once, counting the parameters of its path item that it
//! does not override (Spectral's `operation-parameters`, Redocly's
//! `operation-parameters-unique`).

use std::collections::BTreeMap;

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child};

/// `(name, in)` of each parameter of a list, with its pointer.
fn parameters<'a>(
    ctx: &Ctx<'a>,
    list: Option<&'a Value>,
    pointer: &str,
) -> Vec<((String, String), String)> {
    let Some(items) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let at = child(pointer, &i.to_string());
            let (_, parameter) = ctx.deref(&at, item)?;
            let name = parameter.get("name")?.as_str()?;
            let location = parameter.get("in")?.as_str()?;
            Some(((name.to_string(), location.to_string()), at))
        })
        .collect()
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // Path items checked once each, for their own duplicates.
    let mut path_items_seen = std::collections::BTreeSet::new();
    for op in &ctx.operations {
        let own = parameters(
            ctx,
            op.fields.get("parameters"),
            &child(&op.pointer, "parameters"),
        );
        let mut first: BTreeMap<&(String, String), &String> = BTreeMap::new();
        for (key, at) in &own {
            match first.get(key) {
                Some(earlier) => out.push(
                    Finding::new(
                        &codes::LINT_PARAMETERS_UNIQUE,
                        at.clone(),
                        format!(
                            "{} declares the {} parameter `{}` twice (first at {earlier})",
                            op.label, key.1, key.0
                        ),
                    )
                    .with_help("keep one: clients cannot tell which applies"),
                ),
                None => {
                    first.insert(key, at);
                }
            }
        }
        if let Some(path_item) = op.path_item {
            let item_pointer = op
                .pointer
                .rsplit_once('/')
                .map_or(String::new(), |(parent, _)| parent.to_string());
            if path_items_seen.insert(item_pointer.clone()) {
                let shared = parameters(
                    ctx,
                    path_item.get("parameters"),
                    &child(&item_pointer, "parameters"),
                );
                let mut seen: BTreeMap<&(String, String), &String> = BTreeMap::new();
                for (key, at) in &shared {
                    match seen.get(key) {
                        Some(earlier) => out.push(Finding::new(
                            &codes::LINT_PARAMETERS_UNIQUE,
                            at.clone(),
                            format!(
                                "the path declares the {} parameter `{}` twice (first at {earlier})",
                                key.1, key.0
                            ),
                        )),
                        None => {
                            seen.insert(key, at);
                        }
                    }
                }
            }
        }
    }
}
