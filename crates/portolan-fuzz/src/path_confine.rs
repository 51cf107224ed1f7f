//! Paths and URLs from users' files that become paths portolan reads or
//! writes, or links it publishes: catalog-relative resolution
//! (`portolan_core::paths`, behind `$text`, `$ref` and Location targets),
//! `$ref` targets (`portolan_apis::refs::resolve`), site path segments and
//! the final check before writing (`portolan_site::site_path`), and the
//! base URL every link starts with (`portolan_site::base_url`).
//!
//! The input's first line is the referring file, the rest the target.

use portolan_apis::refs::{self, RefTarget};
use portolan_core::paths::{self, PathError};
use portolan_site::base_url::normalize_base_url;
use portolan_site::site_path::{self, MAX_SEGMENT_BYTES};

pub fn path_confine(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (from, target) = text
        .split_once('\n')
        .unwrap_or(("catalog-info.yaml", &text));
    // The referring file is a catalog path, normalised as discovery makes it.
    let from = paths::join_normalized("", from).unwrap_or_default();

    match paths::resolve_relative(&from, target) {
        Ok(path) => assert_confined(&path, &format!("{target:?} from {from:?}")),
        Err(PathError::Remote) => assert!(paths::is_remote(target.trim())),
        Err(_) => {}
    }
    match refs::resolve(&from, target) {
        RefTarget::Local { file, .. } | RefTarget::Anchor { file, .. } => {
            // A `$ref` with no path part names the referring file itself.
            if file != from {
                assert_confined(&file, &format!("$ref {target:?} from {from:?}"));
            }
        }
        RefTarget::Remote(_) | RefTarget::Escapes(_) | RefTarget::Invalid(_) => {}
    }

    let segment = site_path::name_segment(target);
    assert!(
        site_path::is_safe_segment(&segment) && segment.len() <= MAX_SEGMENT_BYTES,
        "{target:?} made the segment {segment:?}"
    );
    let page = format!("default/component/{segment}/index.html");
    assert!(
        site_path::check(&page).is_ok(),
        "{target:?} made the path {page:?}"
    );
    if site_path::check(target).is_ok() {
        assert_confined(target, "a checked site path");
    }

    if let Ok(base) = normalize_base_url(target) {
        assert_same_site_or_http(&base, target);
    }
}

/// A catalog-relative path that stays inside the root: not absolute, no
/// `.`, `..` or empty segment, no backslash (a separator on Windows). The
/// empty path is the root itself (`./` from a file at the root): a
/// directory, which every `Source` refuses to read as a file.
fn assert_confined(path: &str, what: &str) {
    if path.is_empty() {
        return;
    }
    assert!(
        !path.starts_with('/') && !path.contains('\\'),
        "{what}: resolved to {path:?}"
    );
    for segment in path.split('/') {
        assert!(
            !matches!(segment, "" | "." | ".."),
            "{what}: resolved to {path:?}, with the segment {segment:?}"
        );
    }
}

/// A base URL either is an http(s) URL, as its author wrote it, or is a
/// path on this site as a browser reads it: after the URL parser drops
/// tabs and newlines and leading spaces and controls, it starts with one
/// `/` that is not followed by another `/` or `\` (which would make it a
/// URL of another host).
fn assert_same_site_or_http(base: &str, written: &str) {
    assert!(base.ends_with('/'), "{written:?} gave {base:?}");
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return;
    }
    let read: String = base
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let mut chars = read.chars();
    assert_eq!(chars.next(), Some('/'), "{written:?} gave {base:?}");
    assert!(
        !matches!(chars.next(), Some('/' | '\\')),
        "{written:?} gave {base:?}, which a browser reads as another host"
    );
}
