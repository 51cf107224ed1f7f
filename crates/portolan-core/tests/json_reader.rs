//! The strict JSON reader (`portolan_core::json`) against the YAML reader
//! it stands in for: wherever it takes a text, the tree (values and every
//! span) and the findings must be exactly the YAML reader's, so which one
//! ran never shows in a diagnostic, a `locate` or a report position.

use std::path::PathBuf;

use portolan_core::json::{parse_json, tabs_after_colons_as_spaces};
use portolan_core::parse::parse_text;
use portolan_core::yaml::{Node, ParsedStream, Value, YamlErrorKind, YamlLimits, parse_stream};

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, for a checkout elsewhere, such as a worktree).
fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared corpus is missing at {} and CI=true: it must be present in CI",
        dir.display()
    );
    eprintln!("skipping: the shared corpus is not at {}", dir.display());
    None
}

/// Both readers' results, which must be equal; `None` when the JSON
/// reader does not take the text.
fn both(text: &str, limits: YamlLimits) -> Option<(ParsedStream, ParsedStream)> {
    let json = parse_json(text, limits)?;
    // Where yaml-rust2 rejects valid JSON (a tab right after a colon), the
    // same text with those tabs as spaces: same length, same spans.
    let yaml = parse_stream(&tabs_after_colons_as_spaces(text), limits);
    Some((json, yaml))
}

fn assert_same_streams(text: &str, json: &ParsedStream, yaml: &ParsedStream) {
    let shown = || {
        let mut t: String = text.chars().take(200).collect();
        if t.len() < text.len() {
            t.push('…');
        }
        t
    };
    assert_eq!(
        json.errors,
        yaml.errors,
        "findings differ for {:?}",
        shown()
    );
    assert_eq!(
        json.documents.len(),
        yaml.documents.len(),
        "documents differ for {:?}",
        shown()
    );
    for (j, y) in json.documents.iter().zip(&yaml.documents) {
        assert_eq!(
            (j.index, j.is_empty),
            (y.index, y.is_empty),
            "{:?}",
            shown()
        );
        if let Some(difference) = first_difference(&j.root, &y.root, String::new()) {
            panic!("trees differ for {:?}: {difference}", shown());
        }
    }
}

/// Where two trees first differ (pointer, what), or `None`: a whole-tree
/// `assert_eq!` would print megabytes.
fn first_difference(a: &Node, b: &Node, at: String) -> Option<String> {
    if a.span != b.span {
        return Some(format!("{at}: span {:?} vs {:?}", a.span, b.span));
    }
    match (&a.value, &b.value) {
        (Value::Seq(x), Value::Seq(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} items vs {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, format!("{at}/{i}")))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} entries vs {}", x.len(), y.len()));
            }
            x.iter().zip(y).find_map(|(x, y)| {
                if x.key != y.key || x.key_span != y.key_span {
                    return Some(format!(
                        "{at}: key {:?} at {:?} vs {:?} at {:?}",
                        x.key, x.key_span, y.key, y.key_span
                    ));
                }
                first_difference(&x.value, &y.value, format!("{at}/{}", x.key))
            })
        }
        (x, y) if x == y => None,
        // Equal floats compare equal above; NaN never comes from JSON.
        (x, y) => Some(format!("{at}: {x:?} vs {y:?}")),
    }
}

/// The JSON reader takes `text`, and gives what the YAML reader gives.
#[track_caller]
fn assert_taken_and_same(text: &str) {
    let (json, yaml) = both(text, YamlLimits::default())
        .unwrap_or_else(|| panic!("the JSON reader did not take {text:?}"));
    assert_same_streams(text, &json, &yaml);
}

/// Valid JSON of every shape the YAML reader has a reading of its own for:
/// numbers, escapes, spans around multi-byte characters, line breaks.
const EDGE_CASES: &[&str] = &[
    "{}",
    "[]",
    "{\"a\":1}",
    "[1,2,3]",
    " \t\r\n{ \"a\" : [ ] , \"b\" : { } }\n",
    // Numbers: the YAML core schema's Int/Float decision.
    "[0, -0, 1, -1, 1.0, -1.5, 1e3, 1E3, 1e+3, 1e-3, -0.0, 0.5, 12.50]",
    "[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809]",
    "[123456789012345678901234567890, 1e400, -1e400, 5e-324, 1.7976931348623157e308]",
    "[true, false, null]",
    "{\"t\": true, \"f\": false, \"n\": null}",
    // Strings and escapes.
    "[\"\", \"a\", \"é\", \"日本語\", \"😀\"]",
    "[\"\\\"\", \"a\\\"b\", \"\\\\\", \"\\/\", \"\\b\\f\\n\\r\\t\"]",
    "[\"\\u0041\", \"\\u00e9\", \"\\u65e5\", \"\\u0000\", \"\\u001f\", \"\\uffff\", \"\\ufffe\"]",
    "{\"emoji\": \"a\\ud83d\\ude00b\\uD83D\\uDE01\", \"next\": \"x\"}",
    "[\"\\\\ud83d\\\\ude00\"]",
    "{\"k\\\"ey\": 1, \"k\\\\\": 2, \"\\u00e9\": 3}",
    "[\"\u{7f}\u{80}\u{9b}\u{85}\u{a0}\u{2028}\u{2029}\u{feff}\"]",
    "[\"a # not a comment\", \"&anchor\", \"*alias\", \"!tag\", \"- item\", \"key: value\"]",
    "[\"yes\", \"no\", \"~\", \"null\", \"true\", \"1\", \"0x1f\", \".inf\"]",
    "{\"1\": \"int-like key\", \"true\": 1, \"null\": 2, \"\": 3}",
    // Positions across lines, CRLF, lone CR and multi-byte text.
    "{\r\n  \"a\": \"é\",\r\n  \"b\": [1,\r\n 2]\r\n}\r\n",
    "{\"a\":\r\"é\",\r\"b\":\r[1,\r2]\r}",
    "{\n\"größe\": \"ü\", \"n\": {\"x\": [\"日本\", {\"y\": \"z\"}]}}",
    "\u{feff}{\"bom\": [1, \"é\"]}",
    // Nesting and duplicate keys.
    "[[[[[[[[[[1]]]]]]]]]]",
    "{\"a\": {\"b\": {\"c\": {\"d\": [{}, [], {\"e\": null}]}}}}",
    "{\"a\": 1, \"b\": 2, \"a\": 3}",
    "{\"a\": 1, \"a\": {\"x\": 1, \"x\": 2}, \"a\": [1]}",
    "[{\"k\": 1, \"k\": 2}, {\"k\": 3}]",
];

#[test]
fn edge_cases_read_as_the_yaml_reader_reads_them() {
    for text in EDGE_CASES {
        assert_taken_and_same(text);
    }
}

/// yaml-rust2 rejects a tab right after a colon before a plain scalar
/// (valid JSON, and valid YAML 1.2); the JSON reader reads it, as the
/// YAML reader reads the text with those tabs as spaces.
#[test]
fn a_tab_after_a_colon_is_read() {
    let text = "{\"a\":\t1, \"b\" :\t\ttrue, \"c\":\t\"x\\\":\\tk\"}";
    let yaml = parse_stream(text, YamlLimits::default());
    assert_eq!(
        yaml.errors.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [YamlErrorKind::Syntax],
        "if yaml-rust2 reads this now, the difference in json.rs's comment is gone"
    );
    assert_taken_and_same(text);
    let spaced = tabs_after_colons_as_spaces(text);
    assert_eq!(spaced, "{\"a\": 1, \"b\" :  true, \"c\": \"x\\\":\\tk\"}");
    let root = &parse_text(text, YamlLimits::default()).documents[0].root;
    assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
    assert_eq!(root.get("c").unwrap().as_str(), Some("x\":\tk"));
}

/// Numbers a JSON parser reads one way and the YAML core schema another
/// are the YAML reader's: integers past i64 and `1e3` are floats, `-0` is
/// the integer 0.
#[test]
fn numbers_resolve_as_yaml_resolves_them() {
    let stream = parse_json(
        "[1e3, -0, 1.0, 18446744073709551616, 7]",
        YamlLimits::default(),
    )
    .expect("taken");
    let items: Vec<&Value> = stream.documents[0]
        .root
        .as_seq()
        .unwrap()
        .iter()
        .map(|n| &n.value)
        .collect();
    assert_eq!(
        items,
        [
            &Value::Float(1000.0),
            &Value::Int(0),
            &Value::Float(1.0),
            &Value::Float(18446744073709551616.0),
            &Value::Int(7)
        ]
    );
}

/// A key or string holding an escaped quote: the YAML reader's span ends
/// at that quote (its approximation, documented in `json.rs`), and so
/// does this one's; `locate` gives the same position either way.
#[test]
fn escaped_quotes_end_spans_where_the_yaml_reader_ends_them() {
    let text = "{\"a\\\"b\": \"c\\\"d\", \"n\": 1}";
    assert_taken_and_same(text);
    let stream = parse_json(text, YamlLimits::default()).unwrap();
    let root = &stream.documents[0].root;
    assert_eq!(&text[root.locate("/a\"b").range()], "\"a\\\"");
    assert_eq!(&text[root.locate("/n").range()], "\"n\"");
}

#[test]
fn duplicate_keys_are_the_yaml_readers_findings() {
    let text = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}\n";
    let stream = parse_json(text, YamlLimits::default()).unwrap();
    assert_eq!(stream.errors.len(), 1);
    let error = &stream.errors[0];
    assert_eq!(error.kind, YamlErrorKind::DuplicateKey);
    assert_eq!(error.message, "duplicate key `a`");
    assert_eq!(error.span.start as usize, text.rfind("\"a\"").unwrap());
    assert_eq!(error.related.map(|s| s.start as usize), text.find("\"a\""));
    assert_eq!(
        stream.documents[0].root.get("a").unwrap().value,
        Value::Int(1)
    );
    // In a large mapping (keys indexed) too.
    let mut big: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
    big.push("\"k42\": -1".into());
    big.push("\"k0\": -1".into());
    let text = format!("{{{}}}", big.join(", "));
    assert_taken_and_same(&text);
    let stream = parse_json(&text, YamlLimits::default()).unwrap();
    let keys: Vec<&str> = stream.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(keys, ["duplicate key `k42`", "duplicate key `k0`"]);
}

/// What is not strict JSON is left to the YAML reader, whose findings
/// (syntax, control characters, depth, lone surrogates) are the ones
/// users have always seen; `parse_text` then gives exactly those.
#[test]
fn what_is_not_strict_json_is_read_as_yaml() {
    let not_json = [
        "",
        "   ",
        "a: 1\n",
        "\"just a string\"",
        "1",
        "null",
        "{a: 1}",
        "{'a': 1}",
        "{\"a\": 1,}",
        "[1, 2,]",
        "{\"a\": 1} # comment",
        "{\"a\": 1}\n---\n{\"b\": 2}\n",
        "[01]",
        "[+1]",
        "[.5]",
        "[1.]",
        "[0x10]",
        "[NaN]",
        "[Infinity]",
        "[\"tab\tinside\"]",
        "[\"nul\0inside\"]",
        "{\"a\": \"x\"}\0",
        "[\"\\ud83d\"]",
        "[\"\\ude00\"]",
        "[\"\\x41\"]",
        "[\"\\U0001F600\"]",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "[1 2]",
        "[",
        "{\"a\": [}",
        "[\"unclosed]",
        "[\u{7f}]",
        "[tru]",
        "[true false]",
        "{\"a\": 1}}",
    ];
    for text in not_json {
        assert!(
            parse_json(text, YamlLimits::default()).is_none(),
            "taken as JSON: {text:?}"
        );
        let via_parse_text = parse_text(text, YamlLimits::default());
        let yaml = parse_stream(text, YamlLimits::default());
        assert_same_streams(text, &via_parse_text, &yaml);
    }
}

#[test]
fn nesting_past_the_limit_is_left_to_the_yaml_reader() {
    let limits = YamlLimits {
        max_depth: 5,
        ..YamlLimits::default()
    };
    assert!(parse_json("[[[[[1]]]]]", limits).is_some());
    assert!(parse_json("[[[[[[1]]]]]]", limits).is_none());
    assert!(parse_json("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{}}}}}}", limits).is_none());
    let stream = parse_text("[[[[[[1]]]]]]", limits);
    assert!(
        stream
            .errors
            .iter()
            .any(|e| e.kind == YamlErrorKind::TooDeep),
        "{:?}",
        stream.errors
    );
    // No document limit: the YAML reader's finding.
    let none = YamlLimits {
        max_documents: 0,
        ..YamlLimits::default()
    };
    assert!(parse_json("{}", none).is_none());
}

/// A small deterministic generator of JSON texts (xorshift), for shapes
/// no one writes by hand: every whitespace JSON allows in every place,
/// every escape, numbers of every form, keys that repeat.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64)]
    }

    fn space(&mut self, out: &mut String) {
        for _ in 0..self.below(3) {
            out.push_str(self.pick(&["", " ", "\t", "\n", "\r\n", "\r", "  \n  "]));
        }
    }

    fn string(&mut self, out: &mut String) {
        out.push('"');
        for _ in 0..self.below(6) {
            let piece = self.pick(&[
                "a",
                "key",
                "é",
                "日本",
                "😀",
                " ",
                "#",
                ": ",
                "- ",
                "&x",
                "*y",
                "!t",
                "%",
                "@",
                "\\\"",
                "\\\\",
                "\\/",
                "\\b",
                "\\f",
                "\\n",
                "\\r",
                "\\t",
                "\\u0041",
                "\\u00e9",
                "\\u0000",
                "\\u001F",
                "\\u2028",
                "\\uFFFF",
                "\\ud83d\\ude00",
                "\\uD834\\uDD1E",
                "\u{7f}",
                "\u{85}",
                "\u{9b}",
                "\u{a0}",
                "\u{2028}",
                "\u{feff}",
                "'",
                "'' ",
                "---",
                "...",
                "~",
                "null",
            ]);
            out.push_str(piece);
        }
        out.push('"');
    }

    fn value(&mut self, out: &mut String, depth: usize) {
        let kind = if depth >= 6 {
            2 + self.below(3)
        } else {
            self.below(5)
        };
        match kind {
            0 => {
                out.push('[');
                self.space(out);
                let n = self.below(4);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                        self.space(out);
                    }
                    self.value(out, depth + 1);
                    self.space(out);
                }
                out.push(']');
            }
            1 => {
                out.push('{');
                self.space(out);
                let n = self.below(5);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                        self.space(out);
                    }
                    if self.below(4) == 0 {
                        out.push_str(self.pick(&["\"k\"", "\"\"", "\"1\"", "\"k\\\"\""]));
                    } else {
                        self.string(out);
                    }
                    self.space(out);
                    out.push(':');
                    self.space(out);
                    self.value(out, depth + 1);
                    self.space(out);
                }
                out.push('}');
            }
            2 => self.string(out),
            3 => out.push_str(self.pick(&[
                "0",
                "-0",
                "7",
                "-12",
                "1.0",
                "-0.0",
                "2.50",
                "1e3",
                "1E-3",
                "-1e+30",
                "0.1e1",
                "1e300",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
            ])),
            _ => out.push_str(self.pick(&["true", "false", "null"])),
        }
    }

    fn document(&mut self) -> String {
        let mut out = String::new();
        if self.below(10) == 0 {
            out.push('\u{feff}');
        }
        self.space(&mut out);
        // A collection at the top, as the reader takes.
        loop {
            let mut value = String::new();
            self.value(&mut value, 0);
            if value.starts_with(['[', '{']) {
                out.push_str(&value);
                break;
            }
        }
        self.space(&mut out);
        out
    }
}

#[test]
fn generated_documents_read_as_the_yaml_reader_reads_them() {
    let mut generator = Generator(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let text = generator.document();
        assert!(
            serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}')).is_ok(),
            "the generator wrote invalid JSON: {text:?}"
        );
        assert_taken_and_same(&text);
    }
}

/// Every `.json` file of the shared corpus, read in place.
#[test]
fn corpus_json_files_read_as_the_yaml_reader_reads_them() {
    let Some(corpus) = corpus() else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no .json file in the corpus");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (json, yaml) = both(&text, YamlLimits::default())
            .unwrap_or_else(|| panic!("the JSON reader did not take {}", path.display()));
        assert_same_streams(&text, &json, &yaml);
    }
}

/// Large JSON files named by `PORTOLAN_JSON_FILES` (colon-separated), such
/// as GitHub's REST description: the same check, for inputs too large to
/// keep in the repository. Nothing to do when unset.
#[test]
fn named_json_files_read_as_the_yaml_reader_reads_them() {
    let Some(paths) = std::env::var_os("PORTOLAN_JSON_FILES") else {
        return;
    };
    for path in std::env::split_paths(&paths) {
        let text = std::fs::read_to_string(&path).unwrap();
        let (json, yaml) = both(&text, YamlLimits::default())
            .unwrap_or_else(|| panic!("the JSON reader did not take {}", path.display()));
        assert_same_streams(&text, &json, &yaml);
        eprintln!("same trees: {}", path.display());
    }
}

/// Hostile shapes: each read in time linear in its size, without using
/// the native stack for depth, and an error (never a panic) where the
/// input is past a limit. Times are measured by scripts, not asserted.
mod hostile {
    use super::*;

    #[test]
    fn a_five_megabyte_line() {
        let items: Vec<String> = (0..200_000)
            .map(|i| format!("{{\"k\":{i},\"v\":\"é{i}\"}}"))
            .collect();
        let text = format!("[{}]", items.join(","));
        assert!(text.len() > 5_000_000);
        let stream = parse_json(&text, YamlLimits::default()).expect("taken");
        let root = &stream.documents[0].root;
        let last = root.pointer("/199999/v").unwrap();
        assert_eq!(&text[last.span.range()], "\"é199999\"");
        assert_eq!(&text[root.locate("/123456/k").range()], "\"k\"");
        // The YAML reader agrees on a slice of it (all of it is slow in a
        // debug build).
        let small = format!("[{}]", items[..2_000].join(","));
        assert_taken_and_same(&small);
    }

    #[test]
    fn depth_of_one_hundred_thousand() {
        let depth = 100_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_json(&text, YamlLimits::default()).is_none());
        // Unclosed, and objects.
        assert!(parse_json(&"[".repeat(depth), YamlLimits::default()).is_none());
        let objects = "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth);
        assert!(parse_json(&objects, YamlLimits::default()).is_none());
        // With no depth limit at all, the tree is built without recursion
        // (and dropped without it: `Node`'s drop recurses, so the tree is
        // taken apart here, item by item).
        let unlimited = YamlLimits {
            max_depth: usize::MAX,
            ..YamlLimits::default()
        };
        let stream = parse_json(&text, unlimited).expect("taken");
        let mut node = stream.documents.into_iter().next().unwrap().root;
        let mut levels = 1;
        while let Value::Seq(mut items) = node.value {
            match items.pop() {
                Some(inner) => {
                    node = inner;
                    levels += 1;
                }
                None => break,
            }
        }
        assert_eq!(levels, depth);
        // What `check` does with it: the YAML reader's depth finding.
        let stream = parse_text(&text, YamlLimits::default());
        assert!(
            stream
                .errors
                .iter()
                .any(|e| matches!(e.kind, YamlErrorKind::TooDeep | YamlErrorKind::Syntax)),
            "{:?}",
            stream.errors
        );
    }

    #[test]
    fn a_million_keys() {
        let keys: Vec<String> = (0..1_000_000).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{}}}", keys.join(","));
        let stream = parse_json(&text, YamlLimits::default()).expect("taken");
        assert!(stream.errors.is_empty());
        let root = &stream.documents[0].root;
        assert_eq!(root.as_map().unwrap().len(), 1_000_000);
        assert_eq!(&text[root.locate("/k999999").range()], "\"k999999\"");
        // Every key the same: one finding each, the first value kept.
        let same: Vec<&str> = (0..100_000).map(|_| "\"k\":1").collect();
        let text = format!("{{{}}}", same.join(","));
        let stream = parse_json(&text, YamlLimits::default()).expect("taken");
        assert_eq!(stream.errors.len(), 99_999);
        assert_eq!(stream.documents[0].root.as_map().unwrap().len(), 1);
    }

    #[test]
    fn long_strings() {
        let plain = "x".repeat(4_000_000);
        let escaped = "\\\"\\u00e9\\n".repeat(200_000);
        let text = format!("{{\"{plain}\": \"{escaped}\", \"b\": \"{plain}\"}}");
        let stream = parse_json(&text, YamlLimits::default()).expect("taken");
        let root = &stream.documents[0].root;
        let value = root.get(&plain).unwrap().as_str().unwrap();
        assert_eq!(value, "\"é\n".repeat(200_000));
        let b = root.get("b").unwrap();
        assert_eq!(b.span.end as usize - b.span.start as usize, plain.len() + 2);
    }
}
