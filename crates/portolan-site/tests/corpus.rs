//! Every API definition in the shared corpus (`../shared/corpus`, read in
//! place) renders into the portal without a panic, every internal link of
//! the result lands, and each spec that bundles gets its reference pages.
//!
//! The catalog is one generated descriptor, held in memory, with an API
//! entity per spec file; the spec files are read from the corpus directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use portolan_check::{CheckOptions, check};
use portolan_core::config::Config;
use portolan_core::source::{DirSource, ReadError, Source, SourceError};
use portolan_site::{BuildOptions, render};

/// The shared corpus, beside the repository (or where `PORTOLAN_CORPUS`
/// says, as the other corpus tests read it).
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

/// The corpus directory plus one descriptor that exists only in memory.
struct Overlay {
    dir: DirSource,
    descriptor_path: &'static str,
    descriptor: String,
}

impl Source for Overlay {
    fn describe(&self) -> String {
        format!("{} + generated descriptor", self.dir.describe())
    }

    fn files(&self) -> Result<Vec<String>, SourceError> {
        let mut files = self.dir.files()?;
        files.push(self.descriptor_path.to_string());
        files.sort();
        Ok(files)
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        if path == self.descriptor_path {
            return Ok(self.descriptor.clone().into_bytes());
        }
        self.dir.read(path, limit)
    }
}

/// `openapi`, `asyncapi` or `None`, from a file's top-level keys (JSON
/// parsed; YAML by keys at the start of a line).
fn spec_type(path: &Path) -> Option<&'static str> {
    let text = std::fs::read_to_string(path).ok()?;
    let has_key = |key: &str| {
        if text.trim_start().starts_with('{') {
            serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .is_some_and(|v| v.get(key).is_some())
        } else {
            text.lines()
                .any(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("\"{key}\":")))
        }
    };
    if has_key("openapi") || has_key("swagger") {
        Some("openapi")
    } else if has_key("asyncapi") {
        Some("asyncapi")
    } else {
        None
    }
}

/// Every spec file under `openapi/` and `asyncapi/`, plus every file of
/// `SPEC-VERDICTS.jsonl` (some start with comments or odd indentation).
fn spec_files(corpus: &Path) -> Vec<(String, &'static str)> {
    let mut found = std::collections::BTreeMap::new();
    let mut stack = vec![corpus.join("openapi"), corpus.join("asyncapi")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "yaml" | "yml" | "json") {
                continue;
            }
            if let Some(kind) = spec_type(&path) {
                let rel = path.strip_prefix(corpus).unwrap();
                found.insert(rel.to_string_lossy().replace('\\', "/"), kind);
            }
        }
    }
    for line in std::fs::read_to_string(corpus.join("SPEC-VERDICTS.jsonl"))
        .unwrap()
        .lines()
    {
        let verdict: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = verdict["file"].as_str().unwrap().to_string();
        let kind = if verdict["kind"] == "asyncapi" {
            "asyncapi"
        } else {
            "openapi"
        };
        found.entry(file).or_insert(kind);
    }
    found.into_iter().collect()
}

#[test]
fn every_corpus_spec_renders_with_working_links() {
    let Some(corpus) = corpus() else { return };
    let specs = spec_files(&corpus);
    assert!(specs.len() > 60, "found only {} specs", specs.len());
    let mut descriptor = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\nspec:\n  type: team\n  children: []\n",
    );
    for (i, (path, kind)) in specs.iter().enumerate() {
        descriptor.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: spec-{i}\n  title: \"{path}\"\nspec:\n  type: {kind}\n  lifecycle: production\n  owner: platform\n  definition:\n    $text: ./{path}\n"
        ));
    }
    let source = Overlay {
        dir: DirSource::new(&corpus).unwrap(),
        descriptor_path: "portolan-corpus-catalog.yaml",
        descriptor,
    };
    let mut config = Config::default();
    config.discovery.include = vec!["portolan-corpus-catalog.yaml".into()];
    let checked = check(&source, &config, &[], &CheckOptions::from_config(&config)).unwrap();
    assert_eq!(checked.catalog.entities.len(), specs.len() + 1);

    let started = std::time::Instant::now();
    let output = render(&checked, &BuildOptions::new("test")).unwrap();
    eprintln!(
        "rendered {} specs into {} files, {} bytes, in {:?}",
        specs.len(),
        output.files.len(),
        output.total_bytes(),
        started.elapsed()
    );

    // Every spec that bundled has an API reference overview; count them so
    // a renderer that silently drops specs fails here.
    let bundled: BTreeSet<String> = checked
        .apis
        .iter()
        .filter(|(_, d)| d.spec.is_some())
        .map(|(id, _)| checked.catalog.entities[*id].name.clone())
        .collect();
    assert!(bundled.len() > 50, "only {} specs bundled", bundled.len());
    for name in &bundled {
        let page = format!("catalog/api/default/{name}/index.html");
        let html = output
            .files
            .get(&page)
            .unwrap_or_else(|| panic!("{page} is missing"));
        assert!(!html.is_empty(), "{page} is empty");
    }

    let broken = portolan_site::links::broken_links(&output, "/");
    assert!(
        broken.is_empty(),
        "{} broken links, first: {:?}",
        broken.len(),
        &broken[..broken.len().min(20)]
    );

    let largest = output
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .max_by_key(|(_, b)| b.len())
        .unwrap();
    eprintln!("largest page: {} ({} bytes)", largest.0, largest.1.len());
    assert!(
        largest.1.len() < 1_500_000,
        "{} is {} bytes: large APIs must be split into pages",
        largest.0,
        largest.1.len()
    );
}
