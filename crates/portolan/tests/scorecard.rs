//! `portolan scorecard` and the scorecard findings of `portolan check`,
//! end to end: stdout, stderr and exit status on a catalog in a temp
//! directory.

use std::path::Path;
use std::process::Command;

struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

fn write(root: &Path, path: &str, content: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, content).unwrap();
}

fn run(root: &Path, args: &[&str]) -> Output {
    run_env(root, args, &[])
}

fn run_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .env_remove("NO_COLOR")
        .env("CI", "true")
        .output()
        .unwrap();
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ann
spec:
  memberOf: [team-a]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  description: Takes orders.
  links:
    - url: https://runbooks.example/orders
      type: runbook
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: carts
spec:
  type: service
  lifecycle: production
  owner: team-a
";

const READINESS: &str = "name: Readiness
selector: { kind: Component }
levels: [Bronze, Silver]
rules:
  - id: described
    level: Bronze
    fact: description.length
    op: gt
    value: 0
  - id: runbook
    level: Silver
    fact: links.runbook
    value: true
waivers:
  - entity: carts
    rule: described
    reason: written this sprint
    expires: 2099-03-01
";

fn catalog(gate_level: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "catalog-info.yaml", CATALOG);
    write(dir.path(), "scorecards/readiness.yaml", READINESS);
    write(
        dir.path(),
        "portolan.toml",
        &format!(
            "[[scorecards.gates]]\nscorecard = \"readiness\"\nlevel = \"{gate_level}\"\nmatch = {{ lifecycle = \"production\" }}\n"
        ),
    );
    dir
}

#[test]
fn scorecard_prints_levels_in_every_format() {
    let dir = catalog("Bronze");
    let root = dir.path();
    let out = run(root, &["scorecard", "--today", "2099-02-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Readiness (readiness): 2 entities
  component:default/orders  Silver        2 pass
  component:default/carts   Bronze        1 fail, 1 exempt
      exempt         described [Bronze]: waived until 2099-03-01: written this sprint
      fail           runbook [Silver]: `links.runbook` is false, expected eq true
  levels: none 0, Bronze 1, Silver 1

"
    );
    let json = run(
        root,
        &[
            "scorecard",
            "readiness",
            "--format",
            "json",
            "--today",
            "2099-02-01",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let entities = &value["scorecards"][0]["entities"];
    assert_eq!(entities[0]["entity"], "component:default/orders");
    assert_eq!(entities[0]["level"], "Silver");
    assert_eq!(entities[1]["level"], "Bronze");
    assert_eq!(entities[1]["rules"][0]["state"], "exempt");
    assert_eq!(entities[1]["rules"][1]["state"], "fail");
    assert_eq!(entities[1]["rules"][1]["value"], false);

    let csv = run(
        root,
        &["scorecard", "--format", "csv", "--today", "2099-02-01"],
    );
    assert!(
        csv.stdout.contains("readiness,component:default/carts,Bronze,described,Bronze,exempt,0,waived until 2099-03-01: written this sprint\n"),
        "{}",
        csv.stdout
    );
    let markdown = run(
        root,
        &["scorecard", "--format", "markdown", "--today", "2099-02-01"],
    );
    assert!(
        markdown
            .stdout
            .contains("| `component:default/carts` | Bronze | `runbook` (fail) |"),
        "{}",
        markdown.stdout
    );

    // After the waiver: carts reaches no level.
    let later = run(
        root,
        &["scorecard", "--format", "json", "--today", "2099-03-02"],
    );
    let value: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    assert_eq!(
        value["scorecards"][0]["entities"][1]["level"],
        serde_json::Value::Null
    );

    // --group: only team-a's entities (all of them here); another group
    // owns nothing.
    let none = run(
        root,
        &[
            "scorecard",
            "--group",
            "group:default/other",
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&none.stdout).unwrap();
    assert_eq!(value["scorecards"][0]["entities"], serde_json::json!([]));

    let unknown = run(root, &["scorecard", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("no scorecard is named `nope` (scorecards: readiness)"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn check_reports_gates_and_honours_fail_on() {
    let dir = catalog("Silver");
    let root = dir.path();
    let out = run(root, &["check", "--format", "concise"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("catalog-info.yaml:32:3: error[S002] component:default/carts is at Bronze of scorecard `readiness`, below the required Silver: `runbook` (fail)"),
        "{}",
        out.stdout
    );
    assert_eq!(run(root, &["check", "--fail-on", "never"]).code, 0);
    // At Bronze, carts passes the gate (its description is waived).
    let dir = catalog("Bronze");
    assert_eq!(run(dir.path(), &["check"]).code, 0);

    let explain = run(root, &["check", "--explain", "S002"]);
    assert_eq!(explain.code, 0);
    assert!(
        explain.stdout.starts_with("S002 (scorecard-gate)"),
        "{}",
        explain.stdout
    );
}

/// SOURCE_DATE_EPOCH fixes the day `check` and `build` compare waivers
/// with: the same files give the same result whatever the clock says.
#[test]
fn source_date_epoch_fixes_the_day() {
    let dir = catalog("Bronze");
    let root = dir.path();
    // 2099-02-01: the waiver of carts' description still holds.
    let before = run_env(root, &["check"], &[("SOURCE_DATE_EPOCH", "4073587200")]);
    assert_eq!(before.code, 0, "{}\n{}", before.stdout, before.stderr);
    // 2099-03-02: it expired, so carts falls below the Bronze gate.
    let after = run_env(
        root,
        &["check", "--format", "concise"],
        &[("SOURCE_DATE_EPOCH", "4076092800")],
    );
    assert_eq!(after.code, 1, "{}\n{}", after.stdout, after.stderr);
    assert!(
        after.stdout.contains("error[S002] component:default/carts"),
        "{}",
        after.stdout
    );
    // The scorecard command takes the same day (its --today overrides it).
    let json = run_env(
        root,
        &["scorecard", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", "4076092800")],
    );
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["scorecards"][0]["entities"][1]["level"],
        serde_json::Value::Null
    );
    // A value that is not a number of seconds stops every command.
    let bad = run_env(root, &["check"], &[("SOURCE_DATE_EPOCH", "yesterday")]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("SOURCE_DATE_EPOCH=\"yesterday\" is not a number"),
        "{}",
        bad.stderr
    );
}

#[test]
fn invalid_scorecard_files_are_reported_by_check_and_scorecard() {
    let dir = catalog("Bronze");
    let root = dir.path();
    write(
        root,
        "scorecards/readiness.yaml",
        "name: Readiness\nlevels: [Bronze]\nrules:\n  - id: x\n    level: Gold\n    fact: ci\n",
    );
    let out = run(root, &["check", "--format", "concise"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("scorecards/readiness.yaml:5:12: error[S001] level `Gold` is not one of the scorecard's levels (Bronze)"), "{}", out.stdout);
    // Named on the command line (a pre-commit hook), it is checked as a
    // scorecard, not read as a descriptor.
    let named = run(
        root,
        &["check", "--format", "concise", "scorecards/readiness.yaml"],
    );
    assert_eq!(named.code, 1);
    assert!(named.stdout.contains("error[S001]"), "{}", named.stdout);
    assert!(!named.stdout.contains("Y007"), "{}", named.stdout);
    let scorecard = run(root, &["scorecard", "readiness"]);
    assert_eq!(scorecard.code, 1);
    assert_eq!(scorecard.stdout, "");
    assert!(scorecard.stderr.contains("S001"), "{}", scorecard.stderr);

    // A gate naming a level or a scorecard that does not exist points at
    // the value in portolan.toml.
    let dir = catalog("Platinum");
    let out = run(dir.path(), &["check", "--format", "concise"]);
    assert!(
        out.stdout.contains("portolan.toml:3:9: error[S001] a `[[scorecards.gates]]` entry requires level `Platinum` of scorecard `readiness`, which has only Bronze, Silver"),
        "{}",
        out.stdout
    );
    write(
        dir.path(),
        "portolan.toml",
        "[[scorecards.gates]]\nscorecard = \"nope\"\nlevel = \"Bronze\"\n",
    );
    let out = run(dir.path(), &["check", "--format", "concise"]);
    assert!(
        out.stdout.contains("portolan.toml:2:13: error[S001] a `[[scorecards.gates]]` entry names the scorecard `nope`"),
        "{}",
        out.stdout
    );
}

#[test]
fn list_facts_names_every_fact() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["scorecard", "--list-facts", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let facts: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(facts.len(), portolan_scorecard::FACTS.len());
    assert!(
        facts
            .iter()
            .any(|f| f["name"] == "git.days_since_change" && f["type"] == "number")
    );
    let text = run(dir.path(), &["scorecard", "--list-facts"]);
    assert!(
        text.stdout
            .lines()
            .any(|l| l.starts_with("owner.group_with_members  bool")),
        "{}",
        text.stdout
    );
}

#[test]
fn build_puts_facts_and_levels_in_catalog_json() {
    let dir = catalog("Bronze");
    let root = dir.path();
    let out = run(root, &["build", "--out", "site", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("site/catalog.json")).unwrap())
            .unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog-schema/catalog.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let orders = json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "orders")
        .unwrap();
    assert_eq!(orders["facts"]["links.runbook"], true);
    assert_eq!(orders["facts"]["owner"], "group:default/team-a");
    assert_eq!(orders["scorecards"]["readiness"]["level"], "Silver");
    assert_eq!(
        orders["scorecards"]["readiness"]["rules"]["runbook"]["state"],
        "pass"
    );
    assert_eq!(
        json["scorecards"][0]["histogram"],
        serde_json::json!([
            {"level": "none", "entities": 0},
            {"level": "Bronze", "entities": 1},
            {"level": "Silver", "entities": 1}
        ])
    );
    // A gate failure stops the build, as it fails check.
    let dir = catalog("Silver");
    let out = run(dir.path(), &["build", "--out", "site", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("S002"), "{}", out.stderr);
}

/// Commit the work tree of `repo` at `time` (Unix seconds).
fn commit_all(repo: &git2::Repository, time: i64, message: &str) {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let signature =
        git2::Signature::new("Ann", "ann@example.com", &git2::Time::new(time, 0)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        parent.as_ref().into_iter().collect::<Vec<_>>().as_slice(),
    )
    .unwrap();
}

const TREND_TEAM: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
  members: [ann]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ann
spec:
  memberOf: [team-a]
";

fn trend_component(name: &str, description: bool, runbook: bool) -> String {
    let mut text = format!(
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
    );
    if description {
        text.push_str("  description: Takes orders.\n");
    }
    if runbook {
        text.push_str(
            "  links:\n    - url: https://runbooks.example/orders\n      type: runbook\n",
        );
    }
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n");
    text
}

/// The trend on a repository whose catalog got better week by week: each
/// sampled revision is scored from git (no checkout) with today's
/// scorecard, the result is cached in the published `trend.json`, and a
/// rebuild reuses it until the scorecard changes.
#[test]
fn build_draws_the_trend_from_past_revisions_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let repo = git2::Repository::init(root).unwrap();
    // Monday 2024-06-03 00:00 UTC.
    let monday = 1_717_372_800;
    let day = 86_400;
    let week = 7 * day;
    write(root, "portolan.toml", "[scorecards]\ntrend_samples = 5\n");
    write(root, ".gitignore", "site/\n");
    write(
        root,
        "scorecards/readiness.yaml",
        "name: Readiness\nselector: { kind: Component }\nlevels: [Bronze, Silver]\nrules:\n  - id: described\n    level: Bronze\n    fact: description.length\n    op: gt\n    value: 0\n  - id: runbook\n    level: Silver\n    fact: links.runbook\n    value: true\n",
    );
    let catalog = |parts: &[String]| format!("{TREND_TEAM}{}", parts.concat());
    // Three weeks back, a Tuesday: an undescribed service (no level).
    write(
        root,
        "catalog-info.yaml",
        &catalog(&[trend_component("orders", false, false)]),
    );
    commit_all(&repo, monday - 3 * week + day, "orders");
    write(
        root,
        "catalog-info.yaml",
        &catalog(&[trend_component("orders", true, false)]),
    );
    commit_all(&repo, monday - 2 * week + day, "describe orders");
    write(
        root,
        "catalog-info.yaml",
        &catalog(&[trend_component("orders", true, true)]),
    );
    commit_all(&repo, monday - week + day, "orders' runbook");
    // HEAD, a Tuesday: a second, undescribed service.
    write(
        root,
        "catalog-info.yaml",
        &catalog(&[
            trend_component("orders", true, true),
            trend_component("carts", false, false),
        ]),
    );
    commit_all(&repo, monday + day, "carts");

    let out = run(root, &["build", "--out", "site", "-v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Four boundaries before HEAD's week; the oldest precedes the first
    // commit, so three revisions are scored.
    assert!(
        out.stderr
            .contains("scorecard trends: 3 revisions scored, 0 reused"),
        "{}",
        out.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("site/catalog.json")).unwrap())
            .unwrap();
    let trend: Vec<(String, Vec<u64>)> = json["scorecards"][0]["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| {
            (
                point["date"].as_str().unwrap().to_string(),
                point["histogram"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["entities"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        trend,
        vec![
            ("2024-05-20".to_string(), vec![1, 0, 0]),
            ("2024-05-27".to_string(), vec![0, 1, 0]),
            ("2024-06-03".to_string(), vec![0, 0, 1]),
            ("2024-06-04".to_string(), vec![1, 0, 1]),
        ]
    );
    // The same in the schema catalog.json follows.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog-schema/catalog.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The page draws it and lists it as a table.
    let page = std::fs::read_to_string(root.join("site/scorecards/readiness/index.html")).unwrap();
    assert!(page.contains("<svg class=\"trend\""), "no trend chart");
    for date in ["2024-05-20", "2024-05-27", "2024-06-03", "2024-06-04"] {
        assert!(
            page.contains(&format!("<time datetime=\"{date}\">")),
            "{date}"
        );
    }
    let published = std::fs::read(root.join("site/scorecards/trend.json")).unwrap();

    // A rebuild scores nothing again and publishes the same bytes.
    let out = run(root, &["build", "--out", "site", "-v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("scorecard trends: 0 revisions scored, 3 reused"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(root.join("site/scorecards/trend.json")).unwrap(),
        published
    );
    assert_eq!(
        std::fs::read_to_string(root.join("site/scorecards/readiness/index.html")).unwrap(),
        page
    );

    // Another scorecard (here: without the runbook rule, edited in the
    // work tree) scores every revision again, by its own rules.
    write(
        root,
        "scorecards/readiness.yaml",
        "name: Readiness\nselector: { kind: Component }\nlevels: [Bronze]\nrules:\n  - id: described\n    level: Bronze\n    fact: description.length\n    op: gt\n    value: 0\n",
    );
    let out = run(root, &["build", "--out", "site", "-v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("scorecard trends: 3 revisions scored, 0 reused"),
        "{}",
        out.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("site/catalog.json")).unwrap())
            .unwrap();
    let counts: Vec<&serde_json::Value> = json["scorecards"][0]["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["histogram"][1]["entities"])
        .collect();
    assert_eq!(
        counts,
        [
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ]
    );
}
