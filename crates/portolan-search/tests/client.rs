//! The client-side index of `examples/acme`: its bytes are reproducible and
//! small, and the browser's ranking code (`themes/default/assets/search.js`,
//! run under Node by `tests/search/relevance.mjs`) finds what the relevance
//! table of `tests/relevance.rs` expects and ranks like the tantivy index.
//!
//! The Node part needs `node` on the PATH; without it the test prints why
//! and passes, except under `CI=true`, where it fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use portolan_search::client::CLIENT_DIR;
use portolan_search::query::parse_query;
use portolan_search::tokenizer::tokens;
use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn acme_files() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| portolan_search::client_index_files(&common::acme_index().docs))
}

fn write_files(files: &BTreeMap<String, Vec<u8>>, dir: &Path) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// `node` with `args` from the repository root, or `None` (with the reason
/// printed) when there is no node and this is not CI.
fn node(args: &[&str]) -> Option<std::process::Output> {
    match Command::new("node")
        .args(args)
        .current_dir(repo_root())
        .output()
    {
        Ok(output) => Some(output),
        Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping the Node part: cannot run `node` ({err})");
            None
        }
        Err(err) => panic!("CI=true and `node` cannot run: {err}"),
    }
}

#[test]
fn the_same_documents_give_the_same_bytes() {
    let first = acme_files();
    let second = portolan_search::client_index_files(&common::acme_index().docs);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in first {
        assert!(&second[name] == bytes, "{name} differs between two builds");
    }
    let prefix = format!("{CLIENT_DIR}/");
    assert!(first.keys().all(|name| name.starts_with(&prefix)));
}

#[test]
fn files_are_compact_json_and_the_manifest_is_small() {
    let files = acme_files();
    for (name, bytes) in files {
        let text = std::str::from_utf8(bytes).unwrap();
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Compact: what serde_json writes with no indentation.
        assert_eq!(serde_json::to_string(&value).unwrap(), text, "{name}");
    }
    let manifest = &files[&format!("{CLIENT_DIR}/manifest.json")];
    assert!(
        manifest.len() < 2048,
        "the manifest of acme is {} bytes",
        manifest.len()
    );
    let manifest: Value = serde_json::from_slice(manifest).unwrap();
    assert_eq!(manifest["n"], common::acme_index().docs.len());
    // Every shard file the manifest names is there, and nothing else is.
    let shards = manifest["s"].as_str().unwrap().split('|').count();
    let shard_files = files
        .keys()
        .filter(|n| n.starts_with(&format!("{CLIENT_DIR}/t/")))
        .count();
    assert_eq!(shards, shard_files);
}

#[test]
fn an_empty_catalog_has_an_index_too() {
    let files = portolan_search::client_index_files(&[]);
    let manifest: Value =
        serde_json::from_slice(&files[&format!("{CLIENT_DIR}/manifest.json")]).unwrap();
    assert_eq!(manifest["n"], 0);
    assert_eq!(manifest["s"], "");
}

/// What the server side makes of the queries the Node script asks about:
/// its parse, and its hits.
fn server_answers(queries: &Value) -> Value {
    let index = &common::acme_index().index;
    let mut out = serde_json::Map::new();
    for q in queries.as_array().unwrap() {
        let query = q["query"].as_str().unwrap();
        let limit = q["limit"].as_u64().unwrap() as usize;
        let parsed = parse_query(query);
        let hits = match index.search(query, limit) {
            Ok(hits) => hits,
            Err(portolan_search::Error::EmptyQuery) => Vec::new(),
            Err(err) => panic!("{query}: {err}"),
        };
        out.insert(
            query.to_string(),
            json!({
                "parsed": {
                    "text": parsed.text,
                    "runs": parsed.runs.iter().map(|r| json!([r.whole, r.parts.iter().map(|p| &p.text).collect::<Vec<_>>()])).collect::<Vec<_>>(),
                    "filters": parsed.filters.iter().map(|(f, v)| json!([f.name(), v])).collect::<Vec<_>>(),
                },
                "hits": hits.iter().map(|h| json!({
                    "kind": h.kind, "title": h.title, "url": h.url, "score": h.score,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    Value::Object(out)
}

/// How the Rust tokenizer splits every text of the example's documents,
/// and some harder ones, for the script to split the same way.
fn server_tokens() -> Value {
    let mut texts: Vec<String> = [
        "listRefunds HTTPServerError getV1Orders v2beta3 OAuth2Token",
        "GET /v1/refunds/{refundId}  group:default/team-payments",
        "Größe Ünïcode ΣΊΣΥΦΟΣ İstanbul ǅemal ＡＢＣ１２３ ½ ⅷ ٣٤",
        "snake_case_words kebab-case-words dotted.name.v1 __dunder__",
        "aB AbC ABc ABCdef abcDEF a1B 1aB XMLHttpRequest",
        "emoji 🙂 joins nothing; tabs\tand\u{a0}no-break spaces",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    texts.push("x".repeat(64) + " " + &"y".repeat(65) + " " + &"é".repeat(33));
    for doc in &common::acme_index().docs {
        texts.push(doc.title.clone());
        texts.push(doc.subtitle.clone());
        texts.push(doc.summary.clone());
        texts.push(doc.body.clone());
        texts.extend(doc.names.iter().cloned());
        texts.extend(doc.tags.iter().cloned());
        texts.extend(doc.keywords.iter().cloned());
    }
    texts.sort();
    texts.dedup();
    Value::Array(
        texts
            .into_iter()
            .map(|t| {
                let toks: Vec<String> = tokens(&t).into_iter().map(|t| t.text).collect();
                json!([t, toks])
            })
            .collect(),
    )
}

#[test]
fn the_browser_finds_what_the_relevance_table_expects_and_ranks_like_the_server() {
    let Some(list) = node(&["tests/search/relevance.mjs", "--list"]) else {
        return;
    };
    assert!(
        list.status.success(),
        "relevance.mjs --list failed:\n{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let queries: Value = serde_json::from_slice(&list.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_files(acme_files(), dir.path());
    std::fs::write(
        dir.path().join("server.json"),
        serde_json::to_vec(&json!({
            "answers": server_answers(&queries),
            "tokens": server_tokens(),
        }))
        .unwrap(),
    )
    .unwrap();
    let run = node(&["tests/search/relevance.mjs", dir.path().to_str().unwrap()]).unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "relevance.mjs failed:\n{stdout}\n{stderr}"
    );
}

/// Sizes of the client index of a large catalog and what the browser
/// downloads per query, for BENCHMARKS.md (not a timed test: it prints).
///
/// ```sh
/// PORTOLAN_SEARCH_BENCH_ROOT=target/bench-build/full [PORTOLAN_SEARCH_BENCH_OUT=DIR] \
///   cargo test --release -p portolan-search --test client -- --ignored --nocapture
/// ```
#[test]
#[ignore = "a benchmark: run with --ignored --nocapture"]
fn client_index_size() {
    let root = std::env::var_os("PORTOLAN_SEARCH_BENCH_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(common::acme);
    let checked = common::check_dir(&root);
    let docs = portolan_search::documents(
        &checked,
        &common::TestUrls {
            catalog: &checked.catalog,
        },
    );
    let started = std::time::Instant::now();
    let files = portolan_search::client_index_files(&docs);
    let took = started.elapsed();
    let mut by_dir: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for (name, bytes) in &files {
        let rest = &name[CLIENT_DIR.len() + 1..];
        let dir = rest.split_once('/').map_or(rest, |(d, _)| d);
        let entry = by_dir.entry(dir).or_default();
        entry.0 += 1;
        entry.1 += bytes.len();
        entry.2 = entry.2.max(bytes.len());
    }
    println!(
        "{}: {} documents, client index built in {took:.2?}",
        root.display(),
        docs.len()
    );
    println!("| files | count | bytes | largest |\n|---|---:|---:|---:|");
    for (dir, (count, bytes, largest)) in &by_dir {
        println!("| {dir} | {count} | {bytes} | {largest} |");
    }
    // Kept in PORTOLAN_SEARCH_BENCH_OUT when given (to look into, or to
    // serve with a built site).
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("PORTOLAN_SEARCH_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    let _ = std::fs::remove_dir_all(dir.join(CLIENT_DIR));
    write_files(&files, &dir);
    if let Some(run) = node(&[
        "tests/search/relevance.mjs",
        dir.to_str().unwrap(),
        "--bytes",
    ]) {
        println!("{}", String::from_utf8_lossy(&run.stdout));
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}
