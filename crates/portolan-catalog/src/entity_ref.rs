//! Entity references: `[kind:][namespace/]name`, with per-field default kinds
//! and the referring entity's namespace as the default namespace.

use std::fmt;

use serde::Serialize;

pub const DEFAULT_NAMESPACE: &str = "default";

/// A fully qualified reference, as written (case preserved).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// The identity used for lookups: kind, namespace and name compared
/// case-insensitively, as Backstage does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EntityKey(String);

impl EntityKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef {
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    pub fn key(&self) -> EntityKey {
        EntityKey(format!(
            "{}:{}/{}",
            self.kind.to_ascii_lowercase(),
            self.namespace.to_ascii_lowercase(),
            self.name.to_ascii_lowercase()
        ))
    }

    /// Parse a reference string. `default_kind` is the field's default (e.g.
    /// `Group` for `owner`); `None` means the kind must be written.
    pub fn parse(
        text: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<EntityRef, RefError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RefError::Empty);
        }
        let (kind, rest) = match (text.find(':'), text.find('/')) {
            (Some(colon), Some(slash)) if colon < slash => {
                (Some(&text[..colon]), &text[colon + 1..])
            }
            (Some(colon), None) => (Some(&text[..colon]), &text[colon + 1..]),
            _ => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, rest),
        };
        if kind == Some("") || namespace == Some("") || name.is_empty() {
            return Err(RefError::Malformed);
        }
        if name.contains([':', '/']) {
            return Err(RefError::Malformed);
        }
        let kind = match (kind, default_kind) {
            (Some(kind), _) => kind,
            (None, Some(default)) => default,
            (None, None) => return Err(RefError::MissingKind),
        };
        Ok(EntityRef::new(
            kind,
            namespace.unwrap_or(default_namespace),
            name,
        ))
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}/{}",
            self.kind.to_ascii_lowercase(),
            self.namespace,
            self.name
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    Empty,
    Malformed,
    MissingKind,
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefError::Empty => "the reference is empty",
            RefError::Malformed => "the reference is not of the form [kind:][namespace/]name",
            RefError::MissingKind => "this field has no default kind, so the reference must name one (e.g. `resource:orders-db`)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_parts() {
        let r = EntityRef::parse("payments", Some("Group"), "retail").unwrap();
        assert_eq!(r, EntityRef::new("Group", "retail", "payments"));
        let r = EntityRef::parse("user:jdoe", Some("Group"), "default").unwrap();
        assert_eq!(r, EntityRef::new("user", "default", "jdoe"));
        let r = EntityRef::parse("component:ops/api-gw", None, "default").unwrap();
        assert_eq!(r, EntityRef::new("component", "ops", "api-gw"));
        let r = EntityRef::parse("ops/api-gw", Some("System"), "default").unwrap();
        assert_eq!(r, EntityRef::new("System", "ops", "api-gw"));
    }

    #[test]
    fn keys_ignore_case() {
        let a = EntityRef::parse("Group:Default/Team-A", None, "default").unwrap();
        let b = EntityRef::parse("team-a", Some("group"), "default").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key().as_str(), "group:default/team-a");
    }

    #[test]
    fn malformed_references_are_rejected() {
        assert_eq!(
            EntityRef::parse("", Some("Group"), "default"),
            Err(RefError::Empty)
        );
        assert_eq!(
            EntityRef::parse("orders-db", None, "default"),
            Err(RefError::MissingKind)
        );
        assert_eq!(
            EntityRef::parse(":x", Some("Group"), "default"),
            Err(RefError::Malformed)
        );
        assert_eq!(
            EntityRef::parse("a/b/c", Some("Group"), "default"),
            Err(RefError::Malformed)
        );
        assert_eq!(
            EntityRef::parse("group:/x", None, "default"),
            Err(RefError::Malformed)
        );
    }
}
