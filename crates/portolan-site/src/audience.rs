//! `--audience NAME`: a build for readers outside the team. Only entities
//! annotated `portolan.dev/audience: NAME` are kept; the catalog is re-linked
//! from them alone, references to the others are dropped (so not even their
//! names appear as relation targets), and only findings in kept entities'
//! documents and API definitions remain. Everything the site renders comes
//! from the restricted catalog, so nothing about a hidden entity can reach
//! any output file.

use std::collections::{BTreeMap, BTreeSet};

use portolan_catalog::load::Loaded;
use portolan_catalog::{Catalog, EntityKey};
use portolan_check::Checked;
use portolan_core::yaml::{Node, Value, pointer_tokens};

/// The annotation that names an entity's audience.
pub const AUDIENCE_ANNOTATION: &str = "portolan.dev/audience";

/// Restrict `checked` to the entities of `audience`.
pub fn restrict_to_audience(checked: Checked, audience: &str) -> Checked {
    let Checked {
        catalog,
        mut apis,
        mut docs,
        slos,
        diagnostics,
        lint_baseline,
    } = checked;
    let visible = |e: &portolan_catalog::Entity| {
        e.has_identity()
            && e.annotation(AUDIENCE_ANNOTATION).is_some_and(|a| {
                a.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(audience))
            })
    };
    let hidden_keys: BTreeSet<EntityKey> = catalog
        .entities
        .iter()
        .filter(|e| !visible(e))
        .filter(|e| e.has_identity())
        .map(|e| e.key())
        .collect();

    // Findings that belong to kept entities: in their documents, or in the
    // files of their API definitions.
    let mut kept_spans: BTreeMap<&str, Vec<(u32, u32)>> = BTreeMap::new();
    let mut kept_files: BTreeSet<String> = BTreeSet::new();
    for (id, e) in catalog.entities.iter().enumerate() {
        if visible(e) {
            kept_spans
                .entry(e.file.as_str())
                .or_default()
                .push((e.node.span.start, e.node.span.end));
            if let Some((set, _)) = apis.get(&id).and_then(|d| d.spec.as_ref()) {
                kept_files.extend(set.files.keys().cloned());
            }
        }
    }
    // A finding about a kept entity may still name a hidden one (R005
    // names both groups); those go too.
    let hidden_refs: Vec<String> = catalog
        .entities
        .iter()
        .filter(|e| !visible(e) && e.has_identity())
        .map(|e| e.entity_ref().to_string().to_ascii_lowercase())
        .collect();
    let diagnostics = diagnostics
        .into_iter()
        .filter(|d| {
            let message = d.message.to_ascii_lowercase();
            !hidden_refs.iter().any(|r| message.contains(r.as_str()))
        })
        .filter(|d| match (d.file.as_deref(), d.span) {
            (Some(f), Some(s)) if kept_spans.contains_key(f) => kept_spans[f]
                .iter()
                .any(|(start, end)| s.start >= *start && s.start <= *end),
            (Some(f), _) => kept_files.contains(f),
            _ => false,
        })
        .collect();

    // Reference values naming hidden entities are taken out of the kept
    // entities' own specs too: a public service must not reveal the name
    // of the internal team that owns it.
    let mut redactions: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &catalog.references {
        if hidden_keys.contains(&r.target.key()) {
            redactions
                .entry(r.from)
                .or_default()
                .push(r.pointer.clone());
        }
    }
    let mut old_ids = Vec::new();
    let mut entities = Vec::new();
    for (id, mut e) in catalog.entities.into_iter().enumerate() {
        if visible(&e) {
            if let Some(pointers) = redactions.get_mut(&id) {
                // Deepest and highest index first, so earlier removals do
                // not shift the items later ones point at.
                pointers.sort_by_key(|p| std::cmp::Reverse(pointer_sort_key(p)));
                for pointer in pointers.iter() {
                    remove_pointer(std::sync::Arc::make_mut(&mut e.make_mut().node), pointer);
                }
            }
            old_ids.push(id);
            entities.push(e);
        }
    }
    let loaded = Loaded {
        entities,
        all_files: catalog.all_files,
        files: catalog.files.iter().cloned().collect(),
        descriptor_files: catalog.descriptor_files,
        location_targets: Vec::new(),
        diagnostics: Vec::new(),
    };
    // Linking again finds the same problems as before among kept entities;
    // the original findings (filtered above) are the ones reported.
    let (mut restricted, _) = Catalog::link(loaded);
    restricted
        .references
        .retain(|r| !hidden_keys.contains(&r.target.key()));
    let apis = old_ids
        .iter()
        .enumerate()
        .filter_map(|(new_id, old_id)| apis.remove(old_id).map(|d| (new_id, d)))
        .collect();
    let docs = old_ids
        .iter()
        .enumerate()
        .filter_map(|(new_id, old_id)| docs.remove(old_id).map(|d| (new_id, d)))
        .collect();
    let mut slos = std::sync::Arc::unwrap_or_clone(slos);
    slos.keep_entities(&old_ids);
    Checked {
        catalog: restricted,
        apis,
        docs,
        slos: std::sync::Arc::new(slos),
        diagnostics,
        lint_baseline,
    }
}

/// Tokens with numbers compared as numbers (`/9` before `/10`).
fn pointer_sort_key(pointer: &str) -> Vec<(u64, String)> {
    pointer_tokens(pointer)
        .map(|t| (t.parse::<u64>().unwrap_or(0), t))
        .collect()
}

/// Remove the node at `pointer` (a mapping entry or a sequence item).
fn remove_pointer(root: &mut Node, pointer: &str) {
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut node = root;
    for token in parents {
        let next = match &mut node.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|e| &e.key == token)
                .map(|e| &mut e.value),
            Value::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return,
        }
    }
    match &mut node.value {
        Value::Map(entries) => entries.retain(|e| &e.key != last),
        Value::Seq(items) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}
