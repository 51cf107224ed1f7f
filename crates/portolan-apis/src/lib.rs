//! portolan-apis: the API-definition stage. Detects OpenAPI 2.0/3.0/3.1 and
//! AsyncAPI 2.x/3.0 documents, loads them with every `$ref`'d file through
//! the catalog's [`portolan_core::source::Source`], resolves and bundles
//! them into one self-contained document, validates structure and
//! semantics, and maps every finding back to file:line:col.

pub mod bundle;
pub mod detect;
pub mod load;
pub mod lookup;
pub mod model;
pub mod refs;
pub mod rules;
pub mod validate;
pub mod yaml_download;

use std::sync::Arc;

use portolan_core::Diagnostic;
use portolan_core::files::SourceFile;
use portolan_core::source::Source;

pub use bundle::Bundled;
pub use detect::SpecFormat;
pub use load::{LoadLimits, RootDocument, SpecSet};

/// A loaded, bundled and checked API definition.
#[derive(Debug)]
pub struct ApiDefinition {
    pub spec: Option<(SpecSet, Bundled)>,
    /// GraphQL or protobuf source, kept for display.
    pub other: Option<(&'static str, Arc<SourceFile>)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read (for code frames).
    pub files: Vec<Arc<SourceFile>>,
    /// The normalised model of `spec`, built on first use and then shared
    /// by everything that reads it (catalog.json, the reference pages,
    /// search); `check` alone never builds it.
    model: std::sync::OnceLock<Option<model::ApiModel>>,
}

impl ApiDefinition {
    /// The normalised model of the bundled definition (`None` when there is
    /// no OpenAPI/AsyncAPI spec).
    pub fn model(&self) -> Option<&model::ApiModel> {
        self.model
            .get_or_init(|| {
                self.spec.as_ref().map(|(set, bundled)| {
                    model::build_model(set.format, &set.version, &bundled.doc)
                })
            })
            .as_ref()
    }
}

/// Load, resolve, bundle and validate one definition.
pub fn check_definition(
    source: &dyn Source,
    root: RootDocument<'_>,
    limits: LoadLimits,
) -> ApiDefinition {
    check_definition_with(source, root, limits, |_, _| Vec::new())
}

/// [`check_definition`], with one more pass over the loaded definition
/// (design lint) run beside the validation: both only read the documents
/// and the bundle, and on a large definition each takes a good share of
/// the time. Its findings follow the validation's.
pub fn check_definition_with(
    source: &dyn Source,
    root: RootDocument<'_>,
    limits: LoadLimits,
    more: impl FnOnce(&SpecSet, &Bundled) -> Vec<Diagnostic> + Send,
) -> ApiDefinition {
    let loaded = load::load(source, root, limits);
    let mut diagnostics = loaded.diagnostics;
    let spec = loaded.spec.map(|set| {
        let bundled = bundle::bundle_within(&set, limits.max_reference_depth);
        let (valid, more) = rayon::join(
            || validate::validate(&set, &bundled),
            || more(&set, &bundled),
        );
        diagnostics.extend(valid);
        diagnostics.extend(more);
        (set, bundled)
    });
    ApiDefinition {
        spec,
        other: loaded.other,
        diagnostics,
        files: loaded.files,
        model: std::sync::OnceLock::new(),
    }
}
