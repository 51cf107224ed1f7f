#!/usr/bin/env bash
# bench-search.sh: search benchmarks (issue #5) on the 10,000-entity
# synthetic catalog plus every corpus spec (the catalog scripts/bench-build.sh
# prepares in target/bench-build/full; run that first).
#
# Prints:
#   1. `portolan build` wall time, and the search stage's share of it
#      (documents, tantivy index, client index; from the ignored tests
#      crates/portolan-search/tests/{latency,client}.rs, which also print
#      in-process query latency p50/p99 and bytes per query);
#   2. Pagefind 1.6.0 (`npx pagefind@1.6.0 --site OUT`) indexing the same
#      built site: wall time, files and bytes;
#   3. per query, in headless Chromium with a cold cache: bytes downloaded
#      and time until results, portolan's client index vs Pagefind's
#      (scripts/bench-search.mjs).
#
# Needs: the release binary, node, npm registry access (npx), Debian's
# chromium and `npm ci` in tests/browser.
set -euo pipefail
cd "$(dirname "$0")/.."

catalog=target/bench-build/full
out=target/bench-build/out-search
[[ -d "$catalog" ]] || { echo "run scripts/bench-build.sh first (it prepares $catalog)" >&2; exit 1; }
cargo build --release -p portolan >&2

echo "## portolan build"
/usr/bin/time -f "%e s wall, %M KB peak RSS" target/release/portolan build --root "$catalog" --out "$out" --fail-on never -v 2>&1 | grep -E "written in|^built|wall" || true
printf 'client index: %s files, %s\n' "$(find "$out/_search" -path "$out/_search/[tdpxf]*" -type f | wc -l)" "$(du -sh --exclude='0000*' --exclude=meta.json "$out/_search" | cut -f1)"

echo "## search stage, in process (documents, tantivy index, queries)"
PORTOLAN_SEARCH_BENCH_ROOT="$PWD/$catalog" cargo test --release -q -p portolan-search --test latency -- --ignored --nocapture 2>&1 | grep -vE "^(running|test |$)" || true
PORTOLAN_SEARCH_BENCH_ROOT="$PWD/$catalog" cargo test --release -q -p portolan-search --test client -- --ignored --nocapture 2>&1 | grep -vE "^(running|test |$)" || true

echo "## Pagefind 1.6.0 on the same site"
rm -rf "$out/pagefind"
/usr/bin/time -f "%e s wall, %M KB peak RSS" npx -y pagefind@1.6.0 --site "$out" 2>&1 | tail -4
printf 'pagefind index: %s files, %s\n' "$(find "$out/pagefind" -type f | wc -l)" "$(du -sh "$out/pagefind" | cut -f1)"

echo "## per query, headless Chromium, cold cache"
node scripts/bench-search.mjs "$out"
