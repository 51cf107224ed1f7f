//! `$ref` resolution and bundling over several files: the input is split
//! at `0xFF` bytes (never part of UTF-8 text) into a root definition and
//! up to three files it can reference (`./b.yaml`, `dir/c.json`,
//! `dir/d.yaml`), loaded from memory, bundled, validated and modelled as
//! `check` and `build` do.

use std::collections::BTreeMap;

use portolan_apis::load::{LoadLimits, RootDocument};
use portolan_core::source::MemorySource;
use portolan_core::yaml::{self, YamlLimits};
use serde_json::Value as Json;

use crate::invariants::{assert_diagnostics_placed, assert_span_in, same_json};

/// The file each part of the input becomes, in order.
pub const FILES: [&str; 4] = ["api.yaml", "b.yaml", "dir/c.json", "dir/d.yaml"];

/// Pointers into the bundle whose origin is looked up (each lookup walks
/// the source map and a file's tree).
const LOCATED: usize = 64;

pub fn ref_bundle(data: &[u8]) {
    let mut source = MemorySource::new();
    for (path, part) in FILES.iter().zip(data.splitn(FILES.len(), |&b| b == 0xFF)) {
        source.insert(path, part.to_vec());
    }
    let limits = LoadLimits {
        max_file_size: 1 << 20,
        yaml: YamlLimits::default(),
        max_files: FILES.len(),
        // Small, so short inputs reach the reference-depth limit (A015).
        max_reference_depth: 8,
    };
    let definition = portolan_apis::check_definition(&source, RootDocument::File(FILES[0]), limits);
    let files: BTreeMap<String, &str> = definition
        .files
        .iter()
        .map(|f| (f.path.clone(), f.text.as_str()))
        .collect();
    assert_diagnostics_placed(&definition.diagnostics, &files);
    let Some((set, bundled)) = &definition.spec else {
        return;
    };
    for pointer in pointers(&bundled.doc).into_iter().take(LOCATED) {
        let (file, span) = bundled.locate(set, &pointer);
        let text = files
            .get(&file)
            .unwrap_or_else(|| panic!("`{pointer}` located in `{file}`, which was not read"));
        assert_span_in(text, span, &pointer);
    }
    let json = bundled.to_json_string();
    let reparsed: Json = serde_json::from_str(&json).expect("the JSON bundle is JSON");
    assert!(
        same_json(&reparsed, &bundled.doc),
        "the JSON bundle changed"
    );
    // The YAML download reads back as the same document.
    let yaml_text = bundled.to_yaml_string();
    let stream = yaml::parse_stream(&yaml_text, YamlLimits::default());
    assert!(
        stream.errors.is_empty(),
        "the YAML bundle does not parse: {:?}\n{yaml_text}",
        stream.errors
    );
    let root = stream.documents.first().map(|d| d.root.to_json());
    assert!(
        root.as_ref().is_some_and(|r| same_json(r, &bundled.doc)),
        "the YAML bundle reads back as {root:?}, not {}",
        bundled.doc
    );
    let _ = definition.model();
}

/// JSON pointers of the bundle's nodes, breadth first.
fn pointers(doc: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([(String::new(), doc)]);
    while let Some((pointer, value)) = queue.pop_front() {
        if out.len() >= LOCATED {
            break;
        }
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    let escaped = yaml::escape_pointer_token(k);
                    queue.push_back((format!("{pointer}/{escaped}"), v));
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    queue.push_back((format!("{pointer}/{i}"), v));
                }
            }
            _ => {}
        }
        out.push(pointer);
    }
    out
}
