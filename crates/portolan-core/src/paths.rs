//! Catalog-relative paths: `/`-separated, normalised, never leaving the root.

use std::fmt;

/// Why a path named in a file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// `/etc/passwd`, `C:\x`, `\\server\share`.
    Absolute,
    /// Enough `..` to climb above the catalog root.
    EscapesRoot,
    /// `https://…` and other URLs with a scheme.
    Remote,
    Empty,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::Absolute => {
                "absolute paths are not allowed; use a path relative to this file"
            }
            PathError::EscapesRoot => "the path leaves the catalog root",
            PathError::Remote => "remote URLs are not fetched",
            PathError::Empty => "the path is empty",
        })
    }
}

/// True for `scheme://…` URLs (http, https, git, s3, …).
pub fn is_remote(target: &str) -> bool {
    match target.find("://") {
        Some(i) => {
            let scheme = &target[..i];
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

/// The directory part of a catalog-relative file path (`""` for the root).
/// For a file at a mounted repository's root, its mount
/// (`acme/payments:`).
pub fn parent_dir(path: &str) -> &str {
    let floor = path.find(':').map_or(0, |colon| colon + 1);
    match path[floor..].rfind('/') {
        Some(i) => &path[..floor + i],
        None => &path[..floor],
    }
}

/// Resolve `target` relative to the directory holding `from_file`, both
/// catalog-relative. `file:` prefixes (Backstage's `file:./x`) are accepted.
pub fn resolve_relative(from_file: &str, target: &str) -> Result<String, PathError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(PathError::Empty);
    }
    if is_remote(target) {
        return Err(PathError::Remote);
    }
    let target = target.strip_prefix("file:").unwrap_or(target);
    let bytes = target.as_bytes();
    let windows_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if target.starts_with('/') || target.starts_with('\\') || windows_drive {
        return Err(PathError::Absolute);
    }
    join_normalized(parent_dir(from_file), target)
}

/// Join `base` (a normalised directory) and a relative `path`, resolving `.`
/// and `..` lexically; refuses to climb above the root.
///
/// A path can start with a mounted repository (`[[sources]]` in
/// portolan.toml): everything up to its first `:` names the repository
/// (`acme/payments:docs/index.md`), and that repository's root is a floor
/// `..` cannot climb, exactly as the catalog root is. A mount can also be
/// named by `path` itself (`acme/payments:x` from a root file); the segments
/// before it belong to its name.
pub fn join_normalized(base: &str, path: &str) -> Result<String, PathError> {
    let (mount, rest) = split_mount(base);
    let mut mount = mount.map(str::to_string);
    let mut parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::EscapesRoot);
                }
            }
            other => match other.find(':') {
                Some(colon) if mount.is_none() => {
                    let mut name = parts.join("/");
                    if !name.is_empty() {
                        name.push('/');
                    }
                    name.push_str(&other[..=colon]);
                    mount = Some(name);
                    parts.clear();
                    if colon + 1 < other.len() {
                        parts.push(&other[colon + 1..]);
                    }
                }
                _ => parts.push(other),
            },
        }
    }
    let joined = parts.join("/");
    Ok(match mount {
        Some(mut name) => {
            name.push_str(&joined);
            name
        }
        None => joined,
    })
}

/// A catalog path's mounted repository (up to and including its first
/// `:`), if any, and the path inside it.
pub fn split_mount(path: &str) -> (Option<&str>, &str) {
    match path.find(':') {
        Some(colon) => (Some(&path[..=colon]), &path[colon + 1..]),
        None => (None, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_to_the_referring_file() {
        assert_eq!(
            resolve_relative("a/b/catalog-info.yaml", "./api.yaml"),
            Ok("a/b/api.yaml".into())
        );
        assert_eq!(
            resolve_relative("a/b/c.yaml", "../x/y.yaml"),
            Ok("a/x/y.yaml".into())
        );
        assert_eq!(
            resolve_relative("c.yaml", "file:./d/e.yaml"),
            Ok("d/e.yaml".into())
        );
    }

    #[test]
    fn refuses_escapes_absolutes_and_urls() {
        assert_eq!(
            resolve_relative("a/c.yaml", "../../etc/passwd"),
            Err(PathError::EscapesRoot)
        );
        assert_eq!(
            resolve_relative("a/c.yaml", "/etc/passwd"),
            Err(PathError::Absolute)
        );
        assert_eq!(
            resolve_relative("a/c.yaml", "C:\\Windows"),
            Err(PathError::Absolute)
        );
        assert_eq!(
            resolve_relative("a/c.yaml", "https://x.test/a.yaml"),
            Err(PathError::Remote)
        );
        assert_eq!(
            resolve_relative("a/c.yaml", "a/../../../x"),
            Err(PathError::EscapesRoot)
        );
    }

    #[test]
    fn a_mounted_repository_is_a_floor() {
        assert_eq!(
            resolve_relative("acme/payments:svc/catalog-info.yaml", "../docs/x.md"),
            Ok("acme/payments:docs/x.md".into())
        );
        assert_eq!(
            resolve_relative("acme/payments:svc/catalog-info.yaml", "../../x.md"),
            Err(PathError::EscapesRoot)
        );
        assert_eq!(
            resolve_relative("acme/payments:catalog-info.yaml", "../catalog-info.yaml"),
            Err(PathError::EscapesRoot)
        );
        // A colon inside a mount is part of a file name.
        assert_eq!(
            resolve_relative("acme/payments:catalog-info.yaml", "other/repo:x"),
            Ok("acme/payments:other/repo:x".into())
        );
        // Named from the root: the segments before the colon are its name,
        // and `..` after it cannot climb out of it.
        assert_eq!(
            resolve_relative("a/catalog-info.yaml", "../acme/payments:x/y"),
            Ok("acme/payments:x/y".into())
        );
        assert_eq!(
            resolve_relative("catalog-info.yaml", "acme/payments:x/../../y"),
            Err(PathError::EscapesRoot)
        );
        assert_eq!(
            join_normalized("acme/payments@v2:", "a/./b"),
            Ok("acme/payments@v2:a/b".into())
        );
        assert_eq!(split_mount("o/r:a/b"), (Some("o/r:"), "a/b"));
        assert_eq!(split_mount("a/b"), (None, "a/b"));
    }
}
