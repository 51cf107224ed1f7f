//! L024 `valid-example`: examples match their schemas.
//!
//! Examples checked: a schema's `example` (and a 3.1/AsyncAPI schema's
//! `examples` list), and the `example` or `examples` of a media type,
//! parameter or header against its `schema` (OpenAPI 2.0: a response's
//! `examples` by media type). The check reads schemas as OpenAPI does, not
//! as plain JSON Schema: what a request may leave out differs from what a
//! response may ([`Usage`]): a `required` property that is `readOnly` may
//! be missing from a request example, one that is `writeOnly` from a
//! response example, and either from an example whose direction is not
//! known (a reusable schema's own `example`). OpenAPI 3.0 `nullable:
//! true` (2.0 `x-nullable`) admits `null`, and 3.1 type arrays are read as
//! such.
//!
//! Keywords checked: `$ref` (internal), `type`, `enum`, `const`,
//! `required`, `properties`, `additionalProperties` (`false` or a schema),
//! `items`, `minItems`/`maxItems`, `minLength`/`maxLength`,
//! `minimum`/`maximum` (and both forms of their exclusive variants),
//! `allOf`, `anyOf` and `oneOf` (read as "at least one": overlapping
//! alternatives are common and say nothing wrong about the example).
//! `pattern` and `format` are not checked.
//!
//! Bounded: each example gets a budget of steps and a nesting limit, and
//! the document as a whole a budget too, so a hostile schema (nested
//! `anyOf`s) cannot make the check exponential.

use portolan_apis::SpecFormat;
use portolan_core::codes;
use serde_json::{Map, Value};

use super::typed_enum::short;
use super::{is_of_type, schema_types, type_name};
use crate::Finding;
use crate::walk::{Ctx, Usage, child, field};

/// Steps one example may take.
const EXAMPLE_BUDGET: usize = 20_000;
/// Steps every example of a document may take together.
const DOCUMENT_BUDGET: usize = 5_000_000;
/// Deepest nesting of schemas (through `$ref`s, `allOf`, properties)
/// followed.
const MAX_DEPTH: usize = 64;

struct Checker<'c, 'a> {
    ctx: &'c Ctx<'a>,
    usage: Usage,
    steps: usize,
    limit: usize,
}

/// Why an example fails: the instance path (pointer tokens, escaped) and
/// the reason.
struct Failure {
    at: String,
    reason: String,
}

impl<'a> Checker<'_, 'a> {
    /// Check `value` against `schema`; `None` when it matches (or the
    /// budget ran out: a check that cannot finish reports nothing).
    fn check(
        &mut self,
        schema: &'a Value,
        value: &Value,
        at: &str,
        depth: usize,
    ) -> Option<Failure> {
        self.steps += 1;
        if self.steps > self.limit || depth > MAX_DEPTH {
            return None;
        }
        let (_, schema) = self.ctx.deref("", schema)?;
        self.check_fields(schema.as_object()?, value, at, depth)
    }

    fn check_fields(
        &mut self,
        fields: &'a Map<String, Value>,
        value: &Value,
        at: &str,
        depth: usize,
    ) -> Option<Failure> {
        let fail = |reason: String| {
            Some(Failure {
                at: at.to_string(),
                reason,
            })
        };
        let types = schema_types(fields);
        let nullable = field(fields, "nullable") == Some(&Value::Bool(true));
        if value.is_null() && nullable {
            return None;
        }
        if !types.is_empty() && !types.iter().any(|t| is_of_type(value, t)) {
            return fail(format!(
                "{} is {} {}, not `{}`",
                short(value),
                article(type_name(value)),
                type_name(value),
                types.join("` or `")
            ));
        }
        if let Some(values) = field(fields, "enum").and_then(Value::as_array)
            && !values.iter().any(|v| same(v, value))
            && !(value.is_null() && nullable)
        {
            return fail(format!("{} is not one of the `enum` values", short(value)));
        }
        if let Some(constant) = field(fields, "const")
            && !same(constant, value)
        {
            return fail(format!(
                "{} is not the `const` value {}",
                short(value),
                short(constant)
            ));
        }
        if let Some(failure) = self.bounds(fields, value, at) {
            return Some(failure);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            let Some(options) = fields.get(key).and_then(Value::as_array) else {
                continue;
            };
            if key == "allOf" {
                for option in options {
                    if let Some(failure) = self.check(option, value, at, depth + 1) {
                        return Some(failure);
                    }
                }
            } else if !options.is_empty() {
                let mut first = None;
                let mut matched = false;
                for option in options {
                    match self.check(option, value, at, depth + 1) {
                        None => {
                            matched = true;
                            break;
                        }
                        Some(f) => {
                            first.get_or_insert(f);
                        }
                    }
                }
                if !matched {
                    return fail(format!(
                        "{} matches none of the `{key}` alternatives (the first: {})",
                        short(value),
                        first.map(|f| f.reason).unwrap_or_default()
                    ));
                }
            }
        }
        match value {
            Value::Object(object) => self.object(fields, object, at, depth),
            Value::Array(items) => {
                let item_schema = field(fields, "items").filter(|i| i.is_object())?;
                for (i, item) in items.iter().enumerate() {
                    if let Some(f) = self.check(item_schema, item, &format!("{at}/{i}"), depth + 1)
                    {
                        return Some(f);
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn object(
        &mut self,
        fields: &'a Map<String, Value>,
        object: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Option<Failure> {
        let properties = field(fields, "properties").and_then(Value::as_object);
        if let Some(required) = field(fields, "required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if object.contains_key(name) {
                    continue;
                }
                let property = properties
                    .and_then(|p| p.get(name))
                    .and_then(|p| self.ctx.deref("", p))
                    .map(|(_, p)| p);
                let flag =
                    |key: &str| property.and_then(|p| p.get(key)) == Some(&Value::Bool(true));
                let excused = match self.usage {
                    Usage::Request => flag("readOnly"),
                    Usage::Response => flag("writeOnly"),
                    Usage::Neutral => flag("readOnly") || flag("writeOnly"),
                };
                if !excused {
                    return Some(Failure {
                        at: at.to_string(),
                        reason: format!("required property `{name}` is missing"),
                    });
                }
            }
        }
        let additional = field(fields, "additionalProperties");
        for (name, value) in object {
            let here = child(at, name);
            match properties.and_then(|p| p.get(name)) {
                Some(schema) => {
                    if let Some(f) = self.check(schema, value, &here, depth + 1) {
                        return Some(f);
                    }
                }
                None => match additional {
                    Some(Value::Bool(false)) => {
                        return Some(Failure {
                            at: here,
                            reason: format!(
                                "property `{name}` is not allowed (`additionalProperties: false`)"
                            ),
                        });
                    }
                    Some(schema @ Value::Object(_)) => {
                        if let Some(f) = self.check(schema, value, &here, depth + 1) {
                            return Some(f);
                        }
                    }
                    _ => {}
                },
            }
        }
        None
    }

    fn bounds(&self, fields: &Map<String, Value>, value: &Value, at: &str) -> Option<Failure> {
        let number = |key: &str| fields.get(key).and_then(Value::as_f64);
        let fail = |reason: String| {
            Some(Failure {
                at: at.to_string(),
                reason,
            })
        };
        match value {
            Value::String(s) => {
                let len = s.chars().count() as f64;
                if number("minLength").is_some_and(|m| len < m) {
                    return fail(format!("{} is shorter than `minLength`", short(value)));
                }
                if number("maxLength").is_some_and(|m| len > m) {
                    return fail(format!("{} is longer than `maxLength`", short(value)));
                }
            }
            Value::Array(items) => {
                let len = items.len() as f64;
                if number("minItems").is_some_and(|m| len < m)
                    || number("maxItems").is_some_and(|m| len > m)
                {
                    return fail(format!(
                        "the array has {} items, outside `minItems`/`maxItems`",
                        items.len()
                    ));
                }
            }
            Value::Number(n) => {
                let n = n.as_f64()?;
                let exclusive = |key: &str| fields.get(key) == Some(&Value::Bool(true));
                if let Some(min) = number("minimum")
                    && (n < min || (exclusive("exclusiveMinimum") && n == min))
                {
                    return fail(format!("{n} is below the `minimum` {min}"));
                }
                if let Some(max) = number("maximum")
                    && (n > max || (exclusive("exclusiveMaximum") && n == max))
                {
                    return fail(format!("{n} is above the `maximum` {max}"));
                }
                if number("exclusiveMinimum").is_some_and(|m| n <= m) {
                    return fail(format!("{n} is not above the `exclusiveMinimum`"));
                }
                if number("exclusiveMaximum").is_some_and(|m| n >= m) {
                    return fail(format!("{n} is not below the `exclusiveMaximum`"));
                }
            }
            _ => {}
        }
        None
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// JSON equality with numbers compared by value (`1` = `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A schema to check an example against: a value (maybe a `$ref`), or a
/// schema object's fields.
#[derive(Clone, Copy)]
enum Schema<'a> {
    Value(&'a Value),
    Fields(&'a Map<String, Value>),
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut spent = 0usize;
    let mut run = |usage: Usage,
                   schema: Schema<'_>,
                   example: &Value,
                   pointer: String,
                   out: &mut Vec<Finding>| {
        if spent >= DOCUMENT_BUDGET {
            return;
        }
        let mut checker = Checker {
            ctx,
            usage,
            steps: 0,
            limit: EXAMPLE_BUDGET.min(DOCUMENT_BUDGET - spent),
        };
        let failure = match schema {
            Schema::Value(schema) => checker.check(schema, example, &pointer, 0),
            Schema::Fields(fields) => checker.check_fields(fields, example, &pointer, 0),
        };
        spent += checker.steps;
        if let Some(failure) = failure {
            out.push(
                Finding::new(
                    &codes::LINT_VALID_EXAMPLE,
                    failure.at,
                    format!("example does not match its schema: {}", failure.reason),
                )
                .with_help("fix the example (or the schema, if the example shows what the API really does)"),
            );
        }
    };
    for site in &ctx.schemas {
        let schema = Schema::Fields(site.fields);
        if let Some(example) = field(site.fields, "example") {
            run(
                site.usage,
                schema,
                example,
                child(&site.pointer, "example"),
                out,
            );
        }
        if let Some(examples) = field(site.fields, "examples").and_then(Value::as_array) {
            let pointer = child(&site.pointer, "examples");
            for (i, example) in examples.iter().enumerate() {
                run(site.usage, schema, example, format!("{pointer}/{i}"), out);
            }
        }
    }
    for owner in &ctx.example_owners {
        let Some(schema) = field(owner.fields, "schema").map(Schema::Value) else {
            continue;
        };
        if let Some(example) = field(owner.fields, "example") {
            run(
                owner.usage,
                schema,
                example,
                child(&owner.pointer, "example"),
                out,
            );
        }
        let Some(examples) = field(owner.fields, "examples").and_then(Value::as_object) else {
            continue;
        };
        let pointer = child(&owner.pointer, "examples");
        for (name, example) in examples {
            let example_pointer = child(&pointer, name);
            if ctx.format == SpecFormat::OpenApi20 {
                // A response's examples by media type: the values themselves.
                run(owner.usage, schema, example, example_pointer, out);
                continue;
            }
            let Some((example_pointer, example)) = ctx.deref(&example_pointer, example) else {
                continue;
            };
            if let Some(value) = example.get("value") {
                run(
                    owner.usage,
                    schema,
                    value,
                    child(&example_pointer, "value"),
                    out,
                );
            }
        }
    }
}
