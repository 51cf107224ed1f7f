//! Cross-entity rules: references that resolve to nothing or to the wrong
//! kind, APIs no component provides, one-sided group hierarchy.

use std::collections::{HashMap, HashSet};

use portolan_catalog::relations::RelationType;
use portolan_catalog::{Catalog, Kind, Reference};
use portolan_core::{Diagnostic, codes};

pub fn check_references(catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for reference in &catalog.references {
        let entity = &catalog.entities[reference.from];
        // Looked up only for a finding: most references are fine.
        let span = || {
            entity
                .node
                .pointer(&reference.pointer)
                .map(|n| n.span)
                .unwrap_or(entity.node.span)
        };
        match reference.resolved {
            None => out.push(
                Diagnostic::new(
                    &codes::DANGLING_REF,
                    format!("`spec.{}` refers to {}, which is not in the catalog", reference.field, reference.target),
                )
                .at(&entity.file, span())
                .with_label("no entity has this kind, namespace and name")
                .with_help("check the spelling, the kind and the namespace (references inherit the referring entity's namespace)"),
            ),
            Some(target) => {
                let target_kind = &catalog.entities[target].kind_name;
                if !reference.target_kinds.is_empty()
                    && !reference
                        .target_kinds
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(target_kind))
                {
                    out.push(
                        Diagnostic::new(
                            &codes::DANGLING_REF,
                            format!(
                                "`spec.{}` refers to {}, but must refer to a {}",
                                reference.field,
                                reference.target,
                                reference.target_kinds.join(" or ")
                            ),
                        )
                        .at(&entity.file, span()),
                    );
                }
            }
        }
    }

    let provided: HashSet<usize> = catalog
        .references
        .iter()
        .filter(|r| r.relation == RelationType::ProvidesApi)
        .filter_map(|r| r.resolved)
        .collect();
    for (id, entity) in catalog.entities.iter().enumerate() {
        if entity.kind == Kind::Api
            && entity.has_identity()
            && catalog.index.get(entity.key_ref()) == Some(&id)
            && !provided.contains(&id)
        {
            out.push(
                Diagnostic::new(&codes::API_NOT_PROVIDED, format!("no component provides {}", entity.entity_ref()))
                    .at(&entity.file, entity.node.locate("/metadata/name"))
                    .with_help(format!("list it under `spec.providesApis` of the component that serves it, e.g. `providesApis: [{}]`", entity.name)),
            );
        }
    }

    // A group listing a child whose `parent` names another group.
    let parent_of: HashMap<usize, &Reference> = catalog
        .references
        .iter()
        .filter(|r| r.relation == RelationType::ChildOf)
        .map(|r| (r.from, r))
        .collect();
    for reference in catalog
        .references
        .iter()
        .filter(|r| r.relation == RelationType::ParentOf)
    {
        let Some(child) = reference.resolved else {
            continue;
        };
        if let Some(parent_ref) = parent_of.get(&child)
            && parent_ref.resolved.is_some()
            && parent_ref.resolved != Some(reference.from)
        {
            let entity = &catalog.entities[reference.from];
            let child_entity = &catalog.entities[child];
            let span = entity
                .node
                .pointer(&reference.pointer)
                .map(|n| n.span)
                .unwrap_or(entity.node.span);
            out.push(
                Diagnostic::new(
                    &codes::RELATION_MISMATCH,
                    format!(
                        "{} lists {} as a child, but its parent is {}",
                        entity.entity_ref(),
                        child_entity.entity_ref(),
                        parent_ref.target
                    ),
                )
                .at(&entity.file, span)
                .with_related(
                    &child_entity.file,
                    child_entity.node.locate(&parent_ref.pointer),
                    "the child names this parent",
                ),
            );
        }
    }
    out
}
