//! Docs-as-code pages: each entity's markdown rendered under
//! `<entity>/docs/`, with the mkdocs navigation, heading anchors, relative
//! links rewritten to the portal's URLs, images copied, and the result
//! sanitised like every other piece of user text.

use minijinja::context;
use minijinja::value::{Serde, Value};
use portolan_check::docs::{DocSet, NavItem};
use portolan_core::paths::{join_normalized, parent_dir};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};
use serde::Serialize;
use std::collections::HashSet;

/// The folder a docs page is written to (`guide/setup.md` →
/// `<root>guide/setup/`); a folder's `index.md` or `README.md` (as MkDocs
/// reads it) is the folder's own page.
fn page_dir(root: &str, page: &str) -> String {
    let stem = page.trim_end_matches(".md");
    if stem == "index" || stem == "README" {
        return root.to_string();
    }
    let stem = stem
        .strip_suffix("/index")
        .or_else(|| stem.strip_suffix("/README"))
        .unwrap_or(stem);
    format!("{root}{stem}/")
}

/// The URL path of a docs page: [`page_dir`] with the characters that mean
/// something else in a URL percent-encoded (a page named `c#.md` lives in
/// `c#/`, and its URL is `c%23/`).
pub fn page_path(root: &str, page: &str) -> String {
    let dir = page_dir(root, page);
    let mut url = String::with_capacity(dir.len());
    for c in dir.chars() {
        if c.is_ascii_control() || " \"#%<>?\\^`{|}".contains(c) {
            url.push_str(&format!("%{:02X}", c as u32));
        } else {
            url.push(c);
        }
    }
    url
}

/// A link to another file of the docs tree (not a URL, an absolute path or
/// an anchor on the same page).
fn is_relative_file(dest: &str) -> bool {
    let scheme = dest
        .split_once(':')
        .is_some_and(|(s, _)| !s.contains('/') && !s.contains('#'));
    !(dest.is_empty() || dest.starts_with('#') || dest.starts_with('/') || scheme)
}

/// Rewrite a relative link of `page` to the portal URL of its target.
fn rewrite(docs: &DocSet, base: &str, root: &str, page: &str, dest: &str) -> Option<String> {
    if dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with('/')
        || dest.contains("://")
        || dest.starts_with("mailto:")
    {
        return None;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let resolved = if path.is_empty() {
        page.to_string()
    } else {
        let path = portolan_apis::refs::percent_decode(path);
        join_normalized(parent_dir(page), &path).ok()?
    };
    // The same lookup as the check's, so a link D002 accepts is a link
    // published here, and one it reports is dropped.
    let target = docs.target(&resolved)?;
    let url = if docs.assets.contains_key(&target) {
        format!("{base}{root}{target}")
    } else if docs.pages.contains_key(&target) {
        format!("{base}{}", page_path(root, &target))
    } else {
        return None;
    };
    Some(match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url,
    })
}

/// A link or image with its destination rewritten to the portal.
fn rewrite_tag<'a>(docs: &DocSet, base: &str, root: &str, page: &str, tag: Tag<'a>) -> Tag<'a> {
    let new = |dest_url: &CowStr<'a>| {
        rewrite(docs, base, root, page, dest_url)
            .map(CowStr::from)
            .unwrap_or_else(|| dest_url.clone())
    };
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type,
            dest_url: new(&dest_url),
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: new(&dest_url),
            title,
            id,
        },
        other => other,
    }
}

/// Render one page: markdown → HTML with anchors and rewritten links, then
/// sanitised. Returns the HTML and the page's headings (level, text, id).
pub fn render_page(
    docs: &DocSet,
    base: &str,
    root: &str,
    page: &str,
    text: &str,
) -> (String, Vec<(u8, String, String)>) {
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut headings = Vec::new();
    let mut used_ids = std::collections::BTreeSet::new();
    let mut in_heading: Option<(usize, HeadingLevel)> = None;
    // A fenced block being collected for highlighting: (language, code).
    let mut code_block: Option<(String, String)> = None;
    let mut heading_text = String::new();
    // Per open link or image: whether it was dropped.
    let mut link_stack: Vec<bool> = Vec::new();
    // Every URL into the site this page links to, made by `rewrite`, so
    // it names a file the build writes.
    let mut published: HashSet<String> = HashSet::new();
    // Nesting bounded before anything else sees the events: a heading or
    // code block deeper than the bound is text like the rest there.
    let parser = Parser::new_ext(text, portolan_check::docs::MARKDOWN_OPTIONS);
    for event in crate::markdown::bound_nesting(parser) {
        if let Some((_, code)) = &mut code_block {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    let (language, code) = code_block.take().expect("inside a code block");
                    match crate::highlight::highlight(&code, &language) {
                        Some(html) => events.push(Event::Html(CowStr::from(html))),
                        None => {
                            events.push(Event::Start(Tag::CodeBlock(
                                pulldown_cmark::CodeBlockKind::Fenced(CowStr::from(language)),
                            )));
                            events.push(Event::Text(CowStr::from(code)));
                            events.push(Event::End(TagEnd::CodeBlock));
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(ref info))) => {
                code_block = Some((info.to_string(), String::new()));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = Some((events.len(), level));
                heading_text.clear();
                events.push(event);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level)) = in_heading.take() {
                    // Anchors as MkDocs makes them (and as the check that
                    // reports broken `#fragment` links computes them): an
                    // explicit `{#id}` as written, else the text's slug.
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        let id = match slot.as_ref() {
                            Some(explicit) => {
                                used_ids.insert(explicit.to_string());
                                explicit.to_string()
                            }
                            None => portolan_check::docs::unique_heading_id(
                                portolan_check::docs::heading_slug(&heading_text),
                                &mut used_ids,
                            ),
                        };
                        *slot = Some(CowStr::from(id.clone()));
                        headings.push((level as u8, heading_text.clone(), id));
                    }
                }
                events.push(event);
            }
            Event::Text(ref t) | Event::Code(ref t) if in_heading.is_some() => {
                heading_text.push_str(t);
                events.push(event);
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                // A relative link or image whose target is not in the site
                // (a broken link, reported as D002, or an SVG withheld as
                // D003) keeps its text but loses the link: the reader gets
                // no dead link and the browser requests nothing.
                let dest = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => dest_url,
                    _ => unreachable!("matched above"),
                };
                // Site-absolute links (`/x`, `//host/x`) are reported as
                // D004 by the check and dropped the same way.
                let rewritten = rewrite(docs, base, root, page, dest);
                let dropped =
                    (is_relative_file(dest) || dest.starts_with('/')) && rewritten.is_none();
                link_stack.push(dropped);
                if let Some(url) = rewritten {
                    published.insert(url);
                }
                if !dropped {
                    events.push(Event::Start(rewrite_tag(docs, base, root, page, tag)));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if !link_stack.pop().unwrap_or(false) {
                    events.push(event);
                }
            }
            other => events.push(other),
        }
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    let html = clean_docs_html(&raw, base, published);
    // A heading the sanitiser removed (inside an element it drops with its
    // content) has no anchor to link to from the table of contents.
    // One pass over the page for its ids: a search of the page per heading
    // took time in headings × page size.
    let ids = element_ids(&html);
    headings.retain(|(_, _, id)| ids.contains(escape_attribute(id).as_str()));
    (html, headings)
}

/// The values of the `id` attributes in sanitised HTML, as written.
fn element_ids(html: &str) -> HashSet<&str> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(id, _)| id))
        .collect()
}

/// An attribute value as the sanitiser's serializer writes it.
fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('\u{a0}', "&nbsp;")
        .replace('"', "&quot;")
}

/// Sanitise a docs page. On top of the policy for users' HTML, raw HTML in
/// the markdown may not link into the site except through the links this
/// page's renderer made (`published`): a `/handbook/` or `{base}nope` that
/// names no page would otherwise be a broken link in the site (the build
/// refuses those). An image or non-`<a>` element pointing at a `#fragment`
/// of the page is dropped too: the site's link check would look for that
/// anchor, and an image of a page anchor shows nothing.
fn clean_docs_html(raw: &str, base: &str, published: HashSet<String>) -> String {
    let decoded: HashSet<String> = published
        .iter()
        .filter_map(|url| crate::links::percent_decode(url))
        .collect();
    let base = base.to_string();
    let mut builder = crate::markdown::sanitizer_builder(true);
    builder.attribute_filter(move |element, attribute, value| {
        if !matches!(attribute, "href" | "src") {
            return Some(value.into());
        }
        let url = value.trim();
        if url.starts_with('#') {
            return (attribute == "href" && element == "a").then(|| value.into());
        }
        let into_site = url.starts_with(['/', '\\']) || url.starts_with(base.as_str());
        let made_here = published.contains(url)
            || crate::links::percent_decode(url).is_some_and(|d| decoded.contains(&d));
        (!into_site || made_here).then(|| value.into())
    });
    let bounded = crate::markdown::bound_html_nesting(raw, crate::markdown::MAX_HTML_NESTING);
    builder.clean(&bounded).to_string()
}

#[derive(Serialize)]
struct NavView {
    title: String,
    url: Option<String>,
    current: bool,
    items: Vec<NavView>,
}

fn nav_view(items: &[NavItem], docs: &DocSet, root: &str, current: &str) -> Vec<NavView> {
    items
        .iter()
        .filter_map(|item| match item {
            NavItem::Page { title, path } => docs.pages.contains_key(path).then(|| NavView {
                title: title.clone(),
                url: Some(page_path(root, path)),
                current: path == current,
                items: Vec::new(),
            }),
            NavItem::Section { title, items } => Some(NavView {
                title: title.clone(),
                url: None,
                current: false,
                items: nav_view(items, docs, root, current),
            }),
        })
        .collect()
}

/// The list of pages in navigation order, for docs without an index page.
fn contents_html(items: &[NavItem], docs: &DocSet, base: &str, root: &str) -> String {
    let mut html = String::from("<ul>");
    for item in items {
        match item {
            NavItem::Page { title, path } if docs.pages.contains_key(path) => {
                html.push_str(&format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    ammonia::clean_text(&format!("{base}{}", page_path(root, path))),
                    ammonia::clean_text(title)
                ));
            }
            NavItem::Page { .. } => {}
            NavItem::Section { title, items } => {
                html.push_str(&format!(
                    "<li>{}{}</li>",
                    ammonia::clean_text(title),
                    contents_html(items, docs, base, root)
                ));
            }
        }
    }
    html.push_str("</ul>");
    html
}

/// Every docs page and image of one entity: (site path, bytes).
pub fn render_docs(
    env: &minijinja::Environment<'_>,
    site: &Value,
    entity_label: &str,
    entity_url: &str,
    docs: &DocSet,
    base: &str,
) -> Result<Vec<(String, Vec<u8>)>, minijinja::Error> {
    let root = format!("{entity_url}docs/");
    let template = env.get_template("docs.html")?;
    let mut out = Vec::new();
    for (page, text) in &docs.pages {
        let (html, headings) = render_page(docs, base, &root, page, text);
        let title = headings
            .iter()
            .find(|h| h.0 == 1)
            .map(|h| h.1.clone())
            .unwrap_or_else(|| page.clone());
        let toc: Vec<Value> = headings
            .iter()
            .filter(|h| h.0 == 2)
            .map(|(_, text, id)| context! { text => text.clone(), id => id.clone() })
            .collect();
        let rendered = template.render(context! {
            site => site.clone(), section => "catalog",
            entity_label => entity_label, entity_url => entity_url,
            docs_title => docs.site_name.clone().unwrap_or_else(|| format!("{entity_label} docs")),
            docs_url => root.clone(),
            title => title, content_html => html, toc => toc,
            nav => Value::from(Serde(nav_view(&docs.nav, docs, &root, page))),
        })?;
        out.push((
            format!("{}index.html", page_dir(&root, page)),
            rendered.into_bytes(),
        ));
    }
    if docs.index_page().is_none() {
        // No index.md or README.md: the docs' root URL (where the entity
        // page and the breadcrumb link) lists the pages instead.
        let docs_title = docs
            .site_name
            .clone()
            .unwrap_or_else(|| format!("{entity_label} docs"));
        let rendered = template.render(context! {
            site => site.clone(), section => "catalog",
            entity_label => entity_label, entity_url => entity_url,
            docs_title => docs_title.clone(),
            docs_url => root.clone(),
            title => docs_title, content_html => contents_html(&docs.nav, docs, base, &root),
            toc => Vec::<Value>::new(),
            nav => Value::from(Serde(nav_view(&docs.nav, docs, &root, ""))),
        })?;
        out.push((format!("{root}index.html"), rendered.into_bytes()));
    }
    for (path, bytes) in &docs.assets {
        out.push((format!("{root}{path}"), bytes.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found (issue 16): nested markdown in a docs page rendered in time
    /// quadratic in its depth. A heading deeper than the bound is text,
    /// with no anchor and no entry in the page's contents; code there is
    /// not highlighted markup but its text.
    #[test]
    fn headings_and_code_past_the_nesting_bound_are_text() {
        let mut docs = DocSet::default();
        docs.pages.insert("index.md".into(), String::new());
        let deep = "> ".repeat(2_000);
        let text = format!(
            "# Top\n\n{deep}# Buried\n{deep}\n{deep}```rust\n{deep}fn buried() {{}}\n{deep}```\n"
        );
        let (html, headings) = render_page(&docs, "/", "d/", "index.md", &text);
        let ids: Vec<&str> = headings.iter().map(|(_, _, id)| id.as_str()).collect();
        assert_eq!(ids, ["top"], "{html:.300}");
        assert!(html.contains("Buried") && !html.contains("id=\"buried\""));
        assert!(html.contains("fn buried() {}"), "the code's text stays");
        assert!(html.matches("<blockquote>").count() <= crate::markdown::MAX_NESTING);
    }

    /// The anchors of a page are read once, not searched for per heading.
    #[test]
    fn element_ids_are_read_from_the_sanitised_page() {
        let ids = element_ids("<h1 id=\"a\">x</h1><p class=\"c\" id=\"b&amp;c\">id=\"no\"</p>");
        assert_eq!(ids, HashSet::from(["a", "b&amp;c"]));
    }

    #[test]
    fn links_and_images_without_a_target_in_the_site_keep_only_their_text() {
        let mut docs = DocSet::default();
        docs.pages.insert("index.md".into(), String::new());
        docs.pages.insert("guide.md".into(), String::new());
        docs.assets.insert("ok.png".into(), vec![1]);
        docs.withheld.insert("evil.svg".into(), String::new());
        let text = "[guide](guide.md) [gone](missing.md) ![fine](ok.png) ![bad](evil.svg) \
                    [web](https://example.com/x) [here](#top) [mail](mailto:a@example.com)";
        let (html, _) = render_page(&docs, "/", "d/", "index.md", text);
        assert!(html.contains("href=\"/d/guide/\""), "{html}");
        assert!(html.contains("src=\"/d/ok.png\""), "{html}");
        assert!(!html.contains("missing.md"), "{html}");
        assert!(html.contains(" gone "), "the text stays: {html}");
        assert!(!html.contains("evil.svg"), "{html}");
        assert!(html.contains("bad"), "the alt text stays: {html}");
        assert!(html.contains("href=\"https://example.com/x\""), "{html}");
        assert!(html.contains("href=\"#top\""), "{html}");
        assert!(html.contains("href=\"mailto:a@example.com\""), "{html}");
    }

    #[test]
    fn page_urls_encode_what_a_url_reads_otherwise() {
        assert_eq!(page_path("d/", "index.md"), "d/");
        assert_eq!(page_path("d/", "README.md"), "d/");
        assert_eq!(page_path("d/", "guide/README.md"), "d/guide/");
        assert_eq!(page_path("d/", "c#.md"), "d/c%23/");
        assert_eq!(page_path("d/", "what? 100%.md"), "d/what%3F%20100%25/");
        assert_eq!(page_dir("d/", "c#.md"), "d/c#/");
        assert_eq!(page_path("d/", "café.md"), "d/café/");
    }

    #[test]
    fn relative_files_are_told_from_urls_and_anchors() {
        assert!(is_relative_file("guide.md"));
        assert!(is_relative_file("../a/b.png"));
        assert!(is_relative_file("a/b:c.md"));
        assert!(!is_relative_file("https://x"));
        assert!(!is_relative_file("mailto:x"));
        assert!(!is_relative_file("#x"));
        assert!(!is_relative_file("/abs"));
        assert!(!is_relative_file(""));
    }
}
