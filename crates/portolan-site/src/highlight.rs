//! Syntax highlighting of code blocks at build time (syntect, pure Rust):
//! the HTML carries classes only, styled by CSS generated once, so the
//! Content-Security-Policy needs no inline styles and pages need no script.
//!
//! syntect's default syntaxes have neither GraphQL nor Protocol Buffers, the
//! languages of `graphql` and `grpc` API definitions; ours are in
//! `syntaxes/` and join the defaults at first use.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{
    ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style, line_tokens_to_classed_spans,
};
use syntect::parsing::{
    ParseState, ScopeStack, ScopeStackOp, SyntaxDefinition, SyntaxReference, SyntaxSet,
};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Our syntaxes: (name, `.sublime-syntax` text).
const OUR_SYNTAXES: &[(&str, &str)] = &[
    (
        "GraphQL",
        include_str!("../syntaxes/graphql.sublime-syntax"),
    ),
    (
        "Protocol Buffers",
        include_str!("../syntaxes/protobuf.sublime-syntax"),
    ),
];

/// Sources larger than this are listed without colours. Class-based
/// highlighting multiplies the size of the text by 10 to 20 (a span with
/// the scope's classes around every token), so 128 KiB of GraphQL already
/// makes a page of about 2 MB; a bigger file is read by searching, and is
/// offered for download.
pub const MAX_HIGHLIGHTED_BYTES: usize = 128 << 10;

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(|| {
        let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
        for (name, text) in OUR_SYNTAXES {
            // Embedded and loaded by a unit test: a failure is a build bug.
            builder.add(
                SyntaxDefinition::load_from_str(text, true, Some(name))
                    .unwrap_or_else(|e| panic!("embedded syntax {name}: {e}")),
            );
        }
        builder.build()
    })
}

/// The syntax for a fence's language token or an API definition's
/// language: our names and aliases first (`grpc` definitions are protobuf),
/// then syntect's own lookup by extension or name.
fn find_syntax<'a>(set: &'a SyntaxSet, token: &str) -> Option<&'a SyntaxReference> {
    match token.to_ascii_lowercase().as_str() {
        "graphql" | "graphqls" | "gql" => set.find_syntax_by_name("GraphQL"),
        "proto" | "proto2" | "proto3" | "protobuf" | "grpc" => {
            set.find_syntax_by_name("Protocol Buffers")
        }
        _ => set.find_syntax_by_token(token),
    }
}

/// The language token of a fence's info string (`rust,ignore` → `rust`).
fn fence_language(info: &str) -> &str {
    info.split([' ', ',', '{']).next().unwrap_or("").trim()
}

/// `<pre><code>` for `code` in `language` (a fence's info string), or
/// `None` when the language is unknown (the caller keeps the plain block).
pub fn highlight(code: &str, language: &str) -> Option<String> {
    let token = fence_language(language);
    if token.is_empty() {
        return None;
    }
    let set = syntaxes();
    let syntax = find_syntax(set, token)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(format!(
        "<pre class=\"code\"><code>{}</code></pre>",
        generator.finalize()
    ))
}

/// A whole source file as `<pre class="code numbered">`, one
/// `<span class="line">` per line (the stylesheet numbers them with a CSS
/// counter). Highlighted when `language` is known and the text is at most
/// [`MAX_HIGHLIGHTED_BYTES`]; plain, escaped text otherwise.
pub fn source_listing(code: &str, language: &str) -> String {
    let body = (code.len() <= MAX_HIGHLIGHTED_BYTES)
        .then(|| highlighted_lines(code, language))
        .flatten()
        .unwrap_or_else(|| plain_lines(code));
    format!("<pre class=\"code numbered\"><code>{body}</code></pre>")
}

/// Each line a closed element: the scopes still open at the end of a line
/// (a block string, a comment) are closed there and reopened on the next.
fn highlighted_lines(code: &str, language: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = find_syntax(set, language)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = String::with_capacity(code.len() * 4);
    for line in LinesWithEndings::from(code) {
        out.push_str("<span class=\"line\">");
        let reopen: Vec<(usize, ScopeStackOp)> = stack
            .as_slice()
            .iter()
            .map(|scope| (0, ScopeStackOp::Push(*scope)))
            .collect();
        let (open, _) =
            line_tokens_to_classed_spans("", &reopen, CLASS_STYLE, &mut ScopeStack::new()).ok()?;
        out.push_str(&open);
        let ops = state.parse_line(line, set).ok()?;
        let (html, _) = line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut stack).ok()?;
        out.push_str(&html);
        for _ in 0..stack.len() {
            out.push_str("</span>");
        }
        out.push_str("</span>");
    }
    Some(out)
}

fn plain_lines(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    for line in LinesWithEndings::from(code) {
        out.push_str("<span class=\"line\">");
        out.push_str(&crate::reference::esc(line));
        out.push_str("</span>");
    }
    out
}

/// The page colours code sits on (`--card` in portolan.css), light and
/// dark.
const LIGHT_BACKGROUND: (u8, u8, u8) = (0xf6, 0xf8, 0xfa);
const DARK_BACKGROUND: (u8, u8, u8) = (0x16, 0x1b, 0x22);

/// WCAG 2 AA contrast for normal text.
const MIN_CONTRAST: f64 = 4.5;

/// The stylesheet for highlighted code: a light theme unless the reader
/// prefers dark, a dark one if they do, and the reader's choice from the
/// theme switch (`data-theme` on the root element) over the system's. The
/// four conditions are disjoint, so no rule of one theme leaks into the
/// other. Every text colour is pushed towards the foreground until it reads
/// at WCAG AA contrast on the code background.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], CLASS_STYLE)
        .unwrap_or_default();
    let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], CLASS_STYLE)
        .unwrap_or_default();
    let light = readable_colours(&light, LIGHT_BACKGROUND);
    let dark = readable_colours(&dark, DARK_BACKGROUND);
    format!(
        "/* Code highlighting (generated by syntect, colours adjusted for contrast). */\n@media not all and (prefers-color-scheme: dark) {{\n{}\n}}\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n{}\n",
        scoped(&light, ":root:not([data-theme=\"dark\"])"),
        scoped(&light, ":root[data-theme=\"light\"]"),
        scoped(&dark, ":root:not([data-theme=\"light\"])"),
        scoped(&dark, ":root[data-theme=\"dark\"]"),
    )
}

/// `css` (syntect's: one rule's selector list on the line that opens it)
/// with `scope` before every selector.
fn scoped(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    for line in css.lines() {
        match line.strip_suffix('{') {
            Some(selectors) if !line.starts_with('@') && !selectors.trim().is_empty() => {
                for (i, selector) in selectors.split(',').enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(scope);
                    out.push(' ');
                    out.push_str(selector.trim());
                }
                out.push_str(" {");
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Rewrite every ` color: #rrggbb` of `css` (text colours, not
/// backgrounds) so it has at least [`MIN_CONTRAST`] against `background`;
/// background declarations are dropped, the page's own card colour shows.
fn readable_colours(css: &str, background: (u8, u8, u8)) -> String {
    let mut out = String::with_capacity(css.len());
    for line in css.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("background-color:") {
            continue;
        }
        match trimmed
            .strip_prefix("color: #")
            .and_then(|rest| rest.get(..6))
            .and_then(parse_hex)
        {
            Some(colour) => {
                let (r, g, b) = with_contrast(colour, background);
                out.push_str(&format!(" color: #{r:02x}{g:02x}{b:02x};\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((channel(0)?, channel(2)?, channel(4)?))
}

/// WCAG relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `colour` mixed step by step towards black (on a light background) or
/// white (on a dark one) until it reaches [`MIN_CONTRAST`].
fn with_contrast(colour: (u8, u8, u8), background: (u8, u8, u8)) -> (u8, u8, u8) {
    let target = if luminance(background) > 0.5 {
        0.0
    } else {
        255.0
    };
    let mut mixed = colour;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        let mix = |c: u8| (f64::from(c) + (target - f64::from(c)) * t).round() as u8;
        mixed = (mix(colour.0), mix(colour.1), mix(colour.2));
        if contrast(mixed, background) >= MIN_CONTRAST {
            break;
        }
    }
    mixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_colour_reads_at_aa_contrast_in_its_scheme() {
        let css = stylesheet();
        let (light, dark) = css.split_at(css.find("@media (prefers-color-scheme: dark)").unwrap());
        for (part, background) in [(light, LIGHT_BACKGROUND), (dark, DARK_BACKGROUND)] {
            let mut colours = 0;
            for line in part.lines() {
                if let Some(colour) = line
                    .trim()
                    .strip_prefix("color: #")
                    .and_then(|h| parse_hex(&h[..6]))
                {
                    colours += 1;
                    assert!(
                        contrast(colour, background) >= MIN_CONTRAST,
                        "{line}: {:.2}",
                        contrast(colour, background)
                    );
                }
            }
            assert!(colours > 10, "{part}");
        }
        assert!(light.contains("@media not all and (prefers-color-scheme: dark)"));
        // Every rule is scoped to one of the four disjoint conditions.
        for line in css
            .lines()
            .filter(|l| l.ends_with('{') && !l.starts_with('@'))
        {
            for selector in line.trim_end_matches('{').split(", ") {
                assert!(selector.starts_with(":root"), "{line}");
            }
        }
        assert!(light.contains(":root[data-theme=\"light\"] .hl-"));
        assert!(dark.contains(":root[data-theme=\"dark\"] .hl-"));
        assert!(!light.contains("data-theme=\"dark\"] .hl-"));
        assert!(!dark.contains("[data-theme=\"light\"] .hl-"));
        // Known values: WCAG's formula gives 21:1 for black on white.
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn known_languages_get_classes_and_text_stays_escaped() {
        let html = highlight("fn main() { let x = \"<script>\"; }\n", "rust").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(highlight("x", "no-such-language").is_none());
        assert!(highlight("x", "").is_none());
    }

    /// (text, innermost scope) for every token of `code`, whitespace
    /// and unscoped text left out.
    fn tokens(code: &str, language: &str) -> Vec<(String, String)> {
        let set = syntaxes();
        let mut state = ParseState::new(find_syntax(set, language).unwrap());
        let mut stack = ScopeStack::new();
        let mut out = Vec::new();
        for line in LinesWithEndings::from(code) {
            let ops = state.parse_line(line, set).unwrap();
            let mut at = 0;
            let mut emit = |text: &str, stack: &ScopeStack| {
                let text = text.trim();
                if !text.is_empty() && stack.len() > 1 {
                    let scope = stack.as_slice().last().unwrap().build_string();
                    out.push((text.to_string(), scope));
                }
            };
            for (i, op) in ops {
                if i > at {
                    emit(&line[at..i], &stack);
                    at = i;
                }
                stack.apply(&op).unwrap();
            }
            emit(&line[at..], &stack);
        }
        out
    }

    /// `expected` (text, scope) pairs appear among `code`'s tokens, in order.
    fn assert_tokens(code: &str, language: &str, expected: &[(&str, &str)]) {
        let tokens = tokens(code, language);
        let mut rest = tokens.iter();
        for (text, scope) in expected {
            assert!(
                rest.any(|(t, s)| t == text && s == scope),
                "`{text}` as {scope} not found, in order, among {tokens:#?}"
            );
        }
    }

    #[test]
    fn our_syntaxes_load_and_every_alias_finds_them() {
        // syntect's defaults have neither language: that is why ours exist.
        let defaults = SyntaxSet::load_defaults_newlines();
        for token in ["graphql", "gql", "proto", "protobuf"] {
            assert!(defaults.find_syntax_by_token(token).is_none(), "{token}");
        }
        let set = syntaxes();
        for (token, name) in [
            ("graphql", "GraphQL"),
            ("GraphQL", "GraphQL"),
            ("gql", "GraphQL"),
            ("graphqls", "GraphQL"),
            ("proto", "Protocol Buffers"),
            ("protobuf", "Protocol Buffers"),
            ("grpc", "Protocol Buffers"),
            ("proto3", "Protocol Buffers"),
        ] {
            assert_eq!(find_syntax(set, token).map(|s| s.name.as_str()), Some(name));
        }
        // Docs' fenced blocks find them too.
        let gql = highlight("type A { b: Int }\n", "graphql").unwrap();
        assert!(
            gql.contains("hl-keyword hl-declaration hl-type hl-graphql"),
            "{gql}"
        );
        let proto = highlight("message A {}\n", "proto").unwrap();
        assert!(
            proto.contains("hl-keyword hl-declaration hl-message hl-proto"),
            "{proto}"
        );
    }

    #[test]
    fn graphql_sdl_and_operations_get_their_scopes() {
        let sdl = r#"# A comment
"""
Block "description" with \""" inside
"""
type Product implements Node & Priced @key(fields: "id") {
  name(locale: String = "en", first: Int = 10): [String!]!
  ratio: Float @deprecated(reason: "no\u00e9")
}
enum Currency { EUR USD }
union Result = Product | Category
input Filter { min: Float = -1.5e3 }
scalar Date
interface Node { id: ID! }
directive @auth(role: Role = ADMIN) repeatable on OBJECT | FIELD_DEFINITION
schema { query: Query }
extend type Query { me: User }
query Page($id: ID!, $n: Int = 3) { product(id: $id) { ...Fields alias: name ... on Priced { price } } }
mutation Buy { buy }
subscription Feed { items }
fragment Fields on Product { id }
"#;
        assert_tokens(
            sdl,
            "graphql",
            &[
                ("#", "punctuation.definition.comment.graphql"),
                ("A comment", "comment.line.number-sign.graphql"),
                ("\"\"\"", "punctuation.definition.string.begin.graphql"),
                (
                    "Block \"description\" with",
                    "string.quoted.triple.block.graphql",
                ),
                ("\\\"\"\"", "constant.character.escape.graphql"),
                ("type", "keyword.declaration.type.graphql"),
                ("Product", "entity.name.type.graphql"),
                ("implements", "keyword.other.implements.graphql"),
                ("Node", "entity.other.inherited-class.graphql"),
                ("key", "entity.name.function.directive.graphql"),
                ("fields", "variable.parameter.graphql"),
                ("id", "string.quoted.double.graphql"),
                ("name", "variable.other.member.graphql"),
                ("locale", "variable.parameter.graphql"),
                ("String", "support.type.builtin.graphql"),
                ("en", "string.quoted.double.graphql"),
                ("10", "constant.numeric.integer.graphql"),
                ("!", "keyword.operator.non-null.graphql"),
                ("ratio", "variable.other.member.graphql"),
                ("deprecated", "entity.name.function.directive.graphql"),
                ("\\u00e9", "constant.character.escape.graphql"),
                ("enum", "keyword.declaration.enum.graphql"),
                ("EUR", "constant.other.enum.graphql"),
                ("union", "keyword.declaration.type.graphql"),
                ("Category", "entity.other.inherited-class.graphql"),
                ("input", "keyword.declaration.type.graphql"),
                ("-1.5e3", "constant.numeric.float.graphql"),
                ("scalar", "keyword.declaration.type.graphql"),
                ("interface", "keyword.declaration.type.graphql"),
                ("ID", "support.type.builtin.graphql"),
                ("directive", "keyword.declaration.directive.graphql"),
                ("auth", "entity.name.function.directive.graphql"),
                ("Role", "support.type.graphql"),
                ("ADMIN", "constant.other.enum.graphql"),
                ("repeatable", "keyword.other.repeatable.graphql"),
                ("on", "keyword.other.on.graphql"),
                (
                    "FIELD_DEFINITION",
                    "constant.language.directive-location.graphql",
                ),
                ("schema", "keyword.declaration.schema.graphql"),
                ("query", "variable.other.member.graphql"),
                ("Query", "support.type.graphql"),
                ("extend", "keyword.other.extend.graphql"),
                ("query", "keyword.declaration.operation.graphql"),
                ("Page", "entity.name.function.operation.graphql"),
                ("id", "variable.parameter.graphql"),
                ("3", "constant.numeric.integer.graphql"),
                ("id", "variable.other.graphql"),
                ("...", "keyword.operator.spread.graphql"),
                ("Fields", "entity.name.function.fragment.graphql"),
                ("alias", "entity.name.label.alias.graphql"),
                ("Priced", "support.type.graphql"),
                ("mutation", "keyword.declaration.operation.graphql"),
                ("subscription", "keyword.declaration.operation.graphql"),
                ("fragment", "keyword.declaration.fragment.graphql"),
                ("on", "keyword.other.on.graphql"),
            ],
        );
    }

    #[test]
    fn protobuf_gets_its_scopes() {
        let proto = r#"/* Block
   comment */
syntax = "proto3";
package acme.v1;
import public "google/protobuf/timestamp.proto";
option go_package = "x\x41";
service Scoring {
  rpc Score(stream ScoreRequest) returns (ScoreResponse) {
    option (google.api.http) = { post: "/v1/score" };
  }
}
message ScoreRequest {
  // The payment.
  repeated string reasons = 3 [deprecated = true];
  map<string, Project> projects = 4;
  google.protobuf.Timestamp at = 0x10;
  oneof choice { double score = 5; }
  reserved 9 to 11, 40 to max;
  optional float f = 6;
}
enum Decision { DECISION_UNSPECIFIED = 0; }
"#;
        assert_tokens(
            proto,
            "grpc",
            &[
                ("/*", "punctuation.definition.comment.begin.proto"),
                ("comment", "comment.block.proto"),
                ("syntax", "keyword.other.syntax.proto"),
                ("proto3", "string.quoted.double.proto"),
                ("package", "keyword.other.package.proto"),
                ("acme.v1", "entity.name.namespace.proto"),
                ("import", "keyword.other.import.proto"),
                ("public", "storage.modifier.import.proto"),
                ("option", "keyword.other.option.proto"),
                ("go_package", "entity.other.attribute-name.proto"),
                ("\\x41", "constant.character.escape.proto"),
                ("service", "keyword.declaration.service.proto"),
                ("Scoring", "entity.name.type.service.proto"),
                ("rpc", "keyword.declaration.rpc.proto"),
                ("Score", "entity.name.function.rpc.proto"),
                ("stream", "storage.modifier.stream.proto"),
                ("ScoreRequest", "support.type.proto"),
                ("returns", "keyword.other.returns.proto"),
                ("(google.api.http)", "entity.other.attribute-name.proto"),
                ("post", "variable.other.member.proto"),
                ("message", "keyword.declaration.message.proto"),
                ("ScoreRequest", "entity.name.type.message.proto"),
                ("The payment.", "comment.line.double-slash.proto"),
                ("repeated", "storage.modifier.label.proto"),
                ("string", "storage.type.proto"),
                ("reasons", "variable.other.member.proto"),
                ("3", "constant.numeric.integer.field-number.proto"),
                ("deprecated", "entity.other.attribute-name.proto"),
                ("true", "constant.language.boolean.proto"),
                ("map", "storage.type.map.proto"),
                ("Project", "support.type.proto"),
                ("projects", "variable.other.member.proto"),
                ("google.protobuf.Timestamp", "support.type.proto"),
                ("0x10", "constant.numeric.integer.field-number.proto"),
                ("oneof", "keyword.declaration.oneof.proto"),
                ("double", "storage.type.proto"),
                ("reserved", "keyword.other.reserved.proto"),
                ("to", "keyword.other.range.proto"),
                ("max", "keyword.other.range.proto"),
                ("optional", "storage.modifier.label.proto"),
                ("enum", "keyword.declaration.enum.proto"),
                ("DECISION_UNSPECIFIED", "constant.other.enum.proto"),
                ("0", "constant.numeric.integer.proto"),
            ],
        );
    }

    #[test]
    fn a_numbered_listing_closes_every_line_and_reopens_what_spans_lines() {
        let html = source_listing("/* one\n two <b> */ message M {}\nint32\n", "proto");
        assert!(html.starts_with("<pre class=\"code numbered\"><code><span class=\"line\">"));
        let lines: Vec<&str> = html.split("<span class=\"line\">").skip(1).collect();
        assert_eq!(lines.len(), 3);
        for line in &lines {
            // Each line's own spans, plus the line's, are closed in it.
            assert_eq!(
                line.matches("<span").count() + 1,
                line.matches("</span>").count(),
                "{line}"
            );
        }
        // The comment goes on: its span is open again on the second line.
        assert!(
            lines[1].starts_with("<span class=\"hl-source hl-proto\"><span class=\"hl-comment hl-block hl-proto\"> two &lt;b&gt; "),
            "{}",
            lines[1]
        );
        // Unknown languages are listed plain, numbered, escaped.
        assert_eq!(
            source_listing("a <b>\nc", "no-such-language"),
            "<pre class=\"code numbered\"><code><span class=\"line\">a &lt;b&gt;\n</span><span class=\"line\">c</span></code></pre>"
        );
    }

    #[test]
    fn the_stylesheet_covers_light_and_dark() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
