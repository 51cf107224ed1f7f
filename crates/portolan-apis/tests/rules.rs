//! The semantic rules (A006-A012) on small documents: for each rule, a
//! document it accepts and one it rejects, with the code and pointer of
//! every finding. And, run by hand, the rules on every single-file spec
//! of the shared corpus that the reference validators accept.

use portolan_apis::detect::SpecFormat;
use portolan_apis::rules::{Finding, check_semantics};
use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_core::source::MemorySource;
use serde_json::{Value, json};

/// `(code, pointer)` of each finding, in order.
fn findings(format: SpecFormat, doc: &Value) -> Vec<(&'static str, String)> {
    check_semantics(format, doc)
        .into_iter()
        .map(|f: Finding| (f.code.code, f.pointer))
        .collect()
}

fn none() -> Vec<(&'static str, String)> {
    Vec::new()
}

fn at(code: &'static str, pointer: &str) -> (&'static str, String) {
    (code, pointer.to_string())
}

fn openapi(paths: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths})
}

fn ok() -> Value {
    json!({"200": {"description": "ok"}})
}

// A006 duplicate-operation-id

#[test]
fn operation_ids_unique() {
    let doc = openapi(json!({
        "/pets": {"get": {"operationId": "listPets", "responses": ok()}, "post": {"operationId": "addPet", "responses": ok()}},
    }));
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn operation_ids_duplicate_second_is_reported() {
    let doc = openapi(json!({
        "/pets": {"get": {"operationId": "listPets", "responses": ok()}},
        "/pets/mine": {"get": {"operationId": "listPets", "responses": ok()}},
    }));
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![at("A006", "/paths/~1pets~1mine/get/operationId")]
    );
    let message = &check_semantics(SpecFormat::OpenApi30, &doc)[0].message;
    assert_eq!(
        message,
        "operationId `listPets` of `GET /pets/mine` is already used by `GET /pets`"
    );
}

#[test]
fn operation_ids_shared_path_item_counts_once() {
    // Two paths referring to one component path item describe it twice, and
    // it is still one operation.
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
        "webhooks": {"a": {"$ref": "#/components/pathItems/A"}},
        "components": {"pathItems": {"A": {"post": {"operationId": "a", "responses": ok()}}}},
    });
    assert_eq!(findings(SpecFormat::OpenApi31, &doc), none());
}

#[test]
fn operation_ids_in_webhooks_and_callbacks() {
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/subscribe": {"post": {
            "operationId": "subscribe", "responses": ok(),
            "callbacks": {"event": {"{$request.body#/url}": {"post": {"operationId": "notify", "responses": ok()}}}},
        }}},
        "webhooks": {"notify": {"post": {"operationId": "notify", "responses": ok()}}},
    });
    assert_eq!(
        findings(SpecFormat::OpenApi31, &doc),
        vec![at(
            "A006",
            "/paths/~1subscribe/post/callbacks/event/{$request.body#~1url}/post/operationId"
        )]
    );
}

#[test]
fn operation_ids_asyncapi2() {
    let doc = json!({
        "asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
        "channels": {
            "a": {"publish": {"operationId": "send"}, "subscribe": {"operationId": "receive"}},
            "b": {"publish": {"operationId": "send"}},
        },
    });
    assert_eq!(
        findings(SpecFormat::AsyncApi2, &doc),
        vec![at("A006", "/channels/b/publish/operationId")]
    );
}

// A007 path-parameter

fn path_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

#[test]
fn path_parameters_declared_on_path_item_or_operation() {
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
            "/owners/{ownerId}/pets/{petId}": {
                "parameters": [{"$ref": "#/components/parameters/ownerId"}],
                "get": {"parameters": [path_param("petId")], "responses": ok()},
                "delete": {"parameters": [path_param("petId"), {"name": "ownerId", "in": "path", "required": true}], "responses": ok()},
            },
            // No operations: nothing has to be declared.
            "/hidden/{id}": {},
        },
        "components": {"parameters": {"ownerId": path_param("ownerId")}},
    });
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn path_parameters_missing_everywhere_points_at_the_path() {
    let doc =
        openapi(json!({"/pets/{petId}": {"get": {"responses": ok()}, "put": {"responses": ok()}}}));
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![at("A007", "/paths/~1pets~1{petId}")]
    );
}

#[test]
fn path_parameters_missing_on_one_operation_points_at_it() {
    let doc = openapi(json!({"/pets/{petId}": {
        "get": {"parameters": [path_param("petId")], "responses": ok()},
        "put": {"responses": ok()},
    }}));
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![at("A007", "/paths/~1pets~1{petId}/put")]
    );
}

#[test]
fn path_parameters_not_in_template_or_not_required() {
    let doc = json!({
        "swagger": "2.0", "info": {"title": "t", "version": "1"},
        "paths": {"/pets/{id}": {
            "parameters": [path_param("id")],
            "get": {"parameters": [{"$ref": "#/parameters/petId"}, {"name": "id", "in": "path", "required": false, "type": "string"}], "responses": ok()},
        }},
        "parameters": {"petId": {"name": "petId", "in": "path", "type": "string"}},
    });
    assert_eq!(
        findings(SpecFormat::OpenApi20, &doc),
        vec![
            at("A007", "/paths/~1pets~1{id}/get/parameters/0"),
            // Reported where `required` is (or would be) written.
            at("A007", "/parameters/petId"),
            at("A007", "/paths/~1pets~1{id}/get/parameters/1/required"),
        ]
    );
}

#[test]
fn path_parameters_unresolvable_ref_is_not_a_missing_declaration() {
    let doc = openapi(
        json!({"/pets/{petId}": {"get": {"parameters": [{"$ref": "pets.yaml#/petId"}], "responses": ok()}}}),
    );
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

// A008 equivalent-paths

#[test]
fn equivalent_paths_concrete_and_templated_may_overlap() {
    let doc = openapi(json!({"/pets/{id}": {}, "/pets/mine": {}, "/pets/{id}/toys": {}}));
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn equivalent_paths_differing_only_in_names() {
    let doc = openapi(json!({"/pets/{id}": {}, "/pets/{petId}": {}}));
    // Keys are in the bundled document's order: `{petId}` comes second.
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![at("A008", "/paths/~1pets~1{petId}")]
    );
}

#[test]
fn equivalent_paths_allowed_in_swagger_2() {
    // Regression: fired on Netlify's accepted 2.0 API, which has
    // `/sites/{site_id}/database/migrations/{name}` (GET) next to
    // `.../migrations/{deploy_id}` (POST). Only OpenAPI 3.0 added the rule.
    let doc = json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/m/{name}": {}, "/m/{deploy_id}": {}}});
    assert_eq!(findings(SpecFormat::OpenApi20, &doc), none());
}

// A009 invalid-response-code

#[test]
fn response_codes_valid() {
    let doc = openapi(json!({"/pets": {"get": {"responses": {
        "100": {"description": "x"}, "200": {"description": "x"}, "599": {"description": "x"},
        "4XX": {"description": "x"}, "default": {"description": "x"}, "x-note": "free",
    }}}}));
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn response_codes_invalid() {
    let doc = openapi(json!({"/pets": {"get": {"responses": {
        "200 OK": {"description": "x"}, "2xx": {"description": "x"}, "600": {"description": "x"}, "200": {"description": "x"},
    }}}}));
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![
            at("A009", "/paths/~1pets/get/responses/200 OK"),
            at("A009", "/paths/~1pets/get/responses/2xx"),
            at("A009", "/paths/~1pets/get/responses/600"),
        ]
    );
}

#[test]
fn response_codes_no_ranges_in_swagger_2() {
    let doc = json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/pets": {"get": {"responses": {"2XX": {"description": "x"}}}}}});
    assert_eq!(
        findings(SpecFormat::OpenApi20, &doc),
        vec![at("A009", "/paths/~1pets/get/responses/2XX")]
    );
}

// A010 undefined-security-scheme

#[test]
fn security_schemes_defined() {
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "security": [{"api_key": []}, {}],
        "paths": {"/pets": {"get": {"security": [{"oauth": ["read"]}], "responses": ok()}}},
        "components": {"securitySchemes": {"api_key": {"type": "apiKey", "name": "k", "in": "header"}, "oauth": {"type": "oauth2", "flows": {}}}},
    });
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn security_schemes_undefined_openapi() {
    let doc = json!({
        "swagger": "2.0", "info": {"title": "t", "version": "1"},
        "security": [{"apiKey": []}],
        "paths": {"/pets": {"get": {"security": [{"api_key": [], "petstore_auth": []}], "responses": ok()}}},
        "securityDefinitions": {"api_key": {"type": "apiKey", "name": "k", "in": "header"}},
    });
    assert_eq!(
        findings(SpecFormat::OpenApi20, &doc),
        vec![
            at("A010", "/security/0/apiKey"),
            at("A010", "/paths/~1pets/get/security/0/petstore_auth")
        ]
    );
    assert_eq!(
        check_semantics(SpecFormat::OpenApi20, &doc)[0]
            .help
            .as_deref(),
        Some("did you mean `api_key`?")
    );
}

#[test]
fn security_schemes_asyncapi2_servers() {
    let doc = json!({
        "asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
        "servers": {
            "prod": {"url": "x", "protocol": "mqtt", "security": [{"userPassword": []}]},
            "dev": {"url": "x", "protocol": "mqtt", "security": [{"token": []}]},
        },
        "channels": {},
        "components": {"securitySchemes": {"userPassword": {"type": "userPassword"}}},
    });
    assert_eq!(
        findings(SpecFormat::AsyncApi2, &doc),
        vec![at("A010", "/servers/dev/security/0/token")]
    );
}

#[test]
fn security_schemes_asyncapi3_refs_resolve() {
    let doc = json!({
        "asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "servers": {"prod": {"host": "x", "protocol": "mqtt", "security": [
            {"$ref": "#/components/securitySchemes/user"},
            {"type": "httpApiKey", "name": "k", "in": "header"},
            {"$ref": "#/components/securitySchemes/token"},
        ]}},
        "components": {"securitySchemes": {"user": {"type": "userPassword"}}},
    });
    assert_eq!(
        findings(SpecFormat::AsyncApi3, &doc),
        vec![at("A010", "/servers/prod/security/2")]
    );
}

// A011 discriminator-mapping

fn pets(mapping: Value) -> Value {
    json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}],
                "discriminator": {"propertyName": "kind", "mapping": mapping},
            },
            "Dog": {"type": "object"},
            "Cat": {"type": "object"},
            // A property called `discriminator` is not a Discriminator Object.
            "Odd": {"properties": {"discriminator": {"type": "object", "mapping": {"a": "Nowhere"}}}},
        }},
    })
}

#[test]
fn discriminator_mapping_names_refs_and_external_values() {
    let doc = pets(
        json!({"dog": "Dog", "cat": "#/components/schemas/Cat", "fish": "fish.yaml#/Fish", "bird": "https://example.com/bird.json"}),
    );
    assert_eq!(findings(SpecFormat::OpenApi30, &doc), none());
}

#[test]
fn discriminator_mapping_to_nothing() {
    let doc = pets(json!({"dog": "dog", "cat": "Kat"}));
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        // Document order (serde_json keeps it: `preserve_order`).
        vec![
            at("A011", "/components/schemas/Pet/discriminator/mapping/dog"),
            at("A011", "/components/schemas/Pet/discriminator/mapping/cat"),
        ]
    );
    let dog = &check_semantics(SpecFormat::OpenApi30, &doc)[0];
    assert_eq!(
        dog.help.as_deref(),
        Some("did you mean `Dog` (`#/components/schemas/Dog`)?")
    );
}

#[test]
fn discriminator_mapping_inline_schema_in_an_operation() {
    let doc = openapi(
        json!({"/pets": {"get": {"responses": {"default": {"description": "x", "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind", "mapping": {"dog": "Dog"}},
        }}}}}}}}),
    );
    assert_eq!(
        findings(SpecFormat::OpenApi30, &doc),
        vec![at(
            "A011",
            "/paths/~1pets/get/responses/default/content/application~1json/schema/discriminator/mapping/dog"
        )]
    );
}

// A011 for mapping values that are references: checked while loading,
// relative to the file they are written in (the bundle no longer knows it).

/// Load a definition from in-memory files (the first is the root).
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

/// `(code, file:line:col, message)` of each diagnostic.
fn located(def: &ApiDefinition) -> Vec<(String, String, String)> {
    def.diagnostics
        .iter()
        .map(|d| {
            let file = d.file.as_deref().unwrap_or("");
            let text = &def.files.iter().find(|f| f.path == file).unwrap();
            let at = text.line_col(d.span.unwrap().start);
            (
                d.code.clone(),
                format!("{file}:{}:{}", at.line, at.column),
                d.message.clone(),
            )
        })
        .collect()
}

const PETS_HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Dog: {type: object}\n    Cat: {type: object}\n    Pet:\n      oneOf: [{$ref: '#/components/schemas/Dog'}]\n      discriminator:\n        propertyName: kind\n        mapping:\n";

/// Issue 17, finding 11: mapping values pointing nowhere, out of the root
/// or at a URL got no finding (nothing was read, and still nothing is).
#[test]
fn discriminator_mapping_references_that_lead_nowhere_are_reported_and_nothing_is_read() {
    let def = load(&[
        (
            "api/openapi.yaml",
            &format!(
                "{PETS_HEAD}          dog: '#/components/schemas/Dog'\n          nowhere: '#/nowhere'\n          kat: '#/components/schemas/Kat'\n          passwd: ../../etc/passwd\n          absolute: /etc/passwd\n          web: 'http://evil.test/x.json#/X'\n          bare: 'http:evil'\n          sibling: './fish.yaml#/Fish'\n          plain: Cat\n"
            ),
        ),
        // Exists, but no `$ref` names it: a mapping value does not make
        // portolan read it.
        ("api/fish.yaml", "Fish: {type: object}\n"),
    ]);
    let found = located(&def);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(code, at, _)| (code.as_str(), at.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("A011", "api/openapi.yaml:14:20"),
            ("A011", "api/openapi.yaml:15:16"),
            ("F002", "api/openapi.yaml:16:19"),
            ("F002", "api/openapi.yaml:17:21"),
            ("A003", "api/openapi.yaml:18:16"),
            ("A003", "api/openapi.yaml:19:17"),
        ],
        "{found:#?}"
    );
    assert_eq!(
        found[0].2,
        "discriminator value `nowhere` maps to `#/nowhere`, which does not exist"
    );
    assert_eq!(
        def.diagnostics[1].help.as_deref(),
        Some("did you mean `#/components/schemas/Cat`?")
    );
    assert_eq!(def.diagnostics[4].severity.as_str(), "warning");
    let read: Vec<&str> = def.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(read, ["api/openapi.yaml"]);
}

/// A `#/...` mapping written in a `$ref`'d file points into that file
/// (DigitalOcean's `models/floating_ip_actions.yml` maps
/// `assign: '#/floating_ip_action_assign'`); before, the bundle-level check
/// could only skip such pointers, right or wrong.
#[test]
fn discriminator_mapping_pointers_resolve_in_the_file_they_are_written_in() {
    let def = load(&[
        (
            "api/openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Action: {$ref: './models/actions.yaml#/action'}\n",
        ),
        (
            "api/models/actions.yaml",
            "action:\n  oneOf: [{$ref: '#/assign'}]\n  discriminator:\n    propertyName: type\n    mapping:\n      assign: '#/assign'\n      unassign: '#/unassign'\n      other: 'other.yaml#/x'\nassign: {type: object}\n",
        ),
    ]);
    let found = located(&def);
    let summary: Vec<(&str, &str)> = found
        .iter()
        .map(|(code, at, _)| (code.as_str(), at.as_str()))
        .collect();
    // `other.yaml` is not loaded (no `$ref` names it), so not checked.
    assert_eq!(
        summary,
        vec![("A011", "api/models/actions.yaml:7:17")],
        "{found:#?}"
    );
}

/// A property named `discriminator` and `x-` extensions hold no
/// Discriminator Object.
#[test]
fn discriminator_mapping_lookalikes_are_not_checked() {
    let def = load(&[(
        "openapi.yaml",
        // 3.1: a schema may carry unknown keywords such as `mapping`.
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Odd:\n      properties:\n        discriminator: {type: object, mapping: {a: '#/nowhere'}}\n      x-vendor:\n        discriminator: {mapping: {a: 'https://x.test/'}}\n",
    )]);
    assert_eq!(located(&def), vec![]);
}

// A012 asyncapi-reference

fn asyncapi3(operations: Value) -> Value {
    json!({
        "asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "channels": {
            "signup": {"address": "user/signup", "messages": {"signedUp": {"$ref": "#/components/messages/SignedUp"}}},
            "replies": {"address": "user/replies", "messages": {"ack": {"payload": {"type": "string"}}}},
            // A root channel may itself be a reference.
            "audit": {"$ref": "#/components/channels/audit"},
        },
        "operations": operations,
        "components": {
            "channels": {"audit": {"messages": {"entry": {"$ref": "#/components/messages/SignedUp"}}}},
            "messages": {"SignedUp": {"payload": {"type": "object"}}},
        },
    })
}

#[test]
fn asyncapi_references_operations_use_their_channels_messages() {
    let doc = asyncapi3(json!({
        "onSignup": {
            "action": "receive",
            "channel": {"$ref": "#/channels/signup"},
            "messages": [{"$ref": "#/channels/signup/messages/signedUp"}],
            "reply": {"channel": {"$ref": "#/channels/replies"}, "messages": [{"$ref": "#/channels/replies/messages/ack"}]},
        },
        "audit": {"action": "send", "channel": {"$ref": "#/channels/audit"}, "messages": [{"$ref": "#/channels/audit/messages/entry"}]},
    }));
    assert_eq!(findings(SpecFormat::AsyncApi3, &doc), none());
}

#[test]
fn asyncapi_references_broken() {
    let doc = asyncapi3(json!({
        "a": {
            "action": "receive",
            "channel": {"$ref": "#/channels/signup"},
            // The component message, not the channel's.
            "messages": [{"$ref": "#/components/messages/SignedUp"}, {"$ref": "#/channels/replies/messages/ack"}, {"$ref": "#/channels/signup/messages/nope"}],
            "reply": {"channel": {"$ref": "#/channels/nope"}, "messages": [{"$ref": "#/channels/signup/messages/signedUp"}]},
        },
        "b": {"action": "send", "channel": {"$ref": "#/components/channels/audit"}},
    }));
    assert_eq!(
        findings(SpecFormat::AsyncApi3, &doc),
        vec![
            at("A012", "/operations/a/messages/0"),
            at("A012", "/operations/a/messages/1"),
            at("A012", "/operations/a/messages/2"),
            at("A012", "/operations/b/channel"),
            // Replies are checked after operations.
            at("A012", "/operations/a/reply/channel"),
        ]
    );
}

#[test]
fn asyncapi_references_channel_message_refs_resolve() {
    let mut doc = asyncapi3(json!({}));
    doc["channels"]["signup"]["messages"]["gone"] = json!({"$ref": "#/components/messages/Gone"});
    assert_eq!(
        findings(SpecFormat::AsyncApi3, &doc),
        vec![at("A012", "/channels/signup/messages/gone")]
    );
}

#[test]
fn asyncapi_references_asyncapi2_messages() {
    let doc = json!({
        "asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
        "channels": {
            "a": {"publish": {"message": {"$ref": "#/components/messages/A"}}},
            "b": {"subscribe": {"message": {"oneOf": [{"$ref": "#/components/messages/A"}, {"$ref": "#/components/messages/B"}]}}},
            "c": {"subscribe": {"message": {"$ref": "#/components/messages/C"}}},
        },
        "components": {"messages": {"A": {"payload": {}}}},
    });
    assert_eq!(
        findings(SpecFormat::AsyncApi2, &doc),
        vec![
            at("A012", "/channels/b/subscribe/message/oneOf/1"),
            at("A012", "/channels/c/subscribe/message")
        ]
    );
}

// Robustness

#[test]
fn recursive_refs_and_garbage_do_not_hang_or_panic() {
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a/{x}": {"$ref": "#/paths/~1a~1{x}"}, "/b": "nope", "/c": {"get": 3, "parameters": {"a": 1}}},
        "webhooks": {"w": {"$ref": "#/webhooks/v"}, "v": {"$ref": "#/webhooks/w"}},
        "components": {"schemas": {"Node": {"properties": {"next": {"$ref": "#/components/schemas/Node"}}}}},
        "security": "all",
    });
    assert_eq!(findings(SpecFormat::OpenApi31, &doc), none());
    for format in [
        SpecFormat::OpenApi20,
        SpecFormat::OpenApi30,
        SpecFormat::AsyncApi2,
        SpecFormat::AsyncApi3,
    ] {
        check_semantics(format, &doc);
        check_semantics(format, &json!([1, {"$ref": "#"}]));
    }
}
