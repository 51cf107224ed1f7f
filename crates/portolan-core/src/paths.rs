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
pub fn parent_dir(path: &str) -> &str {
    path.rfind('/').map(|i| &path[..i]).unwrap_or("")
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
pub fn join_normalized(base: &str, path: &str) -> Result<String, PathError> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::EscapesRoot);
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
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
}
