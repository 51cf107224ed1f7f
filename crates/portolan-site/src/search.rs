//! The site's routes for the search stage ([`portolan_search::SiteUrls`]),
//! and the search indexes written with the site: the tantivy index under
//! `_search/` (for `portolan search` and `serve`).

use std::collections::BTreeMap;

use portolan_apis::model::{ApiModel, Channel, Message, Operation};
use portolan_catalog::{Catalog, EntityId};
use portolan_search::{ApiUrls, SiteUrls};

use crate::pages::entity_url;
use crate::reference::{ReferenceUrls, operation_urls, slug};

/// Where the tantivy index goes in the site.
pub const INDEX_DIR: &str = "_search";

/// URLs exactly as the pages are rendered (tested against the rendered
/// pages: every search result URL lands on an element of the site).
pub struct SiteRoutes<'a> {
    pub catalog: &'a Catalog,
    pub base: &'a str,
}

impl SiteUrls for SiteRoutes<'_> {
    fn entity_url(&self, entity: EntityId) -> String {
        entity_url(self.catalog, entity)
    }

    fn api_urls<'a>(&'a self, api: EntityId, model: &'a ApiModel) -> Box<dyn ApiUrls + 'a> {
        let urls = ReferenceUrls::new(
            format!("{}reference/", entity_url(self.catalog, api)),
            self.base,
            model,
        );
        let operations = operation_urls(model, &urls).into_iter().collect();
        Box::new(ApiRoutes { urls, operations })
    }

    fn docs_url(&self, entity: EntityId, page: &str, heading_id: Option<&str>) -> String {
        let root = format!("{}docs/", entity_url(self.catalog, entity));
        let path = crate::docs::page_path(&root, page);
        match heading_id {
            Some(id) => format!("{path}#{id}"),
            None => path,
        }
    }
}

struct ApiRoutes {
    urls: ReferenceUrls,
    /// Operation pointer → its URL.
    operations: BTreeMap<String, String>,
}

impl ApiUrls for ApiRoutes {
    fn operation_url(&self, operation: &Operation) -> String {
        self.operations
            .get(&operation.pointer)
            .cloned()
            .unwrap_or_else(|| self.urls.root.clone())
    }

    fn schema_url(&self, name: &str) -> Option<String> {
        self.urls.schema_path(name)
    }

    fn channel_url(&self, channel: &Channel) -> String {
        format!("{}#channel-{}", self.urls.root, slug(&channel.name))
    }

    fn message_url(&self, message: &Message) -> String {
        format!("{}#msg-{}", self.urls.root, slug(&message.key))
    }
}
