//! Parsing many revisions of one large YAML document cheaply: a block-style
//! document is cut into chunks at the lines that start a mapping key, each
//! chunk is parsed on its own ([`crate::yaml`]'s parser, spans moved to the
//! chunk's place), and a [`ChunkCache`] keeps the chunks parsed, so a chunk
//! written identically in another revision is not parsed again. Consecutive
//! revisions of an API definition differ in a few places; the changelog
//! (`portolan-diff`'s history) loads fifty of them. The same cut, without a
//! cache, parses one large YAML file on every core ([`parse_parallel`],
//! which [`crate::parse::parse_text`] tries first for texts of
//! [`crate::parse::PARALLEL_BYTES`] or more).
//!
//! The result is exactly what [`crate::yaml::parse_stream`] gives (values,
//! spans, document), or nothing: the caller then parses the whole text as
//! usual, which also reports every error. Why a chunk parsed alone reads as
//! it does inside the document:
//!
//! - A chunk starts at a line of indentation `n` that starts a key of a
//!   block mapping at column `n`; every other line of it that is not blank
//!   or a comment is indented more than `n`. Inside the document, the
//!   scanner starts that line in block context with the mapping's
//!   indentation `n` on top of its stack, as it does when the chunk is a
//!   document of its own (whose first key opens a mapping at `n`); since no
//!   line of the chunk goes back to `n` or less, the indentations below `n`
//!   are never consulted, and the chunk's tokens are the same.
//! - A chunk that parses alone without error ends in block context: an
//!   unclosed flow collection or quoted scalar would be an error at the end
//!   of its text. A block or plain scalar ends at a line indented `n` or
//!   less, i.e. at the next chunk, in the document as at the chunk's end.
//! - What can make a chunk mean something else in the document is refused:
//!   anchors, aliases and tags (the parser reports seeing any), directives
//!   and document markers (`%`, `---`, `...` at column 0), tabs in
//!   indentation, CR line breaks, a byte order mark, control characters,
//!   keys repeated across chunks, nesting past the depth limit (chunks are
//!   parsed with the limit minus their depth), and any error at all.
//!
//! The differential tests (`tests/yaml_chunks.rs`: the shared corpus, edge
//! cases) and the `yaml_chunks` fuzz target check that promise.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::span::Span;
use crate::yaml::{self, Document, Entry, Node, Value, YamlLimits};

/// A chunk at least this long whose value is a block mapping is cut into
/// the mapping's entries; shorter ones are parsed (and cached) whole. Small
/// enough that an edit re-parses little, large enough that a revision is a
/// few thousand lookups.
const DESCEND_BYTES: usize = 2048;

/// Chunks parsed while loading the revisions of one history walk, by text
/// and depth. Safe to share between threads. Entries not used during the
/// last two generations ([`ChunkCache::next_generation`]) are dropped, and
/// the text held is capped, so memory stays bounded whatever the history.
pub struct ChunkCache {
    limits: YamlLimits,
    max_text_bytes: usize,
    descend_bytes: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// foldhash rather than SipHash: every byte of every revision is hashed
    /// here; still randomly seeded, so crafted chunks cannot pile up.
    chunks: HashMap<String, Vec<Slot>, foldhash::quality::RandomState>,
    generation: u64,
    text_bytes: usize,
    hits: u64,
    misses: u64,
}

struct Slot {
    depth: usize,
    /// Spans counted from the chunk's first byte.
    node: Arc<Node>,
    used: u64,
}

/// How a cache has been used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkStats {
    /// Chunks found parsed already.
    pub hits: u64,
    /// Chunks parsed.
    pub misses: u64,
    /// Chunks held now.
    pub held: usize,
}

impl ChunkCache {
    /// A cache for documents parsed with `limits`, holding at most
    /// `max_text_bytes` of chunk text (and the trees parsed from it).
    pub fn new(limits: YamlLimits, max_text_bytes: usize) -> Self {
        ChunkCache {
            limits,
            max_text_bytes,
            descend_bytes: DESCEND_BYTES,
            state: Mutex::new(State::default()),
        }
    }

    /// Cut chunks of at least `bytes` into their mapping's entries (the
    /// default is 2 KiB): the tests and the fuzz target cut small inputs
    /// into many chunks.
    pub fn descend_at(mut self, bytes: usize) -> Self {
        self.descend_bytes = bytes;
        self
    }

    pub fn limits(&self) -> YamlLimits {
        self.limits
    }

    pub fn stats(&self) -> ChunkStats {
        let state = self.lock();
        ChunkStats {
            hits: state.hits,
            misses: state.misses,
            held: state.chunks.values().map(Vec::len).sum(),
        }
    }

    /// Start a new generation: chunks used in neither this one nor the
    /// one before are dropped. A history walk calls it after each batch of
    /// revisions, which keeps what the neighbouring revisions share.
    pub fn next_generation(&self) {
        let mut state = self.lock();
        let keep_from = state.generation.saturating_sub(1);
        let mut freed = 0;
        state.chunks.retain(|text, slots| {
            slots.retain(|s| s.used >= keep_from);
            if slots.is_empty() {
                freed += text.len();
                false
            } else {
                true
            }
        });
        state.text_bytes -= freed;
        state.generation += 1;
    }

    /// `text` parsed as [`crate::yaml::parse_stream`] parses it with this
    /// cache's limits, when that parse is clean (no error) and this way of
    /// parsing can vouch for the result; otherwise `None`, and the caller
    /// parses the whole text.
    pub fn parse(&self, text: &str) -> Option<Vec<Document>> {
        let lines = scan_lines(text)?;
        Chunker::cached(self, text, &lines).document()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The chunk `text` at `depth`, parsed (or found), spans counted from
    /// its first byte.
    fn chunk(&self, text: &str, depth: usize) -> Option<Arc<Node>> {
        {
            let mut state = self.lock();
            let generation = state.generation;
            if let Some(slot) = state
                .chunks
                .get_mut(text)
                .and_then(|slots| slots.iter_mut().find(|s| s.depth == depth))
            {
                slot.used = generation;
                let node = slot.node.clone();
                state.hits += 1;
                return Some(node);
            }
        }
        let parsed = yaml::parse_fragment(text, self.limits, depth).map(Arc::new);
        let mut state = self.lock();
        state.misses += 1;
        let node = parsed?;
        if state.text_bytes + text.len() <= self.max_text_bytes {
            let generation = state.generation;
            let slots = state.chunks.entry(text.to_string()).or_default();
            if !slots.iter().any(|s| s.depth == depth) {
                slots.push(Slot {
                    depth,
                    node: node.clone(),
                    used: generation,
                });
                state.text_bytes += text.len();
            }
        }
        Some(node)
    }
}

/// Most chunks [`parse_parallel`] cuts a document into, per thread: enough
/// that the threads finish together, few enough that placing the chunks
/// costs little.
const CHUNKS_PER_THREAD: usize = 32;

/// `text` parsed as [`crate::yaml::parse_stream`] parses it, its chunks on
/// rayon's threads, when that parse is clean and this way of parsing can
/// vouch for the result (the conditions of [`ChunkCache::parse`]);
/// otherwise `None`, and the caller parses the whole text. Nothing is
/// kept: each chunk is parsed once and moved into the tree. A document
/// that is one chunk (a flow collection, a line of JSON, one key too small
/// to cut) is left to the caller at once.
pub fn parse_parallel(text: &str, limits: YamlLimits) -> Option<Vec<Document>> {
    let descend =
        (text.len() / (rayon::current_num_threads() * CHUNKS_PER_THREAD)).max(DESCEND_BYTES);
    parse_parallel_cut_at(text, limits, descend)
}

/// [`parse_parallel`], cutting chunks of at least `descend_bytes` into
/// their mapping's entries: the tests cut small inputs into many chunks.
pub fn parse_parallel_cut_at(
    text: &str,
    limits: YamlLimits,
    descend_bytes: usize,
) -> Option<Vec<Document>> {
    let lines = scan_lines(text)?;
    Chunker {
        cache: None,
        limits,
        descend_bytes,
        parallel: true,
        text,
        lines: &lines,
    }
    .document()
}

/// A block-style document cut at fixed places instead of by size: the
/// entries of the mappings a caller names (`paths`, `components/schemas`)
/// are *units*, each parsed alone (and found again in the cache when a
/// neighbouring revision wrote it the same), and never assembled into one
/// tree: a caller comparing revisions shares the units two revisions
/// have in common instead of copying them. Every other entry of those
/// mappings' ancestors is a leaf, parsed alone too. What it holds is
/// exactly what [`crate::yaml::parse_stream`] gives, under the same
/// conditions as [`ChunkCache::parse`].
#[derive(Debug)]
pub struct Units {
    /// The root mapping's entries.
    pub root: Vec<UnitEntry>,
    /// The span of the root mapping.
    pub span: Span,
}

/// An entry of a mapping cut into units.
#[derive(Debug)]
pub struct UnitEntry {
    pub key: String,
    /// Where the key is in the document.
    pub key_span: Span,
    pub body: UnitBody,
}

#[derive(Debug)]
pub enum UnitBody {
    /// An entry parsed alone.
    Leaf(Chunk),
    /// An entry whose value is a block mapping the caller asked to cut, and
    /// that mapping's span.
    Section(Vec<UnitEntry>, Span),
}

/// One entry parsed alone: `key: value` as a one-entry mapping whose spans
/// count from the entry's first byte, shared with every revision that wrote
/// it the same, and where it is in this document.
#[derive(Debug, Clone)]
pub struct Chunk {
    node: Arc<Node>,
    /// The entry's text in the document.
    pub start: usize,
    pub end: usize,
    moved: Moved,
}

impl Units {
    /// The whole tree, as [`crate::yaml::parse_stream`] gives it (copied
    /// out of the shared chunks).
    pub fn to_node(&self) -> Node {
        fn entries(list: &[UnitEntry]) -> Vec<Entry> {
            list.iter()
                .map(|e| match &e.body {
                    UnitBody::Leaf(chunk) => match chunk.node.as_map() {
                        Some([entry]) => chunk.moved.entry(entry),
                        _ => unreachable!("a chunk is a one-entry mapping"),
                    },
                    UnitBody::Section(inner, span) => Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: Node::new(Value::Map(entries(inner)), *span),
                    },
                })
                .collect()
        }
        Node::new(Value::Map(entries(&self.root)), self.span)
    }
}

impl Chunk {
    /// The entry's value (spans counted from the entry's first byte).
    pub fn value(&self) -> &Node {
        match self.node.as_map() {
            Some([entry]) => &entry.value,
            _ => &self.node,
        }
    }

    /// The tree this chunk was parsed into, shared by every revision that
    /// wrote it the same: two chunks holding the same tree are equal.
    pub fn shared(&self) -> &Arc<Node> {
        &self.node
    }

    /// [`Node::locate`] of `pointer` (tokens escaped, from the value) in
    /// the document: the span of the deepest node found, the entry's key
    /// when the first token is not found.
    pub fn locate(&self, pointer: &str) -> Span {
        let Some([entry]) = self.node.as_map() else {
            return self.moved.span(self.node.span);
        };
        let mut span = entry.key_span;
        let mut node = &entry.value;
        for token in crate::yaml::pointer_tokens(pointer) {
            match &node.value {
                Value::Map(entries) => match entries.iter().find(|e| e.key == token) {
                    Some(e) => {
                        span = e.key_span;
                        node = &e.value;
                    }
                    None => break,
                },
                Value::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => {
                        span = item.span;
                        node = item;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        self.moved.span(span)
    }
}

impl ChunkCache {
    /// `text` cut into [`Units`]: `cut(path)` says whether the entry at
    /// `path` (keys from the root; `[]` is the root itself) is a mapping to
    /// cut into its entries. `None` when this way of parsing cannot vouch
    /// for the result (see [`ChunkCache::parse`]) or a mapping to cut is not
    /// a block mapping written below its key.
    pub fn parse_units(&self, text: &str, cut: &dyn Fn(&[&str]) -> bool) -> Option<Units> {
        if !cut(&[]) {
            return None;
        }
        let lines = scan_lines(text)?;
        let chunker = Chunker::cached(self, text, &lines);
        let mut path = Vec::new();
        let (root, span) = chunker.unit_mapping(0, lines.len(), None, 0, &mut path, cut)?;
        Some(Units { root, span })
    }
}

impl<'a> Chunker<'a> {
    /// [`Chunker::mapping`], cutting where `cut` says instead of by size.
    fn unit_mapping(
        &self,
        from: usize,
        to: usize,
        parent: Option<usize>,
        depth: usize,
        path: &mut Vec<&'a str>,
        cut: &dyn Fn(&[&str]) -> bool,
    ) -> Option<(Vec<UnitEntry>, Span)> {
        let starts = self.key_lines(from, to, parent)?;
        let mut entries = Vec::with_capacity(starts.len());
        let mut span = Span::default();
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(to);
            let (entry, entry_span) = self.unit_entry(start, end, depth, path, cut)?;
            if n == 0 {
                span.start = entry_span.start;
            }
            span.end = entry_span.end;
            entries.push(entry);
        }
        let mut keys: HashSet<&str> = HashSet::with_capacity(entries.len());
        for entry in &entries {
            if !keys.insert(entry.key.as_str()) {
                return None;
            }
        }
        Some((entries, span))
    }

    /// [`Chunker::entry`] for [`Chunker::unit_mapping`].
    fn unit_entry(
        &self,
        from: usize,
        to: usize,
        depth: usize,
        path: &mut Vec<&'a str>,
        cut: &dyn Fn(&[&str]) -> bool,
    ) -> Option<(UnitEntry, Span)> {
        let start = self.offset(from);
        let end = self.offset(to);
        let indent = self.lines[from].indent;
        let text: &'a str = self.text;
        // Whether to cut: asked of the key as written, up to its colon (a
        // quoted key or one holding `: ` is never a mapping to cut).
        let line = &text[start + indent..self.offset(from + 1)];
        let raw_key = line
            .find(": ")
            .or_else(|| {
                line.trim_end_matches('\n')
                    .strip_suffix(':')
                    .map(|k| k.len())
            })
            .map(|i| &line[..i])
            .filter(|k| !k.is_empty() && !k.contains(['"', '\'', '#', '{', '[', ' ']));
        let wanted = to > from + 1
            && raw_key.is_some_and(|key| {
                path.push(key);
                let wanted = cut(path);
                path.pop();
                wanted
            });
        if let (true, Some(raw_key)) = (wanted, raw_key) {
            // The key line parsed alone, as `descend` reads it.
            let key_line = &text[start..self.offset(from + 1)];
            let key_node = self.chunk(key_line, depth)?;
            let (key_entry, key_line_span) = single_entry(&key_node, indent)?;
            if depth + 1 >= self.limits.max_depth
                || key_entry.key != raw_key
                || key_entry.value.value != Value::Null
                || !nothing_after_colon(key_line, key_entry.key_span)
            {
                return None;
            }
            path.push(raw_key);
            let inner = self.unit_mapping(from + 1, to, Some(indent), depth + 1, path, cut);
            path.pop();
            let (entries, value_span) = inner?;
            let entry = UnitEntry {
                key: key_entry.key.clone(),
                key_span: shift(key_entry.key_span, start),
                body: UnitBody::Section(entries, value_span),
            };
            return Some((
                entry,
                Span::new(
                    key_line_span.start as usize + start,
                    value_span.end as usize,
                ),
            ));
        }
        let node = self.chunk(&text[start..end], depth)?;
        if ends_in_empty_string(&node) || ends_in_block_scalar_header(&text[start..end]) {
            return None;
        }
        let (entry, span) = single_entry(&node, indent)?;
        let moved = Moved {
            by: start,
            end: end - start,
            next: self.next_token(to),
        };
        let key_span = moved.span(entry.key_span);
        let key = entry.key.clone();
        let span = moved.span(span);
        Some((
            UnitEntry {
                key,
                key_span,
                body: UnitBody::Leaf(Chunk {
                    node,
                    start,
                    end,
                    moved,
                }),
            },
            span,
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Spaces only.
    Blank,
    /// Spaces, then `#`.
    Comment,
    Content,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    kind: LineKind,
}

/// The lines of `text` (each up to and including its LF), or `None` when
/// the text holds something the chunker does not reason about: a byte
/// order mark, a CR, a control character, a tab in indentation, a
/// directive or a document marker; or when it is too long for spans to
/// move safely.
fn scan_lines(text: &str) -> Option<Vec<Line>> {
    if text.len() >= (u32::MAX / 2) as usize || text.starts_with('\u{feff}') {
        return None;
    }
    // Without an early exit, so that it vectorises: every byte of every
    // revision of a large definition passes here.
    let control = text.as_bytes().chunks(4096).any(|block| {
        block.iter().fold(false, |seen, &b| {
            seen | ((b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f)
        })
    });
    if control {
        return None;
    }
    let mut lines = Vec::with_capacity(text.len() / 32);
    let mut start = 0;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i + 1);
        let line = &text[start..end];
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let rest = line[indent..].trim_end_matches('\n');
        if rest.starts_with('\t') {
            return None;
        }
        if indent == 0
            && (rest.starts_with('%') || is_marker(rest, "---") || is_marker(rest, "..."))
        {
            return None;
        }
        let kind = if rest.is_empty() {
            LineKind::Blank
        } else if rest.starts_with('#') {
            LineKind::Comment
        } else {
            LineKind::Content
        };
        lines.push(Line {
            start,
            indent,
            kind,
        });
        start = end;
    }
    Some(lines)
}

/// `---` or `...` as a line of its own or followed by white space (or
/// anything: refusing more than needed is safe).
fn is_marker(rest: &str, marker: &str) -> bool {
    rest.starts_with(marker)
}

struct Chunker<'a> {
    /// Where chunks are kept; `None` when each is parsed once
    /// ([`parse_parallel`]).
    cache: Option<&'a ChunkCache>,
    limits: YamlLimits,
    descend_bytes: usize,
    /// Whether the entries of a mapping are parsed on rayon's threads.
    parallel: bool,
    text: &'a str,
    lines: &'a [Line],
}

impl<'a> Chunker<'a> {
    fn cached(cache: &'a ChunkCache, text: &'a str, lines: &'a [Line]) -> Self {
        Chunker {
            cache: Some(cache),
            limits: cache.limits,
            descend_bytes: cache.descend_bytes,
            parallel: false,
            text,
            lines,
        }
    }

    /// The whole text: one document whose root is a block mapping.
    fn document(&self) -> Option<Vec<Document>> {
        let (entries, span) = self.mapping(0, self.lines.len(), None, 0)?;
        Some(vec![Document {
            index: 0,
            root: Node::new(Value::Map(entries), span),
            is_empty: false,
        }])
    }

    /// The chunk `text` at `depth`, parsed (or found in the cache), spans
    /// counted from its first byte.
    fn chunk(&self, text: &str, depth: usize) -> Option<Arc<Node>> {
        match self.cache {
            Some(cache) => cache.chunk(text, depth),
            None => yaml::parse_fragment(text, self.limits, depth).map(Arc::new),
        }
    }
    fn offset(&self, line: usize) -> usize {
        self.lines.get(line).map_or(self.text.len(), |l| l.start)
    }

    /// The lines of `from..to` that start the keys of one block mapping,
    /// indented more than `parent` (the key holding it; `None` at the
    /// root): every content line at the first one's indentation. `None`
    /// when there is no content line, the indentation is not deeper than
    /// `parent`, or a line goes back above it.
    fn key_lines(&self, from: usize, to: usize, parent: Option<usize>) -> Option<Vec<usize>> {
        let first = (from..to).find(|&i| self.lines[i].kind == LineKind::Content)?;
        let indent = self.lines[first].indent;
        if parent.is_some_and(|p| indent <= p) {
            return None;
        }
        let mut starts = Vec::new();
        for i in first..to {
            let line = self.lines[i];
            if line.kind != LineKind::Content || line.indent > indent {
                continue;
            }
            if line.indent < indent {
                return None;
            }
            starts.push(i);
        }
        Some(starts)
    }

    /// The block mapping written on lines `from..to`, whose keys are indented
    /// more than `parent` (the indentation of the key holding it; `None` at
    /// the root), nested `depth` collections deep: its entries and span.
    fn mapping(
        &self,
        from: usize,
        to: usize,
        parent: Option<usize>,
        depth: usize,
    ) -> Option<(Vec<Entry>, Span)> {
        let starts = self.key_lines(from, to, parent)?;
        let entry_at = |n: usize| {
            let end = starts.get(n + 1).copied().unwrap_or(to);
            self.entry(starts[n], end, depth)
        };
        // A failed entry stops the others early: the caller parses the
        // whole text anyway.
        let parsed: Vec<(Entry, Span)> = if self.parallel && starts.len() > 1 {
            (0..starts.len())
                .into_par_iter()
                .map(entry_at)
                .collect::<Option<_>>()?
        } else {
            (0..starts.len()).map(entry_at).collect::<Option<_>>()?
        };
        let mut span = Span::default();
        if let (Some(first), Some(last)) = (parsed.first(), parsed.last()) {
            span = Span {
                start: first.1.start,
                end: last.1.end,
            };
        }
        let entries: Vec<Entry> = parsed.into_iter().map(|(entry, _)| entry).collect();
        let mut keys: HashSet<&str> = HashSet::with_capacity(entries.len());
        for entry in &entries {
            if !keys.insert(entry.key.as_str()) {
                return None;
            }
        }
        Some((entries, span))
    }

    /// The mapping entry written on lines `from..to` (its key on line
    /// `from`), in a mapping nested `depth` deep: the entry, and the span of
    /// that one-entry mapping as the parser gives it.
    fn entry(&self, from: usize, to: usize, depth: usize) -> Option<(Entry, Span)> {
        let start = self.offset(from);
        let end = self.offset(to);
        let indent = self.lines[from].indent;
        // A chunk of one line has no value below its key to cut up.
        if end - start >= self.descend_bytes
            && to > from + 1
            && let Some(found) = self.descend(from, to, depth)
        {
            return Some(found);
        }
        // Uncached, a chunk holding the whole document (one flow
        // collection, one line of JSON) is a whole parse; should it fail,
        // the caller's whole parse would be a second one.
        if self.cache.is_none()
            && self.text[..start].trim().is_empty()
            && self.text[end..].trim().is_empty()
        {
            return None;
        }
        let node = self.chunk(&self.text[start..end], depth)?;
        if ends_in_empty_string(&node) || ends_in_block_scalar_header(&self.text[start..end]) {
            return None;
        }
        let (_, span) = single_entry(&node, indent)?;
        let moved = Moved {
            by: start,
            end: end - start,
            next: self.next_token(to),
        };
        let span = moved.span(span);
        // A tree no cache holds is moved where it stands; a shared one is
        // copied.
        let entry = match Arc::try_unwrap(node) {
            Ok(Node {
                value: Value::Map(mut entries),
                ..
            }) => {
                let mut entry = entries.pop()?;
                moved.place_entry(&mut entry);
                entry
            }
            Ok(_) => return None,
            Err(shared) => moved.entry(single_entry(&shared, indent)?.0),
        };
        Some((entry, span))
    }

    /// Where the parser of the whole document puts a token that a chunk
    /// ending before line `line` puts at its end: the first character of
    /// that line, and its line's end (what an empty value at the end of the
    /// chunk spans; see [`Moved`]). At the end of the text, its end.
    fn next_token(&self, line: usize) -> (usize, usize) {
        match self.lines.get(line) {
            Some(next) => {
                let end = self.offset(line + 1);
                let end = if self.text[..end].ends_with('\n') {
                    end - 1
                } else {
                    end
                };
                (next.start + next.indent, end)
            }
            None => (self.text.len(), self.text.len()),
        }
    }

    /// An entry whose key line has nothing after the colon and whose value
    /// is a block mapping, parsed as its key line and the chunks of that
    /// mapping.
    fn descend(&self, from: usize, to: usize, depth: usize) -> Option<(Entry, Span)> {
        if depth + 1 >= self.limits.max_depth {
            return None;
        }
        let start = self.offset(from);
        let key_line = &self.text[start..self.offset(from + 1)];
        let indent = self.lines[from].indent;
        let node = self.chunk(key_line, depth)?;
        let (entry, span) = single_entry(&node, indent)?;
        if entry.value.value != Value::Null || !nothing_after_colon(key_line, entry.key_span) {
            return None;
        }
        let (entries, value_span) = self.mapping(from + 1, to, Some(indent), depth + 1)?;
        let entry = Entry {
            key: entry.key.clone(),
            key_span: shift(entry.key_span, start),
            value: Node::new(Value::Map(entries), value_span),
        };
        Some((
            entry,
            Span::new(span.start as usize + start, value_span.end as usize),
        ))
    }
}

/// The one entry of a chunk's mapping, whose key starts its first line at
/// column `indent`, with the mapping's span.
fn single_entry(node: &Node, indent: usize) -> Option<(&Entry, Span)> {
    match node.as_map()? {
        [entry] if entry.key_span.start as usize == indent => Some((entry, node.span)),
        _ => None,
    }
}

/// Whether the key line holds only white space and perhaps a comment after
/// the key's colon.
fn nothing_after_colon(line: &str, key: Span) -> bool {
    let Some(rest) = line.get(key.end as usize..) else {
        return false;
    };
    let Some(rest) = rest.trim_start_matches(' ').strip_prefix(':') else {
        return false;
    };
    let rest = rest.trim_end_matches('\n');
    let value = rest.trim_start_matches(' ');
    value.is_empty() || (value.starts_with('#') && value.len() < rest.len())
}

/// Whether the chunk ends in an empty string: an empty block scalar
/// (`key: |` with no content line) is spanned on its header or at the end
/// of the text by the chunk's parser, and at the token after it by the
/// whole document's, depending on its chomping; [`Moved`] cannot place it
/// (fuzz: `regressions/yaml_chunks/empty-block-scalar-ends-a-chunk`). An
/// empty quoted string there is left to the whole parse as well. Only the
/// last value of each level can end the chunk.
fn ends_in_empty_string(node: &Node) -> bool {
    let mut node = node;
    loop {
        node = match &node.value {
            Value::String(s) => return s.is_empty(),
            Value::Map(entries) => match entries.last() {
                Some(entry) => &entry.value,
                None => return false,
            },
            Value::Seq(items) => match items.last() {
                Some(item) => item,
                None => return false,
            },
            _ => return false,
        };
    }
}

/// Whether the chunk's last content line ends in a block scalar header
/// (`|`, `>-`, `|2+`, perhaps before a comment): a block scalar with no
/// content line that ends the chunk, which the chunk's parser and the
/// whole document's span differently (see [`ends_in_empty_string`]), and
/// so do they the collections it closes. A plain scalar ending in ` |` is
/// left to the whole parse too, which costs only time.
fn ends_in_block_scalar_header(text: &str) -> bool {
    let Some(line) = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    let line = match line.find(" #") {
        Some(comment) => line[..comment].trim_end(),
        None => line,
    };
    let header = line.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    // The indicator is a token of its own: `path: <auto>` ends in a plain
    // scalar (OpenAI's definition ends so).
    let Some(before) = header
        .strip_suffix('|')
        .or_else(|| header.strip_suffix('>'))
    else {
        return false;
    };
    before.is_empty() || before.ends_with(' ')
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start as usize + by, span.end as usize + by)
}

/// How a chunk's tree, its spans counted from the chunk's start, becomes
/// part of the document's: spans move `by` bytes, except what the chunk's
/// parser placed at its very end (`end`, its length). That is only ever an
/// empty value that ends the chunk (`key:` and nothing under it) and the
/// collections it ends: the whole document's parser places such a value at
/// the token after it and spans it to that token's line end, `next`. Any
/// other span ends before the chunk's last line break.
#[derive(Debug, Clone)]
struct Moved {
    by: usize,
    end: usize,
    next: (usize, usize),
}

impl Moved {
    fn span(&self, span: Span) -> Span {
        let place = |at: u32, next: usize| match at as usize {
            at if at == self.end => next,
            at => at + self.by,
        };
        Span::new(place(span.start, self.next.0), place(span.end, self.next.1))
    }

    fn entry(&self, entry: &Entry) -> Entry {
        Entry {
            key: entry.key.clone(),
            key_span: self.span(entry.key_span),
            value: self.node(&entry.value),
        }
    }

    /// `entry` placed in the document, where it stands.
    fn place_entry(&self, entry: &mut Entry) {
        entry.key_span = self.span(entry.key_span);
        self.place(&mut entry.value);
    }

    fn place(&self, node: &mut Node) {
        node.span = self.span(node.span);
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| self.place(n)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| self.place_entry(e)),
            _ => {}
        }
    }

    /// A copy of `node` placed in the document.
    fn node(&self, node: &Node) -> Node {
        let value = match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(|n| self.node(n)).collect()),
            Value::Map(entries) => Value::Map(entries.iter().map(|e| self.entry(e)).collect()),
            other => other.clone(),
        };
        Node::new(value, self.span(node.span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ChunkCache {
        ChunkCache::new(YamlLimits::default(), 1 << 20)
    }

    #[test]
    fn key_line_with_a_value_is_not_descended() {
        assert!(!nothing_after_colon("a: b\n", Span::new(0, 1)));
        assert!(!nothing_after_colon("a:#b\n", Span::new(0, 1)));
        assert!(nothing_after_colon("a:  # b\n", Span::new(0, 1)));
        assert!(nothing_after_colon("a :\n", Span::new(0, 1)));
    }

    #[test]
    fn a_sequence_document_is_left_to_the_full_parse() {
        assert!(cache().parse("- a\n- b\n").is_none());
        assert!(cache().parse("").is_none());
        assert!(cache().parse("# only a comment\n").is_none());
    }
}
