#!/usr/bin/env bash
# bench-scorecard.sh: what scorecards add to `portolan check` (issue #12).
#
# What it measures
#   On the synthetic catalog of scripts/gen-synthetic-catalog.py (10,000
#   entities by default, seed 1), the wall-clock time of
#       target/release/portolan check --root DIR --format concise -q
#   without scorecards, and with two scorecards of 15 rules each (fact
#   rules of every operator, a JSON Schema rule, a policy-free ladder, a
#   waiver, and a gate in the configuration), given with
#       --config WORK/with-scorecards.toml   ([scorecards] dir = ...)
#   BENCH_RUNS pairs of runs after 1 warm-up each, warm page cache, the
#   two in alternating order: the median time of each, and the median of
#   the pairs' differences (robust to the machine's speed drifting during
#   the benchmark); and the peak RSS of one run of each (GNU time -v).
#   One rule reads a git fact (days since the last change), so the "with"
#   run also walks git history: the catalogs live under target/, inside
#   this repository's work tree but never committed, so the walk goes
#   through every commit of the repository (up to 5,000) finding none of
#   them.
#
# How to run
#   apt-get install -y time                  # once, if missing
#   scripts/bench-scorecard.sh
#
# Environment
#   BENCH_SIZE=10000             entity count
#   BENCH_SEED=1                 generator seed
#   BENCH_RUNS=5                 pairs of runs
#   BENCH_CATALOG_DIR=...        where catalogs are kept (default target/bench-catalogs)
#   BENCH_SKIP_BUILD=1           use the existing target/release/portolan
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

n="${BENCH_SIZE:-10000}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-5}"
catalog_dir="${BENCH_CATALOG_DIR:-target/bench-catalogs}"
generator="scripts/gen-synthetic-catalog.py"
bin="target/release/portolan"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-scorecard: error: $*"; exit 1; }

/usr/bin/time -v true >/dev/null 2>&1 || die "missing GNU time (apt-get install -y time)"
[[ "$n" =~ ^[0-9]+$ ]] || die "bad BENCH_SIZE: $n"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "==> cargo build --release -p portolan"
    cargo build --release -p portolan >&2
fi
[[ -x "$bin" ]] || die "$bin not found"

work="$(mktemp -d "${TMPDIR:-/tmp}/bench-scorecard.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$catalog_dir"
dir="$catalog_dir/catalog-$n"
want="$(python3 "$generator" --entities "$n" --seed "$seed" --out "$dir" --print-marker)"
if [[ -f "$dir/.synthetic-catalog" ]] && [[ "$(cat "$dir/.synthetic-catalog")" == "$want" ]]; then
    log "==> reusing $dir"
else
    log "==> generating $dir"
    python3 "$generator" --entities "$n" --seed "$seed" --out "$dir" --force >&2
fi

# The scorecards, inside the root (scorecards are read through the
# catalog's source) under a folder only the "with" configuration names.
mkdir -p "$dir/bench-scorecards"
cat > "$dir/bench-scorecards/maturity.yaml" <<'YAML'
name: Maturity
selector: { kind: Component }
levels: [Beginner, Intermediate, Advanced]
rules:
  - { id: owner, level: Beginner, fact: owner.group_with_members, value: true }
  - { id: owner-resolves, level: Beginner, fact: owner.resolved, value: true }
  - { id: described, level: Beginner, fact: description.length, op: gte, value: 20 }
  - { id: lifecycle, level: Beginner, fact: lifecycle, op: in, value: [production, experimental, deprecated] }
  - { id: system, level: Intermediate, fact: system, op: exists }
  - { id: domain, level: Intermediate, fact: domain, op: exists }
  - { id: tagged, level: Intermediate, fact: tags.count, op: gte, value: 1 }
  - { id: source, level: Intermediate, fact: source_location, value: true }
  - { id: docs, level: Intermediate, fact: docs.exists, value: true, enforceFrom: 2099-01-01 }
  - { id: no-errors, level: Advanced, fact: findings.errors, value: 0 }
  - { id: few-warnings, level: Advanced, fact: findings.warnings, op: lte, value: 2 }
  - { id: apis-clean, level: Advanced, fact: api.errors, value: 0 }
  - { id: no-deprecated, level: Advanced, fact: deps.deprecated, value: 0 }
  - { id: ci, level: Advanced, fact: ci, value: true }
  - { id: owner-ref, level: Advanced, fact: owner, op: matches, value: "^group:default/[a-z0-9-]+$" }
YAML
cat > "$dir/bench-scorecards/production-readiness.yaml" <<'YAML'
name: Production readiness
selector: { kind: Component, type: service }
levels: [Bronze, Silver, Gold]
rules:
  - { id: owner, level: Bronze, fact: owner.group_with_members, value: true }
  - { id: described, level: Bronze, fact: description.length, op: gt, value: 0 }
  - { id: not-deprecated, level: Bronze, fact: lifecycle, op: ne, value: deprecated }
  - { id: runbook, level: Silver, fact: links.runbook, value: true, selector: { lifecycle: production } }
  - { id: dashboard, level: Silver, fact: links.dashboard, value: true, selector: { lifecycle: production } }
  - { id: on-call, level: Silver, fact: oncall, value: true, selector: { lifecycle: production } }
  - { id: pagerduty, level: Silver, fact: oncall.pagerduty, op: exists }
  - { id: provides, level: Silver, fact: apis.provided, op: gte, value: 0 }
  - { id: consumes, level: Silver, fact: apis.consumed, op: lt, value: 50 }
  - { id: docs-pages, level: Gold, fact: docs.pages, op: gte, value: 0 }
  - { id: broken-links, level: Gold, fact: docs.broken_links, value: 0 }
  - { id: api-warnings, level: Gold, fact: api.warnings, value: 0 }
  - { id: tags, level: Gold, fact: tags, op: contains, value: java }
  - { id: fresh, level: Gold, fact: git.days_since_change, op: lte, value: 180 }
  - id: schema
    level: Gold
    schema:
      properties:
        entity: { required: [metadata] }
        facts: { properties: { tags.count: { maximum: 10 } } }
waivers:
  - { entity: component:does-not-exist, rule: runbook, reason: benchmark, expires: 2099-01-01 }
YAML
cat > "$work/with-scorecards.toml" <<'TOML'
[scorecards]
dir = "bench-scorecards"
[[scorecards.gates]]
scorecard = "production-readiness"
level = "Bronze"
match = { lifecycle = "production" }
severity = "warning"
TOML

without="$(printf '%q check --root %q --format concise -q' "$bin" "$dir")"
with="$(printf '%q check --root %q --config %q --format concise -q' "$bin" "$dir" "$work/with-scorecards.toml")"

rss() {
    local rc=0
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
    ((rc == 0 || rc == 1)) || { tail -n 20 "$work/err.txt" >&2; die "portolan exited with $rc"; }
    awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.txt"
}
rss_without="$(rss "$bin" check --root "$dir" --format concise -q)"
rss_with="$(rss "$bin" check --root "$dir" --config "$work/with-scorecards.toml" --format concise -q)"
grep -c 'S00[0-9]' "$work/out.txt" >"$work/s-count.txt" || true
log "==> scorecard findings in the 'with' run: $(cat "$work/s-count.txt")"
"$bin" scorecard --root "$dir" --config "$work/with-scorecards.toml" --format json >"$work/levels.json"
python3 - "$work/levels.json" >&2 <<'PY'
import json, sys
for card in json.load(open(sys.argv[1]))["scorecards"]:
    print("==>", card["id"], len(card["entities"]), "entities;",
          ", ".join(f'{h["level"]} {h["entities"]}' for h in card["histogram"]))
PY

# Runs alternate (without, with; then with, without; ...) so that the
# machine slowing down or speeding up during the benchmark weighs on both
# sides alike; the overhead is the median of each pair's difference.
log "==> $runs interleaved pairs after 1 warm-up each"
read -r m_without m_with overhead < <(python3 - "$runs" "$without" "$with" <<'PY'
import shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
commands = {"without": shlex.split(sys.argv[2]), "with": shlex.split(sys.argv[3])}
def run(name):
    start = time.perf_counter()
    done = subprocess.run(commands[name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"bench-scorecard: {name} exited with {done.returncode}")
    return elapsed
run("without"); run("with")
times = {"without": [], "with": []}
for i in range(runs):
    for name in (["without", "with"] if i % 2 == 0 else ["with", "without"]):
        times[name].append(run(name))
pairs = [100 * (b - a) / a for a, b in zip(times["without"], times["with"])]
print("%.3f %.3f %+.1f" % (statistics.median(times["without"]), statistics.median(times["with"]), statistics.median(pairs)))
PY
)

cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
rev="$(git rev-parse --short --verify -q HEAD 2>/dev/null)" || rev="unknown"
echo
echo "| check of synthetic-$n | median (s) | peak RSS (MB) |"
echo "|---|---:|---:|"
echo "| without scorecards | $m_without | $rss_without |"
echo "| with two 15-rule scorecards | $m_with | $rss_with |"
echo
echo "Scoring adds ${overhead}% to check (median of the pairs' differences)."
echo
echo "_portolan ${rev}, ${runs} interleaved pairs, seed ${seed}; ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr)._"
