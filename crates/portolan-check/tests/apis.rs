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
    let codes: Vec<(&str, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.file.as_deref().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![("A009", "openapi.yaml")],
        "no Y007 for a spec file, only its own findings"
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
