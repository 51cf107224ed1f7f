//! Real definitions from the shared corpus (read in place, never copied):
//! the OpenAPI Initiative's petstore examples, which exist as one Swagger
//! 2.0 file, the same API split into files, and its OpenAPI 3.0
//! translation; and Stripe's 4 MB definition against itself.

use std::path::{Path, PathBuf};
use std::time::Instant;

use portolan_apis::RootDocument;
use portolan_core::source::{DirSource, MemorySource};
use portolan_diff::{Change, Date, DiffOptions, DiffReport, Revision, diff};

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, for a checkout elsewhere, such as a worktree).
fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared corpus is missing at {} and CI=true: it must be present in CI",
        dir.display()
    );
    eprintln!("skipping: the shared corpus is not at {}", dir.display());
    None
}

fn load(root: &Path, file: &str) -> Revision {
    let source = DirSource::new(root).unwrap();
    let revision = Revision::load(&source, RootDocument::File(file), Default::default());
    assert!(
        revision.spec.is_some(),
        "{file}: {:?}",
        revision.diagnostics
    );
    revision
}

fn options() -> DiffOptions {
    DiffOptions {
        today: Some(Date::parse("2026-12-02").unwrap()),
        ..DiffOptions::default()
    }
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{} {}: {}", c.code.code, c.level, c.message))
        .collect()
}

fn compare(corpus: &Path, base: &str, head: &str) -> DiffReport {
    let examples = corpus.join("openapi/oai-learn/examples");
    let report = diff(&load(&examples, base), &load(&examples, head), &options());
    assert_eq!(report.not_compared, None);
    report
}

/// The split petstore is not quite the single-file one: its `NewPet` is
/// `allOf: [Pet, ...]`, and `Pet` requires `id`, so creating a pet now
/// needs an id, and it gained a `description`. Everything else (the split
/// itself, the parameters file, the shared error schema) reports nothing.
#[test]
fn petstore_split_into_files() {
    let Some(corpus) = corpus() else { return };
    let report = compare(
        &corpus,
        "v2.0/yaml/petstore-expanded.yaml",
        "v2.0/yaml/petstore-separate/spec/swagger.yaml",
    );
    assert_eq!(
        lines(&report.changes),
        [
            "C039 info: optional request property `NewPet.description` added (POST /pets)",
            "C033 breaking: new required request property `NewPet.id` (POST /pets)",
        ]
    );
    let id = &report.changes[1];
    assert_eq!(id.head.file, "v2.0/yaml/petstore-separate/spec/Pet.yaml");
}

/// The same API in Swagger 2.0 and in its OpenAPI 3.0 translation: `body`
/// parameters, `produces`, `host`/`basePath` and 2.0 parameter schemas
/// compare with their 3.0 forms without a false alarm. What is reported is
/// what the translation really changed: a `maximum` on `limit`, a request
/// body the 2.0 file never had, the 2.0 file's `showPetById` returning
/// `Pets` (an array) where 3.0 returns a `Pet`; and, for the expanded
/// petstore, another host and scheme.
#[test]
fn petstore_translated_from_swagger_2_to_openapi_3() {
    let Some(corpus) = corpus() else { return };
    let report = compare(&corpus, "v2.0/yaml/petstore.yaml", "v3.0/petstore.yaml");
    assert_eq!(
        lines(&report.changes),
        [
            "C031 breaking: query parameter `limit` constrained more tightly: `maximum` none → 100 (GET /pets)",
            "C014 breaking: new required request body (POST /pets)",
            "C023 breaking: type of response body changed from `array` to `object` (GET /pets/{petId}, 200)",
        ]
    );
    let report = compare(
        &corpus,
        "v2.0/yaml/petstore-expanded.yaml",
        "v3.0/petstore-expanded.yaml",
    );
    assert_eq!(
        lines(&report.changes),
        [
            "C022 warning: server `http://petstore.swagger.io/api` removed (now `https://petstore.swagger.io/v2`)"
        ]
    );
}

/// Stripe's 4 MB definition (anyOf-heavy, recursive through expandable
/// fields) against itself reports nothing; against a copy where
/// `customer.livemode` is no longer required, exactly that, once, listing
/// every operation that returns a customer, located at the property in
/// both revisions.
#[test]
fn stripe_one_property_made_optional() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("openapi/stripe");
    let start = Instant::now();
    let base = load(&root, "openapi/spec3.yaml");
    let same = load(&root, "openapi/spec3.yaml");
    let loaded = start.elapsed();
    let report = diff(&base, &same, &options());
    eprintln!(
        "stripe: loaded twice in {loaded:?}, compared in {:?}",
        start.elapsed() - loaded
    );
    assert_eq!(lines(&report.changes), Vec::<String>::new());

    let text = std::fs::read_to_string(root.join("openapi/spec3.yaml")).unwrap();
    let required = "      required:\n        - created\n        - id\n        - livemode\n        - object\n      title: Customer\n";
    assert_eq!(text.matches(required).count(), 1, "the corpus file changed");
    let edited = text.replace(required, &required.replace("        - livemode\n", ""));
    let source = MemorySource::new().with_file("openapi/spec3.yaml", edited);
    let head = Revision::load(
        &source,
        RootDocument::File("openapi/spec3.yaml"),
        Default::default(),
    );
    let report = diff(&base, &head, &options());
    assert_eq!(report.changes.len(), 1, "{:#?}", lines(&report.changes));
    let change = &report.changes[0];
    assert_eq!(change.code.code, "C038");
    assert!(
        change
            .message
            .starts_with("response property `customer.livemode` became optional ("),
        "{}",
        change.message
    );
    assert!(change.operations.len() > 10, "{:?}", change.operations);
    assert!(
        change
            .operations
            .contains(&"GET /v1/customers/{customer}".to_string())
    );
    assert_eq!(
        change.head.pointer,
        "/components/schemas/customer/properties/livemode"
    );
    let line = |revision: &Revision, offset: u32| revision.files[0].line_col(offset).line;
    // The property's key: the first `livemode:` in the customer schema,
    // the same line in both revisions (the edit is below it).
    let schema_line = text.lines().position(|l| l == "    customer:").unwrap();
    let key_line = text
        .lines()
        .enumerate()
        .skip(schema_line)
        .find(|(_, l)| *l == "        livemode:")
        .map(|(i, _)| i as u32 + 1)
        .unwrap();
    assert_eq!(line(&base, change.base.span.start), key_line);
    assert_eq!(line(&head, change.head.span.start), key_line);
}

/// The AsyncAPI specification's own streetlights example, in its 2.6.0 and
/// its 3.0.0 form: operations matched across versions by id (2.x
/// `operationId`, 3.0 `operations` key), `publish`/`subscribe` read as
/// receive/send, channels by address.
#[test]
fn streetlights_from_asyncapi_2_to_3() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("asyncapi");
    let base = load(&root, "asyncapi-spec-v2.6.0/examples/streetlights-mqtt.yml");
    let head = load(
        &root,
        "asyncapi-spec-v3.0.0/examples/streetlights-mqtt-asyncapi.yml",
    );
    let report = diff(&base, &head, &options());
    assert_eq!(report.not_compared, None);
    assert_eq!(lines(&report.changes), Vec::<String>::new());

    // The translation is faithful; one edit to the 3.0 file shows that the
    // operations were matched and their payloads compared: the measurement
    // is published by clients (2.x `publish`, 3.0 `receive`), so a higher
    // minimum breaks them.
    let file = "asyncapi-spec-v3.0.0/examples/streetlights-mqtt-asyncapi.yml";
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let lumens = "        lumens:\n          type: integer\n          minimum: 0\n";
    assert_eq!(text.matches(lumens).count(), 1, "the corpus file changed");
    let edited = text.replace(lumens, &lumens.replace("minimum: 0", "minimum: 1"));
    let source = MemorySource::new().with_file(file, edited);
    let head = Revision::load(&source, RootDocument::File(file), Default::default());
    let report = diff(&base, &head, &options());
    assert_eq!(
        lines(&report.changes),
        [
            "C031 breaking: request property `lightMeasuredPayload.lumens` constrained more tightly: `minimum` 0 → 1 (operation `receiveLightMeasurement`)"
        ]
    );
}
