//! Dependency graphs as inline SVG, drawn at build time (no JavaScript
//! graph library). Every node links to its page; entities outside the
//! page's system or domain are drawn dashed. Each graph also comes as a
//! list of its edges, for readers who cannot see it.
//!
//! - A system's graph: its components in the middle column, the APIs they
//!   provide or consume on the left, their dependencies (resources and
//!   components) on the right.
//! - A domain's graph: its systems and sub-domains, with an edge from one
//!   system to another when any of its components or resources depends on
//!   the other's (`dependsOn`, `dependencyOf`) or consumes an API the other
//!   provides; the component-level relations behind an edge are counted on
//!   it and listed in its tooltip. Laid out in layers (a small Sugiyama:
//!   cycles broken, longest-path layers, long edges routed through empty
//!   slots, barycentre ordering), dependants left of what they depend on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use portolan_catalog::relations::RelationType;
use portolan_catalog::{Catalog, EntityId, Kind};
use serde::Serialize;

use crate::reference::esc;

const NODE_W: i64 = 210;
const NODE_H: i64 = 34;
const GAP_Y: i64 = 14;
const GAP_X: i64 = 110;
const MARGIN: i64 = 12;
/// Between the layers of a domain's graph: narrower than a system's
/// columns, so four layers fit the page.
const DOMAIN_GAP_X: i64 = 70;

struct Node {
    id: EntityId,
    column: usize,
    row: usize,
    external: bool,
}

/// What the system and domain graphs read of the catalog's relations,
/// gathered in one pass over its references. Each graph then reads only
/// its own part, so drawing every system's and domain's graph takes time
/// linear in the catalog, not (systems + domains) × references.
pub struct GraphIndex {
    domain_of_system: BTreeMap<EntityId, EntityId>,
    parent_domain: BTreeMap<EntityId, EntityId>,
    system_of: BTreeMap<EntityId, EntityId>,
    /// Entities whose `spec.system` is the key.
    system_members: HashMap<EntityId, BTreeSet<EntityId>>,
    /// Systems whose `spec.domain` is the key.
    domain_systems: HashMap<EntityId, BTreeSet<EntityId>>,
    /// Direct sub-domains of the key.
    subdomains: HashMap<EntityId, BTreeSet<EntityId>>,
    /// Component-level dependencies: (depender, dependee, and the sentence
    /// saying why as (subject, verb, object), written out only for the
    /// edges a domain's graph keeps).
    dependencies: Vec<Dependency>,
    /// For each domain, the indexes in `dependencies` of those whose
    /// depender's system is in the domain or in one of its sub-domains.
    dependencies_in: HashMap<EntityId, Vec<usize>>,
}

type Dependency = (EntityId, EntityId, (EntityId, &'static str, EntityId));

impl GraphIndex {
    pub fn of(catalog: &Catalog) -> GraphIndex {
        let mut domain_of_system: BTreeMap<EntityId, EntityId> = BTreeMap::new();
        let mut parent_domain: BTreeMap<EntityId, EntityId> = BTreeMap::new();
        let mut system_of: BTreeMap<EntityId, EntityId> = BTreeMap::new();
        let mut system_members: HashMap<EntityId, BTreeSet<EntityId>> = HashMap::new();
        let mut providers: BTreeMap<EntityId, BTreeSet<EntityId>> = BTreeMap::new();
        for r in &catalog.references {
            let Some(target) = r.resolved else { continue };
            match (r.field, r.relation) {
                ("domain", RelationType::PartOf) => {
                    domain_of_system.insert(r.from, target);
                }
                ("subdomainOf", RelationType::PartOf) => {
                    parent_domain.insert(r.from, target);
                }
                ("system", RelationType::PartOf) => {
                    system_of.insert(r.from, target);
                    system_members.entry(target).or_default().insert(r.from);
                }
                (_, RelationType::ProvidesApi) => {
                    providers.entry(target).or_default().insert(r.from);
                }
                _ => {}
            }
        }
        let mut domain_systems: HashMap<EntityId, BTreeSet<EntityId>> = HashMap::new();
        for (&system, &domain) in &domain_of_system {
            domain_systems.entry(domain).or_default().insert(system);
        }
        let mut subdomains: HashMap<EntityId, BTreeSet<EntityId>> = HashMap::new();
        for (&child, &parent) in &parent_domain {
            if child != parent {
                subdomains.entry(parent).or_default().insert(child);
            }
        }
        let mut dependencies: Vec<Dependency> = Vec::new();
        for r in &catalog.references {
            let Some(target) = r.resolved else { continue };
            match r.relation {
                RelationType::DependsOn => {
                    dependencies.push((r.from, target, (r.from, "depends on", target)))
                }
                RelationType::DependencyOf => {
                    dependencies.push((target, r.from, (target, "depends on", r.from)))
                }
                RelationType::ConsumesApi => {
                    let sentence = (r.from, "consumes", target);
                    match providers.get(&target) {
                        Some(by) => {
                            for &provider in by {
                                dependencies.push((r.from, provider, sentence));
                            }
                        }
                        // No component provides it: the API's own system does.
                        None => dependencies.push((r.from, target, sentence)),
                    }
                }
                _ => {}
            }
        }
        // Each dependency belongs to the domain of its depender's system and
        // to every domain above that one (a cycle in `subdomainOf` ends the
        // walk where it closes).
        let mut dependencies_in: HashMap<EntityId, Vec<usize>> = HashMap::new();
        for (i, &(from, _, _)) in dependencies.iter().enumerate() {
            let system = if catalog.entities[from].kind == Kind::System {
                Some(from)
            } else {
                system_of.get(&from).copied()
            };
            let mut domain = system.and_then(|s| domain_of_system.get(&s).copied());
            let mut seen = BTreeSet::new();
            while let Some(d) = domain {
                if !seen.insert(d) {
                    break;
                }
                dependencies_in.entry(d).or_default().push(i);
                domain = parent_domain.get(&d).copied();
            }
        }
        GraphIndex {
            domain_of_system,
            parent_domain,
            system_of,
            system_members,
            domain_systems,
            subdomains,
            dependencies,
            dependencies_in,
        }
    }
}

/// A drawn graph: the SVG, and its edges as text.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    pub svg: String,
    pub edges: Vec<EdgeText>,
}

/// One edge of a graph, for the list beside it.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeText {
    pub from: NodeLink,
    /// `provides`, `consumes`, `depends on`, ...
    pub relation: &'static str,
    pub to: NodeLink,
    /// The relations an aggregated edge stands for, as sentences.
    pub via: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeLink {
    pub label: String,
    /// With the site's base.
    pub url: String,
    /// Outside the system or domain the graph is of (drawn dashed).
    pub outside: bool,
}

fn node_link(
    id: EntityId,
    outside: bool,
    url_of: &dyn Fn(EntityId) -> String,
    label_of: &dyn Fn(EntityId) -> String,
) -> NodeLink {
    NodeLink {
        label: label_of(id),
        url: url_of(id),
        outside,
    }
}

/// A label that fits a node box, and whether it was shortened.
fn fit_label(label: &str) -> (String, bool) {
    if label.chars().count() > 28 {
        (
            format!("{}…", label.chars().take(27).collect::<String>()),
            true,
        )
    } else {
        (label.to_string(), false)
    }
}

/// The graph of a system, or `None` when it has no members.
pub fn system_graph(
    catalog: &Catalog,
    index: &GraphIndex,
    system: EntityId,
    url_of: &dyn Fn(EntityId) -> String,
    label_of: &dyn Fn(EntityId) -> String,
) -> Option<Graph> {
    let members: BTreeSet<EntityId> = index
        .system_members
        .get(&system)
        .cloned()
        .unwrap_or_default();
    if members.is_empty() {
        return None;
    }
    // Edges among members and to their direct neighbours.
    let mut edges: BTreeSet<(EntityId, EntityId, &'static str)> = BTreeSet::new();
    for r in members.iter().flat_map(|&m| catalog.references_from(m)) {
        let Some(target) = r.resolved else { continue };
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
        "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-labelledby=\"graph-title\">\
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
    let edges = edges
        .iter()
        .map(|(from, to, relation)| EdgeText {
            from: node_link(*from, nodes[from].external, url_of, label_of),
            relation,
            to: node_link(*to, nodes[to].external, url_of, label_of),
            via: Vec::new(),
        })
        .collect();
    Some(Graph { svg, edges })
}

/// Neighbours drawn on each side of an entity's graph; the rest are
/// counted in a note under the column (the page lists them all under
/// Relations), so an API consumed by thousands of components keeps a
/// small page.
const ENTITY_GRAPH_SIDE: usize = 12;

/// The graph around one entity (a component, resource or API): what uses
/// it on the left (components that depend on it, that provide or consume
/// it), the entity in the middle, and what it uses on the right (what it
/// depends on, the APIs it provides and consumes). `None` when it has none
/// of these relations. Systems and domains have graphs of their own.
pub fn entity_graph(
    catalog: &Catalog,
    id: EntityId,
    relations: &[portolan_catalog::Relation],
    url_of: &dyn Fn(EntityId) -> String,
    label_of: &dyn Fn(EntityId) -> String,
) -> Option<Graph> {
    // (neighbour, relation as a verb, whether the arrow points at `id`)
    let mut left: Vec<(EntityId, &'static str)> = Vec::new();
    let mut right: Vec<(EntityId, &'static str)> = Vec::new();
    for r in relations {
        let Some(target) = r.resolved else { continue };
        if target == id {
            continue;
        }
        match r.relation {
            RelationType::ProvidesApi => right.push((target, "provides")),
            RelationType::ConsumesApi => right.push((target, "consumes")),
            RelationType::DependsOn => right.push((target, "depends on")),
            RelationType::ApiProvidedBy => left.push((target, "provides")),
            RelationType::ApiConsumedBy => left.push((target, "consumes")),
            RelationType::DependencyOf => left.push((target, "depends on")),
            _ => {}
        }
    }
    if left.is_empty() && right.is_empty() {
        return None;
    }
    // Each neighbour's label and URL, made once: (node, verb, link).
    let sides: [Vec<(EntityId, &'static str, NodeLink)>; 2] = [left, right].map(|side| {
        let mut side: Vec<(EntityId, &'static str, NodeLink)> = side
            .into_iter()
            .map(|(n, verb)| (n, verb, node_link(n, false, url_of, label_of)))
            .collect();
        side.sort_by_cached_key(|(n, verb, link)| (link.label.to_ascii_lowercase(), *n, *verb));
        side.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        side
    });
    let centre = node_link(id, false, url_of, label_of);
    let shown = |side: &[(EntityId, &'static str, NodeLink)]| side.len().min(ENTITY_GRAPH_SIDE);
    let more =
        |side: &[(EntityId, &'static str, NodeLink)]| side.len().saturating_sub(ENTITY_GRAPH_SIDE);
    let rows = shown(&sides[0]).max(shown(&sides[1])).max(1) as i64;
    let note_room = if more(&sides[0]) + more(&sides[1]) > 0 {
        24
    } else {
        0
    };
    let width = MARGIN * 2 + NODE_W * 3 + GAP_X * 2;
    let height = MARGIN * 2 + 20 + rows * (NODE_H + GAP_Y) - GAP_Y + note_room;
    let x_of = |c: usize| MARGIN + c as i64 * (NODE_W + GAP_X);
    // Each column centred vertically.
    let y_of = |count: usize, row: usize| {
        let offset = (rows - count as i64) * (NODE_H + GAP_Y) / 2;
        MARGIN + 20 + offset + row as i64 * (NODE_H + GAP_Y)
    };
    let entity = &catalog.entities[id];
    let mut svg = String::with_capacity(1024);
    let _ = write!(
        svg,
        "<svg class=\"graph entity-graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-labelledby=\"entity-graph-title\">\
<title id=\"entity-graph-title\">Relations of {}</title>\
<defs><marker id=\"e-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/></marker></defs>",
        esc(&centre.label)
    );
    for (c, heading) in ["Uses it", entity.kind_name.as_str(), "It uses"]
        .iter()
        .enumerate()
    {
        let _ = write!(
            svg,
            "<text class=\"column\" x=\"{}\" y=\"{}\">{}</text>",
            x_of(c),
            MARGIN + 10,
            esc(heading)
        );
    }
    let centre_y = y_of(1, 0) + NODE_H / 2;
    // A box: its full label as a tooltip only when the box shortens it
    // (the page lists every relation with its kind under Relations).
    let node = |svg: &mut String,
                n: EntityId,
                link: &NodeLink,
                column: usize,
                y: i64,
                centre: bool| {
        let (label, shortened) = fit_label(&link.label);
        let x = x_of(column);
        let _ = write!(
            svg,
            "<a class=\"node {}{}\" href=\"{}\">",
            catalog.entities[n].kind_name.to_ascii_lowercase(),
            if centre { " centre" } else { "" },
            esc(&link.url),
        );
        if shortened {
            let _ = write!(svg, "<title>{}</title>", esc(&link.label));
        }
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">{}</text></a>",
            x + 10,
            y + NODE_H / 2 + 5,
            esc(&label)
        );
    };
    for (column, side) in [(0, &sides[0]), (2, &sides[1])] {
        let count = shown(side);
        for (row, (_, verb, _)) in side.iter().take(count).enumerate() {
            let ny = y_of(count, row) + NODE_H / 2;
            // Arrows point from the user to what it uses.
            let (ax, ay, bx, by) = if column == 0 {
                (x_of(0) + NODE_W, ny, x_of(1), centre_y)
            } else {
                (x_of(1) + NODE_W, centre_y, x_of(2), ny)
            };
            let mid = (ax + bx) / 2;
            let _ = write!(
                svg,
                "<path class=\"edge {}\" d=\"M{ax} {ay}C{mid} {ay} {mid} {by} {bx} {by}\" marker-end=\"url(#e-arrow)\"/>",
                verb.replace(' ', "-"),
            );
        }
        if more(side) > 0 {
            let _ = write!(
                svg,
                "<text class=\"column-more\" x=\"{}\" y=\"{}\">and {} more (listed under Relations)</text>",
                x_of(column),
                height - MARGIN,
                more(side)
            );
        }
        for (row, (n, _, link)) in side.iter().take(count).enumerate() {
            node(&mut svg, *n, link, column, y_of(count, row), false);
        }
    }
    node(&mut svg, id, &centre, 1, y_of(1, 0), true);
    svg.push_str("</svg>");
    let [left, right] = sides;
    let edges = left
        .into_iter()
        .map(|(_, verb, link)| EdgeText {
            from: link,
            relation: verb,
            to: centre.clone(),
            via: Vec::new(),
        })
        .chain(right.into_iter().map(|(_, verb, link)| EdgeText {
            from: centre.clone(),
            relation: verb,
            to: link,
            via: Vec::new(),
        }))
        .collect();
    Some(Graph { svg, edges })
}

/// A node of a domain's graph: one of its systems or sub-domains, or a
/// system outside it that one of them depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DomainNode {
    id: EntityId,
    external: bool,
}

/// The graph of a domain, or `None` when it has neither systems nor
/// sub-domains.
pub fn domain_graph(
    catalog: &Catalog,
    index: &GraphIndex,
    domain: EntityId,
    url_of: &dyn Fn(EntityId) -> String,
    label_of: &dyn Fn(EntityId) -> String,
) -> Option<Graph> {
    let GraphIndex {
        domain_of_system,
        parent_domain,
        system_of,
        ..
    } = index;
    // Where a domain sits relative to this one: `Some(domain)` for itself,
    // `Some(child)` for the direct sub-domain it is in, `None` outside.
    let inside = |mut d: EntityId| -> Option<EntityId> {
        let mut seen = BTreeSet::new();
        let mut child = None;
        loop {
            if d == domain {
                return Some(child.unwrap_or(domain));
            }
            // A cycle in `subdomainOf` never reaches this domain.
            if !seen.insert(d) {
                return None;
            }
            child = Some(d);
            d = *parent_domain.get(&d)?;
        }
    };
    let members: BTreeSet<EntityId> = index
        .domain_systems
        .get(&domain)
        .cloned()
        .unwrap_or_default();
    let subdomains: BTreeSet<EntityId> = index.subdomains.get(&domain).cloned().unwrap_or_default();
    if members.is_empty() && subdomains.is_empty() {
        return None;
    }
    let system_of_entity = |e: EntityId| -> Option<EntityId> {
        if catalog.entities[e].kind == Kind::System {
            Some(e)
        } else {
            system_of.get(&e).copied()
        }
    };
    // A system as drawn: itself, or the sub-domain it is in.
    let node_of_system = |system: EntityId| -> DomainNode {
        match domain_of_system.get(&system).and_then(|&d| inside(d)) {
            Some(d) if d == domain => DomainNode {
                id: system,
                external: false,
            },
            Some(child) => DomainNode {
                id: child,
                external: false,
            },
            None => DomainNode {
                id: system,
                external: true,
            },
        }
    };
    let mut edges: BTreeMap<(EntityId, EntityId), BTreeSet<String>> = BTreeMap::new();
    let mut nodes: BTreeMap<EntityId, DomainNode> = BTreeMap::new();
    for &id in &members {
        nodes.insert(
            id,
            DomainNode {
                id,
                external: false,
            },
        );
    }
    for &id in &subdomains {
        nodes.insert(
            id,
            DomainNode {
                id,
                external: false,
            },
        );
    }
    // Only the dependencies whose depending system is in this domain or
    // one of its sub-domains: the others start outside and are not drawn.
    let dependencies = index
        .dependencies_in
        .get(&domain)
        .into_iter()
        .flatten()
        .map(|&i| index.dependencies[i]);
    for (from, to, (subject, verb, object)) in dependencies {
        let (Some(a), Some(b)) = (system_of_entity(from), system_of_entity(to)) else {
            continue;
        };
        let (a, b) = (node_of_system(a), node_of_system(b));
        if a.id == b.id || a.external {
            continue;
        }
        nodes.insert(b.id, b);
        edges.entry((a.id, b.id)).or_default().insert(format!(
            "{} {verb} {}",
            label_of(subject),
            label_of(object)
        ));
    }

    // Layout: nodes in a stable order (inside first, then by label).
    let mut order: Vec<DomainNode> = nodes.values().copied().collect();
    order.sort_by_key(|n| {
        (
            n.external,
            label_of(n.id).to_ascii_lowercase(),
            catalog.entities[n.id].entity_ref().to_string(),
        )
    });
    let index: BTreeMap<EntityId, usize> =
        order.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let edge_list: Vec<(usize, usize)> = edges.keys().map(|(a, b)| (index[a], index[b])).collect();
    let layout = layered_layout(order.len(), &edge_list);

    let layers = layout.layers.len().max(1) as i64;
    let rows = layout.layers.iter().map(Vec::len).max().unwrap_or(1) as i64;
    let width = MARGIN * 2 + layers * NODE_W + (layers - 1) * DOMAIN_GAP_X;
    let height = MARGIN * 2 + rows * (NODE_H + GAP_Y) - GAP_Y;
    let x_of = |layer: usize| MARGIN + layer as i64 * (NODE_W + DOMAIN_GAP_X);
    // Each layer centred vertically.
    let y_of = |layer: usize, row: usize| {
        let offset = (rows - layout.layers[layer].len() as i64) * (NODE_H + GAP_Y) / 2;
        MARGIN + offset + row as i64 * (NODE_H + GAP_Y)
    };

    let title = format!("Systems of {} and their dependencies", label_of(domain));
    let description = format!(
        "{} system{} and {} sub-domain{} of {}, {} dependenc{} between systems. An arrow points from a system to one it depends on: its components or resources depend on the other's, or consume an API the other provides; the number on an arrow counts those relations. Dashed boxes are outside the domain.",
        members.len(),
        if members.len() == 1 { "" } else { "s" },
        subdomains.len(),
        if subdomains.len() == 1 { "" } else { "s" },
        label_of(domain),
        edges.len(),
        if edges.len() == 1 { "y" } else { "ies" },
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"graph domain-graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-labelledby=\"domain-graph-title domain-graph-desc\">\
<title id=\"domain-graph-title\">{}</title><desc id=\"domain-graph-desc\">{}</desc>\
<defs><marker id=\"domain-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/></marker></defs>",
        esc(&title),
        esc(&description)
    );
    for (edge, route) in edge_list.iter().zip(&layout.routes) {
        let (from, to) = (order[edge.0].id, order[edge.1].id);
        let via = &edges[&(from, to)];
        // The route runs left to right; an edge that goes back (a cycle)
        // is drawn right to left, a little lower, so it does not hide its
        // partner.
        let drop = if route.reversed { NODE_H / 4 } else { 0 };
        let mut points: Vec<(i64, i64)> = Vec::new();
        for (k, &(layer, row)) in route.slots.iter().enumerate() {
            let (x, y) = (x_of(layer), y_of(layer, row) + NODE_H / 2 + drop);
            if k > 0 {
                points.push((x, y));
            }
            if k + 1 < route.slots.len() {
                points.push((x + NODE_W, y));
            }
        }
        if route.reversed {
            points.reverse();
        }
        let mut d = format!("M {} {}", points[0].0, points[0].1);
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            if y0 == y1 {
                let _ = write!(d, " L {x1} {y1}");
            } else {
                let mid = (x0 + x1) / 2;
                let _ = write!(d, " C {mid} {y0}, {mid} {y1}, {x1} {y1}");
            }
        }
        let _ = write!(
            svg,
            "<path class=\"edge depends-on{}\" d=\"{d}\" marker-end=\"url(#domain-arrow)\"><title>{} → {}: {} relation{} ({})</title></path>",
            if order[edge.1].external {
                " external"
            } else {
                ""
            },
            esc(&label_of(from)),
            esc(&label_of(to)),
            via.len(),
            if via.len() == 1 { "" } else { "s" },
            esc(&via.iter().cloned().collect::<Vec<_>>().join("; "))
        );
        if via.len() > 1 {
            // On the first gap the edge crosses: above it, or below an edge
            // drawn back (its partner runs just above).
            let ((x0, y0), (x1, y1)) = (points[0], points[1]);
            let _ = write!(
                svg,
                "<text class=\"edge-count\" x=\"{}\" y=\"{}\">{}</text>",
                (x0 + x1) / 2,
                (y0 + y1) / 2 + if route.reversed { 13 } else { -4 },
                via.len()
            );
        }
    }
    for (i, node) in order.iter().enumerate() {
        let (layer, row) = layout.positions[i];
        let (x, y) = (x_of(layer), y_of(layer, row));
        let entity = &catalog.entities[node.id];
        let kind = entity.kind_name.to_ascii_lowercase();
        let full = label_of(node.id);
        let (label, _) = fit_label(&full);
        let what = match (entity.kind, node.external) {
            (Kind::Domain, _) => "sub-domain",
            (_, true) => "system outside this domain",
            _ => "system",
        };
        let _ = write!(
            svg,
            "<a href=\"{}\"><g class=\"node {kind}{}\"><title>{} ({what})</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">{}</text></g></a>",
            esc(&url_of(node.id)),
            if node.external { " external" } else { "" },
            esc(&full),
            x + 10,
            y + NODE_H / 2 + 5,
            esc(&label)
        );
    }
    svg.push_str("</svg>");
    // The list in the order of the picture's nodes.
    let mut edges: Vec<(usize, usize, EdgeText)> = edges
        .into_iter()
        .map(|((from, to), via)| {
            let (a, b) = (&order[index[&from]], &order[index[&to]]);
            let text = EdgeText {
                from: node_link(from, a.external, url_of, label_of),
                relation: "depends on",
                to: node_link(to, b.external, url_of, label_of),
                via: via.into_iter().collect(),
            };
            (index[&from], index[&to], text)
        })
        .collect();
    edges.sort_by_key(|(a, b, _)| (*a, *b));
    Some(Graph {
        svg,
        edges: edges.into_iter().map(|(_, _, text)| text).collect(),
    })
}

/// Where a layered layout puts nodes and edges.
#[derive(Debug, PartialEq, Eq)]
struct Layout {
    /// (layer, row) of each node.
    positions: Vec<(usize, usize)>,
    /// Per layer, its slots top to bottom: a node, or a long edge passing.
    layers: Vec<Vec<Slot>>,
    /// Per input edge, the slots it passes from its left end to its right.
    routes: Vec<Route>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Node(usize),
    /// Edge number, and which of its passing slots.
    Pass(usize, usize),
}

#[derive(Debug, PartialEq, Eq)]
struct Route {
    /// (layer, row) from the left end to the right end.
    slots: Vec<(usize, usize)>,
    /// The edge points right to left (it closes a cycle).
    reversed: bool,
}

/// A layered (Sugiyama-style) layout of `n` nodes and the `edges` between
/// them, `from` left of `to` where the edges allow: cycles are broken by
/// reversing the edges a depth-first search finds going back, layers are
/// longest paths from the sources, edges that span layers pass through a
/// slot of each layer between, and each layer is ordered by the average
/// row of its neighbours (sweeps down and up, keeping the order with the
/// fewest crossings). Everything depends on the input order only, so the
/// same graph gives the same picture.
fn layered_layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    // Edges are handled in (from, to) order, whatever order they came in.
    let mut sorted: Vec<usize> = (0..edges.len()).collect();
    sorted.sort_by_key(|&e| edges[e]);

    // Break cycles.
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &e in &sorted {
        let (a, b) = edges[e];
        if a != b {
            out[a].push(e);
        }
    }
    let mut reversed = vec![false; edges.len()];
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[node].get(*next) {
                *next += 1;
                let target = edges[e].1;
                match state[target] {
                    0 => {
                        state[target] = 1;
                        stack.push((target, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    let directed: Vec<(usize, usize)> = edges
        .iter()
        .zip(&reversed)
        .map(|(&(a, b), &r)| if r { (b, a) } else { (a, b) })
        .collect();

    // Longest-path layers (Kahn's order, smallest index first).
    let mut layer = vec![0usize; n];
    let mut indegree = vec![0usize; n];
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in directed.iter().filter(|(a, b)| a != b) {
        indegree[b] += 1;
        successors[a].push(b);
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &w in &successors[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.insert(w);
            }
        }
    }
    let layer_count = layer.iter().max().map_or(1, |m| m + 1);

    // Slots: nodes in input order, then the passes of long edges.
    let mut layers: Vec<Vec<Slot>> = vec![Vec::new(); layer_count];
    for (v, &l) in layer.iter().enumerate() {
        layers[l].push(Slot::Node(v));
    }
    // Links between slots of neighbouring layers.
    let mut links: Vec<(Slot, Slot)> = Vec::new();
    for &e in &sorted {
        let (a, b) = directed[e];
        if a == b {
            continue;
        }
        let mut previous = Slot::Node(a);
        for (k, l) in (layer[a] + 1..layer[b]).enumerate() {
            let pass = Slot::Pass(e, k);
            layers[l].push(pass);
            links.push((previous, pass));
            previous = pass;
        }
        links.push((previous, Slot::Node(b)));
    }
    let layer_of = |slot: Slot| match slot {
        Slot::Node(v) => layer[v],
        Slot::Pass(e, k) => layer[directed[e].0] + 1 + k,
    };

    // Order layers by barycentres.
    let row_map = |layers: &[Vec<Slot>]| -> BTreeMap<Slot, usize> {
        layers
            .iter()
            .flat_map(|l| l.iter().enumerate().map(|(r, &s)| (s, r)))
            .collect()
    };
    let crossings = |layers: &[Vec<Slot>]| -> usize {
        let rows = row_map(layers);
        let mut by_layer: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        for &(p, q) in &links {
            by_layer
                .entry(layer_of(p))
                .or_default()
                .push((rows[&p], rows[&q]));
        }
        by_layer
            .values()
            .map(|pairs| {
                let mut count = 0;
                for (i, &(a, b)) in pairs.iter().enumerate() {
                    for &(c, d) in &pairs[i + 1..] {
                        if (a < c && b > d) || (a > c && b < d) {
                            count += 1;
                        }
                    }
                }
                count
            })
            .sum()
    };
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers);
    for sweep in 0..8 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..layer_count).collect()
        } else {
            (0..layer_count.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let rows = row_map(&layers);
            let mut keyed: Vec<(f64, usize, Slot)> = layers[l]
                .iter()
                .enumerate()
                .map(|(row, &slot)| {
                    let neighbours: Vec<usize> = links
                        .iter()
                        .filter_map(|&(p, q)| match down {
                            true if q == slot => Some(rows[&p]),
                            false if p == slot => Some(rows[&q]),
                            _ => None,
                        })
                        .collect();
                    let key = if neighbours.is_empty() {
                        row as f64
                    } else {
                        neighbours.iter().sum::<usize>() as f64 / neighbours.len() as f64
                    };
                    (key, row, slot)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, _, slot)| slot).collect();
        }
        let count = crossings(&layers);
        if count < best_crossings {
            best_crossings = count;
            best = layers.clone();
        }
    }
    let layers = best;

    let rows = row_map(&layers);
    let positions = (0..n).map(|v| (layer[v], rows[&Slot::Node(v)])).collect();
    let routes = directed
        .iter()
        .enumerate()
        .map(|(e, &(a, b))| {
            let mut slots = vec![(layer[a], rows[&Slot::Node(a)])];
            for k in 0..layer[b].saturating_sub(layer[a] + 1) {
                let pass = Slot::Pass(e, k);
                slots.push((layer_of(pass), rows[&pass]));
            }
            slots.push((layer[b], rows[&Slot::Node(b)]));
            Route {
                slots,
                reversed: reversed[e],
            }
        })
        .collect();
    Layout {
        positions,
        layers,
        routes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Crossings between neighbouring layers, from the routes.
    fn crossings(layout: &Layout) -> usize {
        let segments: Vec<((usize, usize), (usize, usize))> = layout
            .routes
            .iter()
            .flat_map(|r| r.slots.windows(2).map(|w| (w[0], w[1])))
            .collect();
        let mut count = 0;
        for (i, &((la, ra), (_, rb))) in segments.iter().enumerate() {
            for &((lc, rc), (_, rd)) in &segments[i + 1..] {
                if la == lc && ((ra < rc && rb > rd) || (ra > rc && rb < rd)) {
                    count += 1;
                }
            }
        }
        count
    }

    #[test]
    fn the_layout_depends_on_the_graph_not_on_the_order_of_its_edges() {
        let edges = [(0, 3), (1, 2), (2, 4), (0, 4), (3, 1), (5, 2), (4, 0)];
        let first = layered_layout(6, &edges);
        assert_eq!(first, layered_layout(6, &edges), "the same twice");
        let mut shuffled = edges.to_vec();
        shuffled.reverse();
        shuffled.swap(1, 4);
        let second = layered_layout(6, &shuffled);
        assert_eq!(first.positions, second.positions);
        assert_eq!(first.layers.len(), second.layers.len());
        for (e, edge) in edges.iter().enumerate() {
            let s = shuffled.iter().position(|x| x == edge).unwrap();
            assert_eq!(first.routes[e], second.routes[s], "{edge:?}");
        }
    }

    #[test]
    fn dependants_sit_left_of_what_they_depend_on_and_cycles_are_broken() {
        // 0 → 1 → 2, 0 → 2, and 2 → 0 closing a cycle.
        let layout = layered_layout(3, &[(0, 1), (1, 2), (0, 2), (2, 0)]);
        assert_eq!(
            layout.positions.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        let reversed: Vec<bool> = layout.routes.iter().map(|r| r.reversed).collect();
        assert_eq!(reversed, vec![false, false, false, true]);
        for route in &layout.routes {
            // Routes run left to right, one layer per step.
            for w in route.slots.windows(2) {
                assert_eq!(w[1].0, w[0].0 + 1, "{route:?}");
            }
        }
        // 0 → 2 spans two layers: it passes a slot of layer 1, beside node 1.
        assert_eq!(layout.routes[2].slots.len(), 3);
        assert_eq!(layout.layers[1].len(), 3, "node 1 and two passes");
    }

    #[test]
    fn layers_are_ordered_to_avoid_crossings() {
        // Two chains whose ends are given in crossed order: 0 → 3, 1 → 2.
        let layout = layered_layout(4, &[(0, 3), (1, 2)]);
        assert_eq!(crossings(&layout), 0, "{layout:?}");
        // Unrelated nodes share the first layer.
        let layout = layered_layout(3, &[]);
        assert_eq!(layout.positions, vec![(0, 0), (0, 1), (0, 2)]);
    }

    #[test]
    fn an_entity_graph_draws_users_left_and_what_it_uses_right_up_to_a_limit() {
        // An API provided by one component and consumed by 25, which
        // depend on nothing else; the provider depends on a database.
        let mut docs = vec![
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team\n  definition: x\n".to_string(),
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: provider\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  providesApis: [api]\n  dependsOn: [resource:db]\n".to_string(),
            "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db\nspec:\n  type: database\n  owner: team\n".to_string(),
        ];
        for i in 0..25 {
            docs.push(format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: user-{i:02}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  consumesApis: [api]\n"
            ));
        }
        let source = portolan_core::source::MemorySource::new()
            .with_file("catalog-info.yaml", docs.join("---\n"));
        let config = portolan_core::config::Config::default();
        let options = portolan_check::CheckOptions::from_config(&config);
        let catalog = portolan_check::check(&source, &config, &[], &options)
            .unwrap()
            .catalog;
        let id_of = |name: &str| {
            catalog
                .entities
                .iter()
                .position(|e| e.name == name)
                .unwrap()
        };
        let url_of = |id: EntityId| format!("/{}/", catalog.entities[id].name);
        let label_of = |id: EntityId| catalog.entities[id].name.clone();
        let all = catalog.all_relations();

        let api = id_of("api");
        let graph = entity_graph(&catalog, api, &all[api], &url_of, &label_of).unwrap();
        // Every relation is in the list; the picture holds 12 users and
        // says how many more there are.
        assert_eq!(graph.edges.len(), 26);
        assert_eq!(
            graph
                .edges
                .iter()
                .filter(|e| e.relation == "consumes")
                .count(),
            25
        );
        assert!(
            graph.edges.iter().all(|e| e.to.label == "api"),
            "all point at the API"
        );
        assert_eq!(graph.svg.matches("<rect").count(), ENTITY_GRAPH_SIDE + 1);
        assert!(
            graph.svg.contains("and 14 more (listed under Relations)"),
            "{}",
            graph.svg
        );

        // A component: the API it provides and the database it depends on
        // on the right, nothing on the left.
        let provider = id_of("provider");
        let graph = entity_graph(&catalog, provider, &all[provider], &url_of, &label_of).unwrap();
        let sentences: Vec<String> = graph
            .edges
            .iter()
            .map(|e| format!("{} {} {}", e.from.label, e.relation, e.to.label))
            .collect();
        assert_eq!(
            sentences,
            ["provider provides api", "provider depends on db"]
        );
        assert_eq!(graph.svg.matches("<rect").count(), 3);
        assert!(graph.svg.contains("href=\"/db/\""));

        // Nothing to draw for an entity without such relations.
        assert!(entity_graph(&catalog, id_of("db"), &[], &url_of, &label_of).is_none());
    }
}
