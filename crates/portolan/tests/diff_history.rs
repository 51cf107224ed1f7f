//! `portolan diff` on real history: two commits of DigitalOcean's public,
//! multi-file OpenAPI description (github.com/digitalocean/openapi), read
//! from a local mirror of that repository. The expectations come from the
//! upstream commits themselves (what their diffs remove and change), not
//! from portolan's output.
//!
//! The mirror is outside this repository: `$PORTOLAN_MIRRORS` (default
//! `/work/.mirror`) holding `digitalocean+openapi/repo`, a bare clone
//! (`git clone --bare https://github.com/digitalocean/openapi`). Without it
//! the tests print why and pass.
//!
//! Also here, from the corpus: the AsyncAPI streetlights example as the
//! AsyncAPI 2.6.0 and 3.0.0 specifications publish it (the same API in two
//! versions of the format: nothing changes for a client).

use std::path::{Path, PathBuf};
use std::process::Command;

fn mirror(name: &str) -> Option<PathBuf> {
    let root = std::env::var_os("PORTOLAN_MIRRORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/.mirror"));
    let repo = root.join(name).join("repo");
    if repo.join("objects").is_dir() {
        Some(repo)
    } else {
        eprintln!(
            "skipping: no mirror at {} (set PORTOLAN_MIRRORS to a directory holding {name}/repo)",
            repo.display()
        );
        None
    }
}

const DESCRIPTOR: &str = "apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: digitalocean}
spec:
  type: openapi
  lifecycle: production
  owner: cloud
  definition: {$text: ./specification/DigitalOcean-public.v2.yaml}
";

/// A repository whose commits hold `subtree` of the mirror's `commits` (no
/// copy: the mirror's objects are an alternate) plus a catalog descriptor.
/// Returns it and the new commits' ids.
fn catalog_history(
    mirror: &Path,
    subtree: &str,
    commits: &[&str],
) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init_bare(dir.path().join("catalog.git")).unwrap();
    std::fs::write(
        dir.path().join("catalog.git/objects/info/alternates"),
        format!("{}\n", mirror.join("objects").display()),
    )
    .unwrap();
    let repo = git2::Repository::open(repo.path()).unwrap();
    let upstream = git2::Repository::open_bare(mirror).unwrap();
    let descriptor = repo.blob(DESCRIPTOR.as_bytes()).unwrap();
    let sig = git2::Signature::new(
        "Test",
        "test@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    let mut ids = Vec::new();
    let mut parent: Option<git2::Oid> = None;
    for commit in commits {
        let tree = upstream
            .revparse_single(commit)
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .tree()
            .unwrap();
        let entry = tree.get_path(Path::new(subtree)).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert(subtree, entry.id(), 0o040000).unwrap();
        builder
            .insert("catalog-info.yaml", descriptor, 0o100644)
            .unwrap();
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let parents: Vec<git2::Commit> = parent
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = repo
            .commit(Some("HEAD"), &sig, &sig, commit, &tree, &parent_refs)
            .unwrap();
        ids.push(id.to_string());
        parent = Some(id);
    }
    (dir, ids)
}

fn diff_json(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args([
            "--root",
            "catalog.git",
            "diff",
            "--today",
            "2026-09-01",
            "--format",
            "json",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    (report, out.status.code().unwrap_or(-1))
}

fn changes(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["apis"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["changes"].as_array().unwrap().iter())
        .collect()
}

/// digitalocean/openapi 87e82da6 "Hide Secrets Manager from public API docs
/// until GA" comments out the seven operations of /v2/security/secrets in
/// the root file: each is a breaking removal, and nothing else breaks.
#[test]
fn removing_operations_from_the_root_file_breaks_exactly_those() {
    let Some(mirror) = mirror("digitalocean+openapi") else {
        return;
    };
    let (dir, ids) = catalog_history(&mirror, "specification", &["87e82da6~1", "87e82da6"]);
    let (report, code) = diff_json(dir.path(), &["--base", &ids[0], "--head", &ids[1]]);
    assert_eq!(code, 1);
    let mut removed: Vec<String> = changes(&report)
        .iter()
        .filter(|c| c["level"] == "breaking")
        .map(|c| {
            assert_eq!(c["code"], "C001", "{c}");
            c["operations"][0].as_str().unwrap().to_string()
        })
        .collect();
    removed.sort();
    assert_eq!(
        removed,
        [
            "DELETE /v2/security/secrets/{secret}",
            "GET /v2/security/secrets",
            "GET /v2/security/secrets/{secret}",
            "GET /v2/security/secrets/{secret}/versions",
            "POST /v2/security/secrets",
            "POST /v2/security/secrets/{secret}/restore",
            "PUT /v2/security/secrets/{secret}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>(),
        "{report:#}"
    );
}

/// digitalocean/openapi 7c1300c4 "update disk_info enum members" changes
/// only a file the root reaches through `$ref`s: a response enum loses
/// `remote` (clients never see it again: fine) and gains `boot` (clients
/// that switch on the value meet one they do not know: a warning, at the
/// line of that file).
#[test]
fn a_referenced_file_changes_a_response_enum() {
    let Some(mirror) = mirror("digitalocean+openapi") else {
        return;
    };
    let (dir, ids) = catalog_history(&mirror, "specification", &["7c1300c4~1", "7c1300c4"]);
    let (report, code) = diff_json(dir.path(), &["--base", &ids[0], "--head", &ids[1]]);
    assert_eq!(code, 0, "{report:#}");
    let all = changes(&report);
    assert!(all.iter().all(|c| c["level"] != "breaking"), "{report:#}");
    let widened: Vec<&&serde_json::Value> =
        all.iter().filter(|c| c["level"] == "warning").collect();
    assert_eq!(widened.len(), 1, "{report:#}");
    assert_eq!(widened[0]["code"], "C029");
    assert_eq!(
        widened[0]["file"],
        "specification/resources/sizes/models/disk_info.yml"
    );
    assert!(
        widened[0]["message"].as_str().unwrap().contains("\"boot\""),
        "{report:#}"
    );
}

/// The corpus' streetlights example in AsyncAPI 2.6.0 and in 3.0.0: the
/// same application described in two versions of the format.
#[test]
fn the_same_asyncapi_in_two_format_versions_has_no_changes() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/asyncapi");
    if !corpus.is_dir() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the corpus is missing at {} under CI",
            corpus.display()
        );
        eprintln!("skipping: no corpus at {}", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init_bare(dir.path().join("catalog.git")).unwrap();
    let sig = git2::Signature::new(
        "Test",
        "test@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    let descriptor = repo
        .blob(b"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: streetlights}\nspec: {type: asyncapi, lifecycle: production, owner: iot, definition: {$text: ./asyncapi.yaml}}\n")
        .unwrap();
    let mut ids = Vec::new();
    for file in [
        "asyncapi-spec-v2.6.0/examples/streetlights-mqtt.yml",
        "asyncapi-spec-v3.0.0/examples/streetlights-mqtt-asyncapi.yml",
    ] {
        let text = std::fs::read(corpus.join(file)).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder
            .insert("asyncapi.yaml", repo.blob(&text).unwrap(), 0o100644)
            .unwrap();
        builder
            .insert("catalog-info.yaml", descriptor, 0o100644)
            .unwrap();
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let parents: Vec<git2::Commit> = ids
            .last()
            .map(|id: &git2::Oid| repo.find_commit(*id).unwrap())
            .into_iter()
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        ids.push(
            repo.commit(Some("HEAD"), &sig, &sig, file, &tree, &parent_refs)
                .unwrap(),
        );
    }
    let (report, code) = diff_json(
        dir.path(),
        &["--base", &ids[0].to_string(), "--head", &ids[1].to_string()],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(changes(&report).len(), 0, "{report:#}");
    assert_eq!(report["apis"][0]["definitionChanged"], true);
}
