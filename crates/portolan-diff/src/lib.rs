//! portolan-diff: the contract-change stage. Two revisions of one API
//! definition, each read through its own [`Source`] (a directory, a git
//! revision, memory), loaded and bundled by `portolan-apis`, are compared
//! from a client's point of view: every difference that matters to a client
//! becomes a [`Change`] with a code from [`portolan_core::codes`] (`C…`), a
//! [`Level`] (breaking, warning, info), a message naming the operation, and
//! its place in both revisions (file:line:col through each side's source
//! map). Refactors that change nothing for a client (`$ref` ↔ inline,
//! renamed path variables, reordered keys, documentation, splitting into
//! files, `allOf` flattening) report nothing.
//!
//! OpenAPI 2.0, 3.0 and 3.1 are compared, and AsyncAPI 2.x and 3.0, each
//! also across its versions (a Swagger 2.0 revision against its 3.0
//! translation).

mod asyncapi;
pub mod catalog;
mod change;
mod cold;
mod date;
mod doc;
mod engine;
pub mod history;
mod json;
mod openapi;
pub mod report;
pub mod rules;
mod schema;
pub mod sharded;

use std::collections::BTreeSet;
use std::sync::Arc;

use portolan_apis::lookup::SpecLookup;
use portolan_apis::{Bundled, LoadLimits, RootDocument, SpecFormat, SpecSet, bundle, load};
use portolan_core::Diagnostic;
use portolan_core::files::SourceFile;
use portolan_core::source::Source;
use portolan_core::yaml_chunks::ChunkCache;

pub use change::{Change, Level, Place};
pub use date::Date;
pub use sharded::{ShardedRevision, UnitCache};

/// How to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Limits for loading each revision (file size, `$ref` chains); the
    /// same as `check`'s, from `[limits]` in portolan.toml.
    pub limits: LoadLimits,
    /// Today's date, against which `x-sunset` dates are compared (the
    /// caller reads the clock, so a comparison is reproducible). Without
    /// one, a sunset date counts as not yet reached: removing such an
    /// operation is reported as breaking.
    pub today: Option<Date>,
    /// Compare everything, even the parts written the same in both
    /// revisions that lead to no difference (see `cold.rs`): the result is
    /// the same, only slower. For tests that check that promise.
    #[doc(hidden)]
    pub exhaustive: bool,
}

/// One revision of an API definition, loaded and bundled. Load it once and
/// compare it with both its neighbours when walking a history.
#[derive(Debug)]
pub struct Revision {
    /// The definition and its bundle; `None` when it could not be read as
    /// OpenAPI or AsyncAPI (`diagnostics` say why).
    pub spec: Option<(SpecSet, Bundled)>,
    /// What loading found wrong (unreadable files, broken `$ref`s). The
    /// comparison goes ahead on what could be read.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read, for code frames.
    pub files: Vec<Arc<SourceFile>>,
}

impl Revision {
    /// Load `root` and every file its `$ref`s reach from `source`, and
    /// bundle them. Not validated: `check` does that; a comparison needs
    /// only the document.
    pub fn load(source: &dyn Source, root: RootDocument<'_>, limits: LoadLimits) -> Revision {
        Revision::load_with_chunks(source, root, limits, None)
    }

    /// [`Revision::load`], parsing YAML through `chunks`, which neighbouring
    /// revisions share (see [`portolan_core::yaml_chunks`]).
    pub fn load_with_chunks(
        source: &dyn Source,
        root: RootDocument<'_>,
        limits: LoadLimits,
        chunks: Option<&ChunkCache>,
    ) -> Revision {
        let loaded = load::load_with_chunks(source, root, limits, chunks);
        let spec = loaded.spec.map(|set| {
            let bundled = bundle::bundle_within(&set, limits.max_reference_depth);
            (set, bundled)
        });
        Revision {
            spec,
            diagnostics: loaded.diagnostics,
            files: loaded.files,
        }
    }

    pub fn format(&self) -> Option<SpecFormat> {
        self.spec.as_ref().map(|(set, _)| set.format)
    }

    /// This revision's files under other names (`origin/main:` + path), to
    /// register in the renderers' file set beside the head's, matching the
    /// names given to [`Change::to_diagnostic`].
    pub fn files_named(&self, name: &dyn Fn(&str) -> String) -> Vec<Arc<SourceFile>> {
        self.files
            .iter()
            .map(|f| Arc::new(SourceFile::new(name(&f.path), f.text.clone())))
            .collect()
    }
}

/// Why two revisions were not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCompared {
    /// The base could not be read as an API definition (see its
    /// diagnostics).
    BaseUnreadable,
    HeadUnreadable,
    /// One revision is OpenAPI and the other AsyncAPI.
    DifferentKinds,
}

/// The outcome of a comparison.
#[derive(Debug, Default)]
pub struct DiffReport {
    /// Sorted: head file, head position, code, message.
    pub changes: Vec<Change>,
    pub not_compared: Option<NotCompared>,
}

impl DiffReport {
    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(Change::is_breaking)
    }

    /// The changes as diagnostics (see [`Change::to_diagnostic`]).
    pub fn diagnostics(&self, base_file: &dyn Fn(&str) -> String) -> Vec<Diagnostic> {
        self.changes
            .iter()
            .map(|c| c.to_diagnostic(base_file))
            .collect()
    }
}

/// Load both revisions and compare them.
pub fn diff_sources(
    base: (&dyn Source, RootDocument<'_>),
    head: (&dyn Source, RootDocument<'_>),
    options: &DiffOptions,
) -> (Revision, Revision, DiffReport) {
    let base = Revision::load(base.0, base.1, options.limits);
    let head = Revision::load(head.0, head.1, options.limits);
    let report = diff(&base, &head, options);
    (base, head, report)
}

/// Compare two loaded revisions of one API definition.
pub fn diff(base: &Revision, head: &Revision, options: &DiffOptions) -> DiffReport {
    let Some((base_set, base_bundle)) = &base.spec else {
        return not_compared(NotCompared::BaseUnreadable);
    };
    let Some((head_set, head_bundle)) = &head.spec else {
        return not_compared(NotCompared::HeadUnreadable);
    };
    if base_set.format.is_openapi() != head_set.format.is_openapi() {
        return not_compared(NotCompared::DifferentKinds);
    }
    let (base_view, head_view) = (
        doc::DocView::full(&base_bundle.doc),
        doc::DocView::full(&head_bundle.doc),
    );
    let (base_lookup, head_lookup) = (SpecLookup::new(base_set), SpecLookup::new(head_set));
    let changes = walk(
        (base_view, base_set.format),
        (head_view, head_set.format),
        options,
        &|pointer| base_bundle.locate_in(&base_lookup, pointer),
        &|pointer| head_bundle.locate_in(&head_lookup, pointer),
    );
    DiffReport {
        changes,
        not_compared: None,
    }
}

/// Compare two revisions held in units ([`ShardedRevision`]): the same
/// report as [`diff`] gives for the same two files.
pub fn diff_sharded(
    base: &ShardedRevision,
    head: &ShardedRevision,
    options: &DiffOptions,
) -> DiffReport {
    let changes = walk(
        (base.view(), base.format),
        (head.view(), head.format),
        options,
        &|pointer| (base.file.path.clone(), base.locate(pointer)),
        &|pointer| (head.file.path.clone(), head.locate(pointer)),
    );
    DiffReport {
        changes,
        not_compared: None,
    }
}

type Locate<'l> = dyn Fn(&str) -> (String, portolan_core::Span) + 'l;

/// The comparison proper, over two documents of one family.
fn walk(
    (base_view, base_format): (doc::DocView<'_>, SpecFormat),
    (head_view, head_format): (doc::DocView<'_>, SpecFormat),
    options: &DiffOptions,
    base_locate: &Locate<'_>,
    head_locate: &Locate<'_>,
) -> Vec<Change> {
    let max_hops = options.limits.max_reference_depth;
    let cold = if options.exhaustive {
        None
    } else {
        cold::Cold::new(base_format, base_view, head_view)
    };
    let mut engine = engine::Engine::new(base_view, head_view, max_hops);
    engine.cold = cold.as_ref();
    let base_doc = openapi::Doc {
        json: base_view,
        format: base_format,
        max_hops,
    };
    let head_doc = openapi::Doc {
        json: head_view,
        format: head_format,
        max_hops,
    };
    if base_format.is_openapi() {
        openapi::Walk {
            engine: &mut engine,
            base: base_doc,
            head: head_doc,
            today: options.today,
        }
        .run();
    } else {
        asyncapi::AsyncWalk {
            engine: &mut engine,
            base: base_doc,
            head: head_doc,
        }
        .run();
    }
    finish(&engine, base_locate, head_locate)
}

fn not_compared(reason: NotCompared) -> DiffReport {
    DiffReport {
        changes: Vec::new(),
        not_compared: Some(reason),
    }
}

/// Locate, attribute to operations, fingerprint and sort the changes found.
fn finish(engine: &engine::Engine, base: &Locate<'_>, head: &Locate<'_>) -> Vec<Change> {
    let place = |locate: &Locate<'_>, pointer: &str| {
        let (file, span) = locate(pointer);
        Place {
            pointer: pointer.to_string(),
            file,
            span,
        }
    };
    let of_pairs = engine.operations_of_pairs();
    let mut changes: Vec<Change> = engine
        .raws
        .iter()
        .zip(of_pairs)
        .map(|(raw, (mut operations, more))| {
            if let Some(operation) = raw.operation {
                operations.insert(operation);
            }
            let labels: BTreeSet<&str> = operations
                .iter()
                .map(|&i| engine.operations[i].as_str())
                .collect();
            let mut message = raw.message.clone();
            let others = labels.len().saturating_sub(1);
            match (&raw.context, others) {
                (Some(context), _) if more => message.push_str(&format!(
                    " ({context}; and at least {others} other operations)"
                )),
                (Some(context), 0) => message.push_str(&format!(" ({context})")),
                (Some(context), 1) => {
                    message.push_str(&format!(" ({context}; and 1 other operation)"))
                }
                (Some(context), n) => {
                    message.push_str(&format!(" ({context}; and {n} other operations)"))
                }
                (None, _) => {}
            }
            let fingerprint = change::fingerprint(&[
                raw.code.code,
                &change::stable_pointer(&raw.base),
                &change::stable_pointer(&raw.head),
            ]);
            Change {
                code: raw.code,
                level: Level::from_severity(raw.code.severity),
                message,
                operations: labels.into_iter().map(str::to_string).collect(),
                base: place(base, &raw.base),
                head: place(head, &raw.head),
                fingerprint,
            }
        })
        .collect();
    changes.sort_by(|a, b| {
        (&a.head.file, a.head.span.start, a.code.code, &a.message).cmp(&(
            &b.head.file,
            b.head.span.start,
            b.code.code,
            &b.message,
        ))
    });
    changes.dedup_by(|a, b| {
        a.code == b.code && a.message == b.message && a.head == b.head && a.base == b.base
    });
    changes
}
