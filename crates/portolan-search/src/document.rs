//! What is searchable: one [`SearchDoc`] per entity, API operation, named
//! schema, AsyncAPI channel and message, and docs page section, each with a
//! URL into the site and the facets results can be filtered by.

use portolan_apis::model::{ApiModel, Channel, Message, NamedSchema, Operation, Schema};
use portolan_catalog::{Catalog, EntityId};
use portolan_check::Checked;
use portolan_check::docs::DocSet;
use rayon::prelude::*;
use serde::Serialize;

use crate::markdown::{plain_text, sections};

/// Where things are in the site. The site stage implements this (it owns
/// the routes); every URL is a path relative to the site's root, without
/// the base URL and without a leading `/`, e.g.
/// `catalog/component/default/payments-gateway/`, with `#anchor` where the
/// thing is a part of a page.
pub trait SiteUrls: Sync {
    /// The entity's page.
    fn entity_url(&self, entity: EntityId) -> String;

    /// Links into the reference pages of one API entity, whose normalised
    /// model is `model`. Called once per API, so the implementation can
    /// work out its page layout once.
    fn api_urls<'a>(&'a self, api: EntityId, model: &'a ApiModel) -> Box<dyn ApiUrls + 'a>;

    /// A docs page of an entity (`page` as in [`DocSet::pages`], e.g.
    /// `guide/setup.md`), at a heading when `heading_id` is given: the id
    /// the site gives that heading (see [`crate::markdown::sections`]:
    /// `portolan_check::docs::heading_slug` and `unique_heading_id`, as
    /// MkDocs makes them).
    fn docs_url(&self, entity: EntityId, page: &str, heading_id: Option<&str>) -> String;
}

/// Links into one API's reference pages.
pub trait ApiUrls {
    /// An operation or webhook of [`ApiModel::operations`] /
    /// [`ApiModel::webhooks`] (its `pointer` tells them apart): the page of
    /// its tag that lists it, at its anchor.
    fn operation_url(&self, operation: &Operation) -> String;
    /// A named schema's page; `None` when the site gives it none.
    fn schema_url(&self, name: &str) -> Option<String>;
    /// A channel (AsyncAPI).
    fn channel_url(&self, channel: &Channel) -> String;
    /// A message (AsyncAPI), by its key.
    fn message_url(&self, message: &Message) -> String;
}

/// One searchable thing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchDoc {
    /// The entity's kind lower-cased (`component`, `api`, `group`, ...), or
    /// `operation`, `schema`, `channel`, `message`, `docs`.
    pub kind: String,
    /// What a result shows first: an entity's title (else its name), an
    /// operation's summary (else its id, else method and path), a heading.
    pub title: String,
    /// Identifiers, matched whole: an entity's name, an operationId, a
    /// schema, channel or message name.
    pub names: Vec<String>,
    /// The line under the title: an entity's ref, an operation's
    /// `GET /v1/refunds`, the API a schema belongs to, where a docs section
    /// is.
    pub subtitle: String,
    /// A short description: an operation's summary, a message's.
    pub summary: String,
    pub tags: Vec<String>,
    /// Other words worth finding that are not prose: spec type, lifecycle,
    /// owner and system names, chosen annotations, parameter names.
    pub keywords: Vec<String>,
    /// Prose, as plain text (markdown stripped).
    pub body: String,
    /// Site path with anchor (see [`SiteUrls`]).
    pub url: String,
    /// Ref of the entity this belongs to (itself, for an entity), e.g.
    /// `api:default/payments-api`.
    pub entity: String,
    /// Ref of the owning entity (`group:default/payments-team`), lower-cased.
    pub owner: Option<String>,
    pub lifecycle: Option<String>,
    /// `spec.type` of the entity.
    pub spec_type: Option<String>,
    /// Ref of the entity's system, lower-cased.
    pub system: Option<String>,
    /// For operations, schemas, channels and messages: the API entity's name.
    pub api: Option<String>,
}

/// Annotations whose values people search for (a repository slug, a
/// PagerDuty service id); others are mostly URLs and noise.
const SEARCHABLE_ANNOTATIONS: &[&str] = &[
    "github.com/project-slug",
    "github.com/team-slug",
    "gitlab.com/project-slug",
    "gitlab.com/project-id",
    "pagerduty.com/service-id",
    "opsgenie.com/team",
    "jira/project-key",
    "sonarqube.org/project-key",
    "backstage.io/kubernetes-id",
];

/// Bodies longer than this are cut: snippets come from the start of long
/// texts anyway, and one generated description must not grow the index
/// without bound.
const MAX_BODY_BYTES: usize = 32 * 1024;

/// Whether the site gives the entity a page: it has a kind and a name, and
/// is the one entity of that identity (a duplicate is reported, not shown).
fn is_listed(catalog: &Catalog, id: EntityId) -> bool {
    let e = &catalog.entities[id];
    e.has_identity() && catalog.index.get(e.key_ref()) == Some(&id)
}

/// The ref (lower-cased key) of what the entity's `field` refers to.
fn field_ref(catalog: &Catalog, id: EntityId, field: &str) -> Option<String> {
    let reference = catalog
        .references_from(id)
        .iter()
        .find(|r| r.field == field)?;
    Some(match reference.resolved {
        Some(target) => catalog.entities[target].key().to_string(),
        None => reference.target.key().to_string(),
    })
}

/// The name part of a ref (`group:default/payments-team` → `payments-team`).
fn ref_name(entity_ref: &str) -> &str {
    entity_ref.rsplit('/').next().unwrap_or(entity_ref)
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_BODY_BYTES {
        let mut end = MAX_BODY_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Join non-empty pieces of text with a space.
fn join<'a>(pieces: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for piece in pieces {
        let piece = piece.trim();
        if !piece.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(piece);
        }
    }
    out
}

fn md(text: Option<&str>) -> String {
    text.map(plain_text).unwrap_or_default()
}

/// What every document of an entity shares.
struct EntityFacets {
    entity: String,
    label: String,
    owner: Option<String>,
    lifecycle: Option<String>,
    spec_type: Option<String>,
    system: Option<String>,
}

impl EntityFacets {
    fn of(catalog: &Catalog, id: EntityId) -> Self {
        let e = &catalog.entities[id];
        EntityFacets {
            entity: e.entity_ref().to_string(),
            label: e.title().unwrap_or(&e.name).to_string(),
            owner: field_ref(catalog, id, "owner"),
            lifecycle: e.spec_str("lifecycle").map(str::to_string),
            spec_type: e.spec_str("type").map(str::to_string),
            system: field_ref(catalog, id, "system"),
        }
    }

    fn doc(&self, kind: &str, title: String, url: String) -> SearchDoc {
        SearchDoc {
            kind: kind.to_string(),
            title,
            names: Vec::new(),
            subtitle: String::new(),
            summary: String::new(),
            tags: Vec::new(),
            keywords: Vec::new(),
            body: String::new(),
            url,
            entity: self.entity.clone(),
            owner: self.owner.clone(),
            lifecycle: self.lifecycle.clone(),
            spec_type: self.spec_type.clone(),
            system: self.system.clone(),
            api: None,
        }
    }
}

fn entity_doc(catalog: &Catalog, id: EntityId, facets: &EntityFacets, url: String) -> SearchDoc {
    let e = &catalog.entities[id];
    let mut doc = facets.doc(&e.kind_name.to_ascii_lowercase(), facets.label.clone(), url);
    doc.names.push(e.name.clone());
    doc.subtitle = facets.entity.clone();
    doc.tags = e.tags().map(str::to_string).collect();
    doc.body = cut(plain_text(e.description()));
    let mut keywords: Vec<String> = Vec::new();
    keywords.extend(facets.spec_type.clone());
    keywords.extend(facets.lifecycle.clone());
    keywords.extend(facets.owner.as_deref().map(ref_name).map(str::to_string));
    keywords.extend(facets.system.as_deref().map(ref_name).map(str::to_string));
    for key in SEARCHABLE_ANNOTATIONS {
        keywords.extend(e.annotation(key).map(str::to_string));
    }
    // Users and groups are looked for by their display names and emails.
    for field in ["displayName", "email"] {
        keywords.extend(
            e.node
                .pointer(&format!("/spec/profile/{field}"))
                .and_then(|n| n.as_str())
                .map(str::to_string),
        );
    }
    doc.keywords = keywords;
    doc
}

/// Property names and descriptions of a schema's top level (and of the
/// schemas it is composed of), for a schema's or message's body.
fn schema_words(schema: &Schema, out: &mut Vec<String>, depth: usize) {
    if depth > 2 {
        return;
    }
    for property in &schema.properties {
        out.push(property.name.clone());
        if let Some(description) = &property.schema.description {
            out.push(plain_text(description));
        }
    }
    for part in schema
        .all_of
        .iter()
        .chain(&schema.one_of)
        .chain(&schema.any_of)
    {
        schema_words(part, out, depth + 1);
    }
    if let Some(items) = &schema.items {
        schema_words(items, out, depth + 1);
    }
}

fn operation_doc(
    facets: &EntityFacets,
    api_name: &str,
    op: &Operation,
    urls: &dyn ApiUrls,
) -> SearchDoc {
    let method = op.method.to_ascii_uppercase();
    let route = format!("{method} {}", op.path);
    let title = op
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| op.operation_id.clone())
        .unwrap_or_else(|| route.clone());
    let mut doc = facets.doc("operation", title, urls.operation_url(op));
    doc.names.extend(op.operation_id.clone());
    doc.subtitle = route;
    doc.summary = op.summary.clone().unwrap_or_default();
    doc.tags = op.tags.clone();
    doc.api = Some(api_name.to_string());
    let mut body = vec![md(op.description.as_deref())];
    for p in &op.parameters {
        doc.keywords.push(p.name.clone());
        body.push(md(p.description.as_deref()));
    }
    if let Some(request) = &op.request_body {
        body.push(md(request.description.as_deref()));
    }
    doc.keywords.push(api_name.to_string());
    doc.body = cut(join(body.iter().map(String::as_str)));
    doc
}

fn schema_doc(
    facets: &EntityFacets,
    api_name: &str,
    schema: &NamedSchema,
    url: String,
) -> SearchDoc {
    let mut doc = facets.doc("schema", schema.name.clone(), url);
    doc.names.push(schema.name.clone());
    doc.subtitle = format!("schema in {}", facets.label);
    doc.summary = schema.schema.title.clone().unwrap_or_default();
    doc.api = Some(api_name.to_string());
    let mut words = vec![md(schema.schema.description.as_deref())];
    schema_words(&schema.schema, &mut words, 0);
    doc.body = cut(join(words.iter().map(String::as_str)));
    doc.keywords.push(api_name.to_string());
    doc
}

fn channel_doc(
    facets: &EntityFacets,
    api_name: &str,
    model: &ApiModel,
    channel: &Channel,
    urls: &dyn ApiUrls,
) -> SearchDoc {
    let mut doc = facets.doc("channel", channel.name.clone(), urls.channel_url(channel));
    doc.names.push(channel.name.clone());
    doc.subtitle = match &channel.address {
        Some(address) if address != &channel.name => format!("{address} in {}", facets.label),
        _ => format!("channel in {}", facets.label),
    };
    doc.api = Some(api_name.to_string());
    let mut body = vec![md(channel.description.as_deref())];
    // What happens on the channel: its operations' names and summaries.
    for op in model
        .async_operations
        .iter()
        .filter(|o| o.channel == channel.name)
    {
        doc.keywords.push(op.name.clone());
        body.push(op.summary.clone().unwrap_or_default());
    }
    doc.keywords.extend(channel.messages.iter().cloned());
    doc.keywords.extend(channel.address.iter().cloned());
    doc.keywords.push(api_name.to_string());
    doc.body = cut(join(body.iter().map(String::as_str)));
    doc
}

fn message_doc(
    facets: &EntityFacets,
    api_name: &str,
    message: &Message,
    urls: &dyn ApiUrls,
) -> SearchDoc {
    let title = message
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| message.name.clone());
    let mut doc = facets.doc("message", title, urls.message_url(message));
    doc.names.push(message.name.clone());
    if message.key != message.name {
        doc.names.push(message.key.clone());
    }
    doc.subtitle = format!("message in {}", facets.label);
    doc.summary = message.summary.clone().unwrap_or_default();
    doc.api = Some(api_name.to_string());
    let mut words = vec![md(message.description.as_deref())];
    if let Some(payload) = &message.payload {
        schema_words(payload, &mut words, 0);
    }
    doc.body = cut(join(words.iter().map(String::as_str)));
    doc.keywords.push(api_name.to_string());
    doc
}

fn api_docs(
    facets: &EntityFacets,
    api_name: &str,
    api: EntityId,
    model: &ApiModel,
    urls: &dyn SiteUrls,
    out: &mut Vec<SearchDoc>,
) {
    let api_urls = urls.api_urls(api, model);
    for op in model.operations.iter().chain(&model.webhooks) {
        out.push(operation_doc(facets, api_name, op, api_urls.as_ref()));
    }
    for schema in &model.schemas {
        if let Some(url) = api_urls.schema_url(&schema.name) {
            out.push(schema_doc(facets, api_name, schema, url));
        }
    }
    for channel in &model.channels {
        out.push(channel_doc(
            facets,
            api_name,
            model,
            channel,
            api_urls.as_ref(),
        ));
    }
    for message in &model.messages {
        out.push(message_doc(facets, api_name, message, api_urls.as_ref()));
    }
}

/// The title of a docs page: its first level-1 heading, else its path (as
/// the site titles it).
fn page_title(page: &str, sections: &[crate::markdown::Section]) -> String {
    sections
        .iter()
        .find(|s| s.level == 1)
        .map(|s| s.heading.clone())
        .unwrap_or_else(|| page.to_string())
}

fn docs_docs(
    facets: &EntityFacets,
    id: EntityId,
    docs: &DocSet,
    urls: &dyn SiteUrls,
    out: &mut Vec<SearchDoc>,
) {
    for (page, text) in &docs.pages {
        let sections = sections(text);
        let title = page_title(page, &sections);
        if sections.is_empty() {
            continue;
        }
        for section in &sections {
            let (heading, url, subtitle) = match &section.id {
                // The page's own title leads to the top of the page.
                Some(_) if section.level == 1 && section.heading == title => (
                    title.clone(),
                    urls.docs_url(id, page, None),
                    format!("{} docs", facets.label),
                ),
                Some(heading_id) => (
                    section.heading.clone(),
                    urls.docs_url(id, page, Some(heading_id)),
                    format!("{} docs › {title}", facets.label),
                ),
                None => (
                    title.clone(),
                    urls.docs_url(id, page, None),
                    format!("{} docs", facets.label),
                ),
            };
            let mut doc = facets.doc("docs", heading, url);
            doc.subtitle = subtitle;
            doc.body = cut(section.text.clone());
            out.push(doc);
        }
    }
}

/// Every document of one entity: itself, then its API's parts, then its
/// docs sections.
fn entity_documents(checked: &Checked, id: EntityId, urls: &dyn SiteUrls) -> Vec<SearchDoc> {
    let catalog = &checked.catalog;
    let facets = EntityFacets::of(catalog, id);
    let mut out = vec![entity_doc(catalog, id, &facets, urls.entity_url(id))];
    if let Some(model) = checked.apis.get(&id).and_then(|d| d.model()) {
        let api_name = catalog.entities[id].name.clone();
        api_docs(&facets, &api_name, id, model, urls, &mut out);
    }
    if let Some(docs) = checked.docs.get(&id) {
        docs_docs(&facets, id, docs, urls, &mut out);
    }
    out
}

/// Every searchable document of the checked catalog, in catalog order
/// (entities as loaded; each followed by its API's operations, webhooks,
/// schemas, channels and messages in definition order, then its docs
/// sections by page path), so the same catalog gives the same documents.
/// Only entities the site lists are included; build restricts `checked` to
/// an audience first, so nothing hidden reaches the index.
pub fn documents(checked: &Checked, urls: &dyn SiteUrls) -> Vec<SearchDoc> {
    let catalog = &checked.catalog;
    let ids: Vec<EntityId> = (0..catalog.entities.len())
        .filter(|&id| is_listed(catalog, id))
        .collect();
    // Entities are independent; a Stripe-sized API model is the slow part.
    let per_entity: Vec<Vec<SearchDoc>> = ids
        .par_iter()
        .map(|&id| entity_documents(checked, id, urls))
        .collect();
    per_entity.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names_and_cutting() {
        assert_eq!(ref_name("group:default/payments-team"), "payments-team");
        assert_eq!(ref_name("payments-team"), "payments-team");
        let long = "é".repeat(MAX_BODY_BYTES);
        let cut = cut(long);
        assert!(cut.len() <= MAX_BODY_BYTES && cut.chars().all(|c| c == 'é'));
        assert_eq!(join(["a ", "", " b"]), "a b");
    }
}
