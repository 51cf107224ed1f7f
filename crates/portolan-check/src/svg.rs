//! SVG images of docs, made safe to publish (issue 17, finding 5).
//!
//! An SVG opened on its own URL is a document: script in it runs with the
//! portal's origin. A substring check cannot tell what a browser will run
//! (`<x:script>` under a prefixed SVG namespace, `<h:script>` in the XHTML
//! namespace and an entity that expands to `<script>` all got through one),
//! so the file is parsed as namespace-aware XML and a new SVG is written
//! from what an allowlist keeps. What the site publishes is always that
//! rebuilt text, never the original bytes, so a difference between this
//! parser and a browser's cannot smuggle anything through.
//!
//! What makes the image withheld (an [`Unsafe`], reported as D003):
//! - text that is not well-formed XML, is not UTF-8, or declares entities
//!   (a DTD with an internal subset), or an entity other than XML's five;
//! - a root that is not `svg` in the SVG namespace;
//! - anywhere in the document, in any namespace and any letter case:
//!   `script`, `foreignObject`, `handler`, `listener`, any element of the
//!   XHTML namespace, or an animation element (`set`, `animate*`: they can
//!   rewrite an `href` into a `javascript:` URL after the check);
//! - an event-handler attribute (`on*`, any case);
//! - an `href` / `xlink:href` that is not a `#fragment` of the image itself
//!   (raster `data:image/png|jpeg|gif|webp` is also accepted on `image`);
//! - a `url(...)` anywhere in an attribute or a `<style>` that is not a
//!   `#fragment`, or CSS with `@import`, `expression(`, `javascript:`,
//!   `behavior`, `-moz-binding` or a backslash escape (which could spell any
//!   of those);
//! - an `<?xml-stylesheet?>` processing instruction (Chromium applies XSLT
//!   from it, which can make an HTML page with script).
//!
//! What is dropped silently, since it never renders: comments, other
//! processing instructions, a DOCTYPE without an internal subset, elements
//! and attributes of other namespaces (Inkscape, Sodipodi, RDF metadata) and
//! SVG elements and attributes not on the allowlist (`metadata`, deprecated
//! fonts). `<style>` is kept (diagrams use it for their classes) once its
//! CSS passes the checks above.

use std::collections::BTreeSet;
use std::fmt::Write as _;

pub const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// More nodes than any drawing has; bounds the memory a hostile file takes.
const NODES_LIMIT: u32 = 1_000_000;

/// Why an SVG is not published, and where (a byte offset into its text,
/// when the parser or the tree knows one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe {
    pub offset: Option<usize>,
    pub reason: String,
}

impl Unsafe {
    fn at(offset: usize, reason: impl Into<String>) -> Self {
        Unsafe {
            offset: Some(offset),
            reason: reason.into(),
        }
    }
}

/// SVG elements that draw, group, define paint servers and filters, or
/// describe the image. Animation and scripting are not here.
const ELEMENTS: &[&str] = &[
    "a",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
    "view",
];

/// Attributes without a namespace: geometry, presentation, text, paint
/// servers, filters, structure and accessibility. Every value is also
/// checked for `url(...)`; `href` and `style` have their own checks.
const ATTRIBUTES: &[&str] = &[
    "alignment-baseline",
    "amplitude",
    "aria-describedby",
    "aria-hidden",
    "aria-label",
    "aria-labelledby",
    "azimuth",
    "baseFrequency",
    "baseline-shift",
    "baseProfile",
    "bias",
    "class",
    "clip",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-rendering",
    "cx",
    "cy",
    "d",
    "diffuseConstant",
    "direction",
    "display",
    "divisor",
    "dominant-baseline",
    "dx",
    "dy",
    "edgeMode",
    "elevation",
    "exponent",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "filterUnits",
    "flood-color",
    "flood-opacity",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fr",
    "fx",
    "fy",
    "gradientTransform",
    "gradientUnits",
    "height",
    "href",
    "id",
    "image-rendering",
    "in",
    "in2",
    "intercept",
    "isolation",
    "k1",
    "k2",
    "k3",
    "k4",
    "kernelMatrix",
    "kernelUnitLength",
    "lang",
    "lengthAdjust",
    "letter-spacing",
    "lighting-color",
    "limitingConeAngle",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "mask",
    "maskContentUnits",
    "maskUnits",
    "method",
    "mix-blend-mode",
    "mode",
    "numOctaves",
    "offset",
    "opacity",
    "operator",
    "order",
    "orient",
    "overflow",
    "paint-order",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "points",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "preserveAlpha",
    "preserveAspectRatio",
    "primitiveUnits",
    "r",
    "radius",
    "refX",
    "refY",
    "requiredExtensions",
    "requiredFeatures",
    "result",
    "role",
    "rotate",
    "rx",
    "ry",
    "scale",
    "seed",
    "shape-rendering",
    "side",
    "slope",
    "spacing",
    "specularConstant",
    "specularExponent",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "stitchTiles",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "style",
    "surfaceScale",
    "systemLanguage",
    "tableValues",
    "targetX",
    "targetY",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "textLength",
    "transform",
    "transform-origin",
    "type",
    "unicode-bidi",
    "values",
    "vector-effect",
    "version",
    "viewBox",
    "visibility",
    "width",
    "word-spacing",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xChannelSelector",
    "y",
    "y1",
    "y2",
    "yChannelSelector",
    "z",
];

/// Element names that make the image withheld, compared in lower case and
/// in any namespace: they run script, embed a document or animate
/// attributes (an animated `href` can become `javascript:` after any
/// static check).
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "foreignobject",
    "handler",
    "listener",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
    "iframe",
    "embed",
    "object",
];

/// Parse `bytes` as SVG and write it anew from the allowlist; the result
/// is what may be published. Deterministic: the same input gives the same
/// bytes.
pub fn sanitize_svg(bytes: &[u8]) -> Result<Vec<u8>, Unsafe> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        let valid = std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
        return Err(Unsafe::at(valid, "is not UTF-8 text"));
    };
    // A byte-order mark is not part of the XML; offsets stay those of the file.
    let (skipped, xml) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ('\u{feff}'.len_utf8(), rest),
        None => (0, text),
    };
    // A DOCTYPE that only names the SVG 1.1 DTD (as older editors write)
    // declares nothing and is accepted; one with an internal subset can
    // declare entities, and is not.
    let allow_dtd = match doctype_subset(xml) {
        None => false,
        Some(None) => true,
        Some(Some(at)) => {
            return Err(Unsafe::at(
                skipped + at,
                "declares a DTD with entities (an entity can expand to markup; write the text out instead)",
            ));
        }
    };
    let options = roxmltree::ParsingOptions {
        allow_dtd,
        nodes_limit: NODES_LIMIT,
        ..roxmltree::ParsingOptions::default()
    };
    let document = match roxmltree::Document::parse_with_options(xml, options) {
        Ok(document) => document,
        Err(error) => {
            let pos = error.pos();
            return Err(Unsafe::at(
                skipped + offset_of(xml, pos.row, pos.col),
                format!("is not well-formed XML ({error})"),
            ));
        }
    };
    let shift = |offset: usize| skipped + offset;
    find_danger(&document).map_err(|mut found| {
        found.offset = found.offset.map(shift);
        found
    })?;
    let root = document.root_element();
    if root.tag_name().namespace() != Some(SVG_NS) || root.tag_name().name() != "svg" {
        return Err(Unsafe::at(
            shift(root.range().start),
            format!(
                "is not an SVG document: its root is `{}`, not `svg` in the SVG namespace ({SVG_NS})",
                root.tag_name().name()
            ),
        ));
    }
    let mut out = String::with_capacity(xml.len());
    let mut uses_xlink = false;
    write_element(root, &mut out, &mut uses_xlink, true).map_err(|mut found| {
        found.offset = found.offset.map(shift);
        found
    })?;
    if uses_xlink {
        // Declared on the root once the rest is written, so every rebuilt
        // image declares exactly the namespaces it uses.
        let at = "<svg xmlns=\"http://www.w3.org/2000/svg\"".len();
        out.insert_str(at, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    }
    out.push('\n');
    Ok(out.into_bytes())
}

/// Whether the text has a `<!DOCTYPE` before its first element: `None`
/// when not, `Some(Some(offset))` when it has an internal subset (`[...]`,
/// where entities are declared) starting at `offset` (the `<!DOCTYPE`),
/// `Some(None)` when it only names an external DTD, which no one fetches.
fn doctype_subset(xml: &str) -> Option<Option<usize>> {
    let start = xml.find("<!DOCTYPE")?;
    // Only the prolog can hold one; later the text is markup or content.
    let first_element = xml
        .match_indices('<')
        .find(|(i, _)| {
            xml[i + 1..].starts_with(|c: char| c.is_alphabetic() || c == '_' || c == ':')
        })
        .map_or(xml.len(), |(i, _)| i);
    if start > first_element {
        return None;
    }
    let mut quote = None;
    for c in xml[start + "<!DOCTYPE".len()..].chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => return Some(Some(start)),
            (None, '>') => return Some(None),
            _ => {}
        }
    }
    Some(Some(start))
}

/// The byte offset of a 1-based row and column (columns in characters).
fn offset_of(text: &str, row: u32, col: u32) -> usize {
    let mut line_start = 0;
    for _ in 1..row {
        match text[line_start..].find('\n') {
            Some(end) => line_start += end + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(text.len(), |(i, _)| line_start + i)
}

/// The first thing in the whole document (dropped parts included) that
/// makes it unsafe to publish, so the author hears about all of it, not
/// only about what the rebuild would keep.
fn find_danger(document: &roxmltree::Document<'_>) -> Result<(), Unsafe> {
    for node in document.descendants() {
        if let Some(pi) = node.pi()
            && pi.target.eq_ignore_ascii_case("xml-stylesheet")
        {
            return Err(Unsafe::at(
                node.range().start,
                "has an `<?xml-stylesheet?>` instruction (a stylesheet can turn the image into a page with script)",
            ));
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name();
        let lower = name.name().to_ascii_lowercase();
        if name.namespace() == Some(XHTML_NS) {
            return Err(Unsafe::at(
                node.range().start,
                format!(
                    "has an HTML element `<{}>` (XHTML namespace)",
                    written_name(document.input_text(), node)
                ),
            ));
        }
        if FORBIDDEN_ELEMENTS.contains(&lower.as_str()) {
            return Err(Unsafe::at(
                node.range().start,
                format!(
                    "has a `<{}>` element",
                    written_name(document.input_text(), node)
                ),
            ));
        }
        for attribute in node.attributes() {
            if attribute.name().len() > 2
                && attribute.name()[..2].eq_ignore_ascii_case("on")
                && attribute.namespace().is_none()
            {
                return Err(Unsafe::at(
                    attribute.range().start,
                    format!("has an event-handler attribute `{}`", attribute.name()),
                ));
            }
        }
    }
    Ok(())
}

/// An element's name as written, prefix included (`x:script`).
fn written_name<'a>(xml: &'a str, node: roxmltree::Node<'_, '_>) -> &'a str {
    let tag = xml.get(node.range().start + 1..).unwrap_or("");
    let end = tag
        .find(|c: char| c.is_whitespace() || matches!(c, '>' | '/'))
        .unwrap_or(tag.len());
    &tag[..end]
}

/// `value` as a browser reads a URL: without ASCII whitespace and control
/// characters anywhere (they are stripped or ignored), in lower case.
fn url_as_read(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether an `href` on `element` stays inside the image: a `#fragment`, or
/// raster image data on `image` / `feImage`.
fn href_allowed(element: &str, value: &str) -> bool {
    let url = url_as_read(value);
    if url.starts_with('#') {
        return true;
    }
    matches!(element, "image" | "feImage")
        && ["png", "jpeg", "jpg", "gif", "webp"]
            .iter()
            .any(|format| url.starts_with(&format!("data:image/{format};base64,")))
}

/// Why a CSS text (a `style` attribute, a `<style>` element, a
/// presentation attribute) may not be published, if it may not.
fn css_problem(css: &str) -> Option<String> {
    if css.contains('\\') {
        return Some("CSS with a backslash escape".into());
    }
    let lower = url_as_read(css);
    for banned in [
        "@import",
        "expression(",
        "javascript:",
        "behavior:",
        "-moz-binding",
    ] {
        if lower.contains(banned) {
            return Some(format!("CSS with `{banned}`"));
        }
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let target = rest.trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            let shown: String = target
                .chars()
                .take_while(|c| !matches!(c, ')' | '"' | '\''))
                .take(60)
                .collect();
            return Some(format!(
                "a `url({shown})` outside the image (only `url(#id)` is published)"
            ));
        }
    }
    None
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// The attributes of `node` that are kept, as (written name, value),
/// sorted by name; `Err` for one that makes the image unsafe.
fn kept_attributes<'a>(
    node: roxmltree::Node<'a, '_>,
    uses_xlink: &mut bool,
) -> Result<Vec<(String, &'a str)>, Unsafe> {
    let element = node.tag_name().name();
    let mut kept = Vec::new();
    let mut seen = BTreeSet::new();
    for attribute in node.attributes() {
        let (name, value) = (attribute.name(), attribute.value());
        let written = match attribute.namespace() {
            None if ATTRIBUTES.contains(&name) => name.to_string(),
            Some(XLINK_NS) if name == "href" => {
                *uses_xlink = true;
                "xlink:href".to_string()
            }
            Some(XML_NS) if matches!(name, "space" | "lang") => format!("xml:{name}"),
            // Other namespaces (editors' bookkeeping) and unknown
            // attributes do nothing in a browser.
            _ => continue,
        };
        if name == "href" && !href_allowed(element, value) {
            let shown: String = value.chars().take(60).collect();
            return Err(Unsafe::at(
                attribute.range().start,
                format!(
                    "has a link `{shown}` out of the image (only `#id` references are published)"
                ),
            ));
        }
        if let Some(problem) = css_problem(value).filter(|_| name != "href") {
            return Err(Unsafe::at(
                attribute.range().start,
                format!("has {problem} in `{}`", attribute.name()),
            ));
        }
        if seen.insert(written.clone()) {
            kept.push((written, value));
        }
    }
    kept.sort();
    Ok(kept)
}

/// Write an allowed SVG element and what it keeps of its content.
fn write_element(
    node: roxmltree::Node<'_, '_>,
    out: &mut String,
    uses_xlink: &mut bool,
    is_root: bool,
) -> Result<(), Unsafe> {
    let name = node.tag_name().name();
    out.push('<');
    out.push_str(name);
    if is_root {
        let _ = write!(out, " xmlns=\"{SVG_NS}\"");
    }
    for (attribute, value) in kept_attributes(node, uses_xlink)? {
        let _ = write!(out, " {attribute}=\"");
        escape_into(out, value, true);
        out.push('"');
    }
    if name == "style" {
        let css: String = node
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect();
        if let Some(problem) = css_problem(&css) {
            return Err(Unsafe::at(
                node.range().start,
                format!("has {problem} in `<style>`"),
            ));
        }
    }
    let mut children = String::new();
    for child in node.children() {
        if child.is_text() {
            escape_into(&mut children, child.text().unwrap_or(""), false);
        } else if child.is_element()
            && child.tag_name().namespace() == Some(SVG_NS)
            && ELEMENTS.contains(&child.tag_name().name())
        {
            write_element(child, &mut children, uses_xlink, false)?;
        }
        // Comments, processing instructions and elements of other
        // namespaces (or not on the allowlist) are left out with their
        // content.
    }
    if children.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        out.push_str(&children);
        let _ = write!(out, "</{name}>");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> String {
        String::from_utf8(sanitize_svg(svg.as_bytes()).unwrap_or_else(|e| {
            panic!("withheld: {e:?}\n{svg}");
        }))
        .unwrap()
    }

    fn rejected(svg: &str) -> Unsafe {
        match sanitize_svg(svg.as_bytes()) {
            Ok(out) => panic!(
                "published:\n{}\nfrom:\n{svg}",
                String::from_utf8_lossy(&out)
            ),
            Err(e) => e,
        }
    }

    const OPEN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">";

    #[test]
    fn script_in_any_namespace_spelling_is_withheld() {
        // Finding 5: a prefix bound to the SVG namespace, the XHTML
        // namespace, and a default namespace redeclared on a child.
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:x=\"http://www.w3.org/2000/svg\"><x:script>alert(1)</x:script></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:script>alert(1)</h:script></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></g></svg>",
            "<x:svg xmlns:x=\"http://www.w3.org/2000/svg\"><x:SCRIPT>alert(1)</x:SCRIPT></x:svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><h:div xmlns:h=\"http://www.w3.org/1999/xhtml\">x</h:div></svg>",
            // Inside a part that the rebuild would drop anyway: still told.
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><i:pgf xmlns:i=\"urn:x\"><script xmlns=\"http://www.w3.org/2000/svg\">alert(1)</script></i:pgf></svg>",
        ] {
            let found = rejected(svg);
            assert!(
                found.reason.to_lowercase().contains("script") || found.reason.contains("HTML"),
                "{found:?}"
            );
            let offset = found.offset.unwrap();
            assert_eq!(&svg[offset..offset + 1], "<", "{found:?} in {svg}");
        }
    }

    #[test]
    fn dtd_entities_are_withheld() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY s \"&#60;script&#62;alert(1)&#60;/script&#62;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\">&s;</svg>";
        let found = rejected(svg);
        assert!(found.reason.contains("DTD"), "{found:?}");
        assert_eq!(found.offset, Some(svg.find("<!DOCTYPE").unwrap()));
        // An entity with no declaration at all.
        assert!(
            rejected(&format!("{OPEN}<text>&xss;</text></svg>"))
                .offset
                .is_some()
        );
    }

    #[test]
    fn event_handlers_in_any_case_are_withheld() {
        for attribute in ["onload", "ONLOAD", "OnClick", "onmouseover", "onbegin"] {
            let svg = format!("{OPEN}<rect width=\"1\" {attribute}=\"alert(1)\"/></svg>");
            let found = rejected(&svg);
            assert!(found.reason.contains(attribute), "{found:?}");
            assert!(svg[found.offset.unwrap()..].starts_with(attribute));
        }
    }

    #[test]
    fn javascript_and_outside_links_are_withheld_however_spelt() {
        for href in [
            "javascript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;ava&#x09;script:alert(1)",
            " \n JaVaScRiPt:alert(1)",
            "java&#10;script:alert(1)",
            "https://evil.example/x.svg#a",
            "//evil.example/x",
            "other.svg#a",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "data:text/html,<script>alert(1)</script>",
        ] {
            for attribute in ["href", "xlink:href"] {
                let svg = format!(
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><a {attribute}=\"{}\"><text>x</text></a></svg>",
                    href.replace('<', "&lt;")
                );
                let found = rejected(&svg);
                assert!(found.reason.contains("link"), "{found:?}");
            }
        }
    }

    #[test]
    fn foreign_object_animation_and_stylesheets_are_withheld() {
        for svg in [
            format!(
                "{OPEN}<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\">x</body></foreignObject></svg>"
            ),
            format!(
                "{OPEN}<a href=\"#x\"><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text>x</text></a></svg>"
            ),
            format!("{OPEN}<animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>"),
            format!("<?xml-stylesheet type=\"text/xsl\" href=\"data:,x\"?>{OPEN}</svg>"),
            format!("{OPEN}<style>@import url(https://evil.example/x.css);</style></svg>"),
            format!("{OPEN}<style>rect {{ fill: url(https://evil.example/p) }}</style></svg>"),
            format!("{OPEN}<style>rect {{ background: u\\72l(x) }}</style></svg>"),
            format!("{OPEN}<rect style=\"fill:url( 'https://evil.example/p' )\"/></svg>"),
            format!("{OPEN}<rect filter=\"url(https://evil.example/f#a)\"/></svg>"),
        ] {
            rejected(&svg);
        }
    }

    #[test]
    fn cdata_and_escaped_markup_stay_text() {
        let out = clean(&format!(
            "{OPEN}<text><![CDATA[</text><script>alert(1)</script>]]></text><desc>&lt;script&gt;</desc></svg>"
        ));
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;/text&gt;&lt;script&gt;"), "{out}");
        assert!(out.contains("<desc>&lt;script&gt;</desc>"), "{out}");
    }

    #[test]
    fn not_svg_is_withheld() {
        assert!(rejected("<svg><rect/></svg>").reason.contains("namespace"));
        assert!(
            rejected("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>")
                .offset
                .is_some()
        );
        let found = rejected(&format!("{OPEN}<rect></svg>"));
        assert!(found.reason.contains("well-formed"), "{found:?}");
        assert!(sanitize_svg(b"\xff\xfe<svg/>").is_err());
    }

    #[test]
    fn a_drawing_from_an_editor_keeps_what_renders() {
        // The shape of an Inkscape file: XML declaration, comments,
        // sodipodi/inkscape bookkeeping, RDF metadata, gradients with
        // xlink:href, a style element, text with CDATA.
        let svg = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:svg="http://www.w3.org/2000/svg" xmlns="http://www.w3.org/2000/svg"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1" id="svg8"
   inkscape:version="1.0" sodipodi:docname="flow.svg">
  <defs id="defs2">
    <linearGradient id="g1"><stop offset="0" style="stop-color:#ff0000;stop-opacity:1"/></linearGradient>
    <linearGradient inkscape:collect="always" xlink:href="#g1" id="g2" x1="0" y1="0" x2="1" y2="1" gradientUnits="userSpaceOnUse"/>
    <marker id="arrow" orient="auto" refX="0" refY="0"><path d="M 0,0 5,-5 -12.5,0 5,5 Z" style="fill-rule:evenodd"/></marker>
    <filter id="blur"><feGaussianBlur stdDeviation="2" in="SourceGraphic"/></filter>
  </defs>
  <style type="text/css"><![CDATA[ .box { fill: url(#g2); stroke: #333 } ]]></style>
  <sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.35"/>
  <metadata id="metadata5"><rdf:RDF><dc:title>Flow</dc:title></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1" transform="translate(0,-10)">
    <rect class="box" width="50" height="20" x="10" y="10" rx="3" filter="url(#blur)"/>
    <path d="M 60,20 H 100" style="stroke:#000;marker-end:url(#arrow)"/>
    <text x="12" y="24" xml:space="preserve" font-family="sans-serif"><tspan sodipodi:role="line">Orders &amp; payments</tspan></text>
    <use xlink:href="#layer1" x="5"/>
    <image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/>
  </g>
</svg>
"##;
        let out = clean(svg);
        for kept in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" height=\"297mm\" id=\"svg8\" version=\"1.1\" viewBox=\"0 0 210 297\" width=\"210mm\">",
            "xlink:href=\"#g1\"",
            "<marker id=\"arrow\"",
            "<feGaussianBlur in=\"SourceGraphic\" stdDeviation=\"2\"/>",
            "<style type=\"text/css\"> .box { fill: url(#g2); stroke: #333 } </style>",
            "filter=\"url(#blur)\"",
            "style=\"stroke:#000;marker-end:url(#arrow)\"",
            "<tspan>Orders &amp; payments</tspan>",
            "xml:space=\"preserve\"",
            "<use x=\"5\" xlink:href=\"#layer1\"/>",
            "href=\"data:image/png;base64,iVBORw0KGgo=\"",
        ] {
            assert!(out.contains(kept), "{kept} missing from:\n{out}");
        }
        for dropped in ["inkscape", "sodipodi", "rdf", "metadata", "DOCTYPE", "<!--"] {
            assert!(!out.contains(dropped), "{dropped} kept in:\n{out}");
        }
        // Deterministic, and a fixed point: cleaning the output changes nothing.
        assert_eq!(out, clean(svg));
        assert_eq!(out, clean(&out));
    }

    #[test]
    fn plain_drawings_survive_whole() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#0a0\"/><circle cx=\"5\" cy=\"5\" r=\"2\"/></svg>";
        assert_eq!(
            clean(svg),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" height=\"10\" width=\"10\"><rect fill=\"#0a0\" height=\"10\" width=\"10\"/><circle cx=\"5\" cy=\"5\" r=\"2\"/></svg>\n"
        );
        // A byte-order mark is accepted; offsets count it.
        let with_bom = format!("\u{feff}{OPEN}<rect onclick=\"x\"/></svg>");
        let found = rejected(&with_bom);
        assert!(with_bom[found.offset.unwrap()..].starts_with("onclick"));
    }

    #[test]
    fn offsets_of_rows_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), 8);
        assert_eq!(offset_of(text, 9, 1), text.len());
    }
}
