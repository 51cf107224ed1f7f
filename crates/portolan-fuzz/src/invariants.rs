//! Properties shared by several targets. Each one panics with a message
//! saying what broke, which is how a fuzzer learns of it.

use std::collections::BTreeMap;

use portolan_core::Diagnostic;
use portolan_core::Span;
use portolan_core::yaml::{Node, Value, YamlLimits};
use serde_json::Value as Json;

/// `span` lies within `text` and both ends are on character boundaries
/// (a span that is not would panic when a renderer slices the text).
pub fn assert_span_in(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what}: span {start}..{end} is reversed");
    assert!(
        end <= text.len(),
        "{what}: span {start}..{end} ends past the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} splits a character"
    );
}

/// Every node and key span of a tree lies within `text`.
pub fn assert_tree_spans(text: &str, root: &Node) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        assert_span_in(text, node.span, "node");
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for entry in entries {
                    assert_span_in(text, entry.key_span, "key");
                    stack.push(&entry.value);
                }
            }
            _ => {}
        }
    }
}

/// Every diagnostic that names a file names one of `files` (path → text),
/// and its spans lie within that file.
pub fn assert_diagnostics_placed(diagnostics: &[Diagnostic], files: &BTreeMap<String, &str>) {
    for d in diagnostics {
        if let (Some(file), Some(span)) = (&d.file, d.span) {
            let text = files
                .get(file)
                .unwrap_or_else(|| panic!("{}: points into `{file}`, which was not read", d.code));
            assert_span_in(text, span, &d.code);
        }
        for related in &d.related {
            if let Some(text) = files.get(&related.file) {
                assert_span_in(text, related.span, &d.code);
            }
        }
    }
}

/// The same JSON value, numbers compared by value (an integer YAML read as
/// `1` and JSON as `1.0` are one number).
pub fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_json(va, vb))
        }
        _ => a == b,
    }
}

/// What could run script in HTML a browser is given: a `<script>`
/// element, an event-handler attribute (`onclick=`), or a URL attribute
/// whose scheme is `javascript:`, `vbscript:` or `data:` as a browser
/// reads it (tabs and newlines removed, leading controls and spaces
/// trimmed, entities decoded). The HTML is serialiser output (html5ever's,
/// through ammonia, or the SVG writer's): attribute values are always
/// double-quoted and `<` in text is always escaped.
pub fn assert_no_script(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "{what}: output holds a <script> element: {html:?}"
    );
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(lt) = lower[i..].find('<') {
        let tag_start = i + lt + 1;
        i = tag_start;
        if !bytes.get(tag_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let Some(gt) = tag_end(&lower, tag_start) else {
            break;
        };
        for (name, value) in attributes(&lower[tag_start..gt]) {
            assert!(
                !name.starts_with("on"),
                "{what}: output holds an event handler `{name}`: {html:?}"
            );
            if matches!(
                name,
                "href" | "src" | "xlink:href" | "action" | "formaction" | "srcset"
            ) {
                let url = as_browser_reads(value);
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !url.starts_with(scheme),
                        "{what}: `{name}` holds a {scheme} URL: {html:?}"
                    );
                }
            }
        }
        i = gt;
    }
}

/// The `>` ending a tag whose name starts at `from`, skipping quoted values.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in html.bytes().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// `(name, value)` of each attribute of a tag's inside (`a href="x"`).
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    // Skip the tag name.
    let mut rest = tag.trim_start_matches(|c: char| !c.is_ascii_whitespace() && c != '/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        rest = rest[name_len..].trim_start();
        let mut value = "";
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    value = &body[..end];
                    rest = body.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    value = &after[..end];
                    rest = &after[end..];
                }
            }
        }
        out.push((name, value));
    }
}

/// A URL attribute's value as a browser's URL parser sees it: character
/// references decoded (the common ones a serialiser writes), leading C0
/// controls and spaces trimmed, tabs and newlines removed.
fn as_browser_reads(value: &str) -> String {
    let decoded = value
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x9;", "\t")
        .replace("&#xa;", "\n")
        .replace("&#9;", "\t")
        .replace("&#10;", "\n")
        .replace("&colon;", ":")
        .replace("&#58;", ":")
        .replace("&#x3a;", ":");
    decoded
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Where the strict JSON reader takes `text`, it reads exactly what the
/// YAML reader reads: the same findings, documents, values and spans
/// (`parse_file` picks the JSON reader for such text, so a difference
/// would move a diagnostic or change a value).
pub fn assert_json_reader_agrees(text: &str, limits: YamlLimits) {
    let Some(json) = portolan_core::json::parse_json(text, limits) else {
        return;
    };
    // What yaml-rust2 reads where it rejects valid JSON (see `json.rs`).
    let readable = portolan_core::json::tabs_after_colons_as_spaces(text);
    let yaml = portolan_core::yaml::parse_stream(&readable, limits);
    assert_eq!(
        json.errors, yaml.errors,
        "the JSON reader's findings differ from the YAML reader's"
    );
    let roots = |stream: &portolan_core::yaml::ParsedStream| -> Vec<(usize, bool, Node)> {
        stream
            .documents
            .iter()
            .map(|d| (d.index, d.is_empty, d.root.clone()))
            .collect()
    };
    assert_eq!(
        roots(&json),
        roots(&yaml),
        "the JSON reader's tree differs from the YAML reader's"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_script(html: &str) -> bool {
        std::panic::catch_unwind(|| assert_no_script(html, "test")).is_err()
    }

    #[test]
    fn script_in_serialised_html_is_seen() {
        assert!(has_script("<p><SCRIPT>x</SCRIPT></p>"));
        assert!(has_script(r#"<img src="x" onerror="alert(1)">"#));
        assert!(has_script(r#"<a href=" jav&#x9;ascript:alert(1)">x</a>"#));
        assert!(has_script(
            r#"<a title="a>b" href="data:text/html,x">x</a>"#
        ));
        assert!(!has_script(
            r#"<p>&lt;script&gt; <a href="https://x.test/?on=1" rel="noopener noreferrer">one</a></p>"#
        ));
    }

    #[test]
    fn spans_past_the_text_or_inside_a_character_are_seen() {
        let text = "aé";
        assert_span_in(text, Span::new(0, 3), "whole");
        for bad in [Span::new(0, 4), Span::new(2, 3), Span { start: 2, end: 1 }] {
            let result = std::panic::catch_unwind(|| assert_span_in(text, bad, "bad"));
            assert!(result.is_err(), "{bad:?}");
        }
    }
}
