//! YAML (and JSON, which parses as YAML) into a tree that remembers where
//! every node came from, so a JSON pointer found by any later stage maps back
//! to the exact line:col of the offending node. Files are read through
//! [`crate::parse::parse_text`], which gives strict JSON to the faster
//! [`crate::json`] reader: same tree, same spans, same findings.
//!
//! Hostile input is bounded here, once, for every later stage: nesting depth,
//! alias expansion (YAML bombs) and total node count have limits, and a
//! syntax error in one document of a stream does not lose the documents that
//! follow it. Characters YAML does not allow (a NUL byte, other control
//! characters) are reported at their position; the YAML scanner would take
//! a NUL for the end of the input and silently drop everything after it.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::span::{LineIndex, Span};

/// Limits applied while building the tree.
#[derive(Debug, Clone, Copy)]
pub struct YamlLimits {
    /// Deepest allowed nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to one document.
    pub max_alias_nodes: usize,
    /// Most bytes of text (scalars and keys) that alias expansion may add
    /// to one document: a 1 MB scalar aliased 5,000 times is five nodes'
    /// worth of a node budget but 5 GB of memory.
    pub max_alias_bytes: usize,
    /// Most documents read from one stream (empty ones count); the ones
    /// after are not read.
    pub max_documents: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_alias_bytes: 16 * 1024 * 1024,
            max_documents: 100_000,
        }
    }
}

/// One node of a parsed document with its source span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry. Keys are always strings (JSON's model); a non-string
/// scalar key keeps its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// One document of a YAML stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// Position in the stream, counting empty documents, from 0.
    pub index: usize,
    pub root: Node,
    /// Whether the document had any content (comment-only and empty
    /// documents parse as a null root).
    pub is_empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    Syntax,
    DuplicateKey,
    AliasLimit,
    TooDeep,
    ComplexKey,
    /// A character YAML 1.2 does not allow where it stands (§5.1).
    ControlCharacter,
    /// The stream holds more documents than [`YamlLimits::max_documents`].
    TooManyDocuments,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    pub span: Span,
    /// For duplicate keys: where the key was first defined.
    pub related: Option<Span>,
}

#[derive(Debug, Default)]
pub struct ParsedStream {
    pub documents: Vec<Document>,
    pub errors: Vec<YamlError>,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// Follow a JSON pointer (RFC 6901) from this node.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer_tokens(pointer) {
            node = node.child(&token)?;
        }
        Some(node)
    }

    fn child(&self, token: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == token).map(|e| &e.value),
            Value::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// The span to show for the node at `pointer`: the key of the last
    /// mapping member (a finding about `spec.owner` points at `owner:`),
    /// the item for a sequence element, or the deepest existing ancestor
    /// when the pointer leads nowhere.
    pub fn locate(&self, pointer: &str) -> Span {
        let mut node = self;
        let mut span = self.span;
        for token in pointer_tokens(pointer) {
            match &node.value {
                Value::Map(entries) => match entries.iter().find(|e| e.key == token) {
                    Some(entry) => {
                        span = entry.key_span;
                        node = &entry.value;
                    }
                    None => return span,
                },
                Value::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => {
                        span = item.span;
                        node = item;
                    }
                    None => return span,
                },
                _ => return span,
            }
        }
        span
    }

    /// Plain JSON for schema validation and output. Non-finite floats, which
    /// JSON cannot hold, become strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(f.to_string())),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A tree from plain JSON, every node at `span` (for values substituted
    /// in from another file).
    pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|v| Node::from_json(v, span)).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: span,
                        value: Node::from_json(v, span),
                    })
                    .collect(),
            ),
        };
        Node { value, span }
    }

    /// Short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "sequence",
            Value::Map(_) => "mapping",
        }
    }

    /// Give every node of this subtree the same span (used when a node was
    /// substituted in from another file and its own positions mean nothing
    /// in this one).
    pub fn respan(&mut self, span: Span) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.span = span;
            match &mut node.value {
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => {
                    for entry in entries.iter_mut() {
                        entry.key_span = span;
                        stack.push(&mut entry.value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Split a JSON pointer into unescaped tokens (`~1` → `/`, `~0` → `~`).
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// Escape one JSON pointer token.
pub fn escape_pointer_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_pointer_token(&mut out, token);
    out
}

/// Append `token` to `out`, escaped as one JSON pointer token, in one pass
/// (walks that build a pointer for every node call this).
pub fn push_pointer_token(out: &mut String, token: &str) {
    let mut rest = token;
    while let Some(at) = rest.find(['~', '/']) {
        out.push_str(&rest[..at]);
        out.push_str(if rest.as_bytes()[at] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

/// Parse every document of a YAML stream.
pub fn parse_stream(text: &str, limits: YamlLimits) -> ParsedStream {
    let stream = parse_stream_as_written(text, limits);
    // JSON's surrogate-pair escapes, which YAML has no reading of (see
    // `json_escapes`): only tried when the text failed to parse.
    crate::json_escapes::reparse_joined(text, &stream, |joined| {
        parse_stream_as_written(joined, limits)
    })
    .unwrap_or(stream)
}

fn parse_stream_as_written(text: &str, limits: YamlLimits) -> ParsedStream {
    let mut out = ParsedStream::default();
    let (body, mut base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    out.errors.extend(c0_control_errors(body, base));
    let mut remaining = body;
    let mut next_index = 0;
    // A syntax error ends the parser's stream, and so does a C0 control
    // character (the scanner reads a NUL as the end of its input, and no
    // document holding one is YAML). Either way, resume at the next
    // document marker so one broken document does not hide the ones after
    // it.
    loop {
        let control = remaining.find(is_c0_control);
        let visible = &remaining[..control.unwrap_or(remaining.len())];
        let mut builder = Builder::new(visible, base, limits, next_index);
        let (mut documents, mut errors, syntax_error) = builder.run();
        if documents.limit_reached {
            out.documents.extend(documents.kept);
            out.errors.extend(errors);
            // Control characters past the limit are in documents not read.
            if let Some(limit) = out
                .errors
                .iter()
                .find(|e| e.kind == YamlErrorKind::TooManyDocuments)
                .map(|e| e.span.start)
            {
                out.errors
                    .retain(|e| e.kind != YamlErrorKind::ControlCharacter || e.span.start < limit);
            }
            break;
        }
        let resume_at = match (syntax_error, control) {
            (None, None) => {
                out.documents.extend(documents.kept);
                out.errors.extend(errors);
                break;
            }
            (Some((error, broken_doc_start)), control) => {
                let marker = next_document_marker(remaining, broken_doc_start);
                // The document the control character cut short often
                // ends in a syntax error (an unclosed quote): the cut's
                // doing, and already reported as the character.
                let cut_short = control.is_some_and(|c| marker.is_none_or(|m| m > c));
                next_index = documents.next_index + 1;
                match control {
                    Some(control) if cut_short => next_document_marker(remaining, control),
                    _ => {
                        errors.push(error);
                        marker
                    }
                }
            }
            (None, Some(control)) => {
                // The last document is the one holding the character:
                // skipped with its findings, as for a syntax error.
                next_index = documents.next_index;
                match documents.last_kept {
                    Some(true) => {
                        if let Some(dropped) = documents.kept.pop() {
                            errors.retain(|e| {
                                e.kind == YamlErrorKind::ControlCharacter
                                    || e.span.start < dropped.root.span.start
                            });
                        }
                    }
                    // Skipped already (a control outside quotes).
                    Some(false) => {}
                    // The character came before any content: its
                    // document was never started.
                    None => next_index += 1,
                }
                next_document_marker(remaining, control)
            }
        };
        out.documents.extend(documents.kept);
        out.errors.extend(errors);
        let Some(offset) = resume_at else {
            break;
        };
        base += offset;
        remaining = &remaining[offset..];
    }
    out.errors.sort_by_key(|e| e.span.start);
    out
}

/// One piece of a larger document parsed on its own, for
/// [`crate::yaml_chunks`]: the root of `text` as its only document, spans
/// counted from the start of `text`, nested inside `depth` collections of
/// the larger document (they count towards [`YamlLimits::max_depth`]).
/// `None` unless the parse was clean and needed nothing but its own text:
/// any error (syntax, duplicate key, depth, control character), anchors,
/// aliases or tags, or other than exactly one document.
pub(crate) fn parse_fragment(text: &str, limits: YamlLimits, depth: usize) -> Option<Node> {
    if limits.max_documents == 0 || text.contains(is_c0_control) {
        return None;
    }
    let limits = YamlLimits {
        max_depth: limits.max_depth.checked_sub(depth)?,
        ..limits
    };
    let mut builder = Builder::new(text, 0, limits, 0);
    let (documents, errors, syntax_error) = builder.run();
    if builder.used_context
        || !errors.is_empty()
        || syntax_error.is_some()
        || documents.limit_reached
        || documents.kept.len() != 1
        || documents.next_index != 1
    {
        return None;
    }
    documents.kept.into_iter().next().map(|d| d.root)
}

/// C0 control characters other than tab, LF and CR: YAML 1.2 allows them
/// nowhere, not even in quoted scalars (`c-printable`, §5.1), where a value
/// that needs one writes an escape (`"\x07"`).
fn is_c0_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f')
}

/// DEL, the C1 controls but NEL, U+FFFE and U+FFFF: not `c-printable`, but
/// allowed inside quoted scalars for JSON compatibility (§5.1), so only a
/// plain or block scalar holding one is an error.
fn is_quoted_only(c: char) -> bool {
    matches!(
        c,
        '\x7f'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'
    )
}

/// At most this many lines with control characters are reported per file
/// (a binary file would otherwise bury every other finding).
const MAX_CONTROL_LINES: usize = 10;

fn control_name(c: u8) -> String {
    match c {
        0 => "U+0000 (a NUL byte)".into(),
        0x1b => "U+001B (ESC)".into(),
        c => format!("U+{c:04X}"),
    }
}

/// One error per line holding C0 controls, at the first one on that line
/// (`base` is added to every offset).
fn c0_control_errors(text: &str, base: usize) -> Vec<YamlError> {
    let is_c0 = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
    if !text.bytes().any(is_c0) {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    // (offset of the first control on the line, controls on the line)
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut current_line = None;
    // Every C0 control is one byte, never part of a longer UTF-8 sequence.
    let offsets = text.bytes().enumerate().filter(|&(_, b)| is_c0(b));
    for (offset, _) in offsets {
        let line = index.line_of(offset as u32);
        match lines.last_mut() {
            Some(entry) if current_line == Some(line) => entry.1 += 1,
            _ => {
                lines.push((offset, 1));
                current_line = Some(line);
            }
        }
    }
    let not_listed = lines.len().saturating_sub(MAX_CONTROL_LINES);
    let mut errors: Vec<YamlError> = lines
        .into_iter()
        .take(MAX_CONTROL_LINES)
        .map(|(offset, count)| {
            let byte = text.as_bytes()[offset];
            let more = match count {
                1 => String::new(),
                n => format!(" ({} more on this line)", n - 1),
            };
            YamlError {
                kind: YamlErrorKind::ControlCharacter,
                message: format!(
                    "control character {} is not allowed in YAML{more}; the document holding it is skipped",
                    control_name(byte)
                ),
                span: Span::new(base + offset, base + offset + 1),
                related: None,
            }
        })
        .collect();
    if not_listed > 0
        && let Some(last) = errors.last_mut()
    {
        last.message.push_str(&format!(
            "; {not_listed} more lines with control characters are not listed"
        ));
    }
    errors
}

/// Byte offset of the first `---` line after the line holding `from` (the
/// start of the broken document).
fn next_document_marker(text: &str, from: usize) -> Option<usize> {
    let mut offset = text[..from.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    offset += text[offset..].find('\n')? + 1;
    loop {
        let line_end = text[offset..].find('\n').map(|i| offset + i);
        let line = &text[offset..line_end.unwrap_or(text.len())];
        if line == "---" || line.starts_with("--- ") || line.starts_with("---\t") || line == "---\r"
        {
            return Some(offset);
        }
        offset = line_end? + 1;
    }
}

/// The documents one parser run completed.
struct Documents {
    kept: Vec<Document>,
    /// Stream index of the next document (dropped ones count).
    next_index: usize,
    /// Whether the last document seen was kept (`None`: no document).
    last_kept: Option<bool>,
    /// The document limit was reached: nothing after it is read.
    limit_reached: bool,
}

/// Mappings with fewer entries than this find a repeated key by looking
/// at each entry: most mappings are small, and hashing every key cost more.
const SMALL_MAPPING: usize = 8;

/// Where a mapping's keys are, for finding a repeated one: the first
/// entry of each key hash, once the mapping has [`SMALL_MAPPING`] entries.
/// Hashes are seeded at random per process (foldhash), so a document
/// cannot be written to make its keys collide.
#[derive(Default)]
struct KeyIndex {
    first: HashMap<u64, u32, std::hash::BuildHasherDefault<U64Identity>>,
}

/// The hash of an already hashed `u64`: itself.
#[derive(Default)]
struct U64Identity(u64);

impl std::hash::Hasher for U64Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed; any other input still hashes.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    static SEED: std::sync::OnceLock<foldhash::quality::RandomState> = std::sync::OnceLock::new();
    SEED.get_or_init(foldhash::quality::RandomState::default)
        .hash_one(key)
}

impl KeyIndex {
    /// Where `key` is among `entries` already, if it is.
    fn find(&mut self, entries: &[Entry], key: &str) -> Option<Span> {
        if entries.len() < SMALL_MAPPING {
            return entries.iter().find(|e| e.key == key).map(|e| e.key_span);
        }
        if self.first.is_empty() {
            for (i, entry) in entries.iter().enumerate() {
                self.first.entry(key_hash(&entry.key)).or_insert(i as u32);
            }
        }
        match self.first.get(&key_hash(key)) {
            None => None,
            Some(&i) if entries[i as usize].key == key => Some(entries[i as usize].key_span),
            // Two keys with one hash: looked for one by one.
            Some(_) => entries.iter().find(|e| e.key == key).map(|e| e.key_span),
        }
    }

    /// The entry just pushed, at `index`.
    fn add(&mut self, index: usize, key: &str) {
        if !self.first.is_empty() {
            self.first.entry(key_hash(key)).or_insert(index as u32);
        }
    }
}

/// The elements of `scratch` from `from` on, moved into a list of their
/// exact size. (Not `split_off`: from 0 it hands over the whole buffer,
/// spare room and all.)
fn take_from<T>(scratch: &mut Vec<T>, from: usize) -> Vec<T> {
    let mut taken = Vec::with_capacity(scratch.len() - from);
    taken.extend(scratch.drain(from..));
    taken
}

/// An open collection. Its children wait in the builder's `items` or
/// `entries`, from `from` on, and move into a list of their exact size
/// when it ends: one allocation per collection, no growth and no slack
/// (trees are kept for the whole run, so slack would be memory held).
enum Frame {
    Seq {
        from: usize,
        start: usize,
        anchor: usize,
    },
    Map {
        from: usize,
        start: usize,
        anchor: usize,
        pending_key: Option<(String, Span)>,
        seen: KeyIndex,
        /// A complex (non-scalar) key was rejected: drop its value too.
        skip_value: bool,
    },
}

struct Builder<'a> {
    text: &'a str,
    base: usize,
    index: LineIndex,
    limits: YamlLimits,
    first_index: usize,
    /// The current document has a DEL or C1 control outside quotes.
    quoted_only_found: bool,
    /// The last mark converted to an offset: (0-based line, character
    /// column, byte offset in `text`), only when the column was inside the
    /// line (a clamped one would not count characters right).
    cursor: std::cell::Cell<Option<(usize, usize, usize)>>,
    anchors: HashMap<usize, (Node, Weight)>,
    alias_nodes: usize,
    alias_bytes: usize,
    stack: Vec<Frame>,
    /// The children of the open sequences and mappings, innermost last.
    items: Vec<Node>,
    entries: Vec<Entry>,
    /// Depth of a subtree being skipped after an error inside it.
    skipping: usize,
    errors: Vec<YamlError>,
    /// An anchor, alias or tag was seen: the document's meaning may depend
    /// on more than its own text (see [`parse_fragment`]).
    used_context: bool,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, base: usize, limits: YamlLimits, first_index: usize) -> Self {
        Builder {
            text,
            base,
            // Marks count a lone CR as a line break.
            index: LineIndex::with_lone_cr(text),
            limits,
            first_index,
            quoted_only_found: false,
            cursor: std::cell::Cell::new(None),
            anchors: HashMap::new(),
            alias_nodes: 0,
            alias_bytes: 0,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            skipping: 0,
            errors: Vec::new(),
            used_context: false,
        }
    }

    fn offset(&self, mark: &Marker) -> usize {
        // yaml-rust2 counts lines from 1 and columns (in characters) from 0.
        let (line, col) = (mark.line().saturating_sub(1), mark.col());
        let local = match self.offset_from_cursor(line, col) {
            Some(local) => local,
            None => {
                let local = self.index.offset_of(self.text, line, col);
                // A column at or past the line's end is clamped to it; the
                // cursor would count from a wrong column.
                let inside = line < self.index.line_count()
                    && local < self.index.line_range(self.text, line).end;
                if !inside {
                    self.cursor.set(None);
                    return self.base + local;
                }
                local
            }
        };
        self.cursor.set(Some((line, col, local)));
        self.base + local
    }

    /// The byte offset of (`line`, `col`) found by walking from the last
    /// position converted, when it is on the same line and `col` is not
    /// past the line's end. Marks come nearly in order, so this walks the
    /// few characters in between; counting from the line's start each time
    /// made a minified JSON spec (one line of megabytes) quadratic: a 4.5 MB
    /// definition ran for over ten minutes.
    fn offset_from_cursor(&self, line: usize, col: usize) -> Option<usize> {
        let (cursor_line, cursor_col, cursor_byte) = self.cursor.get()?;
        if line != cursor_line {
            return None;
        }
        let range = self.index.line_range(self.text, line);
        if col >= cursor_col {
            let rest = &self.text[cursor_byte..range.end];
            let (i, _) = rest.char_indices().nth(col - cursor_col)?;
            Some(cursor_byte + i)
        } else {
            let before = &self.text[range.start..cursor_byte];
            let (i, _) = before.char_indices().rev().nth(cursor_col - col - 1)?;
            Some(range.start + i)
        }
    }

    /// Parse until the end of the stream or the first syntax error.
    /// Returns the complete documents, the non-fatal errors found in them,
    /// and the syntax error that stopped the parser (with the start of the
    /// broken document), if any.
    fn run(&mut self) -> (Documents, Vec<YamlError>, Option<(YamlError, usize)>) {
        let mut documents = Documents {
            kept: Vec::new(),
            next_index: self.first_index,
            last_kept: None,
            limit_reached: false,
        };
        let mut errors: Vec<YamlError> = Vec::new();
        let mut parser = Parser::new_from_str(self.text);
        let mut root: Option<Node> = None;
        let mut doc_start = self.base;
        loop {
            let (event, mark) = match parser.next_token() {
                Ok(ev) => ev,
                Err(err) => {
                    let at = self.offset(err.marker());
                    // Errors inside the partial document are dropped with
                    // it, except the ones saying why it may be dropped.
                    errors.extend(self.take_control_errors());
                    let syntax_error = YamlError {
                        kind: YamlErrorKind::Syntax,
                        message: format!("invalid YAML: {}", err.info()),
                        span: Span::new(at, self.line_end(at)),
                        related: None,
                    };
                    return (
                        documents,
                        errors,
                        Some((syntax_error, doc_start - self.base)),
                    );
                }
            };
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    doc_start = self.offset(&mark);
                    if documents.next_index >= self.limits.max_documents {
                        // Reported at the first document not read; the
                        // parser is not run over the rest of the stream.
                        errors.push(YamlError {
                            kind: YamlErrorKind::TooManyDocuments,
                            message: format!(
                                "the file holds more than {} documents; this one and the ones after it are not read",
                                self.limits.max_documents
                            ),
                            span: Span::new(doc_start, self.line_end(doc_start)),
                            related: None,
                        });
                        documents.limit_reached = true;
                        return (documents, errors, None);
                    }
                    root = None;
                    self.anchors.clear();
                    self.alias_nodes = 0;
                    self.alias_bytes = 0;
                    self.quoted_only_found = false;
                }
                Event::DocumentEnd => {
                    let end = self.offset(&mark).max(doc_start);
                    let index = documents.next_index;
                    documents.next_index += 1;
                    documents.last_kept = Some(!self.quoted_only_found);
                    if self.quoted_only_found {
                        // Not YAML: skipped like a document with a syntax
                        // error, and reported.
                        root = None;
                        errors.extend(self.take_control_errors());
                        continue;
                    }
                    let is_empty = root.as_ref().is_none_or(|r| r.value == Value::Null);
                    let root = root
                        .take()
                        .unwrap_or_else(|| Node::new(Value::Null, Span::new(doc_start, end)));
                    documents.kept.push(Document {
                        index,
                        root,
                        is_empty,
                    });
                    errors.append(&mut self.errors);
                }
                other => {
                    if let Some(node) = self.event(other, &mark) {
                        root = Some(node);
                    }
                }
            }
        }
        (documents, errors, None)
    }

    /// The current document's control-character errors; its other errors
    /// are dropped.
    fn take_control_errors(&mut self) -> Vec<YamlError> {
        let mut errors = std::mem::take(&mut self.errors);
        errors.retain(|e| e.kind == YamlErrorKind::ControlCharacter);
        errors
    }

    /// A DEL or C1 control in a plain or block scalar (the key or value
    /// starting at `at`): an error at the character.
    fn check_unquoted(&mut self, at: usize, value: &str, style: TScalarStyle) {
        if matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        ) || !value.chars().any(is_quoted_only)
        {
            return;
        }
        // The scalar's text starts at `at` and holds the character, so its
        // first occurrence from there is the one.
        let local = (at - self.base).min(self.text.len());
        let Some((i, c)) = self.text[local..]
            .char_indices()
            .find(|&(_, c)| is_quoted_only(c))
        else {
            return;
        };
        self.quoted_only_found = true;
        let offset = at + i;
        self.errors.push(YamlError {
            kind: YamlErrorKind::ControlCharacter,
            message: format!(
                "control character U+{:04X} is allowed in YAML only inside quoted strings; the document holding it is skipped",
                u32::from(c)
            ),
            span: Span::new(offset, offset + c.len_utf8()),
            related: None,
        });
    }

    fn line_end(&self, at: usize) -> usize {
        let local = at.saturating_sub(self.base).min(self.text.len());
        let line = self.index.line_of(local as u32);
        let range = self.index.line_range(self.text, line);
        self.base + range.end.max(local)
    }

    /// Feed one node event; returns the document root when it completes.
    fn event(&mut self, event: Event, mark: &Marker) -> Option<Node> {
        let at = self.offset(mark);
        if self.skipping > 0 {
            match event {
                Event::SequenceStart(..) | Event::MappingStart(..) => self.skipping += 1,
                Event::SequenceEnd | Event::MappingEnd => {
                    self.skipping -= 1;
                    if self.skipping == 0 {
                        return self.complete(Node::new(Value::Null, Span::at(at)), 0);
                    }
                }
                _ => {}
            }
            return None;
        }
        self.used_context |= match &event {
            Event::Scalar(_, _, anchor, tag) => *anchor != 0 || tag.is_some(),
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                *anchor != 0 || tag.is_some()
            }
            Event::Alias(_) => true,
            _ => false,
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.check_unquoted(at, &text, style);
                let span = self.scalar_span(at, &text, style);
                let value = resolve_scalar(text, style, tag.as_ref());
                self.complete(Node::new(value, span), anchor)
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some((node, weight)) => {
                        let over = |nodes: usize, bytes: usize| {
                            nodes > self.limits.max_alias_nodes
                                || bytes > self.limits.max_alias_bytes
                        };
                        let already_over = over(self.alias_nodes, self.alias_bytes);
                        self.alias_nodes = self.alias_nodes.saturating_add(weight.nodes);
                        self.alias_bytes = self.alias_bytes.saturating_add(weight.bytes);
                        if over(self.alias_nodes, self.alias_bytes) {
                            // One finding per document, at the first alias
                            // over the limit.
                            if !already_over {
                                let message = if self.alias_nodes > self.limits.max_alias_nodes {
                                    format!(
                                        "alias expansion exceeds {} nodes (a \"YAML bomb\"?)",
                                        self.limits.max_alias_nodes
                                    )
                                } else {
                                    format!(
                                        "alias expansion exceeds {} of text (a \"YAML bomb\"?); raise `max_expanded_size` under `[limits]` in portolan.toml if this file is genuine",
                                        crate::source::human_bytes(
                                            self.limits.max_alias_bytes as u64
                                        )
                                    )
                                };
                                self.errors.push(YamlError {
                                    kind: YamlErrorKind::AliasLimit,
                                    message,
                                    span: self.char_span(at),
                                    related: None,
                                });
                            }
                            Node::new(Value::Null, self.char_span(at))
                        } else {
                            let mut node = node.clone();
                            node.respan(Span::new(at, self.token_end(at)));
                            node
                        }
                    }
                    None => Node::new(Value::Null, self.char_span(at)),
                };
                self.complete(node, 0)
            }
            Event::SequenceStart(anchor, _) => {
                if self.too_deep(at) {
                    return None;
                }
                self.stack.push(Frame::Seq {
                    from: self.items.len(),
                    start: at,
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                if self.too_deep(at) {
                    return None;
                }
                self.stack.push(Frame::Map {
                    from: self.entries.len(),
                    start: at,
                    anchor,
                    pending_key: None,
                    seen: KeyIndex::default(),
                    skip_value: false,
                });
                None
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    from,
                    start,
                    anchor,
                }) => {
                    let items = take_from(&mut self.items, from);
                    let end = self.container_end(start, at, items.last().map(|n| n.span.end));
                    self.complete(Node::new(Value::Seq(items), Span::new(start, end)), anchor)
                }
                _ => None,
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    from,
                    start,
                    anchor,
                    ..
                }) => {
                    let entries = take_from(&mut self.entries, from);
                    let end =
                        self.container_end(start, at, entries.last().map(|e| e.value.span.end));
                    // A block mapping's start event can come after its
                    // first key; the mapping starts where that key does.
                    let start = entries
                        .first()
                        .map_or(start, |e| start.min(e.key_span.start as usize));
                    self.complete(
                        Node::new(Value::Map(entries), Span::new(start, end)),
                        anchor,
                    )
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Block collections end where the next token starts, often lines later;
    /// the last child's end is the better end for highlighting.
    fn container_end(&self, start: usize, end_mark: usize, last_child: Option<u32>) -> usize {
        let flow_end = self.text.as_bytes().get(end_mark.wrapping_sub(self.base));
        match (flow_end, last_child) {
            (Some(b']') | Some(b'}'), _) => end_mark + 1,
            (_, Some(child_end)) => child_end as usize,
            _ => end_mark.max(start),
        }
    }

    fn too_deep(&mut self, at: usize) -> bool {
        if self.stack.len() < self.limits.max_depth {
            return false;
        }
        self.errors.push(YamlError {
            kind: YamlErrorKind::TooDeep,
            message: format!(
                "nesting is deeper than {} levels; the nested part is ignored",
                self.limits.max_depth
            ),
            span: self.char_span(at),
            related: None,
        });
        self.skipping = 1;
        true
    }

    /// The span of the character at `at` (a multi-byte character whole;
    /// empty at the end of the text).
    fn char_span(&self, at: usize) -> Span {
        let local = at.saturating_sub(self.base);
        let len = self
            .text
            .get(local..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn token_end(&self, at: usize) -> usize {
        let local = at - self.base;
        let rest = &self.text[local.min(self.text.len())..];
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
            .unwrap_or(rest.len());
        at + len.max(1).min(rest.len().max(1))
    }

    fn scalar_span(&self, at: usize, value: &str, style: TScalarStyle) -> Span {
        let local = (at - self.base).min(self.text.len());
        let line_end = self.line_end(at);
        let rest = &self.text[local..];
        let end = match style {
            TScalarStyle::Plain if rest.starts_with(value) && !value.is_empty() => at + value.len(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = if style == TScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                // Find the closing quote on the same line (escaped quotes
                // make this approximate, which is fine for highlighting).
                let opening = rest.chars().next().map_or(0, char::len_utf8);
                rest[opening..]
                    .find(quote)
                    .map(|i| at + opening + i + 1)
                    .filter(|&e| e <= line_end)
                    .unwrap_or(line_end)
            }
            _ => line_end,
        };
        Span::new(at, end.max(at))
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Option<Node> {
        if anchor != 0 {
            let weight = weigh(&node);
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        match self.stack.last_mut() {
            None => Some(node),
            Some(Frame::Seq { .. }) => {
                self.items.push(node);
                None
            }
            Some(Frame::Map {
                from,
                pending_key,
                seen,
                skip_value,
                ..
            }) => {
                if *skip_value {
                    *skip_value = false;
                    return None;
                }
                match pending_key.take() {
                    None => {
                        let span = node.span;
                        let key = match node.value {
                            Value::String(s) => Some(s),
                            Value::Null => Some(String::new()),
                            Value::Bool(b) => Some(b.to_string()),
                            Value::Int(i) => Some(i.to_string()),
                            Value::Float(f) => Some(f.to_string()),
                            Value::Seq(_) | Value::Map(_) => None,
                        };
                        match key {
                            Some(key) => *pending_key = Some((key, span)),
                            None => {
                                *skip_value = true;
                                self.errors.push(YamlError {
                                    kind: YamlErrorKind::ComplexKey,
                                    message:
                                        "a mapping key must be a scalar; this entry is ignored"
                                            .into(),
                                    span,
                                    related: None,
                                });
                            }
                        }
                    }
                    Some((key, key_span)) => {
                        if let Some(first) = seen.find(&self.entries[*from..], &key) {
                            self.errors.push(YamlError {
                                kind: YamlErrorKind::DuplicateKey,
                                message: format!("duplicate key `{key}`"),
                                span: key_span,
                                related: Some(first),
                            });
                        } else {
                            seen.add(self.entries.len() - *from, &key);
                            self.entries.push(Entry {
                                key,
                                key_span,
                                value: node,
                            });
                        }
                    }
                }
                None
            }
        }
    }
}

/// What copying a node costs: its nodes, and the bytes of its text
/// (scalars and keys).
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

fn weigh(node: &Node) -> Weight {
    let mut weight = Weight::default();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        weight.nodes += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for entry in entries {
                    weight.bytes += entry.key.len();
                    stack.push(&entry.value);
                }
            }
            Value::String(text) => weight.bytes += text.len(),
            _ => {}
        }
    }
    weight
}

#[cfg(test)]
fn count_nodes(node: &Node) -> usize {
    weigh(node).nodes
}

/// Resolve a scalar by the YAML 1.2 core schema (what Backstage's `yaml`
/// package uses): `yes`/`no`/`on`/`off` and timestamps stay strings.
fn resolve_scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag
        && (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
    {
        match tag.suffix.as_str() {
            "str" => return Value::String(text),
            "null" => return Value::Null,
            "bool" | "int" | "float" => {
                return resolve_plain(&text).unwrap_or(Value::String(text));
            }
            _ => {}
        }
    }
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    resolve_plain(&text).unwrap_or(Value::String(text))
}

/// Whether `text`, written as a plain (unquoted) scalar, reads back as a
/// string under the core schema this reader uses: `0o17`, `.5`, `~` and
/// `True` do not. What writes YAML quotes the others.
pub fn plain_reads_as_string(text: &str) -> bool {
    resolve_plain(text).is_none()
}

pub(crate) fn resolve_plain(text: &str) -> Option<Value> {
    // Most plain scalars are words: only these can start a null, a
    // boolean or a number, so the rest are known without scanning them.
    if let Some(first) = text.as_bytes().first()
        && !(first.is_ascii_digit() || b"~.+-nNtTfF".contains(first))
    {
        return None;
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let bytes = text.as_bytes();
    if let Some(octal) = text.strip_prefix("0o")
        && !octal.is_empty()
        && octal.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return i64::from_str_radix(octal, 8).ok().map(Value::Int);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return i64::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    let digits = match bytes.first() {
        Some(b'-') | Some(b'+') => &text[1..],
        _ => text,
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(text.parse::<f64>().ok()?),
        });
    }
    if is_core_float(digits) {
        return text.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without the sign.
fn is_core_float(s: &str) -> bool {
    if !matches!(s.as_bytes().first(), Some(b'0'..=b'9' | b'.')) {
        return false;
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && (!int.is_empty() || !frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedStream {
        parse_stream(text, YamlLimits::default())
    }

    fn with_max_documents(max_documents: usize) -> YamlLimits {
        YamlLimits {
            max_documents,
            ..YamlLimits::default()
        }
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        let cases: &[(&str, Option<Value>)] = &[
            ("", Some(Value::Null)),
            ("~", Some(Value::Null)),
            ("Null", Some(Value::Null)),
            ("TRUE", Some(Value::Bool(true))),
            ("false", Some(Value::Bool(false))),
            ("12", Some(Value::Int(12))),
            ("-7", Some(Value::Int(-7))),
            ("+3", Some(Value::Int(3))),
            ("0o17", Some(Value::Int(15))),
            ("0x1F", Some(Value::Int(31))),
            ("1.5", Some(Value::Float(1.5))),
            (".5", Some(Value::Float(0.5))),
            ("-.5", Some(Value::Float(-0.5))),
            ("1e3", Some(Value::Float(1000.0))),
            ("2.5E-1", Some(Value::Float(0.25))),
            ("-.inf", Some(Value::Float(f64::NEG_INFINITY))),
            ("e5", None),
            (".e", None),
            ("1.2.3", None),
            ("nope", None),
            ("type", None),
            ("fals", None),
            ("object", None),
            ("+", None),
            ("0x", None),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text), expected, "{text:?}");
        }
    }

    #[test]
    fn pointer_tokens_escape_and_read_back() {
        for token in [
            "",
            "plain",
            "/v1/charges",
            "a~b",
            "~1",
            "/~/",
            "~~//",
            "é/ü~",
        ] {
            let escaped = escape_pointer_token(token);
            assert_eq!(escaped, token.replace('~', "~0").replace('/', "~1"));
            let read: Vec<String> = pointer_tokens(&format!("/{escaped}")).collect();
            assert_eq!(read, [token]);
        }
        let mut out = String::from("/paths/");
        push_pointer_token(&mut out, "/pets/{id}");
        assert_eq!(out, "/paths/~1pets~1{id}");
    }

    #[test]
    fn documents_up_to_the_limit_are_read() {
        let text = "a: 1\n---\nb: 2\n---\n# only a comment\n";
        let stream = parse_stream(text, with_max_documents(3));
        assert_eq!(stream.documents.len(), 3);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    }

    #[test]
    fn documents_past_the_limit_are_one_error_at_the_first_not_read() {
        let text = "a: 1\n---\nb: 2\n--- # third\nc: 3\n---\nd: 4\n";
        let stream = parse_stream(text, with_max_documents(2));
        let kept: Vec<usize> = stream.documents.iter().map(|d| d.index).collect();
        assert_eq!(kept, [0, 1]);
        assert_eq!(stream.errors.len(), 1, "{:?}", stream.errors);
        let error = &stream.errors[0];
        assert_eq!(error.kind, YamlErrorKind::TooManyDocuments);
        assert_eq!(
            error.message,
            "the file holds more than 2 documents; this one and the ones after it are not read"
        );
        assert_eq!(&text[error.span.range()], "--- # third");
    }

    /// Documents dropped for a syntax error count: the limit is on the
    /// stream, and later documents are still not read.
    #[test]
    fn broken_documents_count_towards_the_limit() {
        let text = "a: [1\n---\nb: 2\n---\nc: 3\n";
        let stream = parse_stream(text, with_max_documents(2));
        let kept: Vec<usize> = stream.documents.iter().map(|d| d.index).collect();
        assert_eq!(kept, [1]);
        let kinds: Vec<YamlErrorKind> = stream.errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [YamlErrorKind::Syntax, YamlErrorKind::TooManyDocuments]
        );
        let last = stream.errors.last().unwrap();
        assert_eq!(&text[last.span.range()], "---");
        assert_eq!(last.span.start as usize, text.rfind("---").unwrap());
    }

    /// The issue's 100,000-documents-in-one-file shape is within the
    /// default limit, and one more document is not.
    #[test]
    fn the_default_limit_allows_100000_documents() {
        let text = "a: 1\n---\n".repeat(99_999) + "a: 1\n";
        let stream = parse(&text);
        assert_eq!(stream.documents.len(), 100_000);
        assert!(stream.errors.is_empty());
        let stream = parse(&format!("{text}---\na: 1\n"));
        assert_eq!(stream.documents.len(), 100_000);
        assert_eq!(stream.errors.len(), 1);
        assert_eq!(stream.errors[0].kind, YamlErrorKind::TooManyDocuments);
    }

    fn text_at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    /// Found by the `yaml_spans` fuzz target: the "too deep" error spanned
    /// one byte from where the collection started, which cut a multi-byte
    /// character in two.
    #[test]
    fn regression_limit_errors_span_whole_characters() {
        let text = "[[[[]:\u{fffd}]:]:]:";
        let limits = YamlLimits {
            max_depth: 6,
            ..YamlLimits::default()
        };
        let stream = parse_stream(text, limits);
        assert!(!stream.errors.is_empty());
        for error in &stream.errors {
            assert!(text.get(error.span.range()).is_some(), "{error:?}");
        }
    }

    /// Found by the `yaml_spans` and `json_load` fuzz targets: YAML
    /// breaks lines at a lone CR too (§5.4), the scanner counted those
    /// lines and the line index did not, so marks after one mapped to
    /// wrong offsets: a key span past the end of the text (`\r&k\n*k :`),
    /// and a slice inside a character (`\r\t"\n}ƞ"`).
    #[test]
    fn regression_lone_carriage_returns_break_lines() {
        let text = "\r&k\n*k :";
        let stream = parse(text);
        for error in &stream.errors {
            assert!(error.span.range().end <= text.len(), "{error:?}");
        }
        let text = "a: 1\rb: xé\rc: 'd'\n";
        let stream = parse(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        assert_eq!(text_at(text, root.pointer("/b").unwrap().span), "xé");
        assert_eq!(text_at(text, root.locate("/c")), "c");
        assert_eq!(text_at(text, root.pointer("/c").unwrap().span), "'d'");
        // Must not panic.
        parse("\r\t\"\n}ƞ\"");
    }

    #[test]
    fn pointers_map_back_to_keys_and_values() {
        let text = "apiVersion: v1\nkind: Component\nspec:\n  owner: team-a\n  tags: [a, 'b']\n";
        let stream = parse(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        assert_eq!(text_at(text, root.locate("/spec/owner")), "owner");
        assert_eq!(
            text_at(text, root.pointer("/spec/owner").unwrap().span),
            "team-a"
        );
        assert_eq!(text_at(text, root.locate("/spec/tags/1")), "'b'");
        // A missing member points at the deepest existing ancestor's key.
        assert_eq!(text_at(text, root.locate("/spec/lifecycle")), "spec");
    }

    #[test]
    fn positions_after_multibyte_characters_are_byte_offsets() {
        let text = "description: \"größe\"\nname: x\n";
        let root = &parse(text).documents[0].root;
        assert_eq!(text_at(text, root.pointer("/name").unwrap().span), "x");
    }

    #[test]
    fn multi_document_streams_count_empty_documents() {
        let text = "---\na: 1\n---\n---\n# only a comment\n...\n---\nb: 2\n";
        let stream = parse(text);
        let docs: Vec<(usize, bool)> = stream
            .documents
            .iter()
            .map(|d| (d.index, d.is_empty))
            .collect();
        assert_eq!(docs, vec![(0, false), (1, true), (2, true), (3, false)]);
    }

    #[test]
    fn comment_only_file_has_no_content() {
        let stream = parse("# nothing here\n");
        assert!(stream.errors.is_empty());
        assert!(stream.documents.iter().all(|d| d.is_empty));
    }

    #[test]
    fn duplicate_keys_keep_the_first_and_point_at_both() {
        let text = "a: 1\nb: 2\na: 3\n";
        let stream = parse(text);
        assert_eq!(stream.errors.len(), 1);
        let err = &stream.errors[0];
        assert_eq!(err.kind, YamlErrorKind::DuplicateKey);
        assert_eq!(err.span.start as usize, text.rfind("a:").unwrap());
        assert_eq!(err.related.map(|s| s.start), Some(0));
        assert_eq!(
            stream.documents[0].root.pointer("/a").unwrap().value,
            Value::Int(1)
        );
    }

    /// Large mappings find repeated keys through their key index, small
    /// ones entry by entry: the same findings either way, also for keys
    /// written differently that read the same (`1` and `'1'`).
    #[test]
    fn duplicate_keys_are_found_in_mappings_of_every_size() {
        for size in [2, SMALL_MAPPING - 1, SMALL_MAPPING, SMALL_MAPPING + 1, 40] {
            let mut text: String = (0..size).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("k1: again\n");
            text.push_str("1: one\n'1': quoted\n");
            text.push_str("k0: again\n");
            let stream = parse(&text);
            let found: Vec<(YamlErrorKind, u32, Option<u32>)> = stream
                .errors
                .iter()
                .map(|e| (e.kind, e.span.start, e.related.map(|r| r.start)))
                .collect();
            let at = |needle: &str| text.find(needle).unwrap() as u32;
            let last = |needle: &str| text.rfind(needle).unwrap() as u32;
            assert_eq!(
                found,
                vec![
                    (YamlErrorKind::DuplicateKey, last("k1:"), Some(at("k1:"))),
                    (
                        YamlErrorKind::DuplicateKey,
                        last("'1'"),
                        Some(at("\n1:") + 1)
                    ),
                    (YamlErrorKind::DuplicateKey, last("k0:"), Some(0)),
                ],
                "{size} entries"
            );
            let root = &stream.documents[0].root;
            assert_eq!(root.as_map().unwrap().len(), size + 1, "{size} entries");
            assert_eq!(root.pointer("/k1").unwrap().value, Value::Int(1));
        }
    }

    #[test]
    fn a_syntax_error_keeps_later_documents() {
        let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
        let stream = parse(text);
        assert_eq!(stream.errors.len(), 1);
        assert_eq!(stream.errors[0].kind, YamlErrorKind::Syntax);
        let keys: Vec<String> = stream
            .documents
            .iter()
            .filter_map(|d| d.root.as_map().map(|m| m[0].key.clone()))
            .collect();
        assert_eq!(keys, vec!["a", "c"]);
        let c = stream.documents.last().unwrap();
        assert_eq!(c.index, 2);
        assert_eq!(text_at(text, c.root.locate("/c")), "c");
    }

    #[test]
    fn tabs_in_indentation_are_a_syntax_error() {
        let stream = parse("a:\n\tb: 1\n");
        assert_eq!(stream.errors.len(), 1);
        assert_eq!(stream.errors[0].kind, YamlErrorKind::Syntax);
    }

    /// Issue 16: a 1 MB scalar referenced by 5,000 aliases is 5,000 nodes,
    /// well under the node budget, and 5 GB of text: the process aborted at
    /// its memory cap. The text an alias adds is counted too.
    #[test]
    fn aliases_of_a_large_scalar_are_bounded_by_their_text() {
        let mut text = format!("big: &big '{}'\nlist:\n", "x".repeat(1024 * 1024));
        for _ in 0..5_000 {
            text.push_str("  - *big\n");
        }
        text.push_str("after: kept\n");
        let stream = parse(&text);
        let error = stream
            .errors
            .iter()
            .find(|e| e.kind == YamlErrorKind::AliasLimit)
            .expect("an alias-limit finding");
        assert!(error.message.contains("16.0 MiB"), "{}", error.message);
        // At the first alias past the budget: the 17th list item.
        let start = error.span.start as usize;
        assert_eq!(&text[start..start + 4], "*big");
        let weight = weigh(&stream.documents[0].root);
        assert!(weight.bytes <= 2 * YamlLimits::default().max_alias_bytes);
        let root = &stream.documents[0].root;
        assert!(
            root.get("after").is_some(),
            "the rest of the document is read"
        );
    }

    #[test]
    fn yaml_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let stream = parse(&text);
        assert!(
            stream
                .errors
                .iter()
                .any(|e| e.kind == YamlErrorKind::AliasLimit)
        );
        assert!(count_nodes(&stream.documents[0].root) < 2 * YamlLimits::default().max_alias_nodes);
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let depth = 1000;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let stream = parse(&text);
        // Either the parser's own limit or ours: an error, never a crash.
        assert!(!stream.errors.is_empty());
        let block: String = (0..depth)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let stream = parse(&block);
        assert!(
            stream
                .errors
                .iter()
                .any(|e| e.kind == YamlErrorKind::TooDeep)
        );
    }

    #[test]
    fn scalars_follow_the_yaml_1_2_core_schema() {
        let text =
            "a: yes\nb: true\nc: 012\nd: 0x1f\ne: 1.5e3\nf: ~\ng: '1'\nh: 2001-12-14\ni: .inf\n";
        let root = parse(text).documents.remove(0).root;
        let json = root.to_json();
        assert_eq!(json["a"], "yes");
        assert_eq!(json["b"], true);
        assert_eq!(json["c"], 12);
        assert_eq!(json["d"], 31);
        assert_eq!(json["e"], 1500.0);
        assert!(json["f"].is_null());
        assert_eq!(json["g"], "1");
        assert_eq!(json["h"], "2001-12-14");
        assert_eq!(json["i"], "inf");
    }

    #[test]
    fn json_parses_with_positions() {
        let text = "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\"/a\": {}}\n}\n";
        let stream = parse(text);
        assert!(stream.errors.is_empty());
        let root = &stream.documents[0].root;
        assert_eq!(text_at(text, root.locate("/paths/~1a")), "\"/a\"");
    }
}

#[cfg(test)]
mod regression {
    use super::*;

    /// yaml-rust2 reports a block mapping's start after its first key, so a
    /// finding on that key fell outside its document's span (broke the
    /// Backstage verdict test on a document with `apiVersion:` first).
    #[test]
    fn block_mapping_span_starts_at_its_first_key() {
        let text = "# comment\napiVersion: \nkind: System\n";
        let root = &parse_stream(text, YamlLimits::default()).documents[0].root;
        assert_eq!(root.span.start as usize, text.find("apiVersion").unwrap());
    }
}

#[cfg(test)]
mod control_characters {
    use super::*;

    fn parse(text: &str) -> ParsedStream {
        parse_stream(text, YamlLimits::default())
    }

    fn names(stream: &ParsedStream) -> Vec<(usize, String)> {
        stream
            .documents
            .iter()
            .map(|d| {
                let name = d.root.get("name").and_then(Node::as_str).unwrap_or("");
                (d.index, name.to_string())
            })
            .collect()
    }

    fn control_errors(stream: &ParsedStream) -> Vec<(u32, &str)> {
        stream
            .errors
            .iter()
            .map(|e| {
                assert_eq!(e.kind, YamlErrorKind::ControlCharacter, "{e:?}");
                (e.span.start, e.message.as_str())
            })
            .collect()
    }

    /// yaml-rust2 reads `'\0'` as the end of its input: before the fix,
    /// `c` and every later document were silently gone.
    #[test]
    fn nul_skips_its_document_and_not_the_ones_after_it() {
        let text = "name: a\n---\nname: b\nx: y\0z\n---\nname: c\n";
        let stream = parse(text);
        assert_eq!(names(&stream), [(0, "a".into()), (2, "c".into())]);
        let errors = control_errors(&stream);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0 as usize, text.find('\0').unwrap());
        assert!(
            errors[0].1.contains("U+0000 (a NUL byte)"),
            "{}",
            errors[0].1
        );
    }

    #[test]
    fn nul_at_the_start_is_reported() {
        let stream = parse("\0name: a\n---\nname: b\n");
        assert_eq!(names(&stream), [(1, "b".into())]);
        assert_eq!(control_errors(&stream)[0].0, 0);
        // With a byte-order mark, offsets still count from the file's start.
        let stream = parse("\u{feff}\0name: a\n");
        assert!(stream.documents.is_empty());
        assert_eq!(control_errors(&stream)[0].0, 3);
    }

    /// Cut at the NUL, the quoted string is unclosed; that syntax error is
    /// the cut's, not the user's, and is not reported.
    #[test]
    fn nul_in_a_quoted_string_gives_no_second_finding() {
        let text = "name: a\n---\nname: \"b\0\"\n---\nname: c\n";
        let stream = parse(text);
        assert_eq!(names(&stream), [(0, "a".into()), (2, "c".into())]);
        assert_eq!(control_errors(&stream).len(), 1);
    }

    #[test]
    fn real_syntax_errors_around_controls_are_still_reported() {
        let text = "name: [a\n---\nname: b\n---\nname: \x07c\n---\nname: d\n";
        let stream = parse(text);
        assert_eq!(names(&stream), [(1, "b".into()), (3, "d".into())]);
        let kinds: Vec<YamlErrorKind> = stream.errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [YamlErrorKind::Syntax, YamlErrorKind::ControlCharacter]
        );
        assert_eq!(
            stream.errors[1].span.start as usize,
            text.find('\x07').unwrap()
        );
    }

    #[test]
    fn c0_controls_are_not_allowed_even_in_quoted_strings() {
        for c in ['\x01', '\x07', '\x0b', '\x0c', '\x1b', '\x1f'] {
            let text = format!("name: \"a{c}b\"\n");
            let stream = parse(&text);
            assert!(stream.documents.is_empty(), "{c:?}");
            assert_eq!(control_errors(&stream)[0].0, 8, "{c:?}");
        }
        // Tab, LF and CR are YAML's own.
        let stream = parse("name: \"a\tb\"\r\nx: 1\n");
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    }

    #[test]
    fn del_and_c1_are_allowed_only_inside_quotes() {
        let quoted = parse("name: \"a\x7fb\u{9b}c\"\nother: 'd\u{80}'\n");
        assert!(quoted.errors.is_empty(), "{:?}", quoted.errors);
        assert_eq!(
            quoted.documents[0].root.get("name").and_then(Node::as_str),
            Some("a\x7fb\u{9b}c")
        );
        let text = "name: a\n---\nname: b\x7fc\n---\ntext: |\n  line\n  x\u{9b}2J\n---\nname: d\n";
        let stream = parse(text);
        assert_eq!(names(&stream), [(0, "a".into()), (3, "d".into())]);
        let errors = control_errors(&stream);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0 as usize, text.find('\x7f').unwrap());
        assert!(errors[0].1.contains("U+007F"), "{}", errors[0].1);
        assert_eq!(errors[1].0 as usize, text.find('\u{9b}').unwrap());
        // NEL is printable in YAML 1.2.
        assert!(parse("name: a\u{85}b\n").errors.is_empty());
    }

    /// A document already skipped for a DEL is not confused with the one
    /// before it when a NUL follows.
    #[test]
    fn a_nul_after_a_skipped_document_keeps_the_earlier_ones() {
        let stream = parse("name: a\n---\nname: b\x7f\n---\nname: c\0\n");
        assert_eq!(names(&stream), [(0, "a".into())]);
        assert_eq!(control_errors(&stream).len(), 2);
    }

    #[test]
    fn one_finding_per_line_and_at_most_ten_lines() {
        let stream = parse("name: \x01\x02\x03\n");
        let errors = control_errors(&stream);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].1.contains("(2 more on this line)"),
            "{}",
            errors[0].1
        );
        let binary: String = (0..25).map(|i| format!("k{i}: \0\n")).collect();
        let errors = parse(&binary).errors;
        assert_eq!(errors.len(), 10);
        assert!(
            errors[9]
                .message
                .ends_with("15 more lines with control characters are not listed"),
            "{}",
            errors[9].message
        );
    }
}

#[cfg(test)]
mod long_lines {
    use super::*;

    /// Every event's position was found by counting characters from the
    /// start of its line, so a minified JSON document (one line) took time
    /// quadratic in its length: a 4.5 MB OpenAPI definition kept `check`
    /// busy for over ten minutes. Positions on a long line must still be
    /// exact. How the time grows with the line's length is measured, not
    /// asserted here (a wall-clock bound fails on a busy machine): the
    /// `long-scalar` and `flow-map` rows of `scripts/stress-catalog.py` and
    /// the `minified` row of `scripts/stress-apis.py`, in BENCHMARKS.md.
    #[test]
    fn a_long_single_line_document_keeps_exact_positions() {
        let items: Vec<String> = (0..60_000)
            .map(|i| format!("\"k{i}\": {{\"v\": [{i}, \"é{i}\"]}}"))
            .collect();
        let text = format!("{{{}}}", items.join(", "));
        assert!(text.len() > 1_500_000);
        let stream = parse_stream(&text, YamlLimits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        // Positions are exact, multi-byte characters included.
        let last = root.pointer("/k59999/v/1").unwrap();
        assert_eq!(&text[last.span.range()], "\"é59999\"");
        let key = root.locate("/k30000");
        assert_eq!(&text[key.range()], "\"k30000\"");
    }

    #[test]
    fn positions_are_exact_when_marks_go_back_on_a_line() {
        // A block mapping's start event comes after its first key, so the
        // cursor walks backwards; flow and block content mix on lines.
        let text = "k: v\nmap:\n  x: [1, {y: z}]\n  w: \"é\"\n";
        let stream = parse_stream(text, YamlLimits::default());
        let root = &stream.documents[0].root;
        assert_eq!(root.span.start, 0);
        assert_eq!(&text[root.locate("/map/x/1/y").range()], "y");
        assert_eq!(&text[root.pointer("/map/x/1/y").unwrap().span.range()], "z");
        assert_eq!(&text[root.pointer("/map/w").unwrap().span.range()], "\"é\"");
    }
}
