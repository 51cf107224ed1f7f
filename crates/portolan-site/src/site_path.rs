//! Site paths: the one place where text from the catalog becomes a path the
//! build writes. Every segment of every written file is made here from an
//! entity's kind, namespace or name, a facet value, a schema or tag name, or
//! a docs file's path, and [`check`] verifies each path once more before
//! anything touches the disk (`write_atomic` refuses a site holding one
//! that fails).
//!
//! None of this depends on rule configuration: an entity name like
//! `../../x` is reported by E002, and turning E002 off changes what is
//! reported, never where files go (issue 17).

use std::fmt;

/// Longest segment written. Linux and macOS allow 255 bytes per file name;
/// the margin leaves room for `.json`/`.yaml` suffixes and the staging
/// directory's prefix. Longer segments are cut and keep a hash of the whole,
/// so two long names that share a prefix stay apart.
pub const MAX_SEGMENT_BYTES: usize = 200;

/// Longest segment [`check`] lets through: the file-name limit of Linux and
/// macOS. Segments made here stay under [`MAX_SEGMENT_BYTES`], which leaves
/// room for a suffix.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Longest path written (Linux's `PATH_MAX` is 4096, with the output
/// directory in front).
pub const MAX_PATH_BYTES: usize = 3072;

/// The file in every output directory that says portolan wrote it (see
/// [`crate::ownership`]). No page may take its name.
pub const MARKER: &str = ".portolan-site";

/// A segment made from an entity's kind, namespace or name: lower-case,
/// only characters that need no escaping in a URL, never `.` or `..`,
/// never empty, at most [`MAX_SEGMENT_BYTES`].
pub fn name_segment(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    bounded(not_a_dot_name(mapped))
}

/// `""`, `.` and `..` name no file of their own: `_`, `_.`, `_..` instead
/// (no valid entity name starts with `_`, so these clash with none).
pub fn not_a_dot_name(segment: String) -> String {
    if segment.is_empty() || segment == "." || segment == ".." {
        format!("_{segment}")
    } else {
        segment
    }
}

/// Cut a segment longer than [`MAX_SEGMENT_BYTES`] at a character boundary
/// and append a hash of the whole segment.
pub fn bounded(segment: String) -> String {
    if segment.len() <= MAX_SEGMENT_BYTES {
        return segment;
    }
    let suffix = format!("-{:016x}", fnv1a(segment.as_bytes()));
    let mut cut = MAX_SEGMENT_BYTES - suffix.len();
    while !segment.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &segment[..cut])
}

/// 64-bit FNV-1a: stable across Rust releases and platforms, unlike std's
/// `DefaultHasher`, so long names map to the same file on every machine.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Why a site path cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafePath {
    Empty,
    Absolute,
    TooLong,
    /// A segment that is empty, `.` or `..`, too long, or holds a
    /// backslash, a NUL or another control character.
    Segment(String),
    /// The output directory's ownership marker.
    Marker,
}

impl fmt::Display for UnsafePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafePath::Empty => f.write_str("the path is empty"),
            UnsafePath::Absolute => f.write_str("the path is absolute"),
            UnsafePath::TooLong => write!(f, "the path is longer than {MAX_PATH_BYTES} bytes"),
            UnsafePath::Segment(segment) => {
                write!(f, "the path has an unusable segment {segment:?}")
            }
            UnsafePath::Marker => write!(f, "the path is the output's marker file {MARKER}"),
        }
    }
}

/// Whether one segment of a path may be written: not empty, `.` or `..`,
/// no `/` or `\`, no NUL or other control character, at most
/// [`MAX_FILE_NAME_BYTES`].
pub fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment.len() <= MAX_FILE_NAME_BYTES
        && !segment
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

/// The final check of a `/`-separated site path before it is written: it
/// stays under the output directory whatever the filesystem, and it is not
/// the marker.
pub fn check(path: &str) -> Result<(), UnsafePath> {
    if path.is_empty() {
        return Err(UnsafePath::Empty);
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(UnsafePath::Absolute);
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(UnsafePath::TooLong);
    }
    if path == MARKER {
        return Err(UnsafePath::Marker);
    }
    match path.split('/').find(|s| !is_safe_segment(s)) {
        Some(segment) => Err(UnsafePath::Segment(segment.chars().take(80).collect())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_lowercased_and_otherwise_kept() {
        assert_eq!(name_segment("Payments-API_v2.1"), "payments-api_v2.1");
    }

    #[test]
    fn names_that_climb_or_name_nothing_become_plain_segments() {
        assert_eq!(name_segment(".."), "_..");
        assert_eq!(name_segment("."), "_.");
        assert_eq!(name_segment(""), "_");
        assert_eq!(
            name_segment("../../../../tmp/x/victim/target"),
            ".._.._.._.._tmp_x_victim_target"
        );
        assert_eq!(name_segment("a\0b\\c"), "a_b_c");
    }

    #[test]
    fn long_segments_are_cut_and_keep_a_hash_of_the_whole() {
        let a = format!("{}a", "x".repeat(500));
        let b = format!("{}b", "x".repeat(500));
        assert_eq!(name_segment(&a).len(), MAX_SEGMENT_BYTES);
        assert_ne!(name_segment(&a), name_segment(&b));
        assert_eq!(name_segment(&a), name_segment(&a));
        // A multi-byte character is never split.
        let wide = bounded("é".repeat(300));
        assert!(wide.len() <= MAX_SEGMENT_BYTES);
        assert!(check(&wide).is_ok());
    }

    #[test]
    fn check_refuses_what_could_leave_the_output() {
        for bad in [
            "",
            "/etc/passwd",
            "\\x",
            "a/../b",
            "../x",
            "a/./b",
            "a//b",
            "a/",
            "a\\..\\b",
            "a/b\0c",
            "a/b\nc",
            MARKER,
        ] {
            assert!(check(bad).is_err(), "{bad:?} passed");
        }
        assert!(check(&"a/".repeat(2000)).is_err());
        for good in [
            "index.html",
            "catalog/component/default/x/index.html",
            ".hidden/x",
        ] {
            assert_eq!(check(good), Ok(()), "{good:?}");
        }
    }

    /// Generated hostile names: whatever text a catalog holds, the segment
    /// made from it passes the final check, and distinct valid names stay
    /// distinct.
    #[test]
    fn every_generated_name_makes_a_safe_segment() {
        let pieces = [
            "..", ".", "/", "\\", "\0", "\n", "\u{1b}", "%2e%2e", "C:", "a", "Z", "é", "\u{202e}",
            "~", " ", "", "_", "-", "😀", "\u{fffd}",
        ];
        // A small deterministic generator (xorshift), so a failure names
        // the exact input and reruns the same way.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let mut name = String::new();
            for _ in 0..len {
                name.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            if next() % 50 == 0 {
                name.push_str(&"y".repeat((next() % 600) as usize));
            }
            let segment = name_segment(&name);
            assert_eq!(check(&segment), Ok(()), "{name:?} -> {segment:?}");
            assert_eq!(
                check(&format!("apis/default/{segment}.json")),
                Ok(()),
                "{name:?}"
            );
            let bounded_value = bounded(not_a_dot_name(name.clone()));
            assert!(bounded_value.len() <= MAX_SEGMENT_BYTES);
        }
    }
}
