//! Turning JSON Schema validation errors into readable findings: a message
//! naming the field in dotted form, the pointer of the node to mark, and a
//! label. Shared by the catalog schemas, user policies and API structure.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};

/// One schema violation, ready to become a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFinding {
    /// JSON pointer of the node to mark (for a missing property: its
    /// parent; for an unknown one: the property itself).
    pub pointer: String,
    pub message: String,
    pub label: String,
    /// For a value that matches none of the forms an `anyOf`/`oneOf`
    /// allows: why the closest form fails, each error described (nested
    /// alternatives flattened). Empty for every other finding.
    pub within: Vec<SchemaFinding>,
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

/// A JSON type with its article, as a sentence names it ("a string",
/// "an integer", "null").
fn type_phrase(name: &str) -> String {
    match name {
        "null" => "null".to_string(),
        "integer" | "object" | "array" => format!("an {name}"),
        _ => format!("a {name}"),
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

/// `a`, `a or b`, `a, b or c`.
fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn both(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Longest quotation of a value in a message, in characters: enough to
/// recognise it, short enough that a megabyte string is not printed whole.
const QUOTE_CHARS: usize = 40;

/// Most allowed values an `enum` message lists.
const ENUM_LISTED: usize = 8;

/// A writer that keeps the first `limit` bytes and then refuses more, so
/// serialising a huge value stops early instead of building it whole.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
    full: bool,
}

impl std::io::Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.limit - self.bytes.len();
        if data.len() > room {
            self.bytes.extend_from_slice(&data[..room]);
            self.full = true;
            return Err(std::io::Error::other("quotation is long enough"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A value as JSON, cut after [`QUOTE_CHARS`] characters with `…`.
pub fn quote(value: &serde_json::Value) -> String {
    // A long string is cut before it is escaped: escaping scans it whole.
    let cut_string;
    let value = match value {
        serde_json::Value::String(s) if s.chars().nth(QUOTE_CHARS).is_some() => {
            cut_string = serde_json::Value::String(s.chars().take(QUOTE_CHARS + 1).collect());
            &cut_string
        }
        other => other,
    };
    let mut out = Bounded {
        bytes: Vec::new(),
        limit: QUOTE_CHARS * 4 + 8,
        full: false,
    };
    // Only the bound can make writing fail; what was written is kept.
    let _ = serde_json::to_writer(&mut out, value);
    let text = String::from_utf8_lossy(&out.bytes);
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if out.full || chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A number from the schema, as written (`5`, not `5.0`).
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// `1 item`, `2 items`.
fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What a `format` value must be, in words.
fn format_phrase(format: &str) -> String {
    match format {
        "date-time" => "a date and time (RFC 3339, e.g. `2024-05-01T12:00:00Z`)".into(),
        "date" => "a date (`YYYY-MM-DD`)".into(),
        "time" => "a time of day (RFC 3339, e.g. `12:00:00Z`)".into(),
        "duration" => "a duration (ISO 8601, e.g. `P3D`)".into(),
        "email" | "idn-email" => "an email address".into(),
        "hostname" | "idn-hostname" => "a host name".into(),
        "ipv4" => "an IPv4 address".into(),
        "ipv6" => "an IPv6 address".into(),
        "uri" | "iri" => "an absolute URI".into(),
        "uri-reference" | "iri-reference" => "a URI reference".into(),
        "uri-template" => "a URI template".into(),
        "uuid" => "a UUID".into(),
        "regex" => "a regular expression".into(),
        "json-pointer" => "a JSON pointer".into(),
        "relative-json-pointer" => "a relative JSON pointer".into(),
        other => format!("in the `{other}` format"),
    }
}

/// Where a finding is, in the words of a sentence about it.
struct Subject<'a> {
    /// "`spec.owner`", or "the key \"Foo\" in `metadata.labels`".
    name: String,
    /// The dotted path of the node (for "unknown field ... in `path`").
    path: &'a str,
    /// The instance pointer is the document root.
    at_root: bool,
}

/// Every violation of `instance`, described; the document root is named
/// "the entity".
pub fn describe_errors(validator: &Validator, instance: &serde_json::Value) -> Vec<SchemaFinding> {
    describe_errors_in(validator, instance, "the entity")
}

/// Every violation of `instance`, described; `root_name` names the
/// document root in messages ("the entity", "the document").
pub fn describe_errors_in(
    validator: &Validator,
    instance: &serde_json::Value,
    root_name: &str,
) -> Vec<SchemaFinding> {
    validator
        .iter_errors(instance)
        .map(|error| describe(&error, instance, root_name))
        .collect()
}

/// One violation, described.
pub fn describe(
    error: &ValidationError<'_>,
    document: &serde_json::Value,
    root_name: &str,
) -> SchemaFinding {
    let pointer = error.instance_path().as_str().to_string();
    let path = pointer_to_path(&pointer);
    let subject = Subject {
        name: if pointer.is_empty() {
            root_name.to_string()
        } else {
            format!("`{path}`")
        },
        path: &path,
        at_root: pointer.is_empty(),
    };
    let within = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            closest_alternative(context, &pointer)
                .map(|errors| {
                    errors
                        .iter()
                        .flat_map(|e| {
                            let found = describe(e, document, root_name);
                            if found.within.is_empty() {
                                vec![found]
                            } else {
                                found.within
                            }
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let (message, marked, label) = sentence(error, &subject, &pointer, document, root_name);
    let message = match (error.kind(), within.first()) {
        (
            ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. },
            Some(closest),
        ) => format!("{message} (the closest fails because {})", closest.message),
        _ => message,
    };
    SchemaFinding {
        pointer: marked.unwrap_or(pointer),
        message,
        label,
        within,
    }
}

/// The message, the pointer to mark instead of the instance's (if any) and
/// the label for one error about `subject`.
fn sentence(
    error: &ValidationError<'_>,
    subject: &Subject<'_>,
    pointer: &str,
    document: &serde_json::Value,
    root_name: &str,
) -> (String, Option<String>, String) {
    let name = &subject.name;
    let value = error.instance();
    let value: &serde_json::Value = value;
    let found_value = || format!("found {}", quote(value));
    let found_type = || format!("found {}", type_phrase(json_type(value)));
    let plain = |message: String, label: &str| (message, None, label.to_string());
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected: Vec<String> = match kind {
                TypeKind::Single(t) => vec![type_phrase(t.as_str())],
                // "a string or null" reads better than "null or a string".
                TypeKind::Multiple(set) => {
                    let (null, rest): (Vec<_>, Vec<_>) =
                        set.iter().partition(|t| t.as_str() == "null");
                    rest.into_iter()
                        .chain(null)
                        .map(|t| type_phrase(t.as_str()))
                        .collect()
                }
            };
            (
                format!("{name} must be {}, {}", either(&expected), found_type()),
                None,
                format!("this is {}", type_phrase(json_type(value))),
            )
        }
        ValidationErrorKind::Required { property } => {
            let property = match property {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let full = if subject.at_root {
                format!("`{property}`")
            } else {
                format!("`{}.{property}`", subject.path)
            };
            // `dependentRequired` does not say which present field asked
            // for this one (its schema path stops at the keyword).
            let when = if is_dependent(error) {
                " by a field present beside it"
            } else {
                ""
            };
            (
                format!("{full} is required{when}"),
                None,
                format!("`{property}` is missing here"),
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            unknown_fields(unexpected, subject, pointer, root_name)
        }
        ValidationErrorKind::AdditionalItems { limit } => plain(
            format!(
                "{name} may have at most {}, found {}",
                count(*limit as u64, "item", "items"),
                value.as_array().map_or(0, Vec::len)
            ),
            "too many items",
        ),
        ValidationErrorKind::UnevaluatedItems { unexpected } => plain(
            format!(
                "{name} has {} that no schema allows",
                count(unexpected.len() as u64, "item", "items")
            ),
            "items not allowed here",
        ),
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = match options.as_ref() {
                serde_json::Value::Array(items) => items.iter().map(quote).collect(),
                other => vec![quote(other)],
            };
            let allowed = match options.len() {
                1 => options[0].clone(),
                n if n <= ENUM_LISTED => format!("one of {}", either(&options)),
                n => format!(
                    "one of {} (or {} other values)",
                    options[..ENUM_LISTED].join(", "),
                    n - ENUM_LISTED
                ),
            };
            plain(
                format!("{name} must be {allowed}, {}", found_value()),
                "not an allowed value",
            )
        }
        ValidationErrorKind::Constant { expected_value } => plain(
            format!(
                "{name} must be {}, {}",
                quote(expected_value),
                found_value()
            ),
            "unexpected value",
        ),
        ValidationErrorKind::Pattern { pattern } => plain(
            format!(
                "{name} must match the pattern `{pattern}`, {}",
                found_value()
            ),
            "does not match the pattern",
        ),
        ValidationErrorKind::Format { format } => plain(
            format!(
                "{name} must be {}, {}",
                format_phrase(format),
                found_value()
            ),
            "wrong format",
        ),
        ValidationErrorKind::Minimum { limit } => plain(
            format!("{name} must be at least {limit}, {}", found_value()),
            "too small",
        ),
        ValidationErrorKind::Maximum { limit } => plain(
            format!("{name} must be at most {limit}, {}", found_value()),
            "too large",
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => plain(
            format!("{name} must be greater than {limit}, {}", found_value()),
            "too small",
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => plain(
            format!("{name} must be less than {limit}, {}", found_value()),
            "too large",
        ),
        ValidationErrorKind::MultipleOf { multiple_of } => plain(
            format!(
                "{name} must be a multiple of {}, {}",
                number(*multiple_of),
                found_value()
            ),
            "not a multiple",
        ),
        ValidationErrorKind::MinLength { limit } => {
            let length = value.as_str().map_or(0, |s| s.chars().count()) as u64;
            if *limit == 1 {
                plain(format!("{name} must not be empty"), "empty")
            } else {
                plain(
                    format!(
                        "{name} must be at least {} long, found {length}",
                        count(*limit, "character", "characters")
                    ),
                    "too short",
                )
            }
        }
        ValidationErrorKind::MaxLength { limit } => {
            let length = value.as_str().map_or(0, |s| s.chars().count());
            plain(
                format!(
                    "{name} must be at most {} long, found {length}",
                    count(*limit, "character", "characters")
                ),
                "too long",
            )
        }
        ValidationErrorKind::MinItems { limit } => {
            let found = value.as_array().map_or(0, Vec::len);
            if *limit == 1 {
                plain(format!("{name} must not be empty"), "empty")
            } else {
                plain(
                    format!(
                        "{name} must have at least {}, found {found}",
                        count(*limit, "item", "items")
                    ),
                    "too few items",
                )
            }
        }
        ValidationErrorKind::MaxItems { limit } => plain(
            format!(
                "{name} must have at most {}, found {}",
                count(*limit, "item", "items"),
                value.as_array().map_or(0, Vec::len)
            ),
            "too many items",
        ),
        ValidationErrorKind::UniqueItems => plain(
            format!("{name} must not hold the same item twice"),
            "repeated items",
        ),
        ValidationErrorKind::MinProperties { limit } => {
            let found = value.as_object().map_or(0, serde_json::Map::len);
            if *limit == 1 {
                plain(format!("{name} must not be empty"), "empty")
            } else {
                plain(
                    format!(
                        "{name} must have at least {}, found {found}",
                        count(*limit, "field", "fields")
                    ),
                    "too few fields",
                )
            }
        }
        ValidationErrorKind::MaxProperties { limit } => plain(
            format!(
                "{name} must have at most {}, found {}",
                count(*limit, "field", "fields"),
                value.as_object().map_or(0, serde_json::Map::len)
            ),
            "too many fields",
        ),
        // `describe` adds why the closest form fails.
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            plain(
                format!(
                    "{name} matches none of the {} forms allowed here",
                    context.len()
                ),
                "matches no allowed form",
            )
        }
        ValidationErrorKind::OneOfMultipleValid { context } => plain(
            format!(
                "{name} matches more than one of the {} forms allowed here, and must match exactly one",
                context.len()
            ),
            "matches several forms",
        ),
        ValidationErrorKind::Not { schema } => plain(
            format!(
                "{name} must not match the schema {}, and does",
                quote(schema)
            ),
            "a form not allowed here",
        ),
        ValidationErrorKind::Contains => {
            let keyword = error
                .schema_path()
                .as_str()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            match keyword.as_str() {
                "maxContains" => plain(
                    format!("{name} has more items of a limited form than it may"),
                    "too many matching items",
                ),
                "minContains" => plain(
                    format!("{name} has fewer items of the required form than it must"),
                    "too few matching items",
                ),
                _ => plain(
                    format!("{name} must contain an item of the required form, and has none"),
                    "no matching item",
                ),
            }
        }
        ValidationErrorKind::PropertyNames { error: inner } => {
            let key: &serde_json::Value = inner.instance();
            let key_subject = Subject {
                name: format!("the key {} in {name}", quote(key)),
                path: subject.path,
                at_root: false,
            };
            let (message, _, label) = sentence(inner, &key_subject, pointer, document, root_name);
            let marked = key
                .as_str()
                .map(|k| format!("{pointer}/{}", crate::yaml::escape_pointer_token(k)));
            (message, marked, label)
        }
        ValidationErrorKind::FalseSchema => {
            // `additionalProperties: false` with no `properties` beside it
            // reports the object, with its first member as the instance:
            // every member is unknown.
            let keyword = error.schema_path().as_str().rsplit('/').next();
            if let Some("additionalProperties" | "unevaluatedProperties") = keyword
                && let Some(object) = document.pointer(pointer).and_then(|v| v.as_object())
            {
                let keys: Vec<String> = object.keys().cloned().collect();
                return unknown_fields(&keys, subject, pointer, root_name);
            }
            if subject.at_root {
                plain(format!("{name} is not allowed"), "not allowed")
            } else {
                plain(format!("{name} is not allowed here"), "not allowed here")
            }
        }
        ValidationErrorKind::ContentEncoding { content_encoding } => plain(
            format!("{name} must be encoded as {content_encoding}"),
            "not encoded as required",
        ),
        ValidationErrorKind::ContentMediaType { content_media_type } => plain(
            format!("{name} must be valid {content_media_type} text"),
            "not valid content",
        ),
        ValidationErrorKind::FromUtf8 { .. } => plain(
            format!("{name} must decode to UTF-8 text, and does not"),
            "not UTF-8 once decoded",
        ),
        ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. } => plain(
            format!(
                "{name} could not be checked against its pattern: the pattern is too costly to match"
            ),
            "not checked",
        ),
        ValidationErrorKind::Referencing(reason) => plain(
            format!(
                "{name} could not be checked: a `$ref` in the schema does not resolve ({reason})"
            ),
            "not checked",
        ),
        ValidationErrorKind::Custom { message, .. } => {
            plain(format!("{name}: {message}"), "fails here")
        }
    }
}

/// "unknown field `b` in `spec`", marking the first of `unexpected`.
fn unknown_fields(
    unexpected: &[String],
    subject: &Subject<'_>,
    pointer: &str,
    root_name: &str,
) -> (String, Option<String>, String) {
    let first = unexpected.first().cloned().unwrap_or_default();
    let marked = format!("{pointer}/{}", crate::yaml::escape_pointer_token(&first));
    let where_ = if !subject.at_root {
        format!("in `{}`", subject.path)
    } else if root_name == "the entity" {
        "at the top level".to_string()
    } else {
        format!("at the top level of {root_name}")
    };
    let names: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
    let fields = match names.len() {
        1 => format!("unknown field {}", names[0]),
        n if n <= ENUM_LISTED => format!("unknown fields {}", both(&names)),
        n => format!(
            "unknown fields {} and {} more",
            names[..ENUM_LISTED].join(", "),
            n - ENUM_LISTED
        ),
    };
    (
        format!("{fields} {where_}"),
        Some(marked),
        "not allowed here".to_string(),
    )
}

/// Whether a `required` error was raised by `dependentRequired` (or a
/// Draft 7 `dependencies` array).
fn is_dependent(error: &ValidationError<'_>) -> bool {
    error
        .schema_path()
        .as_str()
        .rsplit('/')
        .next()
        .is_some_and(|k| k == "dependentRequired" || k == "dependencies")
}

/// The errors of the alternative of an `anyOf`/`oneOf` that came nearest:
/// the one with the fewest errors, preferring those whose errors lie
/// deeper than a mismatched type of the value itself. `None` when every
/// alternative rejects the value's own type: naming one of them would say
/// nothing the number of forms does not.
fn closest_alternative<'e>(
    alternatives: &'e [Vec<ValidationError<'static>>],
    pointer: &str,
) -> Option<&'e [ValidationError<'static>]> {
    let rejects_value = |errors: &Vec<ValidationError<'static>>| {
        errors.iter().any(|e| {
            e.instance_path().as_str() == pointer
                && matches!(
                    e.kind(),
                    ValidationErrorKind::Type { .. }
                        | ValidationErrorKind::Constant { .. }
                        | ValidationErrorKind::Enum { .. }
                        | ValidationErrorKind::FalseSchema
                )
        })
    };
    let best = alternatives
        .iter()
        .filter(|errors| !errors.is_empty())
        .min_by_key(|errors| (rejects_value(errors), errors.len()))?;
    (!rejects_value(best)).then_some(best.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    /// The messages `instance` gets from `schema`, through a real
    /// validator (Draft 2020-12, formats asserted), in the order found.
    fn messages(schema: serde_json::Value, instance: serde_json::Value) -> Vec<String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        describe_errors(&validator, &instance)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    /// The one message `instance` gets, under `spec.value`.
    fn message(schema: serde_json::Value, value: serde_json::Value) -> String {
        let schema = json!({"properties": {"spec": {"properties": {"value": schema}}}});
        let found = messages(schema, json!({"spec": {"value": value}}));
        assert_eq!(found.len(), 1, "{found:?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn type_with_one_type() {
        assert_eq!(
            message(json!({"type": "string"}), json!(3)),
            "`spec.value` must be a string, found a number"
        );
        assert_eq!(
            message(json!({"type": "integer"}), json!(1.5)),
            "`spec.value` must be an integer, found a number"
        );
        assert_eq!(
            message(json!({"type": "object"}), json!(null)),
            "`spec.value` must be an object, found null"
        );
    }

    /// Issue 16: this read "must be a multiple((boolean, object, found string".
    #[test]
    fn type_with_several_types() {
        assert_eq!(
            message(json!({"type": ["boolean", "object"]}), json!("my-app-id")),
            "`spec.value` must be a boolean or an object, found a string"
        );
        assert_eq!(
            message(json!({"type": ["string", "array", "null"]}), json!(true)),
            "`spec.value` must be a string, an array or null, found a boolean"
        );
    }

    #[test]
    fn enum_and_const() {
        assert_eq!(
            message(
                json!({"enum": ["experimental", "production"]}),
                json!("prod")
            ),
            "`spec.value` must be one of \"experimental\" or \"production\", found \"prod\""
        );
        assert_eq!(
            message(json!({"enum": ["a", "b", "c"]}), json!(1)),
            "`spec.value` must be one of \"a\", \"b\" or \"c\", found 1"
        );
        assert_eq!(
            message(json!({"enum": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}), json!(0)),
            "`spec.value` must be one of 1, 2, 3, 4, 5, 6, 7, 8 (or 2 other values), found 0"
        );
        assert_eq!(
            message(json!({"const": "v1"}), json!("v2")),
            "`spec.value` must be \"v1\", found \"v2\""
        );
    }

    #[test]
    fn required_and_dependent_required() {
        assert_eq!(
            messages(
                json!({"properties": {"spec": {"required": ["owner"]}}}),
                json!({"spec": {}})
            ),
            ["`spec.owner` is required"]
        );
        assert_eq!(
            messages(json!({"required": ["kind"]}), json!({})),
            ["`kind` is required"]
        );
        assert_eq!(
            message(
                json!({"dependentRequired": {"target": ["type"]}}),
                json!({"target": "x"})
            ),
            "`spec.value.type` is required by a field present beside it"
        );
    }

    #[test]
    fn additional_and_unevaluated_properties() {
        assert_eq!(
            message(
                json!({"properties": {"a": true}, "additionalProperties": false}),
                json!({"a": 1, "b": 2})
            ),
            "unknown field `b` in `spec.value`"
        );
        assert_eq!(
            message(
                json!({"additionalProperties": false}),
                json!({"b": 2, "c": 3})
            ),
            "unknown fields `b` and `c` in `spec.value`"
        );
        assert_eq!(
            messages(
                json!({"properties": {"spec": true}, "additionalProperties": false}),
                json!({"spec": 1, "status": 2})
            ),
            ["unknown field `status` at the top level"]
        );
        assert_eq!(
            message(
                json!({"allOf": [{"properties": {"a": true}}], "unevaluatedProperties": false}),
                json!({"a": 1, "z": 2})
            ),
            "unknown field `z` in `spec.value`"
        );
    }

    #[test]
    fn the_unknown_field_is_marked() {
        let validator = jsonschema::validator_for(&json!({"additionalProperties": false})).unwrap();
        let found = describe_errors(&validator, &json!({"a/b": 1}));
        assert_eq!(found[0].pointer, "/a~1b");
        assert_eq!(found[0].label, "not allowed here");
    }

    #[test]
    fn items_beyond_the_allowed() {
        assert_eq!(
            message(
                json!({"prefixItems": [true], "items": false}),
                json!([1, 2])
            ),
            "`spec.value[1]` is not allowed here"
        );
        assert_eq!(
            message(
                json!({"prefixItems": [true], "unevaluatedItems": false}),
                json!([1, 2, 3])
            ),
            "`spec.value` has 2 items that no schema allows"
        );
    }

    #[test]
    fn pattern_and_format() {
        assert_eq!(
            message(json!({"pattern": "^[a-z]+$"}), json!("Payments")),
            "`spec.value` must match the pattern `^[a-z]+$`, found \"Payments\""
        );
        assert_eq!(
            message(json!({"format": "date-time"}), json!("yesterday")),
            "`spec.value` must be a date and time (RFC 3339, e.g. `2024-05-01T12:00:00Z`), found \"yesterday\""
        );
        assert_eq!(
            message(json!({"format": "email"}), json!("nobody")),
            "`spec.value` must be an email address, found \"nobody\""
        );
    }

    #[test]
    fn minimum_maximum_and_exclusive() {
        assert_eq!(
            message(json!({"minimum": 1}), json!(0)),
            "`spec.value` must be at least 1, found 0"
        );
        assert_eq!(
            message(json!({"maximum": 65535}), json!(70000)),
            "`spec.value` must be at most 65535, found 70000"
        );
        assert_eq!(
            message(json!({"exclusiveMinimum": 0}), json!(0)),
            "`spec.value` must be greater than 0, found 0"
        );
        assert_eq!(
            message(json!({"exclusiveMaximum": 1.5}), json!(2)),
            "`spec.value` must be less than 1.5, found 2"
        );
    }

    #[test]
    fn multiple_of() {
        assert_eq!(
            message(json!({"multipleOf": 5}), json!(7)),
            "`spec.value` must be a multiple of 5, found 7"
        );
        assert_eq!(
            message(json!({"multipleOf": 0.5}), json!(0.7)),
            "`spec.value` must be a multiple of 0.5, found 0.7"
        );
    }

    #[test]
    fn string_lengths() {
        assert_eq!(
            message(json!({"minLength": 1}), json!("")),
            "`spec.value` must not be empty"
        );
        assert_eq!(
            message(json!({"minLength": 3}), json!("ab")),
            "`spec.value` must be at least 3 characters long, found 2"
        );
        assert_eq!(
            message(json!({"maxLength": 1}), json!("été")),
            "`spec.value` must be at most 1 character long, found 3"
        );
    }

    #[test]
    fn array_sizes_and_uniqueness() {
        assert_eq!(
            message(json!({"minItems": 1}), json!([])),
            "`spec.value` must not be empty"
        );
        assert_eq!(
            message(json!({"minItems": 2}), json!([1])),
            "`spec.value` must have at least 2 items, found 1"
        );
        assert_eq!(
            message(json!({"maxItems": 1}), json!([1, 2])),
            "`spec.value` must have at most 1 item, found 2"
        );
        assert_eq!(
            message(json!({"uniqueItems": true}), json!(["a", "b", "a"])),
            "`spec.value` must not hold the same item twice"
        );
    }

    #[test]
    fn object_sizes() {
        assert_eq!(
            message(json!({"minProperties": 1}), json!({})),
            "`spec.value` must not be empty"
        );
        assert_eq!(
            message(json!({"minProperties": 2}), json!({"a": 1})),
            "`spec.value` must have at least 2 fields, found 1"
        );
        assert_eq!(
            message(json!({"maxProperties": 1}), json!({"a": 1, "b": 2})),
            "`spec.value` must have at most 1 field, found 2"
        );
    }

    #[test]
    fn one_of_and_any_of() {
        let forms = json!([
            {"type": "object", "required": ["url"]},
            {"type": "string"}
        ]);
        assert_eq!(
            message(json!({"oneOf": forms}), json!({"href": "x"})),
            "`spec.value` matches none of the 2 forms allowed here (the closest fails because `spec.value.url` is required)"
        );
        assert_eq!(
            message(json!({"anyOf": forms}), json!({"href": "x"})),
            "`spec.value` matches none of the 2 forms allowed here (the closest fails because `spec.value.url` is required)"
        );
        // Every form rejects the type: no "closest" to name.
        assert_eq!(
            message(
                json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
                json!(true)
            ),
            "`spec.value` matches none of the 2 forms allowed here"
        );
        assert_eq!(
            message(
                json!({"oneOf": [{"type": "string"}, {"minLength": 1}]}),
                json!("a")
            ),
            "`spec.value` matches more than one of the 2 forms allowed here, and must match exactly one"
        );
    }

    /// The closest form's own errors come with the finding, so a caller can
    /// tell where the value really fails.
    #[test]
    fn the_closest_form_is_kept_with_its_places() {
        let validator = jsonschema::validator_for(&json!({"properties": {"m": {"oneOf": [
            {"$ref": "#/$defs/named"},
            {"type": "object", "properties": {"tags": {"type": "array"}}, "required": ["name"]}
        ]}}, "$defs": {"named": {"type": "string"}}}))
        .unwrap();
        let found = describe_errors(&validator, &json!({"m": {"name": "x", "tags": 3}}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/m");
        let within: Vec<(&str, &str)> = found[0]
            .within
            .iter()
            .map(|f| (f.pointer.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            within,
            [("/m/tags", "`m.tags` must be an array, found a number")]
        );
    }

    #[test]
    fn not() {
        assert_eq!(
            message(json!({"not": {"type": "string"}}), json!("x")),
            "`spec.value` must not match the schema {\"type\":\"string\"}, and does"
        );
    }

    #[test]
    fn contains() {
        assert_eq!(
            message(json!({"contains": {"const": "owner"}}), json!(["a"])),
            "`spec.value` must contain an item of the required form, and has none"
        );
        assert_eq!(
            message(
                json!({"contains": {"const": "a"}, "minContains": 2}),
                json!(["a", "b"])
            ),
            "`spec.value` has fewer items of the required form than it must"
        );
        assert_eq!(
            message(
                json!({"contains": {"const": "a"}, "maxContains": 1}),
                json!(["a", "a"])
            ),
            "`spec.value` has more items of a limited form than it may"
        );
    }

    #[test]
    fn property_names() {
        let validator = jsonschema::validator_for(&json!({
            "properties": {"labels": {"propertyNames": {"pattern": "^[a-z]+$"}}}
        }))
        .unwrap();
        let found = describe_errors(&validator, &json!({"labels": {"ok": 1, "Bad": 2}}));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "the key \"Bad\" in `labels` must match the pattern `^[a-z]+$`, found \"Bad\""
        );
        assert_eq!(found[0].pointer, "/labels/Bad");
    }

    #[test]
    fn false_schema() {
        assert_eq!(
            message(json!(false), json!(1)),
            "`spec.value` is not allowed here"
        );
        assert_eq!(
            messages(json!(false), json!({})),
            ["the entity is not allowed"]
        );
    }

    #[test]
    fn content_encoding_and_media_type() {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .with_draft(jsonschema::Draft::Draft7)
            .build(&json!({"properties": {
                "blob": {"contentEncoding": "base64"},
                "doc": {"contentMediaType": "application/json"}
            }}))
            .unwrap();
        let found: Vec<String> =
            describe_errors(&validator, &json!({"blob": "%%%", "doc": "{nope"}))
                .into_iter()
                .map(|f| f.message)
                .collect();
        assert_eq!(
            found,
            [
                "`blob` must be encoded as base64",
                "`doc` must be valid application/json text"
            ]
        );
    }

    #[test]
    fn the_root_has_a_name_of_its_own() {
        let validator = jsonschema::validator_for(&json!({"required": ["openapi"]})).unwrap();
        let found = describe_errors_in(&validator, &json!({}), "the document");
        assert_eq!(found[0].message, "`openapi` is required");
        let validator = jsonschema::validator_for(&json!({"type": "object"})).unwrap();
        let found = describe_errors_in(&validator, &json!([]), "the document");
        assert_eq!(
            found[0].message,
            "the document must be an object, found an array"
        );
    }

    /// A long value is quoted in part: a 1 MB string must not end up in a
    /// message whole.
    #[test]
    fn long_values_are_quoted_in_part() {
        let long = "x".repeat(1 << 20);
        let text = message(json!({"enum": ["a"]}), json!(long));
        assert_eq!(
            text,
            format!("`spec.value` must be \"a\", found \"{}…", "x".repeat(39))
        );
        let many: Vec<u32> = (0..100_000).collect();
        let text = message(json!({"const": []}), json!(many));
        assert!(text.len() < 200, "{text}");
        assert!(text.ends_with("…"), "{text}");
        // Short values are whole.
        assert_eq!(quote(&json!({"a": [1, 2]})), "{\"a\":[1,2]}");
        assert_eq!(quote(&json!("é\"")), "\"é\\\"\"");
    }

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
