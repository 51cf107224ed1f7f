//! Changelogs from the history of a temporary git repository.

use std::path::Path;

use portolan_diff::Level;
use portolan_diff::history::{
    ChangelogCache, ChangelogOptions, DefinitionFiles, Event, changelogs, published_json,
};

/// Commit `files` (path, text; `None` deletes) on HEAD, at `time`.
fn commit(
    repo: &git2::Repository,
    files: &[(&str, Option<&str>)],
    message: &str,
    time: i64,
) -> String {
    let workdir = repo.workdir().unwrap();
    let mut index = repo.index().unwrap();
    for (path, text) in files {
        let full = workdir.join(path);
        match text {
            Some(text) => {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, text).unwrap();
                index.add_path(Path::new(path)).unwrap();
            }
            None => {
                std::fs::remove_file(&full).unwrap();
                index.remove_path(Path::new(path)).unwrap();
            }
        }
    }
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

const PETS_V1: &str = r#"openapi: 3.0.3
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

/// V1 plus an operation: not breaking.
const PETS_V2: &str = r#"openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets:
    get:
      responses:
        "200": { description: ok }
    post:
      responses:
        "201": { description: created }
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: ok }
"#;

/// V2 without `GET /pets/{id}`: breaking.
const PETS_V3: &str = r#"openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets:
    get:
      responses:
        "200": { description: ok }
    post:
      responses:
        "201": { description: created }
"#;

fn pets() -> DefinitionFiles {
    DefinitionFiles {
        api: "api:default/pets".into(),
        root: "apis/pets.yaml".into(),
        files: vec!["apis/pets.yaml".into()],
    }
}

struct PetsRepo {
    dir: tempfile::TempDir,
    added: String,
    post: String,
    removed: String,
}

fn pets_repo() -> PetsRepo {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    commit(&repo, &[("README.md", Some("hello"))], "start", 1_000_000);
    let added = commit(
        &repo,
        &[("apis/pets.yaml", Some(PETS_V1))],
        "Add the pets API",
        2_000_000,
    );
    let post = commit(
        &repo,
        &[("apis/pets.yaml", Some(PETS_V2))],
        "Add POST /pets\n\nSo pets can be made.",
        3_000_000,
    );
    commit(
        &repo,
        &[("README.md", Some("hello again"))],
        "Touch the readme",
        4_000_000,
    );
    let removed = commit(
        &repo,
        &[("apis/pets.yaml", Some(PETS_V3))],
        "Drop GET /pets/{id}",
        5_000_000,
    );
    PetsRepo {
        dir,
        added,
        post,
        removed,
    }
}

#[test]
fn lists_the_commits_that_touched_the_definition_with_their_levels() {
    let fixture = pets_repo();
    let mut cache = ChangelogCache::new();
    let logs = changelogs(
        fixture.dir.path(),
        "HEAD",
        &[pets()],
        &ChangelogOptions::default(),
        &mut cache,
    )
    .unwrap();
    let log = &logs["api:default/pets"];
    let listed: Vec<(&str, &str, Event, Option<Level>)> = log
        .entries
        .iter()
        .map(|e| (e.commit.as_str(), e.subject.as_str(), e.event, e.level()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                fixture.removed.as_str(),
                "Drop GET /pets/{id}",
                Event::Changed,
                Some(Level::Breaking)
            ),
            (
                fixture.post.as_str(),
                "Add POST /pets",
                Event::Changed,
                Some(Level::Info)
            ),
            (
                fixture.added.as_str(),
                "Add the pets API",
                Event::Added,
                None
            ),
        ]
    );
    let removed = &log.entries[0];
    assert_eq!(removed.author, "Ada Author");
    assert_eq!(removed.time, 5_000_000);
    assert_eq!(removed.changes.len(), 1);
    assert_eq!(removed.changes[0].code, "C001");
    assert_eq!(removed.changes[0].operations, vec!["GET /pets/{id}"]);
    assert_eq!(log.latest_breaking().unwrap().commit, fixture.removed);
    assert_eq!(log.head_time, 5_000_000);
    // Two comparisons: the commit that added the file needs none.
    assert_eq!(cache.diffs_run(), 2);
}

#[test]
fn max_commits_bounds_the_list() {
    let fixture = pets_repo();
    let options = ChangelogOptions {
        max_commits: 2,
        ..ChangelogOptions::default()
    };
    let logs = changelogs(
        fixture.dir.path(),
        "HEAD",
        &[pets()],
        &options,
        &mut ChangelogCache::new(),
    )
    .unwrap();
    let commits: Vec<&str> = logs["api:default/pets"]
        .entries
        .iter()
        .map(|e| e.commit.as_str())
        .collect();
    assert_eq!(
        commits,
        vec![fixture.removed.as_str(), fixture.post.as_str()]
    );
}

#[test]
fn a_second_run_compares_nothing_again() {
    let fixture = pets_repo();
    let mut cache = ChangelogCache::new();
    let options = ChangelogOptions::default();
    let first = changelogs(fixture.dir.path(), "HEAD", &[pets()], &options, &mut cache).unwrap();
    assert_eq!(cache.diffs_run(), 2);
    // In memory (`serve`).
    let second = changelogs(fixture.dir.path(), "HEAD", &[pets()], &options, &mut cache).unwrap();
    assert_eq!(cache.diffs_run(), 2);
    assert_eq!(first, second);
    // Through the published JSON of the last build (`build`), even an
    // audience build's, which leaves subjects out.
    let published = published_json("api:default/pets", &first["api:default/pets"], true);
    let mut cold = ChangelogCache::new();
    assert!(cold.absorb_published(published.as_bytes()));
    assert_eq!(cold.len(), 3);
    let third = changelogs(fixture.dir.path(), "HEAD", &[pets()], &options, &mut cold).unwrap();
    assert_eq!(cold.diffs_run(), 0);
    assert_eq!(first, third);
}

#[test]
fn a_damaged_published_changelog_is_a_cold_cache() {
    let mut cache = ChangelogCache::new();
    for bad in [
        &b""[..],
        b"{",
        b"[]",
        b"{\"format\": 1}",
        b"{\"format\": 2, \"entries\": []}",
        b"{\"format\": 1, \"entries\": [{\"key\": \"x\", \"event\": \"exploded\", \"changes\": []}]}",
        b"{\"format\": 1, \"entries\": [{\"key\": 7, \"event\": \"added\", \"changes\": []}]}",
    ] {
        assert!(!cache.absorb_published(bad), "{}", String::from_utf8_lossy(bad));
    }
    // A well-formed file whose keys are not hashes adds nothing.
    assert!(cache.absorb_published(
        b"{\"format\": 1, \"entries\": [{\"key\": \"../../etc\", \"event\": \"added\", \"changes\": []}]}"
    ));
    assert!(cache.is_empty());
}

#[test]
fn a_change_in_a_referenced_file_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let root = r#"openapi: 3.0.3
info: { title: Pets, version: "1" }
paths:
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "schemas.yaml#/Pet" }
"#;
    let with_name = "Pet:\n  type: object\n  required: [id, name]\n  properties:\n    id: { type: string }\n    name: { type: string }\n";
    let without_name =
        "Pet:\n  type: object\n  required: [id]\n  properties:\n    id: { type: string }\n";
    commit(
        &repo,
        &[
            ("cat/api.yaml", Some(root)),
            ("cat/schemas.yaml", Some(with_name)),
        ],
        "Add the API",
        1_000_000,
    );
    let changed = commit(
        &repo,
        &[("cat/schemas.yaml", Some(without_name))],
        "Pets lose their names",
        2_000_000,
    );
    let definition = DefinitionFiles {
        api: "api:default/pets".into(),
        root: "api.yaml".into(),
        files: vec!["api.yaml".into(), "schemas.yaml".into()],
    };
    // The catalog root is a subdirectory of the work tree.
    let logs = changelogs(
        &dir.path().join("cat"),
        "HEAD",
        &[definition],
        &ChangelogOptions::default(),
        &mut ChangelogCache::new(),
    )
    .unwrap();
    let entries = &logs["api:default/pets"].entries;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].commit, changed);
    let codes: Vec<(&str, Level, Option<&str>)> = entries[0]
        .changes
        .iter()
        .map(|c| (c.code.as_str(), c.level, c.file.as_deref()))
        .collect();
    assert_eq!(
        codes,
        vec![("C036", Level::Breaking, Some("schemas.yaml"))],
        "{:#?}",
        entries[0].changes
    );
    assert_eq!(entries[1].event, Event::Added);
}

#[test]
fn a_revision_that_does_not_read_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    commit(
        &repo,
        &[("api.yaml", Some(PETS_V1))],
        "Add the API",
        1_000_000,
    );
    commit(
        &repo,
        &[("api.yaml", Some("openapi: [unclosed\n"))],
        "Break the file",
        2_000_000,
    );
    let fixed = commit(&repo, &[("api.yaml", Some(PETS_V2))], "Fix it", 3_000_000);
    let definition = DefinitionFiles {
        api: "a".into(),
        root: "api.yaml".into(),
        files: vec!["api.yaml".into()],
    };
    let logs = changelogs(
        dir.path(),
        "HEAD",
        &[definition],
        &ChangelogOptions::default(),
        &mut ChangelogCache::new(),
    )
    .unwrap();
    let entries = &logs["a"].entries;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].commit, fixed);
    assert!(
        entries[0]
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("the previous revision does not read")),
        "{:?}",
        entries[0].note
    );
    assert!(
        entries[1]
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("this revision does not read")),
        "{:?}",
        entries[1].note
    );
}

#[test]
fn bare_repositories_and_no_repository() {
    let fixture = pets_repo();
    let bare_dir = tempfile::tempdir().unwrap();
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(
            fixture.dir.path().to_str().unwrap(),
            &bare_dir.path().join("pets.git"),
        )
        .unwrap();
    let logs = changelogs(
        &bare_dir.path().join("pets.git"),
        "HEAD",
        &[pets()],
        &ChangelogOptions::default(),
        &mut ChangelogCache::new(),
    )
    .unwrap();
    assert_eq!(logs["api:default/pets"].entries.len(), 3);

    let plain = tempfile::tempdir().unwrap();
    assert_eq!(
        changelogs(
            plain.path(),
            "HEAD",
            &[pets()],
            &ChangelogOptions::default(),
            &mut ChangelogCache::new()
        ),
        None
    );
}

#[test]
fn a_new_commit_is_compared_and_only_it() {
    // `serve` asks on every rebuild with one cache: a commit made since the
    // last question must show up, and cost one comparison.
    let fixture = pets_repo();
    let mut cache = ChangelogCache::new();
    let options = ChangelogOptions::default();
    let first = changelogs(fixture.dir.path(), "HEAD", &[pets()], &options, &mut cache).unwrap();
    assert_eq!(first["api:default/pets"].entries.len(), 3);
    let repo = git2::Repository::open(fixture.dir.path()).unwrap();
    let newest = commit(
        &repo,
        &[("apis/pets.yaml", Some(PETS_V1))],
        "Bring GET /pets/{id} back, drop POST",
        6_000_000,
    );
    let second = changelogs(fixture.dir.path(), "HEAD", &[pets()], &options, &mut cache).unwrap();
    let entries = &second["api:default/pets"].entries;
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0].commit, newest);
    assert_eq!(entries[0].level(), Some(Level::Breaking));
    assert_eq!(cache.diffs_run(), 3);
}

#[test]
fn history_ends_where_the_clone_does() {
    // Regression: in a shallow clone (CI's `fetch-depth`) the commit at the
    // boundary has no parent as far as git knows; comparing it with
    // nothing listed it as the commit that added the API.
    let fixture = pets_repo();
    // `.git/shallow` names the boundary: the commit that added POST.
    std::fs::write(
        fixture.dir.path().join(".git/shallow"),
        format!("{}\n", fixture.post),
    )
    .unwrap();
    let logs = changelogs(
        fixture.dir.path(),
        "HEAD",
        &[pets()],
        &ChangelogOptions::default(),
        &mut ChangelogCache::new(),
    )
    .unwrap();
    let entries: Vec<(&str, Event)> = logs["api:default/pets"]
        .entries
        .iter()
        .map(|e| (e.commit.as_str(), e.event))
        .collect();
    // What the boundary commit changed is unknown: it is not listed.
    assert_eq!(entries, vec![(fixture.removed.as_str(), Event::Changed)]);
}

/// Revisions read in shared units (block YAML) and revisions loaded whole
/// (JSON text; YAML with an anchor) follow each other in one history: each
/// commit's changes are what `diff` finds between the two files.
#[test]
fn revisions_read_in_units_or_whole_give_the_same_changes() {
    use portolan_apis::RootDocument;
    use portolan_core::source::GitSource;
    let block = |limit: u32, required: bool| {
        format!(
            "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\npaths:\n  /pets:\n    get:\n      parameters:\n        - name: limit\n          in: query\n          required: {required}\n          schema:\n            $ref: '#/components/schemas/limit'\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/pet'\ncomponents:\n  schemas:\n    limit:\n      type: integer\n      maximum: {limit}\n    pet:\n      type: object\n      required:\n        - id\n      properties:\n        id:\n          type: string\n        owner:\n          $ref: '#/components/schemas/owner'\n    owner:\n      type: object\n      properties:\n        name:\n          type: string\n"
        )
    };
    let json = serde_json::to_string_pretty(
        &portolan_core::yaml::parse_stream(&block(50, false), Default::default()).documents[0]
            .root
            .to_json(),
    )
    .unwrap();
    let anchored = block(20, true).replace(
        "    limit:\n      type: integer",
        "    limit: &limit\n      type: integer",
    );
    let texts = [
        block(100, false),
        block(50, false),
        json,
        block(20, false),
        anchored,
        block(20, true).replace(
            "          type: string\n    owner",
            "          type: integer\n    owner",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let mut commits = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        commits.push(commit(
            &repo,
            &[("apis/pets.yaml", Some(text.as_str()))],
            &format!("revision {i}"),
            1_000_000 + i as i64 * 1000,
        ));
    }
    let mut cache = ChangelogCache::new();
    let logs = changelogs(
        dir.path(),
        "HEAD",
        &[pets()],
        &ChangelogOptions::default(),
        &mut cache,
    )
    .unwrap();
    let entries = &logs["api:default/pets"].entries;
    assert_eq!(entries.len(), texts.len());
    let mut with_changes = 0;
    for pair in commits.windows(2) {
        let (base_id, head_id) = (&pair[0], &pair[1]);
        let entry = entries.iter().find(|e| &e.commit == head_id).unwrap();
        let base = GitSource::open(dir.path(), base_id).unwrap();
        let head = GitSource::open(dir.path(), head_id).unwrap();
        let today = portolan_diff::Date::parse(&portolan_core::history::format_date(entry.time));
        let (_, head_revision, report) = portolan_diff::diff_sources(
            (&base, RootDocument::File("apis/pets.yaml")),
            (&head, RootDocument::File("apis/pets.yaml")),
            &portolan_diff::DiffOptions {
                today,
                ..Default::default()
            },
        );
        let expected: Vec<(String, Level, String, Option<u32>)> = report
            .changes
            .iter()
            .map(|c| {
                (
                    c.code.code.to_string(),
                    c.level,
                    c.message.clone(),
                    Some(head_revision.files[0].line_col(c.head.span.start).line),
                )
            })
            .collect();
        let logged: Vec<(String, Level, String, Option<u32>)> = entry
            .changes
            .iter()
            .map(|c| (c.code.clone(), c.level, c.message.clone(), c.line))
            .collect();
        assert_eq!(logged, expected, "commit {head_id}");
        with_changes += usize::from(!logged.is_empty());
    }
    assert!(with_changes >= 3, "{with_changes} commits with changes");
}
