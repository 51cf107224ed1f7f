//! What an entity page shows besides its own fields (issue 14, item 4):
//! its links, sorted by what they lead to (docs, runbook, dashboard,
//! on-call, source, chat) so the theme can put an icon on each; the APIs it
//! provides and consumes, with their operation counts per method; and, on
//! a group's page, the team: members, sub-teams, parent and what it owns
//! grouped by kind.
//!
//! Everything here is data for the templates; the URLs kept are those
//! [`crate::markdown::safe_url`] allows.

use std::collections::BTreeMap;

use portolan_apis::model::ApiModel;
use portolan_catalog::relations::RelationType;
use portolan_catalog::{Catalog, Entity, EntityId, Relation};
use serde::Serialize;

use crate::markdown::safe_url;

/// What a link leads to. The theme draws an icon per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Docs,
    Runbook,
    Dashboard,
    Oncall,
    Source,
    Chat,
    Other,
}

impl LinkKind {
    /// The words a link's `type` or `icon` (Backstage leaves both free)
    /// use for each kind, lower-case.
    fn from_word(word: &str) -> Option<LinkKind> {
        let word = word.trim().to_ascii_lowercase();
        let kind = match word.as_str() {
            "docs" | "doc" | "documentation" | "techdocs" | "wiki" | "book" | "manual"
            | "guide" | "api-docs" | "reference" => LinkKind::Docs,
            "runbook" | "runbooks" | "playbook" | "help" | "troubleshooting" => LinkKind::Runbook,
            "dashboard" | "dashboards" | "metrics" | "monitoring" | "grafana" | "observability"
            | "logs" | "kibana" | "datadog" | "status" => LinkKind::Dashboard,
            "oncall" | "on-call" | "on call" | "pagerduty" | "opsgenie" | "alert" | "alerts"
            | "incident" | "incidents" | "escalation" => LinkKind::Oncall,
            "source" | "code" | "repo" | "repository" | "github" | "gitlab" | "bitbucket"
            | "git" | "scm" => LinkKind::Source,
            "chat" | "slack" | "discord" | "mattermost" | "matrix" | "channel" | "zulip" => {
                LinkKind::Chat
            }
            _ => return None,
        };
        Some(kind)
    }

    /// A kind from a link's title: the first word of it that names one.
    fn from_title(title: &str) -> Option<LinkKind> {
        let lower = title.to_ascii_lowercase();
        if lower.contains("on-call") || lower.contains("on call") {
            return Some(LinkKind::Oncall);
        }
        lower
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .find_map(LinkKind::from_word)
    }

    /// A kind from where a link points: well-known hosts, then words in
    /// the host name or path.
    fn from_url(url: &str) -> Option<LinkKind> {
        let lower = url.to_ascii_lowercase();
        let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        let kind = if ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"]
            .iter()
            .any(|d| on(d))
        {
            LinkKind::Source
        } else if ["slack.com", "discord.com", "discord.gg", "zulipchat.com"]
            .iter()
            .any(|d| on(d))
            || host == "teams.microsoft.com"
        {
            LinkKind::Chat
        } else if ["pagerduty.com", "opsgenie.com", "victorops.com"]
            .iter()
            .any(|d| on(d))
        {
            LinkKind::Oncall
        } else if [
            "datadoghq.com",
            "datadoghq.eu",
            "newrelic.com",
            "grafana.net",
        ]
        .iter()
        .any(|d| on(d))
        {
            LinkKind::Dashboard
        } else if ["readthedocs.io", "readthedocs.org", "gitbook.io"]
            .iter()
            .any(|d| on(d))
        {
            LinkKind::Docs
        } else {
            // Words in the host's labels and the path's segments: the
            // first that names a kind (`runbooks.acme.example`,
            // `grafana.internal/d/…`, `/docs/…`).
            let words = host
                .split('.')
                .chain(path.split(['/', '?', '#', '.', '_']))
                .filter(|w| !w.is_empty());
            return words
                .map(|w| match w {
                    "d" => None,
                    w => LinkKind::from_word(w),
                })
                .find(Option::is_some)
                .flatten();
        };
        Some(kind)
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Docs => "Docs",
            LinkKind::Runbook => "Runbook",
            LinkKind::Dashboard => "Dashboard",
            LinkKind::Oncall => "On call",
            LinkKind::Source => "Source",
            LinkKind::Chat => "Chat",
            LinkKind::Other => "Link",
        }
    }
}

/// What a link leads to, from (in this order) its `type`, its `icon`, its
/// title and its URL; [`LinkKind::Other`] when none says.
pub fn link_kind(link_type: Option<&str>, icon: Option<&str>, title: &str, url: &str) -> LinkKind {
    link_type
        .and_then(LinkKind::from_word)
        .or_else(|| icon.and_then(LinkKind::from_word))
        .or_else(|| LinkKind::from_title(title))
        .or_else(|| LinkKind::from_url(url))
        .unwrap_or(LinkKind::Other)
}

/// One link of an entity page's Links card.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub url: String,
    pub title: String,
    pub kind: LinkKind,
    pub kind_label: &'static str,
}

/// An entity's links: `metadata.links` and those that well-known
/// annotations imply, by kind (docs first), in the order written within a
/// kind. A URL of a scheme a browser could run (`javascript:`) is dropped.
pub fn entity_links(entity: &Entity) -> Vec<LinkView> {
    let mut out = Vec::new();
    let mut push = |kind: LinkKind, url: &str, title: &str| {
        if safe_url(url) {
            out.push(LinkView {
                url: url.to_string(),
                title: title.to_string(),
                kind,
                kind_label: kind.label(),
            });
        }
    };
    for link in entity
        .node
        .pointer("/metadata/links")
        .and_then(|n| n.as_seq())
        .into_iter()
        .flatten()
    {
        let Some(url) = link.get("url").and_then(|n| n.as_str()) else {
            continue;
        };
        let title = link.get("title").and_then(|n| n.as_str()).unwrap_or(url);
        let kind = link_kind(
            link.get("type").and_then(|n| n.as_str()),
            link.get("icon").and_then(|n| n.as_str()),
            title,
            url,
        );
        push(kind, url, title);
    }
    for (kind, url, title) in annotation_links(entity) {
        push(kind, &url, &title);
    }
    // Stable: links of one kind keep the order they were written in.
    out.sort_by_key(|l| l.kind);
    out
}

/// Links from well-known annotations: (kind, URL, title).
fn annotation_links(entity: &Entity) -> Vec<(LinkKind, String, String)> {
    let mut out = Vec::new();
    for (key, host) in [
        ("github.com/project-slug", "github.com"),
        ("gitlab.com/project-slug", "gitlab.com"),
    ] {
        if let Some(slug) = entity.annotation(key) {
            let name = if host == "github.com" {
                "GitHub"
            } else {
                "GitLab"
            };
            out.push((
                LinkKind::Source,
                format!("https://{host}/{slug}"),
                format!("{name}: {slug}"),
            ));
        }
    }
    for (key, label) in [
        ("backstage.io/source-location", "Source"),
        ("backstage.io/view-url", "View"),
        ("backstage.io/edit-url", "Edit"),
    ] {
        if let Some(value) = entity.annotation(key) {
            let url = value.strip_prefix("url:").unwrap_or(value);
            out.push((LinkKind::Source, url.to_string(), format!("{label}: {url}")));
        }
    }
    if let Some(id) = entity.annotation("pagerduty.com/service-id") {
        out.push((
            LinkKind::Oncall,
            format!("https://app.pagerduty.com/service-directory/{id}"),
            format!("PagerDuty service {id}"),
        ));
    }
    if let Some(url) = entity.annotation("grafana/overview-dashboard") {
        out.push((
            LinkKind::Dashboard,
            url.to_string(),
            "Grafana dashboard".into(),
        ));
    }
    out
}

/// What an entity page shows of an API it provides or consumes, made once
/// per API with a definition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ApiCounts {
    /// `OpenAPI 3.1.0`, `AsyncAPI 3.0.0`.
    pub format: String,
    /// Operations (HTTP operations and webhooks, or AsyncAPI operations).
    pub operations: usize,
    /// Operations per HTTP method (upper-case, in the usual order) or per
    /// AsyncAPI action (`send`, `receive`).
    pub methods: Vec<MethodCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MethodCount {
    pub method: String,
    pub count: usize,
}

/// The usual order of HTTP methods; anything else after them.
fn method_rank(method: &str) -> usize {
    const ORDER: &[&str] = &[
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "SEND", "RECEIVE",
    ];
    ORDER
        .iter()
        .position(|m| *m == method)
        .unwrap_or(ORDER.len())
}

impl ApiCounts {
    pub fn of(format: String, model: &ApiModel) -> ApiCounts {
        let mut by_method: BTreeMap<String, usize> = BTreeMap::new();
        for op in model.operations.iter().chain(&model.webhooks) {
            *by_method.entry(op.method.to_ascii_uppercase()).or_default() += 1;
        }
        for op in &model.async_operations {
            *by_method.entry(op.action.to_ascii_uppercase()).or_default() += 1;
        }
        let mut methods: Vec<MethodCount> = by_method
            .into_iter()
            .map(|(method, count)| MethodCount { method, count })
            .collect();
        methods.sort_by(|a, b| {
            (method_rank(&a.method), &a.method).cmp(&(method_rank(&b.method), &b.method))
        });
        ApiCounts {
            format,
            operations: model.operations.len()
                + model.webhooks.len()
                + model.async_operations.len(),
            methods,
        }
    }
}

/// The API references of an entity (`providesApis`, `consumesApis`), in
/// the order written: (relation, API).
pub fn api_uses(catalog: &Catalog, id: EntityId) -> Vec<(RelationType, EntityId)> {
    let mut seen = std::collections::BTreeSet::new();
    catalog
        .references_from(id)
        .iter()
        .filter(|r| {
            matches!(
                r.relation,
                RelationType::ProvidesApi | RelationType::ConsumesApi
            )
        })
        .filter_map(|r| Some((r.relation, r.resolved?)))
        // An API named twice is listed once.
        .filter(|&use_| seen.insert(use_))
        .collect()
}

/// The relations a team card shows, split out of a group's relations:
/// (parent groups, sub-groups, members), each sorted by label later.
pub fn team_relations(relations: &[Relation]) -> (Vec<&Relation>, Vec<&Relation>, Vec<&Relation>) {
    let of = |t: RelationType| relations.iter().filter(move |r| r.relation == t).collect();
    (
        of(RelationType::ChildOf),
        of(RelationType::ParentOf),
        of(RelationType::HasMember),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_type_wins_then_icon_then_title_then_url() {
        use LinkKind::*;
        // (type, icon, title, URL, what it is)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, &'a str, LinkKind);
        let cases: &[Case<'_>] = &[
            // `type` says it, whatever the rest says.
            (
                Some("runbook"),
                Some("dashboard"),
                "Grafana",
                "https://github.com/x",
                Runbook,
            ),
            (
                Some("Dashboard"),
                None,
                "x",
                "https://example.com",
                Dashboard,
            ),
            // An unknown type falls through to the icon.
            (Some("misc"), Some("chat"), "x", "https://example.com", Chat),
            // Backstage's `help` icon is what runbook links often carry.
            (
                None,
                Some("help"),
                "Troubleshooting",
                "https://example.com",
                Runbook,
            ),
            // Titles: any word of it.
            (
                None,
                None,
                "Service dashboard",
                "https://example.com/x",
                Dashboard,
            ),
            (
                None,
                None,
                "Team on-call schedule",
                "https://example.com/x",
                Oncall,
            ),
            (
                None,
                None,
                "API documentation",
                "https://example.com/x",
                Docs,
            ),
            (
                None,
                None,
                "#payments on Slack",
                "https://example.com/x",
                Chat,
            ),
            // URLs: known hosts, then words of host and path.
            (None, None, "x", "https://github.com/acme/cart", Source),
            // A self-hosted forge is named by its host.
            (
                None,
                None,
                "x",
                "https://gitlab.acme.internal/team/cart",
                Source,
            ),
            (None, None, "x", "https://acme.slack.com/archives/C1", Chat),
            (
                None,
                None,
                "x",
                "https://teams.microsoft.com/l/channel/1",
                Chat,
            ),
            (
                None,
                None,
                "x",
                "https://acme.pagerduty.com/services/P1",
                Oncall,
            ),
            (
                None,
                None,
                "x",
                "https://runbooks.acme.example/cart",
                Runbook,
            ),
            (
                None,
                None,
                "x",
                "https://grafana.acme.example/d/abc/cart",
                Dashboard,
            ),
            (None, None, "x", "https://intranet.example/docs/cart", Docs),
            (
                None,
                None,
                "x",
                "https://cart.readthedocs.io/en/latest/",
                Docs,
            ),
            (None, None, "Home page", "https://www.example.com/", Other),
            // A host that only contains a known name is not it.
            (None, None, "x", "https://notgithub.com/acme", Other),
        ];
        for (link_type, icon, title, url, want) in cases {
            assert_eq!(
                link_kind(*link_type, *icon, title, url),
                *want,
                "{link_type:?} {icon:?} {title:?} {url:?}"
            );
        }
    }

    #[test]
    fn annotations_become_links_and_unsafe_urls_are_dropped() {
        let yaml = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: cart\n  links:\n    - url: javascript:alert(1)\n      title: Dashboard\n    - url: https://chat.example/cart\n      title: Cart room\n      type: chat\n    - url: https://docs.example/cart\n  annotations:\n    github.com/project-slug: acme/cart\n    pagerduty.com/service-id: P123\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";
        let source =
            portolan_core::source::MemorySource::new().with_file("catalog-info.yaml", yaml);
        let config = portolan_core::config::Config::default();
        let options = portolan_check::CheckOptions::from_config(&config);
        let catalog = portolan_check::check(&source, &config, &[], &options)
            .unwrap()
            .catalog;
        let links = entity_links(&catalog.entities[0]);
        let shown: Vec<(LinkKind, &str)> = links.iter().map(|l| (l.kind, l.url.as_str())).collect();
        assert_eq!(
            shown,
            vec![
                (LinkKind::Docs, "https://docs.example/cart"),
                (
                    LinkKind::Oncall,
                    "https://app.pagerduty.com/service-directory/P123"
                ),
                (LinkKind::Source, "https://github.com/acme/cart"),
                (LinkKind::Chat, "https://chat.example/cart"),
            ]
        );
        // A link without a title is titled by its URL.
        assert_eq!(links[0].title, "https://docs.example/cart");
    }

    #[test]
    fn api_counts_go_by_method_in_the_usual_order_and_uses_are_listed_once() {
        let yaml = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team\n  definition: |\n    openapi: 3.1.0\n    info: {title: Orders, version: '1'}\n    paths:\n      /orders:\n        delete: {responses: {'204': {description: gone}}}\n        post: {responses: {'201': {description: made}}}\n        get: {responses: {'200': {description: ok}}}\n      /orders/{id}:\n        parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n        get: {responses: {'200': {description: ok}}}\n    webhooks:\n      shipped:\n        post: {responses: {'200': {description: ok}}}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  providesApis: [orders, orders]\n  consumesApis: [orders]\n";
        let source =
            portolan_core::source::MemorySource::new().with_file("catalog-info.yaml", yaml);
        let config = portolan_core::config::Config::default();
        let options = portolan_check::CheckOptions::from_config(&config);
        let checked = portolan_check::check(&source, &config, &[], &options).unwrap();
        let catalog = &checked.catalog;
        let id_of = |name: &str| {
            catalog
                .entities
                .iter()
                .position(|e| e.name == name)
                .unwrap()
        };
        let (api, shop) = (id_of("orders"), id_of("shop"));
        let model = checked.apis[&api].model().expect("a model");
        let counts = ApiCounts::of("OpenAPI 3.1".into(), model);
        assert_eq!(counts.operations, 5);
        let methods: Vec<(&str, usize)> = counts
            .methods
            .iter()
            .map(|m| (m.method.as_str(), m.count))
            .collect();
        assert_eq!(methods, [("GET", 2), ("POST", 2), ("DELETE", 1)]);
        assert_eq!(
            api_uses(catalog, shop),
            [
                (RelationType::ProvidesApi, api),
                (RelationType::ConsumesApi, api)
            ]
        );
    }
}
