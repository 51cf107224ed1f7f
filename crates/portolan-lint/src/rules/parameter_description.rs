//! L022 `parameter-description`: every parameter has a description.
//! Parameters are checked where they are written: a `$ref` is checked at
//! its target, once.

use std::collections::HashSet;

use portolan_core::codes;
use serde_json::Value;

use crate::Finding;
use crate::walk::{Ctx, child, non_empty};

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut sites: Vec<(String, &Value)> = Vec::new();
    let mut lists = HashSet::new();
    if ctx.format.is_openapi() {
        for op in &ctx.operations {
            if let Some(list) = op.fields.get("parameters").and_then(Value::as_array) {
                let pointer = child(&op.pointer, "parameters");
                sites.extend(
                    list.iter()
                        .enumerate()
                        .map(|(i, p)| (format!("{pointer}/{i}"), p)),
                );
            }
            if let (Some(item), Some((parent, _))) = (op.path_item, op.pointer.rsplit_once('/'))
                && let Some(list) = item.get("parameters").and_then(Value::as_array)
                && lists.insert(parent.to_string())
            {
                let pointer = child(parent, "parameters");
                sites.extend(
                    list.iter()
                        .enumerate()
                        .map(|(i, p)| (format!("{pointer}/{i}"), p)),
                );
            }
        }
        let components = if ctx.format == portolan_apis::SpecFormat::OpenApi20 {
            ctx.root("parameters")
                .map(|v| ("/parameters".to_string(), v))
        } else {
            ctx.root("components")
                .and_then(|c| c.get("parameters"))
                .map(|v| ("/components/parameters".to_string(), v))
        };
        if let Some((pointer, map)) = components {
            for (name, p) in map.as_object().into_iter().flatten() {
                sites.push((child(&pointer, name), p));
            }
        }
    } else {
        for (name, channel) in ctx
            .root("channels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let pointer = child(&child("/channels", name), "parameters");
            for (pname, p) in channel
                .get("parameters")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                sites.push((child(&pointer, pname), p));
            }
        }
        if let Some(map) = ctx.root("components").and_then(|c| c.get("parameters")) {
            for (name, p) in map.as_object().into_iter().flatten() {
                sites.push((child("/components/parameters", name), p));
            }
        }
    }
    for (pointer, parameter) in sites {
        let Some(fields) = parameter.as_object() else {
            continue;
        };
        if fields.contains_key("$ref") || non_empty(fields, "description").is_some() {
            continue;
        }
        let name = fields
            .get("name")
            .and_then(Value::as_str)
            .map(|n| format!("parameter `{n}`"))
            .unwrap_or_else(|| "a parameter".to_string());
        out.push(
            Finding::new(
                &codes::LINT_PARAMETER_DESCRIPTION,
                pointer,
                format!("{name} has no description"),
            )
            .with_help("say what it means, its unit and its default"),
        );
    }
}
