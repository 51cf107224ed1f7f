//! Discovery and loading: find descriptor files, parse them, resolve
//! `$text`/`$json`/`$yaml` substitutions, follow Location targets, all in
//! parallel, collecting diagnostics instead of stopping.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use portolan_core::codes;
use portolan_core::deps::{Deps, Recorder};
use portolan_core::files::SourceFile;
use portolan_core::paths::{self, PathError};
use portolan_core::source::{ReadError, Source, SourceError, UrlResolution, human_bytes};
use portolan_core::yaml::{self, Node, Value, YamlLimits};
use portolan_core::{Diagnostic, Span};
use rayon::prelude::*;

use crate::entity::{Entity, Kind, Substitution, SubstitutionKind};

/// What to load and how.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Globs of descriptor files (catalog-relative).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Files always read as descriptors (`check FILES...`), catalog-relative.
    pub named_files: Vec<String>,
    pub max_file_size: u64,
    pub yaml_limits: YamlLimits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            include: vec!["**/catalog-info.yaml".into(), "**/catalog-info.yml".into()],
            exclude: Vec::new(),
            named_files: Vec::new(),
            max_file_size: 32 * 1024 * 1024,
            yaml_limits: YamlLimits::default(),
        }
    }
}

/// A Location target after resolution.
#[derive(Debug, Clone)]
pub struct LocationTarget {
    /// The descriptor holding the Location entity.
    pub location_file: String,
    /// Where the target is written.
    pub span: Span,
    /// `presence: optional`.
    pub optional: bool,
    /// Catalog-relative path or glob.
    pub target: String,
    /// Catalog-relative files it names (globs may name many).
    pub files: Vec<String>,
}

/// Everything loading produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub entities: Vec<Entity>,
    /// Every file of the catalog root (the source's listing), sorted.
    pub all_files: Vec<String>,
    pub files: Vec<Arc<SourceFile>>,
    /// Descriptor files read, sorted.
    pub descriptor_files: Vec<String>,
    pub location_targets: Vec<LocationTarget>,
    pub diagnostics: Vec<Diagnostic>,
}

fn build_globset(globs: &[String]) -> Result<GlobSet, SourceError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // `**/x` should also match `x` at the root.
        let glob = Glob::new(glob)
            .map_err(|e| SourceError(format!("invalid discovery glob `{glob}`: {e}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| SourceError(format!("invalid discovery globs: {e}")))
}

/// Parsed descriptor files kept from one load to the next (`serve`): a
/// file is read and parsed again only when a file it was made from (itself,
/// or one a `$text`/`$json`/`$yaml` substitution read) changed.
#[derive(Default)]
pub struct LoadCache {
    /// The options the entries were made with; others empty the cache.
    options: Option<String>,
    /// (path, read as a named file) → the result and what it was made from.
    files: HashMap<(String, bool), (FileResult, Deps)>,
    /// Descriptor files read and parsed by the last load (not taken from
    /// the cache): what was made from them must be made again.
    pub reparsed: BTreeSet<String>,
    /// The last load's list of the catalog's files, and the paths changed
    /// since (`None`: not known, list again).
    listing: Option<Vec<String>>,
    changed: Option<BTreeSet<String>>,
}

impl LoadCache {
    /// Forget every file that `changed` paths (catalog-relative; a folder
    /// stands for everything under it) could have changed.
    pub fn invalidate(&mut self, changed: &BTreeSet<String>) {
        self.files
            .retain(|_, (_, deps)| !deps.touched_by_any(changed));
        if let Some(pending) = &mut self.changed {
            pending.extend(changed.iter().cloned());
        }
    }

    /// The last listing, when the changes since cannot have changed it:
    /// every changed path is a file that is still there and was listed, or
    /// one that is gone and was not (nor anything under it). Walking a
    /// 10,000-service tree costs tens of milliseconds; an edit rarely adds
    /// or removes a file.
    fn unchanged_listing(&mut self, source: &dyn Source) -> Option<Vec<String>> {
        let listing = self.listing.as_ref()?;
        let changed = self.changed.as_ref()?;
        for path in changed {
            let exists = match source.read(path, 0) {
                Ok(_) | Err(ReadError::TooLarge { .. }) => true,
                Err(ReadError::NotFound) => false,
                Err(_) => return None,
            };
            let listed = listing.binary_search(path).is_ok();
            let below = format!("{path}/");
            let has_files_below = listing
                .get(listing.partition_point(|f| f.as_str() < below.as_str()))
                .is_some_and(|f| f.starts_with(&below));
            if exists != listed || has_files_below {
                return None;
            }
        }
        Some(listing.clone())
    }

    /// Forget files the last load did not read (deleted, or no longer
    /// discovered), so the cache holds one catalog, not every one seen.
    fn keep_only(&mut self, read: &BTreeSet<String>) {
        self.files.retain(|(path, _), _| read.contains(path));
    }
}

/// Load every descriptor of the catalog in `source`.
pub fn load(source: &dyn Source, options: &LoadOptions) -> Result<Loaded, SourceError> {
    load_cached(source, options, None)
}

/// [`load`], taking unchanged files from `cache` and keeping what it parsed
/// there for the next time.
pub fn load_cached(
    source: &dyn Source,
    options: &LoadOptions,
    mut cache: Option<&mut LoadCache>,
) -> Result<Loaded, SourceError> {
    let mut listing = None;
    if let Some(cache) = cache.as_deref_mut() {
        let fingerprint = format!("{options:?}");
        if cache.options.as_ref() != Some(&fingerprint) {
            cache.files.clear();
            cache.options = Some(fingerprint);
        }
        cache.reparsed.clear();
        listing = cache.unchanged_listing(source);
        // From here on, changes are collected for the next load's listing.
        cache.changed = Some(BTreeSet::new());
    }
    let all_files = match listing {
        Some(listing) => listing,
        None => source.files()?,
    };
    if let Some(cache) = cache.as_deref_mut() {
        cache.listing = Some(all_files.clone());
    }
    let file_set: BTreeSet<&str> = all_files.iter().map(String::as_str).collect();
    let include = build_globset(&options.include)?;
    let exclude = build_globset(&options.exclude)?;
    let named: BTreeSet<String> = options.named_files.iter().cloned().collect();

    let mut queue: BTreeSet<String> = all_files
        .iter()
        .filter(|f| include.is_match(f.as_str()) && !exclude.is_match(f.as_str()))
        .cloned()
        .collect();
    queue.extend(named.iter().cloned());

    let mut loaded = Loaded::default();
    let refused = source.refused_entries();
    report_refused(&refused, &mut loaded.diagnostics);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // Mounted repositories' files, by mount name (`[[sources]]`).
    let mut mounts: HashMap<String, Vec<String>> = HashMap::new();
    // A file read through Locations → the file its chain started from.
    let mut origins: HashMap<String, String> = HashMap::new();
    while !queue.is_empty() {
        let round: Vec<String> = queue
            .iter()
            .filter(|f| !seen.contains(*f))
            .cloned()
            .collect();
        queue.clear();
        seen.extend(round.iter().cloned());
        let results: Vec<FileResult> = match cache.as_deref_mut() {
            None => round
                .par_iter()
                .map(|path| load_file(source, path, named.contains(path), options))
                .collect(),
            Some(cache) => {
                let made: Vec<(FileResult, Option<Deps>)> = round
                    .par_iter()
                    .map(|path| {
                        let key = (path.clone(), named.contains(path));
                        if let Some((result, _)) = cache.files.get(&key) {
                            return (result.clone(), None);
                        }
                        let recorder = Recorder::new(source);
                        let result = load_file(&recorder, path, key.1, options);
                        (result, Some(recorder.into_deps()))
                    })
                    .collect();
                made.into_iter()
                    .map(|(result, deps)| {
                        if let Some(deps) = deps {
                            cache.reparsed.insert(result.path.clone());
                            let key = (result.path.clone(), named.contains(&result.path));
                            cache.files.insert(key, (result.clone(), deps));
                        }
                        result
                    })
                    .collect()
            }
        };
        let mut results = results;
        resolve_remote_targets(source, &mut results, &mut mounts);
        for mut result in results {
            for target in result.location_targets.iter_mut() {
                target.files = expand_target(&target.target, &all_files, &file_set, &mounts);
                if target.files.is_empty() && !target.optional {
                    result.diagnostics.push(
                        Diagnostic::new(
                            &codes::LOCATION_TARGET_MISSING,
                            format!("Location target `{}` matches no file in the catalog", target.target),
                        )
                        .at(&target.location_file, target.span)
                        .with_help("targets are relative to this file; mark targets that may be absent with `presence: optional`"),
                    );
                }
                for file in &target.files {
                    if !seen.contains(file) {
                        queue.insert(file.clone());
                        let origin = origins
                            .get(&target.location_file)
                            .cloned()
                            .unwrap_or_else(|| target.location_file.clone());
                        origins.entry(file.clone()).or_insert(origin);
                    }
                }
            }
            loaded.descriptor_files.push(result.path);
            loaded.entities.extend(result.entities);
            loaded.files.extend(result.files);
            loaded.diagnostics.extend(result.diagnostics);
            loaded.location_targets.extend(result.location_targets);
        }
    }
    loaded.descriptor_files.sort();
    if let Some(cache) = cache {
        cache.keep_only(&seen);
    }
    loaded.all_files = all_files.clone();
    if !mounts.is_empty() {
        // Mounted repositories' files, after the root's (`:` sorts after
        // nothing that matters: the list is sorted again).
        loaded.all_files.extend(mounts.into_values().flatten());
        loaded.all_files.sort();
        crate::provenance::annotate(source, &mut loaded.entities, &origins);
        // Entries of the mounted repositories' trees.
        let more: Vec<String> = source
            .refused_entries()
            .into_iter()
            .filter(|entry| !refused.contains(entry))
            .collect();
        report_refused(&more, &mut loaded.diagnostics);
    }
    loaded
        .entities
        .sort_by(|a, b| (&a.file, a.doc_index).cmp(&(&b.file, b.doc_index)));
    loaded
        .location_targets
        .sort_by(|a, b| (&a.location_file, a.span).cmp(&(&b.location_file, b.span)));
    Ok(loaded)
}

/// One finding per listing entry the source left out for its name.
fn report_refused(entries: &[String], diagnostics: &mut Vec<Diagnostic>) {
    for entry in entries {
        let reason = "`.`, `..`, a backslash or a control character; with `[[sources]]`, a `:` in a root file's name, which would name a mounted repository's file";
        diagnostics.push(
            Diagnostic::new(
                &codes::PATH_ESCAPES_ROOT,
                format!(
                    "`{entry}` has a name portolan does not read ({reason}); it and anything under it are left out"
                ),
            )
            .with_help("such names cannot be published as pages or images; a crafted git commit can hold `..` entries (git mktree accepts them) that no checkout would write"),
        );
    }
}

/// Resolve a round's URL Location targets in one batch (the source opens
/// or fetches the repositories they name in parallel): mapped ones become
/// ordinary targets in a mounted repository; the rest are reported.
fn resolve_remote_targets(
    source: &dyn Source,
    results: &mut [FileResult],
    mounts: &mut HashMap<String, Vec<String>>,
) {
    let urls: Vec<String> = results
        .iter()
        .flat_map(|r| r.remote_targets.iter().map(|t| t.url.clone()))
        .collect();
    if urls.is_empty() {
        return;
    }
    let mut resolved = source.resolve_urls(&urls).into_iter();
    for result in results.iter_mut() {
        for target in std::mem::take(&mut result.remote_targets) {
            match resolved.next().unwrap_or(UrlResolution::Unmapped) {
                UrlResolution::Unmapped => result.diagnostics.push(
                    Diagnostic::new(&codes::REMOTE_NOT_FETCHED, format!("Location target `{}` is remote and was not fetched", target.url))
                        .at(&target.location_file, target.span)
                        .with_help("map the repository's URL prefix to where it is on disk with [[sources]] in portolan.toml (`url`, `path`), or vendor its files into this repository and name them with a relative path"),
                ),
                UrlResolution::Unavailable(why) => result.diagnostics.push(
                    Diagnostic::new(&codes::SOURCE_UNAVAILABLE, format!("Location target `{}` cannot be read: {why}", target.url))
                        .at(&target.location_file, target.span),
                ),
                UrlResolution::Mounted { mount, path } => {
                    mounts
                        .entry(mount.clone())
                        .or_insert_with(|| source.mount_files(&mount));
                    result.location_targets.push(LocationTarget {
                        location_file: target.location_file,
                        span: target.span,
                        optional: target.optional,
                        target: path,
                        files: Vec::new(),
                    });
                }
            }
        }
    }
}

#[derive(Clone)]
struct FileResult {
    path: String,
    entities: Vec<Entity>,
    files: Vec<Arc<SourceFile>>,
    diagnostics: Vec<Diagnostic>,
    location_targets: Vec<LocationTarget>,
    /// Targets that are URLs: resolved per round, through `[[sources]]`.
    remote_targets: Vec<RemoteTarget>,
}

/// A Location target written as a URL.
#[derive(Clone)]
struct RemoteTarget {
    location_file: String,
    span: Span,
    optional: bool,
    url: String,
}

/// Read and decode one file; a diagnostic when it cannot be.
fn read_text(
    source: &dyn Source,
    path: &str,
    limit: u64,
    diagnostics: &mut Vec<Diagnostic>,
    files: &mut Vec<Arc<SourceFile>>,
    reported_from: Option<(&str, Span)>,
) -> Option<Arc<SourceFile>> {
    let at = |d: Diagnostic| match reported_from {
        Some((file, span)) => d.at(file, span),
        None => d.in_file(path),
    };
    let bytes = match source.read(path, limit) {
        Ok(bytes) => bytes,
        Err(ReadError::TooLarge { size, limit }) => {
            diagnostics.push(
                at(Diagnostic::new(
                    &codes::FILE_TOO_LARGE,
                    format!("`{path}` is too large to read ({} > {})", human_bytes(size), human_bytes(limit)),
                ))
                .with_help("raise `max_file_size` under `[limits]` in portolan.toml if this file is genuine"),
            );
            return None;
        }
        Err(ReadError::EscapesRoot) => {
            diagnostics.push(at(Diagnostic::new(
                &codes::PATH_ESCAPES_ROOT,
                format!("`{path}` is a symbolic link that leaves the catalog root"),
            )));
            return None;
        }
        Err(ReadError::NotFound) => {
            diagnostics.push(at(Diagnostic::new(
                &codes::FILE_NOT_FOUND,
                format!("`{path}` does not exist in the catalog root"),
            )));
            return None;
        }
        Err(ReadError::Io(message)) => {
            diagnostics.push(at(Diagnostic::new(
                &codes::READ_FAILED,
                format!("cannot read `{path}`: {message}"),
            )));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let file = Arc::new(SourceFile::new(path, text));
            files.push(file.clone());
            Some(file)
        }
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            // The lossy text has the same prefix, so the offset holds; the
            // bad byte became U+FFFD.
            let file = Arc::new(SourceFile::new(path, text));
            files.push(file.clone());
            diagnostics.push(
                Diagnostic::new(
                    &codes::INVALID_UTF8,
                    format!("`{path}` is not valid UTF-8 (first bad byte at offset {offset})"),
                )
                .at(
                    path,
                    Span::new(offset, offset + char::REPLACEMENT_CHARACTER.len_utf8()),
                )
                .with_label("this byte does not start a valid UTF-8 sequence")
                .with_help("re-save the file as UTF-8"),
            );
            // Read on with the bad bytes replaced, so the rest of the file
            // is still checked.
            Some(file)
        }
    }
}

/// Parse YAML text, turning parser errors into diagnostics.
pub use portolan_core::parse::parse_file as parse_yaml;

fn is_entity_shaped(node: &Node) -> bool {
    node.get("apiVersion").is_some() || node.get("kind").is_some()
}

fn load_file(source: &dyn Source, path: &str, named: bool, options: &LoadOptions) -> FileResult {
    let mut result = FileResult {
        path: path.to_string(),
        entities: Vec::new(),
        files: Vec::new(),
        diagnostics: Vec::new(),
        location_targets: Vec::new(),
        remote_targets: Vec::new(),
    };
    let Some(file) = read_text(
        source,
        path,
        options.max_file_size,
        &mut result.diagnostics,
        &mut result.files,
        None,
    ) else {
        return result;
    };
    for document in parse_yaml(&file, options.yaml_limits, &mut result.diagnostics) {
        if document.is_empty {
            continue;
        }
        if !is_entity_shaped(&document.root) {
            // A named API definition (`check openapi.yaml`) is not a broken
            // descriptor: its findings come from the API stage.
            let is_api_definition = ["openapi", "swagger", "asyncapi"]
                .iter()
                .any(|k| document.root.get(k).is_some());
            if named && !is_api_definition {
                result.diagnostics.push(
                    Diagnostic::new(
                        &codes::NOT_AN_ENTITY,
                        format!(
                            "document {} is not a catalog entity (a {} without `apiVersion` or `kind`)",
                            document.index + 1,
                            document.root.type_name()
                        ),
                    )
                    .at(path, first_line(&file, document.root.span))
                    .with_help("entities are mappings with `apiVersion`, `kind`, `metadata` and `spec`"),
                );
            }
            continue;
        }
        let mut root = document.root;
        let mut substitutions = Vec::new();
        substitute(
            source,
            &file,
            &mut root,
            options,
            &mut substitutions,
            &mut result,
        );
        let entity = Entity::from_document(path, document.index, root, substitutions);
        if entity.kind == Kind::Location {
            let (local, remote) = location_targets(&entity, &mut result.diagnostics);
            result.location_targets.extend(local);
            result.remote_targets.extend(remote);
        }
        result.entities.push(entity);
    }
    result
}

fn first_line(file: &SourceFile, span: Span) -> Span {
    let line = file.lines.line_of(span.start);
    let range = file.lines.line_range(&file.text, line);
    Span::new(span.start as usize, range.end.max(span.start as usize))
}

/// Replace every `{$text|$json|$yaml: path}` placeholder in `root`.
fn substitute(
    source: &dyn Source,
    file: &SourceFile,
    root: &mut Node,
    options: &LoadOptions,
    substitutions: &mut Vec<Substitution>,
    result: &mut FileResult,
) {
    // Iterative walk: documents may be deep; recursion depth is bounded by
    // the YAML limits anyway, but a work list keeps it simple.
    let mut work: Vec<(String, &mut Node)> = vec![(String::new(), root)];
    while let Some((pointer, node)) = work.pop() {
        if let Some(kind) = placeholder_kind(node) {
            let replacement = resolve_placeholder(
                source,
                file,
                node,
                kind,
                &pointer,
                options,
                substitutions,
                result,
            );
            *node = replacement;
            continue;
        }
        match &mut node.value {
            Value::Map(entries) => {
                for entry in entries.iter_mut() {
                    let child = format!("{pointer}/{}", yaml::escape_pointer_token(&entry.key));
                    work.push((child, &mut entry.value));
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    work.push((format!("{pointer}/{i}"), item));
                }
            }
            _ => {}
        }
    }
    substitutions.sort_by(|a, b| a.pointer.cmp(&b.pointer));
}

fn placeholder_kind(node: &Node) -> Option<SubstitutionKind> {
    let entries = node.as_map()?;
    if entries.len() != 1 {
        return None;
    }
    match entries[0].key.as_str() {
        "$text" => Some(SubstitutionKind::Text),
        "$json" => Some(SubstitutionKind::Json),
        "$yaml" => Some(SubstitutionKind::Yaml),
        // Backstage's OpenAPI module resolves these to the bundled document
        // as text; portolan reads the file and bundles in the API stage.
        "$openapi" => Some(SubstitutionKind::OpenApi),
        "$asyncapi" => Some(SubstitutionKind::AsyncApi),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_placeholder(
    source: &dyn Source,
    file: &SourceFile,
    node: &Node,
    kind: SubstitutionKind,
    pointer: &str,
    options: &LoadOptions,
    substitutions: &mut Vec<Substitution>,
    result: &mut FileResult,
) -> Node {
    let entry = &node.as_map().expect("placeholder is a map")[0];
    let span = node.span;
    let value_span = entry.value.span;
    let Some(target) = entry.value.as_str() else {
        result.diagnostics.push(
            Diagnostic::new(
                &codes::INVALID_SUBSTITUTION,
                format!(
                    "`{}` must name a file as a string, found a {}",
                    entry.key,
                    entry.value.type_name()
                ),
            )
            .at(&file.path, value_span),
        );
        return Node::new(Value::String(String::new()), span);
    };
    let mut record = Substitution {
        pointer: pointer.to_string(),
        kind,
        target: target.to_string(),
        path: None,
    };
    // Unresolvable placeholders stand in as the target string, as Backstage
    // validates with placeholders resolved to text.
    let stand_in = Node::new(Value::String(target.to_string()), span);
    let resolved = match paths::resolve_relative(&file.path, target) {
        Ok(path) => path,
        Err(PathError::Remote) => {
            result.diagnostics.push(
                Diagnostic::new(
                    &codes::REMOTE_NOT_FETCHED,
                    format!("`{target}` is remote and was not fetched"),
                )
                .at(&file.path, value_span)
                .with_help("vendor the file into the repository and name it with a relative path"),
            );
            substitutions.push(record);
            return stand_in;
        }
        Err(err) => {
            let code = if err == PathError::Empty {
                &codes::INVALID_SUBSTITUTION
            } else {
                &codes::PATH_ESCAPES_ROOT
            };
            result.diagnostics.push(
                Diagnostic::new(code, format!("`{target}`: {err}")).at(&file.path, value_span),
            );
            substitutions.push(record);
            return stand_in;
        }
    };
    let Some(target_file) = read_text(
        source,
        &resolved,
        options.max_file_size,
        &mut result.diagnostics,
        &mut Vec::new(),
        Some((&file.path, value_span)),
    ) else {
        substitutions.push(record);
        return stand_in;
    };
    record.path = Some(resolved.clone());
    substitutions.push(record);
    match kind {
        SubstitutionKind::Text | SubstitutionKind::OpenApi | SubstitutionKind::AsyncApi => {
            Node::new(Value::String(target_file.text.clone()), span)
        }
        SubstitutionKind::Json => {
            match serde_json::from_str::<serde_json::Value>(&target_file.text) {
                Ok(value) => Node::from_json(&value, span),
                Err(err) => {
                    let at = target_file.lines.offset_of(
                        &target_file.text,
                        err.line().saturating_sub(1),
                        err.column().saturating_sub(1),
                    );
                    result.files.push(target_file.clone());
                    result.diagnostics.push(
                        Diagnostic::new(
                            &codes::INVALID_SUBSTITUTION,
                            format!("`{resolved}` is not valid JSON: {err}"),
                        )
                        .at(&resolved, Span::new(at, at + 1))
                        .with_related(
                            &file.path,
                            value_span,
                            "substituted here with `$json`",
                        ),
                    );
                    stand_in
                }
            }
        }
        SubstitutionKind::Yaml => {
            let mut diagnostics = Vec::new();
            let documents = parse_yaml(&target_file, options.yaml_limits, &mut diagnostics);
            if !diagnostics.is_empty() {
                result.files.push(target_file.clone());
                result.diagnostics.extend(diagnostics);
            }
            match documents.into_iter().find(|d| !d.is_empty) {
                Some(document) => {
                    let mut root = document.root;
                    root.respan(span);
                    root
                }
                None => Node::new(Value::Null, span),
            }
        }
    }
}

fn location_targets(
    entity: &Entity,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<LocationTarget>, Vec<RemoteTarget>) {
    let spec = entity.node.get("spec");
    let optional = spec
        .and_then(|s| s.get("presence"))
        .and_then(Node::as_str)
        .is_some_and(|p| p == "optional");
    let mut raw: Vec<(&str, Span)> = Vec::new();
    if let Some(target) = spec.and_then(|s| s.get("target"))
        && let Some(t) = target.as_str()
    {
        raw.push((t, target.span));
    }
    if let Some(list) = spec.and_then(|s| s.get("targets")).and_then(Node::as_seq) {
        raw.extend(
            list.iter()
                .filter_map(|item| item.as_str().map(|t| (t, item.span))),
        );
    }
    let mut targets = Vec::new();
    let mut remote = Vec::new();
    for (target, span) in raw {
        match paths::resolve_relative(&entity.file, target) {
            Ok(path) => targets.push(LocationTarget {
                location_file: entity.file.clone(),
                span,
                optional,
                target: path,
                files: Vec::new(),
            }),
            Err(PathError::Remote) => remote.push(RemoteTarget {
                location_file: entity.file.clone(),
                span,
                optional,
                url: target.trim().to_string(),
            }),
            Err(err) => diagnostics.push(
                Diagnostic::new(
                    &codes::PATH_ESCAPES_ROOT,
                    format!("Location target `{target}`: {err}"),
                )
                .at(&entity.file, span),
            ),
        }
    }
    (targets, remote)
}

fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// The files a target names: itself when it exists, or a glob's matches.
/// A target in a mounted repository is looked up in that repository's
/// files (`mounts`), its glob matched against paths inside it, so
/// `**/catalog-info.yaml` also matches at the repository's root.
fn expand_target(
    target: &str,
    all_files: &[String],
    file_set: &BTreeSet<&str>,
    mounts: &HashMap<String, Vec<String>>,
) -> Vec<String> {
    if let (Some(prefix), inner) = paths::split_mount(target) {
        let files = mounts
            .get(&prefix[..prefix.len() - 1])
            .map(Vec::as_slice)
            .unwrap_or_default();
        if !is_glob(inner) {
            return if files.binary_search_by(|f| f.as_str().cmp(target)).is_ok() {
                vec![target.to_string()]
            } else {
                Vec::new()
            };
        }
        return match Glob::new(inner) {
            Ok(glob) => {
                let matcher = glob.compile_matcher();
                files
                    .iter()
                    .filter(|f| matcher.is_match(&f[prefix.len()..]))
                    .cloned()
                    .collect()
            }
            Err(_) => Vec::new(),
        };
    }
    if !is_glob(target) {
        return if file_set.contains(target) {
            vec![target.to_string()]
        } else {
            Vec::new()
        };
    }
    match Glob::new(target) {
        Ok(glob) => {
            let matcher = glob.compile_matcher();
            all_files
                .iter()
                .filter(|f| matcher.is_match(f.as_str()))
                .cloned()
                .collect()
        }
        Err(_) => Vec::new(),
    }
}
