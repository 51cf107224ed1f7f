//! What a user types, parsed: words to rank by, and `facet:value` filters
//! (`kind:api owner:payments-team refund`).

use crate::tokenizer::{Run, runs};

/// The facets a query can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Facet {
    /// `component`, `api`, `group`, ..., `operation`, `schema`, `channel`,
    /// `message`, `docs`.
    Kind,
    /// The owning entity, by name (`payments-team`), namespace and name
    /// (`default/payments-team`) or ref (`group:default/payments-team`).
    Owner,
    Lifecycle,
    /// The API entity an operation, schema, channel or message belongs to
    /// (by name or ref).
    Api,
    /// `spec.type`.
    Type,
    Tag,
    /// The entity's system (by name or ref).
    System,
}

impl Facet {
    pub const ALL: [Facet; 7] = [
        Facet::Kind,
        Facet::Owner,
        Facet::Lifecycle,
        Facet::Api,
        Facet::Type,
        Facet::Tag,
        Facet::System,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Owner => "owner",
            Facet::Lifecycle => "lifecycle",
            Facet::Api => "api",
            Facet::Type => "type",
            Facet::Tag => "tag",
            Facet::System => "system",
        }
    }

    fn from_name(name: &str) -> Option<Facet> {
        Facet::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether values are entity references, matched by name or full ref.
    pub fn is_entity_ref(self) -> bool {
        matches!(self, Facet::Owner | Facet::Api | Facet::System)
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// The words to rank by (everything that is not a filter), as runs of
    /// the search tokenizer.
    pub runs: Vec<Run>,
    /// The text words, lower-cased and joined by single spaces: an exact
    /// name or title when the whole query is one.
    pub text: String,
    /// Filters, normalised (see [`normalise_value`]): a document must match
    /// one value of every facet given.
    pub filters: Vec<(Facet, Vec<String>)>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty() && self.filters.is_empty()
    }
}

/// A filter value as the index holds it: lower-cased; an entity reference
/// written as `kind:name` gains the default namespace, as refs do.
pub fn normalise_value(facet: Facet, value: &str) -> String {
    let value = value.to_lowercase();
    if facet.is_entity_ref()
        && let Some((kind, name)) = value.split_once(':')
        && !name.contains('/')
    {
        return format!("{kind}:default/{name}");
    }
    value
}

/// The longest query answered, in bytes. What people type into a search
/// box is a few words; the limit keeps the work of one query (and the
/// memory it takes) small whatever is sent.
pub const MAX_QUERY_BYTES: usize = 1024;

/// Most words (runs of letters and digits, see [`runs`]) a query may hold:
/// each is looked up in every text field, by prefix and with a typo.
pub const MAX_QUERY_WORDS: usize = 32;

/// The longest word of a query, in bytes: the index holds no longer one
/// (the tokenizer leaves longer runs out), and the cost of the typo and
/// prefix automata grows with it.
pub const MAX_WORD_BYTES: usize = crate::tokenizer::MAX_TOKEN_BYTES;

/// A query past one of the limits ([`MAX_QUERY_BYTES`],
/// [`MAX_QUERY_WORDS`], [`MAX_WORD_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    TooLong {
        bytes: usize,
    },
    TooManyWords {
        words: usize,
    },
    /// `start`: the word's first few characters (letters and digits only,
    /// safe to print).
    WordTooLong {
        bytes: usize,
        start: String,
    },
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::TooLong { bytes } => write!(
                f,
                "the query is too long ({bytes} bytes; search takes at most {MAX_QUERY_BYTES})"
            ),
            QueryError::TooManyWords { words } => write!(
                f,
                "the query has too many words ({words}; search takes at most {MAX_QUERY_WORDS})"
            ),
            QueryError::WordTooLong { bytes, start } => write!(
                f,
                "a word of the query is too long ({start}…, {bytes} bytes; no indexed word is longer than {MAX_WORD_BYTES})"
            ),
        }
    }
}

impl std::error::Error for QueryError {}

/// [`parse_query`] within the limits every search path shares (`portolan
/// search`, serve's `/_search`, [`crate::SearchIndex::search`]). The length
/// is checked before anything else is done with the text, so an over-long
/// query costs nothing.
pub fn parse_within_limits(query: &str) -> Result<ParsedQuery, QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong { bytes: query.len() });
    }
    let parsed = parse_query(query);
    if parsed.runs.len() > MAX_QUERY_WORDS {
        return Err(QueryError::TooManyWords {
            words: parsed.runs.len(),
        });
    }
    if let Some(run) = parsed.runs.iter().find(|r| r.whole.len() > MAX_WORD_BYTES) {
        return Err(QueryError::WordTooLong {
            bytes: run.whole.len(),
            start: run.whole.chars().take(16).collect(),
        });
    }
    Ok(parsed)
}

/// Parse a query: whitespace-separated words, where `facet:value` (a known
/// facet and a non-empty value) is a filter and everything else is text.
/// A word like `group:default/payments-team` whose prefix is no facet is
/// text. Several values of one facet are alternatives.
pub fn parse_query(query: &str) -> ParsedQuery {
    let mut text_words: Vec<&str> = Vec::new();
    let mut filters: Vec<(Facet, Vec<String>)> = Vec::new();
    for word in query.split_whitespace() {
        let filter = word.split_once(':').and_then(|(name, value)| {
            let facet = Facet::from_name(name)?;
            let value = value.trim_matches('"');
            (!value.is_empty()).then(|| (facet, normalise_value(facet, value)))
        });
        match filter {
            Some((facet, value)) => match filters.iter_mut().find(|(f, _)| *f == facet) {
                Some((_, values)) => {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                None => filters.push((facet, vec![value])),
            },
            None => text_words.push(word),
        }
    }
    filters.sort_by_key(|(facet, _)| *facet);
    let text = text_words.join(" ");
    ParsedQuery {
        runs: runs(&text),
        text: text.to_lowercase(),
        filters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &ParsedQuery) -> Vec<&str> {
        q.runs.iter().map(|r| r.whole.as_str()).collect()
    }

    #[test]
    fn facets_are_filters_and_the_rest_is_text() {
        let q = parse_query("kind:api owner:payments-team refund");
        assert_eq!(words(&q), ["refund"]);
        assert_eq!(q.text, "refund");
        assert_eq!(
            q.filters,
            [
                (Facet::Kind, vec!["api".to_string()]),
                (Facet::Owner, vec!["payments-team".to_string()]),
            ]
        );
    }

    #[test]
    fn facet_names_and_values_ignore_case_and_repeat_as_alternatives() {
        let q = parse_query("Kind:Operation KIND:schema kind:operation Refunds");
        assert_eq!(
            q.filters,
            [(
                Facet::Kind,
                vec!["operation".to_string(), "schema".to_string()]
            )]
        );
        assert_eq!(words(&q), ["refunds"]);
    }

    #[test]
    fn entity_refs_are_normalised_like_refs() {
        let q = parse_query(
            "owner:group:payments-team owner:group:default/Payments-Team owner:default/x api:payments-api",
        );
        assert_eq!(
            q.filters,
            [
                (
                    Facet::Owner,
                    vec![
                        "group:default/payments-team".to_string(),
                        "default/x".to_string()
                    ]
                ),
                (Facet::Api, vec!["payments-api".to_string()]),
            ]
        );
    }

    #[test]
    fn unknown_prefixes_empty_values_and_paths_stay_text() {
        let q = parse_query("group:default/payments-team kind: GET /v1/refunds");
        assert!(q.filters.is_empty());
        assert_eq!(
            words(&q),
            [
                "group", "default", "payments", "team", "kind", "get", "v1", "refunds"
            ]
        );
        assert_eq!(q.text, "group:default/payments-team kind: get /v1/refunds");
    }

    #[test]
    fn queries_past_the_limits_are_refused_before_they_cost_anything() {
        let word = "a".repeat(MAX_WORD_BYTES);
        assert!(parse_within_limits(&word).is_ok());
        let longer = format!("{word}b");
        assert_eq!(
            parse_within_limits(&format!("x {longer}")),
            Err(QueryError::WordTooLong {
                bytes: MAX_WORD_BYTES + 1,
                start: "a".repeat(16),
            })
        );
        // A long identifier is one run, however it splits.
        let camel = "listRefunds".repeat(6);
        assert!(matches!(
            parse_within_limits(&camel),
            Err(QueryError::WordTooLong { .. })
        ));
        let many = "ab ".repeat(MAX_QUERY_WORDS);
        assert!(parse_within_limits(&many).is_ok());
        assert_eq!(
            parse_within_limits(&format!("{many} ab")),
            Err(QueryError::TooManyWords {
                words: MAX_QUERY_WORDS + 1
            })
        );
        // Filters are not words, but count towards the length.
        let filters = "kind:api ".repeat(100);
        assert!(parse_within_limits(&filters).is_ok());
        let long = "x ".repeat(MAX_QUERY_BYTES);
        assert_eq!(
            parse_within_limits(&long),
            Err(QueryError::TooLong {
                bytes: 2 * MAX_QUERY_BYTES
            })
        );
        assert_eq!(
            QueryError::TooLong { bytes: 5000 }.to_string(),
            "the query is too long (5000 bytes; search takes at most 1024)"
        );
    }

    #[test]
    fn quoted_values_and_empty_queries() {
        let q = parse_query("lifecycle:\"production\"");
        assert_eq!(
            q.filters,
            [(Facet::Lifecycle, vec!["production".to_string()])]
        );
        assert!(parse_query("   ").is_empty());
        assert!(!parse_query("tag:java").is_empty());
    }
}
