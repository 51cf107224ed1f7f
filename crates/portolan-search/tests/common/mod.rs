//! The example catalog, checked, and site URLs shaped like the site's (the
//! site's own implementation of `SiteUrls` is tested against its rendered
//! pages in the `portolan` crate's tests).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use portolan_apis::model::{ApiModel, Channel, Message, Operation};
use portolan_catalog::{Catalog, EntityId};
use portolan_check::{CheckOptions, Checked, check, policy};
use portolan_core::source::DirSource;
use portolan_search::{ApiUrls, SearchDoc, SearchIndex, SiteUrls};

pub fn acme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

pub fn check_acme() -> Checked {
    check_dir(&acme())
}

/// Check the catalog in `root` with its portolan.toml (if any).
pub fn check_dir(root: &std::path::Path) -> Checked {
    let source = DirSource::new(root).unwrap();
    let (config, policies) = policy::configuration_in(&source).unwrap();
    check(
        &source,
        &config,
        &policies,
        &CheckOptions::from_config(&config),
    )
    .unwrap()
}

/// URLs of the same shape as the site's, simplified (no pagination of big
/// tags, no numbering of clashing slugs: the example has neither).
pub struct TestUrls<'a> {
    pub catalog: &'a Catalog,
}

/// The site's slug of tags and operation ids.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn segment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

impl SiteUrls for TestUrls<'_> {
    fn entity_url(&self, entity: EntityId) -> String {
        let e = &self.catalog.entities[entity];
        format!(
            "catalog/{}/{}/{}/",
            segment(&e.kind_name),
            segment(&e.namespace),
            segment(&e.name)
        )
    }

    fn api_urls<'a>(&'a self, api: EntityId, _model: &'a ApiModel) -> Box<dyn ApiUrls + 'a> {
        Box::new(TestApiUrls {
            root: format!("{}reference/", self.entity_url(api)),
        })
    }

    fn docs_url(&self, entity: EntityId, page: &str, heading_id: Option<&str>) -> String {
        let stem = page.trim_end_matches(".md");
        let page = match stem {
            "index" => String::new(),
            _ => format!("{}/", stem.strip_suffix("/index").unwrap_or(stem)),
        };
        let anchor = heading_id.map(|id| format!("#{id}")).unwrap_or_default();
        format!("{}docs/{page}{anchor}", self.entity_url(entity))
    }
}

struct TestApiUrls {
    root: String,
}

impl ApiUrls for TestApiUrls {
    fn operation_url(&self, op: &Operation) -> String {
        let tag = op.tags.first().cloned().unwrap_or_else(|| "other".into());
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {}", op.method, op.path));
        format!("{}{}/#op-{}", self.root, slug(&tag), slug(&id))
    }

    fn schema_url(&self, name: &str) -> Option<String> {
        Some(format!("{}schemas/{}/", self.root, slug(name)))
    }

    fn channel_url(&self, channel: &Channel) -> String {
        format!("{}#channel-{}", self.root, slug(&channel.name))
    }

    fn message_url(&self, message: &Message) -> String {
        format!("{}#msg-{}", self.root, slug(&message.key))
    }
}

pub struct Acme {
    pub docs: Vec<SearchDoc>,
    pub index: SearchIndex,
}

/// The example's documents and index, built once per test binary.
pub fn acme_index() -> &'static Acme {
    static ACME: OnceLock<Acme> = OnceLock::new();
    ACME.get_or_init(|| {
        let checked = check_acme();
        let docs = portolan_search::documents(
            &checked,
            &TestUrls {
                catalog: &checked.catalog,
            },
        );
        let files = portolan_search::index_files(&docs).unwrap();
        let index = SearchIndex::from_files(&files).unwrap();
        Acme { docs, index }
    })
}
