//! Git facts: when an entity's files last changed, how many commits and
//! authors touched them in the last 90 days, and whether CODEOWNERS covers
//! its descriptor. Times are relative to the HEAD commit (the revision
//! read), never the clock, so the same revision gives the same facts.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use portolan_core::source::Source;

/// The window of `git.commits_90d` and `git.authors_90d`.
pub const WINDOW_DAYS: i64 = 90;

/// What the walk of a revision's history found, per catalog path.
#[derive(Debug, Default)]
pub struct GitFacts {
    head_time: i64,
    /// Path → time of the newest commit (of those walked) that changed it.
    last_change: HashMap<String, i64>,
    /// Path → indexes (into `authors`) of the commits in the window that
    /// changed it.
    recent: HashMap<String, Vec<usize>>,
    /// Author e-mail (lowercased) of each commit in the window.
    authors: Vec<String>,
}

/// The git facts of the last scoring, for `serve`'s rebuilds: reused
/// while the HEAD commit and the set of entity files are the same. It
/// keeps the first-parent line it walked too: a revision on that line (a
/// trend's past samples) gets its facts from the same walk, each commit
/// compared with its parent once for all of them.
#[derive(Default)]
pub struct GitFactsCache {
    /// HEAD commit id, hash of the paths and the most commits walked.
    key: Option<(git2::Oid, u64)>,
    facts: Option<Arc<GitFacts>>,
    history: Option<History>,
}

impl GitFactsCache {
    /// [`GitFacts::collect`], or the last result when the revision
    /// resolves to the same commit and `paths` and `max_commits` are the
    /// same.
    pub fn collect(
        &mut self,
        root: &Path,
        rev: &str,
        paths: &BTreeSet<String>,
        max_commits: usize,
    ) -> Option<Arc<GitFacts>> {
        let head = git2::Repository::discover(root)
            .ok()?
            .revparse_single(rev)
            .ok()?
            .peel_to_commit()
            .ok()?
            .id();
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (paths, max_commits).hash(&mut hasher);
            hasher.finish()
        };
        if self.key == Some((head, hash))
            && let Some(facts) = &self.facts
        {
            return Some(facts.clone());
        }
        let found = self
            .history
            .as_mut()
            .filter(|h| h.root == root)
            .and_then(|h| h.position(head));
        let (history, index) = match found {
            Some(index) => (self.history.as_mut()?, index),
            None => (self.history.insert(History::open(root, head)?), 0),
        };
        let facts = Some(Arc::new(history.facts_at(index, paths, max_commits)));
        self.key = Some((head, hash));
        self.facts = facts.clone();
        facts
    }

    /// The catalog paths that may differ between the trees of `newer`
    /// and `older`, two commits of the line last walked (`older` an
    /// ancestor of `newer`): what the commits from `newer` down to
    /// `older` changed. `None` when either is not on the line.
    pub fn changed_between(
        &mut self,
        newer: git2::Oid,
        older: git2::Oid,
    ) -> Option<BTreeSet<String>> {
        let history = self.history.as_mut()?;
        let from = history.position(newer)?;
        let to = history.position(older)?;
        if to < from {
            return None;
        }
        let mut changed = BTreeSet::new();
        for index in from..to {
            changed.extend(history.changed(index).iter().cloned());
        }
        Some(changed)
    }
}

/// One commit of a first-parent line.
struct Step {
    oid: git2::Oid,
    time: i64,
    /// The author's e-mail, lowercased.
    email: String,
    /// Catalog paths changed against the first parent, once computed.
    changed: Option<Vec<String>>,
}

/// The first-parent history of one commit, walked as far as asked and
/// kept: the git facts of any commit on the line are read from it.
pub struct History {
    root: std::path::PathBuf,
    repo: git2::Repository,
    /// The catalog root's folder in the repository ("" at its top).
    prefix: String,
    /// Newest first.
    steps: Vec<Step>,
    /// Each step's index by commit id.
    index: HashMap<git2::Oid, usize>,
    /// The next commit to walk (the last step's first parent).
    next: Option<git2::Oid>,
}

/// How far back [`History::position`] looks for a commit older than the
/// line's commits reached so far (clocks of committers disagree).
const CLOCK_SLACK: i64 = 86_400;

impl History {
    /// The line of `head` in the repository holding `root`.
    pub fn open(root: &Path, head: git2::Oid) -> Option<History> {
        let repo = git2::Repository::discover(root).ok()?;
        let prefix = portolan_core::history::subdir_of(&repo, root)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        repo.find_commit(head).ok()?;
        Some(History {
            root: root.to_path_buf(),
            repo,
            prefix,
            steps: Vec::new(),
            index: HashMap::new(),
            next: Some(head),
        })
    }

    /// Walk one more commit; false at the line's end.
    fn walk_one(&mut self) -> bool {
        let Some(oid) = self.next.take() else {
            return false;
        };
        let Ok(commit) = self.repo.find_commit(oid) else {
            return false;
        };
        let email = commit.author().email_bytes().to_ascii_lowercase();
        self.next = commit.parent_id(0).ok();
        self.index.insert(oid, self.steps.len());
        self.steps.push(Step {
            oid,
            time: commit.time().seconds(),
            email: String::from_utf8_lossy(&email).into_owned(),
            changed: None,
        });
        true
    }

    /// Whether step `index` exists (walking to it if needed).
    fn reach(&mut self, index: usize) -> bool {
        while self.steps.len() <= index {
            if !self.walk_one() {
                return false;
            }
        }
        true
    }

    /// The index of `oid` on the line: walked to while the commits
    /// reached are not older than it (give or take a day of clock skew).
    pub fn position(&mut self, oid: git2::Oid) -> Option<usize> {
        if let Some(&index) = self.index.get(&oid) {
            return Some(index);
        }
        let time = self.repo.find_commit(oid).ok()?.time().seconds();
        while self.walk_one() {
            let step = self.steps.last()?;
            if step.oid == oid {
                return Some(self.steps.len() - 1);
            }
            if step.time < time - CLOCK_SLACK {
                return None;
            }
        }
        None
    }

    /// The paths step `index` (walked) changed against its first parent.
    fn changed(&mut self, index: usize) -> &[String] {
        if self.steps[index].changed.is_none() {
            let commit = self.repo.find_commit(self.steps[index].oid).ok();
            let tree = commit.as_ref().and_then(|c| c.tree().ok());
            let changed = match &tree {
                Some(tree) => {
                    let parent = commit
                        .as_ref()
                        .and_then(|c| c.parent(0).ok())
                        .and_then(|p| p.tree().ok());
                    portolan_core::history::changed_paths(
                        &self.repo,
                        parent.as_ref(),
                        Some(tree),
                        &self.prefix,
                    )
                }
                None => Vec::new(),
            };
            self.steps[index].changed = Some(changed);
        }
        self.steps[index].changed.as_deref().unwrap_or_default()
    }

    /// The git facts of the commit at step `index`: its history from
    /// there, at most `max_commits` commits (every commit of the window,
    /// and older ones until each of `paths` has been seen changing).
    pub fn facts_at(
        &mut self,
        index: usize,
        paths: &BTreeSet<String>,
        max_commits: usize,
    ) -> GitFacts {
        let mut facts = GitFacts::default();
        if !self.reach(index) {
            return facts;
        }
        facts.head_time = self.steps[index].time;
        let window_start = facts.head_time - WINDOW_DAYS * 86_400;
        let mut unseen = paths.len();
        for walked in 0.. {
            let at = index + walked;
            if walked >= max_commits || !self.reach(at) {
                break;
            }
            let time = self.steps[at].time;
            if time < window_start && unseen == 0 {
                break;
            }
            let in_window = time >= window_start;
            let author_index = facts.authors.len();
            let mut touched = false;
            let changed = self.changed(at);
            for relative in changed.iter().filter(|p| paths.contains(p.as_str())) {
                if !facts.last_change.contains_key(relative) {
                    facts.last_change.insert(relative.clone(), time);
                    unseen -= 1;
                }
                if in_window {
                    let list = facts.recent.entry(relative.clone()).or_default();
                    if list.last() != Some(&author_index) {
                        list.push(author_index);
                    }
                    touched = true;
                }
            }
            if touched {
                facts.authors.push(self.steps[at].email.clone());
            }
        }
        facts
    }
}

/// One entity's git facts.
#[derive(Debug, PartialEq, Eq)]
pub struct EntityChange {
    pub days_since_change: Option<i64>,
    pub commits: usize,
    pub authors: usize,
}

impl GitFacts {
    /// Walk `rev`'s first-parent history in the repository holding `root`
    /// (a work tree, a subfolder of one, or a bare repository), at most
    /// `max_commits` commits: every commit of the window, and older ones
    /// until each of `paths` (catalog-relative) has been seen changing.
    /// `None` when `root` is in no repository or `rev` does not resolve.
    pub fn collect(
        root: &Path,
        rev: &str,
        paths: &BTreeSet<String>,
        max_commits: usize,
    ) -> Option<GitFacts> {
        let repo = git2::Repository::discover(root).ok()?;
        let head = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?.id();
        Some(History::open(root, head)?.facts_at(0, paths, max_commits))
    }

    /// The git facts of an entity made of `files`.
    pub fn entity_change(&self, files: &[String]) -> EntityChange {
        let newest = files.iter().filter_map(|f| self.last_change.get(f)).max();
        let days_since_change = newest.map(|&t| (self.head_time - t).max(0) / 86_400);
        let commits: BTreeSet<usize> = files
            .iter()
            .filter_map(|f| self.recent.get(f))
            .flatten()
            .copied()
            .collect();
        let authors: BTreeSet<&str> = commits.iter().map(|&i| self.authors[i].as_str()).collect();
        EntityChange {
            days_since_change,
            commits: commits.len(),
            authors: authors.len(),
        }
    }
}

/// Where GitHub looks for CODEOWNERS, in its order: the first found counts.
pub const CODEOWNERS_PATHS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// A CODEOWNERS file: gitignore-style patterns, the last matching line
/// wins, and a line with no owner leaves its paths unowned.
pub struct CodeOwners {
    matcher: Gitignore,
    /// Pattern as written → its last line's number and whether that line
    /// names an owner.
    lines: HashMap<String, (usize, bool)>,
}

impl CodeOwners {
    /// The catalog's CODEOWNERS file read through `source`, when it has one.
    pub fn read(source: &dyn Source) -> Option<CodeOwners> {
        CODEOWNERS_PATHS.iter().find_map(|path| {
            let bytes = source.read(path, 1024 * 1024).ok()?;
            Some(CodeOwners::parse(&String::from_utf8_lossy(&bytes)))
        })
    }

    pub fn parse(text: &str) -> CodeOwners {
        let mut builder = GitignoreBuilder::new("");
        let mut lines = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else {
                continue;
            };
            let has_owner = words.take_while(|w| !w.starts_with('#')).next().is_some();
            // A line ignore's syntax rejects (or a negation, which
            // CODEOWNERS does not have) covers nothing.
            if pattern.starts_with('!') || builder.add_line(None, pattern).is_err() {
                continue;
            }
            lines.insert(pattern.to_string(), (number, has_owner));
        }
        let matcher = builder.build().unwrap_or_else(|_| Gitignore::empty());
        CodeOwners { matcher, lines }
    }

    /// Whether `path` (catalog-relative) has an owner.
    pub fn covers(&self, path: &str) -> bool {
        // A line matches a path when it matches the path or one of its
        // folders; of all lines that match, the last one decides (unlike
        // .gitignore, where the path's own match hides its folders').
        let mut last: Option<(usize, bool)> = None;
        let mut current = Some(Path::new(path));
        let mut is_dir = false;
        while let Some(p) = current.filter(|p| !p.as_os_str().is_empty()) {
            if let ignore::Match::Ignore(glob) = self.matcher.matched(p, is_dir)
                && let Some(&line) = self.lines.get(glob.original())
                && last.is_none_or(|(n, _)| line.0 > n)
            {
                last = Some(line);
            }
            current = p.parent();
            is_dir = true;
        }
        last.is_some_and(|(_, owned)| owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codeowners_last_matching_line_wins() {
        let owners = CodeOwners::parse(
            "# comment\n* @acme/platform\n/services/ @acme/services\n/services/legacy/\n*.md @acme/docs # trailing\n",
        );
        assert!(owners.covers("catalog-info.yaml"));
        assert!(owners.covers("services/payments/catalog-info.yaml"));
        assert!(!owners.covers("services/legacy/catalog-info.yaml"));
        assert!(owners.covers("services/legacy/README.md"));
        let none = CodeOwners::parse("/services/ @acme/services\n");
        assert!(!none.covers("org/teams.yaml"));
    }
}
