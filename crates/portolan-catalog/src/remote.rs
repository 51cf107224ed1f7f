//! Location targets that name a file in another repository by URL, as
//! Backstage's URL locations do, taken apart into the repository, the ref
//! and the path inside it:
//!
//! - GitHub (and GitHub Enterprise): `https://HOST/OWNER/REPO/blob/REF/PATH`
//!   and `…/tree/REF/PATH`;
//! - GitLab: `https://HOST/GROUP[/SUBGROUP…]/REPO/-/blob/REF/PATH` (and
//!   `-/tree/`);
//! - anything else: `https://HOST/OWNER/REPO/PATH`, at the ref a source
//!   configures (or the repository's default branch).
//!
//! A ref with a `/` in it (`feature/x`) cannot be told from the path in a
//! GitHub URL; like Backstage, the first segment is taken as the ref. The
//! path inside the repository is percent-decoded and must be relative and
//! stay inside it: `..`, `.`, backslashes and control characters are
//! refused here, whatever later code does with it.

use std::fmt;

/// A file or directory in another repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTarget {
    /// `github.com`, lowercased.
    pub host: String,
    /// The owner, or a GitLab group path (`acme/platform`).
    pub owner: String,
    pub repo: String,
    /// The ref named in the URL (`blob/REF/…`); `None` for plain URLs.
    pub reference: Option<String>,
    /// `/`-separated, relative to the repository's root; empty for the
    /// root itself.
    pub path: String,
    pub form: UrlForm,
}

/// Which URL scheme the target was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlForm {
    /// `…/blob/REF/PATH`: a file.
    Blob,
    /// `…/tree/REF/PATH`: a directory.
    Tree,
    /// `https://HOST/OWNER/REPO/PATH`.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Not `http(s)://…`, or no host.
    NotHttp,
    /// Fewer than owner and repository.
    NoRepository,
    /// `blob/` or `tree/` without a ref.
    NoRef,
    /// A path segment that would leave the repository or cannot name a
    /// file (`..`, `.`, a backslash, a control character, an encoded `/`).
    BadPath(String),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::NotHttp => f.write_str("not an http(s) URL with a host"),
            UrlError::NoRepository => {
                f.write_str("the URL names no repository (https://HOST/OWNER/REPO/...)")
            }
            UrlError::NoRef => f.write_str("`blob/` or `tree/` is not followed by a ref"),
            UrlError::BadPath(segment) => write!(
                f,
                "the path segment {segment:?} cannot name a file inside the repository"
            ),
        }
    }
}

/// Take a Location target URL apart (see the module's documentation).
pub fn parse_target_url(text: &str) -> Result<RemoteTarget, UrlError> {
    let url = url::Url::parse(text.trim()).map_err(|_| UrlError::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlError::NotHttp);
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or(UrlError::NotHttp)?
        .to_ascii_lowercase();
    // Raw segments (still percent-encoded), without empty ones from `//`
    // or a trailing `/`.
    let raw: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let decoded: Vec<String> = raw
        .iter()
        .map(|s| decode_segment(s))
        .collect::<Result<_, _>>()?;
    // GitLab: everything before `-` is the project (groups, then the repo).
    if let Some(dash) = decoded.iter().position(|s| s == "-") {
        if dash < 2 {
            return Err(UrlError::NoRepository);
        }
        let form = match decoded.get(dash + 1).map(String::as_str) {
            Some("blob") => UrlForm::Blob,
            Some("tree") => UrlForm::Tree,
            _ => return plain(host, &decoded),
        };
        let reference = decoded.get(dash + 2).ok_or(UrlError::NoRef)?.clone();
        return Ok(RemoteTarget {
            host,
            owner: decoded[..dash - 1].join("/"),
            repo: decoded[dash - 1].clone(),
            reference: Some(reference),
            path: decoded[dash + 3..].join("/"),
            form,
        });
    }
    // GitHub: OWNER/REPO/(blob|tree)/REF/PATH.
    if decoded.len() >= 3 && matches!(decoded[2].as_str(), "blob" | "tree") {
        let form = if decoded[2] == "blob" {
            UrlForm::Blob
        } else {
            UrlForm::Tree
        };
        let reference = decoded.get(3).ok_or(UrlError::NoRef)?.clone();
        return Ok(RemoteTarget {
            host,
            owner: decoded[0].clone(),
            repo: decoded[1].clone(),
            reference: Some(reference),
            path: decoded[4..].join("/"),
            form,
        });
    }
    plain(host, &decoded)
}

fn plain(host: String, decoded: &[String]) -> Result<RemoteTarget, UrlError> {
    if decoded.len() < 2 {
        return Err(UrlError::NoRepository);
    }
    Ok(RemoteTarget {
        host,
        owner: decoded[0].clone(),
        repo: decoded[1].trim_end_matches(".git").to_string(),
        reference: None,
        path: decoded[2..].join("/"),
        form: UrlForm::Plain,
    })
}

/// One percent-decoded path segment, refused when it could leave the
/// repository or not name a file.
fn decode_segment(raw: &str) -> Result<String, UrlError> {
    let bad = || UrlError::BadPath(raw.to_string());
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(raw).collect();
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    if text == "." || text == ".." || text.is_empty() {
        return Err(bad());
    }
    if text.contains(['/', '\\']) || text.chars().any(char::is_control) {
        return Err(bad());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(
        host: &str,
        owner: &str,
        repo: &str,
        reference: Option<&str>,
        path: &str,
        form: UrlForm,
    ) -> RemoteTarget {
        RemoteTarget {
            host: host.into(),
            owner: owner.into(),
            repo: repo.into(),
            reference: reference.map(Into::into),
            path: path.into(),
            form,
        }
    }

    #[test]
    fn github_blob_and_tree_urls() {
        assert_eq!(
            parse_target_url("https://github.com/acme/payments/blob/main/catalog-info.yaml"),
            Ok(target(
                "github.com",
                "acme",
                "payments",
                Some("main"),
                "catalog-info.yaml",
                UrlForm::Blob
            ))
        );
        assert_eq!(
            parse_target_url("https://GitHub.com/acme/payments/tree/v1.2/services/api/"),
            Ok(target(
                "github.com",
                "acme",
                "payments",
                Some("v1.2"),
                "services/api",
                UrlForm::Tree
            ))
        );
        assert_eq!(
            parse_target_url(
                "https://ghe.acme.internal/platform/catalog/blob/main/a%20b.yaml?plain=1#L3"
            ),
            Ok(target(
                "ghe.acme.internal",
                "platform",
                "catalog",
                Some("main"),
                "a b.yaml",
                UrlForm::Blob
            ))
        );
        assert_eq!(
            parse_target_url("https://github.com/acme/payments/blob/"),
            Err(UrlError::NoRef)
        );
    }

    #[test]
    fn gitlab_urls_with_nested_groups() {
        assert_eq!(
            parse_target_url(
                "https://gitlab.com/acme/platform/payments/-/blob/main/catalog-info.yaml"
            ),
            Ok(target(
                "gitlab.com",
                "acme/platform",
                "payments",
                Some("main"),
                "catalog-info.yaml",
                UrlForm::Blob
            ))
        );
        assert_eq!(
            parse_target_url("https://gitlab.acme.dev/team/svc/-/tree/release/docs"),
            Ok(target(
                "gitlab.acme.dev",
                "team",
                "svc",
                Some("release"),
                "docs",
                UrlForm::Tree
            ))
        );
        assert_eq!(
            parse_target_url("https://gitlab.com/svc/-/blob/main/x.yaml"),
            Err(UrlError::NoRepository)
        );
    }

    #[test]
    fn plain_urls_take_the_ref_from_elsewhere() {
        assert_eq!(
            parse_target_url("https://git.acme.dev/acme/payments.git/catalog-info.yaml"),
            Ok(target(
                "git.acme.dev",
                "acme",
                "payments",
                None,
                "catalog-info.yaml",
                UrlForm::Plain
            ))
        );
        assert_eq!(
            parse_target_url("https://acme.dev/only"),
            Err(UrlError::NoRepository)
        );
        assert_eq!(
            parse_target_url("ftp://acme.dev/a/b/c"),
            Err(UrlError::NotHttp)
        );
        assert_eq!(
            parse_target_url("./catalog-info.yaml"),
            Err(UrlError::NotHttp)
        );
    }

    #[test]
    fn paths_that_would_leave_the_repository_are_refused() {
        // Segments that are not a file name once decoded.
        for url in [
            "https://github.com/acme/payments/blob/main/a%2Fb.yaml",
            "https://github.com/acme/payments/blob/main/a%5Cb.yaml",
            "https://github.com/acme/payments/blob/main/a%00b.yaml",
            "https://gitlab.com/acme/svc/-/blob/main/a%2F..%2Fb",
        ] {
            assert!(
                matches!(parse_target_url(url), Err(UrlError::BadPath(_))),
                "{url}: {:?}",
                parse_target_url(url)
            );
        }
        // Dot segments, literal or encoded (`%2e%2e`), are resolved by URL
        // parsing (the URL standard, as a browser would): they can make
        // the URL name another place, never a path above a repository.
        for url in [
            "https://github.com/acme/payments/blob/main/%2e%2e/secrets.yaml",
            "https://github.com/acme/payments/blob/main/a/%2E%2E/%2E%2E/x",
            "https://github.com/acme/payments/blob/main/../../../../etc/passwd",
            "https://gitlab.com/acme/svc/-/blob/main/%2e%2e/x",
        ] {
            if let Ok(target) = parse_target_url(url) {
                assert!(
                    target
                        .path
                        .split('/')
                        .all(|s| s != ".." && s != "." && !s.contains('\\')),
                    "{url}: {target:?}"
                );
            }
        }
        let resolved =
            parse_target_url("https://github.com/acme/payments/blob/main/a/../b.yaml").unwrap();
        assert_eq!(resolved.path, "b.yaml");
        assert_eq!(resolved.reference.as_deref(), Some("main"));
    }
}
