//! Internal link check over rendered HTML: every `href`/`src` that points
//! into the site must name a file the build wrote.

use crate::output::Output;

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every (page, target) pair whose target, under `base`, is missing.
pub fn broken_links(output: &Output, base: &str) -> Vec<(String, String)> {
    let mut broken = Vec::new();
    for (page, bytes) in output.files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let Some(end) = piece.find('"') else { continue };
                let target = unescape(&piece[..end]);
                let Some(path) = target.strip_prefix(base) else {
                    continue;
                };
                let path = path.split(['#', '?']).next().unwrap_or("");
                let exists = if path.is_empty() || path.ends_with('/') {
                    output.files.contains_key(&format!("{path}index.html"))
                } else {
                    output.files.contains_key(path)
                };
                if !exists {
                    broken.push((page.clone(), target));
                }
            }
        }
    }
    broken
}
