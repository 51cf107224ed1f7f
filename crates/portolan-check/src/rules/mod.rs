//! Built-in rules beyond the schemas. Each module holds one family; codes
//! and explanations live in `portolan_core::codes`.

pub mod format;
pub mod references;
