//! One base/head fixture pair per kind of change (`tests/fixtures/<case>/`,
//! each side a small catalog root), with the exact codes, levels and
//! messages computed; refactors that must report nothing; recursion; a
//! change located in a `$ref`'d file.

use std::path::PathBuf;

use portolan_apis::RootDocument;
use portolan_core::source::{DirSource, MemorySource, Source};
use portolan_diff::{Change, Date, DiffOptions, DiffReport, Revision, diff, diff_sources};

fn fixture(case: &str, side: &str) -> DirSource {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
        .join(side);
    DirSource::new(dir).unwrap()
}

fn options() -> DiffOptions {
    DiffOptions {
        today: Some(Date::parse("2026-12-02").unwrap()),
        ..DiffOptions::default()
    }
}

/// Compare a fixture pair whose root document is `root` on both sides.
fn run(case: &str, root: &str) -> (Revision, Revision, DiffReport) {
    let (base, head) = (fixture(case, "base"), fixture(case, "head"));
    let (b, h, report) = diff_sources(
        (&base, RootDocument::File(root)),
        (&head, RootDocument::File(root)),
        &options(),
    );
    assert!(b.diagnostics.is_empty(), "{case} base: {:?}", b.diagnostics);
    assert!(h.diagnostics.is_empty(), "{case} head: {:?}", h.diagnostics);
    assert_eq!(report.not_compared, None);
    (b, h, report)
}

/// `C036 breaking: message`, one per change, sorted, for exact comparison.
fn lines(changes: &[Change]) -> Vec<String> {
    let mut out: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {}: {}", c.code.code, c.level, c.message))
        .collect();
    out.sort();
    out
}

fn assert_changes(case: &str, root: &str, expected: &[&str]) -> DiffReport {
    let (_, _, report) = run(case, root);
    let actual = lines(&report.changes);
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(actual, expected, "\nactual:\n{}\n", actual.join("\n"));
    report
}

#[test]
fn operations_removed_deprecated_sunset_renamed_and_statuses() {
    assert_changes(
        "operations",
        "openapi.yaml",
        &[
            "C001 breaking: operation DELETE /pets/{id} removed",
            "C002 info: deprecated operation GET /gone removed",
            "C002 info: deprecated operation GET /old removed",
            "C003 breaking: operation GET /soon removed before its sunset date 2099-01-01 (today is 2026-12-02)",
            "C004 info: operation GET /new added",
            "C005 warning: operationId changed from `listPets` to `getPets` (GET /pets)",
            "C006 info: operation GET /pets deprecated",
            "C007 breaking: success response 201 removed (POST /pets)",
            "C008 info: response 400 removed (POST /pets)",
            "C008 info: response default removed (POST /pets)",
        ],
    );
}

#[test]
fn sunset_without_a_date_for_today_counts_as_not_reached() {
    let (base, head) = (fixture("operations", "base"), fixture("operations", "head"));
    let (_, _, report) = diff_sources(
        (&base, RootDocument::File("openapi.yaml")),
        (&head, RootDocument::File("openapi.yaml")),
        &DiffOptions::default(),
    );
    let sunset: Vec<String> = lines(&report.changes)
        .into_iter()
        .filter(|l| l.contains("/soon") || l.contains("/gone"))
        .collect();
    assert_eq!(
        sunset,
        [
            "C003 breaking: operation GET /gone removed; its sunset date is 2020-01-01",
            "C003 breaking: operation GET /soon removed; its sunset date is 2099-01-01",
        ]
    );
}

#[test]
fn parameters() {
    assert_changes(
        "parameters",
        "openapi.yaml",
        &[
            "C009 breaking: new required query parameter `tenant` (GET /items)",
            "C010 info: new optional query parameter `page` (GET /items)",
            "C011 breaking: query parameter `limit` became required (GET /items)",
            "C012 warning: query parameter `filter` removed (GET /items)",
            "C013 breaking: serialisation of query parameter `ids` changed from style form, explode true to style form, explode false (GET /items)",
            "C023 breaking: type of header parameter `x-trace` changed from `string` to `integer` (GET /items)",
            "C025 breaking: format of query parameter `offset` changed from `int32` to `int64` (GET /items)",
            "C028 breaking: enum value `\"desc\"` removed from query parameter `sort` (GET /items)",
            "C031 breaking: query parameter `limit` constrained more tightly: `maximum` 100 → 50 (GET /items)",
            "C031 breaking: query parameter `q` constrained more tightly: `pattern` \"^[a-z]+$\" → \"^[a-z0-9]+$\" (GET /items)",
        ],
    );
}

#[test]
fn request_bodies() {
    assert_changes(
        "request_bodies",
        "openapi.yaml",
        &[
            "C014 breaking: request body became required (POST /pets)",
            "C015 breaking: request media type `application/xml` no longer accepted (POST /pets)",
            "C023 breaking: type of request property `NewPet.age` changed from `integer` to `string` (POST /pets)",
            "C028 breaking: enum value `\"cat\"` removed from request property `NewPet.kind` (POST /pets)",
            "C033 breaking: new required request property `NewPet.owner` (POST /pets)",
            "C034 breaking: request property `NewPet.tag` became required (POST /pets)",
            "C035 warning: request property `NewPet.color` removed (POST /pets)",
            "C040 breaking: `oneOf` alternative `Bank` removed from request property `NewPet.payment` (POST /pets)",
        ],
    );
}

#[test]
fn responses() {
    assert_changes(
        "responses",
        "openapi.yaml",
        &[
            "C017 breaking: response media type `application/xml` removed (GET /payments/{id}, 200)",
            "C018 breaking: required response header `x-rate-limit` removed (GET /payments/{id}, 200)",
            "C019 warning: response header `x-request-id` removed (GET /payments/{id}, 200)",
            "C023 breaking: type of response property `Payment.id` changed from `string` to `integer` (GET /payments/{id}, 200)",
            "C026 breaking: response property `Payment.customer` may now be null (GET /payments/{id}, 200)",
            "C029 warning: enum value `\"refunded\"` added to response property `Payment.status` (GET /payments/{id}, 200)",
            "C036 breaking: required response property `Payment.charges` removed (GET /payments/{id}, 200)",
            "C037 warning: optional response property `Payment.note` removed (GET /payments/{id}, 200)",
            "C038 breaking: response property `Payment.amount` became optional (GET /payments/{id}, 200)",
            "C039 info: optional response property `Payment.created` added (GET /payments/{id}, 200)",
            "C041 warning: `oneOf` alternative `Wallet` added to response property `Payment.source` (GET /payments/{id}, 200)",
        ],
    );
}

#[test]
fn security_and_servers() {
    assert_changes(
        "security",
        "openapi.yaml",
        &[
            "C020 breaking: operation now requires security scheme `apiKey` (clients with none are refused) (GET /c)",
            "C020 breaking: operation now requires security scheme `oauth` (clients with `apiKey` are refused) (GET /a)",
            "C021 breaking: operation now requires scope `oauth: write` (GET /b)",
            "C022 warning: server `https://sandbox.example.com/v1` removed (now `https://api.example.com/v1`)",
            // Servers of a path item, narrowed by the operation's own.
            "C022 warning: server `https://eu.example.com/v1` removed (now `https://us.example.com/v1`) (GET /e)",
        ],
    );
}

#[test]
fn openapi_31_keywords() {
    assert_changes(
        "openapi31",
        "openapi.yaml",
        &[
            "C026 breaking: response property `label` may now be null (GET /things/{id}, 200)",
            "C027 breaking: request property `value` no longer accepts null (POST /things)",
            "C028 breaking: enum value `\"a\"` removed from request property `mode` (POST /things)",
            "C030 info: enum value `\"b\"` added to request property `mode` (POST /things)",
            "C031 breaking: request body no longer accepts other properties: `unevaluatedProperties: false` (POST /things)",
            "C031 breaking: request body: `dependentRequired` now requires `mode` with `kind` (POST /things)",
            "C031 breaking: request property `pair`: `prefixItems` changed from 2 to 3 positions (POST /things)",
            "C043 warning: `if` of request body changed (POST /things)",
        ],
    );
}

/// Compatible changes (a request widened, a response narrowed) are info;
/// a body dropped and a discriminator renamed are not.
#[test]
fn widening_requests_and_other_changes() {
    assert_changes(
        "widening",
        "openapi.yaml",
        &[
            "C016 warning: request body removed (PUT /shapes/{id})",
            "C024 info: type of request property `size` changed from `integer` to `number` (POST /shapes)",
            "C032 info: response property `name` constrained less tightly: `maxLength` 10 → 20 (POST /shapes, 200)",
            "C042 info: `oneOf` alternative `Square` added to request property `shape` (POST /shapes)",
            "C044 breaking: discriminator of request property `shape` changed from `kind` to `type` (POST /shapes)",
        ],
    );
}

/// Every contract-change code is reported by one of the fixture pairs
/// above, so none is dead (and each has an example a reader can run).
#[test]
fn every_contract_change_code_has_a_fixture() {
    let cases = [
        ("operations", "openapi.yaml"),
        ("parameters", "openapi.yaml"),
        ("request_bodies", "openapi.yaml"),
        ("responses", "openapi.yaml"),
        ("security", "openapi.yaml"),
        ("openapi31", "openapi.yaml"),
        ("widening", "openapi.yaml"),
        ("swagger2", "swagger.yaml"),
        ("asyncapi3", "asyncapi.yaml"),
        ("asyncapi2", "asyncapi.yaml"),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (case, root) in cases {
        let (_, _, report) = run(case, root);
        seen.extend(report.changes.iter().map(|c| c.code.code));
    }
    let missing: Vec<&str> = portolan_core::codes::ALL
        .iter()
        .map(|c| c.code)
        // C050–C056 are the catalog's changes (tests/catalog.rs).
        .filter(|c| c.starts_with('C') && *c < "C050" && !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "no fixture reports {missing:?}");
}

#[test]
fn refactors_report_nothing() {
    // inline ↔ $ref, a renamed path variable, reordered keys, edited
    // descriptions, summaries and examples, `allOf` flattened, a default
    // style written out, a `oneOf` alternative moved into its own file, and
    // the schema split into files.
    assert_changes("refactor", "openapi.yaml", &[]);
}

/// The refactor pair with one real edit in each `oneOf` alternative: the
/// alternatives, reordered and one moved into a file, are still matched
/// (by referenced name, case-insensitively, then by shape), so each edit
/// is reported on its own alternative and nothing is added or removed.
#[test]
fn edited_alternatives_are_matched_across_reordering() {
    assert_changes(
        "variants",
        "openapi.yaml",
        &[
            "C023 breaking: type of response property `Pet.owner.person` changed from `string` to `integer` (GET /pets/{petId}, 200)",
            "C023 breaking: type of response property `company.company` changed from `string` to `boolean` (GET /pets/{petId}, 200)",
        ],
    );
}

#[test]
fn recursive_schemas_terminate_and_report_once() {
    let report = assert_changes(
        "recursive",
        "openapi.yaml",
        &[
            "C023 breaking: type of response property `Other.value` changed from `string` to `integer` (GET /nodes, 200)",
            // Clients send strings, which an integer does not accept.
            "C023 breaking: type of request property `Other.value` changed from `string` to `integer` (POST /nodes)",
        ],
    );
    let response = report
        .changes
        .iter()
        .find(|c| c.message.contains("response"))
        .unwrap();
    assert_eq!(response.operations, ["GET /nodes"]);
}

/// A chain of 3,000 schemas, each holding the next, changed at its end:
/// compared without recursion (a recursive comparer overflows the test
/// thread's stack long before) and found once.
#[test]
fn long_reference_chains_do_not_exhaust_the_stack() {
    fn spec(last_type: &str) -> String {
        let mut s = String::from(
            "openapi: 3.0.3\ninfo: {title: Chain, version: '1'}\npaths:\n  /chain:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:\n",
        );
        for i in 0..3000 {
            s.push_str(&format!(
                "    S{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/S{}'}}\n",
                i + 1
            ));
        }
        s.push_str(&format!("    S3000:\n      type: {last_type}\n"));
        s
    }
    let base = MemorySource::new().with_file("api.yaml", spec("string"));
    let head = MemorySource::new().with_file("api.yaml", spec("integer"));
    let (_, _, report) = diff_sources(
        (&base as &dyn Source, RootDocument::File("api.yaml")),
        (&head as &dyn Source, RootDocument::File("api.yaml")),
        &options(),
    );
    assert_eq!(
        lines(&report.changes),
        [
            "C023 breaking: type of response property `S2999.next` changed from `string` to `integer` (GET /chain, 200)"
        ]
    );
}

#[test]
fn a_change_in_a_referenced_file_is_located_there() {
    let (base, head, report) = run("multi_file", "openapi.yaml");
    assert_eq!(
        lines(&report.changes),
        [
            // The bundle names the file's schema after the file.
            "C037 warning: optional response property `pet.tag` removed (GET /pets, 200)",
            "C038 breaking: response property `pet.name` became optional (GET /pets, 200)",
        ]
    );
    let line_col = |revision: &Revision, file: &str, offset: u32| {
        let f = revision.files.iter().find(|f| f.path == file).unwrap();
        let lc = f.line_col(offset);
        (lc.line, lc.column)
    };
    let removed = report
        .changes
        .iter()
        .find(|c| c.code.code == "C037")
        .unwrap();
    assert_eq!(removed.base.file, "schemas/pet.yaml");
    assert_eq!(removed.head.file, "schemas/pet.yaml");
    // Base: the `tag:` key; head: `properties:` (where it would be).
    assert_eq!(
        line_col(&base, "schemas/pet.yaml", removed.base.span.start),
        (6, 3)
    );
    assert_eq!(
        line_col(&head, "schemas/pet.yaml", removed.head.span.start),
        (4, 1)
    );
    let optional = report
        .changes
        .iter()
        .find(|c| c.code.code == "C038")
        .unwrap();
    assert_eq!(
        line_col(&head, "schemas/pet.yaml", optional.head.span.start),
        (6, 3)
    );
    assert_eq!(
        optional.head.pointer,
        "/components/schemas/pet/properties/name"
    );

    // As a diagnostic: the head place is primary, the base the related one,
    // under the name the caller gives base files.
    let d = optional.to_diagnostic(&|f| format!("base:{f}"));
    assert_eq!(d.code, "C038");
    assert_eq!(d.severity, portolan_core::Severity::Error);
    assert_eq!(d.file.as_deref(), Some("schemas/pet.yaml"));
    assert_eq!(d.related[0].file, "base:schemas/pet.yaml");
    assert_eq!(d.related[0].span, optional.base.span);
}

#[test]
fn swagger_2() {
    assert_changes(
        "swagger2",
        "swagger.yaml",
        &[
            "C011 breaking: formData parameter `caption` became required (PUT /pets/{petId}/photo)",
            "C013 breaking: serialisation of query parameter `tags` changed from collectionFormat csv to collectionFormat multi (GET /pets)",
            "C014 breaking: request body became required (POST /pets)",
            "C015 breaking: request media type `application/xml` no longer accepted (POST /pets)",
            "C022 warning: server `https://api.example.com/v1` removed (now `https://api.example.com/v2`)",
            "C026 breaking: response property `Pet.name` may now be null (GET /pets, 200)",
            "C031 breaking: query parameter `limit` constrained more tightly: `maximum` 100 → 50 (GET /pets)",
            "C037 warning: optional response property `Pet.nickname` removed (GET /pets, 200)",
            "C038 breaking: response property `Pet.name` became optional (GET /pets, 200)",
        ],
    );
}

#[test]
fn fingerprints_ignore_lines_and_path_variable_names() {
    let (_, _, first) = run("responses", "openapi.yaml");
    // The same head, every line moved down by a comment.
    let head_text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/responses/head/openapi.yaml"),
    )
    .unwrap();
    let moved = MemorySource::new().with_file(
        "openapi.yaml",
        format!(
            "# moved\n# down\n{}",
            head_text
                .replace("{id}", "{paymentId}")
                .replace("name: id,", "name: paymentId,")
        ),
    );
    let base = fixture("responses", "base");
    let (_, _, second) = diff_sources(
        (&base as &dyn Source, RootDocument::File("openapi.yaml")),
        (&moved as &dyn Source, RootDocument::File("openapi.yaml")),
        &options(),
    );
    let prints = |r: &DiffReport| {
        let mut p: Vec<(String, String)> = r
            .changes
            .iter()
            .map(|c| (c.code.code.to_string(), c.fingerprint.clone()))
            .collect();
        p.sort();
        p
    };
    assert_eq!(prints(&first), prints(&second));
    assert_ne!(first.changes[0].head.span, second.changes[0].head.span);
}

#[test]
fn a_schema_shared_by_operations_is_reported_once_for_all() {
    let spec = |id_type: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: S, version: '1'}}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/T'}}}}}}}}\n  /b:\n    get:\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{type: array, items: {{$ref: '#/components/schemas/T'}}}}}}}}}}\ncomponents:\n  schemas:\n    T: {{type: object, properties: {{id: {{type: {id_type}}}}}}}\n"
        )
    };
    let base = MemorySource::new().with_file("api.yaml", spec("string"));
    let head = MemorySource::new().with_file("api.yaml", spec("integer"));
    let (_, _, report) = diff_sources(
        (&base as &dyn Source, RootDocument::File("api.yaml")),
        (&head as &dyn Source, RootDocument::File("api.yaml")),
        &options(),
    );
    assert_eq!(
        lines(&report.changes),
        [
            "C023 breaking: type of response property `T.id` changed from `string` to `integer` (GET /a, 200; and 1 other operation)"
        ]
    );
    assert_eq!(report.changes[0].operations, ["GET /a", "GET /b"]);
}

#[test]
fn asyncapi_3() {
    assert_changes(
        "asyncapi3",
        "asyncapi.yaml",
        &[
            "C004 info: operation `emitShipped` (SEND orders.shipped) added",
            "C022 warning: server `kafka://broker.example.com` removed (now `kafka://broker2.example.com`)",
            "C029 warning: enum value `\"refunded\"` added to response property `status` (operation `publishOrderCreated`)",
            "C033 breaking: new required request property `reason` (operation `handleCommands`)",
            "C036 breaking: required response property `total` removed (operation `publishOrderCreated`)",
            "C038 breaking: response property `traceId` became optional (operation `publishOrderCreated`)",
            "C045 breaking: channel `legacy.events` removed",
            "C046 breaking: address changed from `orders.created` to `orders.created.v2` (operation `publishOrderCreated`)",
            "C047 breaking: operation `emitLegacy` (SEND legacy.events) removed",
            "C048 breaking: action changed from send to receive (operation `writeAudit`)",
            "C049 breaking: message `Refund` removed (operation `handleCommands`)",
        ],
    );
}

/// AsyncAPI 2.x: `publish` is the application receiving (clients write the
/// payload), `subscribe` sending (clients read it).
#[test]
fn asyncapi_2() {
    assert_changes(
        "asyncapi2",
        "asyncapi.yaml",
        &[
            "C025 breaking: format of response property `at` changed from `date-time` to `date` (operation `turnOn`)",
            "C031 breaking: request property `lumens` constrained more tightly: `minimum` 0 → 10 (operation `receiveMeasurement`)",
            "C049 breaking: message `toggle` removed (operation `turnOn`)",
        ],
    );
}

#[test]
fn unreadable_and_mixed_revisions_are_not_compared() {
    let api = MemorySource::new().with_file(
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n",
    );
    let none = MemorySource::new();
    let asyncapi = MemorySource::new().with_file(
        "api.yaml",
        "asyncapi: 3.0.0\ninfo: {title: x, version: '1'}\n",
    );
    let load =
        |s: &MemorySource| Revision::load(s, RootDocument::File("api.yaml"), Default::default());
    let (api, none, asyncapi) = (load(&api), load(&none), load(&asyncapi));
    assert_eq!(
        diff(&none, &api, &options()).not_compared,
        Some(portolan_diff::NotCompared::BaseUnreadable)
    );
    assert_eq!(
        diff(&api, &none, &options()).not_compared,
        Some(portolan_diff::NotCompared::HeadUnreadable)
    );
    assert_eq!(
        diff(&api, &asyncapi, &options()).not_compared,
        Some(portolan_diff::NotCompared::DifferentKinds)
    );
    assert_eq!(diff(&asyncapi, &asyncapi, &options()).not_compared, None);
}
