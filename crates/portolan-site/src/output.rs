//! The rendered site as files in memory, and writing it to disk atomically:
//! everything goes into a sibling temporary directory first, which then
//! replaces the output directory, so a failed or interrupted build never
//! leaves a half-written site (the previous one stays in place).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::ownership::{self, MARKER, Refusal};
use crate::site_path::{self, UnsafePath};
use crate::swap;

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

/// Why a site was not written. In every case the output directory holds
/// what it held before.
#[derive(Debug)]
pub enum WriteError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output directory is not portolan's to replace.
    Refused(Refusal),
    /// A site path that could leave the output directory (a bug upstream:
    /// every path is built by [`crate::site_path`]).
    UnsafePath { path: String, reason: UnsafePath },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Io { path, source } => {
                write!(f, "cannot write {}: {}", path.display(), source)
            }
            WriteError::Refused(refusal) => refusal.fmt(f),
            WriteError::UnsafePath { path, reason } => write!(
                f,
                "refusing to write the site: {reason} ({:?})",
                path.chars().take(120).collect::<String>()
            ),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io { source, .. } => Some(source),
            WriteError::Refused(refusal) => Some(refusal),
            WriteError::UnsafePath { .. } => None,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `output` to `out_dir`, replacing what was there, atomically from
/// the point of view of anyone reading `out_dir`: it holds either the old
/// site or the new one.
///
/// `out_dir` is replaced only when it is missing, empty or marked as
/// portolan's ([`crate::ownership`]); a symbolic link is followed and its
/// target replaced, the link kept. Callers that know the catalog root run
/// [`crate::ownership::claim`] first for the stricter rules.
pub fn write_atomic(output: &Output, out_dir: &Path) -> Result<(), WriteError> {
    // Every path is checked before anything touches the disk.
    for path in output.files.keys() {
        site_path::check(path).map_err(|reason| WriteError::UnsafePath {
            path: path.clone(),
            reason,
        })?;
    }
    let staging = Staging::begin(out_dir)?;
    staging.write_all(
        output
            .files
            .iter()
            .map(|(path, bytes)| (path.as_str(), &bytes[..]))
            .collect(),
    )?;
    staging.commit()
}

/// A new site being written beside the output directory, which replaces
/// it on [`Staging::commit`]. Dropped without a commit (an error, a
/// refusal found later), it is removed and the output directory keeps
/// what it held. A build writes its pages here as they are rendered, so a
/// 100,000-entity site is never held in memory whole.
pub struct Staging {
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    dir: PathBuf,
    /// The site being replaced, whose unchanged files are linked.
    previous: Option<PathBuf>,
    /// Directories made so far inside `dir`.
    made: Mutex<HashSet<PathBuf>>,
    files: AtomicU64,
    bytes: AtomicU64,
    committed: bool,
}

impl Staging {
    /// Claim `out_dir` (it must be missing, empty or marked as portolan's:
    /// see [`write_atomic`]) and make the temporary directory beside it,
    /// marked from its first moment.
    pub fn begin(out_dir: &Path) -> Result<Staging, WriteError> {
        let out_dir = ownership::resolve(out_dir);
        ownership::check_replaceable(&out_dir).map_err(WriteError::Refused)?;
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => {
                return Err(WriteError::Refused(Refusal::HoldsRoot {
                    out: out_dir.clone(),
                    root: out_dir.clone(),
                }));
            }
        };
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        swap::recover_and_clean(&parent, &name, &out_dir);
        let dir = parent.join(swap::temporary_name(&name, swap::NEW));
        if std::fs::symlink_metadata(&dir).is_ok() {
            if !ownership::is_marked(&dir) {
                return Err(WriteError::Refused(Refusal::NotOurs(dir)));
            }
            remove_tree(&dir).map_err(io(&dir))?;
        }
        // The staging directory is created here (not found), and carries the
        // marker from its first moment: a build killed from here on leaves a
        // directory the next build recognises as its own and removes.
        std::fs::create_dir(&dir).map_err(io(&dir))?;
        let staging = Staging {
            previous: out_dir.is_dir().then(|| out_dir.clone()),
            out_dir,
            parent,
            name,
            made: Mutex::new(HashSet::new()),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            committed: false,
            dir,
        };
        let marker = staging.dir.join(MARKER);
        std::fs::write(&marker, ownership::MARKER_TEXT).map_err(io(&marker))?;
        Ok(staging)
    }

    /// Files and bytes written so far.
    pub fn written(&self) -> (u64, u64) {
        (
            self.files.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        )
    }

    /// Write files (site path, contents) in parallel: directories once
    /// each, parents before children, then the files.
    pub fn write_all(&self, files: Vec<(&str, &[u8])>) -> Result<(), WriteError> {
        self.make_parents(files.iter().map(|(path, _)| *path))?;
        files.par_iter().try_for_each(|(path, bytes)| {
            let target = self.dir.join(path);
            debug_assert!(target.starts_with(&self.dir));
            let reused = self
                .previous
                .as_ref()
                .is_some_and(|previous| reuse_unchanged(&previous.join(path), bytes, &target));
            if !reused {
                write_new(&target, bytes).map_err(|source| WriteError::Io {
                    path: target,
                    source,
                })?;
            }
            self.files.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            Ok(())
        })
    }

    /// Write one file as `write` produces it, through a buffer: for a file
    /// too big to hold in memory first (`catalog.json` of a large catalog).
    pub fn write_streamed(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        self.make_parents(std::iter::once(path))?;
        let target = self.dir.join(path);
        let result = (|| {
            let mut out = Counted {
                inner: std::io::BufWriter::with_capacity(1 << 20, create_new(&target)?),
                bytes: 0,
            };
            write(&mut out)?;
            std::io::Write::flush(&mut out)?;
            Ok(out.bytes)
        })();
        let bytes = result.map_err(|source| WriteError::Io {
            path: target,
            source,
        })?;
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(())
    }

    /// Check the site paths and make the directories they need that are
    /// not made yet: once each, parents before children.
    fn make_parents<'p>(
        &self,
        paths: impl Iterator<Item = &'p str> + Clone,
    ) -> Result<(), WriteError> {
        for path in paths.clone() {
            site_path::check(path).map_err(|reason| WriteError::UnsafePath {
                path: path.to_string(),
                reason,
            })?;
        }
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        {
            let made = self.made.lock().unwrap_or_else(|e| e.into_inner());
            for path in paths {
                let mut dir = self.dir.join(path);
                while dir.pop()
                    && dir != self.dir
                    && !made.contains(&dir)
                    && dirs.insert(dir.clone())
                {}
            }
        }
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
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                        Err(WriteError::Io {
                            path: dir.to_path_buf(),
                            source: e,
                        })
                    }
                    _ => Ok(()),
                })?;
        }
        self.made
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(dirs);
        Ok(())
    }

    /// Put the new site in place of the old one, which is removed.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let result = swap::replace(&self.dir, &self.out_dir, &self.parent, &self.name);
        match result {
            // The new site is in place. Removing the old one can only fail
            // part-way (a file someone holds open on some systems); what stays
            // carries the marker and the next build removes it.
            Ok(Some(old)) => {
                self.committed = true;
                let _ = remove_tree(&old);
                Ok(())
            }
            Ok(None) => {
                self.committed = true;
                Ok(())
            }
            Err(source) => Err(WriteError::Io {
                path: self.out_dir.clone(),
                source,
            }),
        }
    }
}

/// Write a file that should not exist yet. One that does (a path written
/// twice) is replaced by a new file rather than written through: it may be
/// a hard link to the live site's copy ([`reuse_unchanged`]).
fn write_new(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    create_new(target)?.write_all(bytes)
}

/// A new file at `target`; a file already there (a link made for an
/// unchanged file, never followed) is replaced.
fn create_new(target: &Path) -> std::io::Result<std::fs::File> {
    let create = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)
    };
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(target)?;
            create()
        }
        other => other,
    }
}

/// A writer that counts the bytes it passes on.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: std::io::Write> std::io::Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Put back a previous site that a build killed mid-swap left aside (only
/// on filesystems without an atomic exchange, see `swap`), and remove
/// temporary directories of dead builds beside `out_dir`. Touches only
/// directories carrying the marker.
pub fn recover_interrupted(out_dir: &Path) {
    let out_dir = ownership::resolve(out_dir);
    if let (Some(parent), Some(name)) = (out_dir.parent(), out_dir.file_name()) {
        swap::recover_and_clean(parent, &name.to_string_lossy(), &out_dir);
    }
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
/// Symbolic links are removed, never followed. The marker at the top goes
/// last, so a removal killed half-way leaves a directory the next build
/// still recognises as its own.
pub(crate) fn remove_tree(root: &Path) -> std::io::Result<()> {
    let marker = root.join(MARKER);
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    let mut index = 0;
    while index < dirs.len() {
        for entry in std::fs::read_dir(&dirs[index])? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                dirs.push(entry.path());
            } else if entry.path() != marker {
                files.push(entry.path());
            }
        }
        index += 1;
    }
    files.par_iter().try_for_each(std::fs::remove_file)?;
    // Deepest first: every directory comes after its parent in `dirs`.
    for dir in dirs[1..].iter().rev() {
        std::fs::remove_dir(dir)?;
    }
    match std::fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(root)
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

    #[test]
    fn a_directory_without_the_marker_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "years").unwrap();
        let mut site = Output::default();
        site.insert("index.html", "site");
        let err = write_atomic(&site, &out).unwrap_err();
        assert!(
            matches!(err, WriteError::Refused(Refusal::NotOurs(_))),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("thesis.tex")).unwrap(),
            "years"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // An empty directory is taken, and marked.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_atomic(&site, &empty).unwrap();
        assert!(ownership::is_marked(&empty));
    }

    #[test]
    fn a_path_that_could_leave_the_output_stops_the_write_before_any_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        for bad in ["../escape.html", "a/../../b", "/abs", MARKER] {
            let mut site = Output::default();
            site.insert("index.html", "fine");
            site.insert(bad, "bad");
            let err = write_atomic(&site, &out).unwrap_err();
            assert!(matches!(err, WriteError::UnsafePath { .. }), "{bad}: {err}");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{bad}");
        }
    }
}
