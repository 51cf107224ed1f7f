//! Users' markdown and HTML as the site renders them (descriptions through
//! `render_markdown`, docs pages' HTML through `clean_html` keeping
//! relative links, summaries through `plain_summary`) and users' SVG
//! through the docs' allowlist (`sanitize_svg`): nothing that can run
//! script comes out.

use portolan_check::svg::sanitize_svg;
use portolan_site::markdown::{clean_html, plain_summary, render_markdown};

use crate::invariants::assert_no_script;

/// The summary length the site's tables use.
const SUMMARY_CHARS: usize = 160;

pub fn markdown(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    assert_no_script(&render_markdown(&text), "render_markdown");
    assert_no_script(&clean_html(&text, true), "clean_html");
    let summary = plain_summary(&text, SUMMARY_CHARS);
    assert!(
        summary.chars().count() <= SUMMARY_CHARS,
        "a summary of {} characters",
        summary.chars().count()
    );
    if let Ok(svg) = sanitize_svg(data) {
        let written = String::from_utf8(svg).expect("a sanitised SVG is UTF-8");
        assert_no_script(&written, "sanitize_svg");
        // What was published passes the allowlist again, unchanged.
        let again = sanitize_svg(written.as_bytes())
            .unwrap_or_else(|e| panic!("a sanitised SVG is refused: {e:?}\n{written}"));
        assert_eq!(
            String::from_utf8_lossy(&again),
            written,
            "sanitising a sanitised SVG changed it"
        );
    }
}
