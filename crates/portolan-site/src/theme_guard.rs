//! What a catalog repository's theme overrides may not do (issue 17: no
//! script in the output, whatever the repository holds).
//!
//! `theme_dir` replaces the embedded theme's files one at a time, and a
//! repository's files are untrusted (a pull request from a fork changes
//! them). Two rules keep its pages from running anything but portolan's
//! own script:
//!
//! - the theme's scripts are not overridable ([`script_overrides`], `T002`);
//! - while any template is overridden, every page rendered is parsed the
//!   way a browser parses it (html5ever's WHATWG tree builder, so `<svg>`,
//!   `<template>`, raw-text elements and misnested markup end up where a
//!   browser puts them) and checked by [`page_problems`] (`T003`): the
//!   theme's Content-Security-Policy `<meta>` first in `<head>`, after a
//!   UTF-8 declaration only; no script but the theme's own files, which
//!   the policy's `script-src 'self'` alone would not ensure (any file the
//!   catalog publishes is same-origin, and its bytes are the catalog's);
//!   no `<base>`, no other `http-equiv`, no handlers, no `javascript:`
//!   URLs, no `srcdoc` (a document this parse does not see, under the
//!   page's policy).
//!
//! Pages of the embedded theme alone are not parsed: they pass (a test
//! checks every page of examples/acme), and a catalog's text reaches them
//! only escaped or sanitised.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::Arc;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, Namespace, ParseOpts, QualName, local_name, ns};
use portolan_core::codes::{self, Code};
use portolan_core::files::{FileSet, SourceFile};
use portolan_core::{Diagnostic, Span};
use rayon::prelude::*;

use crate::output::Output;
use crate::pages::{TEMPLATES, ThemeOverrides};

/// The Content-Security-Policy of every page, as the theme's base.html
/// carries it in a `<meta>` (and `serve` sends it as a header).
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The theme's scripts (site paths): the only script a page may load, and
/// not overridable.
pub const THEME_SCRIPTS: &[&str] = &["assets/theme.js", "assets/portolan.js", "assets/search.js"];

/// How far into a page a browser looks for its encoding before parsing
/// (the WHATWG "prescan" of the first 1024 bytes).
const PRESCAN_BYTES: usize = 1024;

/// Whether a theme asset is one of its scripts.
pub fn is_theme_script(asset: &str) -> bool {
    THEME_SCRIPTS.contains(&asset)
}

/// Whether a theme file is one no `theme_dir` may replace: the scripts and
/// [`crate::pages::FIXED_ASSETS`].
pub fn is_fixed_asset(asset: &str) -> bool {
    is_theme_script(asset) || crate::pages::FIXED_ASSETS.iter().any(|(p, _)| *p == asset)
}

/// A theme override that may not be published, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFinding {
    pub code: &'static Code,
    /// The override's catalog path.
    pub file: String,
    /// Byte range in the override's text, when the offending text is there.
    pub span: Option<(usize, usize)>,
    pub message: String,
    pub help: String,
}

impl ThemeFinding {
    /// As a diagnostic; the override's text joins `files` for the frame.
    pub fn to_diagnostic(&self, theme: &ThemeOverrides, files: &mut FileSet) -> Diagnostic {
        let d = Diagnostic::new(self.code, self.message.clone()).with_help(self.help.clone());
        let text = theme
            .files
            .values()
            .find(|(path, _)| *path == self.file)
            .map(|(_, text)| text);
        match (self.span, text) {
            (Some((start, end)), Some(text)) => {
                files.insert(Arc::new(SourceFile::new(self.file.clone(), text.clone())));
                d.at(self.file.clone(), Span::new(start, end))
            }
            _ => d.in_file(self.file.clone()),
        }
    }
}

/// `T002`: the overrides that replace one of the theme's scripts.
pub fn script_overrides(theme: &ThemeOverrides) -> Vec<ThemeFinding> {
    theme
        .files
        .iter()
        .filter(|(name, _)| is_fixed_asset(name))
        .map(|(name, (path, _))| ThemeFinding {
            code: &codes::THEME_SCRIPT_OVERRIDE,
            file: path.clone(),
            span: None,
            message: if is_theme_script(name) {
                format!(
                    "`{name}` is the theme's script and cannot be overridden; it is not published"
                )
            } else {
                format!(
                    "`{name}` cannot be overridden (an SVG opened as a page runs its script); it is not published"
                )
            },
            help: "remove the file from theme_dir: templates and assets/portolan.css may be \
                   overridden, the theme's JavaScript may not"
                .into(),
        })
        .collect()
}

/// Whether any template is overridden (then pages are checked).
pub fn overrides_templates(theme: &ThemeOverrides) -> bool {
    theme
        .files
        .keys()
        .any(|name| TEMPLATES.iter().any(|(t, _)| t == name))
}

/// `T003`: what the HTML pages of `output` (those in `only`, when given:
/// the rest were checked when they were made) could run, one finding per
/// distinct problem, located in the overriding templates. Pages are
/// checked only while a template is overridden.
pub fn unsafe_pages(
    output: &Output,
    base: &str,
    theme: &ThemeOverrides,
    only: Option<&[String]>,
) -> Vec<ThemeFinding> {
    if !overrides_templates(theme) {
        return Vec::new();
    }
    let scripts = page_scripts(base);
    let pages: Vec<(&String, &Arc<[u8]>)> = match only {
        Some(only) => only
            .iter()
            .filter_map(|path| output.files.get_key_value(path))
            .collect(),
        None => output.files.iter().collect(),
    };
    let found: Vec<(&String, Vec<PageProblem>)> = pages
        .into_par_iter()
        .filter(|(path, _)| is_page(path))
        .map(|(path, bytes)| {
            (
                path,
                page_problems(&String::from_utf8_lossy(bytes), &scripts),
            )
        })
        .filter(|(_, problems)| !problems.is_empty())
        .collect();
    findings_of(found, base, theme)
}

/// The theme's scripts as pages reference them (allowed in every page).
pub(crate) fn page_scripts(base: &str) -> Vec<String> {
    THEME_SCRIPTS.iter().map(|s| format!("{base}{s}")).collect()
}

/// One page's problems, when it is a page (a build that writes its pages
/// as it renders them checks each on the way, [`crate::spill`]).
pub(crate) fn problems_of_page(path: &str, bytes: &[u8], scripts: &[String]) -> Vec<PageProblem> {
    if !is_page(path) {
        return Vec::new();
    }
    page_problems(&String::from_utf8_lossy(bytes), scripts)
}

/// The findings of pages' problems (pages without problems left out).
pub(crate) fn findings_of<P: std::borrow::Borrow<String> + Ord + Clone>(
    found: Vec<(P, Vec<PageProblem>)>,
    base: &str,
    theme: &ThemeOverrides,
) -> Vec<ThemeFinding> {
    // Every entity page shares its template: one finding per problem,
    // naming the first page (in path order) and how many more.
    let mut by_problem: BTreeMap<PageProblem, (P, usize)> = BTreeMap::new();
    let mut ordered: Vec<(P, PageProblem)> = found
        .into_iter()
        .flat_map(|(path, problems)| problems.into_iter().map(move |p| (path.clone(), p)))
        .collect();
    ordered.sort();
    for (path, problem) in ordered {
        by_problem.entry(problem).or_insert((path, 0)).1 += 1;
    }
    let templates: Vec<(&str, &str, &str)> = theme
        .files
        .iter()
        .filter(|(name, _)| TEMPLATES.iter().any(|(t, _)| t == name))
        .map(|(name, (path, text))| (name.as_str(), path.as_str(), text.as_str()))
        .collect();
    let mut findings: Vec<ThemeFinding> = by_problem
        .into_iter()
        .map(|(problem, (page, count))| {
            let (file, span) = locate(&problem, base, &templates);
            let more = match count {
                1 => String::new(),
                2 => " and 1 other page".to_string(),
                n => format!(" and {} other pages", n - 1),
            };
            ThemeFinding {
                code: &codes::THEME_UNSAFE_PAGE,
                file: file.to_string(),
                span,
                message: format!("{problem}, in page `{}`{more}", page.borrow()),
                help: problem.help(),
            }
        })
        .collect();
    findings.sort_by(|a, b| (&a.file, a.span).cmp(&(&b.file, b.span)));
    findings
}

fn is_page(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".html", ".htm", ".xhtml"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The overriding template a problem comes from, and where in it: the
/// first (by name) that holds the offending text; else base.html for what
/// belongs in `<head>`, else the first overridden template.
fn locate<'t>(
    problem: &PageProblem,
    base: &str,
    templates: &[(&'t str, &'t str, &'t str)],
) -> (&'t str, Option<(usize, usize)>) {
    let needles = problem.needles(base);
    for needle in &needles {
        for (_, path, text) in templates {
            if let Some(start) = find_ignoring_case(text, needle) {
                return (path, Some((start, start + needle.len())));
            }
        }
    }
    let fallback = templates
        .iter()
        .find(|(name, _, _)| problem.in_head() && *name == "base.html")
        .or(templates.first());
    match fallback {
        Some((_, path, text)) => {
            let head = problem
                .in_head()
                .then(|| find_ignoring_case(text, "<head"))
                .flatten();
            (path, head.map(|start| (start, start + "<head".len())))
        }
        None => ("", None),
    }
}

fn find_ignoring_case(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() || needle.len() > text.len() {
        return None;
    }
    let needle = needle.as_bytes();
    text.as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
        .filter(|&start| {
            text.is_char_boundary(start) && text.is_char_boundary(start + needle.len())
        })
}

/// Something a page does that the theme's own pages never do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PageProblem {
    /// No policy `<meta>` in `<head>`, or (`Some(element)`) one that an
    /// element comes before (the policy governs only what follows it).
    NoPolicy(Option<String>),
    /// No `<meta charset="utf-8">` ahead of the policy within the bytes a
    /// browser looks at for the encoding.
    NoUtf8Declaration,
    /// Another encoding declared (the page was checked as UTF-8).
    Charset(String),
    /// A script element: inline (`None`) or loading something other than
    /// the theme's scripts; `foreign`: in SVG or MathML.
    Script {
        src: Option<String>,
        foreign: bool,
    },
    Base,
    /// `<meta http-equiv>` other than the policy (`refresh` navigates).
    HttpEquiv(String),
    Handler {
        element: String,
        attribute: String,
    },
    ScriptUrl {
        element: String,
        attribute: String,
        scheme: String,
    },
    Srcdoc(String),
}

impl std::fmt::Display for PageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageProblem::NoPolicy(None) => write!(
                f,
                "no Content-Security-Policy `<meta>` in `<head>` (the theme's is `<meta http-equiv=\"Content-Security-Policy\" content=\"{PAGE_POLICY}\">`)"
            ),
            PageProblem::NoPolicy(Some(element)) => write!(
                f,
                "`<{element}>` comes before the Content-Security-Policy `<meta>`, which governs only what follows it"
            ),
            PageProblem::NoUtf8Declaration => write!(
                f,
                "no `<meta charset=\"utf-8\">` ahead of the Content-Security-Policy `<meta>` in the first {PRESCAN_BYTES} bytes, so a browser may guess another encoding and read other markup"
            ),
            PageProblem::Charset(charset) => write!(
                f,
                "the encoding `{charset}` is declared, but the page is UTF-8 and was checked as UTF-8"
            ),
            PageProblem::Script { src: None, foreign } => write!(
                f,
                "an inline `<script>`{}",
                if *foreign { " in SVG or MathML" } else { "" }
            ),
            PageProblem::Script {
                src: Some(src),
                foreign,
            } => write!(
                f,
                "`<script>`{} loads `{src}`, not one of the theme's scripts",
                if *foreign { " in SVG or MathML" } else { "" }
            ),
            PageProblem::Base => write!(f, "a `<base>` element"),
            PageProblem::HttpEquiv(value) => write!(f, "`<meta http-equiv=\"{value}\">`"),
            PageProblem::Handler { element, attribute } => {
                write!(f, "an event handler `{attribute}` on `<{element}>`")
            }
            PageProblem::ScriptUrl {
                element,
                attribute,
                scheme,
            } => write!(f, "a `{scheme}` URL in `{attribute}` of `<{element}>`"),
            PageProblem::Srcdoc(element) => write!(
                f,
                "`srcdoc` on `<{element}>` (a document under this page's policy that the check cannot see)"
            ),
        }
    }
}

impl PageProblem {
    /// Text that, found in an overriding template, is where it comes from.
    fn needles(&self, base: &str) -> Vec<String> {
        match self {
            PageProblem::NoPolicy(Some(element)) => vec![format!("<{element}")],
            PageProblem::NoPolicy(None) | PageProblem::NoUtf8Declaration => Vec::new(),
            PageProblem::Charset(charset) => vec![charset.clone(), "charset".into()],
            PageProblem::Script { src: Some(src), .. } => {
                let mut needles = vec![src.clone()];
                if let Some(path) = src.strip_prefix(base).filter(|p| !p.is_empty()) {
                    needles.push(path.to_string());
                }
                needles.push("<script".into());
                needles
            }
            PageProblem::Script { src: None, .. } => vec!["<script>".into(), "<script".into()],
            PageProblem::Base => vec!["<base".into()],
            PageProblem::HttpEquiv(value) => vec![value.clone(), "http-equiv".into()],
            PageProblem::Handler { attribute, .. } => {
                vec![format!("{attribute}="), attribute.clone()]
            }
            PageProblem::ScriptUrl { scheme, .. } => vec![scheme.clone()],
            PageProblem::Srcdoc(_) => vec!["srcdoc".into()],
        }
    }

    /// Whether it is about the page's `<head>` (base.html's part).
    fn in_head(&self) -> bool {
        matches!(
            self,
            PageProblem::NoPolicy(_) | PageProblem::NoUtf8Declaration | PageProblem::Charset(_)
        )
    }

    fn help(&self) -> String {
        match self {
            PageProblem::NoPolicy(_)
            | PageProblem::NoUtf8Declaration
            | PageProblem::Charset(_) => {
                "start `<head>` as the default theme's base.html does: `<meta charset=\"utf-8\">`, then the Content-Security-Policy `<meta>`, before any other element".into()
            }
            PageProblem::Script { .. } => format!(
                "a page may load only the theme's scripts, as `<script src=\"{{{{ site.base }}}}{}\">`, `{}` or `{}`, and no inline script",
                THEME_SCRIPTS[0], THEME_SCRIPTS[1], THEME_SCRIPTS[2]
            ),
            _ => "a theme override may change how pages look, not what they run: remove it".into(),
        }
    }
}

/// What `html` (a whole page) does that the theme's pages never do, sorted,
/// each once. `scripts`: the URLs of the theme's scripts as the page must
/// write them (`src` compared exactly: no other spelling is needed).
pub fn page_problems(html: &str, scripts: &[String]) -> Vec<PageProblem> {
    let sink = html5ever::parse_document(PageSink::default(), ParseOpts::default())
        .one(StrTendril::from(html));
    let elements = sink.elements.into_inner();
    let mut problems = Vec::new();
    head_problems(html, &elements, &mut problems);
    for element in &elements {
        element_problems(element, scripts, &mut problems);
    }
    problems.sort();
    problems.dedup();
    problems
}

/// The policy `<meta>` in `<head>`, preceded only by `<html>`, `<head>` and
/// plain `<meta>`s, one of them `<meta charset="utf-8">` early enough for
/// a browser to see it before parsing.
fn head_problems(html: &str, elements: &[Element], problems: &mut Vec<PageProblem>) {
    let policy = elements.iter().position(|e| {
        e.is_html("meta")
            && e.attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("content-security-policy"))
            && e.attr("content") == Some(PAGE_POLICY)
            // The tree builder never moves `<head>`'s children, so where
            // it put the element is where it stays.
            && e.parent_is_head
    });
    let Some(policy) = policy else {
        problems.push(PageProblem::NoPolicy(None));
        return;
    };
    let before = &elements[..policy];
    if let Some(other) = before.iter().find(|e| {
        !(e.is_html("html")
            || e.is_html("head")
            || (e.is_html("meta") && e.attr("http-equiv").is_none()))
    }) {
        problems.push(PageProblem::NoPolicy(Some(other.name.local.to_string())));
    }
    let declared = before
        .iter()
        .find(|e| e.is_html("meta") && e.attr("charset").is_some());
    let early = declared.is_some_and(|e| {
        is_utf8_label(e.attr("charset").unwrap_or_default())
            && end_of_line(html, e.line) <= PRESCAN_BYTES
    });
    if !early {
        problems.push(PageProblem::NoUtf8Declaration);
    }
}

/// The byte offset where 1-based `line` of `text` ends (conservative: the
/// tag the line holds ends no later).
fn end_of_line(text: &str, line: u64) -> usize {
    let skip = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    text.match_indices('\n')
        .nth(skip)
        .map_or(text.len(), |(i, _)| i)
}

fn is_utf8_label(label: &str) -> bool {
    let label = label.trim_matches(|c: char| c.is_ascii_whitespace());
    label.eq_ignore_ascii_case("utf-8") || label.eq_ignore_ascii_case("utf8")
}

fn element_problems(element: &Element, scripts: &[String], problems: &mut Vec<PageProblem>) {
    let local: &str = &element.name.local;
    let html = element.name.ns == ns!(html);
    if local.eq_ignore_ascii_case("script") {
        let src = element.attr("src");
        let allowed = html && src.is_some_and(|src| scripts.iter().any(|s| s == src));
        if !allowed {
            problems.push(PageProblem::Script {
                src: src.map(shorten),
                foreign: !html,
            });
        }
    }
    if html && local == "base" {
        problems.push(PageProblem::Base);
    }
    if html && local == "meta" {
        if let Some(value) = element.attr("http-equiv")
            && !value.eq_ignore_ascii_case("content-security-policy")
        {
            problems.push(PageProblem::HttpEquiv(shorten(value)));
        }
        if let Some(charset) = element.attr("charset")
            && !is_utf8_label(charset)
        {
            problems.push(PageProblem::Charset(shorten(charset)));
        }
    }
    // SVG animations set other attributes, `href` among them, from these.
    let animation = matches!(
        local.to_ascii_lowercase().as_str(),
        "animate" | "set" | "animatemotion" | "animatetransform"
    );
    for attribute in &element.attrs {
        let name: &str = &attribute.name.local;
        let value: &str = &attribute.value;
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("on") && lower != "open" {
            problems.push(PageProblem::Handler {
                element: local.to_string(),
                attribute: shorten(name),
            });
        }
        if lower == "srcdoc" {
            problems.push(PageProblem::Srcdoc(local.to_string()));
        }
        let url = url_as_parsed(value);
        let in_list = animation && matches!(lower.as_str(), "values" | "to" | "from" | "by");
        for scheme in ["javascript:", "vbscript:"] {
            if url.starts_with(scheme) || (in_list && url.contains(scheme)) {
                problems.push(PageProblem::ScriptUrl {
                    element: local.to_string(),
                    attribute: shorten(name),
                    scheme: scheme.to_string(),
                });
            }
        }
    }
}

/// An attribute value as URL parsing sees its scheme: leading and trailing
/// controls and spaces trimmed, tabs and newlines anywhere removed,
/// lowercased.
fn url_as_parsed(value: &str) -> String {
    value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A value from the page, cut for a message.
fn shorten(value: &str) -> String {
    const MAX: usize = 120;
    match value.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

/// An element as the parser made it, with the attributes the parser gave
/// it (including those a second `<html>` or `<body>` tag adds).
struct Element {
    name: QualName,
    attrs: Vec<Attribute>,
    /// The line its tag ended on (1-based).
    line: u64,
    parent_is_head: bool,
}

impl Element {
    fn is_html(&self, local: &str) -> bool {
        self.name.ns == ns!(html) && &*self.name.local == local
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name.ns == ns!() && &*a.name.local == name)
            .map(|a| &*a.value)
    }
}

/// Handles are indexes: 0 the document, then every node in creation order.
enum Node {
    Document,
    /// An index into `elements`; `template`: its contents' handle.
    Element {
        index: usize,
        template: Option<usize>,
        annotation_xml_integration_point: bool,
    },
    /// Comments, processing instructions, template contents.
    Other,
}

/// A tree sink that keeps what the checks need: every element in the
/// order the parser created it, its attributes, and whether its parent is
/// `<head>`. The tree's shape is not kept.
struct PageSink {
    nodes: RefCell<Vec<Node>>,
    elements: RefCell<Vec<Element>>,
    line: Cell<u64>,
}

impl Default for PageSink {
    fn default() -> Self {
        PageSink {
            nodes: RefCell::new(vec![Node::Document]),
            elements: RefCell::new(Vec::new()),
            line: Cell::new(1),
        }
    }
}

/// An element's name, owned (the sink's elements live in a `RefCell`).
#[derive(Debug)]
struct Name(QualName);

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl PageSink {
    fn push(&self, node: Node) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        nodes.len() - 1
    }

    fn element_index(&self, handle: usize) -> Option<usize> {
        match self.nodes.borrow().get(handle) {
            Some(Node::Element { index, .. }) => Some(*index),
            _ => None,
        }
    }

    fn is_head(&self, handle: usize) -> bool {
        self.element_index(handle)
            .is_some_and(|i| self.elements.borrow()[i].is_html("head"))
    }

    fn set_parent(&self, parent: usize, child: &NodeOrText<usize>) {
        if let NodeOrText::AppendNode(child) = child
            && let Some(index) = self.element_index(*child)
        {
            let head = self.is_head(parent);
            self.elements.borrow_mut()[index].parent_is_head = head;
        }
    }
}

impl TreeSink for PageSink {
    type Handle = usize;
    type Output = Self;
    type ElemName<'a> = Name;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a usize) -> Name {
        let name = self
            .element_index(*target)
            .map(|i| self.elements.borrow()[i].name.clone());
        // The tree builder asks only about elements.
        Name(name.unwrap_or_else(|| QualName::new(None, ns!(), local_name!(""))))
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> usize {
        let index = {
            let mut elements = self.elements.borrow_mut();
            elements.push(Element {
                name,
                attrs,
                line: self.line.get(),
                parent_is_head: false,
            });
            elements.len() - 1
        };
        let handle = self.push(Node::Other);
        let template = flags.template.then(|| self.push(Node::Other));
        self.nodes.borrow_mut()[handle] = Node::Element {
            index,
            template,
            annotation_xml_integration_point: flags.mathml_annotation_xml_integration_point,
        };
        handle
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.push(Node::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.push(Node::Other)
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        self.set_parent(*parent, &child);
    }

    fn append_based_on_parent_node(
        &self,
        _element: &usize,
        prev_element: &usize,
        child: NodeOrText<usize>,
    ) {
        // Foster parenting (tables): never in `<head>`.
        self.set_parent(*prev_element, &child);
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        match self.nodes.borrow().get(*target) {
            Some(Node::Element {
                template: Some(contents),
                ..
            }) => *contents,
            _ => *target,
        }
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, _sibling: &usize, new_node: NodeOrText<usize>) {
        // Only in `<body>` (foster parenting, the adoption agency).
        if let NodeOrText::AppendNode(child) = new_node
            && let Some(index) = self.element_index(child)
        {
            self.elements.borrow_mut()[index].parent_is_head = false;
        }
    }

    fn add_attrs_if_missing(&self, target: &usize, attrs: Vec<Attribute>) {
        if let Some(index) = self.element_index(*target) {
            let element = &mut self.elements.borrow_mut()[index];
            for attr in attrs {
                if !element.attrs.iter().any(|a| a.name == attr.name) {
                    element.attrs.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &usize) {
        if let Some(index) = self.element_index(*target) {
            self.elements.borrow_mut()[index].parent_is_head = false;
        }
    }

    fn reparent_children(&self, _node: &usize, _new_parent: &usize) {}

    fn is_mathml_annotation_xml_integration_point(&self, handle: &usize) -> bool {
        matches!(
            self.nodes.borrow().get(*handle),
            Some(Node::Element {
                annotation_xml_integration_point: true,
                ..
            })
        )
    }

    fn set_current_line(&self, line: u64) {
        self.line.set(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts() -> Vec<String> {
        THEME_SCRIPTS.iter().map(|s| format!("/{s}")).collect()
    }

    fn page(head_extra: &str, body: &str) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{PAGE_POLICY}\">\n{head_extra}<script src=\"/assets/portolan.js\" defer></script>\n</head>\n<body>{body}</body>\n</html>\n"
        )
    }

    #[test]
    fn the_default_themes_head_passes() {
        let base = TEMPLATES
            .iter()
            .find(|(name, _)| *name == "base.html")
            .unwrap()
            .1;
        assert!(
            base.contains(&format!(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{PAGE_POLICY}\">"
            )),
            "base.html's policy is PAGE_POLICY"
        );
        let page = base
            .replace("{{ site.base }}", "/")
            .replace("{{ site.title }}", "T")
            .replace("{{ site.version }}", "1");
        assert_eq!(page_problems(&page, &scripts()), vec![]);
    }

    #[test]
    fn what_a_page_may_not_do() {
        let cases: &[(&str, &str, PageProblem)] = &[
            (
                "",
                "<script>alert(1)</script>",
                PageProblem::Script {
                    src: None,
                    foreign: false,
                },
            ),
            (
                "",
                "<svg><script href=\"/x.json\"></script></svg>",
                PageProblem::Script {
                    src: None,
                    foreign: true,
                },
            ),
            // In SVG, <style> is not raw text: the script is a script.
            (
                "",
                "<svg><style><script>alert(1)</script></style></svg>",
                PageProblem::Script {
                    src: None,
                    foreign: true,
                },
            ),
            // An HTML integration point: the script is HTML's.
            (
                "",
                "<math><annotation-xml encoding=\"text/html\"><script>alert(1)</script></annotation-xml></math>",
                PageProblem::Script {
                    src: None,
                    foreign: false,
                },
            ),
            (
                "",
                "<script src=\"/apis/default/x.json\"></script>",
                PageProblem::Script {
                    src: Some("/apis/default/x.json".into()),
                    foreign: false,
                },
            ),
            // Template contents are not run, but are not the theme's either.
            (
                "",
                "<template><script>alert(1)</script></template>",
                PageProblem::Script {
                    src: None,
                    foreign: false,
                },
            ),
            ("<base href=\"/apis/\">\n", "", PageProblem::Base),
            (
                "",
                "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
                PageProblem::HttpEquiv("refresh".into()),
            ),
            (
                "",
                "<img src=x.png OnError=alert(1)>",
                PageProblem::Handler {
                    element: "img".into(),
                    attribute: "onerror".into(),
                },
            ),
            (
                "",
                "<body onload=alert(1)>",
                PageProblem::Handler {
                    element: "body".into(),
                    attribute: "onload".into(),
                },
            ),
            (
                "",
                "<a href=\" JaVa&#x0A;ScRiPt:alert(1)\">x</a>",
                PageProblem::ScriptUrl {
                    element: "a".into(),
                    attribute: "href".into(),
                    scheme: "javascript:".into(),
                },
            ),
            (
                "",
                "<svg><a><animate attributeName=href values=\"/;javascript:alert(1)\"/><text>x</text></a></svg>",
                PageProblem::ScriptUrl {
                    element: "animate".into(),
                    attribute: "values".into(),
                    scheme: "javascript:".into(),
                },
            ),
            (
                "",
                "<form data-base=\"javascript:alert(1)//\"></form>",
                PageProblem::ScriptUrl {
                    element: "form".into(),
                    attribute: "data-base".into(),
                    scheme: "javascript:".into(),
                },
            ),
            (
                "",
                "<iframe srcdoc=\"&lt;script src=/x.json&gt;&lt;/script&gt;\"></iframe>",
                PageProblem::Srcdoc("iframe".into()),
            ),
            (
                "",
                "<meta charset=\"iso-2022-jp\">",
                PageProblem::Charset("iso-2022-jp".into()),
            ),
        ];
        for (head, body, expected) in cases {
            let problems = page_problems(&page(head, body), &scripts());
            assert!(
                problems.contains(expected),
                "{head}{body}: expected {expected:?}, got {problems:?}"
            );
        }
    }

    #[test]
    fn what_a_page_may_do() {
        let body = "<details open><summary>x</summary></details>\
                    <a href=\"https://example.com/\" title=\"a javascript: talk\">x</a>\
                    <textarea><script>not a script</script></textarea>\
                    <noscript><script>not parsed</script></noscript>\
                    <script src=\"/assets/search.js\" defer></script>";
        assert_eq!(page_problems(&page("", body), &scripts()), vec![]);
    }

    /// Misnested and odd markup takes the tree builder's every path
    /// (foster parenting, the adoption agency, templates, framesets,
    /// foreign content): no panic, and script found wherever it lands.
    #[test]
    fn malformed_pages_are_parsed_without_panicking() {
        // (body, whether a browser would find something to run)
        let bodies = [
            ("", false),
            ("<", false),
            ("<table><a onclick=x><tr><td>1</table></a>", true),
            ("<a><p><b><i></a></p>x<script>1</script>", true),
            (
                "<template><template><tr><script>1</script></template>",
                true,
            ),
            // A frameset after content is ignored, its frames too.
            (
                "<frameset onload=x><frame src=javascript:x></frameset>",
                false,
            ),
            (
                "<select><option><svg><script>1</script></svg></select>",
                true,
            ),
            (
                "<math><mi><svg><foreignObject><script>1</script></foreignObject></svg></mi></math>",
                true,
            ),
            (
                "<table><template><script>1</script></template></table>",
                true,
            ),
            ("</body></html><script>1</script>", true),
            ("<body><body onload=x><html onclick=y>", true),
            ("\u{0}<\u{0}script>\u{feff}", false),
        ];
        for (body, expected) in bodies {
            let problems = page_problems(&page("", body), &scripts());
            assert_eq!(!problems.is_empty(), expected, "{body:?}: {problems:?}");
        }
        assert_eq!(
            page_problems("", &scripts()),
            vec![PageProblem::NoPolicy(None)]
        );
    }

    #[test]
    fn lines_end_where_their_newline_is() {
        assert_eq!(end_of_line("ab\ncd\n", 0), 2);
        assert_eq!(end_of_line("ab\ncd\n", 1), 2);
        assert_eq!(end_of_line("ab\ncd\n", 2), 5);
        assert_eq!(end_of_line("ab\ncd", 3), 5);
    }

    #[test]
    fn the_policy_must_come_first_in_head() {
        let no_policy = page("", "").replace("Content-Security-Policy", "X-Nothing");
        assert!(page_problems(&no_policy, &scripts()).contains(&PageProblem::NoPolicy(None)));
        // Another policy does not count: the theme's is required.
        let other = page("", "").replace("object-src 'none'; ", "");
        assert!(page_problems(&other, &scripts()).contains(&PageProblem::NoPolicy(None)));
        let script_first = page("", "").replace(
            "<meta charset=\"utf-8\">\n",
            "<meta charset=\"utf-8\">\n<script src=\"/assets/portolan.js\"></script>\n",
        );
        assert_eq!(
            page_problems(&script_first, &scripts()),
            vec![PageProblem::NoPolicy(Some("script".into()))]
        );
        // Text before it ends `<head>`: the policy is then in `<body>`,
        // where a browser ignores it.
        let in_body = page("", "").replace(
            "<meta charset=\"utf-8\">\n",
            "<meta charset=\"utf-8\">\nHello\n",
        );
        assert!(page_problems(&in_body, &scripts()).contains(&PageProblem::NoPolicy(None)));
        let no_charset = page("", "").replace("<meta charset=\"utf-8\">\n", "");
        assert_eq!(
            page_problems(&no_charset, &scripts()),
            vec![PageProblem::NoUtf8Declaration]
        );
        let late_charset = page("", "").replace(
            "<html lang=\"en\">",
            &format!("<html lang=\"en\">{}", " ".repeat(2000)),
        );
        assert_eq!(
            page_problems(&late_charset, &scripts()),
            vec![PageProblem::NoUtf8Declaration]
        );
    }
}
