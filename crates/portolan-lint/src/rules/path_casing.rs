//! L025 `path-casing`: literal path segments are kebab-case.

use portolan_core::codes;

use super::path_keys;
use crate::Finding;
use crate::walk::Ctx;

/// Whether a literal segment is kebab-case: lowercase letters and digits
/// in words joined by single `-`; a `.` (file extensions, `v1.2`) is
/// allowed between words.
fn is_kebab(segment: &str) -> bool {
    segment.split(['-', '.']).all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (pointer, path) in path_keys(ctx) {
        let path_only = path.split(['?', '#']).next().unwrap_or(path);
        let bad = path_only
            .split('/')
            .filter(|s| !s.is_empty() && !s.contains(['{', '}']))
            .find(|s| !is_kebab(s));
        if let Some(segment) = bad {
            out.push(
                Finding::new(
                    &codes::LINT_PATH_CASING,
                    pointer,
                    format!("segment `{segment}` of path `{path}` is not kebab-case"),
                )
                .with_help(
                    "write literal segments as lowercase words joined by `-` (`order-items`)",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn kebab() {
        for good in ["pets", "order-items", "v1", "v1.2", "openapi.json"] {
            assert!(super::is_kebab(good), "{good}");
        }
        for bad in ["orderItems", "order_items", "Pets", "a--b", "-a", "a-"] {
            assert!(!super::is_kebab(bad), "{bad}");
        }
    }
}
