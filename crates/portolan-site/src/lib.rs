//! portolan-site: the output stage. Renders the checked catalog into the
//! portal's files in memory ([`Output`]) — today `catalog.json` and every
//! API's bundled definition (YAML and JSON) — and writes them atomically
//! ([`write_atomic`]). Rendering never touches the disk or the clock, so
//! the same input gives the same bytes.

pub mod catalog_json;
pub mod output;

use portolan_check::Checked;

pub use output::{Output, WriteError, write_atomic};

/// What the build renders with.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Written into generated files (e.g. `catalog.json`'s `generator`).
    pub tool_version: String,
}

/// Render everything into memory.
pub fn render(checked: &Checked, options: &BuildOptions) -> Output {
    let mut output = Output::default();
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
    output
}
