//! One fixture pair per rule (`tests/fixtures/<CODE>/{bad,good}.yaml`):
//! each is loaded and bundled as `portolan check` does, then linted with
//! every rule on. In `bad.yaml`, each line that must hold a finding of the
//! code ends with the comment `# <CODE>`; the test compares the lines the
//! rule reports with the lines marked, so a finding at the wrong place
//! fails as surely as a missing one. `good.yaml` must give none.

use std::collections::BTreeSet;
use std::path::PathBuf;

use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition};
use portolan_core::Diagnostic;
use portolan_core::files::SourceFile;
use portolan_core::source::MemorySource;
use portolan_lint::{Settings, all_rules, lint};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(files: &[(&str, &str)]) -> ApiDefinition {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes().to_vec());
    }
    check_definition(
        &source,
        RootDocument::File(files[0].0),
        LoadLimits::default(),
    )
}

/// Lint findings of a definition made of `files` (the first is the root).
fn lint_files(files: &[(&str, &str)], settings: &Settings) -> Vec<Diagnostic> {
    let definition = load(files);
    let (set, bundled) = definition
        .spec
        .as_ref()
        .expect("an OpenAPI/AsyncAPI document");
    lint(set, bundled, settings)
}

/// 1-based line of each finding of `code`.
fn lines_of(findings: &[Diagnostic], code: &str, text: &str) -> BTreeSet<usize> {
    let file = SourceFile::new("x".to_string(), text.to_string());
    findings
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            file.lines
                .line_of(d.span.expect("a finding with a place").start)
                + 1
        })
        .collect()
}

/// The fixture files of one rule whose names start with `prefix`
/// (`bad.yaml`, `bad-asyncapi.yaml`, ...), sorted.
fn fixture_files(code: &str, prefix: &str) -> Vec<(String, String)> {
    let dir = fixtures().join(code);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("no fixtures at tests/fixtures/{code}"))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".yaml")
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no tests/fixtures/{code}/{prefix}*.yaml");
    files
}

#[test]
fn every_rule_has_a_fixture_pair_that_it_tells_apart() {
    let settings = Settings::all();
    for rule in all_rules() {
        let code = rule.code.code;
        for (name, bad) in fixture_files(code, "bad") {
            let marked: BTreeSet<usize> = bad
                .lines()
                .enumerate()
                .filter(|(_, line)| line.trim_end().ends_with(&format!("# {code}")))
                .map(|(i, _)| i + 1)
                .collect();
            assert!(!marked.is_empty(), "{code}/{name} marks no line");
            let path = format!("api/{name}");
            let findings = lint_files(&[(&path, &bad)], &settings);
            for d in &findings {
                assert_eq!(d.file.as_deref(), Some(path.as_str()), "{d:?}");
            }
            assert_eq!(
                lines_of(&findings, code, &bad),
                marked,
                "{code}/{name}: lines reported (left) and marked (right); findings: {:#?}",
                findings
                    .iter()
                    .filter(|d| d.code == code)
                    .collect::<Vec<_>>()
            );
        }
        for (name, good) in fixture_files(code, "good") {
            let findings = lint_files(&[("api/good.yaml", &good)], &settings);
            let wrong: Vec<&Diagnostic> = findings.iter().filter(|d| d.code == code).collect();
            assert!(wrong.is_empty(), "{code}/{name}: {wrong:#?}");
        }
    }
}

/// A finding in a schema pulled in from another file points into that
/// file, not into the bundle.
#[test]
fn findings_point_into_the_file_that_holds_the_node() {
    let root = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/pet.yaml'}\n";
    let pet = "type: object\nproperties:\n  size:\n    type: integer\n    enum: [1, '2']\n  tags: {type: array}\n";
    let findings = lint_files(
        &[("api/openapi.yaml", root), ("api/schemas/pet.yaml", pet)],
        &Settings::all(),
    );
    let enum_finding = findings.iter().find(|d| d.code == "L017").expect("L017");
    assert_eq!(enum_finding.file.as_deref(), Some("api/schemas/pet.yaml"));
    assert_eq!(lines_of(&findings, "L017", pet), BTreeSet::from([5]));
    let items = findings.iter().find(|d| d.code == "L020").expect("L020");
    assert_eq!(items.file.as_deref(), Some("api/schemas/pet.yaml"));
    assert_eq!(lines_of(&findings, "L020", pet), BTreeSet::from([6]));
}

/// The test: examples that are valid once readOnly/writeOnly,
/// nullable (3.0) and type arrays (3.1) are read as OpenAPI means them
/// give no finding, in every direction.
#[test]
fn valid_examples_with_read_write_only_and_nullable_pass() {
    let v30 = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users:
    post:
      parameters:
        - name: since
          in: query
          schema: {type: string, nullable: true}
          example: null
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/User'}
            examples:
              new: {value: {name: Ann, password: hunter2, manager: null}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
              examples:
                made: {value: {id: 7, name: Ann, createdAt: '2026-01-01', manager: null}}
components:
  schemas:
    User:
      type: object
      required: [id, name, password, createdAt]
      properties:
        id: {type: integer, readOnly: true}
        createdAt: {type: string, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
        manager:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Ref'}]
      example: {name: Ann}
    Ref: {type: object, properties: {id: {type: integer}}}
";
    let v31 = "openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: {type: [string, 'null']}
        tags: {type: array, items: {type: string}, examples: [[a, b]]}
      examples:
        - {text: null}
        - {text: hello, tags: []}
";
    for text in [v30, v31] {
        let findings = lint_files(&[("api/openapi.yaml", text)], &Settings::all());
        let examples: Vec<&Diagnostic> = findings.iter().filter(|d| d.code == "L024").collect();
        assert!(examples.is_empty(), "{examples:#?}");
    }
    // The same examples in the wrong direction are findings: a response
    // must carry the readOnly `id`, a request the writeOnly `password`.
    let swapped = v30
        .replace(
            "{name: Ann, password: hunter2, manager: null}",
            "{name: Ann, manager: null}",
        )
        .replace(
            "{id: 7, name: Ann, createdAt: '2026-01-01', manager: null}",
            "{name: Ann, manager: null}",
        );
    let findings = lint_files(&[("api/openapi.yaml", &swapped)], &Settings::all());
    let messages: Vec<&str> = findings
        .iter()
        .filter(|d| d.code == "L024")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        vec![
            "example does not match its schema: required property `password` is missing",
            "example does not match its schema: required property `id` is missing",
        ]
    );
}

/// Settings decide what runs and at which level; `off` rules report
/// nothing.
#[test]
fn settings_select_rules_and_levels() {
    let text = std::fs::read_to_string(fixtures().join("L005/bad.yaml")).unwrap();
    let config = portolan_core::config::Config::parse(
        "portolan.toml",
        "[lint]\nextends = [\"off\"]\n[lint.rules]\noperation-operationId = \"error\"\n",
    )
    .unwrap();
    let settings = Settings::new(&config.lint);
    let findings = lint_files(&[("api/bad.yaml", &text)], &settings);
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|d| d.code == "L005"));
    assert!(
        findings
            .iter()
            .all(|d| d.severity == portolan_core::Severity::Error)
    );
    let config = portolan_core::config::Config::parse(
        "portolan.toml",
        "[lint]\nextends = [\"off\"]\n[lint.rules]\nL005 = \"error\"\n[[lint.overrides]]\nfiles = [\"api/**\"]\nrules = { L005 = \"off\" }\n",
    )
    .unwrap();
    let findings = lint_files(&[("api/bad.yaml", &text)], &Settings::new(&config.lint));
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Deep and wide hostile shapes finish without a panic, in time that
/// grows with the input.
#[test]
fn hostile_shapes_do_not_panic() {
    // Nested anyOf whose every branch fails: exponential without a budget.
    let mut schema = "{type: string}".to_string();
    for _ in 0..40 {
        schema = format!("{{anyOf: [{schema}, {schema}]}}");
        if schema.len() > 200_000 {
            break;
        }
    }
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A: {{allOf: [{schema}], example: 1}}\n    B: {{$ref: '#/components/schemas/B'}}\n    C: {{type: object, properties: {{c: {{$ref: '#/components/schemas/C'}}}}, example: {{c: {{c: {{c: 1}}}}}}}}\n"
    );
    let findings = lint_files(&[("api/openapi.yaml", &text)], &Settings::all());
    assert!(findings.iter().any(|d| d.code == "L019"));
}
