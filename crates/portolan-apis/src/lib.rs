//! portolan-apis: the API-definition stage. Detects OpenAPI 2.0/3.0/3.1 and
//! AsyncAPI 2.x/3.0 documents, loads them with every `$ref`'d file through
//! the catalog's [`portolan_core::source::Source`], resolves and bundles
//! them into one self-contained document, validates structure and
//! semantics, and maps every finding back to file:line:col.

pub mod detect;
pub mod rules;
