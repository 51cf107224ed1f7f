//! portolan-site: the output stage. Renders the checked catalog into the
//! portal's files — HTML pages from the embedded theme, `catalog.json`,
//! every API's bundled definition (YAML and JSON), the search indexes —
//! either in memory ([`Output`], for `serve`, written with
//! [`write_atomic`]) or streamed into a staging directory that replaces the
//! output atomically once the site is whole ([`render_streaming`],
//! [`spill`]; what `build` does, so a big site is never held in memory
//! whole). Rendering never reads the clock, so the same input gives the
//! same bytes either way.

pub mod audience;
pub mod base_url;
pub mod catalog_json;
pub mod changelog;
mod dirty;
pub mod docs;
pub mod entity_cards;
pub mod example;
pub mod explorer;
pub mod graph;
pub mod highlight;
pub mod links;
pub mod lint_summary;
pub mod markdown;
pub mod memo;
pub mod operability;
pub mod output;
pub mod ownership;
pub mod pages;
pub mod reference;
pub mod samples;
pub mod schema_tree;
pub mod scorecards;
pub mod search;
pub mod site_path;
pub mod spill;
mod swap;
pub mod theme_guard;

use portolan_check::Checked;
use portolan_core::Diagnostic;
use rayon::prelude::*;

use memo::{Memo, Sink};
pub use memo::{RenderCache, RenderStats};
pub use output::{Output, WriteError, write_atomic};

/// What the build renders with.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Written into generated files (e.g. `catalog.json`'s `generator`).
    pub tool_version: String,
    pub title: String,
    /// URL path prefix the site is served under, with a trailing `/`.
    pub base_url: String,
    pub edit_url: Option<String>,
    pub theme: pages::ThemeOverrides,
    /// Recent git history of the catalog root ("recently changed" on the
    /// home page); `None` when the catalog is not in git.
    pub history: Option<portolan_core::history::History>,
    /// Set for `--audience` builds: commit messages are left out (and
    /// changelogs' authors).
    pub hide_commit_messages: bool,
    /// Each API's changelog, by entity ref ([`changelog::Changelogs`]):
    /// a "Changes" section on its page, a changes page, an Atom feed, and
    /// the date of its latest breaking change in `catalog.json`. `None`
    /// outside git or with `max_commits = 0`.
    pub changelogs: Option<std::sync::Arc<changelog::Changelogs>>,
    /// Facts and scorecard levels for `catalog.json` (portolan-scorecard
    /// computes them; `None` leaves them out).
    pub scorecards: Option<std::sync::Arc<scorecards::SiteScorecards>>,
}

impl BuildOptions {
    pub fn new(tool_version: impl Into<String>) -> Self {
        BuildOptions {
            tool_version: tool_version.into(),
            title: "Developer Portal".into(),
            base_url: "/".into(),
            edit_url: None,
            theme: pages::ThemeOverrides::default(),
            history: None,
            hide_commit_messages: false,
            changelogs: None,
            scorecards: None,
        }
    }
}

/// A template that failed, as a diagnostic pointing into it (an override
/// from the catalog repository, or the embedded theme).
pub fn template_diagnostic(
    error: &minijinja::Error,
    options: &BuildOptions,
    files: &mut portolan_core::files::FileSet,
) -> Diagnostic {
    let name = error.name().unwrap_or("theme");
    let mut d = Diagnostic::new(
        &portolan_core::codes::TEMPLATE_ERROR,
        format!(
            "template `{name}`: {}",
            error.detail().unwrap_or(&error.to_string())
        ),
    );
    if let Some((path, text)) = options.theme.files.get(name) {
        let file = std::sync::Arc::new(portolan_core::files::SourceFile::new(
            path.clone(),
            text.clone(),
        ));
        let span = error
            .line()
            .filter(|l| *l >= 1 && *l <= file.lines.line_count())
            .map(|l| {
                let range = file.lines.line_range(&file.text, l - 1);
                portolan_core::Span::new(range.start, range.end)
            });
        d = match span {
            Some(span) => d.at(path.clone(), span),
            None => d.in_file(path.clone()),
        };
        files.insert(file);
    }
    d.with_help("fix the template in theme_dir, or remove it to use the default theme's")
}

/// What in the theme overrides would stop `build`, as findings at their
/// line, so `check` (a pre-commit hook) reports it too: a script asset
/// overridden (`T002`), a template that does not parse (`T001`), and —
/// when every template parses and one is overridden — what rendering the
/// site shows: a template failing (`T001`) and pages that could run script
/// (`T003`). `checked` and `options` as `build` would render them.
pub fn theme_diagnostics(
    checked: &Checked,
    options: &BuildOptions,
    files: &mut portolan_core::files::FileSet,
) -> Vec<Diagnostic> {
    let theme = &options.theme;
    let mut found: Vec<Diagnostic> = theme_guard::script_overrides(theme)
        .iter()
        .map(|f| f.to_diagnostic(theme, files))
        .collect();
    let mut parsed = true;
    for (name, (_, text)) in &theme.files {
        if !pages::TEMPLATES.iter().any(|(t, _)| t == name) {
            continue;
        }
        let mut env = minijinja::Environment::new();
        if let Err(err) = env.add_template_owned(name.clone(), text.clone()) {
            parsed = false;
            found.push(template_diagnostic(&err, options, files));
        }
    }
    if found.is_empty()
        && parsed
        && theme_guard::overrides_templates(theme)
        && let Err(err) = render_site(checked, options, None)
    {
        found.extend(render_error_diagnostics(&err, options, files));
    }
    found
}

/// A render that failed because of the theme, as findings: a template that
/// failed (`T001`), a script asset overridden (`T002`), pages that could
/// run script (`T003`). Nothing for a failure of the search index or of
/// writing.
pub fn render_error_diagnostics(
    error: &RenderError,
    options: &BuildOptions,
    files: &mut portolan_core::files::FileSet,
) -> Vec<Diagnostic> {
    match error {
        RenderError::Template(err) => vec![template_diagnostic(err, options, files)],
        RenderError::Theme(findings) => findings
            .iter()
            .map(|f| f.to_diagnostic(&options.theme, files))
            .collect(),
        RenderError::Search(_) | RenderError::Write(_) => Vec::new(),
    }
}

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderError {
    /// A template failed (see [`template_diagnostic`]).
    Template(minijinja::Error),
    /// The theme overrides a script, or a page an overridden template made
    /// could run script: nothing may be published (see [`theme_guard`]).
    Theme(Vec<theme_guard::ThemeFinding>),
    /// The search index could not be built.
    Search(portolan_search::Error),
    /// A streaming render could not write its files ([`render_streaming`]).
    Write(WriteError),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Template(err) => write!(f, "template error: {err}"),
            RenderError::Theme(findings) => write!(
                f,
                "the theme overrides would publish script ({} finding{})",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ),
            RenderError::Search(err) => write!(f, "the search index could not be built: {err}"),
            RenderError::Write(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(err: minijinja::Error) -> Self {
        RenderError::Template(err)
    }
}

/// Render everything into memory: the site, `catalog.json` and the search
/// indexes.
pub fn render(checked: &Checked, options: &BuildOptions) -> Result<Output, RenderError> {
    // The data files need nothing from the pages: both are made at once
    // (the search index is built by one writer thread).
    let (site, data) = rayon::join(
        || render_site(checked, options, None),
        || render_data(checked, options),
    );
    let mut output = site?;
    for (path, bytes) in data.map_err(RenderError::Search)? {
        output.insert(path, bytes);
    }
    Ok(output)
}

/// Render the site's pages, assets and API bundles (everything but
/// [`render_data`]). With a `cache` (`serve`), pages whose inputs did not
/// change since the last call are reused rather than rendered again; the
/// output is the same either way.
///
/// Refused ([`RenderError::Theme`]) when the theme overrides one of its
/// scripts, or a page an overridden template made could run script; the
/// cache then keeps the last render's pages (checked when they were made).
pub fn render_site(
    checked: &Checked,
    options: &BuildOptions,
    cache: Option<&mut RenderCache>,
) -> Result<Output, RenderError> {
    render_site_into(checked, options, cache, None)
}

/// Render everything ([`render`]) straight into `spill`'s staging
/// directory, a batch of files at a time, instead of into memory: what a
/// build does. The caller checks [`spill::Spill::broken_links`] and then
/// commits the staging directory.
pub fn render_streaming(
    checked: &Checked,
    options: &BuildOptions,
    spill: &spill::Spill<'_>,
) -> Result<(), RenderError> {
    // The data files are made beside the pages; `catalog.json` (over
    // 200 MB at 100,000 entities) goes to its file as it is serialised.
    let (site, (catalog, search)) = rayon::join(
        || render_site_into(checked, options, None, Some(spill)),
        || {
            rayon::join(
                || {
                    spill.write_streamed("catalog.json", &mut |out| {
                        catalog_json::write_catalog_json(
                            checked,
                            &options.tool_version,
                            options.changelogs.as_deref(),
                            options.scorecards.as_deref(),
                            out,
                        )
                    })
                },
                || render_search(checked, options),
            )
        },
    );
    site?;
    catalog.map_err(RenderError::Write)?;
    let files = search.map_err(RenderError::Search)?;
    spill.write(&files).map_err(RenderError::Write)
}

fn render_site_into(
    checked: &Checked,
    options: &BuildOptions,
    mut cache: Option<&mut RenderCache>,
    spill: Option<&spill::Spill<'_>>,
) -> Result<Output, RenderError> {
    let scripts = theme_guard::script_overrides(&options.theme);
    if !scripts.is_empty() {
        return Err(RenderError::Theme(scripts));
    }
    if let Some(cache) = cache.as_deref_mut() {
        let mut theme: Vec<_> = options.theme.files.iter().collect();
        theme.sort();
        cache.begin(memo::hash_of((
            &options.tool_version,
            &options.title,
            &options.base_url,
            &options.edit_url,
            theme,
        )));
    }
    let mut output = Output::default();
    let memo = Memo::new(cache.as_deref());
    let mut sink = match spill {
        Some(spill) => Sink::spilling(&mut output, spill),
        None => Sink::new(&mut output, cache.is_some()),
    };
    pages::render_pages(
        checked,
        &pages::PageOptions {
            title: &options.title,
            base: &options.base_url,
            tool_version: &options.tool_version,
            edit_url: options.edit_url.as_deref(),
            theme: &options.theme,
            history: options.history.as_ref(),
            hide_commit_messages: options.hide_commit_messages,
            changelogs: options.changelogs.as_deref(),
            scorecards: options.scorecards.as_deref(),
        },
        memo,
        &mut sink,
    )?;
    // Each API's bundled definition as JSON and YAML: those the last render
    // made are kept, the others serialised in parallel (a big spec's YAML
    // takes as long as many pages).
    let mut to_make = Vec::new();
    for (id, definition) in &checked.apis {
        let entity = &checked.catalog.entities[*id];
        if !entity.has_identity() || checked.catalog.index.get(entity.key_ref()) != Some(id) {
            continue;
        }
        if let Some((_, bundled)) = &definition.spec {
            let (json_path, yaml_path) = catalog_json::bundle_paths(checked, *id);
            let key = format!("{json_path}#bundle");
            match memo.derived(&key, definition, &yaml_path) {
                Some(kept) => sink.derived(key, kept, false),
                None => to_make.push((key, definition, bundled, json_path, yaml_path)),
            }
        }
    }
    let made: Vec<_> = to_make
        .into_par_iter()
        .map(|(key, definition, bundled, json_path, yaml_path)| {
            let (json, yaml) =
                rayon::join(|| bundled.to_json_string(), || bundled.to_yaml_string());
            let files = vec![
                (json_path, json.into_bytes()),
                (yaml_path.clone(), yaml.into_bytes()),
            ];
            (key, Memo::made(definition, &yaml_path, files))
        })
        .collect();
    for (key, derived) in made {
        sink.derived(key, derived, true);
    }
    // Pages reused from the last render were checked when they were made
    // (the cache is emptied when the theme or base URL changes).
    let fresh = sink.caching().then(|| sink.rendered().to_vec());
    let unsafe_pages = match sink.spill() {
        Some(spill) => {
            if let Some(err) = sink.failure() {
                return Err(RenderError::Write(err));
            }
            spill.theme_findings(&options.theme)
        }
        None => theme_guard::unsafe_pages(
            sink.output,
            &options.base_url,
            &options.theme,
            fresh.as_deref(),
        ),
    };
    if !unsafe_pages.is_empty() {
        return Err(RenderError::Theme(unsafe_pages));
    }
    sink.finish(cache);
    Ok(output)
}

/// The site's data files: `catalog.json` and the search indexes, as site
/// paths and bytes. Made from the whole catalog, so `serve` makes them
/// after the pages it shows.
pub fn render_data(
    checked: &Checked,
    options: &BuildOptions,
) -> Result<Vec<(String, Vec<u8>)>, portolan_search::Error> {
    // catalog.json and the search indexes are independent: made at once.
    let (catalog, search) = rayon::join(
        || {
            catalog_json::catalog_json_text(
                checked,
                &options.tool_version,
                options.changelogs.as_deref(),
                options.scorecards.as_deref(),
            )
        },
        || render_search(checked, options),
    );
    let mut files = vec![("catalog.json".to_string(), catalog.into_bytes())];
    files.extend(search?);
    Ok(files)
}

/// The search indexes of the site (the tantivy index for `portolan search`
/// and `serve`, and the browser's), as site paths and bytes. Built from
/// this (audience-filtered) catalog, so nothing hidden reaches them.
pub fn render_search(
    checked: &Checked,
    options: &BuildOptions,
) -> Result<Vec<(String, Vec<u8>)>, portolan_search::Error> {
    let documents = portolan_search::documents(
        checked,
        &search::SiteRoutes {
            catalog: &checked.catalog,
            base: &options.base_url,
        },
    );
    // The browser's index (already site-relative paths under `_search/`)
    // and the tantivy index, made at once.
    let (client, index) = rayon::join(
        || portolan_search::client_index_files(&documents),
        || portolan_search::index_files(&documents),
    );
    let mut files: Vec<(String, Vec<u8>)> = client.into_iter().collect();
    for (name, bytes) in index? {
        files.push((format!("{}/{name}", search::INDEX_DIR), bytes));
    }
    Ok(files)
}
