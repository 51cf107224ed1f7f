//! portolan-catalog: the second stage of the pipeline. Finds descriptor
//! files, parses them into [`Entity`]s with source positions, resolves
//! `$text`/`$json`/`$yaml` substitutions and Location targets, and links the
//! result into a [`Catalog`]: entities by identity, references resolved,
//! relations in pairs.

pub mod catalog;
pub mod entity;
pub mod entity_ref;
pub mod fetch;
pub mod load;
pub mod provenance;
pub mod relations;
pub mod remote;
pub mod sources;

pub use catalog::{Catalog, EntityId, Reference, Relation};
pub use entity::{Entity, Kind};
pub use entity_ref::{EntityKey, EntityRef};
pub use load::{LoadCache, LoadOptions, load, load_cached};
pub use sources::{SourceOptions, SourceSet};
