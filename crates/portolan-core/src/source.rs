//! All file access goes through [`Source`]: a directory on disk, a git
//! revision read from the object database, or files in memory (tests). Every
//! stage is written against the trait, so each works on all three.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::paths::{join_normalized, parent_dir};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    /// A symbolic link whose target leaves the catalog root.
    EscapesRoot,
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("no such file in the catalog root"),
            ReadError::EscapesRoot => {
                f.write_str("a symbolic link on this path leaves the catalog root")
            }
            ReadError::TooLarge { size, limit } => write!(
                f,
                "the file is {} and the limit is {}",
                human_bytes(*size),
                human_bytes(*limit)
            ),
            ReadError::Io(message) => f.write_str(message),
        }
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// A failure that stops the tool (bad revision, unreadable root).
#[derive(Debug)]
pub struct SourceError(pub String);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceError {}

/// Read access to a catalog root. Paths are catalog-relative and
/// `/`-separated.
pub trait Source: Send + Sync {
    /// For messages: "directory ./acme", "git revision main (3f2a9c1)".
    fn describe(&self) -> String;
    /// Every file of the catalog, sorted (for a directory: respecting
    /// `.gitignore`).
    fn files(&self) -> Result<Vec<String>, SourceError>;
    /// The bytes of one file; refuses files over `limit` bytes without
    /// reading them.
    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError>;
    /// Last-commit times, for sources that know them (git).
    fn is_git(&self) -> bool {
        false
    }
    /// An id of a file's content that is equal for equal bytes and, in
    /// practice, only for them (a git blob id), when the source knows one
    /// without reading the file; `None` otherwise (then compare bytes).
    fn content_id(&self, _path: &str) -> Option<String> {
        None
    }
    /// Entries the source left out because their names cannot be files
    /// (a git tree entry named `..` or `.`, a name holding a `\` or a
    /// control character; see [`is_usable_name`]): catalog-relative
    /// paths as the tree spells them, for a diagnostic each.
    fn refused_entries(&self) -> Vec<String> {
        Vec::new()
    }
    /// What each Location target URL names, for sources that map other
    /// repositories (`[[sources]]` in portolan.toml): one call per batch,
    /// so the repositories it opens (or fetches) are opened in parallel.
    fn resolve_urls(&self, urls: &[String]) -> Vec<UrlResolution> {
        urls.iter().map(|_| UrlResolution::Unmapped).collect()
    }
    /// Every file of a mounted repository, as catalog paths
    /// (`acme/payments:catalog-info.yaml`), sorted.
    fn mount_files(&self, _mount: &str) -> Vec<String> {
        Vec::new()
    }
    /// The repositories mounted so far, by name.
    fn mounts(&self) -> Vec<MountInfo> {
        Vec::new()
    }
}

/// What a Location target URL names (see [`Source::resolve_urls`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlResolution {
    /// No `[[sources]]` entry maps the URL: it is remote.
    Unmapped,
    /// Mapped, but it cannot be read: why (the repository is not on disk,
    /// the ref does not resolve, the URL is malformed...).
    Unavailable(String),
    /// A catalog path (or glob) in a mounted repository.
    Mounted { mount: String, path: String },
}

/// A repository mounted into the catalog by `[[sources]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// The prefix of its catalog paths, without the `:`
    /// (`acme/payments`, `acme/payments@v2`).
    pub name: String,
    /// `github.com`.
    pub host: String,
    /// Owner or group path (`acme`, `acme/platform`).
    pub owner: String,
    pub repo: String,
    /// The URL form its targets were written in, for links back to it.
    pub flavor: WebFlavor,
    /// The ref read (`main`, `v2`), as named.
    pub reference: String,
    /// The commit that ref resolved to.
    pub commit: String,
    /// The repository on disk (work tree or bare).
    pub repo_path: PathBuf,
}

/// How a repository's files are linked on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebFlavor {
    /// `https://HOST/OWNER/REPO/blob/REF/PATH`, `/tree/`, `/edit/`.
    GitHub,
    /// `https://HOST/GROUP/REPO/-/blob/REF/PATH`, `/-/tree/`, `/-/edit/`.
    GitLab,
    /// `https://HOST/OWNER/REPO/PATH`: no view or edit pages known.
    Plain,
}

impl MountInfo {
    /// The web page of one of its files or folders (`path` inside the
    /// repository), or of the edit form; `None` when the host's URL
    /// scheme is not known.
    pub fn web_url(&self, page: WebPage, path: &str) -> Option<String> {
        let verb = match page {
            WebPage::Blob => "blob",
            WebPage::Tree => "tree",
            WebPage::Edit => "edit",
        };
        let base = format!("https://{}/{}/{}", self.host, self.owner, self.repo);
        let encoded = encode_path(path);
        match self.flavor {
            WebFlavor::GitHub => Some(format!(
                "{base}/{verb}/{}/{encoded}",
                encode_path(&self.reference)
            )),
            WebFlavor::GitLab => Some(format!(
                "{base}/-/{verb}/{}/{encoded}",
                encode_path(&self.reference)
            )),
            WebFlavor::Plain => (page == WebPage::Blob).then(|| format!("{base}/{encoded}")),
        }
    }
}

/// Which web page of a repository's file (see [`MountInfo::web_url`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebPage {
    Blob,
    Tree,
    Edit,
}

/// Percent-encode what a URL path would read otherwise, segment by
/// segment (`/` stays a separator).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether a name from a git tree (or any listing) can be one segment of a
/// catalog path: not empty, `.` or `..`, no `/`, `\`, NUL or other control
/// character (a page or image is published under its name). Git's object
/// database stores whatever a crafted commit says (`git mktree` accepts
/// `..`); such entries would otherwise become paths outside the root or
/// outside a build's output.
pub fn is_usable_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// Files in memory, for tests and for editors that lint unsaved buffers.
#[derive(Debug, Default, Clone)]
pub struct MemorySource {
    files: BTreeMap<String, Vec<u8>>,
    /// Symbolic links: path → link text (resolved like a filesystem would).
    links: BTreeMap<String, String>,
}

impl MemorySource {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_file(mut self, path: &str, content: impl Into<Vec<u8>>) -> Self {
        self.insert(path, content);
        self
    }

    pub fn insert(&mut self, path: &str, content: impl Into<Vec<u8>>) {
        self.files
            .insert(path.trim_start_matches("./").to_string(), content.into());
    }

    pub fn with_symlink(mut self, path: &str, target: &str) -> Self {
        self.links.insert(path.to_string(), target.to_string());
        self
    }
}

impl Source for MemorySource {
    fn describe(&self) -> String {
        "in-memory files".into()
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        let mut all: Vec<String> = self
            .files
            .keys()
            .chain(self.links.keys())
            .cloned()
            .collect();
        all.sort();
        Ok(all)
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let mut path = path.to_string();
        for _ in 0..8 {
            if let Some(target) = self.links.get(&path) {
                path = follow_link(&path, target)?;
                continue;
            }
            let bytes = self.files.get(&path).ok_or(ReadError::NotFound)?;
            if bytes.len() as u64 > limit {
                return Err(ReadError::TooLarge {
                    size: bytes.len() as u64,
                    limit,
                });
            }
            return Ok(bytes.clone());
        }
        Err(ReadError::Io("too many levels of symbolic links".into()))
    }
}

/// Resolve a symbolic link's text lexically, inside the root.
fn follow_link(link_path: &str, target: &str) -> Result<String, ReadError> {
    if target.starts_with('/') {
        return Err(ReadError::EscapesRoot);
    }
    join_normalized(parent_dir(link_path), target).map_err(|_| ReadError::EscapesRoot)
}

/// A directory on disk.
#[derive(Debug)]
pub struct DirSource {
    root: PathBuf,
    canonical_root: PathBuf,
    /// Directory (catalog-relative) → its real path, so confining a read
    /// to the root costs one lookup per directory, not a `readlink` per
    /// path component per file.
    real_dirs: std::sync::RwLock<std::collections::HashMap<String, Option<PathBuf>>>,
    /// Files the last listing left out for their names.
    refused: Mutex<Vec<String>>,
}

impl DirSource {
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, SourceError> {
        let root = root.into();
        let canonical_root = root.canonicalize().map_err(|e| {
            SourceError(format!("cannot open catalog root {}: {e}", root.display()))
        })?;
        if !canonical_root.is_dir() {
            return Err(SourceError(format!(
                "catalog root {} is not a directory",
                root.display()
            )));
        }
        Ok(DirSource {
            root,
            canonical_root,
            real_dirs: Default::default(),
            refused: Default::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Source for DirSource {
    fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        let found = Mutex::new(Vec::new());
        let refused = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        let walker = ignore::WalkBuilder::new(&self.canonical_root)
            .require_git(false)
            .follow_links(false)
            .build_parallel();
        walker.run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry
                            .file_type()
                            .map(|t| t.is_file() || t.is_symlink())
                            .unwrap_or(false);
                        if is_file && let Ok(rel) = entry.path().strip_prefix(&self.canonical_root)
                        {
                            let rel: Vec<String> = rel
                                .components()
                                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                                .collect();
                            let path = rel.join("/");
                            if rel.iter().all(|name| is_usable_name(name)) {
                                found.lock().unwrap_or_else(|e| e.into_inner()).push(path);
                            } else {
                                refused
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .push(path.escape_debug().to_string());
                            }
                        }
                    }
                    Err(err) => errors
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(err.to_string()),
                }
                ignore::WalkState::Continue
            })
        });
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.sort();
        let mut refused = refused.into_inner().unwrap_or_else(|e| e.into_inner());
        refused.sort();
        *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = refused;
        Ok(found)
    }

    fn refused_entries(&self) -> Vec<String> {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", path),
        };
        let real_dir = self.real_dir(dir)?;
        let full = real_dir.join(name);
        let meta = std::fs::symlink_metadata(&full).map_err(io_read_error)?;
        let real = if meta.file_type().is_symlink() {
            let real = full.canonicalize().map_err(io_read_error)?;
            if !real.starts_with(&self.canonical_root) {
                return Err(ReadError::EscapesRoot);
            }
            real
        } else {
            full
        };
        let meta = std::fs::metadata(&real).map_err(io_read_error)?;
        // Only regular files: opening a FIFO blocks until a writer comes,
        // and a device can be endless (issue 16: a named pipe in the
        // catalog hung `check` forever).
        if !meta.is_file() {
            return Err(ReadError::Io(format!(
                "not a regular file ({}); only regular files are read",
                file_kind(&meta.file_type())
            )));
        }
        let size = meta.len();
        if size > limit {
            return Err(ReadError::TooLarge { size, limit });
        }
        std::fs::read(&real).map_err(io_read_error)
    }
}

impl DirSource {
    /// The real path of a catalog-relative directory, confined to the root.
    fn real_dir(&self, dir: &str) -> Result<PathBuf, ReadError> {
        if dir.is_empty() {
            return Ok(self.canonical_root.clone());
        }
        if let Some(cached) = self
            .real_dirs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
        {
            return cached.clone().ok_or(ReadError::EscapesRoot);
        }
        let real = match self.canonical_root.join(dir).canonicalize() {
            Ok(real) => real,
            Err(err) => return Err(io_read_error(err)),
        };
        let confined = real.starts_with(&self.canonical_root).then_some(real);
        self.real_dirs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.to_string(), confined.clone());
        confined.ok_or(ReadError::EscapesRoot)
    }
}

/// What a non-regular file is, for messages.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

fn io_read_error(err: std::io::Error) -> ReadError {
    match err.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(err.to_string()),
    }
}

/// The tree of a git revision, read from the object database: no checkout,
/// works in bare repositories.
pub struct GitSource {
    repo: Mutex<git2::Repository>,
    /// Large blobs read lately (see [`BlobCache`]).
    recent: Mutex<BlobCache>,
    description: String,
    /// Catalog-relative path → (blob id, file mode).
    entries: BTreeMap<String, (git2::Oid, i32)>,
    /// Tree entries left out for their names (see [`is_usable_name`]).
    refused: Vec<String>,
    /// The commit read (the tree's id when the revision names a tree).
    commit: String,
}

impl GitSource {
    /// Open the repository containing `root` (a work tree directory or a
    /// bare repository) and read `rev`. When `root` is a subdirectory of a
    /// work tree, the catalog is that subdirectory of the revision's tree.
    pub fn open(root: &Path, rev: &str) -> Result<Self, SourceError> {
        let repo = Self::discover(root)?;
        let (entries, refused, commit_id) = Self::read_tree(&repo, root, rev)?;
        Ok(Self::of_revision(repo, rev, entries, refused, commit_id))
    }

    /// The repository holding `root`.
    fn discover(root: &Path) -> Result<git2::Repository, SourceError> {
        git2::Repository::discover(root).map_err(|e| {
            SourceError(format!(
                "--rev needs a git repository, and none was found at {}: {}",
                root.display(),
                e.message()
            ))
        })
    }

    /// A source of revision `rev` of `repo` (`commit_id`) listing `entries`.
    fn of_revision(
        repo: git2::Repository,
        rev: &str,
        entries: BTreeMap<String, (git2::Oid, i32)>,
        refused: Vec<String>,
        commit_id: String,
    ) -> Self {
        let description = format!(
            "git revision {rev} ({})",
            &commit_id[..commit_id.len().min(12)]
        );
        GitSource {
            repo: Mutex::new(repo),
            recent: Mutex::new(BlobCache::default()),
            description,
            entries,
            refused,
            commit: commit_id,
        }
    }

    /// [`GitSource::open`] of `rev`, given `previous`, the same catalog at
    /// another revision, and `changed`: every catalog path that may differ
    /// between the two (a superset is fine). Only those paths are looked
    /// up in the new tree; the rest of the listing is `previous`'s. When a
    /// changed path, or one `previous` left out, has a name that is not
    /// usable, the whole tree is read again.
    pub fn open_changed(
        previous: &GitSource,
        root: &Path,
        rev: &str,
        changed: &BTreeSet<String>,
    ) -> Result<Self, SourceError> {
        let usable = |path: &str| path.split('/').all(is_usable_name);
        if !previous.refused.is_empty() || !changed.iter().all(|p| usable(p)) {
            return Self::open(root, rev);
        }
        let repo = Self::discover(root)?;
        let (entries, commit_id) = {
            let (tree, commit_id) = Self::catalog_tree(&repo, root, rev)?;
            let mut entries = previous.entries.clone();
            for path in changed {
                entries.remove(path);
                if let Ok(entry) = tree.get_path(Path::new(path))
                    && entry.kind() == Some(git2::ObjectType::Blob)
                {
                    entries.insert(path.clone(), (entry.id(), entry.filemode()));
                }
            }
            (entries, commit_id)
        };
        Ok(Self::of_revision(repo, rev, entries, Vec::new(), commit_id))
    }

    /// Read `rev` of an already opened repository, its whole tree (a
    /// repository mounted by `[[sources]]`); `what` names it in messages.
    pub fn from_repository(
        repo: git2::Repository,
        rev: &str,
        what: &str,
    ) -> Result<Self, SourceError> {
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.path().to_path_buf());
        let (entries, refused, commit_id) = Self::read_tree(&repo, &root, rev)?;
        let description = format!(
            "{what} at {rev} ({})",
            &commit_id[..commit_id.len().min(12)]
        );
        Ok(GitSource {
            repo: Mutex::new(repo),
            description,
            entries,
            refused,
            recent: Mutex::new(BlobCache::disabled()),
            commit: commit_id,
        })
    }

    /// The commit read.
    pub fn commit(&self) -> &str {
        &self.commit
    }

    /// Every file of the revision, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The catalog's tree at `rev` (the root's folder of the revision's
    /// tree) and the commit read.
    fn catalog_tree<'r>(
        repo: &'r git2::Repository,
        root: &Path,
        rev: &str,
    ) -> Result<(git2::Tree<'r>, String), SourceError> {
        let object = repo.revparse_single(rev).map_err(|e| {
            SourceError(format!(
                "cannot resolve revision `{rev}` in {}: {}",
                repo.path().display(),
                e.message()
            ))
        })?;
        let commit_id = object
            .peel_to_commit()
            .map(|c| c.id().to_string())
            .unwrap_or_else(|_| object.id().to_string());
        let tree = object.peel_to_tree().map_err(|e| {
            SourceError(format!(
                "revision `{rev}` does not name a tree: {}",
                e.message()
            ))
        })?;
        let subdir = match repo.workdir() {
            Some(workdir) if !repo.is_bare() => {
                let workdir = workdir
                    .canonicalize()
                    .unwrap_or_else(|_| workdir.to_path_buf());
                let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
                root.strip_prefix(&workdir)
                    .map(|p| p.to_path_buf())
                    .unwrap_or_default()
            }
            _ => PathBuf::new(),
        };
        let tree = if subdir.as_os_str().is_empty() {
            tree
        } else {
            let entry = tree.get_path(&subdir).map_err(|_| {
                SourceError(format!(
                    "{} does not exist at revision `{rev}`",
                    subdir.display()
                ))
            })?;
            repo.find_tree(entry.id()).map_err(|e| {
                SourceError(format!(
                    "{} is not a directory at `{rev}`: {}",
                    subdir.display(),
                    e.message()
                ))
            })?
        };
        Ok((tree, commit_id))
    }

    #[allow(clippy::type_complexity)]
    fn read_tree(
        repo: &git2::Repository,
        root: &Path,
        rev: &str,
    ) -> Result<(BTreeMap<String, (git2::Oid, i32)>, Vec<String>, String), SourceError> {
        let (tree, commit_id) = Self::catalog_tree(repo, root, rev)?;
        let mut entries = BTreeMap::new();
        let mut refused = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            let Ok(name) = entry.name() else {
                return git2::TreeWalkResult::Skip;
            };
            if !is_usable_name(name) {
                // Neither the entry nor, for a tree, anything under it.
                refused.push(format!("{dir}{}", name.escape_debug()));
                return git2::TreeWalkResult::Skip;
            }
            if entry.kind() == Some(git2::ObjectType::Blob) {
                entries.insert(format!("{dir}{name}"), (entry.id(), entry.filemode()));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| SourceError(format!("cannot read the tree of `{rev}`: {}", e.message())))?;
        Ok((entries, refused, commit_id))
    }
}

const GIT_SYMLINK_MODE: i32 = 0o120000;

/// The large blobs a [`GitSource`] read last, by id, within a budget of
/// bytes. A catalog reads an API's `$text` definition and the API loader
/// reads the same file again: for a 12 MB JSON definition, inflating and
/// hash-checking it twice cost a tenth of `portolan diff`'s time.
struct BlobCache {
    blobs: VecDeque<(git2::Oid, Arc<[u8]>)>,
    bytes: usize,
    /// Most bytes kept: [`Self::BUDGET`], or 0 for the repositories
    /// `[[sources]]` mounts (a thousand of them must not each hold 64 MiB).
    budget: usize,
}

impl Default for BlobCache {
    fn default() -> Self {
        BlobCache {
            blobs: VecDeque::new(),
            bytes: 0,
            budget: Self::BUDGET,
        }
    }
}

impl BlobCache {
    /// Most bytes kept; the oldest blobs go first.
    const BUDGET: usize = 64 << 20;

    /// A cache that keeps nothing.
    fn disabled() -> Self {
        BlobCache {
            budget: 0,
            ..Self::default()
        }
    }
    /// Smaller blobs are cheap to read again and not kept.
    const SMALLEST: usize = 64 << 10;

    fn get(&self, oid: git2::Oid) -> Option<&[u8]> {
        self.blobs
            .iter()
            .find(|(id, _)| *id == oid)
            .map(|(_, content)| &**content)
    }

    fn insert(&mut self, oid: git2::Oid, content: &[u8]) {
        if !(Self::SMALLEST..=self.budget).contains(&content.len()) || self.get(oid).is_some() {
            return;
        }
        while self.bytes + content.len() > self.budget {
            match self.blobs.pop_front() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
        self.bytes += content.len();
        self.blobs.push_back((oid, Arc::from(content)));
    }
}

impl Source for GitSource {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.entries.keys().cloned().collect())
    }

    fn content_id(&self, path: &str) -> Option<String> {
        // A symbolic link's blob is its target, not the file's content.
        match self.entries.get(path) {
            Some((oid, mode)) if *mode != GIT_SYMLINK_MODE => Some(oid.to_string()),
            _ => None,
        }
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let mut path = path.to_string();
        for _ in 0..8 {
            let (oid, mode) = *self.entries.get(&path).ok_or(ReadError::NotFound)?;
            if mode != GIT_SYMLINK_MODE {
                let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(content) = recent.get(oid) {
                    let size = content.len() as u64;
                    if size > limit {
                        return Err(ReadError::TooLarge { size, limit });
                    }
                    return Ok(content.to_vec());
                }
            }
            let repo = self.repo.lock().unwrap_or_else(|e| e.into_inner());
            let blob = repo
                .find_blob(oid)
                .map_err(|e| ReadError::Io(format!("git object {oid}: {}", e.message())))?;
            if mode == GIT_SYMLINK_MODE {
                let target = String::from_utf8_lossy(blob.content()).into_owned();
                path = follow_link(&path, &target)?;
                continue;
            }
            let size = blob.size() as u64;
            if size > limit {
                return Err(ReadError::TooLarge { size, limit });
            }
            let content = blob.content().to_vec();
            drop(blob);
            drop(repo);
            self.recent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(oid, &content);
            return Ok(content);
        }
        Err(ReadError::Io("too many levels of symbolic links".into()))
    }

    fn is_git(&self) -> bool {
        true
    }

    fn refused_entries(&self) -> Vec<String> {
        self.refused.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_links_are_confined() {
        let source = MemorySource::new()
            .with_file("a/real.yaml", "x")
            .with_symlink("a/inside.yaml", "real.yaml")
            .with_symlink("a/outside.yaml", "../../secret");
        assert_eq!(source.read("a/inside.yaml", 10), Ok(b"x".to_vec()));
        assert_eq!(
            source.read("a/outside.yaml", 10),
            Err(ReadError::EscapesRoot)
        );
        assert_eq!(
            source.read("a/real.yaml", 0),
            Err(ReadError::TooLarge { size: 1, limit: 0 })
        );
    }

    /// A repository whose one commit holds `files` (path, content) and
    /// `links` (path, target).
    fn repository(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let mut tree = repo.treebuilder(None).unwrap();
        for (path, content) in files {
            let blob = repo.blob(content).unwrap();
            tree.insert(path, blob, 0o100644).unwrap();
        }
        for (path, target) in links {
            let blob = repo.blob(target.as_bytes()).unwrap();
            tree.insert(path, blob, GIT_SYMLINK_MODE).unwrap();
        }
        let tree = repo.find_tree(tree.write().unwrap()).unwrap();
        let who = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &who, &who, "one", &tree, &[])
            .unwrap();
        dir
    }

    /// The catalog and the API loader read a `$text` definition one after
    /// the other: the second read is served from memory, by blob id (a
    /// link to the same blob too), and the size limit still holds.
    #[test]
    fn large_blobs_read_again_come_from_memory() {
        let large = vec![b'x'; BlobCache::SMALLEST + 1];
        let dir = repository(
            &[("big.json", &large), ("small.yaml", b"a: 1")],
            &[("link.json", "big.json")],
        );
        let source = GitSource::open(dir.path(), "HEAD").unwrap();
        let cached = |source: &GitSource| source.recent.lock().unwrap().blobs.len();
        assert_eq!(source.read("small.yaml", 100), Ok(b"a: 1".to_vec()));
        assert_eq!(cached(&source), 0, "small blobs are not kept");
        assert_eq!(source.read("big.json", u64::MAX), Ok(large.clone()));
        assert_eq!(cached(&source), 1);
        assert_eq!(source.read("big.json", u64::MAX), Ok(large.clone()));
        assert_eq!(source.read("link.json", u64::MAX), Ok(large.clone()));
        assert_eq!(cached(&source), 1, "one blob, kept once");
        let size = large.len() as u64;
        assert_eq!(
            source.read("big.json", size - 1),
            Err(ReadError::TooLarge {
                size,
                limit: size - 1
            })
        );
    }

    #[test]
    fn the_blob_cache_keeps_to_its_budget() {
        let mut cache = BlobCache::default();
        let blob = |n: u8| vec![n; BlobCache::BUDGET / 3 + 1];
        let id = |n: u8| git2::Oid::from_bytes(&[n; 20]).unwrap();
        for n in 0..3 {
            cache.insert(id(n), &blob(n));
        }
        // The third did not fit beside the first two: the oldest went.
        assert!(cache.get(id(0)).is_none());
        assert_eq!(cache.get(id(1)), Some(&blob(1)[..]));
        assert_eq!(cache.get(id(2)), Some(&blob(2)[..]));
        assert!(cache.bytes <= BlobCache::BUDGET);
        // A blob over the whole budget is not kept (nor evicts anything).
        cache.insert(id(9), &vec![0; BlobCache::BUDGET + 1]);
        assert!(cache.get(id(9)).is_none());
        assert!(cache.get(id(2)).is_some());
    }

    /// Commit the work tree of `repo` as it is (every file added, removed
    /// ones dropped) and return the commit's id.
    fn commit_all(repo: &git2::Repository, message: &str) -> String {
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = git2::Signature::new("a", "a@example.com", &git2::Time::new(1, 0)).unwrap();
        let parent = repo.head().ok().map(|h| h.peel_to_commit().unwrap());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .unwrap()
        .to_string()
    }

    #[test]
    fn a_source_opened_from_the_last_one_lists_what_a_fresh_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let catalog = dir.path().join("catalog");
        let write = |path: &str, text: &str| {
            let full = catalog.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        write("a.yaml", "a");
        write("svc/one/catalog-info.yaml", "1");
        write("svc/two/catalog-info.yaml", "2");
        write("outside-is-not-read.txt", "x");
        std::fs::write(dir.path().join("top.txt"), "t").unwrap();
        let mut revisions = vec![commit_all(&repo, "one")];
        // A change, an addition, a folder removed, a file becoming a
        // folder, a folder becoming a file.
        write("a.yaml", "a2");
        write("svc/three/catalog-info.yaml", "3");
        std::fs::remove_dir_all(catalog.join("svc/two")).unwrap();
        revisions.push(commit_all(&repo, "two"));
        std::fs::remove_file(catalog.join("a.yaml")).unwrap();
        write("a.yaml/inner.yaml", "i");
        std::fs::remove_dir_all(catalog.join("svc/one")).unwrap();
        write("svc/one", "now a file");
        revisions.push(commit_all(&repo, "three"));
        let tree_of = |rev: &str| {
            let tree = repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
            let entry = tree.get_path(Path::new("catalog")).unwrap();
            repo.find_tree(entry.id()).unwrap()
        };
        // Both ways along the history: each revision from each other one.
        for from in &revisions {
            for to in &revisions {
                let previous = GitSource::open(&catalog, from).unwrap();
                let changed: BTreeSet<String> = crate::history::changed_paths(
                    &repo,
                    Some(&tree_of(from)),
                    Some(&tree_of(to)),
                    "",
                )
                .into_iter()
                .collect();
                let fresh = GitSource::open(&catalog, to).unwrap();
                let incremental =
                    GitSource::open_changed(&previous, &catalog, to, &changed).unwrap();
                assert_eq!(incremental.entries, fresh.entries, "{from} -> {to}");
                assert_eq!(incremental.commit, fresh.commit);
                assert_eq!(incremental.files().unwrap(), fresh.files().unwrap());
            }
        }
    }
}
