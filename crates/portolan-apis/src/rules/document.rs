//! Reading the bundled document: JSON pointers and internal `$ref`s.
//!
//! Bundling leaves only internal references (`#/components/...`), but they
//! may be recursive, may chain (`$ref` to a `$ref`), and a pointer may pass
//! through a `$ref` half-way (`#/channels/a/messages/m` where `channels/a`
//! is itself a reference). Lookups here follow all of that with a visited
//! set per chain, a nesting limit and a step budget, so a hostile document
//! cannot make them loop or blow up.

use std::collections::BTreeSet;

use portolan_core::yaml::{pointer_tokens, push_pointer_token};
use serde_json::{Map, Value};

use crate::refs::percent_decode;

/// How deeply lookups may nest: each level is a `$ref` met part-way along
/// another `$ref`'s pointer. Real documents need one or two.
const MAX_NESTING: usize = 32;

/// How many nodes one lookup may step through before giving up.
const MAX_STEPS: usize = 10_000;

/// A node of the document and its JSON pointer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located<'a> {
    pub pointer: String,
    pub value: &'a Value,
}

impl<'a> Located<'a> {
    pub fn new(pointer: String, value: &'a Value) -> Self {
        Located { pointer, value }
    }

    pub fn object(&self) -> Option<&'a Map<String, Value>> {
        self.value.as_object()
    }

    /// The member `key` of this node, when it is an object that has it.
    pub fn member(&self, key: &str) -> Option<Located<'a>> {
        let value = self.value.as_object()?.get(key)?;
        Some(Located::new(child_pointer(&self.pointer, key), value))
    }

    /// The members of this node when it is an object (none otherwise).
    pub fn members(&self) -> impl Iterator<Item = (&'a str, Located<'a>)> + '_ {
        self.value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, value)| {
                (
                    key.as_str(),
                    Located::new(child_pointer(&self.pointer, key), value),
                )
            })
    }

    /// The items of this node when it is an array (none otherwise).
    pub fn items(&self) -> impl Iterator<Item = Located<'a>> + '_ {
        self.value
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, value)| Located::new(format!("{}/{i}", self.pointer), value))
    }
}

/// Why a reference could not be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefError {
    /// Not a JSON pointer into this document: another file, a URL, or a
    /// plain-name fragment (`#anchor`). Bundling reports what it cannot
    /// resolve, so rules leave these alone.
    NotInternal,
    /// The pointer leads to no node.
    NotFound,
    /// The references loop, or nest past the limits. Bundling reports
    /// loops (A004); rules do not report them again.
    Cycle,
}

/// The pointer of member or item `token` of the node at `parent`.
pub fn child_pointer(parent: &str, token: &str) -> String {
    let mut out = String::with_capacity(parent.len() + token.len() + 1);
    out.push_str(parent);
    out.push('/');
    push_pointer_token(&mut out, token);
    out
}

/// Member `key` of an object. Schemas and the objects around them hold a
/// few members each, and rules look up several of them in each of a large
/// definition's tens of thousands of objects: a scan of the entries there
/// is quicker than hashing the key to probe the map's index.
pub fn field<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if map.len() <= 8 {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// The `$ref` string of a Reference Object.
pub(crate) fn ref_of(value: &Value) -> Option<&str> {
    value.as_object()?.get("$ref")?.as_str()
}

/// Whether a key of an object is a specification extension (`x-...`),
/// whose value is free-form.
pub(crate) fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// The decoded pointer tokens of an internal reference (`#/a/b~1c` → `a`,
/// `b/c`). The fragment is percent-decoded before it is read as a JSON
/// pointer ([RFC 6901 §6](https://www.rfc-editor.org/rfc/rfc6901#section-6)).
/// `None` for anything but `#` followed by a pointer.
pub(crate) fn internal_ref_tokens(reference: &str) -> Option<Vec<String>> {
    let fragment = percent_decode(reference.strip_prefix('#')?);
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return None;
    }
    Some(pointer_tokens(&fragment).collect())
}

/// The pointer an internal reference names, re-escaped (`#/a/b%7Bc%7D` →
/// `/a/b{c}`), or `None` when it is not internal.
pub(crate) fn internal_ref_pointer(reference: &str) -> Option<String> {
    let tokens = internal_ref_tokens(reference)?;
    Some(tokens.iter().fold(String::new(), |pointer, token| {
        child_pointer(&pointer, token)
    }))
}

/// The bundled document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Document<'a> {
    root: &'a Value,
}

struct Budget {
    steps: usize,
}

impl<'a> Document<'a> {
    pub fn new(root: &'a Value) -> Self {
        Document { root }
    }

    /// The node at a plain pointer; `$ref`s on the way are not followed.
    pub fn at(&self, pointer: &str) -> Option<Located<'a>> {
        Some(Located::new(
            pointer.to_string(),
            self.root.pointer(pointer)?,
        ))
    }

    /// The node a `$ref` string names. `$ref`s met part-way along the
    /// pointer are followed, as JSON Reference resolvers do; the node at the
    /// end is returned as it is (it may itself be a `$ref`).
    pub fn lookup(&self, reference: &str) -> Result<Located<'a>, RefError> {
        let tokens = internal_ref_tokens(reference).ok_or(RefError::NotInternal)?;
        self.lookup_tokens(&tokens, 0, &mut Budget { steps: 0 })
    }

    /// The node a `$ref` string names, with every `$ref` followed.
    pub fn resolve(&self, reference: &str) -> Result<Located<'a>, RefError> {
        let target = self.lookup(reference)?;
        self.deref(target)
    }

    /// `node` itself, or, while it is a Reference Object, what it refers to.
    pub fn deref(&self, node: Located<'a>) -> Result<Located<'a>, RefError> {
        self.deref_nested(node, 0, &mut Budget { steps: 0 })
    }

    fn lookup_tokens(
        &self,
        tokens: &[String],
        depth: usize,
        budget: &mut Budget,
    ) -> Result<Located<'a>, RefError> {
        let mut here = Located::new(String::new(), self.root);
        for token in tokens {
            budget.steps += 1;
            if budget.steps > MAX_STEPS {
                return Err(RefError::Cycle);
            }
            here = self.deref_nested(here, depth, budget)?;
            let next = match here.value {
                Value::Object(map) => map.get(token.as_str()),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            let next = next.ok_or(RefError::NotFound)?;
            here = Located::new(child_pointer(&here.pointer, token), next);
        }
        Ok(here)
    }

    fn deref_nested(
        &self,
        mut here: Located<'a>,
        depth: usize,
        budget: &mut Budget,
    ) -> Result<Located<'a>, RefError> {
        let mut chain = BTreeSet::new();
        while let Some(reference) = ref_of(here.value) {
            if depth >= MAX_NESTING || !chain.insert(here.pointer.clone()) {
                return Err(RefError::Cycle);
            }
            let tokens = internal_ref_tokens(reference).ok_or(RefError::NotInternal)?;
            here = self.lookup_tokens(&tokens, depth + 1, budget)?;
        }
        Ok(here)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn field_finds_what_get_finds_in_maps_of_every_size() {
        for size in 0..20 {
            let map: Map<String, Value> = (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
            for i in 0..size + 2 {
                let key = format!("k{i}");
                assert_eq!(field(&map, &key), map.get(&key), "{key} of {size}");
            }
            assert_eq!(field(&map, "k"), None);
        }
    }

    #[test]
    fn decodes_percent_encoding_and_escapes() {
        assert_eq!(
            internal_ref_tokens("#/paths/~1pets~1%7Bid%7D/get"),
            Some(vec!["paths".into(), "/pets/{id}".into(), "get".into()])
        );
        assert_eq!(internal_ref_tokens("#"), Some(vec![]));
        assert_eq!(internal_ref_tokens("#anchor"), None);
        assert_eq!(internal_ref_tokens("other.yaml#/a"), None);
        assert_eq!(internal_ref_pointer("#/a/b%7E1c"), Some("/a/b~1c".into()));
    }

    #[test]
    fn follows_refs_part_way_and_stops_on_loops() {
        let doc = json!({
            "channels": {"a": {"$ref": "#/components/channels/a"}},
            "components": {
                "channels": {"a": {"messages": {"m": {"$ref": "#/components/messages/m"}}}},
                "messages": {"m": {"name": "m"}},
            },
            "loop": {"a": {"$ref": "#/loop/b"}, "b": {"$ref": "#/loop/a"}, "self": {"$ref": "#/loop/self/x"}},
        });
        let doc = Document::new(&doc);
        let slot = doc.lookup("#/channels/a/messages/m").unwrap();
        assert_eq!(slot.pointer, "/components/channels/a/messages/m");
        assert_eq!(doc.deref(slot).unwrap().pointer, "/components/messages/m");
        assert_eq!(doc.resolve("#/loop/a").unwrap_err(), RefError::Cycle);
        assert_eq!(doc.resolve("#/loop/self").unwrap_err(), RefError::Cycle);
        assert_eq!(doc.resolve("#/nothing").unwrap_err(), RefError::NotFound);
        assert_eq!(doc.resolve("x.yaml#/a").unwrap_err(), RefError::NotInternal);
    }
}
