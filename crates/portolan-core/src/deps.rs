//! What a result was made from, so a cache can tell when to throw it away.
//!
//! `serve` keeps the parsed descriptors, API definitions and docs of the
//! last build and rebuilds only what a change touches. Each cached result
//! carries its [`Deps`]: the files read to make it (found or not: creating
//! a file that was missing matters too) and the folders whose listing it
//! depends on. A [`Recorder`] wraps a [`Source`] and notes them as the
//! result is made, so nothing has to be declared by hand.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::source::{MountInfo, ReadError, Source, SourceError, UrlResolution};

/// Files (and folders) a result depends on, catalog-relative.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deps {
    /// Every path read, found or not.
    pub files: BTreeSet<String>,
    /// Folders (ending in `/`; `""` for the whole catalog) whose list of
    /// files the result depends on: any change under them counts.
    pub folders: BTreeSet<String>,
}

impl Deps {
    pub fn file(&mut self, path: impl Into<String>) {
        self.files.insert(path.into());
    }

    /// Depend on everything under `folder` (`""` or ending in `/`).
    pub fn folder(&mut self, folder: impl Into<String>) {
        self.folders.insert(folder.into());
    }

    pub fn extend(&mut self, other: &Deps) {
        self.files.extend(other.files.iter().cloned());
        self.folders.extend(other.folders.iter().cloned());
    }

    /// Whether changing `path` (a file, or a folder that was removed or
    /// renamed as a whole) can change the result.
    pub fn touched_by(&self, path: &str) -> bool {
        if self.files.contains(path) {
            return true;
        }
        if self
            .folders
            .iter()
            .any(|folder| path.starts_with(folder.as_str()))
        {
            return true;
        }
        // A folder event: any file read below it.
        let below = format!("{path}/");
        self.files
            .range(below.clone()..)
            .next()
            .is_some_and(|f| f.starts_with(&below))
    }

    /// Whether any of `changed` touches the result: what
    /// [`Deps::touched_by`] says of each, found from whichever side is
    /// smaller (a cache of 10,000 results checked against one revision's
    /// changes must not look each change up in every result).
    pub fn touched_by_any(&self, changed: &BTreeSet<String>) -> bool {
        if changed.len() <= self.files.len() + self.folders.len() {
            return changed.iter().any(|path| self.touched_by(path));
        }
        let starts_with = |prefix: &str| {
            changed
                .range::<str, _>((
                    std::ops::Bound::Included(prefix),
                    std::ops::Bound::Unbounded,
                ))
                .next()
                .is_some_and(|p| p.starts_with(prefix))
        };
        // A file read, or one of its folders, changed.
        self.files.iter().any(|file| {
            changed.contains(file)
                || file
                    .match_indices('/')
                    .any(|(at, _)| changed.contains(&file[..at]))
        }) || self.folders.iter().any(|folder| starts_with(folder))
    }
}

/// A [`Source`] that notes every path read through it.
pub struct Recorder<'a> {
    inner: &'a dyn Source,
    deps: Mutex<Deps>,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a dyn Source) -> Self {
        Recorder {
            inner,
            deps: Mutex::new(Deps::default()),
        }
    }

    /// What was read so far.
    pub fn into_deps(self) -> Deps {
        self.deps.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Source for Recorder<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        self.deps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .folder("");
        self.inner.files()
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        self.deps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file(path);
        self.inner.read(path, limit)
    }

    fn refused_entries(&self) -> Vec<String> {
        self.inner.refused_entries()
    }

    fn is_git(&self) -> bool {
        self.inner.is_git()
    }

    fn resolve_urls(&self, urls: &[String]) -> Vec<UrlResolution> {
        self.inner.resolve_urls(urls)
    }

    fn mount_files(&self, mount: &str) -> Vec<String> {
        self.inner.mount_files(mount)
    }

    fn mounts(&self) -> Vec<MountInfo> {
        self.inner.mounts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn a_recorder_notes_reads_found_or_not() {
        let source = MemorySource::new().with_file("a.yaml", "x");
        let recorder = Recorder::new(&source);
        assert!(recorder.read("a.yaml", 10).is_ok());
        assert!(recorder.read("missing.md", 10).is_err());
        let deps = recorder.into_deps();
        assert!(deps.touched_by("a.yaml"));
        assert!(deps.touched_by("missing.md"), "creating it matters");
        assert!(!deps.touched_by("b.yaml"));
    }

    #[test]
    fn folders_and_folder_events() {
        let mut deps = Deps::default();
        deps.file("svc/docs/index.md");
        deps.folder("svc/docs/");
        assert!(deps.touched_by("svc/docs/new.md"), "a file added under it");
        assert!(deps.touched_by("svc"), "the folder holding it was renamed");
        assert!(!deps.touched_by("svc2"));
        assert!(!deps.touched_by("svc/catalog-info.yaml"));
        let mut everything = Deps::default();
        everything.folder("");
        assert!(everything.touched_by("anything.txt"));
    }

    #[test]
    fn touched_by_any_agrees_with_each_path_looked_up() {
        // Every combination of a few deps and change sets, both ways round
        // (fewer changes than deps, and more).
        let names = [
            "", "a", "a/", "a/b", "a/b.yaml", "a/b/c.md", "a-b", "a-b/c", "b", "b/x.yaml",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut deps = Deps::default();
            for _ in 0..next() % 4 {
                deps.file(names[(next() % 10) as usize].trim_end_matches('/'));
            }
            if next() % 3 == 0 {
                let folder = names[(next() % 10) as usize];
                if folder.is_empty() || folder.ends_with('/') {
                    deps.folder(folder);
                }
            }
            let changed: BTreeSet<String> = (0..next() % 8)
                .map(|_| names[(next() % 10) as usize].to_string())
                .collect();
            let expected = changed.iter().any(|path| deps.touched_by(path));
            assert_eq!(
                deps.touched_by_any(&changed),
                expected,
                "{deps:?} {changed:?}"
            );
        }
    }
}
