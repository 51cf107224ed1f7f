//! Dependency graphs as inline SVG, drawn at build time (no JavaScript
//! graph library): a system's components in the middle column, the APIs
//! they provide or consume on the left, their dependencies (resources and
//! components) on the right. Entities outside the system are drawn dashed.
//! Every node links to its page.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use portolan_catalog::relations::RelationType;
use portolan_catalog::{Catalog, EntityId, Kind};

use crate::reference::esc;

const NODE_W: i64 = 210;
const NODE_H: i64 = 34;
const GAP_Y: i64 = 14;
const GAP_X: i64 = 110;
const MARGIN: i64 = 12;

struct Node {
    id: EntityId,
    column: usize,
    row: usize,
    external: bool,
}

/// The graph of a system, or `None` when it has no members.
pub fn system_graph(
    catalog: &Catalog,
    system: EntityId,
    url_of: &dyn Fn(EntityId) -> String,
    label_of: &dyn Fn(EntityId) -> String,
) -> Option<String> {
    let members: BTreeSet<EntityId> = catalog
        .references
        .iter()
        .filter(|r| {
            r.resolved == Some(system) && r.relation == RelationType::PartOf && r.field == "system"
        })
        .map(|r| r.from)
        .collect();
    if members.is_empty() {
        return None;
    }
    // Edges among members and to their direct neighbours.
    let mut edges: BTreeSet<(EntityId, EntityId, &'static str)> = BTreeSet::new();
    for r in &catalog.references {
        let Some(target) = r.resolved else { continue };
        if !members.contains(&r.from) {
            continue;
        }
        let label = match r.relation {
            RelationType::ProvidesApi => "provides",
            RelationType::ConsumesApi => "consumes",
            RelationType::DependsOn => "depends on",
            RelationType::DependencyOf => "dependency of",
            _ => continue,
        };
        edges.insert((r.from, target, label));
    }
    let column_of = |id: EntityId| match catalog.entities[id].kind {
        Kind::Api => 0,
        Kind::Component => 1,
        _ => 2,
    };
    let mut nodes: BTreeMap<EntityId, Node> = BTreeMap::new();
    let mut ids: BTreeSet<EntityId> = members.clone();
    for (from, to, _) in &edges {
        ids.insert(*from);
        ids.insert(*to);
    }
    let mut columns: [Vec<EntityId>; 3] = Default::default();
    for id in ids {
        columns[column_of(id)].push(id);
    }
    for (c, column) in columns.iter_mut().enumerate() {
        column.sort_by_key(|&id| (!members.contains(&id), label_of(id).to_ascii_lowercase()));
        for (row, &id) in column.iter().enumerate() {
            nodes.insert(
                id,
                Node {
                    id,
                    column: c,
                    row,
                    external: !members.contains(&id),
                },
            );
        }
    }
    let rows = columns.iter().map(Vec::len).max().unwrap_or(1) as i64;
    // Room on the right for the curves between nodes of the last column.
    let width = MARGIN * 2 + NODE_W * 3 + GAP_X * 2 + 50;
    let height = MARGIN * 2 + rows * (NODE_H + GAP_Y) - GAP_Y + 20;
    let x_of = |c: usize| MARGIN + c as i64 * (NODE_W + GAP_X);
    let y_of = |r: usize| MARGIN + 20 + r as i64 * (NODE_H + GAP_Y);

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"graph-title\">\
<title id=\"graph-title\">Dependency graph of {}</title>\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/></marker></defs>",
        esc(&label_of(system))
    );
    for (c, title) in ["APIs", "Components", "Dependencies"].iter().enumerate() {
        let _ = write!(
            svg,
            "<text class=\"column\" x=\"{}\" y=\"{}\">{title}</text>",
            x_of(c),
            MARGIN + 10
        );
    }
    for (from, to, label) in &edges {
        let (a, b) = (&nodes[from], &nodes[to]);
        let (ay, by) = (y_of(a.row) + NODE_H / 2, y_of(b.row) + NODE_H / 2);
        // Left or right edge depending on where the other node is; same
        // column: a curve on the right side.
        let (ax, bx, bend) = if a.column < b.column {
            (x_of(a.column) + NODE_W, x_of(b.column), 0)
        } else if a.column > b.column {
            (x_of(a.column), x_of(b.column) + NODE_W, 0)
        } else {
            (x_of(a.column) + NODE_W, x_of(b.column) + NODE_W, 40)
        };
        let (c1, c2) = if bend > 0 {
            (ax + bend, bx + bend)
        } else {
            ((ax + bx) / 2, (ax + bx) / 2)
        };
        let _ = write!(
            svg,
            "<path class=\"edge {}\" d=\"M {ax} {ay} C {c1} {ay}, {c2} {by}, {bx} {by}\" marker-end=\"url(#arrow)\"><title>{} {} {}</title></path>",
            label.replace(' ', "-"),
            esc(&label_of(*from)),
            label,
            esc(&label_of(*to))
        );
    }
    for node in nodes.values() {
        let (x, y) = (x_of(node.column), y_of(node.row));
        let kind = catalog.entities[node.id].kind_name.to_ascii_lowercase();
        let mut label = label_of(node.id);
        if label.chars().count() > 28 {
            label = format!("{}…", label.chars().take(27).collect::<String>());
        }
        let _ = write!(
            svg,
            "<a href=\"{}\"><g class=\"node {kind}{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">{}</text></g></a>",
            esc(&url_of(node.id)),
            if node.external { " external" } else { "" },
            x + 10,
            y + NODE_H / 2 + 5,
            esc(&label)
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}
