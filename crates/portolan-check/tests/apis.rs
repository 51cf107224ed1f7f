//! API definitions inside `portolan check`: inline, `$text`, and named on
//! the command line.

use std::collections::BTreeSet;

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::MemorySource;

const OWNER: &str = "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  providesApis: [orders-api]\n";

fn run(source: &MemorySource, only: Option<&[&str]>) -> portolan_check::Checked {
    let config = Config::default();
    let mut options = CheckOptions::from_config(&config);
    if let Some(only) = only {
        options.load.named_files = only.iter().map(|s| s.to_string()).collect();
        options.only_files = Some(only.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
    }
    check(source, &config, &[], &options).unwrap()
}

#[test]
fn findings_in_inline_literal_definitions_point_into_the_descriptor() {
    let descriptor = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n    openapi: 3.0.3\n    info: {{title: Orders, version: '1'}}\n    paths:\n      /a:\n        get:\n          operationId: list\n          responses: {{'200': {{description: ok}}}}\n      /b:\n        get:\n          operationId: list\n          responses: {{'200': {{description: ok}}}}\n{OWNER}"
    );
    let source = MemorySource::new().with_file("catalog-info.yaml", descriptor.clone());
    let checked = run(&source, None);
    let finding = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "A006")
        .expect("duplicate operationId found");
    assert_eq!(finding.file.as_deref(), Some("catalog-info.yaml"));
    let span = finding.span.unwrap();
    let second = descriptor.rfind("operationId").unwrap();
    assert_eq!(
        span.start as usize, second,
        "points at the second operationId key"
    );
    assert_eq!(&descriptor[span.range()], "operationId");
    assert!(
        checked
            .catalog
            .files
            .get("catalog-info.yaml#definition")
            .is_none()
    );
}

#[test]
fn spec_files_named_on_the_command_line_report_their_findings() {
    let source = MemorySource::new()
        .with_file(
            "catalog-info.yaml",
            format!("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n{OWNER}"),
        )
        .with_file(
            "openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'2000': {description: ok}}\n",
        );
    let checked = run(&source, Some(&["openapi.yaml"]));
    // The design lint's findings (`L`, the recommended preset) are the
    // file's own too; the rest is the structural finding.
    let (lint, codes): (Vec<_>, Vec<_>) = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.file.as_deref().unwrap()))
        .partition(|(code, _)| code.starts_with('L'));
    assert_eq!(
        codes,
        vec![("A009", "openapi.yaml")],
        "no Y007 for a spec file, only its own findings"
    );
    let lint: BTreeSet<(&str, &str)> = lint.into_iter().collect();
    assert_eq!(
        lint,
        BTreeSet::from([
            ("L001", "openapi.yaml"),
            ("L002", "openapi.yaml"),
            ("L003", "openapi.yaml"),
            ("L004", "openapi.yaml"),
            ("L005", "openapi.yaml"),
            ("L007", "openapi.yaml"),
            ("L010", "openapi.yaml"),
            ("L011", "openapi.yaml"),
            ("L012", "openapi.yaml"),
            ("L023", "openapi.yaml"),
        ])
    );
}

#[test]
fn graphql_definitions_are_not_validated_as_openapi() {
    let source = MemorySource::new().with_file(
        "catalog-info.yaml",
        format!("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: graphql\n  lifecycle: production\n  owner: team-a\n  definition: |\n    type Query {{\n      orders: [String]\n    }}\n{OWNER}"),
    );
    let checked = run(&source, None);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, for a checkout elsewhere, such as a worktree).
fn corpus() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
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

/// Issue 16, finding 9: Backstage's streetlights example (AsyncAPI 2.0,
/// inline in an API entity) was rejected with A005 because its Kafka
/// operation binding has `clientId: my-app-id` where the binding schema
/// wants a Schema Object. The AsyncAPI parser and Backstage accept the
/// document: a binding that breaks its binding schema is a warning (A014)
/// at the binding, and the definition has no error.
#[test]
fn streetlights_with_a_loose_kafka_binding_is_valid_with_a_warning() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("backstage/backstage-upstream-2021");
    let file = "packages/catalog-model/examples/apis/streetlights-api.yaml";
    let source = portolan_core::source::DirSource::new(&root).unwrap();
    let config = Config::default();
    let mut options = CheckOptions::from_config(&config);
    options.load.named_files = vec![file.to_string()];
    let checked = check(&source, &config, &[], &options).unwrap();
    let api: Vec<&portolan_core::Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with('A'))
        .collect();
    let errors: Vec<String> = api
        .iter()
        .filter(|d| d.severity == portolan_core::Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let binding: Vec<_> = api.iter().filter(|d| d.code == "A014").collect();
    assert_eq!(binding.len(), 1, "{api:#?}");
    let binding = binding[0];
    assert_eq!(binding.severity, portolan_core::Severity::Warning);
    assert_eq!(
        binding.message,
        "`components.operationTraits.kafka.bindings.kafka.clientId` must be a boolean or an object, found a string (kafka operation binding, AsyncAPI 2.x)"
    );
    // At `clientId:` in the entity file.
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let span = binding.span.unwrap();
    assert_eq!(binding.file.as_deref(), Some(file));
    assert_eq!(&text[span.range()], "clientId");
}

fn asyncapi_entity(definition: &str) -> String {
    let indented: String = definition.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: asyncapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n{indented}{OWNER}"
    )
}

fn codes_and_messages(checked: &portolan_check::Checked) -> Vec<(String, String)> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with('A'))
        .map(|d| (d.code.clone(), d.message.clone()))
        .collect()
}

/// A binding that breaks its schema never hides a finding about the
/// document itself: here `info.version` is missing too, and 150 broken
/// bindings (more than the structure findings shown per definition) come
/// before it in the document.
#[test]
fn binding_findings_never_hide_core_errors() {
    let mut channels = String::new();
    for i in 0..150 {
        channels.push_str(&format!(
            "  c{i}:\n    subscribe:\n      bindings:\n        kafka:\n          clientId: app-{i}\n      message:\n        payload: {{type: string}}\n"
        ));
    }
    let definition = format!("asyncapi: 2.6.0\nchannels:\n{channels}info:\n  title: Orders\n");
    let source = MemorySource::new().with_file("catalog-info.yaml", asyncapi_entity(&definition));
    let found = codes_and_messages(&run(&source, None));
    let errors: Vec<_> = found.iter().filter(|(c, _)| c == "A005").collect();
    assert_eq!(
        errors,
        [&(
            "A005".to_string(),
            "`info.version` is required (AsyncAPI 2.x)".to_string()
        )]
    );
    let warnings = found.iter().filter(|(c, _)| c == "A014").count();
    assert_eq!(warnings, 101, "100 shown and one line saying how many more");
    assert!(found.contains(&(
        "A014".to_string(),
        "50 more binding findings in this definition are not shown".to_string()
    )));
}

/// AsyncAPI 3.0: a message binding (inside a message that may also be a
/// Reference Object) and a server binding are warnings at the binding.
#[test]
fn asyncapi_3_bindings_are_warnings_at_the_binding() {
    let definition = "asyncapi: 3.0.0\ninfo: {title: Orders, version: '1'}\nservers:\n  prod:\n    host: kafka.example.com\n    protocol: kafka\n    bindings:\n      kafka:\n        schemaRegistryVendor: confluent\nchannels:\n  orders:\n    messages:\n      placed:\n        payload: {type: string}\n        bindings:\n          kafka:\n            schemaIdLocation: 3\n";
    let source = MemorySource::new().with_file("catalog-info.yaml", asyncapi_entity(definition));
    let checked = run(&source, None);
    let found = codes_and_messages(&checked);
    assert_eq!(
        found,
        [
            (
                "A014".to_string(),
                "`servers.prod.bindings.kafka.schemaRegistryUrl` is required by a field present beside it (kafka server binding, AsyncAPI 3.0)".to_string()
            ),
            (
                "A014".to_string(),
                "`channels.orders.messages.placed.bindings.kafka.schemaIdLocation` must be a string, found a number (kafka message binding, AsyncAPI 3.0)".to_string()
            ),
        ]
    );
    assert!(
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == "A014")
            .all(|d| d.severity == portolan_core::Severity::Warning)
    );
}
