//! A `.json` API definition through the loader every definition takes
//! (`portolan_apis::load`), and the promises that make that sound: text
//! that is JSON reads, as YAML, as the same value a JSON parser reads; and
//! where the fast JSON reader takes the text (as the loader then does),
//! it reads the same tree, spans and findings as the YAML reader.

use std::collections::BTreeMap;

use portolan_apis::load::{self, LoadLimits, RootDocument};
use portolan_core::source::MemorySource;
use portolan_core::yaml::{YamlErrorKind, YamlLimits};
use serde_json::Value as Json;

use crate::invariants::{
    assert_diagnostics_placed, assert_json_reader_agrees, assert_tree_spans, same_json,
};
use crate::yaml_spans::TIGHT;

const PATH: &str = "openapi.json";

pub fn json_load(data: &[u8]) {
    let source = MemorySource::new().with_file(PATH, data.to_vec());
    let loaded = load::load(&source, RootDocument::File(PATH), LoadLimits::default());
    let files: BTreeMap<String, &str> = loaded
        .files
        .iter()
        .map(|f| (f.path.clone(), f.text.as_str()))
        .collect();
    assert_diagnostics_placed(&loaded.diagnostics, &files);
    if let Some(set) = &loaded.spec {
        for spec_file in set.files.values() {
            assert_tree_spans(&spec_file.file.text, &spec_file.root);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        same_as_json_parser(text);
        for limits in [YamlLimits::default(), TIGHT] {
            assert_json_reader_agrees(text, limits);
        }
    }
}

/// Where a JSON parser accepts the text, the loader's reading of it (the
/// JSON reader, or YAML for what that one declines) is the same value, or
/// says why not with a limit of its own (depth, duplicate keys, which
/// JSON leaves to the reader).
fn same_as_json_parser(text: &str) {
    let Ok(expected) = serde_json::from_str::<Json>(text) else {
        return;
    };

    let stream = portolan_core::parse::parse_text(text, YamlLimits::default());
    if stream
        .errors
        .iter()
        .any(|e| matches!(e.kind, YamlErrorKind::DuplicateKey | YamlErrorKind::TooDeep))
    {
        return;
    }
    assert!(
        stream.errors.is_empty(),
        "valid JSON rejected by the loader: {:?}",
        stream.errors
    );
    assert_eq!(
        stream.documents.len(),
        1,
        "one JSON text is one YAML document"
    );
    let got = stream.documents[0].root.to_json();
    assert!(
        same_json(&got, &expected),
        "the loader read {got} where JSON reads {expected}"
    );
}
