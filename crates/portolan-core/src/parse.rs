//! Parsing a loaded file's YAML and reporting the parser's findings as
//! diagnostics: one place for every stage that reads YAML or JSON
//! (descriptors, substituted files, API definitions).

use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::files::SourceFile;
use crate::json;
use crate::yaml::{self, Document, YamlErrorKind, YamlLimits};

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
pub fn parse_text(text: &str, limits: YamlLimits) -> yaml::ParsedStream {
    json::parse_json(text, limits).unwrap_or_else(|| yaml::parse_stream(text, limits))
}

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
