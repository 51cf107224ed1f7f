//! The bundle written as YAML (what most people download an OpenAPI file
//! as), through yaml-rust2's emitter.
//!
//! The emitter leaves a string unquoted unless it holds one of a list of
//! characters, and the list misses some that YAML allows only quoted or
//! not at all: BEL, backspace, vertical tab, form feed, ESC, DEL, the C1
//! controls, U+FEFF, U+FFFE/U+FFFF. A bundle holding one (`"\x82"` in a
//! spec) was written as YAML that no parser reads back (found by the
//! `ref_bundle` fuzz target). Such strings are written here instead: the
//! emitter is handed a placeholder it always quotes, and the placeholder
//! is then replaced by the string, double-quoted with every control
//! escaped. Other strings come out as the emitter writes them.
//!
//! The emitter also writes every mapping key as an implicit key (`key:`),
//! which YAML allows only up to 1024 characters; a longer key (a spec
//! whose property name is a pasted paragraph) made a download no parser
//! reads (found by `ref_bundle` too). Long keys are held the same way and
//! written as explicit keys: `? "key"` on one line, `:` and the value on
//! the next, at the key's column.

use serde_json::Value as Json;
use yaml_rust2::Yaml;

/// A placeholder's text: a NUL, which the emitter writes quoted as
/// `"\u0000`, then the index of the string it stands for.
const PLACEHOLDER: &str = "\"\\u0000";

/// Keys longer than this (in characters, before quoting) are written as
/// explicit keys: YAML's limit for an implicit key is 1024 characters, and
/// quoting may lengthen a key.
const LONGEST_IMPLICIT_KEY: usize = 256;

/// A string written by [`put_back`] rather than by the emitter.
struct Held {
    text: String,
    /// A mapping key written in the explicit form (`? key` / `: value`).
    explicit_key: bool,
}

pub fn to_yaml_string(doc: &Json) -> String {
    let mut out = String::new();
    let mut held = Vec::new();
    let yaml = json_to_yaml(doc, &mut held);
    // Multi-line strings stay double-quoted: the emitter's block scalars
    // have no indentation indicator, which breaks text whose first line
    // starts with a space.
    let mut emitter = yaml_rust2::YamlEmitter::new(&mut out);
    // The emitter only fails on writer errors, which a String has none of.
    let _ = emitter.dump(&yaml);
    if !held.is_empty() {
        out = put_back(&out, &held);
    }
    // The emitter starts documents with `---`; a single-document file
    // reads better without it.
    let body = out.strip_prefix("---\n").unwrap_or(&out).to_string();
    body + "\n"
}

/// Characters the emitter may leave in a plain scalar that YAML does not
/// allow there (NUL too, so that every `"\u0000` written is a placeholder).
fn needs_own_quoting(c: char) -> bool {
    c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

fn string(s: &str, held: &mut Vec<Held>) -> Yaml {
    // The emitter quotes strings that look like numbers to it, but not all
    // that YAML 1.2 reads as numbers (`0o171` came back as 121: found by
    // `ref_bundle`): those are held and quoted here too.
    if s.chars().any(needs_own_quoting) || !portolan_core::yaml::plain_reads_as_string(s) {
        hold(s, false, held)
    } else {
        Yaml::String(s.to_string())
    }
}

fn key(s: &str, held: &mut Vec<Held>) -> Yaml {
    if s.chars().nth(LONGEST_IMPLICIT_KEY).is_some() {
        hold(s, true, held)
    } else {
        string(s, held)
    }
}

fn hold(s: &str, explicit_key: bool, held: &mut Vec<Held>) -> Yaml {
    held.push(Held {
        text: s.to_string(),
        explicit_key,
    });
    Yaml::String(format!("\0{}", held.len() - 1))
}

fn json_to_yaml(value: &Json, held: &mut Vec<Held>) -> Yaml {
    match value {
        Json::Null => Yaml::Null,
        Json::Bool(b) => Yaml::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        Json::String(s) => string(s, held),
        Json::Array(items) => Yaml::Array(items.iter().map(|v| json_to_yaml(v, held)).collect()),
        Json::Object(map) => {
            let mut hash = yaml_rust2::yaml::Hash::new();
            for (k, v) in map {
                let key = key(k, held);
                hash.insert(key, json_to_yaml(v, held));
            }
            Yaml::Hash(hash)
        }
    }
}

/// The emitter's output with each placeholder (`"\u0000<index>"`) replaced
/// by the string it stands for. No other string is written with `"\u0000`
/// right after its opening quote: every string holding a NUL is a
/// placeholder, and a backslash of the string's own is written `\\`.
/// A long key's placeholder is followed by the `:` of its entry; the key
/// goes on a line of its own after `? `, and the `:` (with the rest of the
/// line as the emitter wrote it) under it, at the same column.
fn put_back(emitted: &str, held: &[Held]) -> String {
    let mut out = String::with_capacity(emitted.len());
    let mut rest = emitted;
    while let Some(at) = rest.find(PLACEHOLDER) {
        let after = &rest[at + PLACEHOLDER.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index = after[..digits].parse::<usize>().ok();
        match (
            index.and_then(|i| held.get(i)),
            after[digits..].strip_prefix('"'),
        ) {
            (Some(original), Some(tail)) => {
                out.push_str(&rest[..at]);
                if original.explicit_key && tail.starts_with(':') {
                    // What precedes a key on its line is indentation and
                    // `- ` marks: ASCII, so bytes are columns.
                    let column = out.len() - out.rfind('\n').map_or(0, |n| n + 1);
                    out.push_str("? ");
                    push_quoted(&mut out, &original.text);
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', column));
                } else {
                    push_quoted(&mut out, &original.text);
                }
                rest = tail;
            }
            _ => {
                out.push_str(&rest[..at + PLACEHOLDER.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` as a YAML double-quoted scalar with every control escaped.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_own_quoting(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use portolan_core::yaml::{YamlLimits, parse_stream};
    use serde_json::json;

    use super::*;

    /// Found by the `ref_bundle` fuzz target: the string `0o171` was
    /// written plain and read back as the number 121.
    #[test]
    fn regression_strings_that_read_as_numbers_stay_strings() {
        let looks_typed = [
            "0o171", "0x1F", "+12", "-3", "012", ".5", "-.5", "1.", "1e3", "+1.5e-3", ".inf",
            "-.Inf", ".NaN", "~", "null", "Null", "TRUE", "false", "", "200",
        ];
        let doc = json!({
            "values": looks_typed,
            "keys": looks_typed.iter().map(|k| (k.to_string(), json!(k))).collect::<serde_json::Map<_, _>>(),
        });
        let yaml = to_yaml_string(&doc);
        let stream = parse_stream(&yaml, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}\n{yaml}", stream.errors);
        assert_eq!(stream.documents[0].root.to_json(), doc, "{yaml}");
    }

    /// Found by the `ref_bundle` fuzz target: a key of 2,422 characters
    /// was written as an implicit key (at most 1024 in YAML), and the
    /// download did not parse.
    #[test]
    fn regression_long_keys_are_written_as_explicit_keys() {
        let long = "a key: with # marks, \"quotes\" and a colon ".repeat(60);
        let doc = json!({
            "schemas": {
                long.clone(): {"type": "string", long.clone(): [1, {long.clone(): "x"}]},
                "short": long.clone(),
            },
            "list": [{long.clone(): null, "b": 2}, {"c\u{7}": {long.clone(): []}}],
            long.clone(): {},
        });
        let yaml = to_yaml_string(&doc);
        assert!(yaml.contains("? \"a key"), "{yaml}");
        let stream = parse_stream(&yaml, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}\n{yaml}", stream.errors);
        assert_eq!(stream.documents[0].root.to_json(), doc, "{yaml}");
        // Short keys stay implicit.
        assert!(yaml.lines().any(|line| line == "schemas:"), "{yaml}");
    }

    /// Found by the `ref_bundle` fuzz target: a string holding U+0082 was
    /// written unquoted, and the YAML download did not parse.
    #[test]
    fn regression_strings_with_controls_read_back_the_same() {
        let doc = json!({
            "c1": "obj\u{82}ect",
            "bel\u{7}key": ["\u{7}", "\u{8}", "\u{b}", "\u{c}", "\u{1b}[31m", "\u{7f}"],
            "nul": "a\u{0}b",
            "bom": "\u{feff}x",
            "nonchar": "\u{ffff}",
            "mixed": "line\nwith \"quotes\" and \\ \u{85}",
            "fake": "\\u00000\"",
            "plain": "stays plain",
        });
        let text = to_yaml_string(&doc);
        let stream = parse_stream(&text, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}\n{text}", stream.errors);
        assert_eq!(stream.documents[0].root.to_json(), doc, "{text}");
        assert!(text.contains("plain: stays plain\n"), "{text}");
    }
}
