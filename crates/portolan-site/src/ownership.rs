//! Which directory `build` may replace (issue 17). portolan deletes or
//! replaces only a directory it made: every output carries a marker file
//! ([`MARKER`]), and a directory is replaced only when it is empty, missing
//! or marked. On top of that, [`claim`] refuses the catalog root, any of
//! its ancestors, a directory holding catalog inputs, anything inside a
//! `.git` directory, and — when the output directory comes from the
//! repository's own `portolan.toml` — anything outside the catalog root.
//! Symbolic links are resolved first and the rules apply to their target.
//!
//! None of these checks can be configured away: a repository is untrusted
//! input (CI builds pull requests from forks), and these are the checks
//! that keep its content from deleting a user's files.

use std::fmt;
use std::path::{Component, Path, PathBuf};

pub use crate::site_path::MARKER;

/// What the marker file says to a person who finds it.
pub const MARKER_TEXT: &str = "This directory is a site written by `portolan build`.\n\
The next build replaces it whole. portolan never deletes or replaces a\n\
directory without this file, so remove the file to keep portolan away.\n";

/// Why an output directory was refused. Nothing was touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A regular file (or something else that is not a directory) is there.
    NotADirectory(PathBuf),
    /// A non-empty directory without the marker.
    NotOurs(PathBuf),
    /// The catalog root itself, or a directory above it.
    HoldsRoot { out: PathBuf, root: PathBuf },
    /// A directory the catalog reads files from.
    HoldsInputs { out: PathBuf, input: String },
    /// Inside a repository's `.git` directory.
    InsideGit(PathBuf),
    /// `out_dir` in `portolan.toml` resolves outside the catalog root.
    ConfiguredOutsideRoot { out: PathBuf, root: PathBuf },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotADirectory(out) => write!(
                f,
                "{} exists and is not a directory; portolan writes a site only where a directory is or none is",
                out.display()
            ),
            Refusal::NotOurs(out) => write!(
                f,
                "{} is not empty and was not written by portolan (it has no {MARKER} file); portolan replaces only directories it made, so choose an empty or new directory, or remove this one yourself",
                out.display()
            ),
            Refusal::HoldsRoot { out, root } => write!(
                f,
                "{} is the catalog root {} or a directory above it; the site needs a directory of its own",
                out.display(),
                root.display()
            ),
            Refusal::HoldsInputs { out, input } => write!(
                f,
                "{} holds files the catalog reads (e.g. {input}); the site needs a directory of its own",
                out.display()
            ),
            Refusal::InsideGit(out) => write!(
                f,
                "{} is inside a .git directory; choose another output directory",
                out.display()
            ),
            Refusal::ConfiguredOutsideRoot { out, root } => write!(
                f,
                "out_dir in portolan.toml resolves to {}, outside the catalog root {}; a repository's configuration may only name an output inside it (use --out to write elsewhere)",
                out.display(),
                root.display()
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// What [`claim`] checks an output directory against.
#[derive(Debug, Clone, Default)]
pub struct OutputPolicy {
    /// The catalog root on disk, when there is one.
    pub root: Option<PathBuf>,
    /// Catalog-relative paths of the files the build reads (descriptors,
    /// substitutions, API definitions, docs, theme overrides).
    pub inputs: Vec<String>,
    /// The directory was named by the repository's `portolan.toml`, not on
    /// the command line: it must resolve inside the root.
    pub from_config: bool,
}

/// Check that `out` may be written, and return the real directory to write
/// (symbolic links resolved). `out` should be absolute.
pub fn claim(out: &Path, policy: &OutputPolicy) -> Result<PathBuf, Refusal> {
    let resolved = resolve(out);
    if resolved
        .components()
        .any(|c| c == Component::Normal(".git".as_ref()))
    {
        return Err(Refusal::InsideGit(resolved));
    }
    if let Some(root) = &policy.root {
        let root = resolve(root);
        if root.starts_with(&resolved) {
            return Err(Refusal::HoldsRoot {
                out: resolved,
                root,
            });
        }
        match resolved.strip_prefix(&root) {
            Ok(inside) => {
                let inside = inside.to_string_lossy().replace('\\', "/");
                let prefix = format!("{inside}/");
                if let Some(input) = policy.inputs.iter().find(|i| i.starts_with(&prefix)) {
                    return Err(Refusal::HoldsInputs {
                        out: resolved,
                        input: input.clone(),
                    });
                }
            }
            Err(_) if policy.from_config => {
                return Err(Refusal::ConfiguredOutsideRoot {
                    out: resolved,
                    root,
                });
            }
            Err(_) => {}
        }
    }
    check_replaceable(&resolved)?;
    Ok(resolved)
}

/// The rule `write_atomic` applies itself, whoever calls it: `dir` is
/// missing, an empty directory, or a directory carrying the marker.
pub fn check_replaceable(dir: &Path) -> Result<(), Refusal> {
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(Refusal::NotADirectory(dir.to_path_buf()));
    }
    if is_marked(dir) {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
    if empty {
        Ok(())
    } else {
        Err(Refusal::NotOurs(dir.to_path_buf()))
    }
}

/// Whether `dir` holds the marker as a regular file (a symbolic link named
/// like the marker does not count).
pub fn is_marked(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.file_type().is_file())
}

/// `path` with every symbolic link resolved and `.`/`..` applied: the
/// existing part through the filesystem, the rest (which cannot hold links)
/// lexically.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match std::fs::canonicalize(&out) {
                        Ok(real) => out = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(root: &Path, inputs: &[&str], from_config: bool) -> OutputPolicy {
        OutputPolicy {
            root: Some(root.to_path_buf()),
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            from_config,
        }
    }

    #[test]
    fn new_empty_and_marked_directories_are_ours_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("root");
        std::fs::create_dir(&root).unwrap();
        let p = policy(&root, &["catalog-info.yaml"], false);
        assert_eq!(claim(&base.join("new"), &p), Ok(base.join("new")));
        std::fs::create_dir(base.join("empty")).unwrap();
        assert!(claim(&base.join("empty"), &p).is_ok());
        std::fs::create_dir(base.join("user")).unwrap();
        std::fs::write(base.join("user/a.txt"), "x").unwrap();
        assert!(matches!(
            claim(&base.join("user"), &p),
            Err(Refusal::NotOurs(_))
        ));
        std::fs::write(base.join("user").join(MARKER), MARKER_TEXT).unwrap();
        assert!(claim(&base.join("user"), &p).is_ok());
        std::fs::write(base.join("file"), "x").unwrap();
        assert!(matches!(
            claim(&base.join("file"), &p),
            Err(Refusal::NotADirectory(_))
        ));
    }

    #[test]
    fn the_root_its_ancestors_and_input_folders_are_refused_even_when_marked() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("root");
        std::fs::create_dir_all(root.join("docs")).unwrap();
        for marked in [&root, &root.join("docs"), &base] {
            std::fs::write(marked.join(MARKER), MARKER_TEXT).unwrap();
        }
        let p = policy(&root, &["docs/index.md"], false);
        assert!(matches!(claim(&root, &p), Err(Refusal::HoldsRoot { .. })));
        assert!(matches!(claim(&base, &p), Err(Refusal::HoldsRoot { .. })));
        assert!(matches!(
            claim(Path::new("/"), &p),
            Err(Refusal::HoldsRoot { .. })
        ));
        assert!(matches!(
            claim(&root.join("docs"), &p),
            Err(Refusal::HoldsInputs { .. })
        ));
        assert!(matches!(
            claim(&root.join("docs/../../root"), &p),
            Err(Refusal::HoldsRoot { .. })
        ));
        assert!(matches!(
            claim(&root.join(".git/hooks"), &p),
            Err(Refusal::InsideGit(_))
        ));
        assert!(claim(&root.join("site"), &p).is_ok());
    }

    #[test]
    fn configured_outputs_must_stay_inside_the_root_through_links_too() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("root");
        std::fs::create_dir_all(&root).unwrap();
        let p = policy(&root, &[], true);
        assert!(matches!(
            claim(&root.join("../elsewhere"), &p),
            Err(Refusal::ConfiguredOutsideRoot { .. })
        ));
        assert!(matches!(
            claim(Path::new("/tmp/portolan-victim"), &p),
            Err(Refusal::ConfiguredOutsideRoot { .. })
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
            assert!(matches!(
                claim(&root.join("up/elsewhere"), &p),
                Err(Refusal::ConfiguredOutsideRoot { .. })
            ));
        }
        assert!(claim(&root.join("site"), &p).is_ok());
        // The command line may point anywhere that is ours.
        let cli = policy(&root, &[], false);
        assert!(claim(&base.join("elsewhere"), &cli).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_judged_by_its_target_and_resolves_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir(base.join("release1")).unwrap();
        std::fs::write(base.join("release1/keep.txt"), "x").unwrap();
        std::os::unix::fs::symlink("release1", base.join("current")).unwrap();
        let p = OutputPolicy::default();
        assert_eq!(
            claim(&base.join("current"), &p),
            Err(Refusal::NotOurs(base.join("release1")))
        );
        std::fs::write(base.join("release1").join(MARKER), MARKER_TEXT).unwrap();
        assert_eq!(claim(&base.join("current"), &p), Ok(base.join("release1")));
    }
}
