//! Strict JSON into the same spanned tree the YAML reader builds, fast.
//!
//! Every file used to go through the YAML reader (JSON is YAML), which is
//! right but slow on large JSON API definitions: GitHub's 13 MB REST
//! description took most of `portolan diff`'s second there. This reader
//! takes only strict JSON (RFC 8259) whose top level is an object or an
//! array, and gives exactly what [`yaml::parse_stream`] gives for it —
//! the same values (numbers resolved by the same YAML 1.2 core-schema
//! rule), the same spans and the same duplicate-key findings — so which
//! reader ran never shows. Anything else (not JSON, a syntax error, a
//! control character, nesting past the limit) is `None`, and the caller
//! reads the text as YAML, whose diagnostics are the ones users see.
//!
//! Spans follow the YAML reader's, including its one approximation: a
//! quoted scalar's span ends at the first `"` after its opening quote,
//! which for a string holding an escaped quote (`"a\"b"`) is that escaped
//! quote, not the closing one.
//!
//! One difference, on purpose: yaml-rust2 rejects a tab right after a
//! mapping's colon when a number, `true`, `false` or `null` follows
//! (`{"a":\t1}`: "':' must be followed by a valid YAML whitespace"),
//! though YAML 1.2 allows it and it is valid JSON. This reader reads such
//! text, as a JSON parser does; the YAML reader gives the same tree for it
//! with those tabs written as spaces ([`tabs_after_colons_as_spaces`],
//! which the tests and fuzz targets comparing the two use).
//!
//! Lexing is `jiter`'s (positions, validation, escapes and surrogate
//! pairs); the tree is built here with an explicit stack, so depth costs
//! no native stack, and time and memory are linear in the input.

use std::borrow::Cow;
use std::collections::HashMap;

use jiter::{Jiter, Peek};

use crate::span::Span;
use crate::yaml::{
    self, Document, Entry, Node, ParsedStream, Value, YamlError, YamlErrorKind, YamlLimits,
};

/// Above this many entries a mapping indexes its keys for the duplicate
/// check; below it a scan of the entries is cheaper than hashing.
const INDEX_KEYS_FROM: usize = 16;

/// Read `text` as one strict JSON document, or `None` when it is not one
/// that this reader takes (then read it as YAML).
pub fn parse_json(text: &str, limits: YamlLimits) -> Option<ParsedStream> {
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    // The YAML reader would report the document as one too many.
    if limits.max_documents == 0 || !starts_like_json(body) {
        return None;
    }
    let mut reader = Reader {
        bytes: body.as_bytes(),
        base,
        jiter: Jiter::new(body.as_bytes()),
        limits,
        stack: Vec::new(),
        errors: Vec::new(),
    };
    let root = reader.run()?;
    let mut errors = reader.errors;
    // As the YAML reader orders its findings (stable: same order for ties).
    errors.sort_by_key(|e| e.span.start);
    Some(ParsedStream {
        documents: vec![Document {
            index: 0,
            root,
            is_empty: false,
        }],
        errors,
    })
}

/// Whether the first character after JSON's whitespace opens an object or
/// an array: what makes text worth trying as JSON whatever its file name.
pub fn starts_like_json(text: &str) -> bool {
    let first = text
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    matches!(first, Some(b'{' | b'['))
}

/// `text` (JSON) with each tab that directly follows a colon outside a
/// string written as a space: what the YAML reader reads as this reader
/// reads `text` (see the module's comment). Same length, so the same
/// spans; tabs inside strings are escapes in JSON and stay.
pub fn tabs_after_colons_as_spaces(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let (mut in_string, mut escaped, mut after_colon) = (false, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if after_colon && b == b'\t' {
            out.get_or_insert_with(|| bytes.to_vec())[i] = b' ';
            continue;
        }
        after_colon = b == b':';
        in_string = b == b'"';
    }
    match out {
        // Only ASCII tabs became spaces: still UTF-8.
        Some(out) => Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string())),
        None => Cow::Borrowed(text),
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
    },
    Map {
        entries: Vec<Entry>,
        start: usize,
        /// The key whose value is being read.
        key: Option<(String, Span)>,
        /// Key → index in `entries`, once the mapping is large.
        index: Option<HashMap<String, usize>>,
    },
}

struct Reader<'a> {
    /// The text after any byte-order mark; jiter's offsets are into it.
    bytes: &'a [u8],
    /// Added to every offset: the byte-order mark's length.
    base: usize,
    jiter: Jiter<'a>,
    limits: YamlLimits,
    stack: Vec<Frame>,
    errors: Vec<YamlError>,
}

/// What one step of the reader found.
enum Step {
    /// A complete node for the innermost open collection (or the root).
    Node(Node),
    /// A collection was opened; its first member comes next.
    Opened,
}

impl Reader<'_> {
    fn run(&mut self) -> Option<Node> {
        let mut peek = self.jiter.peek().ok()?;
        loop {
            let mut node = match self.value(peek)? {
                Step::Opened => {
                    match self.first_member()? {
                        Some(next) => {
                            peek = next;
                            continue;
                        }
                        // Empty: closed at once.
                        None => self.close()?,
                    }
                }
                Step::Node(node) => node,
            };
            // Hand the node to its parent; close every parent it completes.
            loop {
                if self.stack.is_empty() {
                    self.jiter.finish().ok()?;
                    return Some(node);
                }
                self.add(node);
                match self.next_member()? {
                    Some(next) => {
                        peek = next;
                        break;
                    }
                    None => node = self.close()?,
                }
            }
        }
    }

    /// The node starting at the current position (`peek` is its first
    /// byte), or the opening of a collection.
    fn value(&mut self, peek: Peek) -> Option<Step> {
        let at = self.jiter.current_index();
        let value = match peek {
            Peek::Array | Peek::Object => {
                // As deep as the YAML reader allows; past it, its findings.
                if self.stack.len() >= self.limits.max_depth {
                    return None;
                }
                let start = self.base + at;
                self.stack.push(if peek == Peek::Array {
                    Frame::Seq {
                        items: Vec::new(),
                        start,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        start,
                        key: None,
                        index: None,
                    }
                });
                return Some(Step::Opened);
            }
            Peek::String => {
                let value = self.jiter.known_str().ok()?.to_string();
                let span = self.quoted_span(at);
                return Some(Step::Node(Node::new(Value::String(value), span)));
            }
            Peek::Null => {
                self.jiter.known_null().ok()?;
                Value::Null
            }
            Peek::True | Peek::False => Value::Bool(self.jiter.known_bool(peek).ok()?),
            _ => {
                let number = self.jiter.known_number_bytes(peek).ok()?;
                let number = std::str::from_utf8(number).ok()?;
                // The YAML core schema's reading of the same plain scalar
                // (`1.0` and `1e3` are floats, integers past i64 too).
                yaml::resolve_plain(number)?
            }
        };
        let end = self.jiter.current_index();
        Some(Step::Node(Node::new(
            value,
            Span::new(self.base + at, self.base + end),
        )))
    }

    /// After an opening bracket: the first member's first byte, or `None`
    /// for an empty collection (its closing bracket consumed).
    fn first_member(&mut self) -> Option<Option<Peek>> {
        match self.stack.last()? {
            Frame::Seq { .. } => self.jiter.known_array().ok(),
            Frame::Map { .. } => {
                let from = self.jiter.current_index();
                let key = self.jiter.known_object().ok()?.map(str::to_string);
                self.key_read(from, key)
            }
        }
    }

    /// After a member: the next one's first byte, or `None` at the end of
    /// the collection (its closing bracket consumed).
    fn next_member(&mut self) -> Option<Option<Peek>> {
        match self.stack.last()? {
            Frame::Seq { .. } => self.jiter.array_step().ok(),
            Frame::Map { .. } => {
                let from = self.jiter.current_index();
                let key = self.jiter.next_key().ok()?.map(str::to_string);
                self.key_read(from, key)
            }
        }
    }

    /// A key was read (jiter is past its colon): remember it with its
    /// span, and peek at its value.
    fn key_read(&mut self, from: usize, key: Option<String>) -> Option<Option<Peek>> {
        let Some(key) = key else {
            return Some(None);
        };
        // Between `from` and the key there is only whitespace and a comma
        // or the opening brace: the first quote opens the key.
        let quote = from + self.bytes[from..].iter().position(|&b| b == b'"')?;
        let span = self.quoted_span(quote);
        if let Some(Frame::Map { key: pending, .. }) = self.stack.last_mut() {
            *pending = Some((key, span));
        }
        self.jiter.peek().ok().map(Some)
    }

    /// The span the YAML reader gives the quoted scalar at `at`: up to the
    /// first quote after the opening one (see the module's comment).
    fn quoted_span(&self, at: usize) -> Span {
        let rest = &self.bytes[at + 1..];
        let end = rest
            .iter()
            .position(|&b| b == b'"')
            .map_or(self.bytes.len(), |i| at + 1 + i + 1);
        Span::new(self.base + at, self.base + end)
    }

    /// Add a completed node to the innermost collection.
    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                index,
                ..
            }) => {
                let Some((key, key_span)) = key.take() else {
                    return;
                };
                let first = match index {
                    Some(index) => index.get(&key).copied(),
                    None => entries.iter().position(|e| e.key == key),
                };
                if let Some(first) = first {
                    // The YAML reader's finding; the first value is kept.
                    self.errors.push(YamlError {
                        kind: YamlErrorKind::DuplicateKey,
                        message: format!("duplicate key `{key}`"),
                        span: key_span,
                        related: Some(entries[first].key_span),
                    });
                    return;
                }
                if let Some(index) = index {
                    index.insert(key.clone(), entries.len());
                } else if entries.len() + 1 >= INDEX_KEYS_FROM {
                    let mut keys: HashMap<String, usize> = entries
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (e.key.clone(), i))
                        .collect();
                    keys.insert(key.clone(), entries.len());
                    *index = Some(keys);
                }
                entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                });
            }
            None => {}
        }
    }

    /// Close the innermost collection (jiter is past its closing bracket).
    fn close(&mut self) -> Option<Node> {
        let end = self.base + self.jiter.current_index();
        let node = match self.stack.pop()? {
            Frame::Seq { mut items, start } => {
                // As the YAML reader keeps them: no slack (its comment).
                items.shrink_to_fit();
                Node::new(Value::Seq(items), Span::new(start, end))
            }
            Frame::Map {
                mut entries, start, ..
            } => {
                entries.shrink_to_fit();
                Node::new(Value::Map(entries), Span::new(start, end))
            }
        };
        Some(node)
    }
}
