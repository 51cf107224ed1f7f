//! Loading an API definition and every file its `$ref`s reach, in parallel
//! rounds, through the catalog's [`Source`] (so `--rev` and the in-memory
//! source work too). Broken, remote and cyclic refs become diagnostics at
//! the `$ref`'s line:col.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use portolan_core::codes;
use portolan_core::files::SourceFile;
use portolan_core::source::{ReadError, Source, human_bytes};
use portolan_core::yaml::{Node, Value, YamlLimits, escape_pointer_token};
use portolan_core::yaml_chunks::ChunkCache;
use portolan_core::{Diagnostic, Span};
use rayon::prelude::*;

use crate::detect::{Detected, SUPPORTED, SpecFormat, detect};
use crate::lookup::SpecLookup;
use crate::refs::{self, RefTarget};

/// One parsed file of a definition.
#[derive(Debug)]
pub struct SpecFile {
    pub file: Arc<SourceFile>,
    pub root: Node,
}

/// A `$ref` as written.
#[derive(Debug, Clone)]
pub struct RefSite {
    pub file: String,
    /// Span of the `$ref` value.
    pub span: Span,
    pub raw: String,
    pub target: RefTarget,
}

/// A definition and the files it references, keyed by catalog path.
#[derive(Debug)]
pub struct SpecSet {
    pub root_file: String,
    pub format: SpecFormat,
    /// The version as declared (`3.0.3`, `2.6.0`).
    pub version: String,
    pub files: BTreeMap<String, SpecFile>,
    pub refs: Vec<RefSite>,
    /// Discriminator mapping values that are references, not schema names.
    /// They are checked against the files loaded for `refs` and never make
    /// portolan read another file.
    pub mappings: Vec<MappingSite>,
}

impl SpecSet {
    /// Let go of what only checking reads: each file's document tree (with
    /// its positions) and the `$ref`s and mappings found in them. The
    /// file names, format and version stay, and the bundled document the
    /// portal is made from is separate. A definition's trees are most of
    /// its memory; a large catalog's build would otherwise hold them all.
    pub fn release_documents(&mut self) {
        let mut trees = Vec::with_capacity(self.files.len());
        for file in self.files.values_mut() {
            let span = file.root.span;
            trees.push(std::mem::replace(
                &mut file.root,
                Node {
                    value: Value::Null,
                    span,
                },
            ));
        }
        // Freed on the background thread, off the caller's path.
        portolan_core::reclaim::drop_later((
            trees,
            std::mem::take(&mut self.refs),
            std::mem::take(&mut self.mappings),
        ));
    }
}

/// A discriminator mapping value that is a reference
/// (`dog: '#/components/schemas/Dog'`, `cat: './cat.yaml'`), as written.
#[derive(Debug, Clone)]
pub struct MappingSite {
    /// The discriminator value (`dog`).
    pub name: String,
    /// Where it is written; the reference is relative to this file.
    pub site: RefSite,
}

/// Where the definition's root document comes from.
pub enum RootDocument<'a> {
    /// A file of the catalog (`$text: ./openapi.yaml`, or a spec file).
    File(&'a str),
    /// Text written in the descriptor. `path` is a pseudo path for messages
    /// (`services/x/catalog-info.yaml#definition`); refs resolve relative to
    /// the descriptor's directory.
    Inline { path: String, text: String },
}

/// What loading produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub spec: Option<SpecSet>,
    /// A GraphQL or protobuf definition, kept as source text.
    pub other: Option<(&'static str, Arc<SourceFile>)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read, for code frames.
    pub files: Vec<Arc<SourceFile>>,
}

#[derive(Debug, Clone, Copy)]
pub struct LoadLimits {
    pub max_file_size: u64,
    pub yaml: YamlLimits,
    /// Most files one definition may pull in through `$ref`s.
    pub max_files: usize,
    /// Longest chain of `$ref`s that lead one to the next
    /// (`max_reference_depth` in portolan.toml).
    pub max_reference_depth: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_size: 32 * 1024 * 1024,
            yaml: YamlLimits::default(),
            max_files: 20_000,
            max_reference_depth: portolan_core::config::DEFAULT_MAX_REFERENCE_DEPTH,
        }
    }
}

/// Parse one file; its first non-empty document is the spec (or fragment).
/// Through `chunks` when given (many revisions of one definition): the
/// same documents, found in pieces where the text repeats a revision's.
fn parse_file(
    file: &Arc<SourceFile>,
    limits: YamlLimits,
    chunks: Option<&ChunkCache>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    // JSON files are left to `parse_file`, however it reads them.
    let documents = chunks
        .filter(|c| same_yaml_limits(c.limits(), limits) && !file.path.ends_with(".json"))
        .and_then(|c| c.parse(&file.text));
    documents
        .unwrap_or_else(|| portolan_core::parse::parse_file(file, limits, diagnostics))
        .into_iter()
        .find(|d| !d.is_empty)
        .map(|d| d.root)
}

fn same_yaml_limits(a: YamlLimits, b: YamlLimits) -> bool {
    (
        a.max_depth,
        a.max_alias_nodes,
        a.max_alias_bytes,
        a.max_documents,
    ) == (
        b.max_depth,
        b.max_alias_nodes,
        b.max_alias_bytes,
        b.max_documents,
    )
}

fn read_file(source: &dyn Source, path: &str, limit: u64) -> Result<Arc<SourceFile>, String> {
    match source.read(path, limit) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Arc::new(SourceFile::new(path, text))),
            Err(_) => Err("it is not valid UTF-8".into()),
        },
        Err(ReadError::NotFound) => Err("the file does not exist in the catalog root".into()),
        Err(ReadError::EscapesRoot) => {
            Err("a symbolic link on its path leaves the catalog root".into())
        }
        Err(ReadError::TooLarge { size, limit }) => Err(format!(
            "the file is too large ({} > {})",
            human_bytes(size),
            human_bytes(limit)
        )),
        Err(ReadError::Io(e)) => Err(e),
    }
}

/// A referenced file read and parsed, with its parse diagnostics.
type ParsedFile = (Arc<SourceFile>, Option<Node>, Vec<Diagnostic>);

/// Keys whose values are data, not definitions: `$ref` keys inside them are
/// payload, not references (unless the key is a property name).
fn is_data_key(key: &str, parent_key: Option<&str>) -> bool {
    // A property named `default`, and `responses.default`, are not data.
    if matches!(
        parent_key,
        Some("properties" | "patternProperties" | "responses")
    ) {
        return false;
    }
    matches!(key, "example" | "default" | "const" | "enum" | "x-examples")
}

fn is_pure_ref(node: &Node) -> bool {
    node.as_map()
        .is_some_and(|m| m.len() == 1 && m[0].key == "$ref")
}

/// Keys whose value is an object of user-chosen names, each holding a
/// schema: a member called `discriminator` there is a property, not a
/// Discriminator Object.
pub(crate) const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    "schemas",
];

/// Whether a discriminator mapping value is a reference rather than a
/// schema name: it has a fragment, a path or a scheme, or names a file
/// (OpenAPI 3.1 §4.8.25.2: "schema names or URI references").
fn is_mapping_reference(value: &str) -> bool {
    value.contains(['#', '/'])
        || has_uri_scheme(value)
        || [".json", ".yaml", ".yml"]
            .iter()
            .any(|ext| value.ends_with(ext))
}

/// `http:x`, `urn:x`, `https://x`: a URI scheme (RFC 3986 §3.1). One letter
/// is a Windows drive (`C:`), not a scheme.
fn has_uri_scheme(value: &str) -> bool {
    value.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

/// The reference mapping values of a Discriminator Object at `node` (an
/// entry `discriminator` of a schema).
fn mapping_sites(path: &str, discriminator: &Node, out: &mut Vec<MappingSite>) {
    let Some(mapping) = discriminator.get("mapping").and_then(Node::as_map) else {
        return;
    };
    for entry in mapping {
        if let Some(raw) = entry.value.as_str()
            && is_mapping_reference(raw)
        {
            out.push(MappingSite {
                name: entry.key.clone(),
                site: RefSite {
                    file: path.to_string(),
                    span: entry.value.span,
                    raw: raw.to_string(),
                    target: refs::resolve(path, raw),
                },
            });
        }
    }
}

/// Every `$ref` in a file's tree, in document order, and every
/// discriminator mapping value that is a reference.
fn collect_refs(path: &str, root: &Node, out: &mut Vec<RefSite>, mappings: &mut Vec<MappingSite>) {
    // (node, key under which it sits, key of its parent, inside an `x-`
    // extension)
    let mut stack: Vec<(&Node, Option<&str>, Option<&str>, bool)> = vec![(root, None, None, false)];
    let mut found = Vec::new();
    let mut found_mappings = Vec::new();
    while let Some((node, key, parent_key, in_extension)) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for entry in entries.iter().rev() {
                    if entry.key == "discriminator"
                        && !in_extension
                        && !key.is_some_and(|k| NAME_MAPS.contains(&k))
                    {
                        mapping_sites(path, &entry.value, &mut found_mappings);
                    }
                    let in_extension = in_extension || entry.key.starts_with("x-");
                    if entry.key == "$ref" {
                        if let Some(raw) = entry.value.as_str() {
                            found.push(RefSite {
                                file: path.to_string(),
                                span: entry.value.span,
                                raw: raw.to_string(),
                                target: refs::resolve(path, raw),
                            });
                        }
                        continue;
                    }
                    if is_data_key(&entry.key, key) {
                        // `example: {$ref: ...}` is data by the letter of
                        // the specification, but real specs (DigitalOcean's)
                        // use it to include example files, and tools
                        // resolve it; so does portolan.
                        if entry.key == "example" && is_pure_ref(&entry.value) {
                            stack.push((&entry.value, Some(&entry.key), key, in_extension));
                        }
                        continue;
                    }
                    // An Example Object's `value` is data too.
                    if entry.key == "value" && parent_key == Some("examples") {
                        continue;
                    }
                    stack.push((&entry.value, Some(&entry.key), key, in_extension));
                }
            }
            Value::Seq(items) => {
                if key == Some("examples") {
                    // JSON Schema `examples`: an array of values.
                    continue;
                }
                for item in items.iter().rev() {
                    stack.push((item, key, parent_key, in_extension));
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|r| r.span.start);
    out.extend(found);
    found_mappings.sort_by_key(|m| m.site.span.start);
    mappings.extend(found_mappings);
}

/// The span of the character at `offset` (empty at the end of the text).
fn first_char(text: &str, offset: usize) -> Span {
    let len = text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(offset, offset + len)
}

/// Load a definition and everything it references.
pub fn load(source: &dyn Source, root: RootDocument<'_>, limits: LoadLimits) -> Loaded {
    load_with_chunks(source, root, limits, None)
}

/// [`load`], parsing YAML through `chunks` (see
/// [`portolan_core::yaml_chunks`]): what loading many revisions of one
/// definition does. The result is the same.
pub fn load_with_chunks(
    source: &dyn Source,
    root: RootDocument<'_>,
    limits: LoadLimits,
    chunks: Option<&ChunkCache>,
) -> Loaded {
    let mut loaded = Loaded::default();
    let root_file = match root {
        RootDocument::File(path) => match read_file(source, path, limits.max_file_size) {
            Ok(file) => file,
            Err(reason) => {
                loaded.diagnostics.push(
                    Diagnostic::new(
                        &codes::FILE_NOT_FOUND,
                        format!("cannot read API definition `{path}`: {reason}"),
                    )
                    .in_file(path),
                );
                return loaded;
            }
        },
        RootDocument::Inline { path, text } => Arc::new(SourceFile::new(path, text)),
    };
    loaded.files.push(root_file.clone());
    let root_path = root_file.path.clone();

    if let Some(language) = crate::detect::sniff_text(&root_file.text) {
        loaded.other = Some((language, root_file));
        return loaded;
    }
    let Some(root_node) = parse_file(&root_file, limits.yaml, chunks, &mut loaded.diagnostics)
    else {
        if loaded.diagnostics.is_empty() {
            loaded.diagnostics.push(
                Diagnostic::new(&codes::API_UNSUPPORTED, "the API definition is empty")
                    .in_file(&root_path),
            );
        }
        return loaded;
    };
    let (format, version) = match detect(&root_node) {
        Detected::Supported { format, version } => (format, version),
        Detected::Unsupported { what } => {
            let key = ["openapi", "swagger", "asyncapi"]
                .into_iter()
                .find(|k| root_node.get(k).is_some())
                .unwrap_or("openapi");
            loaded.diagnostics.push(
                Diagnostic::new(&codes::API_UNSUPPORTED, format!("{what} is not supported"))
                    .at(&root_path, root_node.locate(&format!("/{key}")))
                    .with_label("this version")
                    .with_help(format!("portolan reads {SUPPORTED}")),
            );
            return loaded;
        }
        Detected::Unknown => {
            loaded.diagnostics.push(
                Diagnostic::new(&codes::API_UNSUPPORTED, "the API definition has no `openapi`, `swagger` or `asyncapi` field")
                    .at(&root_path, first_char(&root_file.text, root_node.span.start as usize))
                    .with_help(format!("portolan reads {SUPPORTED}; GraphQL and protobuf definitions are shown as source")),
            );
            return loaded;
        }
    };

    let mut files: BTreeMap<String, SpecFile> = BTreeMap::new();
    let mut sites: Vec<RefSite> = Vec::new();
    let mut mappings: Vec<MappingSite> = Vec::new();
    collect_refs(&root_path, &root_node, &mut sites, &mut mappings);
    files.insert(
        root_path.clone(),
        SpecFile {
            file: root_file,
            root: root_node,
        },
    );

    // Breadth-first over referenced files, each round in parallel.
    let mut failed: BTreeMap<String, String> = BTreeMap::new();
    let mut scanned = 0;
    loop {
        let wanted: BTreeSet<String> = sites[scanned..]
            .iter()
            .filter_map(|s| match &s.target {
                RefTarget::Local { file, .. } | RefTarget::Anchor { file, .. } => {
                    Some(file.clone())
                }
                _ => None,
            })
            .filter(|f| !files.contains_key(f) && !failed.contains_key(f))
            .collect();
        scanned = sites.len();
        if wanted.is_empty() {
            break;
        }
        if files.len() + wanted.len() > limits.max_files {
            for f in wanted {
                failed.insert(
                    f,
                    format!(
                        "the definition references more than {} files",
                        limits.max_files
                    ),
                );
            }
            continue;
        }
        let results: Vec<(String, Result<ParsedFile, String>)> = wanted
            .into_par_iter()
            .map(|path| {
                let result = read_file(source, &path, limits.max_file_size).map(|file| {
                    let mut diagnostics = Vec::new();
                    let node = parse_file(&file, limits.yaml, chunks, &mut diagnostics);
                    (file, node, diagnostics)
                });
                (path, result)
            })
            .collect();
        for (path, result) in results {
            match result {
                Ok((file, node, diagnostics)) => {
                    loaded.files.push(file.clone());
                    loaded.diagnostics.extend(diagnostics);
                    let node = node.unwrap_or_else(|| Node::new(Value::Null, Span::at(0)));
                    collect_refs(&path, &node, &mut sites, &mut mappings);
                    files.insert(path, SpecFile { file, root: node });
                }
                Err(reason) => {
                    failed.insert(path, reason);
                }
            }
        }
    }

    let set = SpecSet {
        root_file: root_path,
        format,
        version,
        files,
        refs: sites,
        mappings,
    };
    let lookup = SpecLookup::new(&set);
    check_ref_sites(
        &lookup,
        &failed,
        limits.max_reference_depth,
        &mut loaded.diagnostics,
    );
    check_mapping_sites(&lookup, &failed, &mut loaded.diagnostics);
    drop(lookup);
    loaded.spec = Some(set);
    loaded
}

/// Report refs that lead nowhere, leave the root, are remote, or loop.
fn check_ref_sites(
    lookup: &SpecLookup<'_>,
    failed: &BTreeMap<String, String>,
    max_reference_depth: usize,
    out: &mut Vec<Diagnostic>,
) {
    let set = lookup.set;
    let chains = ref_chains(lookup, max_reference_depth);
    let cycles = &chains.cycles;
    let mut remote_reported: BTreeSet<&str> = BTreeSet::new();
    for site in &set.refs {
        let at = |d: Diagnostic| d.at(&site.file, site.span);
        match &site.target {
            RefTarget::Local { file, pointer } => match (set.files.get(file), failed.get(file)) {
                (_, Some(reason)) => out.push(at(Diagnostic::new(
                    &codes::REF_NOT_FOUND,
                    format!(
                        "`$ref: {}` cannot be resolved: `{file}`: {reason}",
                        site.raw
                    ),
                ))),
                (Some(spec), _) => {
                    if lookup.nodes.pointer(&spec.root, pointer).is_none() {
                        let mut d = at(Diagnostic::new(
                            &codes::REF_NOT_FOUND,
                            format!("`$ref: {}`: `{file}` has no node at `#{pointer}`", site.raw),
                        ));
                        if let Some(hint) = nearest_existing(lookup, &spec.root, pointer) {
                            d = d.with_help(hint);
                        }
                        out.push(d);
                    } else if let Some(len) = cycles.get(&(site.file.clone(), site.span)) {
                        // A loop is reported once, at its first member.
                        out.push(at(Diagnostic::new(
                            &codes::REF_CYCLE,
                            format!("`$ref: {}` starts a loop of {len} references that never reaches a value", site.raw),
                        )));
                    }
                }
                (None, None) => {}
            },
            RefTarget::Anchor { file, anchor } => {
                if let Some(reason) = failed.get(file) {
                    out.push(at(Diagnostic::new(
                        &codes::REF_NOT_FOUND,
                        format!(
                            "`$ref: {}` cannot be resolved: `{file}`: {reason}",
                            site.raw
                        ),
                    )));
                } else if set.files.contains_key(file) && lookup.anchor(file, anchor).is_none() {
                    out.push(at(Diagnostic::new(
                        &codes::REF_NOT_FOUND,
                        format!(
                            "`$ref: {}`: no schema in `{file}` declares `$anchor: {anchor}`",
                            site.raw
                        ),
                    )));
                }
            }
            RefTarget::Remote(url) => {
                if remote_reported.insert(url.split('#').next().unwrap_or(url)) {
                    out.push(
                        at(Diagnostic::new(&codes::REF_REMOTE, format!("`{url}` is remote and was not fetched")))
                            .with_help("vendor the file into the repository and reference it with a relative path"),
                    );
                }
            }
            RefTarget::Escapes(raw) => out.push(at(Diagnostic::new(
                &codes::PATH_ESCAPES_ROOT,
                format!("`$ref: {raw}` leaves the catalog root or is an absolute path"),
            ))),
            RefTarget::Invalid(reason) => out.push(at(Diagnostic::new(
                &codes::REF_NOT_FOUND,
                format!("`$ref: {}`: {reason}", site.raw),
            ))),
        }
    }
    for chain in chains.too_deep {
        let mut d = Diagnostic::new(
            &codes::REF_TOO_DEEP,
            format!(
                "a chain of {} `$ref`s, each leading to the next, goes past the limit of {max_reference_depth} here (`$ref: {}`)",
                chain.length, chain.raw
            ),
        )
        .at(&chain.file, chain.span)
        .with_label("one reference too many")
        .with_help("point the first `$ref` at the schema itself, or raise `max_reference_depth` under `[limits]` in portolan.toml");
        if chain.start != (chain.file.clone(), chain.span) {
            d = d.with_related(&chain.start.0, chain.start.1, "the chain starts here");
        }
        out.push(d);
    }
}

/// Report discriminator mapping references that lead nowhere in a loaded
/// file, leave the root, or are remote, at the mapping value. A reference
/// into a file no `$ref` loaded is not followed: mapping values never make
/// portolan read a file.
fn check_mapping_sites(
    lookup: &SpecLookup<'_>,
    failed: &BTreeMap<String, String>,
    out: &mut Vec<Diagnostic>,
) {
    let set = lookup.set;
    for MappingSite { name, site } in &set.mappings {
        let raw = &site.raw;
        let at = |d: Diagnostic| d.at(&site.file, site.span);
        let nowhere = |why: String| {
            at(Diagnostic::new(
                &codes::DISCRIMINATOR_MAPPING,
                format!("discriminator value `{name}` maps to `{raw}`, which {why}"),
            ))
        };
        if has_uri_scheme(raw) && !raw.starts_with("file:") {
            out.push(
                at(Diagnostic::new(
                    &codes::REF_REMOTE,
                    format!("discriminator value `{name}` maps to `{raw}`, which is remote and was not fetched"),
                ))
                .with_help("vendor the schema into the repository and map to it with a relative reference"),
            );
            continue;
        }
        match &site.target {
            RefTarget::Remote(_) => {}
            RefTarget::Escapes(_) => out.push(at(Diagnostic::new(
                &codes::PATH_ESCAPES_ROOT,
                format!(
                    "discriminator value `{name}` maps to `{raw}`, which leaves the catalog root or is an absolute path"
                ),
            ))),
            RefTarget::Invalid(reason) => out.push(nowhere(format!("is not a reference: {reason}"))),
            RefTarget::Local { file, pointer } => match (set.files.get(file), failed.get(file)) {
                (Some(spec), _) if lookup.nodes.pointer(&spec.root, pointer).is_none() => {
                    let why = if *file == site.file {
                        "does not exist".to_string()
                    } else {
                        format!("does not exist: `{file}` has no node at `#{pointer}`")
                    };
                    let help = nearest_existing(lookup, &spec.root, pointer).unwrap_or_else(|| {
                        "map it to a schema name under `components.schemas` or to a `#/components/schemas/...` reference".into()
                    });
                    out.push(nowhere(why).with_help(help));
                }
                (None, Some(reason)) => {
                    out.push(nowhere(format!("cannot be resolved: `{file}`: {reason}")))
                }
                _ => {}
            },
            RefTarget::Anchor { file, anchor } => {
                if set
                    .files
                    .contains_key(file)
                    && lookup.anchor(file, anchor).is_none()
                {
                    out.push(nowhere(format!(
                        "does not exist: no schema in `{file}` declares `$anchor: {anchor}`"
                    )));
                }
            }
        }
    }
}

/// "did you mean" for a pointer whose last segment is misspelt.
fn nearest_existing<'a>(lookup: &SpecLookup<'a>, root: &'a Node, pointer: &str) -> Option<String> {
    let (parent, last) = pointer.rsplit_once('/')?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let siblings = lookup.nodes.pointer(root, parent)?.as_map()?;
    let lower = last.to_ascii_lowercase();
    let candidate = siblings
        .iter()
        .map(|e| (strsim::levenshtein(&e.key.to_ascii_lowercase(), &lower), e))
        .filter(|(d, _)| *d <= 2.max(lower.len() / 4))
        .min_by_key(|(d, e)| (*d, e.key.clone()))
        .map(|(_, e)| e)?;
    Some(format!(
        "did you mean `#{parent}/{}`?",
        escape_pointer_token(&candidate.key)
    ))
}

/// A node reached while following chains of pure Reference Objects: a file
/// and a pointer in it, as the `$ref`s spell them.
type ChainNode = (String, String);

/// What following chains of pure Reference Objects found.
#[derive(Default)]
struct Chains {
    /// The `$ref` at which each loop is reported (its smallest (file,
    /// span), so once per loop) and the loop's length.
    cycles: HashMap<(String, Span), usize>,
    /// Chains longer than the limit, one per value they lead to.
    too_deep: Vec<TooDeep>,
}

/// A chain of `$ref`s longer than `max_reference_depth`.
struct TooDeep {
    /// The first `$ref` past the limit, counted from the chain's start.
    file: String,
    span: Span,
    raw: String,
    /// The `$ref` the chain starts at.
    start: (String, Span),
    /// References in the chain, the first included.
    length: usize,
}

/// Every loop of pure Reference Objects (objects that are nothing but a
/// `$ref`, perhaps with a `description` or `summary`) that the ref sites
/// lead into, and every chain of them longer than `max_depth` references.
///
/// Each chain node is followed once, whatever the number of sites leading
/// to it: a chain of N references costs N steps, not N² (issue 16).
fn ref_chains(lookup: &SpecLookup<'_>, max_depth: usize) -> Chains {
    let mut chains = Chains::default();
    // Chain nodes whose outcome is known: the number of `$ref`s from them
    // to the value the chain ends at (0 for the value itself) and that
    // value, or `None` when the chain loops (or leads into a loop).
    let mut outcome: HashMap<ChainNode, Option<(usize, ChainNode)>> = HashMap::new();
    // The longest chain to each value: (length, start site, target).
    let mut longest: HashMap<ChainNode, (usize, (String, Span), ChainNode)> = HashMap::new();
    for site in &lookup.set.refs {
        let RefTarget::Local { file, pointer } = &site.target else {
            continue;
        };
        let target: ChainNode = (file.clone(), pointer.clone());
        // The chain followed from this site: nodes in order, their `$ref`
        // spans, and where each node sits in it.
        let mut path: Vec<ChainNode> = Vec::new();
        let mut spans: Vec<(String, Span)> = Vec::new();
        let mut on_path: HashMap<ChainNode, usize> = HashMap::new();
        let mut here: ChainNode = target.clone();
        let end = loop {
            crate::lookup::count_work(1);
            if let Some(known) = outcome.get(&here) {
                break known.clone();
            }
            if let Some(&start) = on_path.get(&here) {
                let cycle = &spans[start..];
                if let Some(first) = cycle.iter().min() {
                    chains.cycles.insert(first.clone(), cycle.len());
                }
                break None;
            }
            let Some((span, next)) = next_in_chain(lookup, &here) else {
                break Some((0, here));
            };
            on_path.insert(here.clone(), path.len());
            path.push(here);
            spans.push(span);
            here = next;
        };
        let steps = path.len();
        for (i, node) in path.into_iter().enumerate() {
            let known = end
                .as_ref()
                .map(|(n, value)| (n + steps - i, value.clone()));
            outcome.insert(node, known);
        }
        if let Some((n, value)) = end.map(|(n, value)| (n + steps, value)) {
            let length = n + 1;
            if length > max_depth {
                let start = (site.file.clone(), site.span);
                let entry = longest
                    .entry(value)
                    .or_insert_with(|| (length, start.clone(), target.clone()));
                if (length, std::cmp::Reverse(&start)) > (entry.0, std::cmp::Reverse(&entry.1)) {
                    *entry = (length, start, target);
                }
            }
        }
    }
    // The `$ref` past the limit along each longest chain: chains to
    // different values share no node, so these walks are linear too.
    let mut found: Vec<TooDeep> = longest
        .into_values()
        .filter_map(|(length, start, target)| {
            let mut here = target;
            // The start is reference 1; each step reaches the next one.
            for _ in 1..max_depth {
                here = next_in_chain(lookup, &here)?.1;
            }
            let ((file, span), _) = next_in_chain(lookup, &here)?;
            let raw = lookup
                .pointer(&here.0, &here.1)
                .and_then(refs::ref_of)
                .unwrap_or_default()
                .to_string();
            Some(TooDeep {
                file,
                span,
                raw,
                start,
                length,
            })
        })
        .collect();
    found.sort_by(|a, b| (&a.start, &a.file, a.span).cmp(&(&b.start, &b.file, b.span)));
    chains.too_deep = found;
    chains
}

/// The `$ref` span of the pure Reference Object at `node` and the node it
/// leads to, or `None` when the chain ends there.
fn next_in_chain(
    lookup: &SpecLookup<'_>,
    (file, pointer): &ChainNode,
) -> Option<((String, Span), ChainNode)> {
    let node = lookup.pointer(file, pointer)?;
    let raw = refs::ref_of(node)?;
    // Only an object that is nothing but a reference can loop.
    if node.as_map().is_some_and(|m| {
        m.iter()
            .any(|e| e.key != "$ref" && e.key != "description" && e.key != "summary")
    }) {
        return None;
    }
    let span = node.get("$ref").map(|n| n.span).unwrap_or(node.span);
    match refs::resolve(file, raw) {
        RefTarget::Local {
            file: next_file,
            pointer: next_pointer,
        } => Some(((file.clone(), span), (next_file, next_pointer))),
        _ => None,
    }
}

impl SpecSet {
    pub fn root(&self) -> &Node {
        &self.files[&self.root_file].root
    }

    /// The node a resolved target names.
    pub fn node(&self, target: &RefTarget) -> Option<(&str, String, &Node)> {
        match target {
            RefTarget::Local { file, pointer } => {
                let (path, spec) = self.files.get_key_value(file)?;
                Some((path.as_str(), pointer.clone(), spec.root.pointer(pointer)?))
            }
            RefTarget::Anchor { file, anchor } => {
                let (path, spec) = self.files.get_key_value(file)?;
                let (pointer, node) = refs::find_anchor(&spec.root, anchor)?;
                Some((path.as_str(), pointer, node))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use portolan_core::source::MemorySource;

    use super::*;

    /// Found by the `json_load` fuzz target: a definition whose root is an
    /// empty scalar at the end of the file (`!!str `) was reported one
    /// byte past the text, and the span `start + 1` could also end inside
    /// a character.
    #[test]
    fn regression_no_version_field_is_reported_inside_the_text() {
        for text in ["!!str ", "é", "  - x"] {
            let source = MemorySource::new().with_file("a.json", text);
            let loaded = load(&source, RootDocument::File("a.json"), LoadLimits::default());
            let d = &loaded.diagnostics[0];
            assert_eq!(d.code, codes::API_UNSUPPORTED.code, "{text:?}");
            let span = d.span.unwrap();
            assert!(span.range().end <= text.len(), "{text:?}: {span:?}");
            assert!(text.get(span.range()).is_some(), "{text:?}: {span:?}");
        }
    }
}
