//! The rendered site as files in memory, and writing it to disk atomically:
//! everything goes into a sibling temporary directory first, which then
//! replaces the output directory, so a failed or interrupted build never
//! leaves a half-written site (the previous one stays in place).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

/// Site files by `/`-separated relative path. A `BTreeMap`, so writing and
/// listing are in a stable order. Contents are shared (`Arc`), so a copy of
/// a site is cheap: `serve` keeps serving one build while the next one
/// reuses its unchanged pages.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Arc<[u8]>>,
}

impl Output {
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), Arc::from(bytes.into()));
    }

    /// Insert contents shared with another build.
    pub fn insert_shared(&mut self, path: impl Into<String>, bytes: Arc<[u8]>) {
        self.files.insert(path.into(), bytes);
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.values().map(|b| b.len() as u64).sum()
    }
}

#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `output` to `out_dir`, replacing what was there, atomically from
/// the point of view of anyone reading `out_dir`: it holds either the old
/// site or the new one.
pub fn write_atomic(output: &Output, out_dir: &Path) -> Result<(), WriteError> {
    write_atomic_with_progress(output, out_dir, &|| {})
}

/// [`write_atomic`], calling `on_file` after each file is written (from
/// several threads), for a progress bar.
pub fn write_atomic_with_progress(
    output: &Output,
    out_dir: &Path,
    on_file: &(dyn Fn() + Sync),
) -> Result<(), WriteError> {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let staging = parent.join(format!(".{name}.portolan-new-{}", std::process::id()));
    let old = parent.join(format!(".{name}.portolan-old-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let result = (|| {
        // Directories once each, then the files in parallel: a 10,000-entity
        // site is tens of thousands of small files.
        let mut dirs: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
        for path in output.files.keys() {
            let mut dir = staging.join(path);
            while dir.pop() && dir != staging && dirs.insert(dir.clone()) {}
        }
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        // Parents before children, each level in parallel: creating a
        // directory is the slowest single step of writing a big site.
        let mut by_depth: BTreeMap<usize, Vec<&PathBuf>> = BTreeMap::new();
        for dir in &dirs {
            by_depth
                .entry(dir.components().count())
                .or_default()
                .push(dir);
        }
        for level in by_depth.values() {
            level
                .par_iter()
                .try_for_each(|dir| match std::fs::create_dir(dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(WriteError {
                        path: dir.to_path_buf(),
                        source: e,
                    }),
                    _ => Ok(()),
                })?;
        }
        let previous = out_dir.is_dir().then_some(out_dir);
        output.files.par_iter().try_for_each(|(path, bytes)| {
            let target = staging.join(path);
            let reused = previous
                .is_some_and(|previous| reuse_unchanged(&previous.join(path), bytes, &target));
            if !reused {
                std::fs::write(&target, bytes).map_err(|source| WriteError {
                    path: target,
                    source,
                })?;
            }
            on_file();
            Ok(())
        })
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }
    // Swap: move the old site aside, the new one in, then drop the old.
    let had_old = out_dir.exists();
    if had_old {
        std::fs::rename(out_dir, &old).map_err(io(out_dir))?;
    }
    if let Err(source) = std::fs::rename(&staging, out_dir) {
        if had_old {
            let _ = std::fs::rename(&old, out_dir);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(WriteError {
            path: out_dir.to_path_buf(),
            source,
        });
    }
    if had_old {
        remove_tree(&old).map_err(io(&old))?;
    }
    Ok(())
}

/// When the previous site has a regular file at this path with exactly
/// these bytes, hard-link it into the new site instead of writing it again.
/// Rebuilding a big portal mostly reproduces the same files, and on a
/// filesystem that discards freed blocks, deleting the old copies costs
/// more than writing the new ones; a link leaves nothing to free. Unchanged
/// files also keep their modification time, which sync tools notice.
fn reuse_unchanged(previous: &Path, bytes: &[u8], target: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(previous) else {
        return false;
    };
    if !meta.file_type().is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    match std::fs::read(previous) {
        Ok(existing) if existing == bytes => std::fs::hard_link(previous, target).is_ok(),
        _ => false,
    }
}

/// `remove_dir_all`, with the files of the tree removed in parallel.
fn remove_tree(root: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    let mut index = 0;
    while index < dirs.len() {
        for entry in std::fs::read_dir(&dirs[index])? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
        index += 1;
    }
    files.par_iter().try_for_each(std::fs::remove_file)?;
    // Deepest first: every directory comes after its parent in `dirs`.
    for dir in dirs.iter().rev() {
        std::fs::remove_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_previous_site_entirely() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut first = Output::default();
        first.insert("a.txt", "one");
        first.insert("old/only.txt", "stale");
        write_atomic(&first, &out).unwrap();
        let mut second = Output::default();
        second.insert("a.txt", "two");
        write_atomic(&second, &out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "two");
        assert!(!out.join("old").exists(), "files of the old site are gone");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from("site")],
            "no staging directories left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_from_the_previous_site_changed_ones_written() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut first = Output::default();
        first.insert("a/same.html", "same");
        first.insert("a/changed.html", "old");
        first.insert("b/c/d/deep.txt", "deep");
        write_atomic(&first, &out).unwrap();
        let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
        let (same, changed) = (inode("a/same.html"), inode("a/changed.html"));
        // A symbolic link in the old site is never carried over.
        std::fs::remove_file(out.join("b/c/d/deep.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join("b/c/d/deep.txt"))
            .unwrap();
        std::fs::write(dir.path().join("elsewhere"), "deep").unwrap();

        let mut second = first.clone();
        second.insert("a/changed.html", "new");
        write_atomic(&second, &out).unwrap();
        assert_eq!(inode("a/same.html"), same, "unchanged: linked");
        assert_ne!(inode("a/changed.html"), changed);
        assert_eq!(
            std::fs::read_to_string(out.join("a/changed.html")).unwrap(),
            "new"
        );
        let deep = std::fs::symlink_metadata(out.join("b/c/d/deep.txt")).unwrap();
        assert!(deep.file_type().is_file(), "written, not the old symlink");
        assert_eq!(
            std::fs::read_to_string(out.join("b/c/d/deep.txt")).unwrap(),
            "deep"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_leaves_the_previous_site_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut first = Output::default();
        first.insert("index.txt", "previous");
        write_atomic(&first, &out).unwrap();
        // A path that cannot be created: a file where a directory must go.
        let mut broken = Output::default();
        broken.insert("x", "file");
        broken.insert("x/y", "under a file");
        assert!(write_atomic(&broken, &out).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("index.txt")).unwrap(),
            "previous"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("site")]);
    }
}
