//! JSON's UTF-16 surrogate pairs, for the YAML loader that reads JSON.
//!
//! JSON escapes a character outside the Basic Multilingual Plane as two
//! `\u` escapes, a UTF-16 surrogate pair (`"\ud83d\ude00"` is one emoji;
//! Python's `json.dumps` writes every emoji so by default). YAML's `\u`
//! names one character, and yaml-rust2 refuses a surrogate half, so such a
//! JSON file failed to load (found by the `json_load` fuzz target). When a
//! text fails to parse, holds such a pair and is JSON, each pair is
//! rewritten as the one `\U` escape YAML has for it and the text parsed
//! again, with every span mapped back to the text as written. Only in JSON
//! is that rewrite exact: there a backslash can only start an escape
//! inside a string, while a YAML comment, plain or block scalar may hold
//! the same characters as text.

use crate::span::Span;
use crate::yaml::{Node, ParsedStream, Value};

/// Where a rewrite made the text shorter: each pair (12 bytes) becomes a
/// `\U` escape (10 bytes), so from `at` in the rewritten text on, offsets
/// are 2 less than in the original, cumulatively.
#[derive(Debug, Clone, Copy)]
struct Shrink {
    /// Offset in the rewritten text just after the replacement.
    at: usize,
}

const SHRINK_BY: usize = 2;

/// The text with every surrogate-pair escape joined into one `\U` escape,
/// and where it got shorter; `None` when it has no pair. The text must be
/// JSON: backslashes are read as JSON string escapes.
fn join_pairs(text: &str) -> Option<(String, Vec<Shrink>)> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut shrinks = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if let Some(c) = surrogate_pair_at(bytes, i) {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..i]);
            out.push_str(&format!("\\U{:08X}", u32::from(c)));
            shrinks.push(Shrink { at: out.len() });
            i += 12;
            copied = i;
        } else {
            // Any other escape: skip the escaped character, so `\\` is
            // never read as the start of the next escape.
            i += 2;
        }
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some((out, shrinks))
}

/// The character a `\uD8xx\uDCxx` pair at `i` escapes.
fn surrogate_pair_at(bytes: &[u8], i: usize) -> Option<char> {
    let unit = |at: usize| -> Option<u32> {
        let escape = bytes.get(at..at + 6)?;
        if escape[0] != b'\\' || escape[1] != b'u' {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let high = unit(i)?;
    let low = unit(i + 6)?;
    if !(0xD800..0xDC00).contains(&high) || !(0xDC00..0xE000).contains(&low) {
        return None;
    }
    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
}

/// Map an offset in the rewritten text back to the original.
fn original_offset(shrinks: &[Shrink], offset: u32) -> u32 {
    let offset = offset as usize;
    let before = shrinks.partition_point(|s| s.at <= offset);
    (offset + before * SHRINK_BY) as u32
}

fn map_span(shrinks: &[Shrink], span: &mut Span) {
    span.start = original_offset(shrinks, span.start);
    span.end = original_offset(shrinks, span.end);
}

fn map_tree(shrinks: &[Shrink], root: &mut Node) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        map_span(shrinks, &mut node.span);
        match &mut node.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for entry in entries.iter_mut() {
                    map_span(shrinks, &mut entry.key_span);
                    stack.push(&mut entry.value);
                }
            }
            _ => {}
        }
    }
}

/// When `parsed` (from `text`) failed and `text` is JSON holding surrogate
/// pairs, the text parsed again with the pairs joined, spans in `text`.
pub(crate) fn reparse_joined(
    text: &str,
    parsed: &ParsedStream,
    parse: impl FnOnce(&str) -> ParsedStream,
) -> Option<ParsedStream> {
    if parsed.errors.is_empty() || !text.contains("\\u") {
        return None;
    }
    let json = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<serde::de::IgnoredAny>(json).ok()?;
    let (joined, shrinks) = join_pairs(text)?;
    let mut stream = parse(&joined);
    for document in &mut stream.documents {
        map_tree(&shrinks, &mut document.root);
    }
    for error in &mut stream.errors {
        map_span(&shrinks, &mut error.span);
        if let Some(related) = &mut error.related {
            map_span(&shrinks, related);
        }
    }
    Some(stream)
}

#[cfg(test)]
mod tests {
    use crate::yaml::{YamlLimits, parse_stream};

    /// Found by the `json_load` fuzz target: valid JSON with an escaped
    /// emoji failed to load ("found invalid Unicode character escape
    /// code").
    #[test]
    fn regression_json_surrogate_pairs_load_as_one_character() {
        let text = "{\"emoji\": \"a\\ud83d\\ude00b\\uD83D\\uDE01\", \"next\": \"x\"}";
        let stream = parse_stream(text, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        assert_eq!(root.get("emoji").unwrap().as_str(), Some("a😀b😁"));
        // Spans are those of the text as written.
        let next = root.get("next").unwrap();
        assert_eq!(&text[next.span.range()], "\"x\"");
        assert_eq!(
            &text[root.entry("next").unwrap().key_span.range()],
            "\"next\""
        );
    }

    #[test]
    fn escaped_backslashes_and_yaml_text_are_left_alone() {
        // `\\ud83d` is a backslash and the letters `ud83d`.
        let text = "[\"\\\\ud83d\\\\ude00\"]";
        let stream = parse_stream(text, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        assert_eq!(
            stream.documents[0].root.as_seq().unwrap()[0].as_str(),
            Some("\\ud83d\\ude00")
        );
        // Not JSON: a YAML double-quoted surrogate stays an error, and a
        // plain scalar keeps its text.
        let yaml = "a: \"\\ud83d\\ude00\"\nb: \\ud83d\\ude00\n";
        assert!(!parse_stream(yaml, YamlLimits::default()).errors.is_empty());
        let plain = "b: \\ud83d\\ude00\n";
        let stream = parse_stream(plain, YamlLimits::default());
        assert_eq!(
            stream.documents[0].root.get("b").unwrap().as_str(),
            Some("\\ud83d\\ude00")
        );
    }

    #[test]
    fn a_lone_surrogate_is_still_an_error() {
        let text = "[\"\\ud83d\"]";
        assert!(!parse_stream(text, YamlLimits::default()).errors.is_empty());
    }
}
