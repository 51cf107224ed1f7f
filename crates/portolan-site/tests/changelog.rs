//! An API's changelog in the portal: the "Changes" section of its page, the
//! changes page, the Atom feed, and `catalog.json`'s latest breaking change,
//! from the history of a temporary git repository.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::DirSource;
use portolan_diff::history::{ChangelogCache, ChangelogOptions, DefinitionFiles, changelogs};
use portolan_site::{BuildOptions, render};

const DESCRIPTOR: &str = "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: pets
  title: Pets
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

fn commit(repo: &git2::Repository, path: &str, text: &str, message: &str, time: i64) -> String {
    let full = repo.workdir().unwrap().join(path);
    std::fs::write(&full, text).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(path)).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("Ada Author", "ada@example.com", &git2::Time::new(time, 0)).unwrap();
    let parents: Vec<git2::Commit<'_>> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
        .to_string()
}

struct Built {
    files: std::collections::BTreeMap<String, Arc<[u8]>>,
    breaking: String,
}

impl Built {
    fn text(&self, path: &str) -> String {
        String::from_utf8(
            self.files
                .get(path)
                .unwrap_or_else(|| panic!("{path} missing"))
                .to_vec(),
        )
        .unwrap()
    }
}

/// A catalog of one API with three commits (added, a breaking change, a
/// change to the descriptor only), built with or without its changelog.
fn build(with_changelog: bool, hide_commit_messages: bool) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    commit(&repo, "pets.yaml", V1, "Add the pets API", 1_700_000_000);
    commit(
        &repo,
        "catalog-info.yaml",
        DESCRIPTOR,
        "Describe it",
        1_700_000_100,
    );
    let breaking = commit(
        &repo,
        "pets.yaml",
        V2,
        "Drop GET /pets/{id} <for good> & all",
        1_700_086_400,
    );
    let root: PathBuf = dir.path().to_path_buf();
    let source = DirSource::new(&root).unwrap();
    let config = Config::default();
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    let mut options = BuildOptions::new("test");
    options.base_url = "https://portal.example/".into();
    options.hide_commit_messages = hide_commit_messages;
    if with_changelog {
        let logs = changelogs(
            &root,
            "HEAD",
            &[DefinitionFiles {
                api: "api:default/pets".into(),
                root: "pets.yaml".into(),
                files: vec!["pets.yaml".into()],
            }],
            &ChangelogOptions::default(),
            &mut ChangelogCache::new(),
        )
        .unwrap();
        options.changelogs = Some(Arc::new(logs));
    }
    let output = render(&checked, &options).unwrap();
    Built {
        files: output.files,
        breaking,
    }
}

const PAGE: &str = "catalog/api/default/pets/index.html";
const CHANGES: &str = "catalog/api/default/pets/changes/index.html";
const FEED: &str = "catalog/api/default/pets/changes.atom";
const JSON: &str = "catalog/api/default/pets/changes.json";

#[test]
fn the_api_page_shows_its_changes() {
    let built = build(true, false);
    let page = built.text(PAGE);
    assert!(page.contains("<h2 id=\"changes\">Changes</h2>"), "{page}");
    assert!(page.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Changes to Pets\" href=\"https://portal.example/catalog/api/default/pets/changes.atom\">"
    ));
    assert!(page.contains("Drop GET /pets/{id} &lt;for good&gt; &amp; all"));
    assert!(page.contains("<span class=\"badge breaking\">breaking</span>"));
    assert!(page.contains("Latest breaking change: 2023-11-15."));
    // The descriptor-only commit is no change to the API.
    assert!(!page.contains("Describe it"));

    let changes = built.text(CHANGES);
    let articles = changes.matches("<article class=\"change\"").count();
    assert_eq!(articles, 2, "{changes}");
    assert!(changes.contains("<code>C001</code> operation GET /pets/{id} removed"));
    assert!(changes.contains("Ada Author"));
    assert!(changes.contains("API added"));
    // Newest first.
    assert!(changes.find("Drop GET").unwrap() < changes.find("Add the pets API").unwrap());
}

#[test]
fn the_feed_is_atom_with_one_entry_per_commit() {
    let built = build(true, false);
    let feed = built.text(FEED);
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let atom = "http://www.w3.org/2005/Atom";
    let root = doc.root_element();
    assert!(root.has_tag_name((atom, "feed")));
    let child = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((atom, name)))
            .unwrap_or_else(|| panic!("no {name}"))
            .text()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(child(root, "updated"), "2023-11-15T22:13:20Z");
    assert!(child(root, "id").starts_with("urn:uuid:"));
    let entries: Vec<_> = root
        .children()
        .filter(|c| c.has_tag_name((atom, "entry")))
        .collect();
    let titles: Vec<String> = entries.iter().map(|e| child(*e, "title")).collect();
    assert_eq!(
        titles,
        vec!["Drop GET /pets/{id} <for good> & all", "Add the pets API"]
    );
    let updated: Vec<String> = entries.iter().map(|e| child(*e, "updated")).collect();
    assert_eq!(
        updated,
        vec!["2023-11-15T22:13:20Z", "2023-11-14T22:13:20Z"]
    );
    let ids: Vec<String> = entries.iter().map(|e| child(*e, "id")).collect();
    assert_ne!(ids[0], ids[1]);
    assert!(
        child(entries[0], "content").contains("breaking C001: operation GET /pets/{id} removed")
    );
    let link = entries[0]
        .children()
        .find(|c| c.has_tag_name((atom, "link")))
        .unwrap();
    assert!(
        link.attribute("href")
            .unwrap()
            .starts_with("https://portal.example/catalog/api/default/pets/changes/#commit-")
    );
    // The same history gives the same bytes.
    assert_eq!(build(true, false).text(FEED).len(), feed.len());
}

#[test]
fn catalog_json_has_the_latest_breaking_change() {
    let built = build(true, false);
    let catalog: serde_json::Value = serde_json::from_str(&built.text("catalog.json")).unwrap();
    let api = catalog["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ref"] == "api:default/pets")
        .unwrap();
    assert_eq!(
        api["api"]["latestBreakingChange"],
        serde_json::json!({ "date": "2023-11-15T22:13:20Z", "commit": built.breaking })
    );
    assert_eq!(api["api"]["changes"], JSON);
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog-schema/catalog.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&catalog)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn audience_builds_leave_subjects_and_authors_out() {
    let built = build(true, true);
    for path in [PAGE, CHANGES, FEED, JSON] {
        let text = built.text(path);
        assert!(!text.contains("Drop GET"), "{path}: {text}");
        assert!(!text.contains("Ada Author"), "{path}: {text}");
    }
    // The changes themselves are the API's, which the audience sees.
    assert!(built.text(CHANGES).contains("<code>C001</code>"));
}

#[test]
fn no_changelog_no_section_feed_or_field() {
    let built = build(false, false);
    assert!(!built.text(PAGE).contains("id=\"changes\""));
    assert!(!built.text(PAGE).contains("application/atom+xml"));
    for path in [CHANGES, FEED, JSON] {
        assert!(!built.files.contains_key(path), "{path}");
    }
    assert!(!built.text("catalog.json").contains("latestBreakingChange"));
}
