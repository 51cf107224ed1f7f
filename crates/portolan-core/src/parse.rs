//! Parsing a loaded file's YAML and reporting the parser's findings as
//! diagnostics: one place for every stage that reads YAML or JSON
//! (descriptors, substituted files, API definitions).

use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::files::SourceFile;
use crate::json;
use crate::yaml::{self, Document, YamlErrorKind, YamlLimits};
use crate::yaml_chunks;

/// The registry code of a YAML error.
pub fn yaml_code(kind: YamlErrorKind) -> &'static Code {
    match kind {
        YamlErrorKind::Syntax => &codes::YAML_SYNTAX,
        YamlErrorKind::DuplicateKey => &codes::DUPLICATE_KEY,
        YamlErrorKind::AliasLimit => &codes::ALIAS_LIMIT,
        YamlErrorKind::TooDeep => &codes::TOO_DEEP,
        YamlErrorKind::ComplexKey => &codes::COMPLEX_KEY,
        YamlErrorKind::ControlCharacter => &codes::CONTROL_CHARACTER,
        YamlErrorKind::TooManyDocuments => &codes::TOO_MANY_DOCUMENTS,
    }
}

/// Parse every document of a file's text: as strict JSON when it is that
/// (the fast reader, whatever the file's name: a `.yaml` file may hold
/// JSON, and a `.json` one YAML), else as YAML. Both give the same tree
/// and findings for JSON text; text the JSON reader does not take (a
/// syntax error, a control character, nesting past the limit) gets the
/// YAML reader's diagnostics, as it always did.
///
/// YAML of [`PARALLEL_BYTES`] or more is first parsed in chunks on every
/// core ([`yaml_chunks::parse_parallel`]), which gives the same tree when it
/// gives one; when it cannot vouch for its result (anchors, flow style at
/// the top, any error), the text is parsed whole, which also reports the
/// errors.
pub fn parse_text(text: &str, limits: YamlLimits) -> yaml::ParsedStream {
    if let Some(stream) = json::parse_json(text, limits) {
        return stream;
    }
    if text.len() >= PARALLEL_BYTES
        && rayon::current_num_threads() > 1
        && let Some(documents) = yaml_chunks::parse_parallel(text, limits)
    {
        return yaml::ParsedStream {
            documents,
            errors: Vec::new(),
        };
    }
    yaml::parse_stream(text, limits)
}

/// YAML texts this long are parsed in chunks on every core: the 4 MB
/// Stripe definition took 70 ms on one. Below, chunking costs more than
/// it saves.
pub const PARALLEL_BYTES: usize = 256 * 1024;

/// Parse every document of `file`, pushing its YAML errors to `diagnostics`.
pub fn parse_file(
    file: &SourceFile,
    limits: YamlLimits,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Document> {
    let stream = parse_text(&file.text, limits);
    for error in stream.errors {
        let mut d =
            Diagnostic::new(yaml_code(error.kind), error.message).at(&file.path, error.span);
        if let Some(first) = error.related {
            d = d.with_related(&file.path, first, "first defined here");
        }
        if error.kind == YamlErrorKind::TooManyDocuments {
            d = d.with_help("split the file, or raise `max_documents_per_file` under `[limits]` in portolan.toml");
        }
        if error.kind == YamlErrorKind::Syntax && file.text[error.span.range()].contains('\t') {
            d = d.with_help("YAML does not allow tabs for indentation; use spaces");
        }
        diagnostics.push(d);
    }
    stream.documents
}
