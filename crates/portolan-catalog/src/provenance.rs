//! Where an entity of a mounted repository (`[[sources]]`) came from, as
//! Backstage records it for URL locations: the annotations
//! `backstage.io/managed-by-location`, `managed-by-origin-location`,
//! `view-url`, `edit-url` and `source-location`, each added unless the
//! descriptor sets it. The portal's "View source" and "Edit" links read
//! them.

use std::collections::HashMap;
use std::sync::Arc;

use portolan_core::paths::{parent_dir, split_mount};
use portolan_core::source::{MountInfo, Source, WebPage};
use portolan_core::yaml::{Entry, Node, Value};

use crate::entity::Entity;

pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";
pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";
pub const VIEW_URL: &str = "backstage.io/view-url";
pub const EDIT_URL: &str = "backstage.io/edit-url";
pub const SOURCE_LOCATION: &str = "backstage.io/source-location";

/// Add the provenance annotations to every entity read from a mounted
/// repository; `origins` maps a file read through Locations to the file
/// its chain of Locations started from.
pub fn annotate(source: &dyn Source, entities: &mut [Entity], origins: &HashMap<String, String>) {
    let mounts: HashMap<String, MountInfo> = source
        .mounts()
        .into_iter()
        .map(|m| (m.name.clone(), m))
        .collect();
    for entity in entities.iter_mut() {
        let Some(annotations) = annotations_for(&mounts, &entity.file, origins) else {
            continue;
        };
        let node = Arc::make_mut(&mut entity.make_mut().node);
        add_annotations(node, annotations);
    }
}

/// A catalog file's location as Backstage writes one: `url:` and the web
/// page of a mounted repository's file, `file:` and the catalog path of a
/// root file.
fn location_of(mounts: &HashMap<String, MountInfo>, file: &str) -> String {
    match split_mount(file) {
        (Some(prefix), inner) => match mounts.get(&prefix[..prefix.len() - 1]) {
            Some(mount) => match mount.web_url(WebPage::Blob, inner) {
                Some(url) => format!("url:{url}"),
                None => format!("file:{file}"),
            },
            None => format!("file:{file}"),
        },
        (None, _) => format!("file:{file}"),
    }
}

fn annotations_for(
    mounts: &HashMap<String, MountInfo>,
    file: &str,
    origins: &HashMap<String, String>,
) -> Option<Vec<(&'static str, String)>> {
    let (Some(prefix), inner) = split_mount(file) else {
        return None;
    };
    let mount = mounts.get(&prefix[..prefix.len() - 1])?;
    let origin = origins.get(file).map(String::as_str).unwrap_or(file);
    let mut out = vec![
        (MANAGED_BY_LOCATION, location_of(mounts, file)),
        (MANAGED_BY_ORIGIN_LOCATION, location_of(mounts, origin)),
    ];
    if let Some(view) = mount.web_url(WebPage::Blob, inner) {
        out.push((VIEW_URL, view));
    }
    if let Some(edit) = mount.web_url(WebPage::Edit, inner) {
        out.push((EDIT_URL, edit));
    }
    let dir = parent_dir(inner);
    let tree = match mount.web_url(WebPage::Tree, dir) {
        Some(url) if url.ends_with('/') => url,
        Some(url) => format!("{url}/"),
        None => format!("https://{}/{}/{}/", mount.host, mount.owner, mount.repo),
    };
    out.push((SOURCE_LOCATION, format!("url:{tree}")));
    Some(out)
}

/// Add `annotations` under `metadata.annotations`, keeping any the
/// descriptor sets; new nodes carry the span of `metadata`, where a
/// diagnostic about them is best shown.
fn add_annotations(root: &mut Node, annotations: Vec<(&'static str, String)>) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let metadata = match entries.iter().position(|e| e.key == "metadata") {
        Some(index) => &mut entries[index].value,
        None => return,
    };
    let span = metadata.span;
    let Value::Map(metadata_entries) = &mut metadata.value else {
        return;
    };
    let index = match metadata_entries.iter().position(|e| e.key == "annotations") {
        Some(index) => index,
        None => {
            metadata_entries.push(Entry {
                key: "annotations".into(),
                key_span: span,
                value: Node::new(Value::Map(Vec::new()), span),
            });
            metadata_entries.len() - 1
        }
    };
    let Value::Map(existing) = &mut metadata_entries[index].value.value else {
        return;
    };
    for (key, value) in annotations {
        if existing.iter().any(|e| e.key == key) {
            continue;
        }
        existing.push(Entry {
            key: key.into(),
            key_span: span,
            value: Node::new(Value::String(value), span),
        });
    }
}
