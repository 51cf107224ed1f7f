//! portolan-core: the first stage of the pipeline and what every other stage
//! shares — file access ([`source::Source`]: directory, git revision, memory),
//! spans and line:col, the spanned YAML tree, `portolan.toml`, and the one
//! [`diagnostic::Diagnostic`] model with its code registry and renderers.

pub mod codes;
pub mod config;
pub mod deps;
pub mod diagnostic;
pub mod files;
pub mod history;
pub mod json;
mod json_escapes;
pub mod parse;
pub mod paths;
pub mod printable;
pub mod reclaim;
pub mod render;
pub mod schema_error;
pub mod source;
pub mod span;
pub mod yaml;
pub mod yaml_chunks;

pub use diagnostic::{Diagnostic, Severity};
pub use span::Span;
