//! portolan-fuzz: fuzz entry points over the parts of portolan that read
//! untrusted text (issue 16). Not a pipeline stage: each function takes
//! arbitrary bytes, runs them through the real code of one stage and
//! asserts what must hold for every input — no panic, and the cheap
//! properties of that code (spans inside the text, confined paths that
//! stay confined, sanitised HTML without script).
//!
//! `fuzz/` at the repository root drives these functions with cargo-fuzz
//! (nightly); this crate's tests replay the saved corpus and every
//! regression input through the same functions on stable, so
//! `cargo test --workspace` keeps them fixed. See `docs/fuzzing.md`.

mod entity_ref;
mod invariants;
mod json_load;
mod markdown;
mod path_confine;
mod ref_bundle;
mod yaml_chunks;
mod yaml_spans;

pub use entity_ref::entity_ref;
pub use json_load::json_load;
pub use markdown::markdown;
pub use path_confine::path_confine;
pub use ref_bundle::ref_bundle;
pub use yaml_chunks::yaml_chunks;
pub use yaml_spans::yaml_spans;

/// A fuzz target: its name (the directory under `fuzz/corpus/` and
/// `fuzz/regressions/`) and its entry point.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, fastest first (the order `scripts/fuzz.sh` runs them in).
pub const TARGETS: &[Target] = &[
    Target {
        name: "entity_ref",
        run: entity_ref,
    },
    Target {
        name: "path_confine",
        run: path_confine,
    },
    Target {
        name: "yaml_spans",
        run: yaml_spans,
    },
    Target {
        name: "yaml_chunks",
        run: yaml_chunks,
    },
    Target {
        name: "json_load",
        run: json_load,
    },
    Target {
        name: "markdown",
        run: markdown,
    },
    Target {
        name: "ref_bundle",
        run: ref_bundle,
    },
];
