//! Input limits set in portolan.toml `[limits]` (issue 16): each exceeded
//! limit is a finding at its place, never an abort, and the rest of the
//! catalog is still checked; a value above a limit's ceiling is refused.

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::MemorySource;

fn entity(kind: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"
    )
}

fn run(source: &MemorySource, toml: &str) -> portolan_check::Checked {
    let mut config = Config::parse("portolan.toml", toml).unwrap();
    // These tests count the findings limits cause; the design lint's are
    // not about limits.
    config.lint.extends = vec![portolan_core::config::LintPreset::Off];
    check(source, &config, &[], &CheckOptions::from_config(&config)).unwrap()
}

fn team() -> String {
    entity("Group", "team-a", "  type: team\n  children: []\n")
}

fn service(name: &str) -> String {
    entity(
        "Component",
        name,
        "  type: service\n  lifecycle: production\n  owner: team-a\n",
    )
}

#[test]
fn documents_per_file_at_and_past_the_limit() {
    let stream = [team(), service("a"), service("b")].join("---\n");
    // Another file, checked as ever: its owner is missing.
    let other = entity(
        "Component",
        "c",
        "  type: service\n  lifecycle: production\n  owner: nobody\n",
    );
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", stream.clone())
        .with_file("more/catalog-info.yaml", other);

    let at_limit = run(&source, "[limits]\nmax_documents_per_file = 3\n");
    assert_eq!(at_limit.catalog.entities.len(), 4);
    assert!(!at_limit.diagnostics.iter().any(|d| d.code == "Y011"));

    let past = run(&source, "[limits]\nmax_documents_per_file = 2\n");
    let names: Vec<&str> = past
        .catalog
        .entities
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["team-a", "a", "c"]);
    let y011: Vec<_> = past
        .diagnostics
        .iter()
        .filter(|d| d.code == "Y011")
        .collect();
    assert_eq!(y011.len(), 1);
    assert_eq!(y011[0].file.as_deref(), Some("catalog-info.yaml"));
    let third = stream.match_indices("---\n").nth(1).unwrap().0;
    assert_eq!(y011[0].span.unwrap().start as usize, third);
    // The rest of the catalog is still checked.
    assert!(
        past.diagnostics
            .iter()
            .any(|d| d.code == "R001" && d.file.as_deref() == Some("more/catalog-info.yaml")),
        "{:?}",
        past.diagnostics
    );
}

#[test]
fn reference_depth_from_portolan_toml() {
    let api = entity(
        "API",
        "orders-api",
        "  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n",
    );
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/C'}\n    C: {type: string}\n";
    let mut provider = service("orders");
    provider.push_str("  providesApis: [orders-api]\n");
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", [team(), provider, api].join("---\n"))
        .with_file("openapi.yaml", spec);

    let at_limit = run(&source, "[limits]\nmax_reference_depth = 3\n");
    assert!(
        at_limit.diagnostics.is_empty(),
        "{:?}",
        at_limit.diagnostics
    );

    let past = run(&source, "[limits]\nmax_reference_depth = 2\n");
    assert_eq!(past.diagnostics.len(), 1, "{:?}", past.diagnostics);
    let d = &past.diagnostics[0];
    assert_eq!(d.code, "A015");
    assert_eq!(d.file.as_deref(), Some("openapi.yaml"));
    let b = spec.find("'#/components/schemas/C'").unwrap();
    assert_eq!(d.span.unwrap().start as usize, b);
}

#[test]
fn limits_above_their_ceilings_are_refused() {
    for (key, value) in [
        ("max_documents_per_file", "1000001"),
        ("max_reference_depth", "257"),
    ] {
        let toml = format!("[limits]\n{key} = {value}\n");
        let err = Config::parse("portolan.toml", &toml).unwrap_err();
        assert!(err.contains(key) && err.contains("line 2"), "{err}");
    }
}
