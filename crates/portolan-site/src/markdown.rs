//! Markdown from users (descriptions, docs) to HTML that cannot run script:
//! pulldown-cmark renders, ammonia keeps only safe tags, attributes and URL
//! schemes, and external links get `rel="noopener noreferrer"`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd, html};

/// The one sanitiser policy, with a choice for relative URLs: spec and
/// entity descriptions drop them (they point into some other site, e.g.
/// Stripe's `/docs/...`: the text stays, the link goes); docs pages keep
/// them, since their links were rewritten to portal paths first.
fn sanitizer(keep_relative: bool) -> &'static ammonia::Builder<'static> {
    static DESCRIPTIONS: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    static DOCS: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cell = if keep_relative { &DOCS } else { &DESCRIPTIONS };
    cell.get_or_init(|| sanitizer_builder(keep_relative))
}

/// A new builder with the policy of [`sanitizer`], for a caller that adds
/// an attribute filter of its own (docs pages, see [`crate::docs`]).
pub(crate) fn sanitizer_builder(keep_relative: bool) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .url_relative(if keep_relative {
            ammonia::UrlRelative::PassThrough
        } else {
            ammonia::UrlRelative::Deny
        })
        // `class` for highlighted code (styling only; harmless).
        .add_generic_attributes(["id", "class"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tags(["input"]);
    builder
}

/// Sanitise rendered HTML (see [`sanitizer`] for `keep_relative`),
/// nested at most [`MAX_HTML_NESTING`] deep.
pub fn clean_html(html: &str, keep_relative: bool) -> String {
    let clean = sanitizer(keep_relative)
        .clean(&bound_html_nesting(html, MAX_HTML_NESTING))
        .to_string();
    unlink_hrefless_anchors(clean)
}

/// `<a>` elements the sanitiser left without an `href` (their URL was not
/// allowed: a relative link in an API description, `javascript:`) as
/// `<span>`s: a link that goes nowhere is not a link, for readers, screen
/// readers and crawlers alike. `html` is the sanitiser's serialisation:
/// attribute values double-quoted, and no `<a>` inside another.
fn unlink_hrefless_anchors(html: String) -> String {
    if !html.contains("<a ") && !html.contains("<a>") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<a") {
        let after = &rest[start + 2..];
        if !(after.starts_with(' ') || after.starts_with('>')) {
            out.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        }
        // The tag's end: the first `>` outside a quoted value.
        let mut quoted = false;
        let Some(end) = after.char_indices().find_map(|(i, c)| match c {
            '"' => {
                quoted = !quoted;
                None
            }
            '>' if !quoted => Some(i),
            _ => None,
        }) else {
            break;
        };
        let attributes = &after[..end];
        out.push_str(&rest[..start]);
        if attributes.contains(" href=\"") {
            out.push_str(&rest[start..start + 2 + end + 1]);
            rest = &after[end + 1..];
            continue;
        }
        let kept = attributes.replace(" rel=\"noopener noreferrer\"", "");
        out.push_str("<span");
        out.push_str(&kept);
        out.push('>');
        let body = &after[end + 1..];
        match body.find("</a>") {
            Some(close) => {
                out.push_str(&body[..close]);
                out.push_str("</span>");
                rest = &body[close + 4..];
            }
            None => rest = body,
        }
    }
    out.push_str(rest);
    out
}

/// Render markdown to sanitised HTML.
pub fn render_markdown(text: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut raw = String::new();
    html::push_html(&mut raw, bound_nesting(Parser::new_ext(text, options)));
    clean_html(&raw, false)
}

/// The first paragraph of markdown as plain text, for tables and summaries.
pub fn plain_summary(text: &str, max_chars: usize) -> String {
    let first = text
        .split("\n\n")
        .find(|p| !p.trim().is_empty())
        .unwrap_or("");
    let plain: String = first
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '#'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if plain.chars().count() > max_chars {
        let cut: String = plain.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        plain
    }
}

/// Whether a URL from user data is safe to put in an `href`.
pub fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// How deep markdown's own elements (block quotes, lists, emphasis,
/// links...) may nest in rendered HTML; deeper ones are rendered as their
/// text (see [`bound_nesting`]). CommonMark sets no limit, and pages that
/// need more than a few levels do not exist outside hostile input.
pub(crate) const MAX_NESTING: usize = 32;

/// How deep the HTML handed to the sanitiser may nest, raw HTML included
/// (see [`bound_html_nesting`]): markdown's elements (at most
/// [`MAX_NESTING`]), highlighted code and the raw HTML of ordinary pages
/// fit well within it.
pub(crate) const MAX_HTML_NESTING: usize = 2 * MAX_NESTING;

/// Markdown events with elements nested at most [`MAX_NESTING`] deep.
///
/// Why: html5ever's tree builder (under ammonia) walks its stack of open
/// elements for most tags it meets, so HTML nested N deep takes time in
/// N²: 64,000 nested blockquotes took 20 s to render (issue 16). The
/// start and end of a deeper element are dropped and what it holds is
/// kept, so deeper content reads as text; the end of a dropped block is a
/// line break, so the words of consecutive blocks stay apart.
pub(crate) fn bound_nesting<'a>(
    events: impl Iterator<Item = Event<'a>>,
) -> impl Iterator<Item = Event<'a>> {
    // Per open element: whether its start was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    events.filter_map(move |event| match event {
        Event::Start(tag) => {
            let keep = kept < MAX_NESTING;
            open.push(keep);
            if keep {
                kept += 1;
                Some(Event::Start(tag))
            } else {
                None
            }
        }
        Event::End(end) => {
            if open.pop().unwrap_or(true) {
                kept = kept.saturating_sub(1);
                Some(Event::End(end))
            } else if is_block(end) {
                Some(Event::SoftBreak)
            } else {
                None
            }
        }
        other => Some(other),
    })
}

/// Whether an element is a block (its text would run into the next
/// block's if its tags were dropped without a break).
fn is_block(end: TagEnd) -> bool {
    !matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// HTML (markdown's rendering, raw HTML included) nested at most `max`
/// deep as html5ever's tree builder would nest it: the `<` of a deeper
/// start tag, and of the end tags of that name that follow, is escaped,
/// so the tag reaches the sanitiser as text. One pass, linear in the
/// input; HTML that stays within `max` is returned as it is.
///
/// Why: raw HTML in markdown (`<div><div>…`) reaches html5ever as written,
/// and its tree builder takes time in the square of the nesting depth
/// (see [`bound_nesting`]). The model of the tree builder here (a
/// tokenizer and a stack of open elements) errs towards counting too
/// deep: an element counts as closed only where html5ever surely closes
/// it, so crafted markup cannot open more than the bound (up to a small
/// factor for the elements html5ever adds itself, such as `tbody`).
pub(crate) fn bound_html_nesting(html: &str, max: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut open = OpenElements::default();
    let mut out: Option<String> = None;
    // Bytes of `html` already copied to `out`.
    let mut copied = 0;
    let mut escape_at = |at: usize, out: &mut Option<String>| {
        let out = out.get_or_insert_with(|| String::with_capacity(html.len() + 64));
        out.push_str(&html[copied..at]);
        out.push_str("&lt;");
        copied = at + 1;
    };
    // The end of the text of a raw-text element (`<script>`, `<style>`,
    // `<textarea>`...) being read, and its name: its content is text to
    // html5ever, but only when the tree builder takes it for one (not in
    // SVG, nor where the tag is ignored), so every `<` that could start a
    // tag in it is escaped: text either way.
    let mut i = 0;
    while let Some(found) = memchr_lt(&bytes[i..]) {
        let lt = i + found;
        let next = bytes.get(lt + 1).copied();
        match next {
            Some(b'!') if bytes[lt + 2..].starts_with(b"--") => i = comment_end(html, lt + 4),
            Some(b'!' | b'?') => i = bogus_comment_end(html, lt + 2),
            Some(b'/') => match bytes.get(lt + 2).copied() {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after_name) = tag_name(html, lt + 2);
                    if open.take_escaped(&name) {
                        escape_at(lt, &mut out);
                        i = lt + 1;
                    } else {
                        open.end(&name);
                        i = tag_end(bytes, after_name).map_or(bytes.len(), |(end, _)| end);
                    }
                }
                // `</>` is dropped; `</1…>` is a comment.
                Some(b'>') => i = lt + 3,
                Some(_) => i = bogus_comment_end(html, lt + 2),
                None => i = bytes.len(),
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after_name) = tag_name(html, lt + 1);
                if open.depth() >= max {
                    escape_at(lt, &mut out);
                    open.escape(name);
                    i = lt + 1;
                    continue;
                }
                let Some((end, self_closing)) = tag_end(bytes, after_name) else {
                    // A tag cut off by the end of input is dropped.
                    break;
                };
                i = end;
                if name == "plaintext" {
                    // All that follows is text.
                    for (at, _) in html[end..].match_indices('<') {
                        if could_start_tag(bytes, end + at) {
                            escape_at(end + at, &mut out);
                        }
                    }
                    break;
                }
                if RAW_TEXT.contains(&name.as_str()) {
                    let close = raw_text_end(html, end, &name);
                    for (at, _) in html[end..close].match_indices('<') {
                        if could_start_tag(bytes, end + at) {
                            escape_at(end + at, &mut out);
                        }
                    }
                    i = close;
                }
                open.start(name, self_closing);
            }
            _ => i = lt + 1,
        }
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    }
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// Whether the `<` at `at` could begin a tag, comment or declaration.
fn could_start_tag(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(at + 1)
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
}

fn is_html_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// A tag's name from `start` (ASCII lowercased, as html5ever reads it)
/// and the index after it.
fn tag_name(html: &str, start: usize) -> (String, usize) {
    let bytes = html.as_bytes();
    let end = bytes[start..]
        .iter()
        .position(|&b| is_html_space(b) || b == b'/' || b == b'>')
        .map_or(bytes.len(), |n| start + n);
    (html[start..end].to_ascii_lowercase(), end)
}

/// The index after the `>` ending a tag whose attributes start at `from`,
/// and whether it was self-closing (`/>`); `None` if the input ends first.
/// Follows the tokenizer's attribute states (HTML § 13.2.5.32–42): a quote
/// opens a value only after `=`.
fn tag_end(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    #[derive(Clone, Copy)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Quoted(u8),
        Unquoted,
        AfterQuoted,
    }
    let mut state = State::BeforeName;
    let mut j = from;
    while let Some(&b) = bytes.get(j) {
        j += 1;
        state = match state {
            State::Quoted(quote) if b == quote => State::AfterQuoted,
            State::Quoted(_) => state,
            State::Unquoted => match b {
                b'>' => return Some((j, false)),
                b if is_html_space(b) => State::BeforeName,
                _ => State::Unquoted,
            },
            State::BeforeValue => match b {
                b'>' => return Some((j, false)),
                b'"' | b'\'' => State::Quoted(b),
                b if is_html_space(b) => State::BeforeValue,
                _ => State::Unquoted,
            },
            State::BeforeName | State::Name | State::AfterName | State::AfterQuoted => match b {
                b'>' => return Some((j, false)),
                b'/' if bytes.get(j) == Some(&b'>') => return Some((j + 1, true)),
                b'/' => State::BeforeName,
                b'=' if matches!(state, State::Name | State::AfterName) => State::BeforeValue,
                b if is_html_space(b) => match state {
                    State::Name | State::AfterName => State::AfterName,
                    _ => State::BeforeName,
                },
                _ => State::Name,
            },
        };
    }
    None
}

/// The index after a comment whose text starts at `from` (after `<!--`):
/// it ends at `-->` or `--!>`, or at once with `<!-->` or `<!--->`.
fn comment_end(html: &str, from: usize) -> usize {
    let mut search = from;
    while let Some(n) = html[search..].find('>') {
        let gt = search + n;
        let text = &html[from..gt];
        if text.is_empty() || text == "-" || text.ends_with("--") || text.ends_with("--!") {
            return gt + 1;
        }
        search = gt + 1;
    }
    html.len()
}

/// The index after a bogus comment or declaration (`<!DOCTYPE …>`,
/// `<?…>`, `</1…>`): the next `>`.
fn bogus_comment_end(html: &str, from: usize) -> usize {
    html[from..].find('>').map_or(html.len(), |n| from + n + 1)
}

/// Elements whose content html5ever reads as text, up to their end tag.
/// `noscript` is among them: html5ever reads it so with scripting on.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Where the text of a raw-text element `name` ends: the `<` of the first
/// `</name` followed by a space, `/` or `>`, or the end of input.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut search = from;
    while let Some(n) = html[search..].find("</") {
        let lt = search + n;
        let name_end = lt + 2 + name.len();
        if bytes
            .get(lt + 2..name_end)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(name_end)
                .is_some_and(|&b| is_html_space(b) || b == b'/' || b == b'>')
        {
            return lt;
        }
        search = lt + 2;
    }
    html.len()
}

/// Elements that never hold others (html5ever pops them at once).
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// The formatting elements: popped by another element's end tag, html5ever
/// keeps them in its list of active formatting elements and opens them
/// again at the next text, until their own end tag.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Elements that end an element's scope (HTML § 13.2.4.2): an end tag does
/// not close an element below one of these.
const SCOPE_BOUNDARY: &[&str] = &[
    "applet",
    "caption",
    "html",
    "table",
    "td",
    "th",
    "marquee",
    "object",
    "template",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
    "foreignobject",
    "desc",
    "title",
    "button",
    "ol",
    "ul",
    "select",
];

/// The end tags html5ever closes through any element but a scope boundary;
/// every other end tag stops at the first special element (HTML § 13.2.6.4.7,
/// "any other end tag").
const CLOSES_THROUGH: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "button",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "pre",
    "search",
    "section",
    "summary",
    "ul",
    "li",
    "dd",
    "dt",
    "p",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// The special elements (HTML § 13.2.4.2) an ordinary end tag stops at.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
    "foreignobject",
    "desc",
];

/// Start tags that close an open `<p>` (HTML § 13.2.6.4.7).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "li",
    "dd",
    "dt",
    "plaintext",
    "table",
    "hr",
    "xmp",
];

/// Start tags that leave SVG or MathML for HTML (HTML § 13.2.6.5).
const BREAKS_OUT_OF_FOREIGN: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
    "font",
];

/// SVG and MathML elements whose children are HTML again.
const INTEGRATION_POINT: &[&str] = &[
    "foreignobject",
    "desc",
    "title",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
];

/// An element open in the model of html5ever's tree builder.
struct Open {
    name: String,
    /// Whether what it holds is SVG or MathML (a self-closing tag there
    /// opens nothing).
    foreign: bool,
    /// Whether it is a scope boundary, and whether special (or a
    /// boundary): looked up once, not at every end tag that walks past.
    boundary: bool,
    special: bool,
}

/// The model of html5ever's stack of open elements and list of active
/// formatting elements, erring towards too many.
#[derive(Default)]
struct OpenElements {
    stack: Vec<Open>,
    /// How many of each name are on `stack`.
    on_stack: HashMap<String, usize>,
    /// Formatting elements popped by another's end tag, by name.
    lingering: HashMap<String, usize>,
    lingering_total: usize,
    /// Start tags escaped for depth, by name: their end tags are escaped too.
    escaped: HashMap<String, usize>,
}

impl OpenElements {
    fn depth(&self) -> usize {
        self.stack.len() + self.lingering_total
    }

    fn escape(&mut self, name: String) {
        *self.escaped.entry(name).or_default() += 1;
    }

    fn take_escaped(&mut self, name: &str) -> bool {
        match self.escaped.get_mut(name) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    fn top(&self) -> Option<&str> {
        self.stack.last().map(|open| open.name.as_str())
    }

    fn start(&mut self, name: String, self_closing: bool) {
        // The implied ends html5ever surely makes: a new item, cell or
        // paragraph closes the one just before it.
        let closes_top = match self.top() {
            Some("p") => CLOSES_P.contains(&name.as_str()),
            Some(top @ ("li" | "option" | "tr")) => top == name,
            Some("dd" | "dt") => matches!(name.as_str(), "dd" | "dt"),
            Some("td" | "th") => matches!(name.as_str(), "td" | "th" | "tr"),
            _ => false,
        };
        if closes_top {
            self.pop();
        }
        if VOID.contains(&name.as_str()) {
            return;
        }
        let in_foreign = self.stack.last().is_some_and(|open| open.foreign);
        let foreign_element = matches!(name.as_str(), "svg" | "math")
            || (in_foreign && !BREAKS_OUT_OF_FOREIGN.contains(&name.as_str()));
        if self_closing && foreign_element {
            return;
        }
        let foreign = foreign_element && !INTEGRATION_POINT.contains(&name.as_str());
        *self.on_stack.entry(name.clone()).or_default() += 1;
        let boundary = SCOPE_BOUNDARY.contains(&name.as_str());
        let special = boundary || SPECIAL.contains(&name.as_str());
        self.stack.push(Open {
            name,
            foreign,
            boundary,
            special,
        });
    }

    fn pop(&mut self) -> Option<Open> {
        let open = self.stack.pop()?;
        if let Some(n) = self.on_stack.get_mut(&open.name) {
            *n -= 1;
        }
        Some(open)
    }

    fn end(&mut self, name: &str) {
        if self.on_stack.get(name).copied().unwrap_or(0) == 0 {
            // A formatting element closed after others' end tags popped
            // it leaves html5ever's list.
            if let Some(n) = self.lingering.get_mut(name).filter(|n| **n > 0) {
                *n -= 1;
                self.lingering_total -= 1;
            }
            return;
        }
        // Close through the elements above it only where html5ever surely
        // would; otherwise leave them all open.
        let through_all_but_boundaries = CLOSES_THROUGH.contains(&name);
        let above = self.stack.iter().rev().take_while(|open| open.name != name);
        let mut above_count = 0;
        for open in above {
            let stops = if through_all_but_boundaries {
                open.boundary
            } else {
                open.special
            };
            if stops {
                return;
            }
            above_count += 1;
        }
        for _ in 0..above_count {
            if let Some(open) = self.pop()
                && FORMATTING.contains(&open.name.as_str())
            {
                *self.lingering.entry(open.name).or_default() += 1;
                self.lingering_total += 1;
            }
        }
        self.pop();
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn links_whose_url_was_refused_become_plain_text() {
        let html = render_markdown(
            "See [the docs](/docs/api), [Stripe](https://stripe.com) and [x](javascript:alert(1)).",
        );
        assert!(!html.contains("<a rel"), "{html}");
        assert!(html.contains("<span>the docs</span>"), "{html}");
        assert!(html.contains("<span>x</span>"), "{html}");
        assert!(
            html.contains("<a href=\"https://stripe.com\" rel=\"noopener noreferrer\">Stripe</a>"),
            "{html}"
        );
        // Docs keep relative links.
        assert!(clean_html("<a href=\"guide.md\">g</a>", true).contains("href=\"guide.md\""));
        // An attribute value holding `>` does not end the tag early.
        let tricky = unlink_hrefless_anchors(
            "<a title=\"a > b\" rel=\"noopener noreferrer\">t</a><abbr>x</abbr>".into(),
        );
        assert_eq!(tricky, "<span title=\"a > b\">t</span><abbr>x</abbr>");
    }

    use super::*;

    #[test]
    fn script_and_javascript_urls_do_not_survive() {
        let html = render_markdown(
            "Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> <a href=\"https://a.example\">ok</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn relative_links_lose_their_href() {
        let html = render_markdown("[search](/docs/search) and [abs](https://a.example/x)");
        assert!(!html.contains("/docs/search"), "{html}");
        assert!(html.contains("search"), "{html}");
        assert!(html.contains("https://a.example/x"), "{html}");
    }

    #[test]
    fn tables_and_task_lists_render() {
        let html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
    }

    #[test]
    fn summaries_are_plain_and_short() {
        assert_eq!(
            plain_summary("**Bold** start\nsecond line\n\nnext para", 100),
            "Bold start second line"
        );
        assert_eq!(plain_summary("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn only_web_and_mail_urls_are_linked() {
        assert!(safe_url("https://x.example"));
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url(" JAVASCRIPT:alert(1)"));
        assert!(!safe_url("data:text/html,x"));
    }

    /// The deepest nesting of elements in sanitised HTML, and how many
    /// elements it has: html5ever itself reads the output.
    fn nesting(html: &str) -> usize {
        // A tag-by-tag count is exact on the sanitiser's output: it is
        // serialised from a tree, every element closed, no raw text left.
        let (mut depth, mut deepest) = (0usize, 0usize);
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            rest = &rest[lt + 1..];
            let end = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..end];
            if tag.starts_with('/') {
                depth -= 1;
            } else if !tag.ends_with('/')
                && !matches!(
                    tag.split([' ', '/']).next(),
                    Some("input" | "img" | "br" | "hr")
                )
            {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        assert_eq!(depth, 0, "{html}");
        deepest
    }

    /// Found (issue 16): 64,000 nested blockquotes rendered in 20 s, the
    /// sanitiser's tree builder taking time in the square of the depth.
    /// Each shape nested 10,000 deep renders at most the bound deep, with
    /// all its text.
    #[test]
    fn deep_nesting_is_bounded_and_keeps_the_text() {
        let n = 10_000;
        let shapes = [
            ("blockquotes", format!("{}x\n", "> ".repeat(n))),
            ("lists", format!("{}x\n", "- ".repeat(n))),
            ("emphasis", format!("{}x{}", "*_".repeat(n), "_*".repeat(n))),
            (
                "links",
                format!("{}x{}", "[".repeat(n), "](https://a.example)".repeat(n)),
            ),
            (
                "html",
                format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n)),
            ),
            ("inline html", format!("{}x", "a <span>".repeat(n))),
            ("formatting html", format!("{}x", "<b>a\n\n".repeat(n))),
        ];
        for (shape, markdown) in shapes {
            let html = render_markdown(&markdown);
            let deepest = nesting(&html);
            assert!(
                deepest <= MAX_HTML_NESTING + 2,
                "{shape}: nested {deepest} deep"
            );
            assert!(html.contains('x'), "{shape}: the innermost text is kept");
        }
        // Block quotes past the bound: their paragraphs' words stay apart.
        let quote = "> ".repeat(40);
        let html = render_markdown(&format!("{quote}one\n{}\n{quote}two\n", ">".repeat(40)));
        assert!(html.contains("one") && html.contains("two"), "{html}");
        assert!(!html.contains("onetwo"), "{html}");
    }

    #[test]
    fn nesting_within_the_bound_renders_as_before() {
        let markdown = format!("{}deep\n", "> ".repeat(MAX_NESTING));
        let html = render_markdown(&markdown);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING, "{html}");
        let markdown = format!("{}deeper\n", "> ".repeat(MAX_NESTING + 1));
        let html = render_markdown(&markdown);
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING, "{html}");
        assert!(html.contains("deeper"), "{html}");
    }

    #[test]
    fn raw_html_deeper_than_the_bound_becomes_text() {
        let raw = format!("{}x{}", "<div>".repeat(100), "</div>".repeat(100));
        let bounded = bound_html_nesting(&raw, 64);
        assert_eq!(bounded.matches("<div>").count(), 64, "{bounded}");
        assert_eq!(bounded.matches("&lt;div>").count(), 36, "{bounded}");
        assert_eq!(bounded.matches("</div>").count(), 64, "{bounded}");
        assert_eq!(bounded.matches("&lt;/div>").count(), 36, "{bounded}");
        // HTML within the bound comes back as it is, borrowed.
        let ordinary = "<p>a <em>b</em> <span title=\"<div>\">c</span></p>\n<ul>\n<li>d</li>\n</ul>\n<!-- <div> --><script>if (a>b) {}</script><br><img src=x />";
        let same = bound_html_nesting(ordinary, 2);
        assert!(matches!(same, Cow::Borrowed(_)), "{same}");
    }

    /// Markup that html5ever nests although names balance, or that hides
    /// tags from a careless tokenizer: each must still be counted.
    #[test]
    fn the_model_of_the_tree_builder_is_not_fooled() {
        let cases = [
            // An end tag stopped by a scope boundary closes nothing.
            "<object><marquee></object></marquee>".repeat(200),
            // A quote before `=` opens no attribute value.
            "<div a\">".repeat(200),
            // `<!--` inside a script is text to html5ever.
            format!("<script><!--</script>{}", "<div>".repeat(200)),
            // A self-closing tag in HTML content opens an element.
            "<span/>".repeat(200),
            // Self-closing after leaving SVG for HTML.
            format!("<svg>{}", "<div/>".repeat(200)),
            // `=/` is a value, not a self-closing slash.
            format!("<svg>{}", "<g a=/>".repeat(200)),
            // Formatting elements closed by others' end tags come back.
            (0..200)
                .map(|i| format!("<div><b id=x{i}>a</div>"))
                .collect(),
        ];
        let sanitiser = {
            let mut b = ammonia::Builder::empty();
            b.add_tags(["div", "span", "b", "object", "marquee", "svg", "g"])
                .add_generic_attributes(["id"]);
            b
        };
        for raw in cases {
            let unbounded = nesting(&sanitiser.clean(&raw).to_string());
            assert!(unbounded > 64, "{raw:.60}: the case nests ({unbounded})");
            let bounded = bound_html_nesting(&raw, 64);
            let deepest = nesting(&sanitiser.clean(&bounded).to_string());
            assert!(deepest <= 64, "{raw:.60}: nested {deepest} deep");
        }
    }

    /// The search for a tag's end follows the tokenizer's states.
    #[test]
    fn tags_end_where_html5ever_ends_them() {
        assert_eq!(tag_end(b" a=\"x>y\">z", 0), Some((9, false)));
        assert_eq!(tag_end(b" a\"=x>", 0), Some((6, false)));
        assert_eq!(tag_end(b" a=/>", 0), Some((5, false)));
        assert_eq!(tag_end(b" a='x'/>", 0), Some((8, true)));
        assert_eq!(tag_end(b"/>", 0), Some((2, true)));
        assert_eq!(tag_end(b" a=\"x", 0), None);
        assert_eq!(comment_end("<!-->x", 4), 5);
        assert_eq!(comment_end("<!--->x", 4), 6);
        assert_eq!(comment_end("<!-- a -> b --!>x", 4), 16);
    }
}
