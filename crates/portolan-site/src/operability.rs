//! The operability card of an entity page, and the same data in
//! `catalog.json`: its SLOs (objective, window, error budget, what is
//! measured, burn-rate alerts, the measured status CI dropped beside them),
//! who is paged (PagerDuty, Opsgenie), its runbooks and its dashboards.
//! Everything comes from the catalog and the SLO files; nothing is
//! fetched. Only http(s) URLs become links.

use portolan_catalog::{Catalog, EntityId};
use portolan_check::Checked;
use portolan_core::yaml::Node;
use serde::Serialize;

use crate::markdown::safe_url;

/// A link or a plain value (when the annotation gives no URL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub title: String,
    /// Only http(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where it came from (`links`, or the annotation's key).
    pub source: String,
}

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operability {
    pub slos: Vec<portolan_slo::Slo>,
    pub oncall: Vec<Item>,
    pub runbooks: Vec<Item>,
    pub dashboards: Vec<Item>,
}

impl Operability {
    pub fn is_empty(&self) -> bool {
        self.slos.is_empty()
            && self.oncall.is_empty()
            && self.runbooks.is_empty()
            && self.dashboards.is_empty()
    }
}

fn http(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (safe_url(url) && !lower.starts_with("mailto:")).then(|| url.trim().to_string())
}

/// The card of entity `id`; `None` when it has nothing to show.
pub fn of_entity(checked: &Checked, catalog: &Catalog, id: EntityId) -> Option<Operability> {
    let entity = &catalog.entities[id];
    let annotation = |key: &str| {
        entity
            .annotation(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let mut out = Operability {
        slos: checked.slos.of_entity(id).cloned().collect(),
        oncall: Vec::new(),
        runbooks: Vec::new(),
        dashboards: Vec::new(),
    };
    // `metadata.links` by type.
    let links = entity
        .node
        .get("metadata")
        .and_then(|m| m.get("links"))
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for link in links {
        let Some(url) = link.get("url").and_then(Node::as_str) else {
            continue;
        };
        let kind = link
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let title = link
            .get("title")
            .and_then(Node::as_str)
            .unwrap_or(url)
            .to_string();
        let item = Item {
            title,
            url: http(url),
            source: "links".into(),
        };
        match kind.as_str() {
            "runbook" | "playbook" => out.runbooks.push(item),
            "dashboard" => out.dashboards.push(item),
            "oncall" | "on-call" | "pager" => out.oncall.push(item),
            _ => {}
        }
    }
    if let Some(id) = annotation("pagerduty.com/service-id") {
        out.oncall.push(Item {
            title: format!("PagerDuty service {id}"),
            url: id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
                .then(|| format!("https://app.pagerduty.com/service-directory/{id}")),
            source: "pagerduty.com/service-id".into(),
        });
    } else if annotation("pagerduty.com/integration-key").is_some() {
        // The key is a secret-ish routing key: said, never shown.
        out.oncall.push(Item {
            title: "PagerDuty (by integration key)".into(),
            url: None,
            source: "pagerduty.com/integration-key".into(),
        });
    }
    for key in ["opsgenie.com/team", "opsgenie.com/component-selector"] {
        if let Some(value) = annotation(key) {
            out.oncall.push(Item {
                title: format!("Opsgenie {value}"),
                url: None,
                source: key.into(),
            });
        }
    }
    for (key, title) in [
        ("grafana/overview-dashboard", "Grafana overview"),
        ("datadoghq.com/dashboard-url", "Datadog dashboard"),
    ] {
        if let Some(value) = annotation(key) {
            out.dashboards.push(Item {
                title: title.into(),
                url: http(value),
                source: key.into(),
            });
        }
    }
    for (key, title) in [
        ("grafana/dashboard-selector", "Grafana dashboards"),
        ("newrelic.com/dashboard-guid", "New Relic dashboard"),
    ] {
        if let Some(value) = annotation(key) {
            out.dashboards.push(Item {
                title: format!("{title}: {value}"),
                url: None,
                source: key.into(),
            });
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A hash of what the card shows, for `serve`'s cache of entity pages.
pub fn fingerprint(checked: &Checked, catalog: &Catalog, id: EntityId) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    for slo in checked.slos.of_entity(id) {
        serde_json::to_string(slo)
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    // Links and annotations are part of the entity's document, which
    // re-renders the page by itself when it changes.
    let _ = catalog;
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            http("https://grafana.example/d/x"),
            Some("https://grafana.example/d/x".into())
        );
        assert_eq!(http("javascript:alert(1)"), None);
        assert_eq!(http("mailto:oncall@example.com"), None);
        assert_eq!(http("data:text/html,x"), None);
    }
}
