//! User-derived text made safe to print: the one escaping that every text
//! renderer applies to names, messages, labels and paths before they reach
//! a terminal or a CI log (issue 17, finding 8).
//!
//! A catalog repository is untrusted input: CI runs `portolan check` on pull
//! requests from forks. A value holding a newline would start a line of its
//! own (in a GitHub Actions log, `::error file=…::` there is a forged
//! annotation on any file); ESC and the C1 CSI drive the terminal (clear
//! the screen, rewrite earlier lines, set the window title); and Unicode
//! bidirectional overrides make a reviewer read the text in another order
//! than its bytes (CVE-2021-42574, "Trojan Source").

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not be printed as is: C0 controls (tab, LF and CR
/// included: they break or reshape a line), DEL, C1 controls (U+0080 to
/// U+009F; U+009B is a one-character CSI to some terminals), the bidi
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
/// bidi marks (U+200E, U+200F, U+061C) and the Unicode line and paragraph
/// separators (U+2028, U+2029), which some viewers break lines at.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every [unsafe](is_unsafe) character written as a Rust-style
/// escape: `\n`, `\r`, `\t`, and `\u{1b}` for the others. Borrowed when
/// nothing needed escaping (the common case costs one scan).
///
/// Backslashes are left alone, so the result is for reading, not for
/// parsing back: it is always one line and shows every character that was
/// there.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The one-column stand-in shown for an unsafe character inside a code
/// frame, where the source must keep its columns so the underline still
/// points at the right place: the Unicode control picture for C0 (`␛` for
/// ESC, `␀` for NUL) and DEL (`␡`), and U+FFFD for the rest.
///
/// Tab and LF are not replaced: the frame renderer lays out lines and
/// expands tabs itself.
pub fn frame_stand_in(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\0'..='\x1f' => char::from_u32(0x2400 + u32::from(c)),
        '\x7f' => Some('\u{2421}'),
        c if is_unsafe(c) => Some('\u{fffd}'),
        _ => None,
    }
}

/// Escape for JSON text already produced by a serializer: serde_json writes
/// C0 controls inside strings as `\u00XX` but leaves DEL, C1, the bidi
/// controls and the line separators raw. Outside strings a serializer
/// writes only ASCII (its own newlines and indentation are the only C0
/// there, and stay), so each such character can be rewritten as its
/// `\uXXXX` escape: the document's values are unchanged, and a terminal
/// showing the JSON (or `jq` without `-r`) never receives the raw character.
pub fn escape_json_text(json: String) -> String {
    let needs_escape = |c: char| c > '\x7e' && is_unsafe(c);
    if !json.chars().any(needs_escape) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        for text in ["", "payments-api", "café ünïcode 日本語 🚀", "a\\nb"] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn line_breaks_and_escape_codes_become_visible() {
        assert_eq!(
            escape("x\n::error file=a.rs::forged\r\x1b[2J\t\0\x7f"),
            "x\\n::error file=a.rs::forged\\r\\u{1b}[2J\\t\\u{0}\\u{7f}"
        );
    }

    #[test]
    fn c1_bidi_and_separators_become_visible() {
        assert_eq!(
            escape("a\u{85}\u{9b}2J\u{202e}b\u{2066}\u{2069}\u{200f}\u{61c}\u{2028}\u{2029}"),
            "a\\u{85}\\u{9b}2J\\u{202e}b\\u{2066}\\u{2069}\\u{200f}\\u{61c}\\u{2028}\\u{2029}"
        );
    }

    #[test]
    fn escaped_text_holds_no_unsafe_character() {
        // Every code point up to U+3000 (and a few beyond), as one string.
        let all: String = (0u32..0x3000)
            .chain([0xfeff, 0xfffd, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        let escaped = escape(&all);
        assert!(!escaped.chars().any(is_unsafe));
        assert_eq!(escaped.lines().count(), 1);
        // Printable text passes through untouched.
        assert!(escaped.contains(" !\"#$%&'()*+,-./0123456789:;<=>?@ABC"));
        assert!(escaped.contains("\\u{1f}"));
    }

    #[test]
    fn frame_stand_ins_are_one_character() {
        assert_eq!(frame_stand_in('\x1b'), Some('␛'));
        assert_eq!(frame_stand_in('\0'), Some('␀'));
        assert_eq!(frame_stand_in('\r'), Some('␍'));
        assert_eq!(frame_stand_in('\x7f'), Some('␡'));
        assert_eq!(frame_stand_in('\u{202e}'), Some('\u{fffd}'));
        assert_eq!(frame_stand_in('\u{9b}'), Some('\u{fffd}'));
        assert_eq!(frame_stand_in('\t'), None);
        assert_eq!(frame_stand_in('\n'), None);
        assert_eq!(frame_stand_in('a'), None);
    }

    #[test]
    fn json_text_keeps_its_values() {
        let value = serde_json::json!({ "m": "a\u{1b}b\n\u{7f}\u{9b}\u{202e}\u{2028}" });
        let text = escape_json_text(serde_json::to_string_pretty(&value).unwrap());
        assert!(text.contains("\\u001b") && text.contains("\\n"), "{text}");
        assert!(text.contains("\\u007f\\u009b\\u202e\\u2028"), "{text}");
        // Only the serializer's own layout is left.
        assert!(
            text.chars().filter(|&c| is_unsafe(c)).all(|c| c == '\n'),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
    }
}
