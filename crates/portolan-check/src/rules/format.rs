//! Backstage's field-format rules that the schemas leave to code: names,
//! namespaces, kinds, apiVersions, labels, annotations, tags, root fields.
//! They follow `@backstage/catalog-model`'s documented formats; see
//! `catalog-schema/FORMAT-RULES.md`.

use portolan_catalog::Entity;
use portolan_core::codes::{self, Code};
use portolan_core::yaml::Node;
use portolan_core::{Diagnostic, Span};

/// Object name: 1–63 characters, `[A-Za-z0-9]` at both ends and
/// `[-A-Za-z0-9_.]` between.
pub fn is_valid_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// DNS label: 1–63 characters, lowercase `[a-z0-9]` at both ends and
/// `[a-z0-9-]` between.
pub fn is_valid_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && word(&b[0])
        && word(&b[b.len() - 1])
        && b.iter().all(|c| word(c) || *c == b'-')
}

/// DNS subdomain: dot-separated DNS labels, ≤ 253.
pub fn is_valid_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_valid_dns_label)
}

pub fn is_valid_kind(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `prefix/suffix` or `suffix`; more than one `/` is invalid.
fn prefix_and_or_suffix(
    s: &str,
    prefix: impl Fn(&str) -> bool,
    suffix: impl Fn(&str) -> bool,
) -> bool {
    match s.split_once('/') {
        Some((p, rest)) => !rest.contains('/') && prefix(p) && suffix(rest),
        None => suffix(s),
    }
}

/// `[group/]version`: group a DNS subdomain, version alphanumeric.
pub fn is_valid_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, |v| {
        !v.is_empty() && v.len() <= 63 && v.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// `[prefix/]name`: prefix a DNS subdomain, name an object name. Label and
/// annotation keys share it.
pub fn is_valid_label_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, is_valid_object_name)
}

pub fn is_valid_label_value(s: &str) -> bool {
    s.is_empty() || is_valid_object_name(s)
}

/// `[a-z0-9:+#]` runs separated by single `-`, 1–63 characters.
pub fn is_valid_tag(s: &str) -> bool {
    let word =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#');
    !s.is_empty()
        && s.len() <= 63
        && s.split('-')
            .all(|run| !run.is_empty() && run.chars().all(word))
}

/// Backstage checks link URLs with the WHATWG URL parser (`new URL`); the
/// `url` crate implements the same standard.
pub fn is_valid_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// Non-blank as JavaScript's `trim` sees it.
fn is_non_blank(s: &str) -> bool {
    s.chars()
        .any(|c| !(c.is_whitespace() || c == '\u{feff}') || c == '\u{85}')
}

/// Backstage's no-foreign-root-fields policy: `relations` and `status` exist
/// on entities the catalog returns, but not in descriptors.
const ROOT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

pub fn check_format(entity: &Entity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let root = &entity.node;
    let mut push = |code: &Code, span: Span, message: String, help: &str| {
        out.push(
            Diagnostic::new(code, message)
                .at(&entity.file, span)
                .with_help(help.to_string()),
        );
    };
    if let Some(entries) = root.as_map() {
        for entry in entries {
            if !ROOT_FIELDS.contains(&entry.key.as_str()) {
                push(
                    &codes::FOREIGN_ROOT_FIELD,
                    entry.key_span,
                    format!("unknown top-level field `{}`", entry.key),
                    "only apiVersion, kind, metadata and spec may appear at the top level; check the indentation",
                );
            }
        }
    }
    let str_at = |pointer: &str| root.pointer(pointer).and_then(Node::as_str);
    if let Some(kind) = str_at("/kind")
        && !is_valid_kind(kind)
    {
        push(
            &codes::INVALID_KIND,
            root.locate("/kind"),
            format!("`{kind}` is not a valid kind"),
            "a kind is a letter followed by letters and digits, at most 63 characters",
        );
    }
    if let Some(api_version) = str_at("/apiVersion")
        && !is_valid_api_version(api_version)
    {
        push(
            &codes::INVALID_API_VERSION,
            root.locate("/apiVersion"),
            format!("`{api_version}` is not a valid apiVersion"),
            "use `group/version`, e.g. `backstage.io/v1alpha1`",
        );
    }
    if let Some(name) = str_at("/metadata/name")
        && !is_valid_object_name(name)
    {
        push(
            &codes::INVALID_NAME,
            root.locate("/metadata/name"),
            format!("`{name}` is not a valid entity name"),
            "names are 1-63 characters of [a-zA-Z0-9-_.], starting and ending with a letter or digit (e.g. `payments-api`)",
        );
    }
    if let Some(namespace) = str_at("/metadata/namespace")
        && !is_valid_dns_label(namespace)
    {
        push(
            &codes::INVALID_NAMESPACE,
            root.locate("/metadata/namespace"),
            format!("`{namespace}` is not a valid namespace"),
            "namespaces are DNS labels: 1-63 characters of lowercase [a-z0-9-], starting and ending with a letter or digit",
        );
    }
    if let Some(labels) = root.pointer("/metadata/labels").and_then(Node::as_map) {
        for entry in labels {
            if !is_valid_label_key(&entry.key) {
                push(
                    &codes::INVALID_LABEL,
                    entry.key_span,
                    format!("`{}` is not a valid label key", entry.key),
                    "label keys are `[prefix/]name`: an optional DNS-subdomain prefix and a name of [a-zA-Z0-9-_.], at most 63 characters",
                );
            }
            let value = entry.value.as_str();
            if value.is_none_or(|value| !is_valid_label_value(value)) {
                let value = value
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("a {}", entry.value.type_name()));
                {
                    push(
                        &codes::INVALID_LABEL,
                        entry.value.span,
                        format!("`{value}` is not a valid value for label `{}`", entry.key),
                        "label values are strings of at most 63 characters of [a-zA-Z0-9-_.], starting and ending with a letter or digit; use an annotation for free text",
                    );
                }
            }
        }
    }
    if let Some(annotations) = root.pointer("/metadata/annotations").and_then(Node::as_map) {
        for entry in annotations {
            if !is_valid_label_key(&entry.key) {
                push(
                    &codes::INVALID_ANNOTATION,
                    entry.key_span,
                    format!("`{}` is not a valid annotation key", entry.key),
                    "annotation keys are `[prefix/]name`, e.g. `backstage.io/techdocs-ref`",
                );
            }
        }
    }
    if let Some(tags) = root.pointer("/metadata/tags").and_then(Node::as_seq) {
        for tag in tags {
            let text = tag.as_str();
            if text.is_none_or(|text| !is_valid_tag(text)) {
                let text = text
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("a {}", tag.type_name()));
                {
                    push(
                        &codes::INVALID_TAG,
                        tag.span,
                        format!("`{text}` is not a valid tag"),
                        "tags are 1-63 characters of lowercase [a-z0-9:+#] separated by single - (e.g. `tier-1`, `c++`)",
                    );
                }
            }
        }
    }
    if let Some(links) = root.pointer("/metadata/links").and_then(Node::as_seq) {
        for link in links {
            let url = link.get("url");
            match url.and_then(Node::as_str) {
                Some(text) if is_valid_url(text) => {}
                Some(text) => push(
                    &codes::SCHEMA,
                    url.map(|u| u.span).unwrap_or(link.span),
                    format!("link url `{text}` is not a valid absolute URL"),
                    "write a full URL such as `https://runbooks.example.com/payments`",
                ),
                // A missing or non-string url is the schema's finding.
                None => {}
            }
            for field in ["title", "icon"] {
                if let Some(node) = link.get(field)
                    && node.as_str().is_some_and(|t| !is_non_blank(t))
                {
                    push(
                        &codes::SCHEMA,
                        node.span,
                        format!("link {field} must not be blank"),
                        "remove the field or give it text",
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names() {
        for ok in ["a", "payments-api", "Orders_v2", "a.b-c_d", &"x".repeat(63)] {
            assert!(is_valid_object_name(ok), "{ok}");
        }
        assert!(is_valid_object_name("a--b"));
        assert!(is_valid_object_name("a..b"));
        for bad in ["", "-a", "a-", "a b", "ä", &"x".repeat(64)] {
            assert!(!is_valid_object_name(bad), "{bad}");
        }
    }

    #[test]
    fn tags_and_namespaces() {
        assert!(is_valid_tag("c++"));
        assert!(is_valid_tag("tier-1"));
        assert!(!is_valid_tag("Java"));
        assert!(!is_valid_tag("a_b"));
        assert!(is_valid_dns_label("team-a"));
        assert!(!is_valid_dns_label("Team"));
        assert!(is_valid_dns_label("a--b"));
        assert!(!is_valid_tag("a--b"));
        assert!(is_valid_tag("team:payments"));
    }

    #[test]
    fn api_versions_and_label_keys() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(!is_valid_api_version("backstage.io/v1-alpha"));
        assert!(is_valid_label_key("backstage.io/techdocs-ref"));
        assert!(!is_valid_label_key("backstage.io/"));
        assert!(!is_valid_label_key("a/b/c"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("1.0"));
        assert!(is_valid_url("https:example.com"));
        assert!(!is_valid_url("./x"));
    }
}
