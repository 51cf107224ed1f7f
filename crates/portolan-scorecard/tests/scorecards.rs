//! Scorecards on small in-memory catalogs: every fact on a fixture, file
//! validation at file:line:col, levels, waivers, gates, and git facts on a
//! temporary repository.

use std::collections::BTreeSet;

use portolan_check::{CheckOptions, Checked, check, policy};
use portolan_core::Diagnostic;
use portolan_core::render::render_concise;
use portolan_core::source::MemorySource;
use portolan_scorecard::{Day, ScoreOptions, Scored, State, score};
use serde_json::json;

thread_local! {
    /// Score as `check` does (`all_facts: false`).
    static CHECK_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

struct Run {
    checked: Checked,
    scored: Scored,
    diagnostics: Vec<Diagnostic>,
    /// The scorecard findings, one concise line each.
    concise: String,
}

fn run_with(
    source: &dyn portolan_core::source::Source,
    today: &str,
    git: Option<(std::path::PathBuf, String)>,
) -> Run {
    let (config, policies) = policy::configuration_in(source).unwrap();
    let options = CheckOptions::from_config(&config);
    let mut checked = check(source, &config, &policies, &options).unwrap();
    let today = Day::parse(today).unwrap();
    let score_options = ScoreOptions {
        today,
        git,
        max_git_commits: 1000,
        all_facts: !CHECK_ONLY.with(|c| c.get()),
        reasons: !CHECK_ONLY.with(|c| c.get()),
    };
    let scored = score(source, &checked, &config, &policies, &score_options);
    // Levels alone (what trends count) agree with the full scoring, in
    // every test that runs a catalog.
    let levels = portolan_scorecard::score_levels(
        &scored.loaded,
        source,
        &checked,
        &policies,
        &score_options,
        None,
    );
    let expected: Vec<Vec<Option<usize>>> = scored
        .scores
        .iter()
        .map(|card| card.iter().map(|(_, score)| score.level).collect())
        .collect();
    assert_eq!(levels, expected, "score_levels against score");
    let diagnostics = scored.diagnostics(&checked, &config, today);
    if score_options.reasons {
        // `check`'s scoring (levels, states only below a gate, schema
        // rules on the part of the document they read, only the facts
        // rules read) gives the same levels and findings, in every test
        // that runs a catalog.
        let check_options = ScoreOptions {
            all_facts: false,
            reasons: false,
            ..score_options
        };
        let quick = score(source, &checked, &config, &policies, &check_options);
        let quick_levels: Vec<Vec<Option<usize>>> = quick
            .scores
            .iter()
            .map(|card| card.iter().map(|(_, score)| score.level).collect())
            .collect();
        assert_eq!(quick_levels, expected, "check's levels against score");
        assert_eq!(
            quick.diagnostics(&checked, &config, today),
            diagnostics,
            "check's findings against score"
        );
    }
    for file in &scored.loaded.files {
        checked.catalog.files.insert(file.clone());
    }
    let concise = render_concise(&diagnostics, &checked.catalog.files);
    Run {
        checked,
        scored,
        diagnostics,
        concise,
    }
}

fn run(files: &[(&str, &str)], today: &str) -> Run {
    let mut source = MemorySource::new();
    for (path, text) in files {
        source.insert(path, text.as_bytes());
    }
    run_with(&source, today, None)
}

impl Run {
    fn id(&self, entity_ref: &str) -> usize {
        let wanted = portolan_catalog::EntityRef::parse(entity_ref, None, "default").unwrap();
        self.checked.catalog.index[&wanted.key()]
    }

    fn facts(&self, entity_ref: &str) -> &portolan_scorecard::Facts {
        &self.scored.facts[self.id(entity_ref)]
    }

    /// The level name of `entity_ref` on scorecard `card`.
    fn level(&self, card: &str, entity_ref: &str) -> Option<String> {
        let index = self.scored.find(card).expect("scorecard");
        let id = self.id(entity_ref);
        let (_, score) = self.scored.scores[index]
            .iter()
            .find(|(e, _)| *e == id)
            .expect("scored");
        score
            .level
            .map(|l| self.scored.loaded.scorecards[index].levels[l].clone())
    }

    fn state(&self, card: &str, entity_ref: &str, rule: &str) -> State {
        let index = self.scored.find(card).expect("scorecard");
        let scorecard = &self.scored.loaded.scorecards[index];
        let id = self.id(entity_ref);
        let (_, score) = self.scored.scores[index]
            .iter()
            .find(|(e, _)| *e == id)
            .expect("scored");
        score
            .rules
            .iter()
            .find(|r| scorecard.rules[r.rule].id == rule)
            .expect("rule")
            .state
    }

    fn codes(&self) -> Vec<&str> {
        self.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }
}

const ORG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments-team
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: empty-team
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jdoe
spec:
  memberOf: [payments-team]
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: payments
spec:
  owner: payments-team
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: processing
spec:
  owner: payments-team
  domain: payments
"#;

const GATEWAY: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: gateway
  description: Takes card payments.
  tags: [java, tier-1]
  links:
    - url: https://runbooks.example/gateway
      type: runbook
  annotations:
    backstage.io/techdocs-ref: dir:.
    backstage.io/source-location: url:https://github.com/acme/gateway/
    github.com/project-slug: acme/gateway
    pagerduty.com/service-id: PABC123
    grafana/dashboard-selector: "title == 'gateway'"
spec:
  type: service
  lifecycle: production
  owner: payments-team
  system: processing
  providesApis: [payments-api]
  consumesApis: [old-api]
  dependsOn: [component:old-lib]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-api
spec:
  type: openapi
  lifecycle: production
  owner: payments-team
  system: processing
  definition:
    $text: ./openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: old-api
spec:
  type: openapi
  lifecycle: deprecated
  owner: payments-team
  definition: "openapi: 3.0.3\ninfo: {title: Old, version: '1'}\npaths: {}\n"
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: old-lib
spec:
  type: library
  lifecycle: deprecated
  owner: payments-team
"#;

/// Two operations share an operationId: one A006 error.
const OPENAPI: &str = "openapi: 3.0.3\ninfo: {title: Payments, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: same\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      operationId: same\n      responses: {'200': {description: ok}}\n";

const BARE: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bare
spec:
  type: service
  lifecycle: experimental
  owner: empty-team
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: dangling
spec:
  type: library
  lifecycle: production
  owner: empty-team
  dependsOn: [component:nowhere]
"#;

fn fact_catalog() -> Vec<(&'static str, &'static str)> {
    vec![
        ("org.yaml", ORG),
        ("catalog-info.yaml", GATEWAY),
        ("openapi.yaml", OPENAPI),
        ("mkdocs.yml", "site_name: Gateway\n"),
        (
            "docs/index.md",
            "# Gateway\n\nSee [setup](setup.md) and [gone](gone.md).\n",
        ),
        ("docs/setup.md", "# Setup\n"),
        (
            "slos/gateway.yaml",
            "version: prometheus/v1\nservice: gateway\nslos:\n  - name: availability\n    objective: 99.5\n    sli:\n      raw:\n        error_ratio_query: x\n",
        ),
        ("bare/catalog-info.yaml", BARE),
        (
            "portolan.toml",
            // The design lint off: `api.warnings` counts the definition's
            // own validity findings here.
            "[discovery]\ninclude = [\"**/catalog-info.yaml\", \"org.yaml\"]\n[lint]\nextends = [\"off\"]\n",
        ),
    ]
}

#[test]
fn every_fact_on_a_fixture() {
    let run = run(&fact_catalog(), "2027-01-01");
    let gateway = run.facts("component:gateway");
    let bare = run.facts("component:bare");
    let api = run.facts("api:payments-api");
    let mut checked_facts = BTreeSet::new();
    let mut expect =
        |facts: &portolan_scorecard::Facts, name: &'static str, value: serde_json::Value| {
            assert_eq!(facts.get(name), Some(&value), "fact {name}");
            checked_facts.insert(name);
        };
    expect(gateway, "kind", json!("Component"));
    expect(gateway, "type", json!("service"));
    expect(gateway, "lifecycle", json!("production"));
    expect(bare, "lifecycle", json!("experimental"));
    expect(gateway, "owner", json!("group:default/payments-team"));
    expect(gateway, "owner.resolved", json!(true));
    expect(gateway, "owner.group_with_members", json!(true));
    expect(bare, "owner.resolved", json!(true));
    expect(bare, "owner.group_with_members", json!(false));
    expect(gateway, "description.length", json!(20));
    expect(bare, "description.length", json!(0));
    expect(gateway, "system", json!("system:default/processing"));
    expect(bare, "system", json!(null));
    expect(gateway, "domain", json!("domain:default/payments"));
    expect(
        run.facts("system:processing"),
        "domain",
        json!("domain:default/payments"),
    );
    expect(gateway, "tags", json!(["java", "tier-1"]));
    expect(gateway, "tags.count", json!(2));
    expect(gateway, "docs.exists", json!(true));
    expect(bare, "docs.exists", json!(false));
    expect(gateway, "docs.pages", json!(2));
    expect(gateway, "docs.broken_links", json!(1));
    expect(gateway, "apis.provided", json!(1));
    expect(gateway, "apis.consumed", json!(1));
    expect(api, "api.definition_valid", json!(false));
    expect(
        run.facts("api:old-api"),
        "api.definition_valid",
        json!(true),
    );
    expect(api, "api.errors", json!(1));
    expect(gateway, "api.errors", json!(1));
    expect(api, "api.warnings", json!(0));
    expect(gateway, "deps.deprecated", json!(2));
    expect(gateway, "slo.count", json!(1));
    expect(bare, "slo.count", json!(0));
    expect(gateway, "slo.valid", json!(true));
    expect(bare, "slo.valid", json!(false));
    expect(gateway, "slo.lowest_objective", json!(99.5));
    // 0.5% of Sloth's 30 days.
    expect(gateway, "slo.error_budget_minutes", json!(216.0));
    assert_eq!(bare.get("slo.lowest_objective"), None);
    expect(bare, "deps.deprecated", json!(0));
    expect(gateway, "links.runbook", json!(true));
    expect(gateway, "links.dashboard", json!(true));
    expect(bare, "links.dashboard", json!(false));
    expect(gateway, "oncall", json!(true));
    expect(gateway, "oncall.pagerduty", json!(true));
    expect(gateway, "oncall.opsgenie", json!(false));
    expect(gateway, "source_location", json!(true));
    expect(gateway, "ci", json!(true));
    expect(bare, "ci", json!(false));
    expect(api, "findings.errors", json!(1));
    expect(gateway, "findings.errors", json!(0));
    expect(gateway, "findings.warnings", json!(0));
    // Findings of one document, not of its neighbours in the file.
    expect(
        run.facts("component:dangling"),
        "findings.warnings",
        json!(1),
    );
    expect(bare, "findings.warnings", json!(0));
    // Kinds a fact does not apply to, and git facts outside git: unknown.
    assert!(!run.facts("group:payments-team").contains_key("api.errors"));
    assert!(!gateway.contains_key("api.definition_valid"));
    for name in [
        "git.days_since_change",
        "git.commits_90d",
        "git.authors_90d",
        "git.codeowners",
    ] {
        assert!(!gateway.contains_key(name), "{name} outside git");
    }
    // Git facts are covered by `git_facts_on_a_temporary_repository`.
    let untested: Vec<&str> = portolan_scorecard::FACTS
        .iter()
        .map(|f| f.name)
        .filter(|n| !n.starts_with("git.") && !checked_facts.contains(n))
        .collect();
    assert!(untested.is_empty(), "facts without a fixture: {untested:?}");
}

const LADDER: &str = r#"name: Ladder
selector: { kind: Component }
levels: [Bronze, Silver, Gold]
rules:
  - id: owner
    level: Bronze
    fact: owner.group_with_members
    value: true
  - id: runbook
    level: Silver
    fact: links.runbook
    value: true
  - id: docs-later
    level: Silver
    fact: docs.exists
    value: true
    enforceFrom: 2027-06-01
  - id: dashboard
    level: Gold
    fact: links.dashboard
    value: true
  - id: production-only
    level: Gold
    selector: { lifecycle: production }
    fact: oncall
    value: true
  - id: schema
    level: Gold
    schema:
      properties:
        facts:
          properties:
            tags.count: { minimum: 1 }
waivers:
  - entity: component:bare
    rule: owner
    reason: the team is being staffed
    expires: 2027-02-01
  - entity: component:default/gone
    rule: runbook
    reason: renamed
    expires: 2030-01-01
"#;

#[test]
fn levels_are_cumulative_with_waivers_pending_and_not_applicable() {
    let mut files = fact_catalog();
    files.push(("scorecards/ladder.yaml", LADDER));
    let run = run(&files, "2027-01-15");
    assert_eq!(
        run.level("ladder", "component:gateway").as_deref(),
        Some("Gold")
    );
    // bare: the owner rule is waived (exempt), but no runbook: Bronze.
    assert_eq!(
        run.state("ladder", "component:bare", "owner"),
        State::Exempt
    );
    assert_eq!(
        run.state("ladder", "component:bare", "runbook"),
        State::Fail
    );
    assert_eq!(
        run.state("ladder", "component:bare", "docs-later"),
        State::Pending
    );
    assert_eq!(
        run.state("ladder", "component:bare", "production-only"),
        State::NotApplicable
    );
    assert_eq!(run.state("ladder", "component:bare", "schema"), State::Fail);
    assert_eq!(
        run.level("ladder", "component:bare").as_deref(),
        Some("Bronze")
    );
    // old-lib: owned by a team with members, but no runbook: Bronze.
    assert_eq!(
        run.level("ladder", "component:old-lib").as_deref(),
        Some("Bronze")
    );
    // The waiver for a missing entity exempts nothing and says so.
    assert_eq!(run.codes(), vec!["S004"], "{}", run.concise);
    assert!(
        run.concise
            .contains("scorecards/ladder.yaml:39:5: warning[S004]"),
        "{}",
        run.concise
    );

    // After the waiver's last day: the owner rule fails, bare reaches no
    // level, and the expired waiver warns; after enforceFrom docs count.
    let later = self::run(&files, "2027-06-01");
    assert_eq!(
        later.state("ladder", "component:bare", "owner"),
        State::Fail
    );
    assert_eq!(later.level("ladder", "component:bare"), None);
    assert_eq!(
        later.state("ladder", "component:bare", "docs-later"),
        State::Fail
    );
    assert!(later.concise.contains("scorecards/ladder.yaml:35:5: warning[S003] the waiver of rule `owner` for component:default/bare expired on 2027-02-01"), "{}", later.concise);
    // On its last day a waiver still exempts.
    let last_day = self::run(&files, "2027-02-01");
    assert_eq!(
        last_day.state("ladder", "component:bare", "owner"),
        State::Exempt
    );
    assert!(!last_day.codes().contains(&"S003"));
}

#[test]
fn policy_rules_reuse_the_policy_engine() {
    let mut files = fact_catalog();
    files.retain(|(p, _)| *p != "portolan.toml");
    files.push((
        "portolan.toml",
        "[discovery]\ninclude = [\"**/catalog-info.yaml\", \"org.yaml\"]\n[[policies]]\ncode = \"acme/needs-tags\"\nmessage = \"tag it\"\nschema = \"tags.schema.json\"\nmatch = { kind = \"Component\", type = \"service\" }\n",
    ));
    files.push((
        "tags.schema.json",
        r#"{"type": "object", "required": ["metadata"], "properties": {"metadata": {"required": ["tags"]}}}"#,
    ));
    files.push((
        "scorecards/policy.yaml",
        "name: Policy\nlevels: [Tagged]\nrules:\n  - id: tags\n    level: Tagged\n    policy: acme/needs-tags\n",
    ));
    let run = run(&files, "2027-01-01");
    assert_eq!(
        run.state("policy", "component:gateway", "tags"),
        State::Pass
    );
    assert_eq!(run.state("policy", "component:bare", "tags"), State::Fail);
    assert_eq!(
        run.state("policy", "component:old-lib", "tags"),
        State::NotApplicable
    );
    assert_eq!(
        run.level("policy", "component:old-lib").as_deref(),
        Some("Tagged")
    );
}

#[test]
fn gates_report_entities_below_their_level() {
    let mut files = fact_catalog();
    files.retain(|(p, _)| *p != "portolan.toml");
    files.push((
        "portolan.toml",
        "[discovery]\ninclude = [\"**/catalog-info.yaml\", \"org.yaml\"]\n[[scorecards.gates]]\nscorecard = \"Ladder\"\nlevel = \"silver\"\nmatch = { type = \"service\" }\n[[scorecards.gates]]\nscorecard = \"ladder\"\nlevel = \"Platinum\"\n[[scorecards.gates]]\nscorecard = \"nope\"\nlevel = \"Bronze\"\nseverity = \"warning\"\n",
    ));
    files.push(("scorecards/ladder.yaml", LADDER));
    let run = run(&files, "2027-01-15");
    let gate: Vec<&Diagnostic> = run
        .diagnostics
        .iter()
        .filter(|d| d.code == "S002")
        .collect();
    // bare is a service at Bronze; gateway is Gold; old-lib is a library.
    assert_eq!(gate.len(), 1, "{}", run.concise);
    assert!(
        run.concise.contains("bare/catalog-info.yaml:4:3: error[S002] component:default/bare is at Bronze of scorecard `ladder`, below the required Silver: `runbook` (fail)"),
        "{}",
        run.concise
    );
    assert!(
        run.concise.contains(
            "requires level `Platinum` of scorecard `ladder`, which has only Bronze, Silver, Gold"
        ),
        "{}",
        run.concise
    );
    assert!(
        run.concise
            .contains("names the scorecard `nope`, which does not exist"),
        "{}",
        run.concise
    );
}

#[test]
fn file_errors_at_line_and_column() {
    let bad = "name: Broken\nlevels: [Bronze, bronze]\ncolour: red\nrules:\n  - id: a\n    level: Silver\n    fact: owner.resolvd\n  - id: b\n    level: Bronze\n    fact: tags.count\n    op: gt\n    value: many\n  - id: c\n    level: Bronze\n    fact: type\n    op: matches\n    value: '('\n  - id: d\n    level: Bronze\n  - id: e\n    level: Bronze\n    policy: nobody/none\n  - id: f\n    level: Bronze\n    fact: lifecycle\n    op: like\n    value: x\n  - id: g\n    level: Bronze\n    fact: tags\n    op: contains\n    value: java\n    enforceFrom: 2027-02-30\nwaivers:\n  - entity: 'component:'\n    rule: zzz\n    reason: ''\n";
    let mut files = fact_catalog();
    files.push(("scorecards/broken.yaml", bad));
    files.push((
        "scorecards/two.yml",
        "name: Two\nlevels: [One]\nrules: []\n---\nname: again\n",
    ));
    files.push(("scorecards/syntax.yaml", "name: [unclosed\n"));
    let run = run(&files, "2027-01-01");
    let expected = [
        "scorecards/broken.yaml:2:18: error[S001] level `bronze` is listed twice",
        "scorecards/broken.yaml:3:1: error[S001] unknown field `colour` in a scorecard",
        "scorecards/broken.yaml:6:12: error[S001] level `Silver` is not one of the scorecard's levels (Bronze, bronze)",
        "scorecards/broken.yaml:7:11: error[S001] unknown fact `owner.resolvd` (did you mean `owner.resolved`?)",
        "scorecards/broken.yaml:12:12: error[S001] `gt` on the number fact `tags.count` needs a number fact and a number value",
        "scorecards/broken.yaml:17:12: error[S001] `(` is not a valid pattern: unclosed group\n",
        "scorecards/broken.yaml:18:5: error[S001] a rule needs one check",
        "scorecards/broken.yaml:22:13: error[S001] no `[[policies]]` entry of portolan.toml has the code `nobody/none`",
        "scorecards/broken.yaml:26:9: error[S001] unknown op `like`",
        "scorecards/broken.yaml:33:18: error[S001] `enforceFrom` must be a date written YYYY-MM-DD, not `2027-02-30`",
        "scorecards/broken.yaml:35:13: error[S001] `component:` is not an entity ref",
        "scorecards/broken.yaml:36:11: error[S001] the scorecard has no rule `zzz`",
        "scorecards/broken.yaml:37:13: error[S001] `reason` must not be empty",
        "scorecards/broken.yaml:35:5: error[S001] the waiver (every waiver ends, so it is reviewed again) has no `expires`",
        "scorecards/two.yml:5:1: error[S001] a scorecard file holds one YAML document; this is a second one",
        "scorecards/syntax.yaml:2:1: error[Y001]",
    ];
    for line in expected {
        assert!(
            run.concise.contains(line),
            "missing {line:?} in:\n{}",
            run.concise
        );
    }
    // No scorecard with errors is computed.
    assert!(run.scored.loaded.scorecards.is_empty());
    assert_eq!(run.scored.loaded.failed.len(), 3);
}

/// Commit `files` (path, content) to the repository at `dir` with the given
/// author and time (seconds since the epoch).
fn commit(repo: &git2::Repository, files: &[(&str, &str)], author: &str, time: i64, message: &str) {
    let dir = repo.workdir().unwrap().to_path_buf();
    let mut index = repo.index().unwrap();
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        index.add_path(std::path::Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let signature = git2::Signature::new(
        author,
        &format!("{author}@example.com"),
        &git2::Time::new(time, 0),
    )
    .unwrap();
    let parent = repo.head().ok().map(|h| h.peel_to_commit().unwrap());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .unwrap();
}

#[test]
fn git_facts_on_a_temporary_repository() {
    const DAY: i64 = 86_400;
    let head_time = 1_800_000_000;
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let component = |name: &str, description: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
        )
    };
    commit(
        &repo,
        &[
            ("a/catalog-info.yaml", &component("a", "first")),
            ("b/catalog-info.yaml", &component("b", "first")),
            (".github/CODEOWNERS", "* @acme/platform\n/b/\n"),
        ],
        "alice",
        head_time - 200 * DAY,
        "add a and b",
    );
    commit(
        &repo,
        &[("a/catalog-info.yaml", &component("a", "second"))],
        "alice",
        head_time - 30 * DAY,
        "edit a",
    );
    commit(
        &repo,
        &[("a/catalog-info.yaml", &component("a", "third"))],
        "bob",
        head_time - 10 * DAY - 3600,
        "edit a again",
    );
    commit(
        &repo,
        &[("README.md", "hello\n")],
        "carol",
        head_time,
        "readme",
    );
    let source = portolan_core::source::DirSource::new(dir.path()).unwrap();
    let run = run_with(
        &source,
        "2030-01-01",
        Some((dir.path().to_path_buf(), "HEAD".to_string())),
    );
    let a = run.facts("component:a");
    let b = run.facts("component:b");
    assert_eq!(a.get("git.days_since_change"), Some(&json!(10)));
    assert_eq!(a.get("git.commits_90d"), Some(&json!(2)));
    assert_eq!(a.get("git.authors_90d"), Some(&json!(2)));
    assert_eq!(a.get("git.codeowners"), Some(&json!(true)));
    assert_eq!(b.get("git.days_since_change"), Some(&json!(200)));
    assert_eq!(b.get("git.commits_90d"), Some(&json!(0)));
    assert_eq!(b.get("git.authors_90d"), Some(&json!(0)));
    assert_eq!(b.get("git.codeowners"), Some(&json!(false)));

    // The same facts read from the revision, as `--rev` does: relative to
    // the HEAD commit, whatever today is.
    let source = portolan_core::source::GitSource::open(dir.path(), "HEAD").unwrap();
    let again = run_with(
        &source,
        "2040-01-01",
        Some((dir.path().to_path_buf(), "HEAD".to_string())),
    );
    assert_eq!(again.facts("component:a"), a);

    // One revision earlier, `a` last changed 20 days before its head.
    let earlier = run_with(
        &source,
        "2040-01-01",
        Some((dir.path().to_path_buf(), "HEAD~2".to_string())),
    );
    assert_eq!(
        earlier.facts("component:a").get("git.days_since_change"),
        Some(&json!(0))
    );
    assert_eq!(
        earlier.facts("component:a").get("git.commits_90d"),
        Some(&json!(1))
    );
}

/// The published JSON Schema (for editors) agrees with the validation:
/// the example scorecards match it, and files S001 rejects for their
/// shape do not.
#[test]
fn published_schema_accepts_the_examples_and_rejects_broken_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("catalog-schema/scorecard.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let as_json = |text: &str| {
        let stream = portolan_core::yaml::parse_stream(text, Default::default());
        assert!(stream.errors.is_empty());
        stream.documents[0].root.to_json()
    };
    let examples = root.join("examples/acme/scorecards");
    let mut count = 0;
    for entry in std::fs::read_dir(examples).unwrap() {
        let path = entry.unwrap().path();
        let document = as_json(&std::fs::read_to_string(&path).unwrap());
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        count += 1;
    }
    assert_eq!(count, 2);
    assert!(validator.is_valid(&as_json(LADDER)));
    for broken in [
        "name: x\nlevels: []\nrules: []\n",
        "name: x\nlevels: [a]\nrules: [{id: r, level: a}]\n",
        "name: x\nlevels: [a]\nrules: [{id: r, level: a, fact: ci, policy: p}]\n",
        "name: x\nlevels: [a]\nrules: [{id: r, level: a, schema: {}, op: eq}]\n",
        "name: x\nlevels: [a]\nrules: []\nwaivers: [{entity: e, rule: r, reason: why}]\n",
        "name: x\nlevels: [a]\nrules: []\ncolour: red\n",
    ] {
        assert!(!validator.is_valid(&as_json(broken)), "{broken}");
    }
}

#[test]
fn git_facts_cache_is_reused_until_head_or_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    commit(
        &repo,
        &[("a.yaml", "a: 1\n")],
        "alice",
        1_800_000_000,
        "one",
    );
    let paths: BTreeSet<String> = ["a.yaml".to_string()].into();
    let mut cache = portolan_scorecard::git::GitFactsCache::default();
    let first = cache.collect(dir.path(), "HEAD", &paths, 100).unwrap();
    let again = cache.collect(dir.path(), "HEAD", &paths, 100).unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again));
    // Other files: collected again.
    let more: BTreeSet<String> = ["a.yaml".to_string(), "b.yaml".to_string()].into();
    let other = cache.collect(dir.path(), "HEAD", &more, 100).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &other));
    // A new commit: collected again, and it sees the change.
    commit(
        &repo,
        &[("b.yaml", "b: 1\n")],
        "bob",
        1_800_000_000 + 86_400,
        "two",
    );
    let after = cache.collect(dir.path(), "HEAD", &more, 100).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&other, &after));
    assert_eq!(after.entity_change(&["b.yaml".to_string()]).commits, 1);
    assert_eq!(other.entity_change(&["b.yaml".to_string()]).commits, 0);
}

#[test]
fn check_computes_only_the_facts_rules_read_and_keeps_none() {
    let mut files = fact_catalog();
    files.push((
        "scorecards/services.yaml",
        "name: Services\nselector: { type: service }\nlevels: [One]\nrules:\n  - { id: ci, level: One, fact: ci, value: true }\n  - id: tagged\n    level: One\n    schema: { properties: { entity: { required: [metadata] }, facts: { properties: { tags.count: { minimum: 0 } } } } }\n",
    ));
    CHECK_ONLY.with(|c| c.set(true));
    let quick = run(&files, "2027-01-01");
    CHECK_ONLY.with(|c| c.set(false));
    // The fact rule's fact and the one the schema reads: no git fact, so
    // check walks no history.
    let read = portolan_scorecard::facts_read(&quick.scored.loaded).expect("facts named");
    let names: Vec<&str> = (0..portolan_scorecard::FACTS.len())
        .filter(|&i| read.contains(i))
        .map(|i| portolan_scorecard::FACTS[i].name)
        .collect();
    assert_eq!(names, vec!["tags.count", "ci"]);
    // Check keeps no facts once the levels are worked out.
    assert!(quick.scored.facts.is_empty());
    assert_eq!(
        quick.level("services", "component:gateway").as_deref(),
        Some("One")
    );
    assert_eq!(quick.level("services", "component:bare"), None);
    // No gate reports on them: check works out levels, not rule states.
    let index = quick.scored.find("services").unwrap();
    assert!(
        quick.scored.scores[index]
            .iter()
            .all(|(_, s)| s.rules.is_empty())
    );
    // A schema that may read any fact makes every fact be computed.
    files.push((
        "scorecards/open.yaml",
        "name: Open\nlevels: [One]\nrules:\n  - id: x\n    level: One\n    schema: { properties: { facts: { additionalProperties: { type: [number, string, boolean, array, \"null\"] } } } }\n",
    ));
    let open = run(&files, "2027-01-01");
    assert!(portolan_scorecard::facts_read(&open.scored.loaded).is_none());
}

#[test]
fn one_history_gives_every_commit_on_its_line_the_facts_of_its_own_walk() {
    const DAY: i64 = 86_400;
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let files = ["a.yaml", "b.yaml", "c/d.yaml", "c/e.md"];
    // Twelve commits over 240 days by three authors, each changing one or
    // two of the files (one changes nothing the catalog reads twice).
    let mut seed = 7_u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    let mut oids = Vec::new();
    for k in 0..12 {
        let first = files[next() % files.len()];
        let second = files[next() % files.len()];
        let text = format!("k: {k}\n");
        commit(
            &repo,
            &[(first, &text), (second, &text)],
            ["alice", "bob", "carol"][next() % 3],
            1_800_000_000 + k as i64 * 20 * DAY,
            &format!("commit {k}"),
        );
        oids.push(repo.head().unwrap().target().unwrap());
    }
    let paths: BTreeSet<String> = files.iter().map(|f| f.to_string()).collect();
    let sets: Vec<Vec<String>> = vec![
        vec!["a.yaml".into()],
        vec!["b.yaml".into(), "c/e.md".into()],
        files.iter().map(|f| f.to_string()).collect(),
    ];
    let mut cache = portolan_scorecard::git::GitFactsCache::default();
    // Newest first, as trends go: every commit after the first is found
    // on the line the first one walked.
    for (k, oid) in oids.iter().enumerate().rev() {
        let rev = oid.to_string();
        for max in [3, 1000] {
            let alone =
                portolan_scorecard::git::GitFacts::collect(dir.path(), &rev, &paths, max).unwrap();
            let shared = cache.collect(dir.path(), &rev, &paths, max).unwrap();
            for set in &sets {
                assert_eq!(
                    shared.entity_change(set),
                    alone.entity_change(set),
                    "commit {k}, {set:?}, at most {max} commits"
                );
            }
        }
        // What changed between neighbours, from the walk, covers the trees'
        // differences exactly here (no change is undone).
        if k > 0 {
            let newer = repo.find_commit(*oid).unwrap().tree().unwrap();
            let older = repo.find_commit(oids[k - 1]).unwrap().tree().unwrap();
            let diffed: BTreeSet<String> =
                portolan_core::history::changed_paths(&repo, Some(&older), Some(&newer), "")
                    .into_iter()
                    .collect();
            assert_eq!(
                cache.changed_between(*oid, oids[k - 1]),
                Some(diffed),
                "commit {k}"
            );
        }
    }
    // Not on the line (older than newer, the wrong way round): none.
    assert_eq!(cache.changed_between(oids[0], oids[5]), None);
}
