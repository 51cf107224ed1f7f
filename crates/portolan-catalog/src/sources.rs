//! `[[sources]]`: a catalog made of many repositories. A central catalog's
//! Location targets name files of other repositories by URL
//! (`https://github.com/acme/payments/blob/main/catalog-info.yaml`); each
//! `[[sources]]` entry of portolan.toml maps a URL prefix to where those
//! repositories are on disk (a work tree or a bare repository, read through
//! git at the ref the URL names, never checked out) or, with `--fetch`, to
//! a clone in the fetch cache.
//!
//! [`SourceSet`] is the catalog's [`Source`]: the root's files as they are,
//! and each repository mounted under a name (`acme/payments`, or
//! `acme/payments@v2` for a ref other than its default branch) that
//! prefixes its paths up to a `:` (`acme/payments:catalog-info.yaml`).
//! Path resolution treats a mount's root as a floor `..` cannot climb
//! ([`portolan_core::paths::join_normalized`]), so a repository's relative
//! paths, `$text`s, `$ref`s and docs stay inside it; diagnostics name the
//! repository with the path (`acme/payments:catalog-info.yaml:12:3`).
//!
//! What a catalog says never makes portolan read outside the root: a
//! `path` that leaves the catalog root is read only when it is inside a
//! directory the operator allowed (`--allow-read`); `--fetch` writes only
//! into the fetch cache, whose location the command line chooses.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use portolan_core::config::SourceConfig;
use portolan_core::paths::split_mount;
use portolan_core::source::{
    GitSource, MountInfo, ReadError, Source, SourceError, UrlResolution, WebFlavor,
};

use crate::fetch::{self, FetchOptions};
use crate::remote::{RemoteTarget, UrlForm, parse_target_url};

/// How `[[sources]]` repositories are found.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// The catalog root on disk: `path` templates are relative to it.
    pub root_dir: PathBuf,
    /// Directories outside the root that `path` templates may name
    /// (`--allow-read`).
    pub allow_read: Vec<PathBuf>,
    /// The fetch cache (`--cache-dir`, default `ROOT/.portolan/cache`).
    pub cache_dir: PathBuf,
    /// Clone or update every mapped repository into the cache before
    /// reading it (`--fetch`).
    pub fetch: Option<FetchOptions>,
}

/// One `[[sources]]` entry, checked.
#[derive(Debug, Clone)]
struct Mapping {
    /// From portolan.toml, for messages.
    url: String,
    host: String,
    /// Path segments of the prefix (`["acme"]`).
    segments: Vec<String>,
    path: Option<String>,
    reference: Option<String>,
    clone: Option<String>,
}

/// A repository, as a URL names it: which mapping, host, owner, repo, ref.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct RepoKey {
    mapping: usize,
    host: String,
    owner: String,
    repo: String,
    /// `None`: the mapping's ref, else the repository's HEAD.
    reference: Option<String>,
}

struct Mount {
    info: MountInfo,
    source: GitSource,
    /// Catalog paths (`NAME:path`), sorted.
    files: Vec<String>,
}

/// The catalog root plus the repositories its Location URLs name.
pub struct SourceSet {
    root: Box<dyn Source>,
    mappings: Vec<Mapping>,
    options: SourceOptions,
    /// Canonical root and allowed directories, for confinement.
    canonical_root: PathBuf,
    allowed: Vec<PathBuf>,
    /// Mount names carry the host when the mappings name several hosts.
    qualify_host: bool,
    mounts: RwLock<BTreeMap<String, Arc<Mount>>>,
    /// Every repository tried: its mount name, or why it cannot be read.
    opened: Mutex<HashMap<RepoKey, Result<String, String>>>,
    /// Root files the last listing left out: their names hold a `:`.
    posing: Mutex<Vec<String>>,
    /// Catalog-relative directories (ending in `/`) that `path` templates
    /// keep repositories in, inside the root: not the root's own files.
    repo_dirs: Vec<String>,
}

impl SourceSet {
    /// Wrap `root` with the repositories `sources` maps. Errors are in the
    /// configuration itself (a `url` that is not an http(s) URL, ...).
    pub fn new(
        root: Box<dyn Source>,
        sources: &[SourceConfig],
        options: SourceOptions,
    ) -> Result<Self, SourceError> {
        let mut mappings = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let what = format!(
                "[[sources]] entry {} (`url = \"{}\"`)",
                index + 1,
                source.url
            );
            let url = url::Url::parse(source.url.trim())
                .map_err(|e| SourceError(format!("{what}: not a URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(SourceError(format!(
                    "{what}: `url` must be an http(s) URL prefix such as https://github.com/acme/"
                )));
            }
            let host = url
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(|| SourceError(format!("{what}: the URL has no host")))?
                .to_ascii_lowercase();
            let segments: Vec<String> = url
                .path_segments()
                .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
                .unwrap_or_default();
            if let Some(reference) = &source.reference
                && !is_usable_ref(reference)
            {
                return Err(SourceError(format!(
                    "{what}: `ref = \"{reference}\"` is not a branch or tag name"
                )));
            }
            for (key, template) in [("path", &source.path), ("clone", &source.clone)] {
                if let Some(template) = template
                    && let Some(bad) = unknown_placeholder(template)
                {
                    return Err(SourceError(format!(
                        "{what}: `{key}` has the placeholder `{{{bad}}}`; the known ones are {{host}}, {{owner}} and {{repo}}"
                    )));
                }
            }
            mappings.push(Mapping {
                url: source.url.clone(),
                host,
                segments,
                path: source.path.clone(),
                reference: source.reference.clone(),
                clone: source.clone.clone(),
            });
        }
        let canonical_root = options
            .root_dir
            .canonicalize()
            .unwrap_or_else(|_| options.root_dir.clone());
        let allowed = options
            .allow_read
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .collect();
        let mut repo_dirs: Vec<String> = mappings
            .iter()
            .filter_map(|m| repositories_dir(m.path.as_deref()?))
            .collect();
        repo_dirs.sort();
        repo_dirs.dedup();
        let mut hosts: Vec<&str> = mappings.iter().map(|m| m.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        Ok(SourceSet {
            root,
            qualify_host: hosts.len() > 1,
            mappings,
            options,
            canonical_root,
            allowed,
            mounts: RwLock::new(BTreeMap::new()),
            opened: Mutex::new(HashMap::new()),
            posing: Mutex::new(Vec::new()),
            repo_dirs,
        })
    }

    /// The `[[sources]]` entry mapping `url`: the one with the longest
    /// prefix (the first of equals).
    fn mapping_for(&self, host: &str, segments: &[String]) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (index, mapping) in self.mappings.iter().enumerate() {
            if mapping.host == host
                && segments.len() >= mapping.segments.len()
                && mapping
                    .segments
                    .iter()
                    .zip(segments)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
                && best.is_none_or(|(_, len)| mapping.segments.len() > len)
            {
                best = Some((index, mapping.segments.len()));
            }
        }
        best.map(|(index, _)| index)
    }

    /// Which mapping a URL falls under, from its raw text (for URLs that
    /// do not parse as a repository's file).
    fn mapping_for_text(&self, text: &str) -> Option<usize> {
        let url = url::Url::parse(text.trim()).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        self.mapping_for(&host, &segments)
    }

    /// Where a repository is on disk: the cache (fetching, or no `path`),
    /// else the mapping's `path`, confined.
    fn repo_dir(&self, key: &RepoKey) -> Result<PathBuf, String> {
        let mapping = &self.mappings[key.mapping];
        if self.options.fetch.is_some() || mapping.path.is_none() {
            let dir = fetch::cache_path(&self.options.cache_dir, &key.host, &key.owner, &key.repo);
            if !dir.exists() {
                return Err(if self.options.fetch.is_some() {
                    "it was not fetched".to_string()
                } else {
                    format!(
                        "it is not in the fetch cache ({}), and its [[sources]] entry (`url = \"{}\"`) has no `path`; run with --fetch, or set `path` to where the repositories are",
                        dir.display(),
                        mapping.url
                    )
                });
            }
            return Ok(dir);
        }
        let template = mapping.path.as_deref().unwrap_or_default();
        let relative = fill(template, key);
        let dir = self.options.root_dir.join(&relative);
        let real = dir.canonicalize().map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "does not exist".to_string(),
                _ => format!("cannot be opened: {e}"),
            };
            format!(
                "the repository {relative} (`path = \"{template}\"`, from the catalog root) {why}"
            )
        })?;
        if real.starts_with(&self.canonical_root)
            || self.allowed.iter().any(|allowed| real.starts_with(allowed))
        {
            Ok(real)
        } else {
            let parent = Path::new(&relative)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(&relative));
            Err(format!(
                "the repository {relative} (`path = \"{template}\"`) is outside the catalog root, and what a catalog says never makes portolan read outside it on its own; allow the directory with --allow-read {}",
                parent.display()
            ))
        }
    }

    /// Open one repository at its ref and mount it; its mount name.
    fn open(&self, key: &RepoKey, flavor: WebFlavor) -> Result<String, String> {
        let dir = self.repo_dir(key)?;
        let repo = git2::Repository::open_ext(
            &dir,
            git2::RepositoryOpenFlags::NO_SEARCH,
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|e| format!("{} is not a git repository: {}", dir.display(), e.message()))?;
        let mapping = &self.mappings[key.mapping];
        let head_branch = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_string))
            .and_then(|target| target.strip_prefix("refs/heads/").map(str::to_string));
        let named = key.reference.clone().or_else(|| mapping.reference.clone());
        let (rev, shown) = match &named {
            Some(name) => (resolvable(&repo, name), name.clone()),
            None => (
                "HEAD".to_string(),
                head_branch.clone().unwrap_or_else(|| "HEAD".into()),
            ),
        };
        let mut name = if self.qualify_host {
            format!("{}/{}/{}", key.host, key.owner, key.repo)
        } else {
            format!("{}/{}", key.owner, key.repo)
        };
        if named.is_some() && named != head_branch {
            name.push('@');
            name.push_str(&shown);
        }
        let source = GitSource::from_repository(repo, &rev, &name)
            .map_err(|e| e.0.replace("revision", "ref"))?;
        let files: Vec<String> = source.paths().map(|p| format!("{name}:{p}")).collect();
        let info = MountInfo {
            name: name.clone(),
            host: key.host.clone(),
            owner: key.owner.clone(),
            repo: key.repo.clone(),
            flavor,
            reference: shown,
            commit: source.commit().to_string(),
            repo_path: dir,
        };
        self.mounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(name.clone())
            .or_insert_with(|| {
                Arc::new(Mount {
                    info,
                    source,
                    files,
                })
            });
        Ok(name)
    }

    fn mount(&self, name: &str) -> Option<Arc<Mount>> {
        self.mounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }
}

/// The catalog-relative directory (with a trailing `/`) a `path` template
/// keeps repositories under: its text before the first placeholder, up to
/// the last `/`; `None` when that is the root itself or outside it.
fn repositories_dir(template: &str) -> Option<String> {
    let fixed = &template[..template.find('{')?];
    let dir = &fixed[..fixed.rfind('/')?];
    if dir.starts_with('/') {
        return None;
    }
    let normalized = portolan_core::paths::join_normalized("", dir).ok()?;
    (!normalized.is_empty()).then(|| format!("{normalized}/"))
}

/// `{host}`, `{owner}`, `{repo}` of a template, filled in.
fn fill(template: &str, key: &RepoKey) -> String {
    template
        .replace("{host}", &key.host)
        .replace("{owner}", &key.owner)
        .replace("{repo}", &key.repo)
}

fn unknown_placeholder(template: &str) -> Option<String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !matches!(name, "host" | "owner" | "repo") {
            return Some(name.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

/// A name a URL gives a repository part: what git hosts allow, and never
/// `.`/`..` or a leading dot (the name becomes a directory of the cache).
fn is_usable_name_part(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A branch or tag name: no revision syntax (`~`, `^`, `@{`, `:`), no `..`.
fn is_usable_ref(reference: &str) -> bool {
    !reference.is_empty()
        && !reference.starts_with(['-', '/', '.'])
        && !reference.ends_with('/')
        && !reference.contains("..")
        && !reference.contains("//")
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
}

/// The revision git resolves for a branch or tag name: the local branch or
/// tag, else a remote-tracking branch of a work tree's clone.
fn resolvable(repo: &git2::Repository, name: &str) -> String {
    for candidate in [
        format!("refs/heads/{name}"),
        format!("refs/tags/{name}"),
        format!("refs/remotes/origin/{name}"),
    ] {
        if repo.find_reference(&candidate).is_ok() {
            return candidate;
        }
    }
    format!("refs/heads/{name}")
}

impl Source for SourceSet {
    fn describe(&self) -> String {
        let count = self.mounts.read().unwrap_or_else(|e| e.into_inner()).len();
        format!("{} and {count} mapped repositories", self.root.describe())
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        // A root file whose name holds a `:` would read as a mounted
        // repository's: left out (and reported).
        let (posing, files): (Vec<String>, Vec<String>) = self
            .root
            .files()?
            .into_iter()
            .partition(|p| p.contains(':'));
        *self.posing.lock().unwrap_or_else(|e| e.into_inner()) = posing;
        // The directory the repositories are kept in, when it is inside
        // the root, is theirs: its work trees are read as mounted
        // repositories (at the URL's ref), not as the root's own files.
        Ok(files
            .into_iter()
            .filter(|p| !self.repo_dirs.iter().any(|dir| p.starts_with(dir.as_str())))
            .collect())
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match split_mount(path) {
            (Some(prefix), inner) => {
                let name = &prefix[..prefix.len() - 1];
                match self.mount(name) {
                    Some(mount) => mount.source.read(inner, limit),
                    None => Err(ReadError::NotFound),
                }
            }
            (None, _) => self.root.read(path, limit),
        }
    }

    fn is_git(&self) -> bool {
        self.root.is_git()
    }

    fn content_id(&self, path: &str) -> Option<String> {
        match split_mount(path) {
            (Some(prefix), inner) => self
                .mount(&prefix[..prefix.len() - 1])
                .and_then(|mount| mount.source.content_id(inner)),
            (None, _) => self.root.content_id(path),
        }
    }

    fn refused_entries(&self) -> Vec<String> {
        let mut refused = self.root.refused_entries();
        refused.extend(
            self.posing
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned(),
        );
        for mount in self
            .mounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            refused.extend(
                mount
                    .source
                    .refused_entries()
                    .into_iter()
                    .map(|p| format!("{}:{p}", mount.info.name)),
            );
        }
        refused.sort();
        refused
    }

    fn resolve_urls(&self, urls: &[String]) -> Vec<UrlResolution> {
        // Parse, and collect the repositories not tried yet.
        let parsed: Vec<Option<Result<(RepoKey, RemoteTarget), String>>> = urls
            .iter()
            .map(|url| match parse_target_url(url) {
                Ok(target) => {
                    let mut segments: Vec<String> = target.owner.split('/').map(str::to_string).collect();
                    segments.push(target.repo.clone());
                    let mapping = self.mapping_for(&target.host, &segments)?;
                    let parts_ok = target.owner.split('/').all(is_usable_name_part)
                        && is_usable_name_part(&target.repo)
                        && is_usable_name_part(&target.host.replace(':', "-"));
                    if !parts_ok {
                        return Some(Err(format!(
                            "`{}/{}` is not a repository name portolan reads (letters, digits, `-`, `_` and `.`, not first)",
                            target.owner, target.repo
                        )));
                    }
                    if let Some(reference) = &target.reference
                        && !is_usable_ref(reference)
                    {
                        return Some(Err(format!("`{reference}` is not a branch or tag name")));
                    }
                    let key = RepoKey {
                        mapping,
                        host: target.host.clone(),
                        owner: target.owner.clone(),
                        repo: target.repo.clone(),
                        reference: target.reference.clone(),
                    };
                    Some(Ok((key, target)))
                }
                Err(err) => self
                    .mapping_for_text(url)
                    .map(|_| Err(format!("the URL cannot be read as a repository's file: {err}"))),
            })
            .collect();
        let mut todo: Vec<(RepoKey, WebFlavor)> = Vec::new();
        {
            let opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
            let mut queued = std::collections::HashSet::new();
            for (url, entry) in urls.iter().zip(&parsed) {
                if let Some(Ok((key, target))) = entry
                    && !opened.contains_key(key)
                    && queued.insert(key.clone())
                {
                    let flavor = match target.form {
                        UrlForm::Plain => WebFlavor::Plain,
                        _ if url.contains("/-/") => WebFlavor::GitLab,
                        _ => WebFlavor::GitHub,
                    };
                    todo.push((key.clone(), flavor));
                }
            }
        }
        todo.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(fetch_options) = &self.options.fetch {
            // One fetch per repository, whatever refs its URLs name: the
            // repositories by cache directory, each with the keys it serves.
            let mut repos: Vec<fetch::Remote> = Vec::new();
            let mut serves: Vec<Vec<&RepoKey>> = Vec::new();
            let mut index_of: HashMap<PathBuf, usize> = HashMap::new();
            for (key, _) in &todo {
                let dir =
                    fetch::cache_path(&self.options.cache_dir, &key.host, &key.owner, &key.repo);
                let index = *index_of.entry(dir.clone()).or_insert_with(|| {
                    let url = match &self.mappings[key.mapping].clone {
                        Some(template) => fill(template, key),
                        None => format!("https://{}/{}/{}.git", key.host, key.owner, key.repo),
                    };
                    repos.push(fetch::Remote { url, dir });
                    serves.push(Vec::new());
                    repos.len() - 1
                });
                serves[index].push(key);
            }
            let results = fetch::fetch_all(&repos, &self.options, fetch_options);
            let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
            for (keys, result) in serves.iter().zip(results) {
                if let Err(err) = result {
                    for &key in keys {
                        opened.insert(key.clone(), Err(err.clone()));
                    }
                }
            }
            todo.retain(|(key, _)| !opened.contains_key(key));
        }
        // Open in parallel: each is a few file reads and a tree walk.
        let results: Vec<(RepoKey, Result<String, String>)> = {
            use rayon::prelude::*;
            todo.par_iter()
                .map(|(key, flavor)| (key.clone(), self.open(key, *flavor)))
                .collect()
        };
        let mut opened = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        opened.extend(results);
        parsed
            .into_iter()
            .map(|entry| match entry {
                None => UrlResolution::Unmapped,
                Some(Err(err)) => UrlResolution::Unavailable(err),
                Some(Ok((key, target))) => match opened.get(&key) {
                    Some(Ok(mount)) => UrlResolution::Mounted {
                        mount: mount.clone(),
                        path: target_path(mount, &target),
                    },
                    Some(Err(err)) => UrlResolution::Unavailable(err.clone()),
                    None => UrlResolution::Unavailable("it was not opened".into()),
                },
            })
            .collect()
    }

    fn mount_files(&self, mount: &str) -> Vec<String> {
        self.mount(mount)
            .map(|m| m.files.clone())
            .unwrap_or_default()
    }

    fn mounts(&self) -> Vec<MountInfo> {
        self.mounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|m| m.info.clone())
            .collect()
    }
}

/// The catalog path (or glob) a target names in its mounted repository: a
/// file for `blob/` URLs, the descriptors under a folder for `tree/` URLs
/// and for a plain URL of the repository itself.
fn target_path(mount: &str, target: &RemoteTarget) -> String {
    let descriptors = "**/catalog-info.{yaml,yml}";
    match (target.form, target.path.is_empty()) {
        (UrlForm::Tree, false) => format!("{mount}:{}/{descriptors}", target.path),
        (UrlForm::Tree, true) | (_, true) => format!("{mount}:{descriptors}"),
        (_, false) => format!("{mount}:{}", target.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_repositories_are_kept_in() {
        assert_eq!(repositories_dir("repos/{repo}"), Some("repos/".into()));
        assert_eq!(
            repositories_dir("./vendor/git/{owner}/{repo}.git"),
            Some("vendor/git/".into())
        );
        assert_eq!(repositories_dir("../repos/{repo}"), None);
        assert_eq!(repositories_dir("{repo}"), None);
        assert_eq!(repositories_dir("/srv/git/{repo}"), None);
        assert_eq!(repositories_dir("repos/fixed"), None);
    }

    #[test]
    fn names_and_refs_a_url_may_give() {
        for good in ["payments", "pay.ments-2", "a_b"] {
            assert!(is_usable_name_part(good), "{good}");
        }
        for bad in ["", ".", "..", ".git", "a b", "a*", "a:b", "a/b"] {
            assert!(!is_usable_name_part(bad), "{bad}");
        }
        for good in ["main", "release/1.2", "v2"] {
            assert!(is_usable_ref(good), "{good}");
        }
        for bad in [
            "", "-x", "a..b", "HEAD@{1}", "main~2", "a:b", "/a", "a/", "a//b",
        ] {
            assert!(!is_usable_ref(bad), "{bad}");
        }
    }
}
