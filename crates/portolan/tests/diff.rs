//! `portolan diff` end to end: a temporary git repository with a small
//! catalog (an API whose definition `$ref`s a second file, a component that
//! consumes it, one that provides it), revisions committed through git2,
//! and the command run as CI runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Repo {
    dir: tempfile::TempDir,
    repo: git2::Repository,
    time: i64,
}

struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

const GROUPS: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments-team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: storefront}
spec: {type: team, children: []}
";

const API: &str = "apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments}
spec:
  type: openapi
  lifecycle: production
  owner: payments-team
  definition: {$text: ./openapi.yaml}
";

const COMPONENTS: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout-service}
spec: {type: service, lifecycle: production, owner: storefront, consumesApis: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-service}
spec: {type: service, lifecycle: production, owner: payments-team, providesApis: [payments]}
";

const OPENAPI: &str = "openapi: 3.0.3
info: {title: Payments, version: 1.0.0}
paths:
  /payments/{id}:
    get:
      operationId: getPayment
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The payment.
          content:
            application/json:
              schema: {$ref: './schemas.yaml#/Payment'}
";

const SCHEMAS: &str = "Payment:
  type: object
  required: [id, charges]
  properties:
    id: {type: string}
    charges:
      type: array
      items: {type: string}
";

impl Repo {
    /// The catalog above, committed once.
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut r = Repo {
            dir,
            repo,
            time: 1_700_000_000,
        };
        r.write(
            "catalog-info.yaml",
            &format!("{GROUPS}---\n{API}---\n{COMPONENTS}"),
        );
        r.write("openapi.yaml", OPENAPI);
        r.write("schemas.yaml", SCHEMAS);
        r.commit("base");
        r
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    fn edit(&self, path: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.root().join(path)).unwrap();
        assert!(text.contains(from), "{path} has no {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    /// Commit the work tree; the commit's id.
    fn commit(&mut self, message: &str) -> String {
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"].iter(), None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        self.time += 60;
        let sig = git2::Signature::new("Test", "test@example.com", &git2::Time::new(self.time, 0))
            .unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
            .to_string()
    }

    fn diff(&self, args: &[&str]) -> Output {
        run_in(self.root(), args)
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    // A fixed date, so sunset dates and expiries do not depend on the clock.
    let mut full = vec!["diff"];
    if !args.contains(&"--today") {
        full.extend(["--today", "2026-06-01"]);
    }
    full.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(&full)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Output {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

/// (code, level, file:line) of every change of the one API in a JSON report.
fn changes(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["apis"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|api| api["changes"].as_array().unwrap().iter())
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                c["level"].as_str().unwrap().to_string(),
                format!("{}:{}", c["file"].as_str().unwrap_or("-"), c["line"]),
            )
        })
        .collect()
}

#[test]
fn a_change_in_a_referenced_file_is_breaking_and_names_its_consumers() {
    let mut r = Repo::new();
    // Only the `$ref`'d file changes: `charges` is removed.
    r.write(
        "schemas.yaml",
        "Payment:\n  type: object\n  required: [id]\n  properties:\n    id: {type: string}\n",
    );
    let head = r.commit("drop charges");
    let out = r.diff(&["--base", "HEAD~1", "--head", &head, "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out);
    assert_eq!(
        changes(&report),
        [(
            "C036".to_string(),
            "breaking".to_string(),
            "schemas.yaml:4".to_string()
        )],
        "{report:#}"
    );
    let api = &report["apis"][0];
    assert_eq!(api["entity"], "api:default/payments");
    assert_eq!(api["owner"], "group:default/payments-team");
    assert_eq!(
        api["consumers"],
        serde_json::json!([{"entity": "component:default/checkout-service", "owner": "group:default/storefront"}])
    );
    let change = &api["changes"][0];
    assert_eq!(
        change["operations"],
        serde_json::json!(["GET /payments/{id}"])
    );
    assert!(
        change["message"]
            .as_str()
            .unwrap()
            .contains("`Payment.charges`"),
        "{change}"
    );
    // The base place is related, under the base's name.
    assert_eq!(change["related"][0]["file"], "HEAD~1:schemas.yaml");
    assert_eq!(change["related"][0]["line"], 6);
    // In the one-line formats, the consumers are in the message.
    let concise = r.diff(&["--base", "HEAD~1", "--format", "concise"]);
    assert_eq!(concise.code, 1);
    assert!(
        concise.stdout.starts_with("schemas.yaml:4:3: error[C036] required response property `Payment.charges` removed (GET /payments/{id}, 200); consumed by `checkout-service` (team storefront)"),
        "{}",
        concise.stdout
    );
    assert!(
        concise
            .stderr
            .contains("compared 1 API (HEAD~1 → the working tree): 1 breaking"),
        "{}",
        concise.stderr
    );
    // The annotation goes on the head file's line.
    let github = r.diff(&["--base", "HEAD~1", "--format", "github"]);
    assert!(
        github
            .stdout
            .starts_with("::error file=schemas.yaml,line=4,col=3,"),
        "{}",
        github.stdout
    );
    assert_eq!(r.diff(&["--base", "HEAD~1", "--fail-on", "never"]).code, 0);
}

#[test]
fn refactors_report_nothing_breaking() {
    let mut r = Repo::new();
    // Inline the referenced schema, rename the path variable, reorder keys,
    // edit the descriptions.
    r.write(
        "openapi.yaml",
        "openapi: 3.0.3
info: {version: 1.0.0, title: Payments API, description: Now documented.}
paths:
  /payments/{paymentId}:
    get:
      responses:
        '200':
          description: The payment, as stored.
          content:
            application/json:
              schema:
                type: object
                properties:
                  charges: {type: array, items: {type: string}}
                  id: {type: string}
                required: [id, charges]
      operationId: getPayment
      parameters:
        - {in: path, name: paymentId, required: true, schema: {type: string}}
",
    );
    r.commit("refactor");
    let out = r.diff(&["--base", "HEAD~1", "--head", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(changes(&json(&out)), []);
}

#[test]
fn the_working_tree_is_the_default_head_and_fingerprints_survive_moved_lines() {
    let r = Repo::new();
    r.edit("schemas.yaml", "required: [id, charges]", "required: [id]");
    let first = json(&r.diff(&["--base", "HEAD", "--format", "json"]));
    assert_eq!(
        changes(&first),
        [(
            "C038".to_string(),
            "breaking".to_string(),
            "schemas.yaml:6".to_string()
        )]
    );
    // The same change, two lines further down.
    r.write(
        "schemas.yaml",
        &format!(
            "# Shared schemas.\n# (moved)\n{}",
            SCHEMAS.replace("required: [id, charges]", "required: [id]")
        ),
    );
    let second = json(&r.diff(&["--base", "HEAD", "--format", "json"]));
    assert_eq!(second["apis"][0]["changes"][0]["line"], 8);
    let fingerprint =
        |report: &serde_json::Value| report["apis"][0]["changes"][0]["fingerprint"].clone();
    assert!(fingerprint(&first).is_string());
    assert_eq!(fingerprint(&first), fingerprint(&second));
    // SARIF carries it, and the base location as a related one.
    let sarif: serde_json::Value =
        serde_json::from_str(&r.diff(&["--base", "HEAD", "--format", "sarif"]).stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["partialFingerprints"]["portolan/v1"],
        fingerprint(&second)
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "HEAD:schemas.yaml"
    );
}

#[test]
fn catalog_changes_are_changes_too() {
    let mut r = Repo::new();
    let second_api = "apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: refunds}
spec: {type: openapi, lifecycle: production, owner: payments-team, definition: {$text: ./openapi.yaml}}
";
    r.write(
        "catalog-info.yaml",
        &format!("{GROUPS}---\n{API}---\n{COMPONENTS}---\n{second_api}"),
    );
    r.commit("refunds api");
    // Deprecate payments, hand it to another team, stop providing it;
    // remove refunds; add ledger.
    let api = API
        .replace("lifecycle: production", "lifecycle: deprecated")
        .replace("owner: payments-team", "owner: storefront");
    let components = COMPONENTS.replace(", providesApis: [payments]", "");
    let ledger = second_api.replace("refunds", "ledger");
    r.write(
        "catalog-info.yaml",
        &format!("{GROUPS}---\n{api}---\n{components}---\n{ledger}"),
    );
    let out = r.diff(&["--base", "HEAD", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report = json(&out);
    let by_api: Vec<(String, String, Vec<String>)> = report["apis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["entity"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
                a["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}",
                            c["code"].as_str().unwrap(),
                            c["level"].as_str().unwrap()
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let expected = |entity: &str, status: &str, codes: &[&str]| {
        (
            entity.to_string(),
            status.to_string(),
            codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        by_api,
        [
            expected("api:default/ledger", "added", &["C051 info"]),
            expected(
                "api:default/payments",
                "compared",
                &["C052 warning", "C053 info", "C054 warning"]
            ),
            expected("api:default/refunds", "removed", &["C050 breaking"]),
        ],
        "{report:#}"
    );
    // Only the APIs named.
    let one = json(&r.diff(&["--base", "HEAD", "--format", "json", "ledger"]));
    assert_eq!(one["apis"].as_array().unwrap().len(), 1);
    let unknown = r.diff(&["--base", "HEAD", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("no API entity api:default/nope in either revision"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn rules_in_portolan_toml_set_levels_and_ignore_until_they_expire() {
    let r = Repo::new();
    r.edit("schemas.yaml", "required: [id, charges]", "required: [id]");
    r.write(
        "portolan.toml",
        "[[diff.rules]]
code = \"response-property-became-optional\"
api = \"payments\"
level = \"off\"
reason = \"no client reads charges yet (PAY-12)\"
expires = \"2026-06-30\"
",
    );
    let before = r.diff(&["--base", "HEAD", "--format", "json"]);
    assert_eq!(before.code, 0, "{}", before.stdout);
    assert_eq!(changes(&json(&before)), []);
    let concise = r.diff(&["--base", "HEAD", "--format", "concise"]);
    assert!(concise.stderr.contains("PAY-12"), "{}", concise.stderr);
    // After the expiry: reported again, with a warning about the entry.
    let after = r.diff(&[
        "--base",
        "HEAD",
        "--format",
        "json",
        "--today",
        "2026-07-01",
    ]);
    assert_eq!(after.code, 1);
    assert_eq!(changes(&json(&after)).len(), 1, "{}", after.stdout);
    assert!(
        after.stderr.contains("expired on 2026-06-30"),
        "{}",
        after.stderr
    );
    // An entry that cannot apply stops the command.
    r.write(
        "portolan.toml",
        "[[diff.rules]]\ncode = \"C999\"\nlevel = \"off\"\nreason = \"x\"\n",
    );
    let bad = r.diff(&["--base", "HEAD"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("not a contract-change code"),
        "{}",
        bad.stderr
    );
}

#[test]
fn markdown_is_a_pull_request_comment_and_escapes_the_repository() {
    let r = Repo::new();
    // A hostile property name and a mention in the owner's place.
    r.write(
        "schemas.yaml",
        "Payment:\n  type: object\n  required: [id]\n  properties:\n    id: {type: string}\n    '<img src=x onerror=alert(1)>|@acme/all': {type: string}\n",
    );
    let out = r.diff(&["--base", "HEAD", "--format", "markdown"]);
    assert_eq!(out.code, 1);
    let md = &out.stdout;
    assert!(
        md.starts_with("## portolan diff: HEAD → the working tree\n"),
        "{md}"
    );
    assert!(md.contains("**1 breaking change**"), "{md}");
    assert!(
        md.contains(
            "| `api:default/payments` | team payments-team | 1 | 0 | 1 | `checkout-service` |"
        ),
        "{md}"
    );
    assert!(md.contains("| `checkout-service` |"), "{md}");
    assert!(
        md.contains("Consumed by `checkout-service` (team storefront)."),
        "{md}"
    );
    assert!(md.contains("| 🔴 **breaking** | C036 |"), "{md}");
    // The hostile name is shown, inside a code span (literal text: no
    // HTML, no mention), and nowhere else.
    assert!(
        md.contains("`Payment.<img src=x onerror=alert(1)>\\|@acme/all`"),
        "{md}"
    );
    let outside_code: String = md.split('`').step_by(2).collect();
    assert!(!outside_code.contains("<img"), "{md}");
    assert!(!outside_code.contains("@acme"), "{md}");
}

#[test]
fn a_bare_repository_is_compared_without_a_checkout() {
    let mut r = Repo::new();
    let base = r.commit("base again");
    r.edit(
        "openapi.yaml",
        "      operationId: getPayment\n",
        "      operationId: fetchPayment\n",
    );
    let head = r.commit("rename operation");
    let bare: PathBuf = r.root().join("mirror.git");
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(r.root().to_str().unwrap(), &bare)
        .unwrap();
    let out = run_in(
        r.root(),
        &[
            "--root",
            "mirror.git",
            "--base",
            &base,
            "--head",
            &head,
            "--format",
            "concise",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("warning[C005]") && out.stdout.contains("fetchPayment"),
        "{}",
        out.stdout
    );
    // A revision that does not resolve is a usage error.
    let bad = run_in(r.root(), &["--root", "mirror.git", "--base", "nope"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("cannot read the base revision `nope`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn other_api_types_are_compared_as_text() {
    let mut r = Repo::new();
    r.write(
        "graphql.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: search}\nspec: {type: graphql, lifecycle: production, owner: storefront, definition: {$text: ./schema.graphql}}\n",
    );
    r.write("schema.graphql", "type Query { a: Int }\n");
    r.edit("catalog-info.yaml", "---\napiVersion", "---\napiVersion");
    std::fs::write(
        r.root().join("portolan.toml"),
        "[discovery]\ninclude = [\"catalog-info.yaml\", \"graphql.yaml\"]\n",
    )
    .unwrap();
    r.commit("graphql");
    let same = json(&r.diff(&["--base", "HEAD", "--format", "json", "search"]));
    assert_eq!(changes(&same), []);
    r.write("schema.graphql", "type Query { b: Int }\n");
    let changed = r.diff(&["--base", "HEAD", "--format", "json", "search"]);
    assert_eq!(changed.code, 0);
    assert_eq!(
        changes(&json(&changed)),
        [(
            "C056".to_string(),
            "info".to_string(),
            "schema.graphql:null".to_string()
        )]
    );
}
