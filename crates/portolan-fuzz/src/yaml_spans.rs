//! The spanned YAML loader (`portolan_core::yaml`), as every descriptor,
//! substituted file and API definition is read: multi-document streams,
//! recovery after broken documents, control characters, depth and alias
//! limits, and the diagnostics rendered with code frames.

use std::collections::BTreeMap;
use std::sync::Arc;

use portolan_core::files::{FileSet, SourceFile};
use portolan_core::render;
use portolan_core::yaml::{self, Node, Value, YamlLimits};

use crate::invariants::{assert_diagnostics_placed, assert_span_in, assert_tree_spans};

/// Limits small enough that short inputs reach them.
pub(crate) const TIGHT: YamlLimits = YamlLimits {
    max_depth: 6,
    max_alias_nodes: 40,
    max_alias_bytes: 256,
    max_documents: 4,
};

pub fn yaml_spans(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for limits in [YamlLimits::default(), TIGHT] {
        check_stream(&text, limits);
    }
    check_rendered(&text);
}

fn check_stream(text: &str, limits: YamlLimits) {
    let stream = yaml::parse_stream(text, limits);
    for error in &stream.errors {
        assert_span_in(text, error.span, &error.message);
        if let Some(related) = error.related {
            assert_span_in(text, related, &error.message);
        }
    }
    let mut previous = None;
    for document in &stream.documents {
        assert!(
            previous.is_none_or(|p| p < document.index),
            "document indices must increase: {previous:?} then {}",
            document.index
        );
        previous = Some(document.index);
        assert_tree_spans(text, &document.root);
        let (nodes, value_bytes, depth) = measure(&document.root);
        // What the text itself can make (a one-byte `-` is a sequence and
        // its null item), plus at most the limits' worth of alias copies.
        let from_text = 2 * text.len() + 4;
        assert!(
            nodes <= from_text + limits.max_alias_nodes,
            "{nodes} nodes from {} bytes with an alias limit of {}",
            text.len(),
            limits.max_alias_nodes
        );
        // Escapes can grow text (`\L` is 2 bytes written, 3 read).
        assert!(
            value_bytes <= from_text + limits.max_alias_bytes,
            "{value_bytes} bytes of strings from {} bytes with an alias limit of {}",
            text.len(),
            limits.max_alias_bytes
        );
        // The root is depth 1; a scalar under the deepest collection one more.
        assert!(
            depth <= limits.max_depth + 1,
            "nesting {depth} past the limit {}",
            limits.max_depth
        );
    }
}

/// Nodes, bytes of string values and depth of a tree.
fn measure(root: &Node) -> (usize, usize, usize) {
    let (mut nodes, mut bytes, mut depth) = (0, 0, 0);
    let mut stack = vec![(root, 1)];
    while let Some((node, level)) = stack.pop() {
        nodes += 1;
        depth = depth.max(level);
        match &node.value {
            Value::String(s) => bytes += s.len(),
            Value::Seq(items) => stack.extend(items.iter().map(|n| (n, level + 1))),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| (&e.value, level + 1))),
            _ => {}
        }
    }
    (nodes, bytes, depth)
}

/// The diagnostics `check` would print for the file, in the human, concise
/// and JSON formats: the renderers slice the text at each span and count
/// lines and columns.
fn check_rendered(text: &str) {
    let file = Arc::new(SourceFile::new("catalog-info.yaml", text.to_string()));
    let mut diagnostics = Vec::new();
    portolan_core::parse::parse_file(&file, YamlLimits::default(), &mut diagnostics);
    let placed = BTreeMap::from([(file.path.clone(), file.text.as_str())]);
    assert_diagnostics_placed(&diagnostics, &placed);
    let mut files = FileSet::default();
    files.insert(file.clone());
    portolan_core::diagnostic::sort_diagnostics(&mut diagnostics);
    let _ = render::render_human(&diagnostics, &files, false);
    let _ = render::render_concise(&diagnostics, &files);
    // JSON rather than SARIF: the same positions, without SARIF's
    // registry of every rule, which cost most of each run.
    let json = render::render_json(&diagnostics, &files, "0");
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "JSON output is not JSON"
    );
}
