//! API changelogs from git history: for each API definition, the commits
//! on the first-parent line of a revision that changed one of its files,
//! newest first, each with the changes it made classified as [`crate::diff`]
//! classifies them against its first parent.
//!
//! A definition's files are the ones the caller names: its root file and
//! the files its `$ref`s reach in the newest revision (what `build` loaded).
//! A file a definition referenced only in the past and no longer does is not
//! followed; its commits are listed only if they also touched a current one.
//! Definitions written inline in a descriptor have no file of their own and
//! get no changelog.
//!
//! Every revision is read through [`GitSource`] (no checkout; bare
//! repositories work), each distinct state of a definition loaded once,
//! several at a time. The result of each comparison is kept in a
//! [`ChangelogCache`] under the blob ids of the definition's files on both
//! sides, so a rebuild compares only commits it has not seen. `build`
//! persists that cache in the site it publishes (the per-API JSON of
//! [`published_json`]) and reads it back with
//! [`ChangelogCache::absorb_published`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use portolan_apis::{LoadLimits, RootDocument};
use portolan_core::source::GitSource;
use portolan_core::yaml_chunks::ChunkCache;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Date, DiffOptions, DiffReport, Level, NotCompared, Revision, ShardedRevision, UnitCache, diff,
    diff_sharded,
};

/// Version of the published changelog JSON; a previous site's file of
/// another version is not read back.
pub const FORMAT_VERSION: u64 = 1;

/// One API definition whose changelog is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionFiles {
    /// The caller's name for it (the entity ref); the key of the result.
    pub api: String,
    /// The root file, catalog-relative.
    pub root: String,
    /// Every file of the definition, root included, catalog-relative.
    pub files: Vec<String>,
}

/// How much history to read.
#[derive(Debug, Clone, Copy)]
pub struct ChangelogOptions {
    /// Most commits listed per definition.
    pub max_commits: usize,
    /// Most commits walked in all, so a definition that rarely changes does
    /// not make a build read a long history to its root.
    pub max_walk: usize,
    pub limits: LoadLimits,
}

impl Default for ChangelogOptions {
    fn default() -> Self {
        ChangelogOptions {
            max_commits: 50,
            max_walk: 10_000,
            limits: LoadLimits::default(),
        }
    }
}

/// What a commit did to a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// The root file appeared: the API was added.
    Added,
    /// The definition changed; `changes` say how.
    Changed,
    /// The root file went away (the definition was moved or deleted, and
    /// is back in a later commit).
    Removed,
}

/// One classified change, as a changelog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedChange {
    /// `C036`.
    pub code: String,
    pub level: Level,
    pub message: String,
    /// `GET /payments/{id}`, sorted; empty for document-wide changes.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Where it is in the commit's revision (catalog-relative file, 1-based
    /// line), when it has a place there.
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
}

/// One commit of a changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogEntry {
    /// Full hexadecimal id.
    pub commit: String,
    /// Committer time, seconds since the Unix epoch (UTC).
    pub time: i64,
    pub author: String,
    /// First line of the message.
    pub subject: String,
    pub event: Event,
    /// Why the changes could not be listed (a revision that does not read
    /// as an API definition), when they could not.
    pub note: Option<String>,
    /// Sorted as [`crate::DiffReport::changes`].
    pub changes: Arc<Vec<LoggedChange>>,
    /// The cache key of the comparison (see [`ChangelogCache`]).
    pub key: String,
}

impl ChangelogEntry {
    pub fn short_id(&self) -> &str {
        &self.commit[..self.commit.len().min(10)]
    }

    /// The highest level among its changes, if any.
    pub fn level(&self) -> Option<Level> {
        self.changes.iter().map(|c| c.level).max()
    }

    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }
}

/// The changelog of one definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changelog {
    /// Newest first.
    pub entries: Vec<ChangelogEntry>,
    /// Time of the revision the history was read from (a feed's `updated`
    /// when no commit touched the definition).
    pub head_time: i64,
}

impl Changelog {
    /// The newest entry with a breaking change.
    pub fn latest_breaking(&self) -> Option<&ChangelogEntry> {
        self.entries
            .iter()
            .find(|e| e.level() == Some(Level::Breaking))
    }
}

/// The result of one comparison, under its key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Compared {
    event: Event,
    note: Option<String>,
    changes: Arc<Vec<LoggedChange>>,
}

/// Comparisons already made, by key: a hash of the tool's version, the load
/// limits, the commit's date (`x-sunset` dates are compared with it), and
/// the path and blob id of every file of the definition in the commit and
/// in its parent. The same blobs give the same changes, whatever commits
/// hold them.
#[derive(Debug, Default)]
pub struct ChangelogCache {
    compared: HashMap<String, Compared>,
    /// The last result, with what it was made from (the commit walked
    /// from, the definitions, the options): `serve` asks again on every
    /// rebuild, and while no commit is made the answer is the same without
    /// walking the history again.
    last: Option<(String, Vec<DefinitionFiles>, BTreeMap<String, Changelog>)>,
    /// Comparisons made (revisions loaded and diffed) since the cache was
    /// made: a rebuild with nothing new adds none.
    diffs_run: usize,
}

impl ChangelogCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many comparisons were made through this cache.
    pub fn diffs_run(&self) -> usize {
        self.diffs_run
    }

    /// How many results it holds.
    pub fn len(&self) -> usize {
        self.compared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.compared.is_empty()
    }

    /// Take the results a changelog published by an earlier build holds
    /// ([`published_json`]). The bytes come from the output directory and
    /// are not trusted: anything that does not parse as the expected shape
    /// adds nothing (`false`), and a key that is not a 40-digit hex hash is
    /// skipped. A result is only ever found again under the key it was
    /// stored under, which covers the tool's version.
    pub fn absorb_published(&mut self, bytes: &[u8]) -> bool {
        let Ok(published) = serde_json::from_slice::<Published>(bytes) else {
            return false;
        };
        if published.format != FORMAT_VERSION {
            return false;
        }
        for entry in published.entries {
            if !is_key(&entry.key) {
                continue;
            }
            self.compared.insert(
                entry.key,
                Compared {
                    event: entry.event,
                    note: entry.note,
                    changes: Arc::new(entry.changes),
                },
            );
        }
        true
    }
}

fn is_key(key: &str) -> bool {
    key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The published changelog JSON, as read back.
#[derive(Deserialize)]
struct Published {
    format: u64,
    entries: Vec<PublishedEntry>,
}

#[derive(Deserialize)]
struct PublishedEntry {
    key: String,
    event: Event,
    #[serde(default)]
    note: Option<String>,
    changes: Vec<LoggedChange>,
}

/// A changelog as the site publishes it (`changes.json` beside the API's
/// page): for scripts, and read back by the next build as its cache. With
/// `hide_commit_messages` (audience builds) authors and subjects are left
/// out.
pub fn published_json(api: &str, changelog: &Changelog, hide_commit_messages: bool) -> String {
    let entries: Vec<serde_json::Value> = changelog
        .entries
        .iter()
        .map(|e| {
            let mut entry = serde_json::Map::new();
            entry.insert("commit".into(), e.commit.clone().into());
            entry.insert(
                "date".into(),
                portolan_core::history::format_timestamp(e.time).into(),
            );
            if !hide_commit_messages {
                entry.insert("author".into(), e.author.clone().into());
                entry.insert("subject".into(), e.subject.clone().into());
            }
            entry.insert(
                "event".into(),
                serde_json::to_value(e.event).unwrap_or_default(),
            );
            if let Some(note) = &e.note {
                entry.insert("note".into(), note.clone().into());
            }
            entry.insert("key".into(), e.key.clone().into());
            entry.insert(
                "changes".into(),
                serde_json::to_value(&*e.changes).unwrap_or_default(),
            );
            serde_json::Value::Object(entry)
        })
        .collect();
    let document = serde_json::json!({
        "format": FORMAT_VERSION,
        "generator": { "name": "portolan", "version": env!("CARGO_PKG_VERSION") },
        "api": api,
        "entries": entries,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// A commit, as the walk found it.
#[derive(Debug, Clone)]
struct CommitInfo {
    id: git2::Oid,
    time: i64,
    author: String,
    subject: String,
}

/// The state of one definition in one revision: the blob id of each of its
/// files (`None`: absent).
type State = Vec<Option<git2::Oid>>;

/// A commit that touched a definition, before it is compared.
struct Touch {
    definition: usize,
    commit: Arc<CommitInfo>,
    parent: Option<git2::Oid>,
    head: State,
    base: State,
    key: String,
}

/// The changelogs of `definitions` in the first-parent history of `rev`, in
/// the git repository holding `root` (the catalog root: a work tree, one of
/// its directories, or a bare repository), keyed by
/// [`DefinitionFiles::api`]. `None` when `root` is in no repository or
/// `rev` does not resolve to a commit: there is no history, which is not an
/// error. Comparisons found in `cache` are not made again; afterwards the
/// cache holds exactly the results these changelogs use.
pub fn changelogs(
    root: &Path,
    rev: &str,
    definitions: &[DefinitionFiles],
    options: &ChangelogOptions,
    cache: &mut ChangelogCache,
) -> Option<BTreeMap<String, Changelog>> {
    let repo = git2::Repository::discover(root).ok()?;
    let head = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
    let head_time = head.time().seconds();
    let asked = format!(
        "{} {} {} {:?}",
        head.id(),
        options.max_commits,
        options.max_walk,
        options.limits
    );
    if let Some((last, last_definitions, logs)) = &cache.last
        && *last == asked
        && last_definitions == definitions
    {
        return Some(logs.clone());
    }
    let prefix = portolan_core::history::subdir_of(&repo, root)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let touches = walk(&repo, &head, &prefix, definitions, options);
    let results = compare_all(root, definitions, &touches, options, cache);
    let mut logs: BTreeMap<String, Changelog> = definitions
        .iter()
        .map(|d| {
            (
                d.api.clone(),
                Changelog {
                    entries: Vec::new(),
                    head_time,
                },
            )
        })
        .collect();
    let mut used: HashMap<String, Compared> = HashMap::new();
    for touch in &touches {
        let Some(compared) = results.get(&touch.key) else {
            continue;
        };
        used.entry(touch.key.clone())
            .or_insert_with(|| compared.clone());
        if let Some(log) = logs.get_mut(&definitions[touch.definition].api) {
            log.entries.push(ChangelogEntry {
                commit: touch.commit.id.to_string(),
                time: touch.commit.time,
                author: touch.commit.author.clone(),
                subject: touch.commit.subject.clone(),
                event: compared.event,
                note: compared.note.clone(),
                changes: compared.changes.clone(),
                key: touch.key.clone(),
            });
        }
    }
    cache.compared = used;
    cache.last = Some((asked, definitions.to_vec(), logs.clone()));
    Some(logs)
}

/// The commits that touched each definition, newest first, at most
/// `max_commits` each: one walk for all of them, each commit's tree
/// compared with its first parent's once.
fn walk(
    repo: &git2::Repository,
    head: &git2::Commit<'_>,
    prefix: &str,
    definitions: &[DefinitionFiles],
    options: &ChangelogOptions,
) -> Vec<Touch> {
    let mut touches = Vec::new();
    if options.max_commits == 0 || definitions.is_empty() {
        return touches;
    }
    let in_repo = |path: &str| match prefix {
        "" => path.to_string(),
        prefix => format!("{prefix}/{path}"),
    };
    // Catalog path → the definitions holding it.
    let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, definition) in definitions.iter().enumerate() {
        for file in &definition.files {
            holders.entry(file.as_str()).or_default().push(i);
        }
    }
    let mut listed = vec![0usize; definitions.len()];
    let mut open = definitions.len();
    let Ok(mut revwalk) = repo.revwalk() else {
        return touches;
    };
    if revwalk.push(head.id()).is_err() || revwalk.simplify_first_parent().is_err() {
        return touches;
    }
    // In a shallow clone the oldest commits present look parentless; what
    // they changed is unknown, so the history ends before them.
    let shallow = repo.is_shallow();
    for oid in revwalk.take(options.max_walk) {
        if open == 0 {
            break;
        }
        let Ok(commit) = oid.and_then(|oid| repo.find_commit(oid)) else {
            break;
        };
        if shallow && commit.parent_count() == 0 {
            break;
        }
        let Ok(tree) = commit.tree() else { continue };
        let parent = commit.parent(0).ok();
        let parent_tree = parent.as_ref().and_then(|p| p.tree().ok());
        if parent_tree.as_ref().is_some_and(|p| p.id() == tree.id()) {
            continue;
        }
        let changed =
            portolan_core::history::changed_paths(repo, parent_tree.as_ref(), Some(&tree), prefix);
        let mut touched: Vec<usize> = changed
            .iter()
            .filter_map(|p| holders.get(p.as_str()))
            .flatten()
            .copied()
            .filter(|&i| listed[i] < options.max_commits)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        if touched.is_empty() {
            continue;
        }
        let info = Arc::new(CommitInfo {
            id: commit.id(),
            time: commit.time().seconds(),
            author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
            subject: commit
                .summary_bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        });
        let state_of = |tree: Option<&git2::Tree<'_>>, definition: &DefinitionFiles| -> State {
            definition
                .files
                .iter()
                .map(|f| {
                    let entry = tree?.get_path(Path::new(&in_repo(f))).ok()?;
                    (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id())
                })
                .collect()
        };
        for i in touched {
            let definition = &definitions[i];
            let head_state = state_of(Some(&tree), definition);
            let base_state = state_of(parent_tree.as_ref(), definition);
            let root = definition.files.iter().position(|f| *f == definition.root);
            let has_root = |state: &State| root.is_some_and(|r| state[r].is_some());
            // A mode change; or a shared file that changed while this
            // definition did not exist.
            if head_state == base_state || !(has_root(&head_state) || has_root(&base_state)) {
                continue;
            }
            listed[i] += 1;
            // Before the commit that added it, the definition has no
            // history to list.
            if listed[i] == options.max_commits || !has_root(&base_state) {
                listed[i] = options.max_commits;
                open -= 1;
            }
            let key = cache_key(definition, &info, &base_state, &head_state, options);
            touches.push(Touch {
                definition: i,
                commit: info.clone(),
                parent: parent.as_ref().map(|p| p.id()),
                head: head_state,
                base: base_state,
                key,
            });
        }
    }
    touches
}

fn cache_key(
    definition: &DefinitionFiles,
    commit: &CommitInfo,
    base: &State,
    head: &State,
    options: &ChangelogOptions,
) -> String {
    let date = portolan_core::history::format_date(commit.time);
    let mut text = format!(
        "portolan {}\nlimits {:?}\ndate {date}\nroot {}\n",
        env!("CARGO_PKG_VERSION"),
        options.limits,
        definition.root
    );
    for (side, state) in [("base", base), ("head", head)] {
        for (file, blob) in definition.files.iter().zip(state) {
            let blob = blob.map(|b| b.to_string()).unwrap_or_else(|| "-".into());
            text.push_str(&format!("{side} {file} {blob}\n"));
        }
    }
    // SHA-1 through git's own object hashing: no further dependency, and a
    // key no accidental collision will meet.
    git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
        .map(|oid| oid.to_string())
        .unwrap_or_default()
}

/// One revision of a definition to load: at a commit holding `state`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct StateKey {
    definition: usize,
    state: State,
}

/// Results for every touch's key: from the cache, or compared now, several
/// at a time, each distinct revision of a definition loaded once.
fn compare_all(
    root: &Path,
    definitions: &[DefinitionFiles],
    touches: &[Touch],
    options: &ChangelogOptions,
    cache: &mut ChangelogCache,
) -> HashMap<String, Compared> {
    let mut results: HashMap<String, Compared> = HashMap::new();
    // Comparisons to make, in walk order (newest first per definition), so
    // that consecutive ones share a revision.
    let mut pending: Vec<&Touch> = Vec::new();
    for touch in touches {
        if results.contains_key(&touch.key) {
            continue;
        }
        if let Some(found) = cache.compared.get(&touch.key) {
            results.insert(touch.key.clone(), found.clone());
            continue;
        }
        let root_index = definitions[touch.definition]
            .files
            .iter()
            .position(|f| *f == definitions[touch.definition].root);
        let present = |state: &State| root_index.is_some_and(|i| state[i].is_some());
        let event = match (present(&touch.base), present(&touch.head)) {
            (false, true) => Some(Event::Added),
            (true, false) | (false, false) => Some(Event::Removed),
            (true, true) => None,
        };
        match event {
            Some(event) => {
                results.insert(
                    touch.key.clone(),
                    Compared {
                        event,
                        note: None,
                        changes: Arc::new(Vec::new()),
                    },
                );
            }
            None => {
                if !pending.iter().any(|p| p.key == touch.key) {
                    pending.push(touch);
                }
            }
        }
    }
    pending.sort_by_key(|t| t.definition);
    // A few comparisons at a time: each loaded revision of a large
    // definition takes tens of megabytes, so not all fifty at once.
    let batch = rayon::current_num_threads().max(2);
    let mut loaded: HashMap<StateKey, Arc<Loaded>> = HashMap::new();
    // Neighbouring revisions differ in a few places: their YAML is parsed
    // in chunks, and a chunk a revision shares with the ones loaded just
    // before is not parsed again. For this walk only; each batch starts a
    // generation, so the cache holds what the last two batches used (and
    // at most `CHUNK_TEXT_BYTES` of text).
    let chunks = ChunkCache::new(options.limits.yaml, CHUNK_TEXT_BYTES);
    let units = UnitCache::new();
    for chunk in pending.chunks(batch) {
        let mut wanted: Vec<(StateKey, git2::Oid)> = Vec::new();
        for touch in chunk {
            let sides = [
                (touch.base.clone(), touch.parent),
                (touch.head.clone(), Some(touch.commit.id)),
            ];
            for (state, commit) in sides {
                let key = StateKey {
                    definition: touch.definition,
                    state,
                };
                if let Some(commit) = commit
                    && !wanted.iter().any(|(k, _)| *k == key)
                {
                    wanted.push((key, commit));
                }
            }
        }
        // Keep what the last chunk loaded and this one needs.
        loaded.retain(|key, _| wanted.iter().any(|(k, _)| k == key));
        let to_load: Vec<(StateKey, git2::Oid)> = wanted
            .into_iter()
            .filter(|(key, _)| !loaded.contains_key(key))
            .collect();
        let made: Vec<(StateKey, Arc<Loaded>)> = to_load
            .into_par_iter()
            .map(|(key, commit)| {
                let definition = &definitions[key.definition];
                let loaded = load(root, commit, definition, options.limits, &chunks, &units);
                (key, Arc::new(loaded))
            })
            .collect();
        loaded.extend(made);
        let compared: Vec<(String, Compared)> = chunk
            .par_iter()
            .map(|touch| {
                let side = |state: &State| {
                    loaded
                        .get(&StateKey {
                            definition: touch.definition,
                            state: state.clone(),
                        })
                        .cloned()
                };
                let compared = match (side(&touch.base), side(&touch.head)) {
                    (Some(base), Some(head)) => {
                        let definition = &definitions[touch.definition];
                        compare(
                            root,
                            definition,
                            &base,
                            &head,
                            touch.commit.time,
                            options,
                            &chunks,
                        )
                    }
                    _ => Compared {
                        event: Event::Changed,
                        note: Some("the revisions could not be read".into()),
                        changes: Arc::new(Vec::new()),
                    },
                };
                (touch.key.clone(), compared)
            })
            .collect();
        cache.diffs_run += compared.len();
        results.extend(compared);
        chunks.next_generation();
        units.next_generation();
    }
    results
}

/// Most chunk text the walk's [`ChunkCache`] holds: a few revisions of a
/// very large definition (Stripe's is 4 MB).
const CHUNK_TEXT_BYTES: usize = 64 << 20;

/// The definition at `commit`, or an empty revision (whose comparison says
/// why) when the commit cannot be read.
fn load_revision(
    root: &Path,
    commit: git2::Oid,
    root_file: &str,
    limits: LoadLimits,
    chunks: &ChunkCache,
) -> Revision {
    match GitSource::open(root, &commit.to_string()) {
        Ok(source) => {
            Revision::load_with_chunks(&source, RootDocument::File(root_file), limits, Some(chunks))
        }
        Err(err) => Revision {
            spec: None,
            diagnostics: vec![portolan_core::Diagnostic::new(
                &portolan_core::codes::READ_FAILED,
                err.to_string(),
            )],
            files: Vec::new(),
        },
    }
}

/// A revision as loaded for the walk: in shared units when it can be
/// (one file of block-style YAML OpenAPI, see [`ShardedRevision`]), else
/// loaded and bundled whole.
enum Loaded {
    Sharded {
        revision: ShardedRevision,
        commit: git2::Oid,
    },
    Whole(Revision),
}

fn load(
    root: &Path,
    commit: git2::Oid,
    definition: &DefinitionFiles,
    limits: LoadLimits,
    chunks: &ChunkCache,
    units: &UnitCache,
) -> Loaded {
    // A definition of one file (in the newest revision: an older one that
    // referenced another file is told by its `$ref`s and loaded whole).
    if definition.files.len() == 1
        && let Ok(source) = GitSource::open(root, &commit.to_string())
        && let Ok(bytes) =
            portolan_core::source::Source::read(&source, &definition.root, limits.max_file_size)
        && let Ok(text) = std::str::from_utf8(&bytes)
        && let Some(revision) = ShardedRevision::load(&definition.root, text, chunks, units)
    {
        return Loaded::Sharded { revision, commit };
    }
    Loaded::Whole(load_revision(
        root,
        commit,
        &definition.root,
        limits,
        chunks,
    ))
}

fn compare(
    root: &Path,
    definition: &DefinitionFiles,
    base: &Loaded,
    head: &Loaded,
    time: i64,
    options: &ChangelogOptions,
    chunks: &ChunkCache,
) -> Compared {
    let today = Date::parse(&portolan_core::history::format_date(time));
    let diff_options = DiffOptions {
        limits: options.limits,
        today,
        ..DiffOptions::default()
    };
    if let (Loaded::Sharded { revision: b, .. }, Loaded::Sharded { revision: h, .. }) = (base, head)
    {
        let report = diff_sharded(b, h, &diff_options);
        return logged(&report, std::slice::from_ref(&h.file), None);
    }
    // One side could not be read in units: both are compared whole.
    let load_whole =
        |commit: &git2::Oid| load_revision(root, *commit, &definition.root, options.limits, chunks);
    let (owned_base, owned_head);
    let base = match base {
        Loaded::Whole(revision) => revision,
        Loaded::Sharded { commit, .. } => {
            owned_base = load_whole(commit);
            &owned_base
        }
    };
    let head = match head {
        Loaded::Whole(revision) => revision,
        Loaded::Sharded { commit, .. } => {
            owned_head = load_whole(commit);
            &owned_head
        }
    };
    let report = diff(base, head, &diff_options);
    let note = report.not_compared.as_ref().map(|reason| {
        let (side, revision) = match reason {
            NotCompared::BaseUnreadable => ("the previous revision", base),
            NotCompared::HeadUnreadable => ("this revision", head),
            NotCompared::DifferentKinds => {
                return "one revision is OpenAPI and the other AsyncAPI: not compared".to_string();
            }
        };
        let why = revision
            .diagnostics
            .first()
            .map(|d| format!(" ({})", d.message))
            .unwrap_or_default();
        format!("{side} does not read as an API definition{why}: not compared")
    });
    logged(&report, &head.files, note)
}

/// The report as the changelog keeps it.
fn logged(
    report: &DiffReport,
    head_files: &[Arc<portolan_core::files::SourceFile>],
    note: Option<String>,
) -> Compared {
    let changes = report
        .changes
        .iter()
        .map(|change| {
            let file = head_files.iter().find(|f| f.path == change.head.file);
            LoggedChange {
                code: change.code.code.to_string(),
                level: change.level,
                message: change.message.clone(),
                operations: change.operations.clone(),
                file: (!change.head.file.is_empty()).then(|| change.head.file.clone()),
                line: file.map(|f| f.line_col(change.head.span.start).line),
            }
        })
        .collect();
    Compared {
        event: Event::Changed,
        note,
        changes: Arc::new(changes),
    }
}
