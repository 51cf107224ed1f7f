//! Spectral rulesets read by `check`: `extends`, severities by Spectral's
//! rule names, `overrides` by glob, custom rules with core functions, in
//! YAML and JSON, and what cannot run reported once each.

use portolan_check::{CheckOptions, check, policy};
use portolan_core::source::MemorySource;

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders-api
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./apis/orders.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: legacy-api
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./legacy/api.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: service
  lifecycle: production
  owner: team-a
  providesApis: [orders-api, legacy-api]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

fn spec(operation_id: &str) -> String {
    format!(
        "openapi: 3.0.3
info:
  title: Orders
  version: '1'
  description: Orders.
  contact: {{name: Team}}
  license: {{name: MIT}}
servers: [{{url: 'http://api.example.com'}}]
tags:
  - name: orders
    description: Orders.
paths:
  /orders:
    get:
      operationId: {operation_id}
      summary: List orders
      description: Every order.
      tags: [orders]
      responses:
        '200': {{description: ok}}
        '400': {{description: bad}}
"
    )
}

/// Check the catalog with `ruleset` at `path`; the findings as
/// `file:line code message`.
fn run(path: &str, ruleset: &str, toml: &str) -> Vec<String> {
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", CATALOG)
        .with_file("apis/orders.yaml", spec("List_Orders"))
        .with_file("legacy/api.yaml", spec("legacy orders"))
        .with_file(path, ruleset)
        .with_file("portolan.toml", toml);
    let (config, policies) = policy::configuration_in(&source).unwrap();
    let checked = check(
        &source,
        &config,
        &policies,
        &CheckOptions::from_config(&config),
    )
    .unwrap();
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let line = d
                .span
                .and_then(|s| {
                    let file = checked.catalog.files.get(d.file.as_deref()?)?;
                    Some(file.line_col(s.start).line)
                })
                .unwrap_or(0);
            format!(
                "{}:{line} {} {:?} {}",
                d.file.as_deref().unwrap_or(""),
                d.code,
                d.severity,
                d.message
            )
        })
        .collect()
}

const RULESET: &str = "extends: [[spectral:oas, off]]
rules:
  # Spectral's names for portolan's rules.
  operation-operationId-url-safe: error
  oas3-api-servers: warn
  # A custom rule: operation ids in camelCase.
  operation-id-camel:
    description: Operation ids are camelCase.
    message: '{{property}} `{{value}}` is not camelCase'
    severity: error
    given: $.paths[*][get,put,post,delete,patch]
    then:
      field: operationId
      function: casing
      functionOptions: { type: camel }
  https-only:
    given: $.servers[*].url
    severity: warn
    then:
      function: pattern
      functionOptions: { match: '/^https:/i' }
  # Needs JavaScript: reported, not run.
  with-js:
    given: $.info
    then: { function: ensureSomething }
overrides:
  - files: ['legacy/**']
    rules:
      https-only: off
";

#[test]
fn a_yaml_ruleset_applies_extends_severities_custom_rules_and_overrides() {
    assert_eq!(
        run(".spectral.yaml", RULESET, ""),
        [
            ".spectral.yaml:25 U002 Warning the rule `with-js` is not run: it uses the function `ensureSomething` (only Spectral's core functions run without JavaScript)",
            "apis/orders.yaml:8 U001 Warning https-only: `url` `http://api.example.com` does not match `^https:`",
            "apis/orders.yaml:15 U001 Error operation-id-camel: operationId `List_Orders` is not camelCase",
            // Spectral's `operation-operationId-url-safe` is portolan's
            // L006, at the ruleset's level.
            "legacy/api.yaml:15 L006 Error operationId `legacy orders` of `GET /orders` holds ` `, which is not URL-safe",
            // `https-only` is off for legacy/** (the override).
            "legacy/api.yaml:15 U001 Error operation-id-camel: operationId `legacy orders` is not camelCase",
        ]
    );
}

/// An override may name a node of a file by JSON pointer (Spectral's
/// `file#/pointer`): it applies to the findings at or under that node
/// only.
#[test]
fn overrides_by_json_pointer_narrow_to_their_node() {
    let ruleset = format!(
        "{RULESET}  - files: ['apis/orders.yaml#/paths/~1orders/get']\n    rules:\n      operation-id-camel: off\n  - files: ['legacy/api.yaml#/paths/~1nowhere']\n    rules:\n      operation-operationId-url-safe: off\n"
    );
    assert_eq!(
        run(".spectral.yaml", &ruleset, ""),
        [
            ".spectral.yaml:25 U002 Warning the rule `with-js` is not run: it uses the function `ensureSomething` (only Spectral's core functions run without JavaScript)",
            "apis/orders.yaml:8 U001 Warning https-only: `url` `http://api.example.com` does not match `^https:`",
            // The camelCase rule is off under GET /orders of apis/orders.yaml
            // only; the other override names a node that holds nothing.
            "legacy/api.yaml:15 L006 Error operationId `legacy orders` of `GET /orders` holds ` `, which is not URL-safe",
            "legacy/api.yaml:15 U001 Error operation-id-camel: operationId `legacy orders` is not camelCase",
        ]
    );
}

/// The same rules as JSON, at the path `[lint] ruleset` names; portolan.toml
/// wins over the ruleset for the rules both set.
#[test]
fn a_json_ruleset_named_in_portolan_toml_under_its_settings() {
    let json = r#"{
  "extends": [["spectral:oas", "off"]],
  "rules": {
    "operation-operationId-url-safe": "error",
    "operation-id-camel": {
      "severity": "warn",
      "given": "$.paths[*][get,put,post,delete,patch]",
      "then": {"field": "operationId", "function": "casing", "functionOptions": {"type": "camel"}}
    }
  }
}"#;
    let found = run(
        "lint/rules.json",
        json,
        "[lint]\nruleset = \"lint/rules.json\"\n[lint.rules]\nL006 = \"info\"\n",
    );
    assert_eq!(
        found,
        [
            // Without a `message`, the function says what is wrong.
            "apis/orders.yaml:15 U001 Warning operation-id-camel: `operationId` `List_Orders` is not camel case",
            "legacy/api.yaml:15 L006 Info operationId `legacy orders` of `GET /orders` holds ` `, which is not URL-safe",
            "legacy/api.yaml:15 U001 Warning operation-id-camel: `operationId` `legacy orders` is not camel case",
        ]
    );
    // A ruleset portolan.toml names that is not there is an error.
    let missing = run(
        "elsewhere.json",
        "{}",
        "[lint]\nruleset = \"lint/rules.json\"\n",
    );
    assert!(
        missing
            .iter()
            .any(|f| f.starts_with("portolan.toml:0 U003 Error the ruleset `lint/rules.json`")),
        "{missing:#?}"
    );
}

/// `spectral:oas` alone means its recommended rules: portolan's
/// `recommended` preset; what cannot be read is reported where it is.
#[test]
fn extends_maps_to_presets_and_problems_point_at_their_place() {
    let found = run(
        ".spectral.yml",
        "extends:\n  - spectral:oas\n  - https://example.com/ruleset.yaml\nrules:\n  operation-description: loud\n  nothing-like-this: warn\n  filtered:\n    given: \"$.paths[*][?(@property === 'get')]\"\n    then: {function: truthy}\n",
        "",
    );
    assert_eq!(
        found,
        [
            ".spectral.yml:3 U002 Warning `extends: https://example.com/ruleset.yaml` is not read: portolan reads the rules of this file and `spectral:oas`/`spectral:asyncapi`, and fetches no ruleset",
            ".spectral.yml:5 U003 Error `loud` is not a severity (error, warn, info, hint or off)",
            ".spectral.yml:6 U002 Warning the rule `nothing-like-this` is not one portolan has (`portolan check --explain all` lists them); it is not run",
            ".spectral.yml:8 U002 Warning the rule `filtered` is not run: `$.paths[*][?(@property === 'get')]` uses `@property`, which needs JSONPath-Plus's JavaScript",
            // Spectral's recommended `license-url`.
            "apis/orders.yaml:7 L036 Info `info.license` has no `url`",
            "legacy/api.yaml:7 L036 Info `info.license` has no `url`",
            // The recommended preset's L028 (https servers) is in the
            // security family, not recommended: only presence checks.
            "legacy/api.yaml:15 L006 Warning operationId `legacy orders` of `GET /orders` holds ` `, which is not URL-safe",
        ]
    );
}

/// `x-lint-ignore` names custom rules too.
#[test]
fn custom_rules_can_be_ignored_in_the_definition() {
    let source = MemorySource::new()
        .with_file("catalog-info.yaml", CATALOG)
        .with_file(
            "apis/orders.yaml",
            spec("List_Orders").replace(
                "      operationId: List_Orders\n",
                "      operationId: List_Orders\n      x-lint-ignore: {operation-id-camel: generated}\n",
            ),
        )
        .with_file("legacy/api.yaml", spec("legacyOrders"))
        .with_file(".spectral.yaml", RULESET);
    let (config, policies) = policy::configuration_in(&source).unwrap();
    let checked = check(
        &source,
        &config,
        &policies,
        &CheckOptions::from_config(&config),
    )
    .unwrap();
    let custom: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("operation-id-camel"))
        .map(|d| d.message.as_str())
        .collect();
    assert!(custom.is_empty(), "{custom:?}");
    assert!(
        !checked.diagnostics.iter().any(|d| d.code == "A016"),
        "a custom rule's name is not unknown"
    );
}
