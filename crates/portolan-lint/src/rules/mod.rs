//! The lint rules, one module each, in code order. Each module's doc says
//! what it checks and why; the `--explain` text is its code's explanation
//! in [`portolan_core::codes`].

use serde_json::{Map, Value};

use crate::walk::{Ctx, child, field};
use crate::{Family, Formats, Rule, Tier};
use portolan_apis::SpecFormat;
use portolan_core::codes as c;

mod array_items;
mod channel_parameters;
mod channel_servers;
mod contact_properties;
mod credentials_in_query;
mod duplicated_enum;
mod example_value;
mod info_contact;
mod info_description;
mod info_license;
mod license_url;
mod message_ids_unique;
mod nullable_type;
mod operation_4xx_response;
mod operation_description;
mod operation_id;
mod operation_id_url_safe;
mod operation_security;
mod operation_singular_tag;
mod operation_success_response;
mod operation_summary;
mod operation_tag_defined;
mod operation_tags;
mod parameter_description;
mod parameters_unique;
mod path_casing;
mod path_declarations;
mod path_query;
mod path_trailing_slash;
mod path_verbs;
mod rate_limit_headers;
mod ref_siblings;
mod required_defined;
mod server_https;
mod server_trailing_slash;
mod server_variables;
mod servers;
mod tag_description;
mod tags_unique;
mod typed_enum;
mod unsafe_markdown;
mod unused_component;
mod valid_example;

use Family::*;
use Tier::*;

macro_rules! rule {
    ($code:expr, $family:expr, $tier:expr, $formats:expr, $module:ident) => {
        Rule {
            code: &$code,
            family: $family,
            tier: $tier,
            formats: $formats,
            check: $module::check,
        }
    };
}

/// Every rule, in code order.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        c::LINT_INFO_CONTACT,
        Documentation,
        Recommended,
        Formats::ALL,
        info_contact
    ),
    rule!(
        c::LINT_INFO_DESCRIPTION,
        Documentation,
        Minimal,
        Formats::ALL,
        info_description
    ),
    rule!(
        c::LINT_INFO_LICENSE,
        Documentation,
        Recommended,
        Formats::ALL,
        info_license
    ),
    rule!(
        c::LINT_OPERATION_DESCRIPTION,
        Documentation,
        Recommended,
        Formats::ALL,
        operation_description
    ),
    rule!(
        c::LINT_OPERATION_ID,
        Documentation,
        Recommended,
        Formats::OPENAPI.or(Formats::ASYNC2),
        operation_id
    ),
    rule!(
        c::LINT_OPERATION_ID_URL_SAFE,
        Validity,
        Recommended,
        Formats::OPENAPI.or(Formats::ASYNC2),
        operation_id_url_safe
    ),
    rule!(
        c::LINT_OPERATION_TAGS,
        Documentation,
        Recommended,
        Formats::OPENAPI,
        operation_tags
    ),
    rule!(
        c::LINT_OPERATION_TAG_DEFINED,
        Validity,
        Recommended,
        Formats::OPENAPI,
        operation_tag_defined
    ),
    rule!(
        c::LINT_TAG_DESCRIPTION,
        Documentation,
        Recommended,
        Formats::ALL,
        tag_description
    ),
    rule!(
        c::LINT_OPERATION_SUCCESS_RESPONSE,
        Responses,
        Minimal,
        Formats::OPENAPI,
        operation_success_response
    ),
    rule!(
        c::LINT_OPERATION_4XX_RESPONSE,
        Responses,
        Recommended,
        Formats::OPENAPI,
        operation_4xx_response
    ),
    rule!(
        c::LINT_SERVERS,
        Validity,
        Recommended,
        Formats::ALL,
        servers
    ),
    rule!(
        c::LINT_SERVER_TRAILING_SLASH,
        Validity,
        Recommended,
        Formats::OAS3.or(Formats::ASYNCAPI),
        server_trailing_slash
    ),
    rule!(
        c::LINT_PATH_TRAILING_SLASH,
        Validity,
        Recommended,
        Formats::ALL,
        path_trailing_slash
    ),
    rule!(
        c::LINT_PATH_QUERY,
        Validity,
        Minimal,
        Formats::ALL,
        path_query
    ),
    rule!(
        c::LINT_REF_SIBLINGS,
        Validity,
        Minimal,
        Formats::OAS2.or(Formats::OAS30).or(Formats::ASYNCAPI),
        ref_siblings
    ),
    rule!(
        c::LINT_TYPED_ENUM,
        Validity,
        Minimal,
        Formats::ALL,
        typed_enum
    ),
    rule!(
        c::LINT_DUPLICATED_ENUM,
        Validity,
        Minimal,
        Formats::ALL,
        duplicated_enum
    ),
    rule!(
        c::LINT_UNUSED_COMPONENT,
        Validity,
        Recommended,
        Formats::ALL,
        unused_component
    ),
    rule!(
        c::LINT_ARRAY_ITEMS,
        Validity,
        Minimal,
        Formats::ALL,
        array_items
    ),
    rule!(
        c::LINT_SERVER_VARIABLES,
        Validity,
        Minimal,
        Formats::OAS3.or(Formats::ASYNCAPI),
        server_variables
    ),
    rule!(
        c::LINT_PARAMETER_DESCRIPTION,
        Documentation,
        Recommended,
        Formats::ALL,
        parameter_description
    ),
    rule!(
        c::LINT_OPERATION_SUMMARY,
        Documentation,
        Recommended,
        Formats::OPENAPI,
        operation_summary
    ),
    rule!(
        c::LINT_VALID_EXAMPLE,
        Validity,
        Minimal,
        Formats::ALL,
        valid_example
    ),
    rule!(
        c::LINT_PATH_CASING,
        Style,
        Strict,
        Formats::OPENAPI,
        path_casing
    ),
    rule!(
        c::LINT_PATH_VERBS,
        Style,
        Strict,
        Formats::OPENAPI,
        path_verbs
    ),
    rule!(
        c::LINT_OPERATION_SECURITY,
        Security,
        Strict,
        Formats::OPENAPI,
        operation_security
    ),
    rule!(
        c::LINT_SERVER_HTTPS,
        Security,
        Strict,
        Formats::ALL,
        server_https
    ),
    rule!(
        c::LINT_CREDENTIALS_IN_QUERY,
        Security,
        Strict,
        Formats::ALL,
        credentials_in_query
    ),
    rule!(
        c::LINT_RATE_LIMIT_HEADERS,
        Security,
        Strict,
        Formats::OPENAPI,
        rate_limit_headers
    ),
    rule!(
        c::LINT_PATH_DECLARATIONS,
        Validity,
        Minimal,
        Formats::OPENAPI,
        path_declarations
    ),
    rule!(
        c::LINT_PARAMETERS_UNIQUE,
        Validity,
        Minimal,
        Formats::OPENAPI,
        parameters_unique
    ),
    rule!(
        c::LINT_EXAMPLE_VALUE,
        Validity,
        Minimal,
        Formats::OAS3,
        example_value
    ),
    rule!(
        c::LINT_TAGS_UNIQUE,
        Validity,
        Minimal,
        Formats::ALL,
        tags_unique
    ),
    rule!(
        c::LINT_OPERATION_SINGULAR_TAG,
        Documentation,
        Recommended,
        Formats::OPENAPI,
        operation_singular_tag
    ),
    rule!(
        c::LINT_LICENSE_URL,
        Documentation,
        Recommended,
        Formats::ALL,
        license_url
    ),
    rule!(
        c::LINT_CONTACT_PROPERTIES,
        Documentation,
        Strict,
        Formats::ALL,
        contact_properties
    ),
    rule!(
        c::LINT_UNSAFE_MARKDOWN,
        Security,
        Recommended,
        Formats::ALL,
        unsafe_markdown
    ),
    rule!(
        c::LINT_CHANNEL_PARAMETERS,
        Validity,
        Minimal,
        Formats::ASYNCAPI,
        channel_parameters
    ),
    rule!(
        c::LINT_CHANNEL_SERVERS,
        Validity,
        Minimal,
        Formats::ASYNCAPI,
        channel_servers
    ),
    rule!(
        c::LINT_MESSAGE_IDS_UNIQUE,
        Validity,
        Minimal,
        Formats::ASYNC2,
        message_ids_unique
    ),
    rule!(
        c::LINT_NULLABLE_TYPE,
        Validity,
        Minimal,
        Formats::OAS30,
        nullable_type
    ),
    rule!(
        c::LINT_REQUIRED_DEFINED,
        Validity,
        Minimal,
        Formats::ALL,
        required_defined
    ),
];

/// The root `info` object, when there is one.
pub(crate) fn info<'a>(ctx: &Ctx<'a>) -> Option<&'a Map<String, Value>> {
    ctx.root("info")?.as_object()
}

/// The path keys of an OpenAPI document, with their pointers.
pub(crate) fn path_keys<'a>(ctx: &Ctx<'a>) -> Vec<(String, &'a str)> {
    ctx.root("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("x-"))
        .map(|(k, _)| (child("/paths", k), k.as_str()))
        .collect()
}

/// What a client addresses, with its pointer: OpenAPI path keys, AsyncAPI
/// 2 channel keys, AsyncAPI 3 channels' `address`.
pub(crate) fn addresses<'a>(ctx: &Ctx<'a>) -> Vec<(String, &'a str)> {
    let channels = || {
        ctx.root("channels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    };
    match ctx.format {
        SpecFormat::AsyncApi2 => channels()
            .map(|(k, _)| (child("/channels", k), k.as_str()))
            .collect(),
        SpecFormat::AsyncApi3 => channels()
            .filter_map(|(k, channel)| {
                let address = channel.get("address")?.as_str()?;
                Some((child(&child("/channels", k), "address"), address))
            })
            .collect(),
        _ => path_keys(ctx),
    }
}

/// A server: its pointer, its object, and its URL (with the pointer of the
/// field holding it).
pub(crate) struct Server<'a> {
    pub pointer: String,
    pub fields: &'a Map<String, Value>,
    pub url: String,
    pub url_pointer: String,
}

/// Every server object: OpenAPI 3 root, path-item and operation `servers`
/// (lists), AsyncAPI `servers` (a map; v3 writes `host` and `pathname`).
pub(crate) fn servers<'a>(ctx: &Ctx<'a>) -> Vec<Server<'a>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if ctx.format.is_openapi() {
        let mut lists: Vec<(String, &'a Value)> = Vec::new();
        if let Some(list) = ctx.root("servers") {
            lists.push(("/servers".into(), list));
        }
        for op in &ctx.operations {
            if let Some(list) = op.fields.get("servers") {
                lists.push((child(&op.pointer, "servers"), list));
            }
            // The path item's servers, once per path item.
            if let (Some(item), Some((parent, _))) = (op.path_item, op.pointer.rsplit_once('/'))
                && let Some(list) = item.get("servers")
                && seen.insert(parent.to_string())
            {
                lists.push((child(parent, "servers"), list));
            }
        }
        for (pointer, list) in lists {
            for (i, server) in list.as_array().into_iter().flatten().enumerate() {
                let Some(fields) = server.as_object() else {
                    continue;
                };
                let Some(url) = fields.get("url").and_then(Value::as_str) else {
                    continue;
                };
                let pointer = format!("{pointer}/{i}");
                out.push(Server {
                    url_pointer: child(&pointer, "url"),
                    pointer,
                    fields,
                    url: url.to_string(),
                });
            }
        }
        return out;
    }
    for (name, server) in ctx
        .root("servers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some((pointer, server)) = ctx.deref(&child("/servers", name), server) else {
            continue;
        };
        let Some(fields) = server.as_object() else {
            continue;
        };
        let (url, field) = if ctx.format == SpecFormat::AsyncApi3 {
            let host = fields.get("host").and_then(Value::as_str).unwrap_or("");
            let path = fields.get("pathname").and_then(Value::as_str).unwrap_or("");
            let protocol = fields.get("protocol").and_then(Value::as_str).unwrap_or("");
            let field = if path.is_empty() { "host" } else { "pathname" };
            (format!("{protocol}://{host}{path}"), field)
        } else {
            let Some(url) = fields.get("url").and_then(Value::as_str) else {
                continue;
            };
            (url.to_string(), "url")
        };
        out.push(Server {
            url_pointer: child(&pointer, field),
            pointer,
            fields,
            url,
        });
    }
    out
}

/// The declared tags: the root `tags` (AsyncAPI 3: `info.tags`), with
/// their pointer.
pub(crate) fn declared_tags<'a>(ctx: &Ctx<'a>) -> Option<(&'static str, &'a Vec<Value>)> {
    if ctx.format == SpecFormat::AsyncApi3 {
        let tags = info(ctx)?.get("tags")?.as_array()?;
        return Some(("/info/tags", tags));
    }
    Some(("/tags", ctx.root("tags")?.as_array()?))
}

/// Whether a response key is a status code (`201`) or range (`2XX`) of
/// the class `class` (`'2'`).
pub(crate) fn is_status_of(key: &str, class: char) -> bool {
    let mut chars = key.chars();
    chars.next() == Some(class)
        && key.len() == 3
        && (key[1..].bytes().all(|b| b.is_ascii_digit()) || key[1..].eq_ignore_ascii_case("xx"))
}

/// The OpenAPI methods' responses object of an operation.
pub(crate) fn responses(fields: &Map<String, Value>) -> Option<&Map<String, Value>> {
    fields.get("responses")?.as_object()
}

/// The types a schema allows, as written: `type: x` or a 3.1 type array;
/// `null` added for OpenAPI 3.0 `nullable: true` and 2.0 `x-nullable`.
/// Empty when the schema names no type.
pub(crate) fn schema_types(fields: &Map<String, Value>) -> Vec<&str> {
    let mut types: Vec<&str> = match field(fields, "type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = [field(fields, "nullable"), field(fields, "x-nullable")]
        .iter()
        .any(|v| *v == Some(&Value::Bool(true)));
    if nullable && !types.is_empty() && !types.contains(&"null") {
        types.push("null");
    }
    types
}

/// Whether `value` is of JSON Schema type `ty`.
pub(crate) fn is_of_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64()
                || value.is_u64()
                || value
                    .as_f64()
                    .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
        }
        // A type this rule does not know (OpenAPI 2.0 `file`): accept.
        _ => true,
    }
}

/// The JSON type name of a value, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        for (key, class, yes) in [
            ("200", '2', true),
            ("2XX", '2', true),
            ("2xx", '2', true),
            ("2000", '2', false),
            ("20", '2', false),
            ("2a0", '2', false),
            ("404", '4', true),
            ("default", '4', false),
            ("4ΧΧ", '4', false),
        ] {
            assert_eq!(is_status_of(key, class), yes, "{key}");
        }
    }

    #[test]
    fn every_rule_is_registered_once_in_code_order() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.code.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        let registered: Vec<&str> = portolan_core::codes::ALL
            .iter()
            .filter(|c| c.code.starts_with('L'))
            .map(|c| c.code)
            .collect();
        assert_eq!(codes, registered);
    }
}
