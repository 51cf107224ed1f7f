//! `--fetch`: clone or update the repositories `[[sources]]` maps into the
//! fetch cache, several at a time.
//!
//! Fetching runs the `git` command, as CI runners and developers have it:
//! its transports (https with the credentials git is configured with, ssh,
//! git://, file://), shallow clones and proxies are what users expect, and
//! portolan's own git library is built without network support. Each
//! repository is a bare clone at `CACHE/HOST/OWNER/REPO.git`; a first clone
//! is made beside it and renamed into place, so an interrupted fetch never
//! leaves a half-written repository where a build would read it.
//!
//! What a catalog says cannot widen what this does: the clone URL may only
//! use git's network transports or `file://` inside the catalog root or an
//! `--allow-read` directory (never `ext::`, which runs a command), git never
//! prompts, and the only place written is the cache, which the command
//! line chooses; inside the catalog root, no directory on the way to it may
//! be a symbolic link (a repository could commit `.portolan` as a link to
//! anywhere).

use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::sources::SourceOptions;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Repositories fetched at once.
    pub jobs: usize,
    /// Shallow clones of this many commits (`--fetch-depth`); `None`: the
    /// whole history, which git facts and API changelogs read.
    pub depth: Option<u32>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            jobs: 8,
            depth: None,
        }
    }
}

/// One repository to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub url: String,
    pub dir: PathBuf,
}

/// Where the cache keeps a repository. Every part was checked to be a
/// plain name (letters, digits, `-`, `_`, `.`, not first).
pub fn cache_path(cache: &Path, host: &str, owner: &str, repo: &str) -> PathBuf {
    let mut dir = cache.join(host.replace(':', "-"));
    for part in owner.split('/') {
        dir.push(part);
    }
    dir.push(format!("{repo}.git"));
    dir
}

/// Fetch every repository, `options.jobs` at a time; one result each, in
/// order. One repository that cannot be fetched does not stop the others.
pub fn fetch_all(
    repos: &[Remote],
    sources: &SourceOptions,
    options: &FetchOptions,
) -> Vec<Result<(), String>> {
    if repos.is_empty() {
        return Vec::new();
    }
    if let Err(err) = prepare_cache(&sources.cache_dir, &sources.root_dir) {
        return repos.iter().map(|_| Err(err.clone())).collect();
    }
    let allowed: Vec<PathBuf> = std::iter::once(&sources.root_dir)
        .chain(&sources.allow_read)
        .filter_map(|d| d.canonicalize().ok())
        .collect();
    let results: Vec<Mutex<Option<Result<(), String>>>> =
        repos.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, repos.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(remote) = repos.get(index) else {
                        break;
                    };
                    let result =
                        check_url(&remote.url, &allowed).and_then(|()| fetch_one(remote, options));
                    *results[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err("not fetched".into()))
        })
        .collect()
}

/// Create the cache directory; inside the catalog root, refuse a path
/// through a symbolic link.
fn prepare_cache(cache: &Path, root: &Path) -> Result<(), String> {
    if let Ok(inside) = cache.strip_prefix(root) {
        let mut dir = root.to_path_buf();
        for component in inside.components() {
            match component {
                Component::Normal(name) => dir.push(name),
                _ => {
                    return Err(format!(
                        "the fetch cache {} must be a plain path",
                        cache.display()
                    ));
                }
            }
            match std::fs::symlink_metadata(&dir) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(format!(
                        "{} is a symbolic link; the fetch cache is not written through one (pass --cache-dir to put it elsewhere)",
                        dir.display()
                    ));
                }
                Ok(meta) if !meta.is_dir() => {
                    return Err(format!("{} is not a directory", dir.display()));
                }
                Ok(_) => {}
                Err(_) => {
                    std::fs::create_dir(&dir).map_err(|e| {
                        format!("cannot create the fetch cache {}: {e}", dir.display())
                    })?;
                }
            }
        }
        Ok(())
    } else {
        std::fs::create_dir_all(cache)
            .map_err(|e| format!("cannot create the fetch cache {}: {e}", cache.display()))
    }
}

/// Transports git may use for a clone URL from portolan.toml.
const TRANSPORTS: &str = "https:http:git:ssh:file";

/// Refuse clone URLs that are not a network transport, or a `file://`
/// repository outside the root and the allowed directories.
fn check_url(url: &str, allowed: &[PathBuf]) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "the clone URL `{url}` is not a URL (https://, ssh://, git:// or file://)"
        ));
    };
    match scheme {
        "https" | "http" | "git" | "ssh" => Ok(()),
        "file" => {
            let path = PathBuf::from(rest);
            let real = path
                .canonicalize()
                .map_err(|e| format!("{} cannot be opened: {e}", path.display()))?;
            if allowed.iter().any(|dir| real.starts_with(dir)) {
                Ok(())
            } else {
                Err(format!(
                    "the clone URL `{url}` is outside the catalog root; pass --allow-read with a directory holding it"
                ))
            }
        }
        other => Err(format!(
            "the clone URL `{url}` uses `{other}://`; only https, http, git, ssh and file URLs are fetched"
        )),
    }
}

fn git() -> Command {
    let mut command = Command::new("git");
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GCM_INTERACTIVE", "never")
        .env("GIT_ALLOW_PROTOCOL", TRANSPORTS)
        .args([
            "-c",
            "http.lowSpeedLimit=1000",
            "-c",
            "http.lowSpeedTime=60",
        ]);
    command
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "--fetch runs `git`, and it is not installed (or not on PATH)".to_string()
        } else {
            format!("cannot run git: {e}")
        }
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = last[last.len().saturating_sub(3)..].join("; ");
    Err(format!("{what} failed ({}): {tail}", output.status))
}

fn fetch_one(remote: &Remote, options: &FetchOptions) -> Result<(), String> {
    let depth = options.depth.map(|d| format!("--depth={d}"));
    if remote.dir.join("HEAD").is_file() {
        let mut command = git();
        command
            .arg("--git-dir")
            .arg(&remote.dir)
            .args(["fetch", "--quiet", "--prune", "--force"]);
        command.args(depth.iter());
        command
            .arg("--")
            .arg(&remote.url)
            .args(["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]);
        return run(command, &format!("git fetch from {}", remote.url));
    }
    let parent = remote
        .dir
        .parent()
        .ok_or_else(|| "the cache has no parent directory".to_string())?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = remote
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    let mut command = git();
    command.args(["clone", "--bare", "--quiet"]);
    command.args(depth.iter());
    command.arg("--").arg(&remote.url).arg(&partial);
    let cloned = run(command, &format!("git clone of {}", remote.url));
    if let Err(err) = cloned {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(err);
    }
    std::fs::rename(&partial, &remote.dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&partial);
        format!("cannot move the clone into {}: {e}", remote.dir.display())
    })
}
