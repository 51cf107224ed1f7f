//! Turning JSON Schema validation errors into readable findings: a message
//! naming the field in dotted form, the pointer of the node to mark, and a
//! label. Shared by the catalog schemas, user policies and API structure.

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;

/// One schema violation, ready to become a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFinding {
    /// JSON pointer of the node to mark (for a missing property: its
    /// parent; for an unknown one: the property itself).
    pub pointer: String,
    pub message: String,
    pub label: String,
}

/// `/spec/links/0/url` → `spec.links[0].url`.
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in crate::yaml::pointer_tokens(pointer) {
        if token.bytes().all(|b| b.is_ascii_digit()) && !token.is_empty() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    if out.is_empty() {
        "the entity".to_string()
    } else {
        out
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Every violation of `instance`, described.
pub fn describe_errors(validator: &Validator, instance: &serde_json::Value) -> Vec<SchemaFinding> {
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let pointer = error.instance_path().as_str().to_string();
        let path = pointer_to_path(&pointer);
        let actual = instance.pointer(&pointer);
        let (message, pointer, label) = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let property = property.as_str().unwrap_or_default().to_string();
                let full = if pointer.is_empty() {
                    property.clone()
                } else {
                    format!("{path}.{property}")
                };
                (
                    format!("`{full}` is required"),
                    pointer,
                    format!("`{property}` is missing here"),
                )
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let first = unexpected.first().cloned().unwrap_or_default();
                let field_pointer =
                    format!("{pointer}/{}", crate::yaml::escape_pointer_token(&first));
                let where_ = if pointer.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `{path}`")
                };
                (
                    format!("unknown field `{first}` {where_}"),
                    field_pointer,
                    "not allowed here".to_string(),
                )
            }
            ValidationErrorKind::Type { kind } => {
                let expected = format!("{kind:?}")
                    .to_lowercase()
                    .replace("single(", "")
                    .replace(')', "");
                let found = actual.map(json_type).unwrap_or("nothing");
                (
                    format!("`{path}` must be {}, found {found}", article(&expected)),
                    pointer,
                    format!("this is {}", article(found)),
                )
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.to_string())
                    .collect();
                (
                    format!("`{path}` must be one of {}", options.join(", ")),
                    pointer,
                    "not an allowed value".to_string(),
                )
            }
            ValidationErrorKind::Constant { expected_value } => (
                format!("`{path}` must be {expected_value}"),
                pointer,
                "unexpected value".to_string(),
            ),
            ValidationErrorKind::MinLength { limit } if *limit == 1 => (
                format!("`{path}` must not be empty"),
                pointer,
                "empty".to_string(),
            ),
            _ => (
                format!("`{path}`: {error}"),
                pointer,
                "fails here".to_string(),
            ),
        };
        out.push(SchemaFinding {
            pointer,
            message,
            label,
        });
    }
    out
}

fn article(word: &str) -> String {
    let an = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if an { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_paths() {
        assert_eq!(pointer_to_path("/spec/links/0/url"), "spec.links[0].url");
        assert_eq!(
            pointer_to_path("/metadata/annotations/a~1b"),
            "metadata.annotations.a/b"
        );
        assert_eq!(pointer_to_path(""), "the entity");
    }
}
