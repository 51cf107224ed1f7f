//! The walk skips what cannot hold a change (schemas and operations written
//! the same in both revisions, with nothing they reach changed). That must
//! change nothing in the report: every change, its message (which names the
//! operation it was found from first), its operations and both places are
//! the same as when everything is compared. Checked on generated
//! definitions whose schemas name each other densely (cycles, shared error
//! responses, as Stripe's do), each edited in a few random places.

use portolan_apis::RootDocument;
use portolan_core::source::MemorySource;
use portolan_diff::{Change, Date, DiffOptions, Revision, diff};
use serde_json::{Value as Json, json};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SCHEMAS: usize = 40;
const PATHS: usize = 30;

fn schema_name(i: usize) -> String {
    format!("thing{i}")
}

/// A definition whose schemas reference each other, with cycles, and
/// whose every operation has a default error response naming `error`,
/// which reaches the rest.
fn generate(rng: &mut Rng) -> Json {
    let mut schemas = serde_json::Map::new();
    for i in 0..SCHEMAS {
        let mut properties = serde_json::Map::new();
        properties.insert("id".into(), json!({"type": "string", "maxLength": 50}));
        properties.insert(
            "kind".into(),
            json!({"type": "string", "enum": ["a", "b", "c"]}),
        );
        for p in 0..3 {
            let target = schema_name(rng.below(SCHEMAS));
            let value = match rng.below(4) {
                0 => json!({"$ref": format!("#/components/schemas/{target}")}),
                1 => {
                    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{target}")}})
                }
                2 => {
                    json!({"anyOf": [{"type": "string"}, {"$ref": format!("#/components/schemas/{target}")}]})
                }
                _ => json!({"type": "integer", "minimum": 0}),
            };
            properties.insert(format!("p{p}"), value);
        }
        schemas.insert(
            schema_name(i),
            json!({"type": "object", "required": ["id"], "properties": properties}),
        );
    }
    schemas.insert(
        "error".into(),
        json!({"type": "object", "properties": {
            "message": {"type": "string"},
            "thing": {"$ref": "#/components/schemas/thing0"}
        }}),
    );
    let mut paths = serde_json::Map::new();
    for i in 0..PATHS {
        let target = schema_name(rng.below(SCHEMAS));
        let body = schema_name(rng.below(SCHEMAS));
        paths.insert(
            format!("/v1/things{i}/{{id}}"),
            json!({
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "get": {
                    "operationId": format!("get{i}"),
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{target}")}}}},
                        "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}
                    }
                },
                "post": {
                    "operationId": format!("post{i}"),
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "maxLength": 100},
                            "inner": {"$ref": format!("#/components/schemas/{body}")}
                        }
                    }}}},
                    "responses": {
                        "201": {"description": "made", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{target}")}}}},
                        "default": {"$ref": "#/components/responses/failed"}
                    }
                }
            }),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "generated", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
            "responses": {"failed": {"description": "failed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}}
        }
    })
}

/// One random edit that a client may notice.
fn edit(doc: &mut Json, rng: &mut Rng) {
    let i = rng.below(SCHEMAS);
    let s = &mut doc["components"]["schemas"][schema_name(i)];
    match rng.below(9) {
        0 => s["properties"]["id"]["maxLength"] = json!(20),
        1 => {
            s["properties"].as_object_mut().unwrap().remove("kind");
        }
        2 => s["required"] = json!(["id", "kind"]),
        3 => s["properties"]["kind"]["enum"] = json!(["a", "b", "c", "d"]),
        4 => {
            let other = schema_name(rng.below(SCHEMAS));
            s["properties"]["p0"] = json!({"$ref": format!("#/components/schemas/{other}")});
        }
        5 => s["properties"]["id"]["type"] = json!("integer"),
        6 => {
            let p = format!("/v1/things{}/{{id}}", rng.below(PATHS));
            if let Some(item) = doc["paths"].get_mut(&p) {
                item["get"]["parameters"][0]["required"] = json!(true);
            }
        }
        7 => {
            let p = format!("/v1/things{}/{{id}}", rng.below(PATHS));
            doc["paths"].as_object_mut().unwrap().remove(&p);
        }
        _ => doc["components"]["parameters"]["id"]["schema"]["maxLength"] = json!(10),
    }
}

fn load(doc: &Json) -> Revision {
    let text = serde_json::to_string_pretty(doc).unwrap();
    let source = MemorySource::new().with_file("api.json", text);
    let revision = Revision::load(&source, RootDocument::File("api.json"), Default::default());
    assert!(revision.spec.is_some(), "{:?}", revision.diagnostics);
    revision
}

fn report(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {} | {:?} | base {} {:?} | head {} {:?}",
                c.code.code,
                c.level,
                c.message,
                c.operations,
                c.base.pointer,
                c.base.span,
                c.head.pointer,
                c.head.span
            )
        })
        .collect()
}

#[test]
fn skipping_what_cannot_change_reports_exactly_the_same() {
    let today = Date::parse("2026-12-02");
    let quick = DiffOptions {
        today,
        ..DiffOptions::default()
    };
    let exhaustive = DiffOptions {
        today,
        exhaustive: true,
        ..DiffOptions::default()
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut compared = 0;
    let mut with_changes = 0;
    for _ in 0..12 {
        let original = generate(&mut rng);
        let base = load(&original);
        for _ in 0..6 {
            let mut edited = original.clone();
            for _ in 0..1 + rng.below(3) {
                edit(&mut edited, &mut rng);
            }
            let head = load(&edited);
            let fast = report(&diff(&base, &head, &quick).changes);
            let full = report(&diff(&base, &head, &exhaustive).changes);
            assert_eq!(fast, full);
            compared += 1;
            with_changes += usize::from(!full.is_empty());
        }
        // Nothing changed: nothing to report either way.
        assert!(diff(&base, &base, &quick).changes.is_empty());
    }
    // The edits were seen: most comparisons have changes to agree on.
    assert!(with_changes * 2 > compared, "{with_changes} of {compared}");
}
