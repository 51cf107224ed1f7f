//! Parsing a loaded file's YAML and reporting the parser's findings as
//! diagnostics: one place for every stage that reads YAML or JSON
//! (descriptors, substituted files, API definitions).

use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::files::SourceFile;
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

/// Parse every document of `file`, pushing its YAML errors to `diagnostics`.
pub fn parse_file(
    file: &SourceFile,
    limits: YamlLimits,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Document> {
    let stream = yaml::parse_stream(&file.text, limits);
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
