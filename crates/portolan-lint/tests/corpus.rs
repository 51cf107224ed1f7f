//! The design lint over every API definition of the shared corpus (every
//! YAML/JSON file under its `openapi/` and `asyncapi/` that loads as one),
//! every rule on: no panic, the same
//! findings twice in a row, every finding placed in a file of the
//! definition. Prints the counts by code (`--nocapture`). Skipped when the
//! corpus is absent (not in CI).

use std::collections::BTreeMap;
use std::path::PathBuf;

use portolan_apis::{LoadLimits, RootDocument, check_definition};
use portolan_core::source::DirSource;
use portolan_lint::{Settings, lint};

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

#[test]
fn every_corpus_spec_lints_without_a_panic() {
    let Some(corpus) = corpus() else { return };
    let source = DirSource::new(&corpus).unwrap();
    let settings = Settings::all();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut linted = 0;
    let mut files = Vec::new();
    let mut stack = vec![corpus.join("openapi"), corpus.join("asyncapi")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                let rel = path.strip_prefix(&corpus).unwrap();
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    for file in &files {
        let file = file.as_str();
        let definition = check_definition(&source, RootDocument::File(file), LoadLimits::default());
        let Some((set, bundled)) = &definition.spec else {
            continue;
        };
        let findings = lint(set, bundled, &settings);
        assert_eq!(
            findings,
            lint(set, bundled, &settings),
            "{file}: not deterministic"
        );
        for d in &findings {
            let at = d.file.as_deref().unwrap_or("");
            assert!(
                set.files.contains_key(at),
                "{file}: finding in {at}, not a file of the definition: {d:?}"
            );
            assert!(d.span.is_some(), "{file}: {d:?}");
            *by_code.entry(d.code.clone()).or_default() += 1;
        }
        linted += 1;
    }
    eprintln!("linted {linted} definitions; findings by code: {by_code:?}");
    assert!(linted > 0);
}
