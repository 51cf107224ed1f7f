//! What changed recently, from git history: the last commits on the
//! first-parent line of a revision, and for each catalog file the newest of
//! them that touched it. Times come from the commits, never the clock, so
//! a build of the same revision shows the same history.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One commit, as shown on the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// Full hexadecimal id.
    pub id: String,
    /// Committer time, seconds since the Unix epoch (UTC).
    pub time: i64,
    /// First line of the message.
    pub summary: String,
}

impl Commit {
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }
}

/// Recent history of a catalog root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    /// The commit the history starts from (the revision being built).
    pub head: Option<Commit>,
    /// Catalog-relative path → the newest commit (of those walked) that
    /// changed it. Files changed only in older commits are absent.
    pub changed: BTreeMap<String, Commit>,
    /// How many commits were walked.
    pub commits_walked: usize,
}

/// Walk at most `max_commits` commits of `rev`'s first-parent history in
/// the repository containing `root` (a work tree directory, one of its
/// subdirectories, or a bare repository). Only paths under `root` count,
/// relative to it. `None` when `root` is not in a git repository or the
/// revision does not resolve (an empty repository): there is no history to
/// show, which is not an error.
pub fn recent_history(root: &Path, rev: &str, max_commits: usize) -> Option<History> {
    let repo = git2::Repository::discover(root).ok()?;
    let subdir = subdir_of(&repo, root);
    let head = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.push(head.id()).ok()?;
    walk.simplify_first_parent().ok()?;
    let mut history = History {
        head: Some(commit_info(&head)),
        ..History::default()
    };
    let prefix = subdir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    for oid in walk.take(max_commits) {
        let Ok(oid) = oid else { break };
        let Ok(commit) = repo.find_commit(oid) else {
            break;
        };
        history.commits_walked += 1;
        let info = commit_info(&commit);
        let Ok(tree) = commit.tree() else { continue };
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        for path in changed_paths(&repo, parent_tree.as_ref(), Some(&tree), &prefix) {
            history.changed.entry(path).or_insert_with(|| info.clone());
        }
    }
    Some(history)
}

fn commit_info(commit: &git2::Commit<'_>) -> Commit {
    Commit {
        id: commit.id().to_string(),
        time: commit.time().seconds(),
        summary: commit
            .summary_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default(),
    }
}

/// Where `root` sits inside the repository's work tree (empty for the top
/// level or a bare repository): the prefix of the catalog's paths in the
/// revision's tree.
pub fn subdir_of(repo: &git2::Repository, root: &Path) -> PathBuf {
    match repo.workdir() {
        Some(workdir) if !repo.is_bare() => {
            let workdir = workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf());
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            root.strip_prefix(&workdir)
                .map(Path::to_path_buf)
                .unwrap_or_default()
        }
        _ => PathBuf::new(),
    }
}

/// A Unix time as `YYYY-MM-DD` (UTC), for pages.
pub fn format_date(seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => String::new(),
    }
}

/// A Unix time as an RFC 3339 timestamp in UTC (`2026-11-27T08:30:00Z`),
/// for feeds.
pub fn format_timestamp(seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "1970-01-01T00:00:00Z".to_string(),
    }
}

/// The paths (relative to `prefix`, `/`-separated) of the files that differ
/// between two revisions' trees under `prefix`: added, removed or changed
/// blobs, symlinks and submodules. A side without the prefix (or without a
/// tree) counts as empty.
///
/// Subtrees with the same id on both sides are skipped without being read,
/// so the cost follows what changed, not the size of the repository; a
/// commit that left `prefix` alone costs two lookups. (libgit2's tree diff
/// walks every entry of both trees, which made history walks over a big
/// repository cost its whole size per commit.)
pub fn changed_paths(
    repo: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
    prefix: &str,
) -> Vec<String> {
    let at_prefix = |tree: Option<&git2::Tree<'_>>| -> Option<git2::Oid> {
        let tree = tree?;
        if prefix.is_empty() {
            return Some(tree.id());
        }
        let entry = tree.get_path(Path::new(prefix)).ok()?;
        (entry.kind() == Some(git2::ObjectType::Tree)).then(|| entry.id())
    };
    let mut changed = Vec::new();
    // (directory path with a trailing '/' or empty, old tree, new tree)
    let mut pending = vec![(String::new(), at_prefix(old), at_prefix(new))];
    while let Some((dir, old, new)) = pending.pop() {
        if old == new {
            continue;
        }
        let entries = |id: Option<git2::Oid>| -> Vec<(String, git2::Oid, bool)> {
            let Some(tree) = id.and_then(|id| repo.find_tree(id).ok()) else {
                return Vec::new();
            };
            tree.iter()
                .map(|e| {
                    let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
                    (name, e.id(), e.kind() == Some(git2::ObjectType::Tree))
                })
                .collect()
        };
        let old_entries = entries(old);
        let new_entries = entries(new);
        let mut old_by_name: std::collections::HashMap<&str, (git2::Oid, bool)> = old_entries
            .iter()
            .map(|(name, id, is_tree)| (name.as_str(), (*id, *is_tree)))
            .collect();
        let mut visit =
            |name: &str, old: Option<(git2::Oid, bool)>, new: Option<(git2::Oid, bool)>| {
                if old == new {
                    return;
                }
                let path = format!("{dir}{name}");
                let tree_of = |side: Option<(git2::Oid, bool)>| side.filter(|s| s.1).map(|s| s.0);
                let file_of = |side: Option<(git2::Oid, bool)>| side.filter(|s| !s.1).map(|s| s.0);
                if file_of(old) != file_of(new) {
                    changed.push(path.clone());
                }
                if tree_of(old) != tree_of(new) {
                    pending.push((format!("{path}/"), tree_of(old), tree_of(new)));
                }
            };
        for (name, id, is_tree) in &new_entries {
            let old = old_by_name.remove(name.as_str());
            visit(name, old, Some((*id, *is_tree)));
        }
        for (name, id, is_tree) in &old_entries {
            if old_by_name.contains_key(name.as_str()) {
                visit(name, Some((*id, *is_tree)), None);
            }
        }
    }
    changed.sort_unstable();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_795_766_405), "2026-11-27T08:00:05Z");
    }

    #[test]
    fn dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_date(1_795_737_600), "2026-11-27");
        assert_eq!(format_date(-86_400), "1969-12-31");
    }

    fn commit_file(repo: &git2::Repository, path: &str, text: &str, message: &str, time: i64) {
        let workdir = repo.workdir().unwrap();
        let full = workdir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(path)).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::new("Test", "t@example.com", &git2::Time::new(time, 0)).unwrap();
        let parents: Vec<git2::Commit<'_>> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap();
    }

    /// (Beside the history tests for their commit helper.) Two revisions'
    /// sources name a file's content by its blob id: equal when the bytes
    /// are, without reading them; other sources have no such id.
    #[test]
    fn git_sources_name_content_by_blob_id() {
        use crate::source::{GitSource, MemorySource, Source};
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        commit_file(&repo, "same.yaml", "a: 1", "one", 1_000_000);
        commit_file(&repo, "changed.yaml", "b: 1", "two", 1_000_100);
        commit_file(&repo, "changed.yaml", "b: 2", "three", 1_000_200);
        let old = GitSource::open(dir.path(), "HEAD~1").unwrap();
        let new = GitSource::open(dir.path(), "HEAD").unwrap();
        assert!(old.content_id("same.yaml").is_some());
        assert_eq!(old.content_id("same.yaml"), new.content_id("same.yaml"));
        assert_ne!(
            old.content_id("changed.yaml"),
            new.content_id("changed.yaml")
        );
        assert_eq!(new.content_id("missing.yaml"), None);
        let memory = MemorySource::new().with_file("same.yaml", "a: 1");
        assert_eq!(memory.content_id("same.yaml"), None);
    }

    #[test]
    fn newest_commit_per_file_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        commit_file(&repo, "cat/a.yaml", "a: 1", "add a", 1_000_000);
        commit_file(&repo, "cat/b.yaml", "b: 1", "add b", 2_000_000);
        commit_file(&repo, "outside.txt", "x", "outside", 3_000_000);
        commit_file(&repo, "cat/a.yaml", "a: 2", "change a\n\nbody", 4_000_000);

        let history = recent_history(&dir.path().join("cat"), "HEAD", 100).unwrap();
        assert_eq!(history.commits_walked, 4);
        assert_eq!(history.head.as_ref().unwrap().summary, "change a");
        let changed: Vec<(&str, i64, &str)> = history
            .changed
            .iter()
            .map(|(p, c)| (p.as_str(), c.time, c.summary.as_str()))
            .collect();
        assert_eq!(
            changed,
            vec![
                ("a.yaml", 4_000_000, "change a"),
                ("b.yaml", 2_000_000, "add b")
            ]
        );

        // The walk stops where it is told to.
        let short = recent_history(&dir.path().join("cat"), "HEAD", 1).unwrap();
        assert_eq!(short.changed.keys().collect::<Vec<_>>(), vec!["a.yaml"]);
    }

    /// Only what differs, under the prefix, whatever the shape of the
    /// change: files added, removed, changed, a file turned into a folder.
    #[test]
    fn changed_paths_between_trees() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        commit_file(&repo, "cat/a.yaml", "a: 1", "one", 1_000_000);
        commit_file(&repo, "cat/deep/x/y.yaml", "y: 1", "two", 1_000_100);
        commit_file(&repo, "cat/same/s.yaml", "s: 1", "three", 1_000_200);
        commit_file(&repo, "other/o.txt", "o", "four", 1_000_300);
        let tree_at = |rev: &str| repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
        let (first, second, third, fourth) = (
            tree_at("HEAD~3"),
            tree_at("HEAD~2"),
            tree_at("HEAD~1"),
            tree_at("HEAD"),
        );
        assert_eq!(
            changed_paths(&repo, Some(&first), Some(&third), "cat"),
            vec!["deep/x/y.yaml", "same/s.yaml"]
        );
        assert_eq!(
            changed_paths(&repo, Some(&second), Some(&first), ""),
            vec!["cat/deep/x/y.yaml"]
        );
        // A commit outside the prefix changed nothing in it.
        assert!(changed_paths(&repo, Some(&third), Some(&fourth), "cat").is_empty());
        // The first commit: everything is new; a missing prefix is empty.
        assert_eq!(
            changed_paths(&repo, None, Some(&first), "cat"),
            vec!["a.yaml"]
        );
        assert!(changed_paths(&repo, None, Some(&first), "nowhere").is_empty());
        // A file that became a folder: both paths changed.
        std::fs::remove_file(dir.path().join("cat/a.yaml")).unwrap();
        let mut index = repo.index().unwrap();
        index.remove_path(Path::new("cat/a.yaml")).unwrap();
        index.write().unwrap();
        commit_file(&repo, "cat/a.yaml/inner.yaml", "i: 1", "five", 1_000_400);
        let fifth = tree_at("HEAD");
        assert_eq!(
            changed_paths(&repo, Some(&fourth), Some(&fifth), "cat"),
            vec!["a.yaml", "a.yaml/inner.yaml"]
        );
    }

    #[test]
    fn no_repository_no_history() {
        let dir = tempfile::tempdir().unwrap();
        // An empty repository has no HEAD commit yet.
        git2::Repository::init(dir.path()).unwrap();
        assert_eq!(recent_history(dir.path(), "HEAD", 10), None);
    }
}
