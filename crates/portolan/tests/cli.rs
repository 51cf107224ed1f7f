//! The command line as users and scripts meet it: stdout, stderr and exit
//! status, through one helper that builds a catalog in a temp directory and
//! redacts its path.

use std::path::Path;
use std::process::Command;

struct CliTest {
    dir: tempfile::TempDir,
}

struct Output {
    stdout: String,
    stderr: String,
    code: i32,
}

const OWNER: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

fn component(name: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{extra_spec}"
    )
}

impl CliTest {
    fn new() -> Self {
        CliTest {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// A clean catalog: a group and a component owned by it.
    fn clean_catalog(&self) -> &Self {
        self.write(
            "catalog-info.yaml",
            format!("{OWNER}---\n{}", component("orders", "")),
        )
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(self.root(), args)
    }

    fn run_in(&self, cwd: &Path, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(args)
            .current_dir(cwd)
            .env_remove("NO_COLOR")
            .env("CI", "true")
            .output()
            .unwrap();
        let redact = |s: &[u8]| {
            let text = String::from_utf8_lossy(s).into_owned();
            let root = self.root().canonicalize().unwrap();
            let text = text.replace(&root.display().to_string(), "[ROOT]");
            text.replace(&self.root().display().to_string(), "[ROOT]")
        };
        Output {
            stdout: redact(&out.stdout),
            stderr: redact(&out.stderr),
            code: out.status.code().unwrap_or(-1),
        }
    }
}

#[test]
fn clean_catalog_exits_zero_with_a_summary() {
    let t = CliTest::new();
    t.clean_catalog();
    let out = t.run(&["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("checked 2 entities in 1 files: 0 errors, 0 warnings"),
        "{}",
        out.stderr
    );
    let quiet = t.run(&["check", "-q"]);
    assert_eq!(quiet.stderr, "");
}

#[test]
fn errors_exit_one_and_fail_on_sets_the_threshold() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}", component("Orders Service", "")),
    );
    assert_eq!(t.run(&["check", "--format", "concise"]).code, 1);
    assert_eq!(t.run(&["check", "--fail-on", "never"]).code, 0);

    // Only a warning (dangling system reference).
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    assert_eq!(t.run(&["check"]).code, 0);
    assert_eq!(t.run(&["check", "--fail-on", "warning"]).code, 1);
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(
        out.stdout,
        "catalog-info.yaml:17:11: warning[R001] `spec.system` refers to system:default/checkout, which is not in the catalog\n"
    );
}

#[test]
fn human_format_has_a_code_frame_and_help() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    let out = t.run(&["check", "--color", "never"]);
    assert!(
        out.stdout
            .contains("warning[R001]: `spec.system` refers to system:default/checkout"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("--> catalog-info.yaml:17:11"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("17 |   system: checkout"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("= help: check the spelling"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}'), "no colour when told so");
    let colored = t.run(&["check", "--color", "always"]);
    assert!(colored.stdout.contains('\u{1b}'), "colour when told so");
}

#[test]
fn json_format_lists_findings_with_positions() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    let out = t.run(&["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["warnings"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "R001");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["file"], "catalog-info.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(17), Some(11))
    );
    assert_eq!(out.stderr, "", "machine formats print no summary");
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("Orders Service", "  system: checkout\n")
        ),
    );
    let out = t.run(&["check", "--format", "sarif"]);
    assert_eq!(out.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
    }
    let levels: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["error", "warning"]);
}

#[test]
fn github_format_writes_workflow_commands() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    let out = t.run(&["check", "--format", "github"]);
    assert_eq!(
        out.stdout,
        "::warning file=catalog-info.yaml,line=17,col=11,endLine=17,endColumn=19,title=portolan R001::`spec.system` refers to system:default/checkout, which is not in the catalog%0Ahelp: check the spelling, the kind and the namespace (references inherit the referring entity's namespace)\n"
    );
}

#[test]
fn named_files_filter_the_report_and_are_read_as_descriptors() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    t.write(
        "billing/catalog-info.yaml",
        component("Billing Service", ""),
    );
    t.write("org/extra.yaml", component("extra", "  owner: nobody\n"));
    let all = t.run(&["check", "--format", "concise"]);
    assert!(all.stdout.contains("billing/catalog-info.yaml"));
    assert!(all.stdout.contains("catalog-info.yaml:17:11"));
    assert!(
        !all.stdout.contains("org/extra.yaml"),
        "not discovered by default"
    );

    let only = t.run(&["check", "--format", "concise", "billing/catalog-info.yaml"]);
    assert!(
        only.stdout
            .lines()
            .all(|l| l.starts_with("billing/catalog-info.yaml:")),
        "{}",
        only.stdout
    );
    assert_eq!(only.code, 1);

    // A file named on the command line is read whatever its name, and
    // paths are relative to the current directory.
    let named = t.run_in(
        &t.root().join("org"),
        &["check", "--root", "..", "--format", "concise", "extra.yaml"],
    );
    assert!(
        named
            .stdout
            .contains("org/extra.yaml:9:3: error[Y002] duplicate key `owner`"),
        "{}",
        named.stdout
    );
}

#[test]
fn usage_errors_exit_two() {
    let t = CliTest::new();
    t.clean_catalog();
    let out = t.run(&["check", "--format", "xml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid value 'xml'"), "{}", out.stderr);
    let out = t.run(&["check", "--root", "does-not-exist"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("does-not-exist"), "{}", out.stderr);
}

#[test]
fn invalid_config_is_fatal_with_its_position() {
    let t = CliTest::new();
    t.clean_catalog();
    t.write("portolan.toml", "[discovery]\nincluded = []\n");
    let out = t.run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("invalid portolan.toml"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
}

/// The design lint end to end: `[lint]` decides which rules run and how
/// loudly, findings carry file:line:col in every format and count for
/// `--fail-on`, other tools' names work with `--explain`, and an unknown
/// rule name is a configuration error at its position.
#[test]
fn design_lint_runs_with_check_and_follows_lint_settings() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./api/openapi.yaml\n", component("orders", "  providesApis: [orders-api]\n")),
    );
    t.write(
        "api/openapi.yaml",
        "openapi: 3.0.3\ninfo:\n  title: Orders\n  version: '1'\n  description: Orders.\n  contact: {name: Team}\n  license: {name: MIT, url: 'https://opensource.org/licenses/MIT'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n  /orders:\n    get:\n      summary: List orders\n      tags: [orders]\n      responses:\n        '200': {description: ok}\n        '400': {description: bad}\n",
    );
    t.write(
        "portolan.toml",
        "[lint]\nextends = [\"recommended\"]\n\n[lint.rules]\noperation-operationId = \"error\"\n",
    );
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("api/openapi.yaml:11:5: error[L005] `GET /orders` has no operationId"),
        "{}",
        out.stdout
    );
    let json = t.run(&["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["L005"], "{}", json.stdout);
    // Down to a warning, the run passes unless warnings fail it.
    t.write(
        "portolan.toml",
        "[lint.rules]\nL005 = \"warn\"\n[[lint.overrides]]\nfiles = [\"legacy/**\"]\nrules = { L005 = \"off\" }\n",
    );
    assert_eq!(t.run(&["check"]).code, 0);
    assert_eq!(t.run(&["check", "--fail-on", "warning"]).code, 1);
    // Off for the file by its glob.
    t.write(
        "portolan.toml",
        "[lint.rules]\nL005 = \"warn\"\n[[lint.overrides]]\nfiles = [\"api/**\"]\nrules = { L005 = \"off\" }\n",
    );
    assert_eq!(t.run(&["check", "--fail-on", "warning"]).code, 0);
    let explain = t.run(&["check", "--explain", "operation-operationId"]);
    assert_eq!(explain.code, 0);
    assert!(
        explain.stdout.starts_with("L005 (operation-operation-id)"),
        "{}",
        explain.stdout
    );
    t.write(
        "portolan.toml",
        "[lint.rules]\nL005 = \"warn\"\noperation-operationid-urlsafe = \"off\"\n",
    );
    let bad = t.run(&["check"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("line 3, column 1"), "{}", bad.stderr);
    assert!(bad.stderr.contains("unknown lint rule"), "{}", bad.stderr);
}

/// The lint baseline: written from today's findings, it hides them and
/// only them; new findings fail the run; a file that is not a baseline is
/// never overwritten; the rest of the findings are never baselined.
#[test]
fn lint_baseline_hides_accepted_findings_and_reports_new_ones() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./api/openapi.yaml\n", component("orders", "  providesApis: [orders-api]\n  dependsOn: [component:nowhere]\n")),
    );
    let spec = "openapi: 3.0.3\ninfo:\n  title: Orders\n  version: '1'\n  description: Orders.\n  contact: {name: Team}\n  license: {name: MIT, url: 'https://opensource.org/licenses/MIT'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n  /orders:\n    get:\n      summary: List orders\n      tags: [orders]\n      responses:\n        '200': {description: ok}\n        '400': {description: bad}\n";
    t.write("api/openapi.yaml", spec);
    t.write("portolan.toml", "[lint]\nextends = [\"recommended\"]\n");
    let codes = |out: &Output| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let before = t.run(&["check", "--format", "json"]);
    assert_eq!(codes(&before), ["L005", "R001"], "{}", before.stdout);

    let write = t.run(&["check", "--write-baseline", "--format", "concise"]);
    assert_eq!(write.code, 0, "{}{}", write.stdout, write.stderr);
    assert!(
        write
            .stderr
            .contains("wrote 1 lint finding to the baseline lint-baseline.json"),
        "{}",
        write.stderr
    );
    assert!(
        write
            .stderr
            .contains("add `baseline = \"lint-baseline.json\"` under [lint]"),
        "{}",
        write.stderr
    );
    let text = std::fs::read_to_string(t.root().join("lint-baseline.json")).unwrap();
    assert!(
        text.contains("\"L005 api/openapi.yaml#/paths/~1orders/get\": 1"),
        "{text}"
    );

    t.write(
        "portolan.toml",
        "[lint]\nextends = [\"recommended\"]\nbaseline = \"lint-baseline.json\"\n",
    );
    let after = t.run(&["check", "--format", "json"]);
    // The dangling reference is not lint: it stays.
    assert_eq!(codes(&after), ["R001"], "{}", after.stdout);
    let human = t.run(&["check", "--fail-on", "warning"]);
    assert!(
        human
            .stderr
            .contains("1 lint finding in the baseline (lint-baseline.json) not shown"),
        "{}",
        human.stderr
    );

    // Lines move (a comment on top): the finding is still the baselined one.
    t.write("api/openapi.yaml", format!("# moved\n{spec}"));
    assert_eq!(codes(&t.run(&["check", "--format", "json"])), ["R001"]);
    // A new operation without an operationId is new.
    t.write(
        "api/openapi.yaml",
        format!("{spec}  /refunds:\n    get:\n      summary: List refunds\n      tags: [orders]\n      responses:\n        '200': {{description: ok}}\n        '400': {{description: bad}}\n"),
    );
    assert_eq!(
        codes(&t.run(&["check", "--format", "json"])),
        ["L005", "R001"]
    );

    // Never over a file that is not a baseline, nor outside the root.
    t.write("notes.json", "{\"mine\": true}");
    t.write("portolan.toml", "[lint]\nbaseline = \"notes.json\"\n");
    let refused = t.run(&["check", "--write-baseline"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("exists and is not a lint baseline"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.root().join("notes.json")).unwrap(),
        "{\"mine\": true}"
    );
    t.write("portolan.toml", "[lint]\nbaseline = \"../outside.json\"\n");
    let outside = t.run(&["check", "--write-baseline"]);
    assert_eq!(outside.code, 2);
    assert!(
        outside.stderr.contains("leaves the catalog root"),
        "{}",
        outside.stderr
    );
    assert!(!t.root().join("../outside.json").exists());
}

#[test]
fn explain_prints_the_registry_entry() {
    let t = CliTest::new();
    let out = t.run(&["check", "--explain", "dangling-reference"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .starts_with("R001 (dangling-reference): A reference points at an entity"),
        "{}",
        out.stdout
    );
    let all = t.run(&["check", "--explain", "all"]);
    assert!(all.stdout.lines().count() >= 29);
    // One column per field, however long a name is: the severity starts
    // at the same place on every line.
    let name_end = |line: &str| 6 + line[6..].find(' ').unwrap_or(0);
    let widest = all.stdout.lines().map(name_end).max().unwrap();
    for line in all.stdout.lines() {
        let severity = line[widest..].trim_start_matches(' ');
        assert_eq!(line.len() - severity.len(), widest + 1, "{line:?}");
        assert!(
            ["error", "warning", "info"]
                .iter()
                .any(|s| severity.starts_with(s)),
            "{line:?}"
        );
    }
    let unknown = t.run(&["check", "--explain", "Z999"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn rules_in_config_override_severities() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    );
    t.write("portolan.toml", "[rules]\nR001 = \"error\"\n");
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("error[R001]"), "{}", out.stdout);
    t.write("portolan.toml", "[rules]\ndangling-reference = \"off\"\n");
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
}

#[test]
fn root_is_found_from_a_subdirectory_by_portolan_toml() {
    let t = CliTest::new();
    t.clean_catalog();
    t.write("portolan.toml", "");
    t.write("services/x/README.md", "x");
    let out = t.run_in(&t.root().join("services/x"), &["check", "-v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 2 entities"), "{}", out.stderr);
}

// --- git revisions ---------------------------------------------------------

fn commit_all(repo: &git2::Repository, message: &str) {
    commit_all_at(repo, message, 1_700_000_000);
}

fn commit_all_at(repo: &git2::Repository, message: &str, time: i64) {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new("Test", "test@example.com", &git2::Time::new(time, 0)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

#[test]
fn rev_reads_the_committed_tree_not_the_work_tree() {
    let t = CliTest::new();
    let repo = git2::Repository::init(t.root()).unwrap();
    t.clean_catalog();
    commit_all(&repo, "clean");
    // Break the work tree without committing.
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}", component("Orders Service", "")),
    );
    assert_eq!(t.run(&["check"]).code, 1);
    let out = t.run(&["check", "--rev", "HEAD", "-v"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("git revision HEAD"), "{}", out.stderr);
    // Commit the breakage: now the revision has it, and HEAD~1 does not.
    commit_all(&repo, "broken");
    assert_eq!(t.run(&["check", "--rev", "HEAD"]).code, 1);
    assert_eq!(t.run(&["check", "--rev", "HEAD~1"]).code, 0);
    let bad = t.run(&["check", "--rev", "no-such-branch"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("cannot resolve revision `no-such-branch`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn rev_works_in_a_bare_repository() {
    let t = CliTest::new();
    let work = t.root().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let repo = git2::Repository::init(&work).unwrap();
    std::fs::write(
        work.join("catalog-info.yaml"),
        format!(
            "{OWNER}---\n{}",
            component("orders", "  system: checkout\n")
        ),
    )
    .unwrap();
    commit_all(&repo, "one");
    let bare_path = t.root().join("catalog.git");
    let bare = git2::Repository::init_bare(&bare_path).unwrap();
    let mut remote = repo.remote("bare", bare_path.to_str().unwrap()).unwrap();
    remote
        .push(&["refs/heads/master:refs/heads/main"], None)
        .unwrap_or_else(|_| {
            // Default branch name differs between git configurations.
            remote.push(&["HEAD:refs/heads/main"], None).unwrap()
        });
    drop(bare);
    let out = t.run(&[
        "check",
        "--root",
        "catalog.git",
        "--rev",
        "main",
        "--format",
        "concise",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("catalog-info.yaml:17:11: warning[R001]"),
        "{}",
        out.stdout
    );
}

// --- hostile input ---------------------------------------------------------

#[test]
fn a_50_mb_file_is_refused_without_reading_it() {
    let t = CliTest::new();
    t.clean_catalog();
    let mut big = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: big\n  description: |\n",
    );
    let line = "    ".to_string() + &"x".repeat(95) + "\n";
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(&line);
    }
    t.write("big/catalog-info.yaml", big);
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("big/catalog-info.yaml: error[Y006] `big/catalog-info.yaml` is too large to read (50.0 MiB > 32.0 MiB)"),
        "{}",
        out.stdout
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_refused() {
    let t = CliTest::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("orders", "  x-notes:\n    $text: ./notes.txt\n")
        ),
    );
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        t.root().join("notes.txt"),
    )
    .unwrap();
    let out = t.run(&["check", "--format", "json"]);
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains("TOP SECRET"));
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "F002", "{}", out.stdout);
    assert_eq!(doc["diagnostics"][0]["line"], 18);
}

#[test]
fn path_escapes_and_absolute_paths_are_refused() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component(
                "orders",
                "  a:\n    $text: ../../../../etc/passwd\n  b:\n    $yaml: /etc/hostname\n"
            )
        ),
    );
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[0].starts_with("catalog-info.yaml:18:12: error[F002] `../../../../etc/passwd`: the path leaves the catalog root"), "{}", lines[0]);
    assert!(
        lines[1].starts_with(
            "catalog-info.yaml:20:12: error[F002] `/etc/hostname`: absolute paths are not allowed"
        ),
        "{}",
        lines[1]
    );
}

#[test]
fn hostile_yaml_gets_diagnostics_and_the_rest_is_still_checked() {
    let t = CliTest::new();
    t.clean_catalog();
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nkind: Component\n";
    t.write("bomb/catalog-info.yaml", bomb);
    t.write(
        "deep/catalog-info.yaml",
        format!(
            "kind: Component\nx: {}1{}\n",
            "[".repeat(1000),
            "]".repeat(1000)
        ),
    );
    t.write(
        "tabs/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n\tname: tabs\n",
    );
    t.write(
        "latin1/catalog-info.yaml",
        b"kind: Component\nmetadata:\n  name: caf\xe9\n".as_slice(),
    );
    t.write(
        "garbage/catalog-info.yaml",
        [0u8, 159, 146, 150, 255, 0, 1, 2, 3].as_slice(),
    );
    t.write(
        "later/catalog-info.yaml",
        component("later", "  system: nowhere\n"),
    );
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout.matches("Y004").count(),
        1,
        "one bomb, one finding:\n{}",
        out.stdout
    );
    for expected in [
        "bomb/catalog-info.yaml:",
        "error[Y004]",
        "deep/catalog-info.yaml:2:259: error[Y001] invalid YAML: recursion limit exceeded",
        "tabs/catalog-info.yaml:4:2: error[Y001] invalid YAML: tabs disallowed",
        "latin1/catalog-info.yaml:3:12: error[Y003]",
        "garbage/catalog-info.yaml:1:2: error[Y003]",
        // The good file after them is still checked.
        "later/catalog-info.yaml:9:11: warning[R001]",
    ] {
        assert!(
            out.stdout.contains(expected),
            "missing `{expected}` in:\n{}",
            out.stdout
        );
    }
}

/// The SARIF output validates against the OASIS SARIF 2.1.0 schema. The
/// schema is not ours to commit: `.ci/run` fetches it and points
/// `PORTOLAN_SARIF_SCHEMA` at it.
#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let Some(schema_path) = std::env::var_os("PORTOLAN_SARIF_SCHEMA") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PORTOLAN_SARIF_SCHEMA must name the SARIF 2.1.0 schema under CI=true (.ci/run fetches it)"
        );
        eprintln!(
            "skipping: PORTOLAN_SARIF_SCHEMA is not set (see .ci/run for how to fetch the schema)"
        );
        return;
    };
    // The published schema's `language` patterns have an unescaped `]`,
    // which ECMAScript regexes read as a literal and Rust's regex engine
    // rejects; escape it so the schema compiles (`language` is not a field
    // portolan writes, so this changes nothing that is checked).
    let text = std::fs::read_to_string(schema_path)
        .unwrap()
        .replace(r#"{2}-[a-zA-Z]{2}]?$""#, r#"{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!(
            "{OWNER}---\n{}",
            component("Orders Service", "  system: checkout\n")
        ),
    );
    t.write(
        "dup/catalog-info.yaml",
        component("orders-service", "").replace("Orders", "x"),
    );
    t.write(
        "portolan.toml",
        "[[policies]]\ncode = \"acme/x\"\nmessage = \"m\"\nschema = \"missing.json\"\n",
    );
    let out = t.run(&["check", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(doc["runs"][0]["results"].as_array().unwrap().len() >= 3);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output does not validate:\n{}",
        errors.join("\n")
    );
}

// --- build -----------------------------------------------------------------

#[test]
fn build_writes_catalog_json_and_bundles() {
    let t = CliTest::new();
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n", component("orders", "  providesApis: [orders-api]\n")),
    );
    t.write("openapi.yaml", "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths:\n  /o:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: './order.yaml'}}}}\n");
    t.write("order.yaml", "type: object\n");
    // This test reads what build writes; the design lint's findings on the
    // bare spec would come first on stderr.
    t.write("portolan.toml", "[lint]\nextends = [\"off\"]\n");
    let out = t.run(&["build", "--out", "public"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("built 3 entities into [ROOT]/public: "),
        "{}",
        out.stderr
    );
    let catalog: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.root().join("public/catalog.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(catalog["summary"]["entities"], 3);
    assert!(t.root().join("public/index.html").is_file());
    assert!(
        t.root()
            .join("public/catalog/api/default/orders-api/index.html")
            .is_file()
    );
    let bundle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.root().join("public/apis/default/orders-api.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(bundle["components"]["schemas"]["order"]["type"], "object");
    assert!(
        t.root()
            .join("public/apis/default/orders-api.yaml")
            .is_file()
    );
}

#[test]
fn a_build_with_errors_writes_nothing_and_keeps_the_previous_site() {
    let t = CliTest::new();
    t.clean_catalog();
    assert_eq!(t.run(&["build", "--out", "site"]).code, 0);
    let before = std::fs::read(t.root().join("site/catalog.json")).unwrap();
    t.write(
        "catalog-info.yaml",
        format!("{OWNER}---\n{}", component("Orders Service", "")),
    );
    let out = t.run(&["build", "--out", "site"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("error[E002]"), "{}", out.stderr);
    assert!(out.stderr.contains("was not written"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(t.root().join("site/catalog.json")).unwrap(),
        before,
        "the previous site is untouched"
    );
    // --fail-on never publishes anyway.
    assert_eq!(
        t.run(&["build", "--out", "site", "--fail-on", "never"])
            .code,
        0
    );
    assert_ne!(
        std::fs::read(t.root().join("site/catalog.json")).unwrap(),
        before
    );
}

#[test]
fn build_output_is_deterministic() {
    let t = CliTest::new();
    t.clean_catalog();
    assert_eq!(t.run(&["build", "--out", "a"]).code, 0);
    assert_eq!(t.run(&["build", "--out", "b"]).code, 0);
    assert_eq!(
        std::fs::read(t.root().join("a/catalog.json")).unwrap(),
        std::fs::read(t.root().join("b/catalog.json")).unwrap()
    );
}

#[test]
fn theme_dir_overrides_one_template_and_reports_its_errors_at_their_line() {
    let t = CliTest::new();
    t.clean_catalog();
    t.write(
        "portolan.toml",
        "[site]\ntitle = \"Acme\"\ntheme_dir = \"theme\"\n",
    );
    t.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>Lost? Ask #platform.</p>{% endblock %}\n",
    );
    t.write(
        "theme/assets/portolan.css",
        "body { color: rebeccapurple; }\n",
    );
    let out = t.run(&["build", "--out", "site"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let not_found = std::fs::read_to_string(t.root().join("site/404.html")).unwrap();
    assert!(not_found.contains("Lost? Ask #platform."), "{not_found}");
    assert!(
        not_found.contains("<title>Acme</title>"),
        "the other templates are still the default theme's"
    );
    assert_eq!(
        std::fs::read_to_string(t.root().join("site/assets/portolan.css")).unwrap(),
        "body { color: rebeccapurple; }\n"
    );

    // A broken override: reported at its line, and nothing is written.
    let before = std::fs::read(t.root().join("site/404.html")).unwrap();
    t.write("theme/templates/404.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ site.title | nosuchfilter }}</p>\n{% endblock %}\n");
    let out = t.run(&["build", "--out", "site", "--color", "never"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error[T001]: template `404.html`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--> theme/templates/404.html:3:"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(t.root().join("site/404.html")).unwrap(),
        before
    );
}

/// check ⊇ build (issue 17): a theme override that does not parse stopped
/// `build` while `check`, the pre-commit hook, passed.
#[test]
fn check_reports_a_theme_template_that_does_not_parse_at_its_line() {
    let t = CliTest::new();
    t.clean_catalog();
    t.write("portolan.toml", "[site]\ntheme_dir = \"theme\"\n");
    t.write(
        "theme/templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ site.title </p>\n{% endblock %}\n",
    );
    let out = t.run(&["check", "--format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("theme/templates/404.html:3:") && out.stdout.contains("error[T001]"),
        "{}",
        out.stdout
    );
    let build = t.run(&["build", "--out", "site", "--color", "never"]);
    assert_eq!(build.code, 1, "{}", build.stderr);
    assert!(build.stderr.contains("T001"), "{}", build.stderr);
}

#[test]
fn audience_builds_leak_nothing_about_internal_entities() {
    let t = CliTest::new();
    let public = "  annotations:\n    portolan.dev/audience: public\n";
    t.write(
        "catalog-info.yaml",
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: canaryteam\n  description: CANARY internal team\nspec:\n  type: team\n  children: []\n---\n\
             apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: canarysecret\n  description: CANARY secret service\nspec:\n  type: service\n  lifecycle: production\n  owner: canaryteam\n---\n\
             apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\n{public}spec:\n  type: team\n  children: []\n---\n\
             apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: storefront\n{public}spec:\n  type: website\n  lifecycle: production\n  owner: canaryteam\n  dependsOn: ['component:canarysecret', 'component:payments']\n  providesApis: [shop-api]\n---\n\
             apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n{public}spec:\n  type: service\n  lifecycle: production\n  owner: platform\n---\n\
             apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: shop-api\n{public}spec:\n  type: openapi\n  lifecycle: production\n  owner: platform\n  definition: |\n    openapi: 3.0.3\n    info: {{title: Shop, version: '1'}}\n    paths: {{}}\n"
        ),
    );
    // Commit messages may name internal entities: they stay out of public
    // builds.
    let repo = git2::Repository::init(t.root()).unwrap();
    commit_all(&repo, "storefront now depends on canarysecret");
    let out = t.run(&[
        "build",
        "--out",
        "public-site",
        "--audience",
        "public",
        "--base-url",
        "https://shop.example/",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut files = 0;
    let mut stack = vec![t.root().join("public-site")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let text =
                    String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_ascii_lowercase();
                assert!(
                    !text.contains("canary"),
                    "{} mentions an internal entity",
                    path.display()
                );
            }
        }
    }
    assert!(files > 5);
    let catalog: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.root().join("public-site/catalog.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = catalog["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["platform", "storefront", "payments", "shop-api"]
    );
    // The public dependency survives, the internal one is dropped.
    let storefront = &catalog["entities"][1];
    assert_eq!(
        storefront["spec"]["dependsOn"],
        serde_json::json!(["component:payments"])
    );
    // The search index stores text compressed, so scanning its bytes is not
    // enough: asking it is. Nothing about the internal entities is found.
    let public_search = t.run(&["search", "--index", "public-site/_search", "canarysecret"]);
    assert_eq!(
        public_search.code, 1,
        "{}{}",
        public_search.stdout, public_search.stderr
    );
    // The canary does reach an internal build: the check can fail.
    assert_eq!(t.run(&["build", "--out", "internal-site"]).code, 0);
    let internal_search = t.run(&["search", "--index", "internal-site/_search", "canarysecret"]);
    assert_eq!(internal_search.code, 0, "{}", internal_search.stderr);
    assert!(internal_search.stdout.contains("canarysecret"));
    assert!(
        std::fs::read_to_string(t.root().join("internal-site/catalog.json"))
            .unwrap()
            .contains("canary")
    );
}

#[test]
fn home_page_lists_recently_changed_entities_from_git() {
    let t = CliTest::new();
    let repo = git2::Repository::init(t.root()).unwrap();
    t.write("teams/catalog-info.yaml", OWNER);
    t.write("orders/catalog-info.yaml", component("orders", ""));
    t.write("billing/catalog-info.yaml", component("billing", ""));
    commit_all_at(&repo, "First catalog", 1_700_000_000);
    t.write(
        "billing/catalog-info.yaml",
        format!("{}# touched\n", component("billing", "")),
    );
    commit_all_at(&repo, "Billing: <b>tidy</b> descriptor", 1_750_000_000);
    let out = t.run(&["build", "--out", "site"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let home = std::fs::read_to_string(t.root().join("site/index.html")).unwrap();
    let recent = &home[home
        .find("id=\"recent\"")
        .expect("a recently changed section")..];
    let billing = recent.find(">billing<").expect("billing is listed");
    let orders = recent.find(">orders<").expect("orders is listed");
    assert!(billing < orders, "newest first: {recent}");
    // Dates come from the commits, messages are escaped.
    assert!(recent.contains("2025-06-15"), "{recent}");
    assert!(recent.contains("2023-11-14"), "{recent}");
    assert!(
        recent.contains("Billing: &lt;b&gt;tidy&lt;/b&gt; descriptor"),
        "{recent}"
    );
    assert!(home.contains("Built from commit"), "{home}");
    // Every page's footer names the commit too, as the home page does.
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let entity = std::fs::read_to_string(
        t.root()
            .join("site/catalog/component/default/orders/index.html"),
    )
    .unwrap();
    let footer = &entity[entity.find("<footer").expect("a footer")..];
    assert!(
        footer.contains(&format!("from commit <code>{}</code>", &head[..10]))
            && footer.contains("<time datetime=\"2025-06-15\">"),
        "{footer}"
    );

    // Outside git there is no history to show, and no empty section.
    // (An empty catalog builds too: its explorer page exists.)
    let empty = CliTest::new();
    empty.write("README.md", "nothing here");
    let out = empty.run(&["build", "--out", "site"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plain = CliTest::new();
    plain.clean_catalog();
    assert_eq!(plain.run(&["build", "--out", "site"]).code, 0);
    let home = std::fs::read_to_string(plain.root().join("site/index.html")).unwrap();
    assert!(!home.contains("Recently changed"), "{home}");
}
