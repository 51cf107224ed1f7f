//! Example payloads made from schemas, for operations whose definition
//! gives none: deterministic, small, and true to the schema where a value
//! can be chosen without guessing (`const`, `example(s)`, `default`,
//! `enum`, `format`, bounds). Properties a side never sees are left out:
//! `readOnly` ones from requests, `writeOnly` ones from responses.
//!
//! References are followed through the API's named schemas. A schema
//! already being expanded is not expanded again (recursion ends the
//! branch), depth is bounded, and every example has a budget of values, so
//! a schema graph that fans out (each of ten properties referring to a
//! schema with ten more, ...) costs at most the budget, never its size
//! expanded.

use std::collections::HashMap;

use portolan_apis::model::Schema;
use serde_json::{Map, Value as Json};

/// Which side of an exchange the example is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Request,
    Response,
}

/// Deepest nesting an example shows.
const MAX_DEPTH: usize = 5;
/// Most values (objects, arrays and scalars) in one example.
const MAX_VALUES: usize = 60;
/// Optional properties a request example shows of an object that has no
/// required ones.
const REQUEST_OPTIONAL: usize = 3;

/// The named schemas of one API, by name, for following references.
pub struct Named<'a> {
    schemas: HashMap<&'a str, &'a Schema>,
}

impl<'a> Named<'a> {
    pub fn new(schemas: impl IntoIterator<Item = (&'a str, &'a Schema)>) -> Self {
        Named {
            schemas: schemas.into_iter().collect(),
        }
    }

    /// The named schema called `name`, with the name as the API holds it.
    pub fn get(&self, name: &str) -> Option<(&'a str, &'a Schema)> {
        self.schemas.get_key_value(name).map(|(k, s)| (*k, *s))
    }

    /// Every named schema, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Schema)> + '_ {
        self.schemas.iter().map(|(k, s)| (*k, *s))
    }
}

/// An example of `schema` for `side`; `None` when the schema allows no
/// value portolan can show (an unresolvable reference, `false`).
pub fn generate(schema: &Schema, named: &Named<'_>, side: Side) -> Option<Json> {
    let mut walk = Walk {
        named,
        side,
        budget: MAX_VALUES,
        expanding: Vec::new(),
    };
    walk.value(schema, 0)
}

struct Walk<'n, 'a> {
    named: &'n Named<'a>,
    side: Side,
    budget: usize,
    /// Named schemas being expanded, outermost first (a short stack: its
    /// depth is bounded by [`MAX_DEPTH`]).
    expanding: Vec<&'a str>,
}

impl<'a> Walk<'_, 'a> {
    fn value(&mut self, schema: &Schema, depth: usize) -> Option<Json> {
        if self.budget == 0 || depth > MAX_DEPTH {
            return None;
        }
        if let Some(reference) = &schema.reference {
            let name = reference.name.as_deref()?;
            let (&key, &target) = self.named.schemas.get_key_value(name)?;
            if self.expanding.contains(&key) {
                return None;
            }
            self.expanding.push(key);
            let value = self.value(target, depth);
            self.expanding.pop();
            return value;
        }
        if schema.not.is_some() && schema.types.is_empty() && schema.properties.is_empty() {
            // `false`, or a bare `not`: nothing to show.
            return None;
        }
        // Values the definition gives.
        if let Some(value) = schema
            .const_value
            .as_ref()
            .or(schema.examples.first())
            .or(schema.default.as_ref())
            .or(schema.enum_values.first())
        {
            self.budget -= 1;
            return Some(value.clone());
        }
        // Combinations: the first alternative of oneOf/anyOf (what a client
        // would most likely send), the parts of allOf merged.
        if schema.types.is_empty()
            && schema.properties.is_empty()
            && schema.items.is_none()
            && let Some(first) = schema.one_of.first().or(schema.any_of.first())
        {
            return self.value(first, depth);
        }
        if !schema.all_of.is_empty() {
            return self.all_of(schema, depth);
        }
        let kind = schema.types.first().map(String::as_str).unwrap_or(
            if !schema.properties.is_empty() || schema.additional_properties.is_some() {
                "object"
            } else if schema.items.is_some() {
                "array"
            } else if schema.nullable {
                "null"
            } else {
                "object"
            },
        );
        self.budget -= 1;
        Some(match kind {
            "object" => Json::Object(self.object(schema, depth)),
            "array" => {
                let mut items = Vec::new();
                if let Some(item) = schema.items.as_deref() {
                    items.extend(self.value(item, depth + 1));
                }
                Json::Array(items)
            }
            "string" => Json::String(string(schema)),
            "integer" => integer(schema),
            "number" => number(schema),
            "boolean" => Json::Bool(true),
            _ => Json::Null,
        })
    }

    fn object(&mut self, schema: &Schema, depth: usize) -> Map<String, Json> {
        let mut out = Map::new();
        // A request shows what a client must send: the required properties,
        // or a few optional ones when none is required. A response shows
        // everything (within the budget).
        let required_only =
            self.side == Side::Request && schema.properties.iter().any(|p| p.required);
        let mut optional_left = REQUEST_OPTIONAL;
        for property in &schema.properties {
            if self.hidden(&property.schema) {
                continue;
            }
            if self.side == Side::Request && !property.required {
                if required_only || optional_left == 0 {
                    continue;
                }
                optional_left -= 1;
            }
            if let Some(value) = self.value(&property.schema, depth + 1) {
                out.insert(property.name.clone(), value);
            }
        }
        if schema.properties.is_empty()
            && let Some(extra) = schema.additional_properties.as_deref()
            && let Some(value) = self.value(extra, depth + 1)
        {
            out.insert("key".into(), value);
        }
        out
    }

    /// allOf's parts merged: objects' properties together, the first other
    /// value otherwise.
    fn all_of(&mut self, schema: &Schema, depth: usize) -> Option<Json> {
        let mut merged = Map::new();
        let mut other = None;
        for part in &schema.all_of {
            match self.value(part, depth) {
                Some(Json::Object(map)) => merged.extend(map),
                Some(value) if other.is_none() => other = Some(value),
                _ => {}
            }
        }
        if !schema.properties.is_empty() {
            merged.extend(self.object(schema, depth));
        }
        if merged.is_empty() && other.is_some() {
            return other;
        }
        Some(Json::Object(merged))
    }

    /// Whether a property is one this side never sees.
    fn hidden(&self, schema: &Schema) -> bool {
        let schema = match &schema.reference {
            Some(r) => match r.name.as_deref().and_then(|n| self.named.schemas.get(n)) {
                Some(target) => *target,
                None => schema,
            },
            None => schema,
        };
        match self.side {
            Side::Request => schema.read_only,
            Side::Response => schema.write_only,
        }
    }
}

fn constraint_u64(schema: &Schema, key: &str) -> Option<u64> {
    schema.constraints.get(key).and_then(Json::as_u64)
}

fn constraint_f64(schema: &Schema, key: &str) -> Option<f64> {
    schema.constraints.get(key).and_then(Json::as_f64)
}

/// A string for `format`, within minLength/maxLength.
fn string(schema: &Schema) -> String {
    let sample = match schema.format.as_deref().unwrap_or("") {
        "date-time" => "2024-01-15T09:30:00Z",
        "date" => "2024-01-15",
        "time" => "09:30:00Z",
        "duration" => "P1D",
        "email" | "idn-email" => "user@example.com",
        "uri" | "url" | "iri" | "uri-reference" | "iri-reference" => "https://example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "byte" => "ZXhhbXBsZQ==",
        "binary" => "<binary>",
        "password" => "********",
        _ => "string",
    };
    let mut text: String = sample.to_string();
    let length = text.chars().count() as u64;
    if let Some(min) = constraint_u64(schema, "minLength")
        && length < min
    {
        let missing = (min - length).min(256) as usize;
        text.extend(std::iter::repeat_n('x', missing));
    }
    if let Some(max) = constraint_u64(schema, "maxLength")
        && (text.chars().count() as u64) > max
    {
        text = text.chars().take(max as usize).collect();
    }
    text
}

/// The lower bound (or 0, or the upper bound when it is below 0).
fn bounded(schema: &Schema, step: f64) -> f64 {
    let mut value = 0.0;
    if let Some(min) = constraint_f64(schema, "minimum") {
        value = min;
    }
    match schema.constraints.get("exclusiveMinimum") {
        // 3.1: a number.
        Some(Json::Number(n)) => value = n.as_f64().unwrap_or(0.0) + step,
        // 3.0: a flag on `minimum`.
        Some(Json::Bool(true)) => value += step,
        _ => {}
    }
    let maximum = constraint_f64(schema, "maximum");
    let exclusive_max = match schema.constraints.get("exclusiveMaximum") {
        Some(Json::Number(n)) => n.as_f64().map(|m| m - step),
        Some(Json::Bool(true)) => maximum.map(|m| m - step),
        _ => None,
    };
    if let Some(max) = exclusive_max.or(maximum)
        && value > max
    {
        value = max;
    }
    value
}

fn integer(schema: &Schema) -> Json {
    let value = bounded(schema, 1.0);
    if value.is_finite() && value.abs() < 9.0e15 {
        Json::from(value.ceil() as i64)
    } else {
        Json::from(0)
    }
}

fn number(schema: &Schema) -> Json {
    let value = bounded(schema, 0.5);
    serde_json::Number::from_f64(value)
        .map(Json::Number)
        .unwrap_or_else(|| Json::from(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_apis::model::{Property, SchemaRef};
    use serde_json::json;

    fn typed(t: &str) -> Schema {
        Schema {
            types: vec![t.into()],
            ..Schema::default()
        }
    }

    fn property(name: &str, schema: Schema) -> Property {
        Property {
            name: name.into(),
            required: false,
            schema,
        }
    }

    fn reference(name: &str) -> Schema {
        Schema {
            reference: Some(SchemaRef {
                name: Some(name.into()),
                pointer: format!("/components/schemas/{name}"),
            }),
            ..Schema::default()
        }
    }

    #[test]
    fn values_the_definition_gives_come_first() {
        let none = Named::new([]);
        let mut s = typed("string");
        s.enum_values = vec![json!("open"), json!("closed")];
        assert_eq!(generate(&s, &none, Side::Request), Some(json!("open")));
        s.default = Some(json!("closed"));
        assert_eq!(generate(&s, &none, Side::Request), Some(json!("closed")));
        s.examples = vec![json!("pending")];
        assert_eq!(generate(&s, &none, Side::Request), Some(json!("pending")));
        s.const_value = Some(json!("fixed"));
        assert_eq!(generate(&s, &none, Side::Request), Some(json!("fixed")));
    }

    #[test]
    fn formats_and_bounds_shape_scalars() {
        let none = Named::new([]);
        let mut s = typed("string");
        s.format = Some("date-time".into());
        assert_eq!(
            generate(&s, &none, Side::Request),
            Some(json!("2024-01-15T09:30:00Z"))
        );
        let mut s = typed("string");
        s.constraints.insert("minLength".into(), json!(10));
        assert_eq!(
            generate(&s, &none, Side::Request),
            Some(json!("stringxxxx"))
        );
        s.constraints.insert("maxLength".into(), json!(3));
        assert_eq!(generate(&s, &none, Side::Request), Some(json!("str")));
        let mut i = typed("integer");
        i.constraints.insert("minimum".into(), json!(5));
        assert_eq!(generate(&i, &none, Side::Request), Some(json!(5)));
        i.constraints.insert("exclusiveMinimum".into(), json!(true));
        assert_eq!(generate(&i, &none, Side::Request), Some(json!(6)));
        let mut n = typed("number");
        n.constraints.insert("maximum".into(), json!(-2.5));
        assert_eq!(generate(&n, &none, Side::Request), Some(json!(-2.5)));
        assert_eq!(
            generate(&typed("boolean"), &none, Side::Request),
            Some(json!(true))
        );
    }

    #[test]
    fn read_only_and_write_only_properties_stay_on_their_side() {
        let none = Named::new([]);
        let mut id = typed("string");
        id.read_only = true;
        let mut password = typed("string");
        password.write_only = true;
        password.format = Some("password".into());
        let user = Schema {
            types: vec!["object".into()],
            properties: vec![
                property("id", id),
                property("name", typed("string")),
                property("password", password),
            ],
            ..Schema::default()
        };
        assert_eq!(
            generate(&user, &none, Side::Request),
            Some(json!({"name": "string", "password": "********"}))
        );
        assert_eq!(
            generate(&user, &none, Side::Response),
            Some(json!({"id": "string", "name": "string"}))
        );
    }

    #[test]
    fn requests_show_required_properties_or_a_few_optional_ones() {
        let none = Named::new([]);
        let mut amount = property("amount", typed("integer"));
        amount.required = true;
        let with_required = Schema {
            types: vec!["object".into()],
            properties: vec![property("memo", typed("string")), amount],
            ..Schema::default()
        };
        assert_eq!(
            generate(&with_required, &none, Side::Request),
            Some(json!({"amount": 0}))
        );
        assert_eq!(
            generate(&with_required, &none, Side::Response),
            Some(json!({"memo": "string", "amount": 0}))
        );
        let optional = Schema {
            types: vec!["object".into()],
            properties: (0..6)
                .map(|i| property(&format!("p{i}"), typed("boolean")))
                .collect(),
            ..Schema::default()
        };
        assert_eq!(
            generate(&optional, &none, Side::Request),
            Some(json!({"p0": true, "p1": true, "p2": true}))
        );
    }

    #[test]
    fn references_are_followed_and_recursion_ends_the_branch() {
        // Node { name, children: [Node], parent: Node }
        let node = Schema {
            types: vec!["object".into()],
            properties: vec![
                property("name", typed("string")),
                property(
                    "children",
                    Schema {
                        types: vec!["array".into()],
                        items: Some(Box::new(reference("Node"))),
                        ..Schema::default()
                    },
                ),
                property("parent", reference("Node")),
            ],
            ..Schema::default()
        };
        let named = Named::new([("Node", &node)]);
        assert_eq!(
            generate(&reference("Node"), &named, Side::Response),
            Some(json!({"name": "string", "children": []}))
        );
        // An unknown reference shows nothing rather than a guess.
        assert_eq!(generate(&reference("Gone"), &named, Side::Response), None);
    }

    #[test]
    fn all_of_merges_and_one_of_takes_the_first() {
        let none = Named::new([]);
        let a = Schema {
            types: vec!["object".into()],
            properties: vec![property("a", typed("integer"))],
            ..Schema::default()
        };
        let b = Schema {
            types: vec!["object".into()],
            properties: vec![property("b", typed("boolean"))],
            ..Schema::default()
        };
        let both = Schema {
            all_of: vec![a.clone(), b.clone()],
            ..Schema::default()
        };
        assert_eq!(
            generate(&both, &none, Side::Request),
            Some(json!({"a": 0, "b": true}))
        );
        let either = Schema {
            one_of: vec![b, a],
            ..Schema::default()
        };
        assert_eq!(
            generate(&either, &none, Side::Request),
            Some(json!({"b": true}))
        );
    }

    #[test]
    fn a_fanning_schema_graph_costs_the_budget_not_its_expansion() {
        // Level k has ten properties, each a reference to level k+1: fully
        // expanded, ten to the sixth values.
        let mut levels: Vec<(String, Schema)> = Vec::new();
        for k in 0..8 {
            let next = format!("L{}", k + 1);
            levels.push((
                format!("L{k}"),
                Schema {
                    types: vec!["object".into()],
                    properties: (0..10)
                        .map(|i| property(&format!("p{i}"), reference(&next)))
                        .collect(),
                    ..Schema::default()
                },
            ));
        }
        levels.push(("L8".into(), typed("string")));
        let named = Named::new(levels.iter().map(|(n, s)| (n.as_str(), s)));
        let value = generate(&reference("L0"), &named, Side::Response).unwrap();
        fn count(v: &Json) -> usize {
            1 + match v {
                Json::Object(m) => m.values().map(count).sum(),
                Json::Array(a) => a.iter().map(count).sum(),
                _ => 0,
            }
        }
        assert!(count(&value) <= MAX_VALUES, "{}", count(&value));
        assert!(count(&value) > 10);
    }
}
