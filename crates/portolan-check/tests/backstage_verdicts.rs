//! Conformance with Backstage's own validators: for every entity document of
//! `shared/corpus/backstage`, portolan reports an error exactly when
//! `@backstage/catalog-model` rejects the document
//! (`BACKSTAGE-VERDICTS.jsonl`, see its `.md`).
//!
//! Deliberate difference: findings about an API entity's *definition*
//! (`A` codes: an inline OpenAPI document that breaks its specification)
//! are not part of the entity's verdict. Backstage's validators never read
//! definitions; portolan checks them as a separate layer (and against the
//! reference OpenAPI/AsyncAPI validators in `portolan-apis`). One corpus
//! descriptor has such an inline definition without `paths`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use portolan_check::{CheckOptions, check};
use portolan_core::Severity;
use portolan_core::config::Config;
use portolan_core::source::DirSource;

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, for a checkout elsewhere, such as a worktree).
fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("PORTOLAN_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the shared corpus is missing at {} and CI=true: it must be present in CI",
        dir.display()
    );
    eprintln!("skipping: the shared corpus is not at {}", dir.display());
    None
}

#[derive(serde::Deserialize)]
struct Verdict {
    file: String,
    doc: usize,
    name: Option<String>,
    valid: bool,
    error: Option<String>,
}

#[test]
fn error_verdicts_agree_with_backstage() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("backstage");
    let verdicts: Vec<Verdict> = std::fs::read_to_string(root.join("BACKSTAGE-VERDICTS.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(verdicts.len() > 200, "expected the full verdict table");

    let source = DirSource::new(&root).unwrap();
    let config = Config::default();
    let mut options = CheckOptions::from_config(&config);
    let files: BTreeSet<String> = verdicts.iter().map(|v| v.file.clone()).collect();
    options.load.named_files = files.iter().cloned().collect();
    let checked = check(&source, &config, &[], &options).unwrap();
    let catalog = &checked.catalog;

    let mut disagreements = Vec::new();
    for verdict in &verdicts {
        let entity = catalog
            .entities
            .iter()
            .find(|e| e.file == verdict.file && e.doc_index == verdict.doc);
        let errors: Vec<String> = match entity {
            Some(entity) => {
                if let Some(name) = &verdict.name {
                    assert_eq!(
                        &entity.name, name,
                        "{}#{}: document numbering differs",
                        verdict.file, verdict.doc
                    );
                }
                let span = entity.node.span;
                checked
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.severity == Severity::Error
                            && !d.code.starts_with('A')
                            && d.file.as_deref() == Some(entity.file.as_str())
                    })
                    .filter(|d| {
                        d.span
                            .is_some_and(|s| s.start >= span.start && s.start <= span.end)
                    })
                    .map(|d| format!("{}: {}", d.code, d.message))
                    .collect()
            }
            // A document that could not be read at all (a YAML error) is
            // an error in that file.
            None => checked
                .diagnostics
                .iter()
                .filter(|d| {
                    d.severity == Severity::Error
                        && !d.code.starts_with('A')
                        && d.file.as_deref() == Some(verdict.file.as_str())
                })
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect(),
        };
        let ours_valid = errors.is_empty();
        if ours_valid != verdict.valid {
            disagreements.push(format!(
                "{}#{} ({}): Backstage says {}{}, portolan says {}",
                verdict.file,
                verdict.doc,
                verdict.name.as_deref().unwrap_or("?"),
                if verdict.valid { "valid" } else { "invalid" },
                verdict
                    .error
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default(),
                if ours_valid {
                    "valid".to_string()
                } else {
                    errors.join("; ")
                }
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Every YAML file under the Backstage corpus, read as a descriptor, loads
/// without a panic and yields a result.
#[test]
fn every_backstage_corpus_file_loads() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("backstage");
    let source = DirSource::new(&root).unwrap();
    let config = Config::default();
    let mut options = CheckOptions::from_config(&config);
    let files: Vec<String> = walk(&root)
        .into_iter()
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
        .collect();
    assert!(files.len() > 100);
    options.load.named_files = files;
    let checked = check(&source, &config, &[], &options).unwrap();
    assert!(checked.catalog.entities.len() > 200);
}

fn walk(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
