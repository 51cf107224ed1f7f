//! How text becomes terms, for indexing and for queries alike: lower-cased
//! runs of letters and digits, with identifiers also split at case changes.
//!
//! A catalog is full of identifiers — `listRefunds`, `payment_method_id`,
//! `HTTPServer` — and people search for the words in them. So a run like
//! `listRefunds` is indexed as the whole (`listrefunds`, for someone who
//! types it as one word) and as its parts (`list`, `refunds`). `snake_case`
//! and `kebab-case` split on their separators like any other punctuation.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name the tokenizer is registered under in the index.
pub const TOKENIZER_NAME: &str = "portolan";

/// Longer runs (base64, hashes, minified text) are not words anyone types:
/// they are left out rather than bloat the term dictionary.
pub const MAX_TOKEN_BYTES: usize = 64;

/// One run of letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The whole run, lower-cased.
    pub whole: String,
    /// Its parts split at case changes; empty when the run is a single
    /// part.
    pub parts: Vec<Part>,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
}

/// A part of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Lower-cased.
    pub text: String,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
}

/// Where a new part starts inside a run: lower or digit → upper
/// (`listRefunds`, `v1Orders`), and the last capital of an acronym that a
/// lower-case letter follows (`HTTPServer` → `HTTP`, `Server`).
fn part_starts(chars: &[(usize, char)]) -> Vec<usize> {
    let mut starts = vec![0];
    for i in 1..chars.len() {
        let prev = chars[i - 1].1;
        let cur = chars[i].1;
        let next = chars.get(i + 1).map(|c| c.1);
        let lower_to_upper = (prev.is_lowercase() || prev.is_numeric()) && cur.is_uppercase();
        let acronym_end =
            prev.is_uppercase() && cur.is_uppercase() && next.is_some_and(char::is_lowercase);
        if lower_to_upper || acronym_end {
            starts.push(i);
        }
    }
    starts
}

/// The runs of `text`, in order.
pub fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut chars: Vec<(usize, char)> = Vec::new();
    let mut flush = |chars: &mut Vec<(usize, char)>, end: usize| {
        if chars.is_empty() {
            return;
        }
        let start = chars[0].0;
        let whole = text[start..end].to_lowercase();
        let starts = part_starts(chars);
        let parts = if starts.len() > 1 {
            starts
                .iter()
                .enumerate()
                .map(|(n, &i)| {
                    let from = chars[i].0;
                    let to = starts.get(n + 1).map_or(end, |&j| chars[j].0);
                    Part {
                        text: text[from..to].to_lowercase(),
                        start: from,
                        end: to,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(Run {
            whole,
            parts,
            start,
            end,
        });
        chars.clear();
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            chars.push((i, c));
        } else {
            flush(&mut chars, i);
        }
    }
    flush(&mut chars, text.len());
    out
}

/// The tokens of `text`: for each run the whole run, then its parts (at the
/// same position as the whole, so a phrase over parts still lines up).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut position = 0;
    for run in runs(text) {
        if run.whole.len() > MAX_TOKEN_BYTES {
            continue;
        }
        out.push(Token {
            offset_from: run.start,
            offset_to: run.end,
            position,
            text: run.whole.clone(),
            position_length: run.parts.len().max(1),
        });
        for (n, part) in run.parts.iter().enumerate() {
            out.push(Token {
                offset_from: part.start,
                offset_to: part.end,
                position: position + n,
                text: part.text.clone(),
                position_length: 1,
            });
        }
        position += run.parts.len().max(1);
    }
    out
}

/// The tantivy side of [`tokens`].
#[derive(Debug, Clone, Default)]
pub struct IdentifierTokenizer;

pub struct IdentifierTokenStream {
    tokens: Vec<Token>,
    /// Index of the current token plus one; 0 before the first advance.
    next: usize,
    empty: Token,
}

impl Tokenizer for IdentifierTokenizer {
    type TokenStream<'a> = IdentifierTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdentifierTokenStream {
        IdentifierTokenStream {
            tokens: tokens(text),
            next: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for IdentifierTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next {
            0 => &self.empty,
            n => &self.tokens[n - 1],
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next {
            0 => &mut self.empty,
            n => &mut self.tokens[n - 1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn camel_case_is_indexed_whole_and_in_parts() {
        assert_eq!(texts("listRefunds"), ["listrefunds", "list", "refunds"]);
        assert_eq!(
            texts("HTTPServerError"),
            ["httpservererror", "http", "server", "error"]
        );
        assert_eq!(texts("getV1Orders"), ["getv1orders", "get", "v1", "orders"]);
    }

    #[test]
    fn separators_split_snake_and_kebab_case_and_paths() {
        assert_eq!(texts("list_refunds"), ["list", "refunds"]);
        assert_eq!(texts("payments-gateway"), ["payments", "gateway"]);
        assert_eq!(
            texts("GET /v1/refunds/{refundId}"),
            ["get", "v1", "refunds", "refundid", "refund", "id"]
        );
        assert_eq!(
            texts("group:default/team-payments"),
            ["group", "default", "team", "payments"]
        );
    }

    #[test]
    fn words_are_lower_cased_and_plain_words_stay_whole() {
        assert_eq!(texts("Payments API"), ["payments", "api"]);
        assert_eq!(texts("Größe Ünïcode"), ["größe", "ünïcode"]);
        assert_eq!(texts("PCI-DSS tier:1"), ["pci", "dss", "tier", "1"]);
        assert!(texts("  —  ").is_empty());
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let text = "the listRefunds call";
        for token in tokens(text) {
            assert_eq!(
                text[token.offset_from..token.offset_to].to_lowercase(),
                token.text
            );
        }
        let parts: Vec<(usize, usize)> = tokens("aB")
            .iter()
            .map(|t| (t.offset_from, t.offset_to))
            .collect();
        assert_eq!(parts, [(0, 2), (0, 1), (1, 2)]);
    }

    #[test]
    fn parts_share_the_position_of_their_whole() {
        let positions: Vec<(String, usize)> = tokens("createRefund now")
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        assert_eq!(
            positions,
            [
                ("createrefund".to_string(), 0),
                ("create".to_string(), 0),
                ("refund".to_string(), 1),
                ("now".to_string(), 2),
            ]
        );
    }

    #[test]
    fn very_long_runs_are_left_out() {
        let blob = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(texts(&format!("x {blob} y")), ["x", "y"]);
    }
}
