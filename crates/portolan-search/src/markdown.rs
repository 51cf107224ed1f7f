//! Markdown as search sees it: plain text, and docs pages cut into sections
//! at their headings, each with the anchor id the site gives that heading.

use portolan_check::docs::{heading_slug, unique_heading_id};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The options the site renders docs with: the same text must parse into
/// the same headings, or anchors would drift (see `portolan-site`'s
/// `docs::render_page`).
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Append text to a plain-text buffer with one space between pieces.
fn push_text(out: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(text);
}

/// Markdown as plain text: the words of paragraphs, lists, tables, inline
/// code and code blocks, without markup or HTML.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => push_text(&mut out, &t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    collapse_spaces(&out)
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A part of a docs page: the text under one heading, up to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// 1–6; 0 for text before the first heading.
    pub level: u8,
    pub heading: String,
    /// The heading's anchor id on the page; `None` for text before the
    /// first heading.
    pub id: Option<String>,
    /// Plain text of the section.
    pub text: String,
}

/// A docs page cut at every heading. Ids are the site's (MkDocs'): an
/// explicit `{#id}` as written, else the slug of the heading's text and
/// inline code, made unique on the page with `_1`, `_2`...
pub fn sections(markdown: &str) -> Vec<Section> {
    let mut out = vec![Section {
        level: 0,
        heading: String::new(),
        id: None,
        text: String::new(),
    }];
    let mut used_ids = std::collections::BTreeSet::new();
    // Level, explicit id, text of the heading being read.
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut in_code_block = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Heading { level, id, .. }) if !in_code_block => {
                heading = Some((level as u8, id.map(|i| i.to_string()), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text)) = heading.take() {
                    let id = match explicit {
                        Some(id) => {
                            used_ids.insert(id.clone());
                            id
                        }
                        None => unique_heading_id(heading_slug(&text), &mut used_ids),
                    };
                    out.push(Section {
                        level,
                        heading: collapse_spaces(&text),
                        id: Some(id),
                        text: String::new(),
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => match &mut heading {
                // Heading text as written: the slug sees it unspaced.
                Some((_, _, text)) => text.push_str(&t),
                None => push_text(&mut out.last_mut().expect("never empty").text, &t),
            },
            Event::SoftBreak | Event::HardBreak if heading.is_none() => {
                out.last_mut().expect("never empty").text.push(' ');
            }
            _ => {}
        }
    }
    for section in &mut out {
        section.text = collapse_spaces(&section.text);
    }
    // Text before the first heading is a section only when there is some.
    if out[0].text.is_empty() {
        out.remove(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup_and_keeps_words() {
        let md = "The **front door** of [Acme Pay](https://x).\nAsks `fraud-scorer`.\n\n\
                  - one\n- two\n\n```sh\ncurl -X POST\n```\n<b>html</b>";
        assert_eq!(
            plain_text(md),
            "The front door of Acme Pay . Asks fraud-scorer . one two curl -X POST html"
        );
    }

    #[test]
    fn sections_carry_the_ids_the_site_gives_headings() {
        let md = "Intro text.\n\n# Payments `v2`\n\nBody one.\n\n## Set up {#custom}\n\nA\nB\n\n\
                  ## Set up\n\n```\n# not a heading\n```\n\n## Set up\n\n### Café ???\n";
        let got: Vec<(u8, String, Option<String>, String)> = sections(md)
            .into_iter()
            .map(|s| (s.level, s.heading, s.id, s.text))
            .collect();
        assert_eq!(
            got,
            [
                (0, "".into(), None, "Intro text.".into()),
                (
                    1,
                    "Payments v2".into(),
                    Some("payments-v2".into()),
                    "Body one.".into()
                ),
                (2, "Set up".into(), Some("custom".into()), "A B".into()),
                (
                    2,
                    "Set up".into(),
                    Some("set-up".into()),
                    "# not a heading".into()
                ),
                (2, "Set up".into(), Some("set-up_1".into()), "".into()),
                (3, "Café ???".into(), Some("cafe".into()), "".into()),
            ]
        );
    }

    #[test]
    fn a_page_starting_with_a_heading_has_no_empty_preamble() {
        let s = sections("# Title\n\ntext");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id.as_deref(), Some("title"));
    }
}
