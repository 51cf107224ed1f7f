//! The rendered site as files in memory, and writing it to disk atomically:
//! everything goes into a sibling temporary directory first, which then
//! replaces the output directory, so a failed or interrupted build never
//! leaves a half-written site (the previous one stays in place).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Site files by `/`-separated relative path. A `BTreeMap`, so writing and
/// listing are in a stable order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
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
        let dirs: std::collections::BTreeSet<PathBuf> = output
            .files
            .keys()
            .filter_map(|path| staging.join(path).parent().map(Path::to_path_buf))
            .collect();
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        output.files.par_iter().try_for_each(|(path, bytes)| {
            let target = staging.join(path);
            std::fs::write(&target, bytes).map_err(|source| WriteError {
                path: target,
                source,
            })?;
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
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
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
