//! `$ref` strings: split into file and fragment, resolved against the
//! referring file inside the catalog root, fragments decoded (percent
//! encoding, then JSON pointer `~1`/`~0`).

use portolan_core::paths::{self, PathError};
use portolan_core::yaml::{Node, Value};

/// Where a `$ref` leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefTarget {
    /// A node: catalog-relative file and a JSON pointer (`""` = the root).
    Local {
        file: String,
        pointer: String,
    },
    /// A plain-name fragment (`#foo`): a JSON Schema `$anchor` in `file`.
    Anchor {
        file: String,
        anchor: String,
    },
    Remote(String),
    /// A path that is absolute or leaves the catalog root.
    Escapes(String),
    Invalid(String),
}

/// Percent-decode a URI fragment or path (invalid escapes stay as they are).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Resolve a `$ref` written in `from_file`.
pub fn resolve(from_file: &str, reference: &str) -> RefTarget {
    let (path, fragment) = match reference.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (reference, None),
    };
    let file = if path.is_empty() {
        from_file.to_string()
    } else {
        match paths::resolve_relative(from_file, &percent_decode(path)) {
            Ok(file) => file,
            Err(PathError::Remote) => return RefTarget::Remote(reference.to_string()),
            Err(PathError::Empty) => from_file.to_string(),
            Err(_) => return RefTarget::Escapes(reference.to_string()),
        }
    };
    match fragment.map(percent_decode) {
        None => RefTarget::Local {
            file,
            pointer: String::new(),
        },
        Some(f) if f.is_empty() => RefTarget::Local {
            file,
            pointer: String::new(),
        },
        Some(f) if f.starts_with('/') => RefTarget::Local { file, pointer: f },
        Some(f)
            if f.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')) =>
        {
            RefTarget::Anchor { file, anchor: f }
        }
        Some(f) => RefTarget::Invalid(format!(
            "`#{f}` is neither a JSON pointer nor an anchor name"
        )),
    }
}

/// The `$ref` string of a Reference Object (a mapping with a string `$ref`).
pub fn ref_of(node: &Node) -> Option<&str> {
    node.get("$ref").and_then(Node::as_str)
}

/// Find the mapping declaring `$anchor: name` (JSON Schema 2020-12).
pub fn find_anchor<'a>(root: &'a Node, name: &str) -> Option<(String, &'a Node)> {
    let mut stack: Vec<(String, &Node)> = vec![(String::new(), root)];
    while let Some((pointer, node)) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                if node.get("$anchor").and_then(Node::as_str) == Some(name) {
                    return Some((pointer, node));
                }
                for e in entries {
                    stack.push((
                        format!(
                            "{pointer}/{}",
                            portolan_core::yaml::escape_pointer_token(&e.key)
                        ),
                        &e.value,
                    ));
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), item));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_file_and_pointer() {
        assert_eq!(
            resolve("specs/api.yaml", "./schemas/order.yaml#/Order"),
            RefTarget::Local {
                file: "specs/schemas/order.yaml".into(),
                pointer: "/Order".into()
            }
        );
        assert_eq!(
            resolve("specs/api.yaml", "#/components/schemas/Order"),
            RefTarget::Local {
                file: "specs/api.yaml".into(),
                pointer: "/components/schemas/Order".into()
            }
        );
        assert_eq!(
            resolve("specs/api.yaml", "../common.yaml"),
            RefTarget::Local {
                file: "common.yaml".into(),
                pointer: String::new()
            }
        );
    }

    #[test]
    fn decodes_percent_encoding_and_keeps_pointer_escapes() {
        assert_eq!(
            resolve("a.yaml", "#/paths/~1pets~1%7BpetId%7D/get"),
            RefTarget::Local {
                file: "a.yaml".into(),
                pointer: "/paths/~1pets~1{petId}/get".into()
            }
        );
        assert_eq!(
            resolve("a.yaml", "my%20schemas.yaml#/X"),
            RefTarget::Local {
                file: "my schemas.yaml".into(),
                pointer: "/X".into()
            }
        );
    }

    #[test]
    fn remote_escaping_and_anchor_refs() {
        assert_eq!(
            resolve("a.yaml", "https://x.test/s.json#/A"),
            RefTarget::Remote("https://x.test/s.json#/A".into())
        );
        assert!(matches!(
            resolve("a/b.yaml", "../../../etc/passwd"),
            RefTarget::Escapes(_)
        ));
        assert!(matches!(
            resolve("a.yaml", "/etc/passwd"),
            RefTarget::Escapes(_)
        ));
        assert_eq!(
            resolve("a.yaml", "#node"),
            RefTarget::Anchor {
                file: "a.yaml".into(),
                anchor: "node".into()
            }
        );
    }
}
