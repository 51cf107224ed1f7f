//! Shared pieces of the security suite: a catalog in a temp directory, the
//! binary run against it, and byte-for-byte snapshots of directory trees.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const OWNER: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

pub fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// A temp directory holding a catalog (under `root/`) and whatever else a
/// case needs beside it (a victim's files, an output directory).
pub struct Hostile {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Hostile {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("root")).unwrap();
        Hostile { dir }
    }

    /// The temp directory itself (the catalog is in `root/` under it).
    pub fn base(&self) -> &Path {
        self.dir.path()
    }

    /// The catalog root.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Write a file at a path relative to the temp directory.
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let full = self.base().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// A clean catalog under `root/`: a group and a component it owns.
    pub fn clean_catalog(&self) -> &Self {
        self.write(
            "root/catalog-info.yaml",
            format!("{OWNER}---\n{}", component("orders")),
        )
    }

    /// Run the binary with `cwd` as its working directory.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(args)
            .current_dir(cwd)
            .env_remove("NO_COLOR")
            .env("CI", "true")
            .output()
            .unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    /// Run the binary in the catalog root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root(), args)
    }
}

/// Every file, directory and symlink under `dir`, with file contents and
/// link targets, so a case can assert that nothing changed.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            let relative = path.strip_prefix(dir).unwrap().to_path_buf();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                out.insert(relative, Entry::Link(std::fs::read_link(&path).unwrap()));
            } else if kind.is_dir() {
                out.insert(relative, Entry::Dir);
                stack.push(path);
            } else {
                out.insert(relative, Entry::File(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Dir,
    Link(PathBuf),
}

/// A user's files that must survive: a few files in nested folders.
pub fn plant_victim(dir: &Path) {
    std::fs::create_dir_all(dir.join("nested/deeper")).unwrap();
    std::fs::write(dir.join("thesis.tex"), "six years of work\n").unwrap();
    std::fs::write(dir.join("nested/photo.jpg"), [0xff, 0xd8, 0xff, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("nested/deeper/notes.md"), "# keep me\n").unwrap();
}
