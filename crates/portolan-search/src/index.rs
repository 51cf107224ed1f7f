//! The tantivy index: its schema, writing it (in memory, then to files),
//! opening it, and answering queries with ranked, snippeted hits.
//!
//! The index is built in a [`RamDirectory`] by one single-threaded writer
//! that commits once, so it holds exactly one segment, whose documents are
//! in [`crate::documents`] order. tantivy names a segment's files after a
//! random UUID (and writes it into `meta.json`); we rename that one segment
//! to a fixed id, which makes the files byte-for-byte the same for the same
//! documents — a build stays reproducible and unchanged files stay
//! unchanged. Reading goes the other way: the files are read into a
//! `RamDirectory` (so tantivy's `mmap` feature, file locks and watcher
//! threads are not needed; an index is a few megabytes even for 10,000
//! entities).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::directory::{Directory, RamDirectory};
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{
    AllQuery, AutomatonWeight, BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper,
    EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery, Weight,
};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use crate::document::SearchDoc;
use crate::query::{Facet, ParsedQuery, QueryError, parse_within_limits};
use crate::tokenizer::{IdentifierTokenizer, TOKENIZER_NAME};

/// The id every index's one segment is renamed to (see the module docs).
const SEGMENT_ID: &str = "00000000000000000000000000000001";

const META_FILE: &str = "meta.json";

/// The writer's memory budget: a catalog whose documents outgrow it is
/// written in several segments and merged into one.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Characters of body text a snippet shows.
const SNIPPET_CHARS: usize = 160;

/// How much each text field counts: names and titles over tags, over
/// subtitles and summaries, over the rest.
pub(crate) const TEXT_FIELDS: &[(&str, f32)] = &[
    ("names", 4.0),
    ("title", 3.0),
    ("tags", 2.0),
    ("subtitle", 1.5),
    ("summary", 1.5),
    ("keywords", 1.0),
    ("body", 1.0),
];

/// A query that is exactly a document's name or title.
pub(crate) const EXACT_SCORE: f32 = 20.0;
/// A document that matches every word of the query (each in any field, as
/// written, by prefix or with a typo).
pub(crate) const ALL_WORDS_SCORE: f32 = 50.0;
/// A query that is exactly one of a document's tags.
pub(crate) const TAG_SCORE: f32 = 8.0;
/// A part of an identifier the query spelled joined (`list` of
/// `listRefunds`), relative to the whole.
pub(crate) const PART_WEIGHT: f32 = 0.5;
/// Matches by prefix (the last word, as typed so far) and with one typo
/// score a constant this fraction of the field's boost: below a term
/// matched as written.
pub(crate) const PREFIX_WEIGHT: f32 = 1.5;
pub(crate) const FUZZY_WEIGHT: f32 = 1.0;
/// Shortest word matched by prefix, and shortest allowed a typo.
pub(crate) const MIN_PREFIX_CHARS: usize = 2;
pub(crate) const MIN_FUZZY_CHARS: usize = 5;

/// Something that stopped indexing or searching.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing index files.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// No index where one was expected.
    NoIndex { dir: PathBuf },
    /// tantivy failed (an index written by another version, a corrupt
    /// file).
    Index(tantivy::TantivyError),
    /// The query has no words and no filters.
    EmptyQuery,
    /// The query is past a limit (see [`parse_within_limits`]).
    Query(QueryError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { path, .. } => write!(f, "cannot access {}", path.display()),
            Error::NoIndex { dir } => write!(f, "no search index in {}", dir.display()),
            Error::Index(err) => write!(f, "search index: {err}"),
            Error::EmptyQuery => f.write_str("the query is empty"),
            Error::Query(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Index(err) => Some(err),
            _ => None,
        }
    }
}

impl From<QueryError> for Error {
    fn from(err: QueryError) -> Self {
        Error::Query(err)
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(err: tantivy::TantivyError) -> Self {
        Error::Index(err)
    }
}

fn internal_io(err: impl std::fmt::Display) -> Error {
    Error::Index(tantivy::TantivyError::InternalError(err.to_string()))
}

/// The fields of the schema.
#[derive(Clone, Copy)]
struct Fields {
    names: Field,
    title: Field,
    tags: Field,
    subtitle: Field,
    summary: Field,
    keywords: Field,
    body: Field,
    /// Names and the title, lower-cased, each as one term.
    exact: Field,
    url: Field,
    entity: Field,
    owner: Field,
    api: Field,
    lifecycle: Field,
    kind: Field,
    /// Facet fields (not stored): every way a value can be written.
    owner_facet: Field,
    api_facet: Field,
    lifecycle_facet: Field,
    type_facet: Field,
    tag_facet: Field,
    system_facet: Field,
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqs);
    let text = TextOptions::default().set_indexing_options(indexing);
    for (name, _) in TEXT_FIELDS {
        let options = match *name {
            "title" | "subtitle" | "body" => text.clone() | STORED,
            _ => text.clone(),
        };
        builder.add_text_field(name, options);
    }
    builder.add_text_field("exact", STRING);
    for stored in ["url", "entity", "owner", "api"] {
        builder.add_text_field(stored, STORED);
    }
    builder.add_text_field("lifecycle", STORED);
    builder.add_text_field("kind", STRING | STORED);
    for facet in [
        "owner_facet",
        "api_facet",
        "lifecycle_facet",
        "type_facet",
        "tag_facet",
        "system_facet",
    ] {
        builder.add_text_field(facet, STRING);
    }
    builder.build()
}

impl Fields {
    fn of(schema: &Schema) -> Result<Fields, Error> {
        let f = |name: &str| schema.get_field(name).map_err(Error::Index);
        Ok(Fields {
            names: f("names")?,
            title: f("title")?,
            tags: f("tags")?,
            subtitle: f("subtitle")?,
            summary: f("summary")?,
            keywords: f("keywords")?,
            body: f("body")?,
            exact: f("exact")?,
            url: f("url")?,
            entity: f("entity")?,
            owner: f("owner")?,
            api: f("api")?,
            lifecycle: f("lifecycle")?,
            kind: f("kind")?,
            owner_facet: f("owner_facet")?,
            api_facet: f("api_facet")?,
            lifecycle_facet: f("lifecycle_facet")?,
            type_facet: f("type_facet")?,
            tag_facet: f("tag_facet")?,
            system_facet: f("system_facet")?,
        })
    }

    fn text_field(&self, name: &str) -> Field {
        match name {
            "names" => self.names,
            "title" => self.title,
            "tags" => self.tags,
            "subtitle" => self.subtitle,
            "summary" => self.summary,
            "keywords" => self.keywords,
            _ => self.body,
        }
    }

    fn facet_field(&self, facet: Facet) -> Field {
        match facet {
            Facet::Kind => self.kind,
            Facet::Owner => self.owner_facet,
            Facet::Api => self.api_facet,
            Facet::Lifecycle => self.lifecycle_facet,
            Facet::Type => self.type_facet,
            Facet::Tag => self.tag_facet,
            Facet::System => self.system_facet,
        }
    }
}

/// Every way a filter can name an entity: its ref, `namespace/name`, and
/// its name (`group:default/payments-team`, `default/payments-team`,
/// `payments-team`).
fn ref_variants(entity_ref: &str) -> Vec<String> {
    let lower = entity_ref.to_lowercase();
    let mut out = vec![lower.clone()];
    if let Some((_, rest)) = lower.split_once(':') {
        out.push(rest.to_string());
        if let Some((_, name)) = rest.split_once('/') {
            out.push(name.to_string());
        }
    }
    out
}

fn tantivy_doc(fields: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    for name in &doc.names {
        d.add_text(fields.names, name);
        d.add_text(fields.exact, name.to_lowercase());
    }
    d.add_text(fields.title, &doc.title);
    d.add_text(fields.exact, doc.title.to_lowercase());
    for tag in &doc.tags {
        d.add_text(fields.tags, tag);
        d.add_text(fields.tag_facet, tag.to_lowercase());
    }
    d.add_text(fields.subtitle, &doc.subtitle);
    d.add_text(fields.summary, &doc.summary);
    for keyword in &doc.keywords {
        d.add_text(fields.keywords, keyword);
    }
    d.add_text(fields.body, &doc.body);
    d.add_text(fields.url, &doc.url);
    d.add_text(fields.entity, &doc.entity);
    d.add_text(fields.kind, doc.kind.to_lowercase());
    if let Some(owner) = &doc.owner {
        d.add_text(fields.owner, owner);
        for v in ref_variants(owner) {
            d.add_text(fields.owner_facet, v);
        }
    }
    if let Some(api) = &doc.api {
        d.add_text(fields.api, api);
        // The API's name, and its ref (an API's documents are its own).
        d.add_text(fields.api_facet, api.to_lowercase());
        for v in ref_variants(&doc.entity) {
            d.add_text(fields.api_facet, v);
        }
    }
    if let Some(lifecycle) = &doc.lifecycle {
        d.add_text(fields.lifecycle, lifecycle);
        d.add_text(fields.lifecycle_facet, lifecycle.to_lowercase());
    }
    if let Some(spec_type) = &doc.spec_type {
        d.add_text(fields.type_facet, spec_type.to_lowercase());
    }
    if let Some(system) = &doc.system {
        for v in ref_variants(system) {
            d.add_text(fields.system_facet, v);
        }
    }
    d
}

fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, TextAnalyzer::from(IdentifierTokenizer));
}

/// How big an index came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    pub documents: usize,
    pub files: usize,
    pub bytes: u64,
}

/// The index of `docs` as files (name → bytes), in memory: what
/// [`write_index`] writes, for a build that writes its output in one step.
/// The same documents give the same bytes.
pub fn index_files(docs: &[SearchDoc]) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let directory = RamDirectory::create();
    let index = Index::create(
        directory.clone(),
        schema(),
        tantivy::IndexSettings::default(),
    )?;
    register_tokenizer(&index);
    let fields = Fields::of(&index.schema())?;
    {
        // One thread, so documents keep their order in the segment.
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for doc in docs {
            writer.add_document(tantivy_doc(&fields, doc))?;
        }
        writer.commit()?;
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
    }
    let meta = index.load_metas()?;
    let segments = meta.segments.clone();
    let mut files = BTreeMap::new();
    let read = |path: &Path| -> Result<Vec<u8>, Error> {
        let slice = directory.open_read(path).map_err(internal_io)?;
        Ok(slice.read_bytes().map_err(internal_io)?.as_slice().to_vec())
    };
    let mut meta_json = String::from_utf8(read(Path::new(META_FILE))?).map_err(internal_io)?;
    // At most one segment (none for no documents): give it the fixed id.
    let rename = segments
        .first()
        .map(|s| s.id().uuid_string())
        .unwrap_or_default();
    if !rename.is_empty() {
        // meta.json writes the id hyphenated; file names do not.
        meta_json = meta_json
            .replace(&hyphenated(&rename), &hyphenated(SEGMENT_ID))
            .replace(&rename, SEGMENT_ID);
    }
    let mut paths: Vec<PathBuf> = meta.list_segment_files().into_iter().collect();
    paths.sort();
    for path in paths {
        if !directory.exists(&path).map_err(internal_io)? {
            continue;
        }
        let name = path.to_string_lossy().replace(&rename, SEGMENT_ID);
        files.insert(name, read(&path)?);
        // Copied out: let the directory's copy go (at 100,000 entities the
        // index is over 100 MB).
        directory.delete(&path).map_err(internal_io)?;
    }
    files.insert(META_FILE.to_string(), meta_json.into_bytes());
    Ok(files)
}

/// A 32-digit UUID as 8-4-4-4-12.
fn hyphenated(simple: &str) -> String {
    [0..8, 8..12, 12..16, 16..20, 20..32]
        .into_iter()
        .map(|r| &simple[r])
        .collect::<Vec<_>>()
        .join("-")
}

/// Write the index of `docs` into `dir` (created if missing). Files of an
/// index there before are overwritten; since the segment id is fixed, an
/// older index leaves nothing behind that the new `meta.json` refers to.
pub fn write_index(docs: &[SearchDoc], dir: &Path) -> Result<IndexStats, Error> {
    let files = index_files(docs)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut bytes = 0;
    for (name, data) in &files {
        let path = dir.join(name);
        std::fs::write(&path, data).map_err(|source| Error::Io { path, source })?;
        bytes += data.len() as u64;
    }
    Ok(IndexStats {
        documents: docs.len(),
        files: files.len(),
        bytes,
    })
}

/// An open index, ready for queries.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// A highlighted excerpt of a hit's body text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` that matched the query.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The text with every highlight between `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(start, end) in &self.highlights {
            out.push_str(&self.text[at..start]);
            out.push_str(open);
            out.push_str(&self.text[start..end]);
            out.push_str(close);
            at = end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// Highlight ranges sorted, overlaps merged (a word's whole and its
/// parts are separate terms), and kept inside the text.
fn merge_ranges(ranges: impl Iterator<Item = (usize, usize)>, len: usize) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = ranges
        .map(|(s, e)| (s.min(len), e.min(len)))
        .filter(|(s, e)| s < e)
        .collect();
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The start of a body that matched nowhere (the hit matched on its name,
/// title or tags): a snippet without highlights.
fn opening(body: &str) -> Option<Snippet> {
    if body.is_empty() {
        return None;
    }
    let mut end = body.len().min(SNIPPET_CHARS);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    // End at a word boundary when the text goes on.
    if end < body.len()
        && let Some(space) = body[..end].rfind(' ')
    {
        end = space;
    }
    Some(Snippet {
        text: body[..end].to_string(),
        highlights: Vec::new(),
    })
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub kind: String,
    pub title: String,
    pub subtitle: String,
    pub url: String,
    pub entity: String,
    pub owner: Option<String>,
    pub api: Option<String>,
    pub lifecycle: Option<String>,
    pub score: f32,
    pub snippet: Option<Snippet>,
}

/// Open the index written into `dir` by [`write_index`].
pub fn open(dir: &Path) -> Result<SearchIndex, Error> {
    SearchIndex::open(dir)
}

/// The best `limit` hits for `query` (see [`SearchIndex::search`]).
pub fn search(index: &SearchIndex, query: &str, limit: usize) -> Result<Vec<Hit>, Error> {
    index.search(query, limit)
}

impl SearchIndex {
    /// Open the index in `dir`: every file is read into memory.
    pub fn open(dir: &Path) -> Result<SearchIndex, Error> {
        if !dir.join(META_FILE).is_file() {
            return Err(Error::NoIndex {
                dir: dir.to_path_buf(),
            });
        }
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = BTreeMap::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let data = std::fs::read(&path).map_err(|source| Error::Io { path, source })?;
            files.insert(name, data);
        }
        SearchIndex::from_files(&files)
    }

    /// Open an index from its files (as [`index_files`] returns them).
    pub fn from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<SearchIndex, Error> {
        let directory = RamDirectory::create();
        for (name, data) in files {
            directory
                .atomic_write(Path::new(name), data)
                .map_err(|source| Error::Io {
                    path: PathBuf::from(name),
                    source,
                })?;
        }
        let index = Index::open(directory)?;
        register_tokenizer(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
        })
    }

    /// How many documents the index holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The best `limit` hits for `query`, best first: words ranked by BM25
    /// with field boosts (names and titles over tags over subtitles and
    /// summaries over the rest), the last word also by prefix (type-ahead),
    /// words of five or more characters also with one typo, and an exact
    /// name or title on top; `facet:value` words filter (see
    /// [`parse_query`](crate::parse_query)). Ties keep document order, so
    /// results are stable. A query past the limits of
    /// [`parse_within_limits`] is an error.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, Error> {
        let parsed = parse_within_limits(query)?;
        if parsed.is_empty() {
            return Err(Error::EmptyQuery);
        }
        if limit == 0 {
            return Ok(Vec::new());
        }
        let automata = WordAutomata::of(&parsed, self.fields.body)?;
        let query = self.build_query(&parsed, &automata);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let snippets = self.snippet_generator(&searcher, &parsed, &automata)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let optional = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let body = text(self.fields.body);
            let snippet = snippets
                .as_ref()
                .map(|g| g.snippet(&body))
                .filter(|s| !s.is_empty())
                .map(|s| Snippet {
                    text: s.fragment().to_string(),
                    highlights: merge_ranges(
                        s.highlighted().iter().map(|r| (r.start, r.end)),
                        s.fragment().len(),
                    ),
                })
                .or_else(|| opening(&body));
            hits.push(Hit {
                kind: text(self.fields.kind),
                title: text(self.fields.title),
                subtitle: text(self.fields.subtitle),
                url: text(self.fields.url),
                entity: text(self.fields.entity),
                owner: optional(self.fields.owner),
                api: optional(self.fields.api),
                lifecycle: optional(self.fields.lifecycle),
                score,
                snippet,
            });
        }
        Ok(hits)
    }

    /// `automata`: those of each of `parsed`'s runs, in order.
    fn build_query(&self, parsed: &ParsedQuery, automata: &[WordAutomata]) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (facet, values) in &parsed.filters {
            let field = f.facet_field(*facet);
            let alternatives: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            // Filters select; they do not rank.
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(alternatives)),
                    0.0,
                )),
            ));
        }
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (run, automata) in parsed.runs.iter().zip(automata) {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for &(name, boost) in TEXT_FIELDS {
                let field = f.text_field(name);
                let term = Term::from_field_text(field, &run.whole);
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        boost,
                    )),
                ));
                for part in &run.parts {
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, &part.text),
                                IndexRecordOption::WithFreqs,
                            )),
                            boost * PART_WEIGHT,
                        )),
                    ));
                }
                if let Some(prefix) = &automata.prefix {
                    alternatives.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(
                            Box::new(prefix.in_field(field)),
                            boost * PREFIX_WEIGHT,
                        )),
                    ));
                }
                if let Some(typo) = &automata.typo {
                    alternatives.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(
                            Box::new(typo.in_field(field)),
                            boost * FUZZY_WEIGHT,
                        )),
                    ));
                }
            }
            words.push((Occur::Should, Box::new(BooleanQuery::new(alternatives))));
        }
        if words.len() > 1 {
            // A document with every word beats one with a few of them
            // however often: `DELETE /carts` is the cart operation, not
            // every delete and every cart.
            let all: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|(_, q)| (Occur::Must, q.box_clone()))
                .collect();
            words.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(all)),
                    ALL_WORDS_SCORE,
                )),
            ));
        }
        if !parsed.text.is_empty() {
            words.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.exact, &parsed.text),
                        IndexRecordOption::Basic,
                    )),
                    EXACT_SCORE,
                )),
            ));
        }
        if !parsed.text.is_empty() {
            // A tag, typed whole.
            words.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.tag_facet, &parsed.text),
                        IndexRecordOption::Basic,
                    )),
                    TAG_SCORE,
                )),
            ));
        }
        if words.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        } else {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(words))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// A snippet generator for the body field that highlights every term
    /// the query matched: the words as written, and the terms the prefix
    /// and typo-tolerant matches found in the index.
    fn snippet_generator(
        &self,
        searcher: &tantivy::Searcher,
        parsed: &ParsedQuery,
        automata: &[WordAutomata],
    ) -> Result<Option<SnippetGenerator>, Error> {
        if parsed.runs.is_empty() {
            return Ok(None);
        }
        let body = self.fields.body;
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        let mut add = |text: &str| -> Result<(), Error> {
            if terms.contains_key(text) {
                return Ok(());
            }
            let freq = searcher.doc_freq(&Term::from_field_text(body, text))?;
            if freq > 0 {
                terms.insert(text.to_string(), 1.0 / (1.0 + freq as f32));
            }
            Ok(())
        };
        for (run, automata) in parsed.runs.iter().zip(automata) {
            add(&run.whole)?;
            for part in &run.parts {
                add(&part.text)?;
            }
            for automaton in [&automata.prefix, &automata.typo].into_iter().flatten() {
                for segment in searcher.segment_readers() {
                    let inverted = segment.inverted_index(body)?;
                    let mut stream = inverted
                        .terms()
                        .search(&*automaton.automaton)
                        .into_stream()
                        .map_err(internal_io)?;
                    // A short prefix can match thousands of terms; a
                    // snippet needs a few.
                    let mut taken = 0;
                    while taken < 64 && stream.advance() {
                        if let Ok(text) = std::str::from_utf8(stream.key()) {
                            add(text)?;
                        }
                        taken += 1;
                    }
                }
            }
        }
        let tokenizer = self.index.tokenizer_for_field(body)?;
        Ok(Some(SnippetGenerator::new(
            terms,
            tokenizer,
            body,
            SNIPPET_CHARS,
        )))
    }
}

/// The Levenshtein automata of one word of a query: by prefix (the last
/// word, as typed so far) and with one typo. Each is built once per query
/// and shared by the clause of every text field and by the snippets.
/// (tantivy's [`FuzzyTermQuery`] builds its automaton again for every
/// clause it is in: fourteen to thirty times per word here. An automaton
/// holds a kilobyte of transitions per state and several states per
/// character, so one 60,000-letter word took gigabytes and the allocator
/// aborted; issue 17. [`MAX_WORD_BYTES`](crate::MAX_WORD_BYTES) bounds the
/// word; sharing keeps a query at a few automata.)
struct WordAutomata {
    prefix: Option<SharedAutomaton>,
    typo: Option<SharedAutomaton>,
}

impl WordAutomata {
    /// Those of each run of `parsed`, in order. `field`: any text field
    /// (an automaton depends only on the word).
    fn of(parsed: &ParsedQuery, field: Field) -> Result<Vec<WordAutomata>, Error> {
        let last = parsed.runs.len().saturating_sub(1);
        let build = |query: FuzzyTermQuery| -> Result<SharedAutomaton, Error> {
            Ok(SharedAutomaton {
                field,
                automaton: Arc::new(query.automaton()?),
            })
        };
        parsed
            .runs
            .iter()
            .enumerate()
            .map(|(i, run)| {
                let chars = run.whole.chars().count();
                let term = Term::from_field_text(field, &run.whole);
                Ok(WordAutomata {
                    prefix: (i == last && chars >= MIN_PREFIX_CHARS)
                        .then(|| build(FuzzyTermQuery::new_prefix(term.clone(), 0, true)))
                        .transpose()?,
                    typo: (chars >= MIN_FUZZY_CHARS)
                        .then(|| build(FuzzyTermQuery::new(term, 1, true)))
                        .transpose()?,
                })
            })
            .collect()
    }
}

/// A [`FuzzyTermQuery`] in one field whose automaton is built already and
/// shared (see [`WordAutomata`]).
#[derive(Clone)]
struct SharedAutomaton {
    field: Field,
    automaton: Arc<DfaWrapper>,
}

impl SharedAutomaton {
    fn in_field(&self, field: Field) -> SharedAutomaton {
        SharedAutomaton {
            field,
            automaton: self.automaton.clone(),
        }
    }
}

impl std::fmt::Debug for SharedAutomaton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedAutomaton")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

impl Query for SharedAutomaton {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<DfaWrapper>::new(
            self.field,
            self.automaton.clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 17): one 100,000-letter word built gigabytes of
    /// automata and aborted the process.
    #[test]
    fn queries_past_the_limits_are_errors_before_any_automaton_is_built() {
        let index = SearchIndex::from_files(&index_files(&[]).unwrap()).unwrap();
        let word = "abcdefghij".repeat(10_000);
        assert!(matches!(
            index.search(&word, 10),
            Err(Error::Query(QueryError::TooLong { bytes: 100_000 }))
        ));
        assert!(matches!(
            index.search(&word[..1000], 10),
            Err(Error::Query(QueryError::WordTooLong { bytes: 1000, .. }))
        ));
        let longest = &word[..crate::MAX_WORD_BYTES];
        assert!(
            index
                .search(&format!("kind:api {longest}"), 10)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn refs_can_be_named_three_ways() {
        assert_eq!(
            ref_variants("group:default/Payments-Team"),
            [
                "group:default/payments-team",
                "default/payments-team",
                "payments-team"
            ]
        );
        assert_eq!(ref_variants("payments-team"), ["payments-team"]);
    }

    #[test]
    fn highlights_are_merged_sorted_and_inside_the_text() {
        assert_eq!(
            merge_ranges([(5, 9), (0, 3), (2, 4), (8, 20)].into_iter(), 12),
            [(0, 4), (5, 12)]
        );
        assert_eq!(merge_ranges([(14, 20)].into_iter(), 12), []);
    }

    #[test]
    fn a_body_without_matches_shows_its_opening_words() {
        let body = "word ".repeat(100);
        let s = opening(&body).unwrap();
        assert!(s.text.len() <= SNIPPET_CHARS && s.text.ends_with("word"));
        assert!(s.highlights.is_empty());
        assert_eq!(opening(""), None);
    }

    #[test]
    fn snippets_mark_their_highlights() {
        let s = Snippet {
            text: "refund a payment".into(),
            highlights: vec![(0, 6), (9, 16)],
        };
        assert_eq!(s.marked("[", "]"), "[refund] a [payment]");
    }
}
