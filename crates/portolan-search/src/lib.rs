//! portolan-search: the search stage. Turns the checked catalog into
//! [`SearchDoc`]s — entities, API operations, schemas, AsyncAPI channels and
//! messages, docs sections, each with a URL into the site ([`SiteUrls`]) and
//! facets — writes them into a tantivy index ([`write_index`], or
//! [`index_files`] to keep the files in memory), and answers queries over
//! it ([`SearchIndex::search`]): field boosts, type-ahead prefixes, typo
//! tolerance, `facet:value` filters and snippets.

pub mod client;
pub mod document;
pub mod index;
pub mod markdown;
pub mod query;
pub mod tokenizer;

pub use client::index_files as client_index_files;
pub use document::{ApiUrls, SearchDoc, SiteUrls, documents};
pub use index::{
    Error, Hit, IndexStats, SearchIndex, Snippet, index_files, open, search, write_index,
};
pub use query::{
    Facet, MAX_QUERY_BYTES, MAX_QUERY_WORDS, MAX_WORD_BYTES, ParsedQuery, QueryError, parse_query,
    parse_within_limits,
};
