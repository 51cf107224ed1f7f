//! `portolan search`: query the index a build wrote, print the hits.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use portolan_search::{Hit, SearchIndex};

use crate::ExitCode;
use crate::cli::{GlobalArgs, SearchArgs, SearchFormat};
use crate::workspace;

/// Where a build writes the index, inside the site.
pub const INDEX_DIR: &str = "_search";

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// The index directory: `--index`, else `_search` in the site directory a
/// build writes (as `build` finds it).
fn index_dir(global: &GlobalArgs, args: &SearchArgs) -> Result<PathBuf> {
    if let Some(dir) = &args.index {
        return Ok(std::env::current_dir()?.join(dir));
    }
    let workspace = workspace::open(global)?;
    let site = match &workspace.config.site.out_dir {
        Some(configured) => workspace.root.join(configured),
        None => workspace.root.join("site"),
    };
    Ok(site.join(INDEX_DIR))
}

/// Text from the catalog, safe to print: control characters (escape
/// sequences a descriptor could smuggle into a terminal) become spaces.
/// Hit text comes from the catalog: control characters and bidi overrides
/// escaped, as in every other text output.
fn printable(text: &str) -> String {
    portolan_core::printable::escape(text).into_owned()
}

fn human(hits: &[Hit], color: bool) -> String {
    let width = hits.iter().map(|h| h.kind.len()).max().unwrap_or(0);
    let mut out = String::new();
    for hit in hits {
        let (kind, title, subtitle, url) = (
            printable(&hit.kind),
            printable(&hit.title),
            printable(&hit.subtitle),
            printable(&hit.url),
        );
        if color {
            out.push_str(&format!(
                "{CYAN}{kind:<width$}{RESET}  {BOLD}{title}{RESET}  {subtitle}  {DIM}{url}{RESET}\n"
            ));
            if let Some(snippet) = &hit.snippet {
                // Dimmed, with what matched in bold.
                let mut line = String::new();
                let mut at = 0;
                for &(start, end) in &snippet.highlights {
                    line.push_str(&printable(&snippet.text[at..start]));
                    line.push_str(&format!(
                        "{RESET}{BOLD}{}{RESET}{DIM}",
                        printable(&snippet.text[start..end])
                    ));
                    at = end;
                }
                line.push_str(&printable(&snippet.text[at..]));
                out.push_str(&format!("{:width$}  {DIM}{line}{RESET}\n", ""));
            }
        } else {
            out.push_str(&format!("{kind:<width$}  {title}  {subtitle}  {url}\n"));
        }
    }
    out
}

pub fn run(global: &GlobalArgs, args: &SearchArgs, color: bool) -> Result<ExitCode> {
    let query = args.query.join(" ");
    if query.trim().is_empty() {
        eprintln!("error: the query is empty: give words to look for, or filters like kind:api");
        return Ok(ExitCode::Usage);
    }
    // The limits every search path shares, said before an index is read.
    if let Err(err) = portolan_search::parse_within_limits(&query) {
        eprintln!("error: {err}");
        return Ok(ExitCode::Usage);
    }
    let dir = index_dir(global, args)?;
    let index = match SearchIndex::open(&dir) {
        Ok(index) => index,
        Err(portolan_search::Error::NoIndex { .. }) => bail!(
            "no search index in {}: run `portolan build` first (it writes the index to {INDEX_DIR}/ in the site), or point --index at one",
            dir.display()
        ),
        Err(err) => {
            return Err(err).with_context(|| format!("cannot open the index in {}", dir.display()));
        }
    };
    let hits = index
        .search(&query, usize::from(args.limit))
        .with_context(|| format!("searching for `{}`", printable(&query)))?;
    match args.format {
        SearchFormat::Json => {
            let mut json = serde_json::to_string_pretty(&hits)?;
            json.push('\n');
            print!("{json}");
        }
        SearchFormat::Human => {
            print!("{}", human(&hits, color));
            if hits.is_empty() && !global.quiet {
                eprintln!("no results for `{}`", printable(&query));
            }
        }
    }
    // Like grep: 1 when nothing matched.
    Ok(if hits.is_empty() {
        ExitCode::Findings
    } else {
        ExitCode::Clean
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_do_not_reach_the_terminal() {
        assert_eq!(printable("a\x1b[31mb\nc"), "a\\u{1b}[31mb\\nc");
    }
}
