//! Revisions held in shared units (`ShardedRevision`, what the changelog
//! walks) read exactly as loading and bundling the file does: every unit's
//! JSON, the rest of the document, the places of nodes; and two of them
//! compare exactly as the two files do with `diff`. Over the corpus's
//! one-file OpenAPI definitions, and generated definitions edited at random.

use std::path::{Path, PathBuf};

use portolan_apis::RootDocument;
use portolan_core::source::MemorySource;
use portolan_core::yaml::YamlLimits;
use portolan_core::yaml_chunks::ChunkCache;
use portolan_diff::{
    Change, Date, DiffOptions, Revision, ShardedRevision, UnitCache, diff, diff_sharded,
};
use serde_json::{Value as Json, json};

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

fn full(path: &str, text: &str) -> Revision {
    let source = MemorySource::new().with_file(path, text.to_string());
    Revision::load(&source, RootDocument::File(path), Default::default())
}

fn caches() -> (ChunkCache, UnitCache) {
    (
        ChunkCache::new(YamlLimits::default(), 256 << 20),
        UnitCache::new(),
    )
}

/// Every unit, the document's other members and the places of the units
/// and of some nodes in them, against the bundle of the same text.
fn assert_reads_as_bundled(name: &str, sharded: &ShardedRevision, revision: &Revision) {
    let (set, bundled) = revision.spec.as_ref().expect("the full load reads it");
    let doc = &bundled.doc;
    for pointer in sharded.unit_pointers() {
        assert_eq!(
            sharded.pointer(&pointer),
            doc.pointer(&pointer),
            "{name}: unit {pointer}"
        );
        for deeper in [
            "",
            "/get",
            "/post/requestBody",
            "/properties",
            "/type",
            "/0",
        ] {
            let at = format!("{pointer}{deeper}");
            assert_eq!(
                sharded.locate(&at),
                bundled.locate(set, &at).1,
                "{name}: place of {at}"
            );
        }
    }
    for (key, value) in doc.as_object().unwrap() {
        if key == "components" {
            for (section, value) in value.as_object().unwrap() {
                let at = format!(
                    "/components/{}",
                    section.replace('~', "~0").replace('/', "~1")
                );
                if sharded
                    .unit_pointers()
                    .iter()
                    .any(|p| p.starts_with(&format!("{at}/")))
                {
                    continue;
                }
                assert_eq!(sharded.pointer(&at), Some(value), "{name}: {at}");
            }
        } else if !sharded
            .unit_pointers()
            .iter()
            .any(|p| p.starts_with(&format!("/{key}/")))
            && key != "paths"
        {
            assert_eq!(
                sharded.pointer(&format!("/{key}")),
                Some(value),
                "{name}: /{key}"
            );
        }
    }
    assert_eq!(
        sharded.to_node(),
        set.files[&set.root_file].root,
        "{name}: tree"
    );
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_definitions_read_in_units_as_bundled() {
    let Some(corpus) = corpus() else { return };
    let mut files = Vec::new();
    yaml_files(&corpus.join("openapi"), &mut files);
    files.sort();
    let (chunks, units) = caches();
    let mut read = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let name = file.display().to_string();
        let Some(sharded) = ShardedRevision::load("api.yaml", &text, &chunks, &units) else {
            continue;
        };
        let revision = full("api.yaml", &text);
        if revision.spec.is_none() {
            continue;
        }
        assert_reads_as_bundled(&name, &sharded, &revision);
        read += 1;
    }
    assert!(read >= 10, "only {read} corpus definitions read in units");
}

fn report(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {} | {:?} | base {} {} {:?} | head {} {} {:?} | {}",
                c.code.code,
                c.level,
                c.message,
                c.operations,
                c.base.file,
                c.base.pointer,
                c.base.span,
                c.head.file,
                c.head.pointer,
                c.head.span,
                c.fingerprint
            )
        })
        .collect()
}

fn options() -> DiffOptions {
    DiffOptions {
        today: Date::parse("2026-12-02"),
        ..DiffOptions::default()
    }
}

#[test]
fn stripe_edited_compares_in_units_as_whole() {
    let Some(corpus) = corpus() else { return };
    let path = "openapi/spec3.yaml";
    let text = std::fs::read_to_string(corpus.join("openapi/stripe").join(path)).unwrap();
    // A property made optional deep in a schema most operations reach, an
    // enum value removed from a request, a path removed.
    let required = "      required:\n        - created\n        - id\n        - livemode\n        - object\n      title: Customer\n";
    assert_eq!(text.matches(required).count(), 1, "the corpus file changed");
    let mut edited = text.replace(required, &required.replace("        - livemode\n", ""));
    let removed_path = "  /v1/account_links:\n";
    assert!(edited.contains(removed_path));
    edited = edited.replacen(removed_path, "  /v1/account_links_renamed:\n", 1);
    let (chunks, units) = caches();
    let base = ShardedRevision::load(path, &text, &chunks, &units).expect("Stripe reads in units");
    let head = ShardedRevision::load(path, &edited, &chunks, &units).expect("edited too");
    let (full_base, full_head) = (full(path, &text), full(path, &edited));
    let sharded = report(&diff_sharded(&base, &head, &options()).changes);
    let whole = report(&diff(&full_base, &full_head, &options()).changes);
    assert!(sharded.len() >= 3, "{sharded:#?}");
    assert_eq!(sharded, whole);
    assert!(diff_sharded(&base, &base, &options()).changes.is_empty());
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn generate(rng: &mut Rng, schemas: usize, paths: usize) -> Json {
    let name = |i: usize| format!("thing{i}");
    let mut defs = serde_json::Map::new();
    for i in 0..schemas {
        let a = name(rng.below(schemas));
        let b = name(rng.below(schemas));
        defs.insert(
            name(i),
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "maxLength": 50},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "a": {"$ref": format!("#/components/schemas/{a}")},
                "b": {"type": "array", "items": {"$ref": format!("#/components/schemas/{b}")}}
            }}),
        );
    }
    defs.insert(
        "error".into(),
        json!({"type": "object", "properties": {"thing": {"$ref": "#/components/schemas/thing0"}}}),
    );
    let mut items = serde_json::Map::new();
    for i in 0..paths {
        let t = name(rng.below(schemas));
        items.insert(
            format!("/v1/things{i}/{{id}}"),
            json!({
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/id"}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{t}")}}}},
                        "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}
                    }
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                    "responses": {"201": {"description": "made"}}
                }
            }),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "generated", "version": "1"},
        "paths": items,
        "components": {
            "schemas": defs,
            "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
        }
    })
}

#[test]
fn generated_revisions_compare_in_units_as_whole() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let (chunks, units) = caches();
    let path = "api.yaml";
    let mut agreed = 0;
    for _ in 0..6 {
        let original = generate(&mut rng, 30, 20);
        let base_text = portolan_apis::yaml_download::to_yaml_string(&original);
        let base = ShardedRevision::load(path, &base_text, &chunks, &units)
            .expect("generated YAML reads in units");
        let full_base = full(path, &base_text);
        assert_reads_as_bundled("generated", &base, &full_base);
        for _ in 0..5 {
            let mut edited = original.clone();
            let s = &mut edited["components"]["schemas"][format!("thing{}", rng.below(30))];
            match rng.below(4) {
                0 => s["properties"]["id"]["type"] = json!("integer"),
                1 => s["required"] = json!(["id", "kind"]),
                2 => {
                    s["properties"].as_object_mut().unwrap().remove("kind");
                }
                _ => s["properties"]["kind"]["enum"] = json!(["a"]),
            }
            if rng.below(2) == 0 {
                let p = format!("/v1/things{}/{{id}}", rng.below(20));
                edited["paths"].as_object_mut().unwrap().remove(&p);
            }
            let head_text = portolan_apis::yaml_download::to_yaml_string(&edited);
            let head = ShardedRevision::load(path, &head_text, &chunks, &units).unwrap();
            let full_head = full(path, &head_text);
            let sharded = report(&diff_sharded(&base, &head, &options()).changes);
            let whole = report(&diff(&full_base, &full_head, &options()).changes);
            assert_eq!(sharded, whole);
            agreed += usize::from(!whole.is_empty());
        }
        units.next_generation();
    }
    assert!(agreed > 15, "{agreed} comparisons with changes");
}
