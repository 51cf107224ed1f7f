//! `portolan build` and API changelogs: made from git history, reused from
//! the site the last build wrote, turned off by `[changelog] max_commits =
//! 0`, absent outside git.

use std::path::Path;
use std::process::Command;

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: pets
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./pets.yaml
";

const V1: &str = r#"openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets:
    get:
      responses:
        "200": { description: ok }
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: ok }
"#;

const V2: &str = r#"openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets:
    get:
      responses:
        "200": { description: ok }
"#;

fn commit_all(repo: &git2::Repository, message: &str, time: i64) {
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

/// `portolan build --out OUT -v` in `root`: (exit code, stderr).
fn build(root: &Path, out: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(["build", "--out", out.to_str().unwrap(), "-v"])
        .current_dir(root)
        .env("CI", "true")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const JSON: &str = "catalog/api/default/pets/changes.json";
const FEED: &str = "catalog/api/default/pets/changes.atom";

fn pets_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), CATALOG).unwrap();
    std::fs::write(dir.path().join("pets.yaml"), V1).unwrap();
    commit_all(&repo, "Add the pets API", 1_700_000_000);
    std::fs::write(dir.path().join("pets.yaml"), V2).unwrap();
    commit_all(&repo, "Drop GET /pets/{id}", 1_700_086_400);
    dir
}

#[test]
fn a_rebuild_reuses_the_comparisons_its_last_site_published() {
    let dir = pets_repository();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let (code, stderr) = build(dir.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("API changelogs: 1 comparison made"),
        "{stderr}"
    );
    let catalog = std::fs::read_to_string(site.join("catalog.json")).unwrap();
    assert!(catalog.contains("\"latestBreakingChange\""), "{catalog}");
    let feed = std::fs::read_to_string(site.join(FEED)).unwrap();
    assert!(feed.contains("<title>Drop GET /pets/{id}</title>"));

    let (code, stderr) = build(dir.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("API changelogs: 0 comparisons made"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(site.join(FEED)).unwrap(), feed);

    // A damaged cache is a cold one, not an error.
    std::fs::write(site.join(JSON), "{\"format\": 1, \"entries\": [").unwrap();
    let (code, stderr) = build(dir.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("API changelogs: 1 comparison made"),
        "{stderr}"
    );
}

#[test]
fn max_commits_zero_turns_changelogs_off() {
    let dir = pets_repository();
    std::fs::write(
        dir.path().join("portolan.toml"),
        "[changelog]\nmax_commits = 0\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let (code, stderr) = build(dir.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("API changelogs"), "{stderr}");
    assert!(!site.join(JSON).exists());
    assert!(!site.join(FEED).exists());
    let catalog = std::fs::read_to_string(site.join("catalog.json")).unwrap();
    assert!(!catalog.contains("latestBreakingChange"));
    let page = std::fs::read_to_string(site.join("catalog/api/default/pets/index.html")).unwrap();
    assert!(!page.contains("id=\"changes\""));
}

#[test]
fn outside_git_there_is_no_changelog() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog-info.yaml"), CATALOG).unwrap();
    std::fs::write(dir.path().join("pets.yaml"), V1).unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let (code, stderr) = build(dir.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("API changelogs"), "{stderr}");
    assert!(site.join("catalog/api/default/pets/index.html").exists());
    assert!(!site.join(JSON).exists());
    assert!(!site.join(FEED).exists());
    let catalog = std::fs::read_to_string(site.join("catalog.json")).unwrap();
    assert!(!catalog.contains("latestBreakingChange"));
}
