//! Docs-as-code: `backstage.io/techdocs-ref: dir:PATH` names a folder of
//! markdown (with `mkdocs.yml` for its navigation, as TechDocs reads it).
//! This stage reads the pages and images through the catalog's source and
//! checks their relative links; the site stage renders them.

use std::collections::{BTreeMap, BTreeSet};

use portolan_catalog::{Catalog, EntityId};
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
    /// Image path (relative to `dir`) → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
    pub nav: Vec<NavItem>,
    pub site_name: Option<String>,
    /// Images left out (reported as unsafe); links to them are not broken.
    pub withheld: BTreeSet<String>,
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg"];

fn is_unsafe_svg(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    text.contains("<script")
        || text.contains("javascript:")
        || text.contains("<foreignobject")
        || text
            .split(|c: char| c.is_whitespace())
            .any(|w| w.starts_with("on") && w.contains('='))
}

fn title_from_path(path: &str) -> String {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".md");
    let stem = if stem == "index" { "Overview" } else { stem };
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
) -> BTreeMap<EntityId, DocSet> {
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
    let mut out = BTreeMap::new();
    for (id, entity) in catalog.entities.iter().enumerate() {
        if !entity.has_identity() || catalog.index.get(&entity.key()) != Some(&id) {
            continue;
        }
        let Some(reference) = entity.annotation(TECHDOCS_REF) else {
            continue;
        };
        let span = entity
            .node
            .pointer(&format!(
                "/metadata/annotations/{}",
                TECHDOCS_REF.replace('/', "~1")
            ))
            .map(|n| n.span)
            .unwrap_or(entity.node.span);
        let report = |message: String| {
            Diagnostic::new(&codes::DOCS_NOT_FOUND, message).at(&entity.file, span)
        };
        let Some(dir) = reference.strip_prefix("dir:") else {
            diagnostics.push(report(format!(
                "`{reference}` is not a `dir:` reference; remote docs are not fetched"
            )));
            continue;
        };
        let Ok(root) = join_normalized(parent_dir(&entity.file), dir) else {
            diagnostics.push(
                Diagnostic::new(
                    &codes::PATH_ESCAPES_ROOT,
                    format!("`{reference}` leaves the catalog root"),
                )
                .at(&entity.file, span),
            );
            continue;
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
        if let Ok(bytes) = source.read(&mkdocs_path, 1 << 20) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let stream = portolan_core::yaml::parse_stream(&text, Default::default());
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
            } else if IMAGE_EXTENSIONS.contains(&extension.as_str()) {
                if let Ok(bytes) = source.read(file, 8 << 20) {
                    if extension == "svg" && is_unsafe_svg(&bytes) {
                        diagnostics.push(
                            Diagnostic::new(
                                &codes::UNSAFE_DOC_ASSET,
                                format!("`{file}` contains script and is not published"),
                            )
                            .in_file(file.clone()),
                        );
                        docs.withheld.insert(rel.to_string());
                        continue;
                    }
                    docs.assets.insert(rel.to_string(), bytes);
                }
            }
        }
        if docs.pages.is_empty() {
            diagnostics.push(report(format!(
                "no markdown pages under `{}` for `{reference}`",
                if docs_dir.is_empty() { "." } else { &docs_dir }
            )));
            continue;
        }
        if docs.nav.is_empty() {
            let mut paths: Vec<&String> = docs.pages.keys().collect();
            // index.md first, then the rest in path order.
            paths.sort_by_key(|p| {
                (
                    p.rsplit('/').next() != Some("index.md"),
                    p.matches('/').count(),
                    (*p).clone(),
                )
            });
            docs.nav = paths
                .into_iter()
                .map(|p| NavItem::Page {
                    title: title_from_path(p),
                    path: p.clone(),
                })
                .collect();
        }
        docs.dir = docs_dir;
        check_links(&docs, diagnostics);
        out.insert(id, docs);
    }
    out
}

/// Relative links and images in every page must lead to a page or image
/// of the set.
fn check_links(docs: &DocSet, diagnostics: &mut Vec<Diagnostic>) {
    let known: BTreeSet<&str> = docs
        .pages
        .keys()
        .chain(docs.assets.keys())
        .chain(docs.withheld.iter())
        .map(String::as_str)
        .collect();
    for (page, text) in &docs.pages {
        for (target, offset) in relative_links(text) {
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() {
                continue;
            }
            let resolved = join_normalized(parent_dir(page), path);
            let ok = match &resolved {
                Ok(p) => {
                    known.contains(p.as_str())
                        || known.contains(format!("{p}/index.md").as_str())
                        || known.contains(format!("{}.md", p.trim_end_matches('/')).as_str())
                }
                Err(_) => false,
            };
            if !ok {
                let file = if docs.dir.is_empty() {
                    page.clone()
                } else {
                    format!("{}/{page}", docs.dir)
                };
                diagnostics.push(
                    Diagnostic::new(
                        &codes::BROKEN_DOC_LINK,
                        format!("`{target}` does not exist in the docs"),
                    )
                    .at(file, Span::new(offset, offset + target.len())),
                );
            }
        }
    }
}

/// Relative link and image targets of a markdown page with their offsets.
pub fn relative_links(text: &str) -> Vec<(String, usize)> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::all()).into_offset_iter() {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url.to_string(),
            _ => continue,
        };
        if dest.is_empty()
            || dest.starts_with('#')
            || dest.starts_with('/')
            || paths::is_remote(&dest)
            || dest.starts_with("mailto:")
        {
            continue;
        }
        let offset = text[range.clone()]
            .find(&dest)
            .map(|i| range.start + i)
            .unwrap_or(range.start);
        out.push((dest, offset));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
