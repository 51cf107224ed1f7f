//! portolan-site: the output stage. Renders the checked catalog into the
//! portal's files in memory ([`Output`]) — HTML pages from the embedded
//! theme, `catalog.json`, every API's bundled definition (YAML and JSON) —
//! and writes them atomically ([`write_atomic`]). Rendering never touches the disk or the clock, so
//! the same input gives the same bytes.

pub mod catalog_json;
pub mod links;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod reference;

use portolan_check::Checked;

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
}

impl BuildOptions {
    pub fn new(tool_version: impl Into<String>) -> Self {
        BuildOptions {
            tool_version: tool_version.into(),
            title: "Developer Portal".into(),
            base_url: "/".into(),
            edit_url: None,
        }
    }
}

/// Render everything into memory.
pub fn render(checked: &Checked, options: &BuildOptions) -> Result<Output, minijinja::Error> {
    let mut output = Output::default();
    pages::render_pages(
        checked,
        &pages::PageOptions {
            title: &options.title,
            base: &options.base_url,
            tool_version: &options.tool_version,
            edit_url: options.edit_url.as_deref(),
        },
        &mut output,
    )?;
    let mut catalog =
        serde_json::to_string_pretty(&catalog_json::catalog_json(checked, &options.tool_version))
            .unwrap_or_default();
    catalog.push('\n');
    output.insert("catalog.json", catalog);
    for (id, definition) in &checked.apis {
        let entity = &checked.catalog.entities[*id];
        if !entity.has_identity() || checked.catalog.index.get(&entity.key()) != Some(id) {
            continue;
        }
        if let Some((_, bundled)) = &definition.spec {
            let (json_path, yaml_path) = catalog_json::bundle_paths(checked, *id);
            output.insert(json_path, bundled.to_json_string());
            output.insert(yaml_path, bundled.to_yaml_string());
        }
    }
    Ok(output)
}
