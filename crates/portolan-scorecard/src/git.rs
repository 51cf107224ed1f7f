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
/// while the HEAD commit and the set of entity files are the same.
#[derive(Default)]
pub struct GitFactsCache {
    /// HEAD commit id, hash of the paths.
    key: Option<(git2::Oid, u64)>,
    facts: Option<Arc<GitFacts>>,
}

impl GitFactsCache {
    /// [`GitFacts::collect`], or the last result when the revision
    /// resolves to the same commit and `paths` are the same.
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
            paths.hash(&mut hasher);
            hasher.finish()
        };
        if self.key == Some((head, hash))
            && let Some(facts) = &self.facts
        {
            return Some(facts.clone());
        }
        let facts = GitFacts::collect(root, rev, paths, max_commits).map(Arc::new);
        self.key = Some((head, hash));
        self.facts = facts.clone();
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
        let subdir = portolan_core::history::subdir_of(&repo, root);
        let prefix = subdir
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let head = repo.revparse_single(rev).ok()?.peel_to_commit().ok()?;
        let mut facts = GitFacts {
            head_time: head.time().seconds(),
            ..GitFacts::default()
        };
        let window_start = facts.head_time - WINDOW_DAYS * 86_400;
        let mut walk = repo.revwalk().ok()?;
        walk.push(head.id()).ok()?;
        walk.simplify_first_parent().ok()?;
        let mut unseen = paths.len();
        for (walked, oid) in walk.enumerate() {
            let Ok(oid) = oid else { break };
            let Ok(commit) = repo.find_commit(oid) else {
                break;
            };
            let time = commit.time().seconds();
            if (time < window_start && unseen == 0) || walked >= max_commits {
                break;
            }
            let Ok(tree) = commit.tree() else { continue };
            let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
            let changed = portolan_core::history::changed_paths(
                &repo,
                parent_tree.as_ref(),
                Some(&tree),
                &prefix,
            );
            if changed.is_empty() {
                continue;
            }
            let in_window = time >= window_start;
            let author_index = facts.authors.len();
            let mut touched = false;
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
                let email = commit.author().email_bytes().to_ascii_lowercase();
                facts
                    .authors
                    .push(String::from_utf8_lossy(&email).into_owned());
            }
        }
        Some(facts)
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
