//! Which specification a document is: OpenAPI 2.0 / 3.0 / 3.1, AsyncAPI
//! 2.x / 3.0, or something portolan names and does not support.

use std::fmt;

use portolan_core::yaml::{Node, Value};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SpecFormat {
    /// Swagger 2.0.
    OpenApi20,
    OpenApi30,
    OpenApi31,
    /// AsyncAPI 2.0–2.6 (minor version kept for messages).
    AsyncApi2,
    AsyncApi3,
}

impl SpecFormat {
    pub fn is_openapi(self) -> bool {
        matches!(
            self,
            SpecFormat::OpenApi20 | SpecFormat::OpenApi30 | SpecFormat::OpenApi31
        )
    }

    pub fn is_asyncapi(self) -> bool {
        !self.is_openapi()
    }

    /// Where reusable schemas live in a bundled document.
    pub fn schemas_pointer(self) -> &'static str {
        match self {
            SpecFormat::OpenApi20 => "/definitions",
            _ => "/components/schemas",
        }
    }
}

impl fmt::Display for SpecFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecFormat::OpenApi20 => "OpenAPI 2.0",
            SpecFormat::OpenApi30 => "OpenAPI 3.0",
            SpecFormat::OpenApi31 => "OpenAPI 3.1",
            SpecFormat::AsyncApi2 => "AsyncAPI 2.x",
            SpecFormat::AsyncApi3 => "AsyncAPI 3.0",
        })
    }
}

pub const SUPPORTED: &str = "OpenAPI 2.0, 3.0.x and 3.1.x; AsyncAPI 2.0-2.6 and 3.0.x";

/// The outcome of looking at a document's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    Supported {
        format: SpecFormat,
        version: String,
    },
    /// A specification portolan recognises and does not support (yet).
    Unsupported {
        what: String,
    },
    /// Not an OpenAPI or AsyncAPI document at all.
    Unknown,
}

fn version_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Float(f) => Some(f.to_string()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Detect by the root's `openapi` / `swagger` / `asyncapi` field.
pub fn detect(root: &Node) -> Detected {
    if let Some(version) = root.get("openapi").and_then(version_text) {
        return match version.split('.').take(2).collect::<Vec<_>>().as_slice() {
            ["3", "0"] => Detected::Supported {
                format: SpecFormat::OpenApi30,
                version,
            },
            ["3", "1"] => Detected::Supported {
                format: SpecFormat::OpenApi31,
                version,
            },
            _ => Detected::Unsupported {
                what: format!("OpenAPI {version}"),
            },
        };
    }
    if let Some(version) = root.get("swagger").and_then(version_text) {
        return match version.as_str() {
            "2.0" | "2" => Detected::Supported {
                format: SpecFormat::OpenApi20,
                version: "2.0".into(),
            },
            _ => Detected::Unsupported {
                what: format!("Swagger {version}"),
            },
        };
    }
    if let Some(version) = root.get("asyncapi").and_then(version_text) {
        let mut parts = version.split('.');
        return match (parts.next(), parts.next()) {
            (Some("2"), Some(minor)) if minor.parse::<u32>().is_ok_and(|m| m <= 6) => {
                Detected::Supported {
                    format: SpecFormat::AsyncApi2,
                    version,
                }
            }
            (Some("3"), Some("0")) => Detected::Supported {
                format: SpecFormat::AsyncApi3,
                version,
            },
            // 3.1 only adds optional fields to 3.0; read it as 3.0.
            (Some("3"), Some("1")) => Detected::Supported {
                format: SpecFormat::AsyncApi3,
                version,
            },
            _ => Detected::Unsupported {
                what: format!("AsyncAPI {version}"),
            },
        };
    }
    Detected::Unknown
}

/// Non-YAML definitions by their first lines: GraphQL SDL and protobuf.
pub fn sniff_text(text: &str) -> Option<&'static str> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))?;
    if first.starts_with("syntax = \"proto")
        || first.starts_with("syntax=\"proto")
        || first.starts_with("package ")
    {
        return Some("protobuf");
    }
    const GRAPHQL: &[&str] = &[
        "type ",
        "schema ",
        "schema{",
        "interface ",
        "enum ",
        "input ",
        "scalar ",
        "union ",
        "directive ",
        "extend ",
        "\"\"\"",
    ];
    if GRAPHQL.iter().any(|k| first.starts_with(k)) {
        return Some("GraphQL");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_core::yaml::{YamlLimits, parse_stream};

    fn detect_text(text: &str) -> Detected {
        detect(&parse_stream(text, YamlLimits::default()).documents[0].root)
    }

    #[test]
    fn versions() {
        assert!(matches!(
            detect_text("openapi: 3.0.3"),
            Detected::Supported {
                format: SpecFormat::OpenApi30,
                ..
            }
        ));
        assert!(matches!(
            detect_text("openapi: '3.1.1'"),
            Detected::Supported {
                format: SpecFormat::OpenApi31,
                ..
            }
        ));
        assert!(matches!(
            detect_text("swagger: '2.0'"),
            Detected::Supported {
                format: SpecFormat::OpenApi20,
                ..
            }
        ));
        assert!(matches!(
            detect_text("swagger: 2.0"),
            Detected::Supported {
                format: SpecFormat::OpenApi20,
                ..
            }
        ));
        assert!(matches!(
            detect_text("asyncapi: 2.6.0"),
            Detected::Supported {
                format: SpecFormat::AsyncApi2,
                ..
            }
        ));
        assert!(matches!(
            detect_text("asyncapi: 3.0.0"),
            Detected::Supported {
                format: SpecFormat::AsyncApi3,
                ..
            }
        ));
        assert_eq!(
            detect_text("openapi: 3.2.0"),
            Detected::Unsupported {
                what: "OpenAPI 3.2.0".into()
            }
        );
        assert_eq!(
            detect_text("asyncapi: 1.2.0"),
            Detected::Unsupported {
                what: "AsyncAPI 1.2.0".into()
            }
        );
        assert_eq!(detect_text("title: x"), Detected::Unknown);
    }

    #[test]
    fn sniffs_graphql_and_protobuf() {
        assert_eq!(
            sniff_text("# comment\ntype Query {\n  a: Int\n}\n"),
            Some("GraphQL")
        );
        assert_eq!(
            sniff_text("syntax = \"proto3\";\npackage x;\n"),
            Some("protobuf")
        );
        assert_eq!(sniff_text("openapi: 3.0.0"), None);
    }
}
