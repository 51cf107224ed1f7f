//! What part of `{entity, facts}` a schema rule can see. A JSON Schema
//! whose keywords at some level are only `properties`, `required`, `type`
//! and annotations reads, of an object there, only the members it names:
//! the others may be left out of the document without changing whether it
//! validates. `check` and trends build each entity's document from that
//! part alone, so a rule requiring `metadata` does not copy every entity
//! into JSON, and a rule reading `facts.tags.count` does not make every
//! fact (git history included) be computed.

use std::collections::BTreeMap;

use portolan_core::yaml::{Node, Value as YamlValue};
use serde_json::Value;

/// The part of a value a schema can tell apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    /// The whole value.
    All,
    /// Only that the value is there: any value will do (a boolean schema,
    /// or a member only `required` names).
    Presence,
    /// Of an object, the named members (each as projected); a value that
    /// is not an object is read whole.
    Members(BTreeMap<String, Projection>),
}

/// Keywords a schema may have at a level whose value is projected to
/// [`Projection::Members`]: `properties` and `required` read only the
/// members they name, `type` only the value's type, and the rest are
/// annotations. Anything else (`additionalProperties`, `$ref`, `allOf`,
/// `const`, unknown keywords...) may read the whole value.
const MEMBER_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "type",
    "title",
    "description",
    "$comment",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

impl Projection {
    /// What `schema` reads of the value it validates.
    pub fn of_schema(schema: &Value) -> Projection {
        let map = match schema {
            Value::Bool(_) => return Projection::Presence,
            Value::Object(map) => map,
            _ => return Projection::All,
        };
        // `$schema` is allowed at the root only: a subschema's may switch
        // drafts.
        if map.keys().any(|k| !MEMBER_KEYWORDS.contains(&k.as_str())) {
            return Projection::All;
        }
        let mut members = BTreeMap::new();
        if let Some(properties) = map.get("properties") {
            let Value::Object(properties) = properties else {
                return Projection::All;
            };
            for (name, schema) in properties {
                members.insert(name.clone(), Projection::of_schema(schema));
            }
        }
        if let Some(required) = map.get("required") {
            let Value::Array(required) = required else {
                return Projection::All;
            };
            for name in required {
                let Some(name) = name.as_str() else {
                    return Projection::All;
                };
                members
                    .entry(name.to_string())
                    .or_insert(Projection::Presence);
            }
        }
        Projection::Members(members)
    }

    /// What a rule's root schema reads: as [`Projection::of_schema`],
    /// with `$schema` allowed at the root (it names the draft the whole
    /// schema is read with, which is the one it is compiled with).
    pub fn of_root_schema(schema: &Value) -> Projection {
        match schema {
            Value::Object(map) if map.contains_key("$schema") => {
                let mut rest = map.clone();
                rest.remove("$schema");
                Projection::of_schema(&Value::Object(rest))
            }
            _ => Projection::of_schema(schema),
        }
    }

    /// What both read: a document projected to it validates against
    /// each of them as the whole would.
    pub fn union(self, other: Projection) -> Projection {
        match (self, other) {
            (Projection::All, _) | (_, Projection::All) => Projection::All,
            (Projection::Presence, other) | (other, Projection::Presence) => other,
            (Projection::Members(mut a), Projection::Members(b)) => {
                for (name, projection) in b {
                    let merged = match a.remove(&name) {
                        Some(existing) => existing.union(projection),
                        None => projection,
                    };
                    a.insert(name, merged);
                }
                Projection::Members(a)
            }
        }
    }

    /// The projection of member `name` (an object's member the schema
    /// does not name is not read).
    pub fn member(&self, name: &str) -> Option<&Projection> {
        match self {
            Projection::All => Some(&Projection::All),
            Projection::Presence => None,
            Projection::Members(members) => members.get(name),
        }
    }

    /// `node` as JSON, only the part this projection reads: equal to
    /// `node.to_json()` wherever a schema it was made from looks.
    pub fn node_to_json(&self, node: &Node) -> Value {
        match (self, &node.value) {
            (Projection::All, _) => node.to_json(),
            (Projection::Presence, _) => Value::Null,
            (Projection::Members(members), YamlValue::Map(entries)) => Value::Object(
                entries
                    .iter()
                    .filter_map(|e| {
                        let projection = members.get(&e.key)?;
                        Some((e.key.clone(), projection.node_to_json(&e.value)))
                    })
                    .collect(),
            ),
            (Projection::Members(_), _) => node.to_json(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(pairs: &[(&str, Projection)]) -> Projection {
        Projection::Members(
            pairs
                .iter()
                .map(|(k, p)| (k.to_string(), p.clone()))
                .collect(),
        )
    }

    #[test]
    fn named_members_are_read_and_other_keywords_read_all() {
        let schema = json!({
            "type": "object",
            "required": ["entity"],
            "properties": {
                "entity": { "required": ["metadata"] },
                "facts": { "properties": { "tags.count": { "maximum": 10 } } }
            }
        });
        assert_eq!(
            Projection::of_root_schema(&schema),
            members(&[
                ("entity", members(&[("metadata", Projection::Presence)])),
                ("facts", members(&[("tags.count", Projection::All)])),
            ])
        );
        for keyword in [
            json!({ "additionalProperties": false }),
            json!({ "patternProperties": { "^x": false } }),
            json!({ "$ref": "#/$defs/x" }),
            json!({ "allOf": [] }),
            json!({ "const": {} }),
            json!({ "minProperties": 1 }),
            json!({ "unevaluatedProperties": false }),
            json!({ "x-unknown": 1 }),
            json!({ "required": [1] }),
        ] {
            assert_eq!(
                Projection::of_schema(&keyword),
                Projection::All,
                "{keyword}"
            );
        }
        assert_eq!(
            Projection::of_schema(&json!({ "$schema": "x" })),
            Projection::All
        );
        assert_eq!(
            Projection::of_root_schema(&json!({ "$schema": "x" })),
            members(&[])
        );
    }

    #[test]
    fn union_keeps_what_either_reads() {
        let a = members(&[
            ("entity", Projection::Presence),
            ("facts", members(&[("a", Projection::All)])),
        ]);
        let b = members(&[("facts", members(&[("b", Projection::Presence)]))]);
        assert_eq!(
            a.clone().union(b),
            members(&[
                ("entity", Projection::Presence),
                (
                    "facts",
                    members(&[("a", Projection::All), ("b", Projection::Presence)])
                ),
            ])
        );
        assert_eq!(a.clone().union(Projection::All), Projection::All);
        assert_eq!(Projection::Presence.union(a.clone()), a);
    }

    /// Whatever the schema, a document projected to what it reads
    /// validates as the whole does: every schema below against every
    /// document below, including keywords that must make it read all.
    #[test]
    fn projected_documents_validate_as_the_whole_does() {
        let schemas = [
            json!({ "properties": { "entity": { "required": ["metadata"] } } }),
            json!({ "properties": { "facts": { "properties": { "tags.count": { "maximum": 1 } } } } }),
            json!({ "required": ["facts"], "properties": { "facts": { "required": ["ci"] } } }),
            json!({ "properties": { "entity": { "properties": { "metadata": { "properties": { "name": { "pattern": "^a" } } } } } } }),
            json!({ "properties": { "entity": { "type": "object", "properties": { "spec": { "type": "object", "required": ["owner"] } } } } }),
            json!({ "properties": { "entity": { "properties": { "spec": { "additionalProperties": false, "properties": { "type": true } } } } } }),
            json!({ "properties": { "entity": { "properties": { "metadata": { "maxProperties": 1 } } } } }),
            json!({ "properties": { "entity": { "properties": { "spec": { "const": { "type": "service" } } } } } }),
            json!({ "properties": { "entity": { "not": { "required": ["status"] } } } }),
            json!({ "properties": { "facts": { "propertyNames": { "pattern": "^[a-z.]+$" } } } }),
            json!({ "properties": { "facts": { "patternProperties": { "^git": { "type": "integer" } } } } }),
            json!({ "additionalProperties": { "required": ["metadata"] } }),
            json!({ "$defs": { "m": { "required": ["name"] } }, "properties": { "entity": { "properties": { "metadata": { "$ref": "#/$defs/m" } } } } }),
            json!({ "properties": { "entity": { "properties": { "spec": false } } } }),
            json!({ "properties": { "entity": { "type": "array" } } }),
            json!(true),
            json!(false),
        ];
        let documents = [
            json!({ "entity": { "metadata": { "name": "api" }, "spec": { "type": "service", "owner": "x" } }, "facts": { "ci": true, "tags.count": 1, "git.x": 2 } }),
            json!({ "entity": { "metadata": { "name": "b", "title": "B" }, "spec": { "type": "service" }, "status": {} }, "facts": { "tags.count": 3, "Bad Name": 1 } }),
            json!({ "entity": { "spec": { "type": "service" } }, "facts": {} }),
            json!({ "entity": { "metadata": "not an object", "spec": [1, 2] }, "facts": { "git.x": "one" } }),
            json!({ "entity": [], "facts": { "ci": false } }),
        ];
        let mut projected_some = 0;
        for schema in &schemas {
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(schema)
                .unwrap();
            let reads = Projection::of_root_schema(schema);
            for document in &documents {
                let node = Node::from_json(document, portolan_core::span::Span::default());
                let projected = reads.node_to_json(&node);
                if projected != *document {
                    projected_some += 1;
                }
                assert_eq!(
                    validator.is_valid(&projected),
                    validator.is_valid(document),
                    "schema {schema}, document {document}, projected {projected}"
                );
            }
        }
        // The projections are not all the whole document.
        assert!(projected_some > 20, "{projected_some}");
    }
}
