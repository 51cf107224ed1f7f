//! Internal link check over rendered HTML: every `href`/`src` that points
//! into the site must name a file the build wrote, and a `#fragment` must
//! name an element of the page it points at (an `id`, or the `name` of an
//! `<a>`, as browsers look fragments up:
//! <https://html.spec.whatwg.org/multipage/browsing-the-web.html#find-a-potential-indicated-element>).
//!
//! The check guards the links portolan writes. Links users write in their
//! docs are checked for their page (the docs renderer publishes only links
//! it resolved to a page or image of the build, and D002/D004 report the
//! others at check time), but not for their fragment: a stale `#heading` in
//! someone's markdown is theirs to fix (D002) and must not stop the build.
//! Nor is the fragment of an image's `src`, which names no page anchor. The sanitiser
//! marks every link from users' markdown `rel="noopener noreferrer"`
//! ([`crate::markdown`]), and internal links from the theme never carry it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::output::Output;

/// Decode the character references our HTML carries in attribute values:
/// numeric ones (minijinja writes `/` as `&#x2f;`) and the named ones
/// escapers use. Anything else is left as written.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ => None,
                }
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%XX` sequences decoded as UTF-8; `None` when the result is not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h)? * 16 + hex(l)?) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// What the check needs from one page: its internal link targets (under
/// the base, or `#fragment`), unescaped, in document order, each with
/// whether its fragment is checked, and the fragment names it defines.
#[derive(Debug, Default)]
pub(crate) struct PageScan {
    links: Vec<(String, bool)>,
    anchors: BTreeSet<String>,
}

/// One pass over the tags of a page. Text never holds a raw `<` (escapers
/// write `&lt;`), so every `<` starts a tag, a comment or a declaration;
/// inside a tag, quoted values may hold `>`.
fn scan(html: &str, base: &str) -> PageScan {
    let mut page = PageScan::default();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let tag = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut links = Vec::new();
        let mut from_users = false;
        // Attributes, up to the `>` that ends the tag.
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len())
                .max(1);
            let attribute = rest[..name_end].to_ascii_lowercase();
            rest = rest[name_end..].trim_start();
            let value = match rest.strip_prefix('=') {
                Some(after) => {
                    let after = after.trim_start();
                    let (value, remaining) = match after.chars().next() {
                        Some(quote @ ('"' | '\'')) => {
                            let inner = &after[1..];
                            let end = inner.find(quote).unwrap_or(inner.len());
                            (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                        }
                        _ => {
                            let end = after
                                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                                .unwrap_or(after.len());
                            (&after[..end], &after[end..])
                        }
                    };
                    rest = remaining;
                    Some(unescape(value))
                }
                None => None,
            };
            let Some(value) = value else { continue };
            match attribute.as_str() {
                "href" | "src" if value.starts_with('#') || value.starts_with(base) => {
                    links.push((value, attribute == "src"))
                }
                "id" => {
                    page.anchors.insert(value);
                }
                "name" if tag == "a" => {
                    page.anchors.insert(value);
                }
                "rel" if tag == "a" => {
                    from_users = value.split_whitespace().any(|r| r == "noopener")
                }
                _ => {}
            }
        }
        // An image's fragment is not an anchor of a page (`x.svg#icon`
        // names an element of the image).
        page.links.extend(
            links
                .into_iter()
                .map(|(link, is_src)| (link, !from_users && !is_src)),
        );
        // Raw text elements: their content is not markup.
        if matches!(tag.as_str(), "script" | "style") {
            let close = format!("</{tag}");
            rest = rest.find(&close).map_or("", |end| &rest[end..]);
        }
    }
    page
}

/// The file a site path names: itself, or `index.html` in a directory; as
/// written or percent-decoded, as a web server reads it (a docs page
/// `c#.md` is written to `c#/` and linked as `c%23/`). `lookup` finds a
/// file of the site by its exact path.
fn file_of<'a>(lookup: &dyn Fn(&str) -> Option<&'a str>, path: &str) -> Option<&'a str> {
    let find = |path: &str| {
        if path.is_empty() || path.ends_with('/') {
            lookup(&format!("{path}index.html"))
        } else {
            lookup(path)
        }
    };
    find(path).or_else(|| {
        percent_decode(path)
            .filter(|decoded| decoded != path)
            .and_then(|decoded| find(&decoded))
    })
}

/// Whether `fragment` (as written after `#`) finds an element of a page
/// with these anchors. An empty fragment and `top` mean the top of the page.
fn fragment_found(page: &dyn LinkSource, fragment: &str) -> bool {
    if fragment.is_empty() || page.has_anchor(fragment) {
        return true;
    }
    match percent_decode(fragment) {
        Some(decoded) => decoded.eq_ignore_ascii_case("top") || page.has_anchor(&decoded),
        None => false,
    }
}

/// A scanned page as the link check reads it: its links in document
/// order, and whether it defines an anchor.
trait LinkSource {
    fn visit_links(&self, visit: &mut dyn FnMut(&str, bool));
    fn has_anchor(&self, name: &str) -> bool;
}

impl LinkSource for PageScan {
    fn visit_links(&self, visit: &mut dyn FnMut(&str, bool)) {
        for (target, check_fragment) in &self.links {
            visit(target, *check_fragment);
        }
    }

    fn has_anchor(&self, name: &str) -> bool {
        self.anchors.contains(name)
    }
}

impl<T: LinkSource + ?Sized> LinkSource for &T {
    fn visit_links(&self, visit: &mut dyn FnMut(&str, bool)) {
        (**self).visit_links(visit)
    }

    fn has_anchor(&self, name: &str) -> bool {
        (**self).has_anchor(name)
    }
}

/// Every (page, target) pair whose target, under `base`, is missing, or
/// names a fragment its page does not have. Same-page links (`#x`) are
/// checked against the page itself.
pub fn broken_links(output: &Output, base: &str) -> Vec<(String, String)> {
    broken_links_in(output, base, None)
}

/// [`broken_links`] of the pages in `only` (all pages when `None`): what
/// `serve` checks after a rebuild that rendered only those again.
pub fn broken_links_in(
    output: &Output,
    base: &str,
    only: Option<&[String]>,
) -> Vec<(String, String)> {
    // Every page is scanned once, in parallel; fragments are then looked up
    // in the target's anchors.
    let scans: BTreeMap<&str, PageScan> = match only {
        None => output
            .files
            .par_iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(p, bytes)| (p.as_str(), scan(&String::from_utf8_lossy(bytes), base)))
            .collect(),
        Some(pages) => pages
            .par_iter()
            .filter(|p| p.ends_with(".html"))
            .filter_map(|p| output.files.get_key_value(p.as_str()))
            .map(|(p, bytes)| (p.as_str(), scan(&String::from_utf8_lossy(bytes), base)))
            .collect(),
    };
    let lookup = |path: &str| output.files.get_key_value(path).map(|(k, _)| k.as_str());
    let rescan = |file: &str| {
        (only.is_some() && file.ends_with(".html"))
            .then(|| scan(&String::from_utf8_lossy(&output.files[file]), base))
    };
    broken_in_scans(&scans, base, &lookup, &rescan)
}

/// Pages scanned one by one as they are written ([`crate::spill`]), for
/// [`broken_in_scans`] once the site is whole. Kept compact: a site's
/// pages repeat the same few targets (navigation, owners, the API list),
/// so each distinct target is stored once and a page holds numbers; at
/// 100,000 entities the pages' links as strings took over 500 MB.
#[derive(Default)]
pub(crate) struct Scans {
    pages: BTreeMap<String, CompactScan>,
    files: BTreeSet<String>,
    /// Every distinct link target, numbered by `numbers`.
    targets: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u32>,
}

/// A [`PageScan`] with its targets numbered: each link is its target's
/// number shifted left once, the low bit saying whether its fragment is
/// checked; anchors sorted.
struct CompactScan {
    links: Box<[u32]>,
    anchors: Box<[Box<str>]>,
}

/// A [`CompactScan`] with the targets its numbers stand for.
struct CompactView<'a> {
    scan: &'a CompactScan,
    targets: &'a [Box<str>],
}

impl LinkSource for CompactView<'_> {
    fn visit_links(&self, visit: &mut dyn FnMut(&str, bool)) {
        for link in &self.scan.links {
            visit(&self.targets[(link >> 1) as usize], link & 1 == 1);
        }
    }

    fn has_anchor(&self, name: &str) -> bool {
        self.scan
            .anchors
            .binary_search_by(|anchor| (**anchor).cmp(name))
            .is_ok()
    }
}

impl Scans {
    /// Record a file of the site (and, for a page, its links and anchors).
    pub fn add(&mut self, path: &str, scanned: Option<PageScan>) {
        if let Some(scanned) = scanned {
            let links = scanned
                .links
                .into_iter()
                .map(|(target, check_fragment)| {
                    let number = match self.numbers.get(target.as_str()) {
                        Some(number) => *number,
                        None => {
                            let number = u32::try_from(self.targets.len())
                                .ok()
                                .filter(|n| *n < u32::MAX >> 1)
                                .expect("fewer than 2^31 distinct link targets");
                            let target: Box<str> = target.into();
                            self.targets.push(target.clone());
                            self.numbers.insert(target, number);
                            number
                        }
                    };
                    number << 1 | u32::from(check_fragment)
                })
                .collect();
            // A BTreeSet iterates in order: the anchors come out sorted.
            let anchors = scanned.anchors.into_iter().map(Box::from).collect();
            self.pages
                .insert(path.to_string(), CompactScan { links, anchors });
        }
        self.files.insert(path.to_string());
    }

    pub fn files(&self) -> &BTreeSet<String> {
        &self.files
    }

    /// [`broken_links`] of the site these scans were made of.
    pub fn broken_links(&self, base: &str) -> Vec<(String, String)> {
        let scans: BTreeMap<&str, CompactView<'_>> = self
            .pages
            .iter()
            .map(|(p, scan)| {
                (
                    p.as_str(),
                    CompactView {
                        scan,
                        targets: &self.targets,
                    },
                )
            })
            .collect();
        let lookup = |path: &str| self.files.get(path).map(String::as_str);
        broken_in_scans(&scans, base, &lookup, &|_| None)
    }
}

/// A page's links and anchors, when `path` is a page.
pub(crate) fn scan_page(path: &str, bytes: &[u8], base: &str) -> Option<PageScan> {
    path.ends_with(".html")
        .then(|| scan(&String::from_utf8_lossy(bytes), base))
}

/// The link check over scanned pages. `lookup` finds a file of the site by
/// its path; `rescan` scans a page that was not among `scans` (`None`: its
/// fragments are not checked).
fn broken_in_scans<'a, S: LinkSource>(
    scans: &BTreeMap<&'a str, S>,
    base: &str,
    lookup: &dyn Fn(&str) -> Option<&'a str>,
    rescan: &dyn Fn(&str) -> Option<PageScan>,
) -> Vec<(String, String)> {
    // Pages linked to with a fragment that were not among those scanned.
    let mut targets: BTreeMap<&str, PageScan> = BTreeMap::new();
    let mut broken = Vec::new();
    for (&page, found) in scans {
        found.visit_links(&mut |target, check_fragment| {
            if !check_fragment && target.starts_with('#') {
                return;
            }
            let (path, fragment) = if let Some(fragment) = target.strip_prefix('#') {
                (None, fragment)
            } else if let Some(path) = target.strip_prefix(base) {
                match path.split_once('#') {
                    Some((path, fragment)) => (Some(path), fragment),
                    None => (Some(path), ""),
                }
            } else {
                return;
            };
            let target_file = match path {
                None => page,
                Some(path) => match file_of(lookup, path.split('?').next().unwrap_or("")) {
                    Some(file) => file,
                    None => {
                        broken.push((page.to_string(), target.to_string()));
                        return;
                    }
                },
            };
            // No fragment (or `#top`): the page is found, that is all.
            if !check_fragment || fragment.is_empty() || fragment == "top" {
                return;
            }
            // Fragments of pages only: `x.json#/paths` means something else.
            let target_page: Option<&dyn LinkSource> = match scans.get(target_file) {
                Some(scanned) => Some(scanned),
                None => {
                    if !targets.contains_key(target_file)
                        && let Some(scanned) = rescan(target_file)
                    {
                        targets.insert(target_file, scanned);
                    }
                    targets.get(target_file).map(|p| p as &dyn LinkSource)
                }
            };
            if let Some(target_page) = target_page
                && !fragment_found(target_page, fragment)
            {
                broken.push((page.to_string(), target.to_string()));
            }
        });
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Output {
        let mut output = Output::default();
        for (path, html) in files {
            output.insert(*path, *html);
        }
        output
    }

    /// The link check over pages scanned one at a time, as a streaming
    /// build makes them (in reverse order, so no page can lean on having
    /// been seen before the pages linking to it).
    fn broken_via_scans(output: &Output, base: &str) -> Vec<(String, String)> {
        let mut scans = Scans::default();
        for (path, bytes) in output.files.iter().rev() {
            scans.add(path, scan_page(path, bytes, base));
        }
        scans.broken_links(base)
    }

    #[test]
    fn pages_scanned_one_by_one_find_what_the_whole_site_finds() {
        let output = site(&[
            (
                "index.html",
                "<a href=\"/a/#here\">ok</a> <a href=\"/a/#gone\">broken</a> \
                 <a href=\"/missing/\">broken</a> <a href=\"/a/\">ok</a> <a href=\"/a/#gone\">again</a> \
                 <a href=\"#self\">ok</a> <a href=\"#nowhere\">broken</a> <h2 id=\"self\">x</h2>",
            ),
            (
                "a/index.html",
                "<section id=\"here\"></section><a href=\"/#self\">ok</a><a href=\"/a/#z\">broken</a>\
                 <a href=\"&#x2f;p.html#caf%C3%A9\">ok</a>",
            ),
            (
                "p.html",
                "<h1 id=\"café\">x</h1><a href=\"/a/#here\">ok</a>",
            ),
            ("data.json", "{}"),
        ]);
        let whole = broken_links(&output, "/");
        assert_eq!(whole.len(), 5, "{whole:?}");
        assert_eq!(broken_via_scans(&output, "/"), whole);
        // The same with the site under a base path.
        let based = site(&[
            (
                "index.html",
                "<a href=\"/docs/a.html#x\">ok</a><a href=\"/docs/a.html#y\">broken</a>",
            ),
            ("a.html", "<i id=\"x\"></i>"),
        ]);
        let whole = broken_links(&based, "/docs/");
        assert_eq!(whole.len(), 1, "{whole:?}");
        assert_eq!(broken_via_scans(&based, "/docs/"), whole);
    }

    #[test]
    fn a_missing_anchor_is_broken_and_a_present_one_is_not() {
        let output = site(&[
            (
                "index.html",
                "<a href=\"/a/#here\">ok</a> <a href=\"/a/#gone\">broken</a> \
                 <a href=\"/a/index.html#named\">ok</a> <a href=\"#self\">ok</a> \
                 <a href=\"#nowhere\">broken</a> <h2 id=\"self\">x</h2>",
            ),
            (
                "a/index.html",
                "<section id=\"here\"></section><a name=\"named\"></a><p name=\"not-a\">",
            ),
        ]);
        assert_eq!(
            broken_links(&output, "/"),
            vec![
                ("index.html".to_string(), "/a/#gone".to_string()),
                ("index.html".to_string(), "#nowhere".to_string()),
            ]
        );
        // `name` counts on `<a>` only.
        let output = site(&[(
            "index.html",
            "<a href=\"#not-a\">x</a><p name=\"not-a\"></p>",
        )]);
        assert_eq!(broken_links(&output, "/").len(), 1);
    }

    #[test]
    fn fragments_are_unescaped_and_percent_decoded() {
        let output = site(&[
            (
                "index.html",
                // minijinja writes `/` as `&#x2f;`; a fragment may be
                // percent-encoded UTF-8 or not.
                "<a href=\"&#x2f;p.html#caf%C3%A9\">1</a> <a href=\"&#x2f;p.html#café\">2</a> \
                 <a href=\"/p.html#a&amp;b\">3</a> <a href=\"/p.html#\">4</a> <a href=\"/p.html#top\">5</a> \
                 <a href=\"/p.html?x=1#q&#x2f;r\">6</a> <a href=\"/p.html#%FF\">broken</a>",
            ),
            (
                "p.html",
                "<h1 id=\"café\">x</h1><i id='a&amp;b'></i><b id=\"q&#x2f;r\"></b>",
            ),
        ]);
        assert_eq!(
            broken_links(&output, "/"),
            vec![("index.html".to_string(), "/p.html#%FF".to_string())]
        );
    }

    #[test]
    fn only_markup_defines_anchors_and_links() {
        let output = site(&[(
            "index.html",
            "<!-- <a href=\"/gone\"> --><p title=\"a > id=&quot;x&quot;\">id=\"y\"</p>\
             <pre>&lt;a href=\"/gone\"&gt;</pre><a href=\"#x\">b</a><a href=\"#y\">b</a>",
        )]);
        assert_eq!(
            broken_links(&output, "/"),
            vec![
                ("index.html".to_string(), "#x".to_string()),
                ("index.html".to_string(), "#y".to_string()),
            ]
        );
    }

    #[test]
    fn fragments_of_links_from_users_markdown_are_theirs() {
        let output = site(&[
            (
                "index.html",
                "<a rel=\"noopener noreferrer\" href=\"/a/#stale\">1</a>\
                 <a href=\"#stale\" rel=\"noopener noreferrer\">2</a>\
                 <a rel=\"noopener noreferrer\" href=\"/gone/#x\">3</a>",
            ),
            ("a/index.html", ""),
        ]);
        // The page must exist; the fragment is not checked.
        assert_eq!(
            broken_links(&output, "/"),
            vec![("index.html".to_string(), "/gone/#x".to_string())]
        );
    }

    #[test]
    fn fragments_of_other_files_are_not_checked() {
        let output = site(&[
            (
                "index.html",
                "<a href=\"/apis/x.json#/paths\">spec</a><a href=\"/nope.json#a\">gone</a>",
            ),
            ("apis/x.json", "{}"),
        ]);
        assert_eq!(
            broken_links(&output, "/"),
            vec![("index.html".to_string(), "/nope.json#a".to_string())]
        );
    }
}
