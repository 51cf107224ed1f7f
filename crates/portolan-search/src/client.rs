//! The client-side index: what the static site's search box queries in the
//! browser (`themes/default/assets/search.js`), built from the same
//! [`SearchDoc`]s as the tantivy index and ranked the same way, with no
//! server.
//!
//! A browser must not download the whole index before it can answer, so
//! the index is cut into small JSON files fetched as they are needed (all
//! paths under [`CLIENT_DIR`]):
//!
//! | file | what | fetched |
//! |---|---|---|
//! | `manifest.json` | document count, shard keys, bucket counts, the ranking constants, a content hash | when the search box is first focused |
//! | `t/<i>.json` | shards (a large one alone, small ones a few together): every term starting with a shard's key (the terms' first two characters), with the postings of rare terms and, for the others, the `p/` file and count of their postings | for each word of a query (and each camelCase part) |
//! | `p/<i>.json` | postings of terms next to each other in order (a frequent term alone) | for the terms a query reaches |
//! | `x/<i>.json` | exact names, titles and tags, by hash (see `Phrases`) | the one bucket of the query's text |
//! | `f/<facet>/<i>.json` | documents by facet value, for one hash bucket of values | when a query filters on that facet |
//! | `d/<i>.json` | kind, title, subtitle, URL, owner and API of [`CHUNK_DOCS`] documents | for the results shown |
//!
//! Terms are sharded by their first two characters rather than by a hash
//! so that a prefix — what someone has typed of a word so far — lives in
//! one shard: type-ahead and the typo-tolerant match look only there, and
//! typing on after two letters needs no new shard. (So a typo in the first
//! two characters is not found; the tantivy index finds it.) A shard is a
//! dictionary; postings of all but the rarest terms are fetched only for
//! the terms a query needs, and those a prefix or a typo reaches are
//! fetched up to a budget (`EXPANSION_BUDGET`).

//! Ranking is the tantivy index's ([`crate::index`]) computed ahead: for
//! every term and document the posting carries the sum over fields of the
//! field's boost times tantivy's own BM25 of the term in that field
//! (same document counts, field lengths and length encoding), and a mask
//! of the fields the term is in, from which the browser adds the constant
//! scores of prefix and typo matches per field. The browser then only adds
//! numbers: the sums tantivy makes, over the same query clauses.
//!
//! A posting's value is the weight (scaled by [`SCALE`] and rounded) times
//! 128 plus the field mask; a term's postings are a flat array of integers
//! (see `encode_postings`). Every object is written with sorted keys,
//! nothing depends on time or on hash iteration order: the same documents
//! give the same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25Weight;

use crate::document::SearchDoc;
use crate::query::Facet;
use crate::tokenizer::tokens;
// The field boosts (bit `i` of a posting's field mask is field `i`) and the
// query-side constants are the tantivy index's own, passed to the script in
// the manifest so the browser ranks as the server does.
use crate::index::{
    ALL_WORDS_SCORE, EXACT_SCORE, FUZZY_WEIGHT, MIN_FUZZY_CHARS, MIN_PREFIX_CHARS, PART_WEIGHT,
    PREFIX_WEIGHT, TAG_SCORE, TEXT_FIELDS as FIELDS,
};

/// The directory of the site the client index lives in.
pub const CLIENT_DIR: &str = "_search";

/// Version of the file layout, in the manifest: the script refuses what it
/// does not know.
const FORMAT: u32 = 1;

/// Weights are stored as integers: tenths of a point. Documents whose
/// scores differ by less than a few hundredths may come out in either
/// order.
pub const SCALE: f32 = 10.0;

/// Bits of the field mask in a posting's value.
const MASK_SPAN: u64 = 128;

/// A term with at most this many postings (most terms: names, numbers,
/// rare words) has them in its shard; the others are in `p/` files, so a
/// shard stays a small dictionary.
const INLINE_POSTINGS: usize = 4;

/// Terms with more postings are grouped, in order, into `p/` files of
/// about this size (a term with more has a file of its own): a word's
/// postings come with those of a few words next to it, and the terms a
/// prefix completes to are in a few files.
const BLOCK_BYTES: usize = 4 * 1024;

/// Documents per metadata file: the results shown need a few files, each
/// a few kilobytes.
pub const CHUNK_DOCS: usize = 8;

/// Postings of terms a query reaches only through a prefix or a typo (not
/// its words as written) that the script downloads at most, per query: a
/// two-letter prefix in a large catalog completes to thousands of terms.
/// Smaller terms first; what is left over is not matched.
const EXPANSION_BUDGET: usize = 12_000;

/// Consecutive shards smaller than this share a file of about this size.
const SHARD_FILE_BYTES: usize = 4 * 1024;

/// About this many bytes per file of exact names, titles and tags.
const PHRASE_BUCKET_BYTES: usize = 2 * 1024;

/// About this many bytes per facet bucket file.
const FACET_BUCKET_BYTES: usize = 16 * 1024;

#[derive(Serialize)]
struct Scoring {
    /// Field boosts, by mask bit.
    b: Vec<f32>,
    part: f32,
    prefix: f32,
    fuzzy: f32,
    #[serde(rename = "minPrefix")]
    min_prefix: usize,
    #[serde(rename = "minFuzzy")]
    min_fuzzy: usize,
    exact: f32,
    all: f32,
    tag: f32,
    scale: f32,
}

#[derive(Serialize)]
struct Manifest<'a> {
    /// Format version.
    v: u32,
    /// Hash of every other file: a version to fetch them by, so a browser
    /// never mixes files of two builds from its cache.
    h: String,
    /// Documents.
    n: usize,
    /// Documents per metadata file.
    c: usize,
    /// Shard keys: the keys of each file separated by spaces, the files by
    /// `|`; `t/<i>.json` is the `i`-th, an object with a [`Shard`] per
    /// key.
    s: String,
    /// Kinds, by the index metadata gives them.
    k: Vec<&'a str>,
    /// Facet name → number of bucket files.
    f: BTreeMap<&'static str, usize>,
    /// Number of files of exact names, titles and tags.
    x: usize,
    /// Expansion budget (postings).
    e: usize,
    w: Scoring,
}

#[derive(Serialize, Default)]
struct Shard {
    /// Term → postings (see [`encode_postings`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    t: BTreeMap<String, Vec<u64>>,
    /// Term → [postings file, number of postings]; the file maps terms to
    /// postings.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    r: BTreeMap<String, [u64; 2]>,
}

/// Exact names, titles and tags, by the hash of the text lower-cased
/// ([`fnv1a32`], in base 36): a bucket holds those whose hash is its
/// number modulo the bucket count. Titles are often sentences: their
/// hashes take a fraction of their bytes; and a query needs the one bucket
/// of its text. A text sharing its hash with another could lend it its
/// score, but only to a document that has every word of the query anyway
/// (as a document whose name is the query has): the script adds these
/// scores to no other.
#[derive(Serialize, Default)]
struct Phrases {
    /// A name or title → documents (delta-encoded).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    x: BTreeMap<String, Vec<u64>>,
    /// A tag → documents (delta-encoded).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    g: BTreeMap<String, Vec<u64>>,
}

/// The shard a term belongs to: its first two characters.
fn shard_key(term: &str) -> String {
    term.chars().take(2).collect()
}

/// `n` in base 36, as JavaScript's `n.toString(36)` writes it.
fn base36(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// The text values of field `i` of a document (see [`FIELDS`]).
fn field_values(doc: &SearchDoc, field: usize) -> Vec<&str> {
    match field {
        0 => doc.names.iter().map(String::as_str).collect(),
        1 => vec![doc.title.as_str()],
        2 => doc.tags.iter().map(String::as_str).collect(),
        3 => vec![doc.subtitle.as_str()],
        4 => vec![doc.summary.as_str()],
        5 => doc.keywords.iter().map(String::as_str).collect(),
        _ => vec![doc.body.as_str()],
    }
}

/// One occurrence of a term: document, field, term frequency.
struct Occurrence {
    doc: u32,
    field: u8,
    tf: u32,
}

/// Every term's postings, with weights: term → [(document, value)], in
/// document order.
fn weighted_postings(docs: &[SearchDoc]) -> BTreeMap<String, Vec<(u32, u64)>> {
    let mut occurrences: HashMap<String, Vec<Occurrence>> = HashMap::new();
    // Field lengths in tokens, as tantivy counts them (every token of
    // every value, parts included).
    let mut norms: Vec<[u32; 7]> = Vec::with_capacity(docs.len());
    let mut total_tokens = [0u64; 7];
    for (n, doc) in docs.iter().enumerate() {
        let mut doc_norms = [0u32; 7];
        for (field, norm) in doc_norms.iter_mut().enumerate() {
            let mut tf: BTreeMap<String, u32> = BTreeMap::new();
            for value in field_values(doc, field) {
                for token in tokens(value) {
                    *norm += 1;
                    *tf.entry(token.text).or_default() += 1;
                }
            }
            total_tokens[field] += u64::from(*norm);
            for (term, tf) in tf {
                occurrences.entry(term).or_default().push(Occurrence {
                    doc: n as u32,
                    field: field as u8,
                    tf,
                });
            }
        }
        norms.push(doc_norms);
    }
    let num_docs = docs.len() as u64;
    let average: Vec<f32> = total_tokens
        .iter()
        .map(|&t| t as f32 / num_docs.max(1) as f32)
        .collect();
    let mut out = BTreeMap::new();
    for (term, list) in occurrences {
        let mut doc_freq = [0u64; 7];
        for o in &list {
            doc_freq[o.field as usize] += 1;
        }
        let weights: Vec<Option<Bm25Weight>> = (0..FIELDS.len())
            .map(|f| {
                (doc_freq[f] > 0).then(|| {
                    Bm25Weight::for_one_term_without_explain(doc_freq[f], num_docs, average[f])
                        .boost_by(FIELDS[f].1)
                })
            })
            .collect();
        let mut postings: Vec<(u32, u64)> = Vec::new();
        let mut current: Option<(u32, f32, u64)> = None;
        let mut flush = |current: Option<(u32, f32, u64)>| {
            if let Some((doc, weight, mask)) = current {
                let scaled = (weight * SCALE).round().max(0.0) as u64;
                postings.push((doc, scaled * MASK_SPAN + mask));
            }
        };
        for o in &list {
            let field = o.field as usize;
            let fieldnorm_id = FieldNormReader::fieldnorm_to_id(norms[o.doc as usize][field]);
            let score = weights[field]
                .as_ref()
                .map_or(0.0, |w| w.score(fieldnorm_id, o.tf));
            match &mut current {
                Some((doc, weight, mask)) if *doc == o.doc => {
                    *weight += score;
                    *mask |= 1 << field;
                }
                _ => {
                    flush(current.take());
                    current = Some((o.doc, score, 1 << field));
                }
            }
        }
        flush(current);
        out.insert(term, postings);
    }
    out
}

/// Decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// A term's postings as one array: `k`, then the `k` distinct values (most
/// frequent first), then per document `delta * k + index`, where `delta`
/// is the document's number (the first) or its distance from the previous
/// one, and `index` that of its value. A frequent term's documents are
/// close together and have few distinct values: most postings take two or
/// three digits.
fn encode_postings(postings: &[(u32, u64)]) -> Vec<u64> {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for &(_, value) in postings {
        *counts.entry(value).or_default() += 1;
    }
    let mut table: Vec<(usize, u64)> = counts.into_iter().map(|(v, c)| (c, v)).collect();
    table.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let k = table.len() as u64;
    let index: HashMap<u64, u64> = table
        .iter()
        .enumerate()
        .map(|(i, &(_, v))| (v, i as u64))
        .collect();
    let mut out = Vec::with_capacity(1 + table.len() + postings.len());
    out.push(k);
    out.extend(table.iter().map(|&(_, v)| v));
    let mut previous = 0;
    for &(doc, value) in postings {
        out.push(u64::from(doc - previous) * k + index[&value]);
        previous = doc;
    }
    out
}

/// Sorted document numbers as differences.
fn encode_docs(docs: &BTreeSet<u32>) -> Vec<u64> {
    let mut previous = 0;
    docs.iter()
        .map(|&d| {
            let delta = d - previous;
            previous = d;
            u64::from(delta)
        })
        .collect()
}

/// Sorted document numbers as runs: `[start, length, gap, length, ...]`
/// (a gap counted from the end of the previous run). An entity's documents
/// are consecutive, so a facet value is a few runs.
fn encode_runs(docs: &BTreeSet<u32>) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    let mut end = 0u32;
    let mut run: Option<(u32, u32)> = None;
    for &d in docs {
        match &mut run {
            Some((_, len)) if d == end => {
                *len += 1;
            }
            _ => {
                if let Some((start, len)) = run {
                    out.push(u64::from(start));
                    out.push(u64::from(len));
                }
                run = Some((d - end, 1));
            }
        }
        end = d + 1;
    }
    if let Some((start, len)) = run {
        out.push(u64::from(start));
        out.push(u64::from(len));
    }
    out
}

/// 32-bit FNV-1a: the facet bucket of a value (the script computes the
/// same over the value's UTF-8 bytes).
fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

fn fnv1a64(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// What a facet value is bucketed by: the part after the last `/`, which
/// every way of writing an entity reference shares
/// (`group:default/payments-team`, `default/payments-team`,
/// `payments-team`).
fn bucket_text(value: &str) -> &str {
    value.rsplit('/').next().unwrap_or(value)
}

/// The values a document has for a facet, as the tantivy index holds them
/// (lower-cased; entity references whole: the script matches every way of
/// writing them, as [`crate::index`]'s facet fields hold them).
fn facet_values(doc: &SearchDoc, facet: Facet) -> Vec<String> {
    let lower = |v: &Option<String>| v.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>();
    match facet {
        Facet::Kind => vec![doc.kind.to_lowercase()],
        Facet::Owner => lower(&doc.owner),
        Facet::Lifecycle => lower(&doc.lifecycle),
        Facet::Type => lower(&doc.spec_type),
        Facet::System => lower(&doc.system),
        Facet::Tag => doc.tags.iter().map(|t| t.to_lowercase()).collect(),
        Facet::Api => match &doc.api {
            // The API's name, and its ref (an API's documents are its own).
            Some(api) => {
                let api = api.to_lowercase();
                let entity = doc.entity.to_lowercase();
                if bucket_text(&entity) == api && entity.contains(':') {
                    vec![entity]
                } else {
                    vec![api, entity]
                }
            }
            None => Vec::new(),
        },
    }
}

/// Characters two strings share at their start, counted in UTF-16 code
/// units (how the script slices strings).
fn shared_prefix_utf16(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(c, _)| c.len_utf16())
        .sum()
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain structs, maps, strings and numbers cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// The client index of `docs` as files: site-relative path (under
/// [`CLIENT_DIR`]) → bytes. The same documents give the same bytes.
pub fn index_files(docs: &[SearchDoc]) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let path = |rest: String| format!("{CLIENT_DIR}/{rest}");

    // Terms, by shard; postings inline, or in blocks of terms in order (a
    // frequent term alone).
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    let mut blocks: Vec<BTreeMap<String, Vec<u64>>> = Vec::new();
    let mut block: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut block_bytes = 0;
    for (term, postings) in weighted_postings(docs) {
        let shard = shards.entry(shard_key(&term)).or_default();
        let count = postings.len() as u64;
        let postings = encode_postings(&postings);
        if count <= INLINE_POSTINGS as u64 {
            shard.t.insert(term, postings);
            continue;
        }
        let bytes = term.len() + 4 + postings.iter().map(|&n| digits(n) + 1).sum::<usize>();
        if block_bytes + bytes > BLOCK_BYTES && !block.is_empty() {
            blocks.push(std::mem::take(&mut block));
            block_bytes = 0;
        }
        // The open block is the next to be pushed.
        shard.r.insert(term.clone(), [blocks.len() as u64, count]);
        block.insert(term, postings);
        block_bytes += bytes;
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    for (i, block) in blocks.iter().enumerate() {
        files.insert(path(format!("p/{i}.json")), to_json(block));
    }

    // Exact names and titles, and tags: hash → documents, in buckets.
    let mut exact: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    let mut tags: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for (n, doc) in docs.iter().enumerate() {
        for text in doc.names.iter().chain([&doc.title]) {
            if !text.is_empty() {
                let hash = fnv1a32(text.to_lowercase().as_bytes());
                exact.entry(hash).or_default().insert(n as u32);
            }
        }
        for tag in &doc.tags {
            let hash = fnv1a32(tag.to_lowercase().as_bytes());
            tags.entry(hash).or_default().insert(n as u32);
        }
    }
    let phrase_bytes: usize = exact
        .values()
        .chain(tags.values())
        .map(|set| 10 + set.len() * 4)
        .sum();
    let phrase_buckets = phrase_bytes
        .div_ceil(PHRASE_BUCKET_BYTES)
        .clamp(1, 1 << 16)
        .next_power_of_two();
    let mut phrases: Vec<Phrases> = (0..phrase_buckets).map(|_| Phrases::default()).collect();
    for (hash, set) in exact {
        phrases[hash as usize % phrase_buckets]
            .x
            .insert(base36(hash), encode_docs(&set));
    }
    for (hash, set) in tags {
        phrases[hash as usize % phrase_buckets]
            .g
            .insert(base36(hash), encode_docs(&set));
    }
    for (i, bucket) in phrases.iter().enumerate() {
        files.insert(path(format!("x/{i}.json")), to_json(bucket));
    }

    // Shards, in files of a few consecutive shards (a small catalog has
    // hundreds of shards of a few terms each).
    let mut groups: Vec<Vec<&str>> = Vec::new();
    let mut group: BTreeMap<&str, &Shard> = BTreeMap::new();
    let mut group_bytes = 0;
    for (key, shard) in &shards {
        let bytes = to_json(shard).len() + key.len() + 4;
        if group_bytes + bytes > SHARD_FILE_BYTES && !group.is_empty() {
            files.insert(path(format!("t/{}.json", groups.len())), to_json(&group));
            groups.push(group.keys().copied().collect());
            group.clear();
            group_bytes = 0;
        }
        group.insert(key, shard);
        group_bytes += bytes;
    }
    if !group.is_empty() {
        files.insert(path(format!("t/{}.json", groups.len())), to_json(&group));
        groups.push(group.keys().copied().collect());
    }

    // Facets, in hash buckets.
    let mut facet_buckets: BTreeMap<&'static str, usize> = BTreeMap::new();
    for facet in Facet::ALL {
        let mut values: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for (n, doc) in docs.iter().enumerate() {
            for value in facet_values(doc, facet) {
                values.entry(value).or_default().insert(n as u32);
            }
        }
        let encoded: Vec<(String, Vec<u64>)> = values
            .into_iter()
            .map(|(value, set)| (value, encode_runs(&set)))
            .collect();
        let bytes: usize = encoded.iter().map(|(v, r)| v.len() + 8 + r.len() * 4).sum();
        let buckets = bytes
            .div_ceil(FACET_BUCKET_BYTES)
            .clamp(1, 256)
            .next_power_of_two();
        let mut contents: Vec<BTreeMap<String, Vec<u64>>> = vec![BTreeMap::new(); buckets];
        for (value, runs) in encoded {
            let bucket = fnv1a32(bucket_text(&value).as_bytes()) as usize % buckets;
            contents[bucket].insert(value, runs);
        }
        for (i, content) in contents.iter().enumerate() {
            files.insert(
                path(format!("f/{}/{i}.json", facet.name())),
                to_json(content),
            );
        }
        facet_buckets.insert(facet.name(), buckets);
    }

    // Metadata, in chunks.
    let kinds: Vec<&str> = docs
        .iter()
        .map(|d| d.kind.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (i, chunk) in docs.chunks(CHUNK_DOCS).enumerate() {
        let mut previous_url = "";
        let entries: Vec<Vec<serde_json::Value>> = chunk
            .iter()
            .map(|doc| {
                let kind = kinds.binary_search(&doc.kind.as_str()).unwrap_or(0);
                let shared = shared_prefix_utf16(previous_url, &doc.url);
                // `shared` ends between two characters: nothing is lost.
                let suffix = String::from_utf16_lossy(
                    &doc.url.encode_utf16().skip(shared).collect::<Vec<_>>(),
                );
                previous_url = &doc.url;
                let mut entry: Vec<serde_json::Value> = vec![
                    kind.into(),
                    doc.title.clone().into(),
                    doc.subtitle.clone().into(),
                    shared.into(),
                    suffix.into(),
                    doc.owner.clone().unwrap_or_default().into(),
                    doc.api.clone().unwrap_or_default().into(),
                ];
                while entry.last().is_some_and(|v| v.as_str() == Some("")) {
                    entry.pop();
                }
                entry
            })
            .collect();
        files.insert(path(format!("d/{i}.json")), to_json(&entries));
    }

    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for (name, bytes) in &files {
        fnv1a64(&mut hash, name.as_bytes());
        fnv1a64(&mut hash, &[0]);
        fnv1a64(&mut hash, bytes);
        fnv1a64(&mut hash, &[0]);
    }
    let manifest = Manifest {
        v: FORMAT,
        h: format!("{hash:016x}"),
        n: docs.len(),
        c: CHUNK_DOCS,
        s: groups
            .iter()
            .map(|keys| keys.join(" "))
            .collect::<Vec<_>>()
            .join("|"),
        k: kinds,
        f: facet_buckets,
        x: phrase_buckets,
        e: EXPANSION_BUDGET,
        w: Scoring {
            b: FIELDS.iter().map(|&(_, boost)| boost).collect(),
            part: PART_WEIGHT,
            prefix: PREFIX_WEIGHT,
            fuzzy: FUZZY_WEIGHT,
            min_prefix: MIN_PREFIX_CHARS,
            min_fuzzy: MIN_FUZZY_CHARS,
            exact: EXACT_SCORE,
            all: ALL_WORDS_SCORE,
            tag: TAG_SCORE,
            scale: SCALE,
        },
    };
    files.insert(path("manifest.json".to_string()), to_json(&manifest));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What search.js's `each` does.
    fn decode_postings(list: &[u64]) -> Vec<(u32, u64)> {
        let k = list[0];
        let mut doc = 0;
        list[1 + k as usize..]
            .iter()
            .map(|&n| {
                doc += (n / k) as u32;
                (doc, list[1 + (n % k) as usize])
            })
            .collect()
    }

    #[test]
    fn postings_keep_their_documents_and_values() {
        let postings = [(3, 700), (4, 129), (9, 700), (40, 700), (41, 5)];
        let encoded = encode_postings(&postings);
        // The most frequent value first, then the others by value.
        assert_eq!(encoded[..4], [3, 700, 5, 129]);
        assert_eq!(encoded[4..], [3 * 3, 3 + 2, 5 * 3, 31 * 3, 3 + 1]);
        assert_eq!(decode_postings(&encoded), postings);
    }

    #[test]
    fn documents_as_differences_and_as_runs() {
        let docs: BTreeSet<u32> = [0, 1, 2, 5, 6, 9].into();
        assert_eq!(encode_docs(&docs), [0, 1, 1, 3, 1, 3]);
        assert_eq!(encode_runs(&docs), [0, 3, 2, 2, 2, 1]);
        assert_eq!(encode_runs(&[4].into()), [4, 1]);
        assert!(encode_runs(&BTreeSet::new()).is_empty());
    }

    #[test]
    fn hashes_and_numbers_are_written_as_the_script_computes_them() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        // (4294967295).toString(36)
        assert_eq!(base36(u32::MAX), "1z141z3");
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
    }

    #[test]
    fn shards_and_buckets() {
        assert_eq!(shard_key("refund"), "re");
        assert_eq!(shard_key("a"), "a");
        assert_eq!(shard_key("ünïcode"), "ün");
        assert_eq!(bucket_text("group:default/payments-team"), "payments-team");
        assert_eq!(bucket_text("payments-team"), "payments-team");
        // JavaScript slices strings in UTF-16 code units.
        assert_eq!(shared_prefix_utf16("aé𝄞x", "aé𝄞y"), 4);
        assert_eq!(shared_prefix_utf16("abc", "abc"), 3);
    }

    #[test]
    fn an_api_s_documents_are_found_by_its_name_and_ref() {
        let doc = SearchDoc {
            kind: "operation".into(),
            title: String::new(),
            names: Vec::new(),
            subtitle: String::new(),
            summary: String::new(),
            tags: vec!["PCI-DSS".into()],
            keywords: Vec::new(),
            body: String::new(),
            url: String::new(),
            entity: "API:default/Payments-API".into(),
            owner: Some("group:default/payments-team".into()),
            lifecycle: Some("Production".into()),
            spec_type: None,
            system: None,
            api: Some("Payments-API".into()),
        };
        assert_eq!(facet_values(&doc, Facet::Api), ["api:default/payments-api"]);
        assert_eq!(facet_values(&doc, Facet::Tag), ["pci-dss"]);
        assert_eq!(facet_values(&doc, Facet::Lifecycle), ["production"]);
        assert!(facet_values(&doc, Facet::Type).is_empty());
    }
}
