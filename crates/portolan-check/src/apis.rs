//! API entities' definitions: each is loaded with its `$ref`'d files,
//! bundled and validated by `portolan-apis`, then design-linted by
//! `portolan-lint` over the same trees (before they are let go); findings
//! point into the spec files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use portolan_apis::{ApiDefinition, LoadLimits, RootDocument, check_definition_with};
use portolan_catalog::entity::SubstitutionKind;
use portolan_catalog::{Catalog, EntityId, Kind};
use portolan_core::Span;
use portolan_core::deps::{Deps, Recorder};
use portolan_core::source::Source;
use rayon::prelude::*;

/// Spec types whose definitions are not OpenAPI/AsyncAPI documents; they are
/// kept as source text.
const SOURCE_ONLY_TYPES: &[&str] = &["graphql", "grpc", "trpc"];

/// Where an API entity's definition is: a file (through a substitution) or
/// the descriptor's own text. `None` when there is nothing to read (no
/// definition, or a substitution that failed and was reported already).
pub fn definition_root<'a>(catalog: &'a Catalog, id: EntityId) -> Option<RootDocument<'a>> {
    let entity = &catalog.entities[id];
    if entity.kind != Kind::Api {
        return None;
    }
    if let Some(sub) = entity
        .substitutions
        .iter()
        .find(|s| s.pointer == "/spec/definition")
    {
        return match (&sub.path, sub.kind) {
            (
                Some(path),
                SubstitutionKind::Text | SubstitutionKind::OpenApi | SubstitutionKind::AsyncApi,
            ) => Some(RootDocument::File(path)),
            // `$json`/`$yaml` give an object where a string is expected;
            // the schema reports that.
            _ => None,
        };
    }
    let text = entity.node.pointer("/spec/definition")?.as_str()?;
    if text.trim().is_empty() {
        return None;
    }
    Some(RootDocument::Inline {
        path: format!("{}#definition", entity.file),
        text: text.to_string(),
    })
}

/// Load, check and lint every API entity's definition, in parallel.
pub fn check_apis(
    source: &dyn Source,
    catalog: &Catalog,
    limits: LoadLimits,
    lint: &portolan_lint::Settings,
) -> BTreeMap<EntityId, Arc<ApiDefinition>> {
    check_apis_cached(source, catalog, limits, lint, None, &BTreeSet::new(), true)
}

/// API definitions kept from one check to the next (`serve`).
#[derive(Default)]
pub struct ApiCache {
    /// By where the definition is (see [`cache_key`]).
    entries: HashMap<String, ApiEntry>,
}

struct ApiEntry {
    definition: Arc<ApiDefinition>,
    /// Files read to make it.
    deps: Deps,
    /// The descriptor it was written in, for an inline definition (whose
    /// findings are placed by the descriptor's text).
    inline_in: Option<String>,
    limits: String,
}

impl ApiCache {
    pub fn invalidate(&mut self, changed: &BTreeSet<String>) {
        self.entries
            .retain(|_, entry| !entry.deps.touched_by_any(changed));
    }
}

/// What identifies a definition: its file, or an inline definition's
/// descriptor document and text.
fn cache_key(root: &RootDocument<'_>) -> String {
    match root {
        RootDocument::File(path) => format!("file:{path}"),
        RootDocument::Inline { path, text } => format!("inline:{path}\n{text}"),
    }
}

/// [`check_apis`], reusing definitions from `cache` unless a file they were
/// made from changed (or, for an inline definition, its descriptor was
/// parsed again: in `reparsed`). Without `keep` (and without a cache), each
/// definition keeps only its findings and files once checked: its
/// documents are dropped at once instead of all being held to the end.
pub fn check_apis_cached(
    source: &dyn Source,
    catalog: &Catalog,
    limits: LoadLimits,
    lint: &portolan_lint::Settings,
    cache: Option<&mut ApiCache>,
    reparsed: &BTreeSet<String>,
    keep: bool,
) -> BTreeMap<EntityId, Arc<ApiDefinition>> {
    let keep = keep || cache.is_some();
    // What a cached definition's findings were made with.
    let limits_key = format!("{limits:?} {}", lint.fingerprint());
    let previous = cache.as_deref().map(|c| &c.entries);
    let made: Vec<(EntityId, String, Arc<ApiDefinition>, Option<ApiEntry>)> = (0..catalog
        .entities
        .len())
        .into_par_iter()
        .filter_map(|id| {
            let entity = &catalog.entities[id];
            let spec_type = entity
                .spec_str("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let root = definition_root(catalog, id)?;
            if SOURCE_ONLY_TYPES.contains(&spec_type.as_str()) {
                // Shown as source; nothing to validate.
                return None;
            }
            let inline = matches!(root, RootDocument::Inline { .. });
            let key = cache_key(&root);
            if let Some(entry) = previous.and_then(|p| p.get(&key))
                && entry.limits == limits_key
                && !entry
                    .inline_in
                    .as_ref()
                    .is_some_and(|file| reparsed.contains(file))
            {
                return Some((id, key, entry.definition.clone(), None));
            }
            let recorder = Recorder::new(source);
            let mut definition = check_definition_with(&recorder, root, limits, |set, bundled| {
                portolan_lint::lint(set, bundled, lint)
            });
            if inline {
                place_inline_findings(catalog, id, &mut definition);
            }
            // The document trees were for checking; the portal reads the
            // bundled document (and the model made from it). They are freed
            // on the background thread: millions of allocations for a large
            // definition, off the path of the check.
            match &mut definition.spec {
                Some(_) if !keep => portolan_core::reclaim::drop_later(definition.spec.take()),
                Some((set, _)) => set.release_documents(),
                None => {}
            }
            let mut deps = recorder.into_deps();
            if inline {
                deps.file(entity.file.clone());
            }
            let definition = Arc::new(definition);
            let entry = ApiEntry {
                definition: definition.clone(),
                deps,
                inline_in: inline.then(|| entity.file.clone()),
                limits: limits_key.clone(),
            };
            Some((id, key, definition, Some(entry)))
        })
        .collect();
    let mut out = BTreeMap::new();
    let mut kept: HashMap<String, ApiEntry> = HashMap::new();
    let mut previous = cache.map(|c| (std::mem::take(&mut c.entries), c));
    for (id, key, definition, entry) in made {
        out.insert(id, definition);
        if let Some((old, _)) = previous.as_mut() {
            // Keep what this check used, and nothing else: a definition no
            // entity points at any more is let go.
            let entry = entry.or_else(|| old.remove(&key));
            if let Some(entry) = entry {
                kept.insert(key, entry);
            }
        }
    }
    if let Some((_, cache)) = previous {
        cache.entries = kept;
    }
    out
}

/// Findings in a definition written inline in a descriptor are reported at
/// their place in the descriptor. For a literal block scalar (`|`), whose
/// lines are the file's lines minus a fixed indentation, that place is
/// exact; otherwise the finding points at `definition:`.
fn place_inline_findings(catalog: &Catalog, id: EntityId, definition: &mut ApiDefinition) {
    let entity = &catalog.entities[id];
    let Some(file) = catalog.files.get(&entity.file) else {
        return;
    };
    let Some(value) = entity.node.pointer("/spec/definition") else {
        return;
    };
    let Some(text) = value.as_str() else { return };
    let pseudo = format!("{}#definition", entity.file);
    // The block indicator sits between `definition:` and the text.
    let key_end = entity.node.locate("/spec/definition").end as usize;
    let indicator = file.text[key_end..]
        .find(|c: char| !matches!(c, ':' | ' ' | '\t'))
        .map(|i| key_end + i);
    let mapping = indicator.and_then(|at| LiteralBlock::new(&file.text, &file.lines, at, text));
    let fallback = entity.node.locate("/spec/definition");
    for d in definition
        .diagnostics
        .iter_mut()
        .filter(|d| d.file.as_deref() == Some(pseudo.as_str()))
    {
        d.file = Some(entity.file.clone());
        d.span = Some(match (&mapping, d.span) {
            (Some(block), Some(span)) => Span::new(
                block.map(text, span.start as usize),
                block.map(text, span.end as usize),
            ),
            _ => fallback,
        });
        for related in d.related.iter_mut().filter(|r| r.file == pseudo) {
            related.file = entity.file.clone();
            related.span = match &mapping {
                Some(block) => Span::new(
                    block.map(text, related.span.start as usize),
                    block.map(text, related.span.end as usize),
                ),
                None => fallback,
            };
        }
    }
    definition.files.retain(|f| f.path != pseudo);
}

/// Where a literal block scalar's lines sit in the file.
struct LiteralBlock {
    /// Byte offset in the file of each line of the scalar's text.
    line_starts: Vec<usize>,
}

impl LiteralBlock {
    fn new(
        file_text: &str,
        lines: &portolan_core::span::LineIndex,
        indicator: usize,
        text: &str,
    ) -> Option<Self> {
        if !file_text[indicator..].starts_with('|') {
            return None;
        }
        let first_line = lines.line_of(indicator as u32) + 1;
        let mut line_starts = Vec::new();
        let mut indent: Option<usize> = None;
        for (i, line) in text.split('\n').enumerate() {
            if first_line + i >= lines.line_count() {
                // The trailing empty piece after the last newline.
                if line.is_empty() {
                    break;
                }
                return None;
            }
            let range = lines.line_range(file_text, first_line + i);
            let file_line = &file_text[range.clone()];
            if line.is_empty() {
                line_starts.push(range.end);
                continue;
            }
            let indent = *indent
                .get_or_insert_with(|| file_line.len() - file_line.trim_start_matches(' ').len());
            if file_line.get(indent..) != Some(line) {
                return None;
            }
            line_starts.push(range.start + indent);
        }
        Some(LiteralBlock { line_starts })
    }

    /// File offset of byte `offset` of the scalar's text.
    fn map(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        let line = text[..offset].matches('\n').count();
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        match self.line_starts.get(line) {
            Some(start) => start + (offset - line_start),
            None => self.line_starts.last().copied().unwrap_or(0),
        }
    }
}
