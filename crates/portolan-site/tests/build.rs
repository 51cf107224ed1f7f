//! The build of `examples/acme`, in every test run: `catalog.json` matches
//! its schema, bundles are complete, and two builds are byte-identical.

use std::path::PathBuf;

use portolan_check::{CheckOptions, Checked, check, policy};
use portolan_core::config::{CONFIG_FILE, Config};
use portolan_core::paths;
use portolan_core::source::{DirSource, Source};
use portolan_site::{BuildOptions, Output, render};

fn acme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

fn check_acme() -> Checked {
    let source = DirSource::new(acme()).unwrap();
    let config = Config::parse(
        CONFIG_FILE,
        &String::from_utf8(source.read(CONFIG_FILE, 1 << 20).unwrap()).unwrap(),
    )
    .unwrap();
    let policies = policy::load_policies(&config, &|schema| {
        let path = paths::join_normalized("", schema).unwrap();
        let text = source
            .read(&path, 1 << 20)
            .map(|b| String::from_utf8(b).unwrap())
            .map_err(|e| e.to_string());
        (path, text)
    });
    check(
        &source,
        &config,
        &policies,
        &CheckOptions::from_config(&config),
    )
    .unwrap()
}

fn build_acme() -> Output {
    render(
        &check_acme(),
        &BuildOptions {
            tool_version: "test".into(),
        },
    )
}

#[test]
fn catalog_json_validates_against_its_schema() {
    let output = build_acme();
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog-schema/catalog.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&catalog)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "catalog.json does not match its schema:\n{}",
        errors.join("\n")
    );
    // A real catalog, not an empty document that trivially validates.
    assert_eq!(catalog["summary"]["entities"], 79);
    assert_eq!(catalog["summary"]["errors"], 0);
}

#[test]
fn catalog_json_carries_relations_both_ways_and_api_summaries() {
    let output = build_acme();
    let catalog: serde_json::Value = serde_json::from_slice(&output.files["catalog.json"]).unwrap();
    let entities = catalog["entities"].as_array().unwrap();
    let find = |r: &str| {
        entities
            .iter()
            .find(|e| e["ref"] == r)
            .unwrap_or_else(|| panic!("{r} missing"))
    };
    let orders = find("component:default/orders-service");
    let provides: Vec<&str> = orders["relations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "providesApi")
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(!provides.is_empty(), "{orders}");
    let api = find(provides[0]);
    assert!(
        api["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "apiProvidedBy"
                && r["target"] == "component:default/orders-service")
    );
    assert!(
        api["spec"].get("definition").is_none(),
        "definitions are served as bundles"
    );
    let bundle = api["api"]["bundle"]["json"].as_str().unwrap();
    let bundled: serde_json::Value = serde_json::from_slice(&output.files[bundle]).unwrap();
    assert_eq!(bundled["info"]["title"], api["api"]["title"]);
    assert!(
        output
            .files
            .contains_key(api["api"]["bundle"]["yaml"].as_str().unwrap())
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let first = build_acme();
    let second = build_acme();
    assert_eq!(
        first.files.keys().collect::<Vec<_>>(),
        second.files.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first.files {
        assert!(
            second.files[path] == *bytes,
            "{path} differs between two builds"
        );
    }
}
