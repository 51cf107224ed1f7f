//! One side's document as the walk reads it: a bundled JSON document, or a
//! revision held in shared units (see [`crate::sharded`]): the path items
//! and reusable components of a large definition, each converted once and
//! shared with the neighbouring revisions that wrote it the same, beside a
//! small skeleton holding the rest. Either way the walk asks for a root
//! key, a JSON pointer or the path items in order.

use std::collections::HashMap;
use std::sync::Arc;

use portolan_core::yaml::escape_pointer_token;
use serde_json::Value as Json;

/// A unit: a path item or a reusable component, as bundled.
#[derive(Debug)]
pub(crate) struct Unit {
    /// The chunk it was read from, held so that its address (the unit
    /// cache's key) names this unit for as long as the cache holds it.
    #[allow(dead_code)]
    pub chunk: Arc<portolan_core::yaml::Node>,
    /// Its value, as the bundle holds it.
    pub json: Json,
    /// (pointer of the object holding the `$ref`, the pointer it names),
    /// for every internal `$ref` in it.
    pub refs: Vec<(String, String)>,
}

/// The sharded part of a document: its sections of units.
#[derive(Debug, Default)]
pub(crate) struct Shards {
    pub sections: Vec<ShardSection>,
}

#[derive(Debug)]
pub(crate) struct ShardSection {
    /// `/paths`, `/components/schemas`.
    pub pointer: String,
    /// Names in document order.
    pub names: Vec<String>,
    pub units: HashMap<String, Arc<Unit>>,
}

/// `pointer` split at the section `section` (`/paths`,
/// `/components/schemas`): the unit's name (unescaped) and the rest of the
/// pointer after it (`""` for the unit itself); `None` when the pointer is
/// not below the section.
pub(crate) fn split_at_section<'p>(
    pointer: &'p str,
    section: &str,
) -> Option<(std::borrow::Cow<'p, str>, &'p str)> {
    let rest = pointer.strip_prefix(section)?.strip_prefix('/')?;
    let (token, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let name = if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    };
    Some((name, rest))
}

impl Shards {
    /// The section `pointer` lies in, the unit's name and the rest of the
    /// pointer after it (`""` for the unit itself).
    pub fn route<'p>(&self, pointer: &'p str) -> Option<(&ShardSection, String, &'p str)> {
        self.sections.iter().find_map(|section| {
            split_at_section(pointer, &section.pointer)
                .map(|(name, rest)| (section, name.into_owned(), rest))
        })
    }

    pub fn section(&self, pointer: &str) -> Option<&ShardSection> {
        self.sections.iter().find(|s| s.pointer == pointer)
    }
}

impl ShardSection {
    pub fn unit_pointer(&self, name: &str) -> String {
        format!("{}/{}", self.pointer, escape_pointer_token(name))
    }
}

/// One side's document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DocView<'a> {
    /// The whole document, or the skeleton beside the shards.
    root: &'a Json,
    shards: Option<&'a Shards>,
}

impl<'a> DocView<'a> {
    pub fn full(root: &'a Json) -> Self {
        DocView { root, shards: None }
    }

    pub fn sharded(skeleton: &'a Json, shards: &'a Shards) -> Self {
        DocView {
            root: skeleton,
            shards: Some(shards),
        }
    }

    /// The whole document, or the skeleton.
    pub fn root(self) -> &'a Json {
        self.root
    }

    pub fn shards(self) -> Option<&'a Shards> {
        self.shards
    }

    /// A root member other than `paths`.
    pub fn get(self, key: &str) -> Option<&'a Json> {
        self.root.get(key)
    }

    /// The node at a JSON pointer.
    pub fn pointer(self, pointer: &str) -> Option<&'a Json> {
        if let Some(shards) = self.shards
            && let Some((section, name, rest)) = shards.route(pointer)
        {
            return section.units.get(&name)?.json.pointer(rest);
        }
        self.root.pointer(pointer)
    }

    /// The path items, in document order.
    pub fn paths(self) -> Vec<(&'a str, &'a Json)> {
        if let Some(section) = self.shards.and_then(|s| s.section("/paths")) {
            return section
                .names
                .iter()
                .filter_map(|n| Some((n.as_str(), &section.units.get(n)?.json)))
                .collect();
        }
        self.root
            .get("paths")
            .and_then(Json::as_object)
            .map(|paths| paths.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    }
}
