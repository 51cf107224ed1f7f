//! Docs-as-code: `backstage.io/techdocs-ref: dir:PATH` names a folder of
//! markdown (with `mkdocs.yml` for its navigation, as TechDocs reads it).
//! This stage reads the pages and images through the catalog's source and
//! checks their relative links; the site stage renders them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use portolan_catalog::{Catalog, EntityId};
use portolan_core::deps::{Deps, Recorder};
use portolan_core::paths::{self, join_normalized, parent_dir};
use portolan_core::source::Source;
use portolan_core::{Diagnostic, Span, codes};

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// One entry of the navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavItem {
    Page { title: String, path: String },
    Section { title: String, items: Vec<NavItem> },
}

/// An entity's documentation.
#[derive(Debug, Clone, Default)]
pub struct DocSet {
    /// Catalog path of the docs folder.
    pub dir: String,
    /// Page path (relative to `dir`, e.g. `guide/setup.md`) → markdown.
    pub pages: BTreeMap<String, String>,
    /// Image path (relative to `dir`) → the bytes to publish: as read for
    /// raster images, rebuilt by [`crate::svg::sanitize_svg`] for SVGs.
    pub assets: BTreeMap<String, Vec<u8>>,
    pub nav: Vec<NavItem>,
    pub site_name: Option<String>,
    /// SVGs left out (reported as D003), with their text for code frames;
    /// links to them are not broken.
    pub withheld: BTreeMap<String, String>,
    /// `mkdocs.yml` (catalog path and text) when one was read: nav findings
    /// point into it.
    pub mkdocs: Option<(String, String)>,
}

impl DocSet {
    /// The page shown at the docs' root URL: `index.md`, else `README.md`
    /// (as MkDocs does), else none: the site then makes a contents page.
    pub fn index_page(&self) -> Option<&str> {
        ["index.md", "README.md"]
            .into_iter()
            .find(|p| self.pages.contains_key(*p))
    }

    /// The page or image a relative path (already resolved against the
    /// linking page) names, as MkDocs finds it: the file itself, a
    /// folder's `index.md` or `README.md`, or `PATH.md`.
    pub fn target(&self, resolved: &str) -> Option<String> {
        let folder = resolved.trim_end_matches('/');
        [
            resolved.to_string(),
            format!("{folder}/index.md"),
            format!("{folder}/README.md"),
            format!("{folder}.md"),
        ]
        .into_iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .find(|p| {
            self.pages.contains_key(p)
                || self.assets.contains_key(p)
                || self.withheld.contains_key(p)
        })
    }
}

/// Whether a page file is a folder's own page (`index.md`, or `README.md`
/// as MkDocs reads it).
pub fn is_folder_page(page: &str) -> bool {
    matches!(page.rsplit('/').next(), Some("index.md" | "README.md"))
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];

fn title_from_path(path: &str) -> String {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md");
    let stem = if stem == "index" || stem == "README" {
        "Overview"
    } else {
        stem
    };
    let mut title: String = stem.replace(['-', '_'], " ");
    if let Some(first) = title.get(0..1) {
        title = first.to_uppercase() + &title[1..];
    }
    title
}

/// mkdocs `nav`: a list of `path` or `{Title: path}` or `{Title: [...]}`.
fn parse_nav(node: &portolan_core::yaml::Node) -> Vec<NavItem> {
    let mut items = Vec::new();
    for item in node.as_seq().into_iter().flatten() {
        if let Some(path) = item.as_str() {
            items.push(NavItem::Page {
                title: title_from_path(path),
                path: path.to_string(),
            });
        } else if let Some(entries) = item.as_map() {
            for entry in entries {
                if let Some(path) = entry.value.as_str() {
                    if !paths::is_remote(path) {
                        items.push(NavItem::Page {
                            title: entry.key.clone(),
                            path: path.to_string(),
                        });
                    }
                } else if entry.value.as_seq().is_some() {
                    items.push(NavItem::Section {
                        title: entry.key.clone(),
                        items: parse_nav(&entry.value),
                    });
                }
            }
        }
    }
    items
}

/// Load the docs of every entity that declares them.
/// The files of sorted `files` whose path starts with `prefix` (empty
/// prefix: all of them).
fn files_under<'a>(files: &'a [String], prefix: &str) -> &'a [String] {
    let start = files.partition_point(|f| f.as_str() < prefix);
    let len = files[start..].partition_point(|f| f.starts_with(prefix));
    &files[start..start + len]
}

pub fn load_docs(
    source: &dyn Source,
    catalog: &Catalog,
    all_files: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<EntityId, Arc<DocSet>> {
    load_docs_cached(
        source,
        catalog,
        all_files,
        diagnostics,
        None,
        &BTreeSet::new(),
    )
}

/// Docs kept from one check to the next (`serve`), by entity.
#[derive(Default)]
pub struct DocsCache {
    entries: HashMap<String, DocsEntry>,
}

struct DocsEntry {
    /// The descriptor the reference is written in.
    file: String,
    docs: Option<Arc<DocSet>>,
    diagnostics: Vec<Diagnostic>,
    /// The files read and the folder listed.
    deps: Deps,
}

impl DocsCache {
    pub fn invalidate(&mut self, changed: &BTreeSet<String>) {
        self.entries
            .retain(|_, entry| !entry.deps.touched_by_any(changed));
    }
}

/// [`load_docs`], reusing an entity's docs from `cache` unless a file under
/// its docs folder changed or its descriptor was parsed again (in
/// `reparsed`).
pub fn load_docs_cached(
    source: &dyn Source,
    catalog: &Catalog,
    all_files: &[String],
    diagnostics: &mut Vec<Diagnostic>,
    mut cache: Option<&mut DocsCache>,
    reparsed: &BTreeSet<String>,
) -> BTreeMap<EntityId, Arc<DocSet>> {
    // Sorted, so the files under a folder are one slice found by binary
    // search: a catalog of thousands of documented components must not scan
    // every file for each of them.
    let sorted;
    let all_files = if all_files.is_sorted() {
        all_files
    } else {
        sorted = {
            let mut files = all_files.to_vec();
            files.sort();
            files
        };
        &sorted[..]
    };
    let mut previous = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.entries))
        .unwrap_or_default();
    let mut kept = HashMap::new();
    let mut out = BTreeMap::new();
    for (id, entity) in catalog.entities.iter().enumerate() {
        if !entity.has_identity() || catalog.index.get(entity.key_ref()) != Some(&id) {
            continue;
        }
        let Some(reference) = entity.annotation(TECHDOCS_REF) else {
            continue;
        };
        let key = entity.key().to_string();
        let entry = match previous.remove(&key) {
            Some(entry) if entry.file == entity.file && !reparsed.contains(&entity.file) => entry,
            _ => {
                let recorder = Recorder::new(source);
                let mut found = Vec::new();
                let mut deps = Deps::default();
                let docs = entity_docs(
                    &recorder, entity, reference, all_files, &mut found, &mut deps,
                );
                deps.extend(&recorder.into_deps());
                deps.file(entity.file.clone());
                DocsEntry {
                    file: entity.file.clone(),
                    docs: docs.map(Arc::new),
                    diagnostics: found,
                    deps,
                }
            }
        };
        diagnostics.extend(entry.diagnostics.iter().cloned());
        if let Some(docs) = &entry.docs {
            out.insert(id, docs.clone());
        }
        if cache.is_some() {
            kept.insert(key, entry);
        }
    }
    if let Some(cache) = cache {
        cache.entries = kept;
    }
    out
}

/// One entity's docs (`reference` is its techdocs-ref), with what it
/// found wrong in `diagnostics` and the folder it listed in `deps`.
fn entity_docs(
    source: &dyn Source,
    entity: &portolan_catalog::Entity,
    reference: &str,
    all_files: &[String],
    diagnostics: &mut Vec<Diagnostic>,
    deps: &mut Deps,
) -> Option<DocSet> {
    let span = entity
        .node
        .pointer(&format!(
            "/metadata/annotations/{}",
            TECHDOCS_REF.replace('/', "~1")
        ))
        .map(|n| n.span)
        .unwrap_or(entity.node.span);
    let report =
        |message: String| Diagnostic::new(&codes::DOCS_NOT_FOUND, message).at(&entity.file, span);
    let Some(dir) = reference.strip_prefix("dir:") else {
        diagnostics.push(report(format!(
            "`{reference}` is not a `dir:` reference; remote docs are not fetched"
        )));
        return None;
    };
    let Ok(root) = join_normalized(parent_dir(&entity.file), dir) else {
        diagnostics.push(
            Diagnostic::new(
                &codes::PATH_ESCAPES_ROOT,
                format!("`{reference}` leaves the catalog root"),
            )
            .at(&entity.file, span),
        );
        return None;
    };
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}/{b}")
        }
    };
    let mkdocs_path = join(&root, "mkdocs.yml");
    let mut docs = DocSet::default();
    let mut docs_dir = join(&root, "docs");
    // Without mkdocs.yml, whether docs/ holds anything decides where the
    // pages are.
    deps.folder(format!("{docs_dir}/"));
    let mut nav_node = None;
    if let Ok(bytes) = source.read(&mkdocs_path, 1 << 20) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let stream = portolan_core::yaml::parse_stream(&text, Default::default());
        docs.mkdocs = Some((mkdocs_path.clone(), text.clone()));
        if let Some(doc) = stream.documents.into_iter().find(|d| !d.is_empty) {
            if let Some(d) = doc.root.get("docs_dir").and_then(|n| n.as_str()) {
                docs_dir = join_normalized(&root, d).unwrap_or(docs_dir);
            }
            docs.site_name = doc
                .root
                .get("site_name")
                .and_then(|n| n.as_str())
                .map(str::to_string);
            if let Some(nav) = doc.root.get("nav") {
                docs.nav = parse_nav(nav);
                nav_node = Some(nav.clone());
            }
        }
    } else if files_under(all_files, &format!("{docs_dir}/")).is_empty() {
        // No mkdocs.yml and no docs/: markdown directly in the folder.
        docs_dir = root.clone();
    }
    let prefix = if docs_dir.is_empty() {
        String::new()
    } else {
        format!("{docs_dir}/")
    };
    // The pages and images are what is under the folder: any file added
    // or removed there counts.
    deps.folder(prefix.clone());
    for file in files_under(all_files, &prefix) {
        let rel = &file[prefix.len()..];
        let extension = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        if extension == "md" {
            if let Ok(bytes) = source.read(file, 8 << 20) {
                docs.pages.insert(
                    rel.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
        } else if IMAGE_EXTENSIONS.contains(&extension.as_str())
            && let Ok(bytes) = source.read(file, 8 << 20)
        {
            let bytes = if extension == "svg" {
                match crate::svg::sanitize_svg(&bytes) {
                    Ok(rebuilt) => rebuilt,
                    Err(found) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        diagnostics.push(unsafe_svg_diagnostic(file, &text, &found));
                        docs.withheld.insert(rel.to_string(), text);
                        continue;
                    }
                }
            } else {
                bytes
            };
            docs.assets.insert(rel.to_string(), bytes);
        }
    }
    // MkDocs publishes a folder's README.md as its page, unless the
    // folder has an index.md too; then the README is left out.
    let shadowed: BTreeSet<String> = docs
        .pages
        .keys()
        .filter_map(|p| {
            let folder = p.strip_suffix("README.md")?;
            (folder.is_empty() || folder.ends_with('/'))
                .then(|| format!("{folder}index.md"))
                .filter(|index| docs.pages.contains_key(index))
                .map(|_| p.clone())
        })
        .collect();
    for page in &shadowed {
        docs.pages.remove(page);
    }
    if docs.pages.is_empty() {
        diagnostics.push(report(format!(
            "no markdown pages under `{}` for `{reference}`",
            if docs_dir.is_empty() { "." } else { &docs_dir }
        )));
        return None;
    }
    if docs.nav.is_empty() {
        let mut paths: Vec<&String> = docs.pages.keys().collect();
        // The folder's page first, then the rest in path order.
        paths.sort_by_key(|p| (!is_folder_page(p), p.matches('/').count(), (*p).clone()));
        docs.nav = paths
            .into_iter()
            .map(|p| NavItem::Page {
                title: title_from_path(p),
                path: p.clone(),
            })
            .collect();
    } else if let (Some(nav), Some((path, _))) = (&nav_node, &docs.mkdocs) {
        check_nav(nav, &docs, path, diagnostics);
    }
    docs.dir = docs_dir;
    check_links(&docs, &shadowed, diagnostics);
    Some(docs)
}

/// Every page the `nav` of `mkdocs.yml` names must be a page of the docs
/// (the site leaves a missing one out of the navigation; MkDocs warns).
fn check_nav(
    node: &portolan_core::yaml::Node,
    docs: &DocSet,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for item in node.as_seq().into_iter().flatten() {
        let entries: Vec<&portolan_core::yaml::Node> = match item.as_map() {
            Some(entries) => entries.iter().map(|e| &e.value).collect(),
            None => vec![item],
        };
        for value in entries {
            if value.as_seq().is_some() {
                check_nav(value, docs, file, diagnostics);
                continue;
            }
            let Some(path) = value.as_str() else { continue };
            if paths::is_remote(path) || docs.pages.contains_key(path) {
                continue;
            }
            diagnostics.push(
                Diagnostic::new(
                    &codes::BROKEN_DOC_LINK,
                    format!(
                        "the `nav` entry `{path}` is not a page of the docs (it is left out of the navigation)"
                    ),
                )
                .at(file.to_string(), value.span),
            );
        }
    }
}

/// D003 for an SVG that is not published, at the node that made it unsafe
/// (the tag or attribute name) when the parser knows where that is.
fn unsafe_svg_diagnostic(file: &str, text: &str, found: &crate::svg::Unsafe) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        &codes::UNSAFE_DOC_ASSET,
        format!("`{file}` {}; the image is not published", found.reason),
    );
    match found.offset.filter(|&at| text.is_char_boundary(at)) {
        Some(at) => {
            let rest = &text[at..];
            let len = rest
                .char_indices()
                .skip(1)
                .find(|(_, c)| c.is_whitespace() || matches!(c, '>' | '=' | '/' | '<'))
                .map_or(rest.len(), |(i, _)| i);
            diagnostic.at(file.to_string(), Span::new(at, at + len))
        }
        None => diagnostic.in_file(file.to_string()),
    }
}

/// The markdown extensions docs pages are rendered with (the site uses the
/// same set, so headings found here are the headings rendered there).
pub const MARKDOWN_OPTIONS: pulldown_cmark::Options = pulldown_cmark::Options::ENABLE_TABLES
    .union(pulldown_cmark::Options::ENABLE_FOOTNOTES)
    .union(pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
    .union(pulldown_cmark::Options::ENABLE_TASKLISTS)
    .union(pulldown_cmark::Options::ENABLE_HEADING_ATTRIBUTES);

/// A heading's anchor as MkDocs (Python-Markdown's `toc`) makes it, so
/// links written for an MkDocs site keep working: accents decomposed and
/// other non-ASCII dropped, everything but letters, digits, `_`, `-` and
/// spaces removed, lower-cased, runs of spaces and `-` made one `-`.
pub fn heading_slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let ascii: String = text.nfkd().filter(char::is_ascii).collect();
    let kept: String = ascii
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_ascii_whitespace())
        .collect();
    let mut out = String::with_capacity(kept.len());
    for c in kept.trim().to_ascii_lowercase().chars() {
        if c == '-' || c.is_ascii_whitespace() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Make `id` unique among `used` the way Python-Markdown does: `_1`, `_2`…
/// (an empty id becomes `_1`).
pub fn unique_heading_id(id: String, used: &mut BTreeSet<String>) -> String {
    let mut id = id;
    while id.is_empty() || used.contains(&id) {
        id = match id.rsplit_once('_') {
            Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{stem}_{}", n.parse::<u64>().unwrap_or(0) + 1)
            }
            _ => format!("{id}_1"),
        };
    }
    used.insert(id.clone());
    id
}

/// The anchors of a page's headings, in order: an explicit `{#id}` as
/// written, else the slug of the heading's text.
pub fn heading_ids(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut ids = Vec::new();
    let mut used = BTreeSet::new();
    let mut current: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(text, MARKDOWN_OPTIONS) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                current = Some((id.map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut current {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((explicit, text)) = current.take() {
                    let id = match explicit {
                        Some(id) => {
                            used.insert(id.clone());
                            id
                        }
                        None => unique_heading_id(heading_slug(&text), &mut used),
                    };
                    ids.push(id);
                }
            }
            _ => {}
        }
    }
    ids
}

/// Relative links and images in every page must lead to a page or image
/// of the set, and a `#fragment` to a heading of its page. Site-absolute
/// links are reported (D004): the site does not publish them.
fn check_links(docs: &DocSet, shadowed: &BTreeSet<String>, diagnostics: &mut Vec<Diagnostic>) {
    let ids: BTreeMap<&str, BTreeSet<String>> = docs
        .pages
        .iter()
        .map(|(page, text)| (page.as_str(), heading_ids(text).into_iter().collect()))
        .collect();
    for (page, text) in &docs.pages {
        let file = if docs.dir.is_empty() {
            page.clone()
        } else {
            format!("{}/{page}", docs.dir)
        };
        for link in doc_links(text) {
            let target = &link.target;
            let span = Span::new(link.offset, link.offset + target.len());
            if link.site_absolute {
                let message = if target.starts_with("//") {
                    format!(
                        "`{target}` is a protocol-relative link: write the full `https:` URL (the link is not published)"
                    )
                } else {
                    format!(
                        "`{target}` is site-absolute: where it lands depends on where the portal is deployed, so it is not published; link to a docs page relatively, or write the full URL"
                    )
                };
                diagnostics.push(
                    Diagnostic::new(&codes::SITE_ABSOLUTE_DOC_LINK, message).at(file.clone(), span),
                );
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target.as_str(), None),
            };
            // Percent-encoded as in a URL (`c%23.md` for `c#.md`), as
            // MkDocs reads links.
            let resolved = if path.is_empty() {
                Ok(page.clone())
            } else {
                join_normalized(parent_dir(page), &portolan_apis::refs::percent_decode(path))
            };
            let found = resolved.as_deref().ok().and_then(|p| docs.target(p));
            let message = match (&found, fragment) {
                (None, _) => match resolved {
                    Ok(p) if shadowed.contains(&p) => format!(
                        "`{target}` is not published: `index.md` in the same folder is that folder's page (as in MkDocs); link to the folder or to `index.md`"
                    ),
                    _ => format!("`{target}` does not exist in the docs"),
                },
                (Some(p), Some(fragment)) if !fragment.is_empty() => {
                    let decoded = portolan_apis::refs::percent_decode(fragment);
                    match ids.get(p.as_str()) {
                        Some(page_ids) if !page_ids.contains(&decoded) => {
                            let near = page_ids
                                .iter()
                                .min_by_key(|id| strsim::levenshtein(id, &decoded))
                                .filter(|id| strsim::levenshtein(id, &decoded) <= 3);
                            match near {
                                Some(id) => format!(
                                    "`{target}`: `{p}` has no heading `#{decoded}` (did you mean `#{id}`?)"
                                ),
                                None => format!("`{target}`: `{p}` has no heading `#{decoded}`"),
                            }
                        }
                        _ => continue,
                    }
                }
                _ => continue,
            };
            diagnostics
                .push(Diagnostic::new(&codes::BROKEN_DOC_LINK, message).at(file.clone(), span));
        }
    }
}

/// A link or image target of a docs page that is the docs' business: a
/// relative path (checked against the docs) or a site-absolute one
/// (`/x`, `//host/x`: reported, not published).
#[derive(Debug, PartialEq, Eq)]
pub struct DocLink {
    pub target: String,
    /// Byte offset of the target in the page.
    pub offset: usize,
    pub site_absolute: bool,
}

/// The links and images of a markdown page that point into the docs or at
/// the site's root, with their offsets: everything but web and mail URLs,
/// other schemes and a bare `#`.
pub fn doc_links(text: &str) -> Vec<DocLink> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, MARKDOWN_OPTIONS).into_offset_iter() {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url.to_string(),
            _ => continue,
        };
        if dest.is_empty() || dest == "#" || paths::is_remote(&dest) || dest.starts_with("mailto:")
        {
            continue;
        }
        let offset = text[range.clone()]
            .find(&dest)
            .map(|i| range.start + i)
            .unwrap_or(range.start);
        out.push(DocLink {
            site_absolute: dest.starts_with('/'),
            target: dest,
            offset,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_anchors_follow_mkdocs() {
        assert_eq!(heading_slug("What's new?"), "whats-new");
        assert_eq!(heading_slug("Café au lait"), "cafe-au-lait");
        assert_eq!(heading_slug("  API  --  v2 "), "api-v2");
        assert_eq!(heading_slug("snake_case stays"), "snake_case-stays");
        assert_eq!(
            heading_ids("# Setup\n## Setup\n## Setup\n# ¿?\n## Custom {#mine}\n"),
            vec!["setup", "setup_1", "setup_2", "_1", "mine"]
        );
    }

    #[test]
    fn links_to_missing_headings_are_reported_with_a_suggestion() {
        let mut docs = DocSet {
            dir: "docs".into(),
            ..DocSet::default()
        };
        docs.pages.insert(
            "index.md".into(),
            "# Home\n[ok](guide.md#getting-started) [typo](guide.md#geting-started) \
             [here](#home) [gone](#nowhere) [encoded](guide.md#getting%2Dstarted)\n"
                .into(),
        );
        docs.pages
            .insert("guide.md".into(), "# Guide\n## Getting started\n".into());
        let mut diagnostics = Vec::new();
        check_links(&docs, &BTreeSet::new(), &mut diagnostics);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`guide.md#geting-started`: `guide.md` has no heading `#geting-started` (did you mean `#getting-started`?)",
                "`#nowhere`: `index.md` has no heading `#nowhere`",
            ]
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.file.as_deref() == Some("docs/index.md"))
        );
    }

    #[test]
    fn files_under_a_prefix_by_binary_search() {
        let files: Vec<String> = ["a.md", "b/x.md", "b/y/z.md", "ba/q.md", "c.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(files_under(&files, "b/"), &files[1..3]);
        assert_eq!(files_under(&files, ""), &files[..]);
        assert!(files_under(&files, "d/").is_empty());
        assert_eq!(files_under(&files, "ba/"), &files[3..4]);
    }
}
