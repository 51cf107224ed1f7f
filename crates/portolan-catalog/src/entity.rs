//! One entity: a descriptor document with its identity and source position.

use portolan_core::yaml::Node;
use serde::Serialize;

use crate::entity_ref::{DEFAULT_NAMESPACE, EntityKey, EntityRef};

/// The kinds portolan knows; anything else is kept as [`Kind::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    Component,
    Api,
    Resource,
    System,
    Domain,
    Group,
    User,
    Location,
    Other,
}

impl Kind {
    pub fn from_name(name: &str) -> Kind {
        match name.to_ascii_lowercase().as_str() {
            "component" => Kind::Component,
            "api" => Kind::Api,
            "resource" => Kind::Resource,
            "system" => Kind::System,
            "domain" => Kind::Domain,
            "group" => Kind::Group,
            "user" => Kind::User,
            "location" => Kind::Location,
            _ => Kind::Other,
        }
    }

    pub fn is_core(self) -> bool {
        self != Kind::Other
    }
}

/// Which placeholder: `$text`, `$json`, `$yaml`, or the OpenAPI module's
/// `$openapi`/`$asyncapi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubstitutionKind {
    Text,
    Json,
    Yaml,
    OpenApi,
    AsyncApi,
}

/// A placeholder that was replaced while loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Substitution {
    /// JSON pointer of the placeholder inside the entity.
    pub pointer: String,
    pub kind: SubstitutionKind,
    /// The path or URL as written.
    pub target: String,
    /// Catalog-relative path of the file read, when it was read.
    pub path: Option<String>,
}

/// One catalog entity. Cheap to clone: what it holds is shared, so a
/// load cache hands the same entities to every revision it reads (trends,
/// `serve`'s rebuilds) without copying them.
#[derive(Clone)]
pub struct Entity(std::sync::Arc<EntityData>);

impl std::ops::Deref for Entity {
    type Target = EntityData;

    fn deref(&self) -> &EntityData {
        &self.0
    }
}

impl std::fmt::Debug for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What an [`Entity`] holds.
#[derive(Debug, Clone)]
pub struct EntityData {
    pub api_version: String,
    /// As written; empty when missing or not a string.
    pub kind_name: String,
    pub kind: Kind,
    pub namespace: String,
    /// Empty when missing or not a string.
    pub name: String,
    /// Catalog-relative path of the descriptor.
    pub file: String,
    /// Position of the document in its file, from 0.
    pub doc_index: usize,
    /// The document, after substitutions, with source spans. Plain JSON
    /// (what schemas and outputs see) is made on demand with
    /// [`Entity::to_json`], so a 100,000-entity catalog is not held twice.
    /// Shared: a rebuild in `serve` reuses unchanged entities without
    /// copying their trees.
    pub node: std::sync::Arc<Node>,
    pub substitutions: Vec<Substitution>,
    /// [`Entity::key`], made once: lookups by key are everywhere.
    key: EntityKey,
    /// The references its `spec` fields make, parsed when the catalog is
    /// first linked: linking again (a trend's past revisions, `serve`'s
    /// rebuilds) reuses them. Emptied by [`Entity::make_mut`].
    pub(crate) references: std::sync::OnceLock<std::sync::Arc<crate::catalog::ParsedReferences>>,
}

impl Entity {
    /// Build from a parsed document (already substituted).
    pub fn from_document(
        file: &str,
        doc_index: usize,
        node: Node,
        substitutions: Vec<Substitution>,
    ) -> Entity {
        let string_at = |pointer: &str| {
            node.pointer(pointer)
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string()
        };
        let kind_name = string_at("/kind");
        let namespace = match node.pointer("/metadata/namespace").and_then(Node::as_str) {
            Some(ns) if !ns.is_empty() => ns.to_string(),
            _ => DEFAULT_NAMESPACE.to_string(),
        };
        let name = string_at("/metadata/name");
        let key = EntityRef::new(&kind_name, &namespace, &name).key();
        Entity(std::sync::Arc::new(EntityData {
            api_version: string_at("/apiVersion"),
            kind: Kind::from_name(&kind_name),
            kind_name,
            namespace,
            name,
            key,
            file: file.to_string(),
            doc_index,
            node: std::sync::Arc::new(node),
            substitutions,
            references: std::sync::OnceLock::new(),
        }))
    }

    /// The entity's data, to change (copied first when shared).
    pub fn make_mut(&mut self) -> &mut EntityData {
        let data = std::sync::Arc::make_mut(&mut self.0);
        // What was parsed from the document may no longer hold.
        data.references = std::sync::OnceLock::new();
        data
    }

    /// Whether kind and name are present, so the entity can be referenced.
    pub fn has_identity(&self) -> bool {
        !self.kind_name.is_empty() && !self.name.is_empty()
    }

    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(&self.kind_name, &self.namespace, &self.name)
    }

    pub fn key(&self) -> EntityKey {
        self.key.clone()
    }

    /// [`Entity::key`], borrowed.
    pub fn key_ref(&self) -> &EntityKey {
        &self.key
    }

    /// The entity as plain JSON.
    pub fn to_json(&self) -> serde_json::Value {
        self.node.to_json()
    }

    /// A string field of `spec` (`type`, `lifecycle`, ...), when present.
    pub fn spec_str(&self, field: &str) -> Option<&str> {
        self.node.get("spec")?.get(field)?.as_str()
    }

    pub fn title(&self) -> Option<&str> {
        self.node.get("metadata")?.get("title")?.as_str()
    }

    /// `metadata.description` (markdown), or `""`.
    pub fn description(&self) -> &str {
        self.node
            .get("metadata")
            .and_then(|m| m.get("description"))
            .and_then(Node::as_str)
            .unwrap_or("")
    }

    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.node
            .get("metadata")
            .and_then(|m| m.get("tags"))
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(Node::as_str)
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.node
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}
