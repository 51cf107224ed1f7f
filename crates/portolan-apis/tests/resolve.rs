//! `$ref` resolution and bundling, one case per test.

use portolan_apis::bundle::external_refs;
use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_core::source::MemorySource;
use serde_json::json;

fn load(files: &[(&str, &str)]) -> ApiDefinition {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes());
    }
    check_definition(
        &source,
        RootDocument::File(files[0].0),
        LoadLimits::default(),
    )
}

fn codes(def: &ApiDefinition) -> Vec<String> {
    def.diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.file.as_deref().unwrap_or("")))
        .collect()
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

#[test]
fn external_schemas_are_pulled_in_under_their_names() {
    let def = load(&[
        (
            "api/openapi.yaml",
            &format!(
                "{HEAD}paths:\n  /o:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: './schemas/order.yaml'}}\n"
            ),
        ),
        (
            "api/schemas/order.yaml",
            "type: object\nproperties:\n  customer: {$ref: '../../common/customer.yaml#/Customer'}\n  items: {type: array, items: {$ref: './item.yaml'}}\n",
        ),
        ("api/schemas/item.yaml", "type: string\n"),
        (
            "common/customer.yaml",
            "Customer:\n  type: object\n  properties:\n    name: {type: string}\n",
        ),
    ]);
    assert!(def.diagnostics.is_empty(), "{:?}", codes(&def));
    let (_, bundled) = def.spec.unwrap();
    assert!(external_refs(&bundled.doc).is_empty());
    let schemas = &bundled.doc["components"]["schemas"];
    assert_eq!(
        bundled
            .doc
            .pointer("/paths/~1o/get/responses/200/content/application~1json/schema"),
        Some(&json!({"$ref": "#/components/schemas/order"}))
    );
    assert_eq!(
        schemas["order"]["properties"]["customer"],
        json!({"$ref": "#/components/schemas/Customer"})
    );
    assert_eq!(
        schemas["order"]["properties"]["items"]["items"],
        json!({"$ref": "#/components/schemas/item"})
    );
    assert_eq!(schemas["Customer"]["properties"]["name"]["type"], "string");
}

#[test]
fn name_collisions_get_stable_suffixes() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!(
                "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: './a.yaml#/components/schemas/Error'}}}}}}}}\n        '500': {{description: ok, content: {{application/json: {{schema: {{$ref: './b.yaml#/components/schemas/Error'}}}}}}}}\ncomponents:\n  schemas:\n    Error: {{type: string}}\n"
            ),
        ),
        (
            "a.yaml",
            "components:\n  schemas:\n    Error: {type: integer}\n",
        ),
        (
            "b.yaml",
            "components:\n  schemas:\n    Error: {type: boolean}\n",
        ),
    ]);
    let (_, bundled) = def.spec.unwrap();
    let schemas = &bundled.doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["type"], "string",
        "the root's own name is kept"
    );
    assert_eq!(schemas["Error_2"]["type"], "integer");
    assert_eq!(schemas["Error_3"]["type"], "boolean");
}

#[test]
fn recursive_external_schemas_survive_as_internal_refs() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!(
                "{HEAD}paths:\n  /c:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: './category.yaml#/Category'}}}}}}}}\n"
            ),
        ),
        (
            "category.yaml",
            "Category:\n  type: object\n  properties:\n    children:\n      type: array\n      items: {$ref: '#/Category'}\n",
        ),
    ]);
    assert!(def.diagnostics.is_empty(), "{:?}", codes(&def));
    let (_, bundled) = def.spec.unwrap();
    assert_eq!(
        bundled.doc["components"]["schemas"]["Category"]["properties"]["children"]["items"],
        json!({"$ref": "#/components/schemas/Category"})
    );
}

#[test]
fn path_items_without_a_reusable_home_are_inlined() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!("{HEAD}paths:\n  /orders: {{$ref: './paths/orders.yaml'}}\n"),
        ),
        (
            "paths/orders.yaml",
            "get:\n  responses:\n    '200': {description: ok}\n",
        ),
    ]);
    let (_, bundled) = def.spec.unwrap();
    assert_eq!(
        bundled.doc["paths"]["/orders"]["get"]["responses"]["200"]["description"],
        "ok"
    );
}

#[test]
fn findings_in_pulled_in_parts_point_at_their_own_file() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!("{HEAD}paths:\n  /orders: {{$ref: './paths/orders.yaml'}}\n"),
        ),
        (
            "paths/orders.yaml",
            "get:\n  operationId: list\n  responses:\n    '200': {description: ok}\n    '2000': {description: nope}\n",
        ),
    ]);
    let (set, bundled) = def.spec.as_ref().unwrap();
    let (file, span) = bundled.locate(set, "/paths/~1orders/get/responses/2000");
    assert_eq!(file, "paths/orders.yaml");
    let text = &set.files["paths/orders.yaml"].file.text;
    assert_eq!(&text[span.range()], "'2000'");
}

#[test]
fn missing_files_and_pointers_are_errors_at_the_ref() {
    let def = load(&[(
        "openapi.yaml",
        &format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: './nope.yaml'}}\n    B: {{$ref: '#/components/schemas/a'}}\n"
        ),
    )]);
    let found: Vec<(&str, &str)> = def
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].1.contains("nope.yaml"), "{found:?}");
    assert_eq!(
        def.diagnostics[1].help.as_deref(),
        Some("did you mean `#/components/schemas/A`?")
    );
    assert!(found.iter().all(|(code, _)| *code == "A002"));
}

#[test]
fn ref_loops_are_reported_once() {
    let def = load(&[(
        "openapi.yaml",
        &format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/C'}}\n    C: {{$ref: '#/components/schemas/A'}}\n"
        ),
    )]);
    let cycles: Vec<&str> = def
        .diagnostics
        .iter()
        .filter(|d| d.code == "A004")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(cycles.len(), 1, "{:?}", codes(&def));
    assert!(cycles[0].contains("loop of 3 references"), "{cycles:?}");
}

#[test]
fn remote_refs_warn_once_per_url_and_escapes_are_errors() {
    let def = load(&[(
        "specs/openapi.yaml",
        &format!(
            "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: 'https://x.test/s.json#/A'}}\n    B: {{$ref: 'https://x.test/s.json#/B'}}\n    C: {{$ref: '../../etc/passwd'}}\n"
        ),
    )]);
    let found: Vec<(&str, &str)> = def
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.severity.as_str()))
        .collect();
    assert_eq!(found, vec![("A003", "warning"), ("F002", "error")]);
}

#[test]
fn pointer_escapes_and_percent_encoding_resolve() {
    let def = load(&[(
        "openapi.yaml",
        &format!(
            "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      responses:\n        '200': {{description: ok}}\ncomponents:\n  schemas:\n    'x~y': {{type: string}}\n    A: {{$ref: '#/components/schemas/x~0y'}}\n  pathItems: {{}}\nx-link: {{$ref: '#/paths/~1a~1%7Bid%7D'}}\n"
        ),
    )]);
    assert!(
        def.diagnostics.iter().all(|d| d.code != "A002"),
        "{:?}",
        codes(&def)
    );
}

#[test]
fn graphql_and_protobuf_are_kept_as_source() {
    let def = load(&[("schema.graphql", "type Query {\n  orders: [Order]\n}\n")]);
    assert_eq!(def.other.as_ref().map(|(lang, _)| *lang), Some("GraphQL"));
    assert!(def.diagnostics.is_empty());
}

#[test]
fn unsupported_versions_say_what_is_supported() {
    let def = load(&[("asyncapi.json", "{\"asyncapi\": \"1.2.0\", \"info\": {}}")]);
    assert_eq!(def.diagnostics.len(), 1);
    assert_eq!(def.diagnostics[0].code, "A001");
    assert!(
        def.diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("AsyncAPI 2.0-2.6 and 3.0.x")
    );
}

#[test]
fn a_root_component_that_is_a_reference_names_its_target() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!(
                "{HEAD}paths:\n  /o:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: './order.yaml#/Order'}}}}}}}}\ncomponents:\n  schemas:\n    Order: {{$ref: './order.yaml#/Order'}}\n"
            ),
        ),
        (
            "order.yaml",
            "Order:\n  type: object\n  properties:\n    parent: {$ref: '#/Order'}\n",
        ),
    ]);
    assert!(def.diagnostics.is_empty(), "{:?}", codes(&def));
    let (_, bundled) = def.spec.unwrap();
    let schemas = bundled.doc["components"]["schemas"].as_object().unwrap();
    assert_eq!(
        schemas.keys().collect::<Vec<_>>(),
        vec!["Order"],
        "no Order_2 copy"
    );
    assert_eq!(schemas["Order"]["type"], "object");
    assert_eq!(
        schemas["Order"]["properties"]["parent"],
        json!({"$ref": "#/components/schemas/Order"})
    );
    assert_eq!(
        bundled
            .doc
            .pointer("/paths/~1o/get/responses/200/content/application~1json/schema"),
        Some(&json!({"$ref": "#/components/schemas/Order"}))
    );
}

#[test]
fn refs_where_the_specification_allows_none_are_copied_in_and_reported_once_per_kind() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!(
                "{HEAD}tags:\n  - name: orders\n    description: {{$ref: './tags/orders.md.yaml'}}\npaths:\n  /a:\n    get: {{$ref: './ops/a.yaml'}}\n  /b:\n    get: {{$ref: './ops/b.yaml'}}\n"
            ),
        ),
        ("tags/orders.md.yaml", "Everything about orders.\n"),
        ("ops/a.yaml", "responses:\n  '200': {description: ok}\n"),
        ("ops/b.yaml", "responses:\n  '200': {description: ok}\n"),
    ]);
    let found: Vec<&str> = def.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        found,
        vec![
            "OpenAPI 3.0 allows no `$ref` in the string field `description`",
            "OpenAPI 3.0 allows no `$ref` in an Operation Object (2 places like this one)",
        ]
    );
    let (_, bundled) = def.spec.unwrap();
    assert_eq!(
        bundled.doc["tags"][0]["description"],
        "Everything about orders."
    );
    assert_eq!(
        bundled.doc["paths"]["/b"]["get"]["responses"]["200"]["description"],
        "ok"
    );
}

#[test]
fn bundles_serialise_as_yaml_and_json_that_read_back_the_same() {
    let def = load(&[
        (
            "openapi.yaml",
            &format!(
                "{HEAD}paths:\n  /o:\n    get:\n      description: |\n        Lists orders.\n        Two lines.\n      responses:\n        '200': {{description: 'yes', content: {{application/json: {{schema: {{$ref: './order.yaml'}}}}}}}}\n"
            ),
        ),
        (
            "order.yaml",
            "type: object\n# A first line starting with a space broke block scalars (Adyen's spec).\ndescription: \"  indented first line\\nsecond\"\nproperties:\n  code: {type: string, example: '0012', enum: ['0012', 'true', 'null', '1.5']}\n",
        ),
    ]);
    let (_, bundled) = def.spec.unwrap();
    let yaml = bundled.to_yaml_string();
    let reparsed = portolan_core::yaml::parse_stream(&yaml, Default::default());
    assert!(reparsed.errors.is_empty(), "{:?}\n{yaml}", reparsed.errors);
    assert_eq!(
        reparsed.documents[0].root.to_json(),
        bundled.doc,
        "YAML round trip:\n{yaml}"
    );
    let json: serde_json::Value = serde_json::from_str(&bundled.to_json_string()).unwrap();
    assert_eq!(json, bundled.doc);
}
