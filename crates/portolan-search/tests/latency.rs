//! In-process query latency, for BENCHMARKS.md (not a timed test: it only
//! prints). Over `examples/acme`, or the catalog in
//! `PORTOLAN_SEARCH_BENCH_ROOT` (e.g. the 10,000-entity synthetic one):
//!
//! ```sh
//! python3 scripts/gen-synthetic-catalog.py --entities 10000 --out target/synthetic-10k
//! PORTOLAN_SEARCH_BENCH_ROOT=target/synthetic-10k \
//!   cargo test --release -p portolan-search --test latency -- --ignored --nocapture
//! ```

mod common;

use std::time::{Duration, Instant};

/// What people type: names, prefixes as typed so far, typos, operationIds,
/// paths, tags, filters, docs words. Those that find nothing in a catalog
/// cost as much to answer as those that do.
const QUERIES: [&str; 20] = [
    "payments-gateway",
    "payments gate",
    "pay",
    "ord",
    "fulfilmnet",
    "paymnets",
    "refundPayment",
    "listOrders",
    "GET /orders/{orderId}",
    "/carts/{cartId}/items",
    "pci-dss",
    "kind:api owner:payments-team",
    "owner:payments-team refund",
    "kind:operation create",
    "lifecycle:production service",
    "rolling back",
    "state machine",
    "webhooks",
    "cancel order",
    "team",
];

const RUNS: usize = 100;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[test]
#[ignore = "a benchmark: run with --ignored --nocapture, in release mode"]
fn query_latency() {
    let root = std::env::var_os("PORTOLAN_SEARCH_BENCH_ROOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(common::acme);
    let started = Instant::now();
    let checked = common::check_dir(&root);
    let checked_in = started.elapsed();
    let started = Instant::now();
    let docs = portolan_search::documents(
        &checked,
        &common::TestUrls {
            catalog: &checked.catalog,
        },
    );
    let documents_in = started.elapsed();
    let started = Instant::now();
    let files = portolan_search::index_files(&docs).unwrap();
    let indexed_in = started.elapsed();
    let bytes: usize = files.values().map(Vec::len).sum();
    let started = Instant::now();
    let index = portolan_search::SearchIndex::from_files(&files).unwrap();
    let opened_in = started.elapsed();
    println!(
        "{}: {} entities, {} documents; check {:.0} ms, documents {:.0} ms, index {:.0} ms ({:.1} MiB in {} files), open {:.1} ms",
        root.display(),
        checked.catalog.entities.len(),
        docs.len(),
        checked_in.as_secs_f64() * 1e3,
        documents_in.as_secs_f64() * 1e3,
        indexed_in.as_secs_f64() * 1e3,
        bytes as f64 / (1024.0 * 1024.0),
        files.len(),
        opened_in.as_secs_f64() * 1e3,
    );
    // One warm-up pass.
    for query in QUERIES {
        index.search(query, 10).unwrap();
    }
    let mut all = Vec::with_capacity(QUERIES.len() * RUNS);
    let mut worst: Vec<(Duration, &str)> = Vec::new();
    for query in QUERIES {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            let hits = index.search(query, 10).unwrap();
            times.push(started.elapsed());
            std::hint::black_box(hits);
        }
        times.sort_unstable();
        worst.push((percentile(&times, 0.99), query));
        all.extend(times);
    }
    all.sort_unstable();
    worst.sort_unstable_by(|a, b| b.cmp(a));
    println!(
        "{} queries x {RUNS} runs (top 10 with snippets): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; slowest p99: {}",
        QUERIES.len(),
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
        worst
            .iter()
            .take(3)
            .map(|(d, q)| format!("`{q}` {:.2} ms", d.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
