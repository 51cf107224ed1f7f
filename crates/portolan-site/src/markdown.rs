//! Markdown from users (descriptions, docs) to HTML that cannot run script:
//! pulldown-cmark renders, ammonia keeps only safe tags, attributes and URL
//! schemes, and external links get `rel="noopener noreferrer"`.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

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

/// Sanitise rendered HTML (see [`sanitizer`] for `keep_relative`).
pub fn clean_html(html: &str, keep_relative: bool) -> String {
    sanitizer(keep_relative).clean(html).to_string()
}

/// Render markdown to sanitised HTML.
pub fn render_markdown(text: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(text, options));
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

#[cfg(test)]
mod tests {
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
}
