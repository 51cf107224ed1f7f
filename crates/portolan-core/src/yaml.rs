//! YAML (and JSON, which parses as YAML) into a tree that remembers where
//! every node came from, so a JSON pointer found by any later stage maps back
//! to the exact line:col of the offending node.
//!
//! Hostile input is bounded here, once, for every later stage: nesting depth,
//! alias expansion (YAML bombs) and total node count have limits, and a
//! syntax error in one document of a stream does not lose the documents that
//! follow it.

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
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 128,
            max_alias_nodes: 100_000,
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
    token.replace('~', "~0").replace('/', "~1")
}

/// Parse every document of a YAML stream.
pub fn parse_stream(text: &str, limits: YamlLimits) -> ParsedStream {
    let mut out = ParsedStream::default();
    let (body, mut base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    let mut remaining = body;
    let mut next_index = 0;
    // A syntax error ends the parser's stream; resume at the next document
    // marker so one broken document does not hide the ones after it.
    loop {
        let builder = Builder::new(remaining, base, limits, next_index);
        let (documents, errors, error) = builder.run();
        next_index += documents.len();
        out.documents.extend(documents);
        out.errors.extend(errors);
        let Some((error, broken_doc_start)) = error else {
            break;
        };
        out.errors.push(error);
        next_index += 1;
        match next_document_marker(remaining, broken_doc_start) {
            Some(offset) => {
                base += offset;
                remaining = &remaining[offset..];
            }
            None => break,
        }
    }
    out
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

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        start: usize,
        anchor: usize,
        pending_key: Option<(String, Span)>,
        seen: HashMap<String, Span>,
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
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    stack: Vec<Frame>,
    /// Depth of a subtree being skipped after an error inside it.
    skipping: usize,
    errors: Vec<YamlError>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, base: usize, limits: YamlLimits, first_index: usize) -> Self {
        Builder {
            text,
            base,
            index: LineIndex::new(text),
            limits,
            first_index,
            anchors: HashMap::new(),
            alias_nodes: 0,
            stack: Vec::new(),
            skipping: 0,
            errors: Vec::new(),
        }
    }

    fn offset(&self, mark: &Marker) -> usize {
        // yaml-rust2 counts lines from 1 and columns (in characters) from 0.
        self.base
            + self
                .index
                .offset_of(self.text, mark.line().saturating_sub(1), mark.col())
    }

    /// Parse until the end of the stream or the first syntax error.
    /// Returns the complete documents, the non-fatal errors found in them,
    /// and the syntax error that stopped the parser, if any.
    fn run(mut self) -> (Vec<Document>, Vec<YamlError>, Option<(YamlError, usize)>) {
        let mut documents: Vec<Document> = Vec::new();
        let mut errors: Vec<YamlError> = Vec::new();
        let mut parser = Parser::new_from_str(self.text);
        let mut root: Option<Node> = None;
        let mut doc_start = self.base;
        loop {
            let (event, mark) = match parser.next_token() {
                Ok(ev) => ev,
                Err(err) => {
                    let at = self.offset(err.marker());
                    // Errors inside the partial document are dropped with it.
                    let error = YamlError {
                        kind: YamlErrorKind::Syntax,
                        message: format!("invalid YAML: {}", err.info()),
                        span: Span::new(at, self.line_end(at)),
                        related: None,
                    };
                    return (documents, errors, Some((error, doc_start - self.base)));
                }
            };
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    doc_start = self.offset(&mark);
                    root = None;
                    self.anchors.clear();
                    self.alias_nodes = 0;
                }
                Event::DocumentEnd => {
                    let end = self.offset(&mark).max(doc_start);
                    let is_empty = root.as_ref().is_none_or(|r| r.value == Value::Null);
                    let root = root
                        .take()
                        .unwrap_or_else(|| Node::new(Value::Null, Span::new(doc_start, end)));
                    documents.push(Document {
                        index: self.first_index + documents.len(),
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
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.scalar_span(at, &text, style);
                let value = resolve_scalar(text, style, tag.as_ref());
                self.complete(Node::new(value, span), anchor)
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some((node, weight)) => {
                        let already_over = self.alias_nodes > self.limits.max_alias_nodes;
                        self.alias_nodes = self.alias_nodes.saturating_add(*weight);
                        if self.alias_nodes > self.limits.max_alias_nodes {
                            // One finding per document, at the first alias
                            // over the limit.
                            if !already_over {
                                self.errors.push(YamlError {
                                    kind: YamlErrorKind::AliasLimit,
                                    message: format!(
                                        "alias expansion exceeds {} nodes (a \"YAML bomb\"?)",
                                        self.limits.max_alias_nodes
                                    ),
                                    span: Span::new(at, at + 1),
                                    related: None,
                                });
                            }
                            Node::new(Value::Null, Span::new(at, at + 1))
                        } else {
                            let mut node = node.clone();
                            node.respan(Span::new(at, self.token_end(at)));
                            node
                        }
                    }
                    None => Node::new(Value::Null, Span::new(at, at + 1)),
                };
                self.complete(node, 0)
            }
            Event::SequenceStart(anchor, _) => {
                if self.too_deep(at) {
                    return None;
                }
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
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
                    entries: Vec::new(),
                    start: at,
                    anchor,
                    pending_key: None,
                    seen: HashMap::new(),
                    skip_value: false,
                });
                None
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    items,
                    start,
                    anchor,
                }) => {
                    let end = self.container_end(start, at, items.last().map(|n| n.span.end));
                    self.complete(Node::new(Value::Seq(items), Span::new(start, end)), anchor)
                }
                _ => None,
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    entries,
                    start,
                    anchor,
                    ..
                }) => {
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
            span: Span::new(at, at + 1),
            related: None,
        });
        self.skipping = 1;
        true
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
                rest[1.min(rest.len())..]
                    .find(quote)
                    .map(|i| at + i + 2)
                    .filter(|&e| e <= line_end)
                    .unwrap_or(line_end)
            }
            _ => line_end,
        };
        Span::new(at, end.max(at))
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Option<Node> {
        if anchor != 0 {
            let weight = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        match self.stack.last_mut() {
            None => Some(node),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                None
            }
            Some(Frame::Map {
                entries,
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
                        let key = match &node.value {
                            Value::String(s) => Some(s.clone()),
                            Value::Null => Some(String::new()),
                            Value::Bool(b) => Some(b.to_string()),
                            Value::Int(i) => Some(i.to_string()),
                            Value::Float(f) => Some(f.to_string()),
                            Value::Seq(_) | Value::Map(_) => None,
                        };
                        match key {
                            Some(key) => *pending_key = Some((key, node.span)),
                            None => {
                                *skip_value = true;
                                self.errors.push(YamlError {
                                    kind: YamlErrorKind::ComplexKey,
                                    message:
                                        "a mapping key must be a scalar; this entry is ignored"
                                            .into(),
                                    span: node.span,
                                    related: None,
                                });
                            }
                        }
                    }
                    Some((key, key_span)) => {
                        if let Some(first) = seen.get(&key) {
                            self.errors.push(YamlError {
                                kind: YamlErrorKind::DuplicateKey,
                                message: format!("duplicate key `{key}`"),
                                span: key_span,
                                related: Some(*first),
                            });
                        } else {
                            seen.insert(key.clone(), key_span);
                            entries.push(Entry {
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

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
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

fn resolve_plain(text: &str) -> Option<Value> {
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

    fn text_at(text: &str, span: Span) -> &str {
        &text[span.range()]
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
