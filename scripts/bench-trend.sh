#!/usr/bin/env bash
# bench-trend.sh: what scorecard trends add to `portolan build` (issue #12).
#
# What it measures
#   A git repository holding the synthetic catalog of
#   scripts/gen-synthetic-catalog.py (10,000 entities by default) with
#   BENCH_WEEKS weekly commits; each commit edits about 1% of the
#   component descriptors (a description, a tag, a lifecycle, a new
#   link), as a real catalog moves. With the two scorecards of
#   scripts/bench-scorecard.sh it times
#       target/release/portolan build --root REPO --config C --out OUT -v
#   for three configurations:
#     no-trend  trend_samples = 0 (scorecards, no trend)
#     cold      trend_samples = 26 into an empty OUT: 25 past revisions scored
#     warm      the same again into the OUT the cold run left: every past
#               revision reused from the site's scorecards/trend.json;
#               compared with a no-trend build that replaces a site too
#   OUT is on tmpfs (/dev/shm) when it exists, so that the disk's file
#   creation costs (see "Changelogs" in BENCHMARKS.md) do not hide the work.
#   Median of BENCH_RUNS runs each.
#
# How to run
#   scripts/bench-trend.sh
#
# Environment
#   BENCH_SIZE=10000             entity count
#   BENCH_WEEKS=27               commits, one a week
#   BENCH_RUNS=3                 runs per configuration
#   BENCH_CATALOG_DIR=...        where catalogs are kept (default target/bench-catalogs)
#   BENCH_SKIP_BUILD=1           use the existing target/release/portolan
#   BENCH_KEEP=1                 keep the repository and sites (path printed)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

n="${BENCH_SIZE:-10000}"
weeks="${BENCH_WEEKS:-27}"
runs="${BENCH_RUNS:-3}"
catalog_dir="${BENCH_CATALOG_DIR:-target/bench-catalogs}"
bin="$repo_root/target/release/portolan"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-trend: error: $*"; exit 1; }

command -v git >/dev/null 2>&1 || die "missing git"
[[ "$n" =~ ^[0-9]+$ && "$weeks" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] || die "bad BENCH_* number"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "==> cargo build --release -p portolan"
    cargo build --release -p portolan >&2
fi
[[ -x "$bin" ]] || die "$bin not found"

# The scorecards and the catalog, made by the scorecard benchmark's steps.
mkdir -p "$catalog_dir"
src="$catalog_dir/catalog-$n"
want="$(python3 scripts/gen-synthetic-catalog.py --entities "$n" --seed 1 --out "$src" --print-marker)"
if ! [[ -f "$src/.synthetic-catalog" && "$(cat "$src/.synthetic-catalog")" == "$want" && -d "$src/bench-scorecards" ]]; then
    log "==> preparing $src (scripts/bench-scorecard.sh with one run)"
    BENCH_RUNS=1 BENCH_SKIP_BUILD=1 BENCH_SIZE="$n" BENCH_CATALOG_DIR="$catalog_dir" \
        scripts/bench-scorecard.sh >/dev/null
fi

tmp_parent="${TMPDIR:-/tmp}"
[[ -d /dev/shm && -w /dev/shm ]] && tmp_parent=/dev/shm
work="$(mktemp -d "$tmp_parent/bench-trend.XXXXXX")"
if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    log "==> keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
repo="$work/repo"

log "==> a repository of $weeks weekly commits in $repo"
cp -r "$src" "$repo"
rm -rf "$repo/bench-scorecards-noschema"
(
    cd "$repo"
    git init -q -b main .
    git config user.name bench
    git config user.email bench@example.invalid
    git config commit.gpgsign false
)
python3 - "$repo" "$weeks" <<'PY'
import os, random, re, subprocess, sys
repo, weeks = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
files = []
for top, dirs, names in os.walk(repo):
    dirs[:] = sorted(d for d in dirs if d != ".git")
    for name in sorted(names):
        if name == "catalog-info.yaml":
            path = os.path.join(top, name)
            with open(path, encoding="utf-8") as f:
                if "kind: Component" in f.read():
                    files.append(path)
start = 1_700_000_000  # 2023-11-14, a Tuesday
def commit(k):
    env = dict(os.environ)
    stamp = f"@{start + k * 7 * 86400} +0000"
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = stamp
    subprocess.run(["git", "-C", repo, "add", "-A"], check=True)
    subprocess.run(["git", "-C", repo, "commit", "-q", "-m", f"week {k}"], check=True, env=env)
commit(0)
edits = [
    (r"(\n  description: )", r"\1Revised. "),
    (r"(\n  tags:\n)", r"\1    - revised\n"),
    (r"lifecycle: experimental", "lifecycle: production"),
    (r"lifecycle: production", "lifecycle: deprecated"),
]
for k in range(1, weeks):
    for path in rng.sample(files, max(1, len(files) // 100)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        pattern, repl = rng.choice(edits)
        text = re.sub(pattern, repl, text, count=1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    commit(k)
print(f"==> {len(files)} component files, {weeks} commits", file=sys.stderr)
PY

config() {
    cat > "$work/$1.toml" <<TOML
[scorecards]
dir = "bench-scorecards"
trend_samples = $2
[[scorecards.gates]]
scorecard = "production-readiness"
level = "Bronze"
match = { lifecycle = "production" }
severity = "warning"
TOML
}
config no-trend 0
config trend 26

# seconds of one build; $1 config, $2 out dir, $3 "fresh" to start from an empty dir
one() {
    [[ "$3" == fresh ]] && rm -rf "$2"
    local t0 t1
    t0="$(date +%s.%N)"
    "$bin" build --root "$repo" --config "$work/$1.toml" --out "$2" -v \
        >"$work/out.txt" 2>"$work/err.txt" || { tail -n 20 "$work/err.txt" >&2; die "build failed"; }
    t1="$(date +%s.%N)"
    grep -h 'scorecard trends' "$work/err.txt" >&2 || true
    python3 -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$t1"
}
median() { python3 -c 'import sys, statistics; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

# A warm build replaces the site the last one wrote (removing it costs
# time of its own): it is compared with a no-trend build that does too.
declare -a t_none t_none_over t_cold t_warm
one no-trend "$work/site-none-over" fresh >/dev/null
for ((r = 0; r < runs; r++)); do
    t_none+=("$(one no-trend "$work/site-none" fresh)")
    t_none_over+=("$(one no-trend "$work/site-none-over" keep)")
    t_cold+=("$(one trend "$work/site-trend" fresh)")
    t_warm+=("$(one trend "$work/site-trend" keep)")
done
m_none="$(median "${t_none[@]}")"
m_none_over="$(median "${t_none_over[@]}")"
m_cold="$(median "${t_cold[@]}")"
m_warm="$(median "${t_warm[@]}")"
points="$(python3 -c '
import json, sys
cards = json.load(open(sys.argv[1]))
print(max(len(v) for v in cards["commits"].values()) if cards.get("commits") else 0, len(cards.get("commits", {})))
' "$work/site-trend/scorecards/trend.json" 2>/dev/null || echo "? ?")"

cpu="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
rev="$(git rev-parse --short --verify -q HEAD 2>/dev/null)" || rev="unknown"
echo
echo "| build of synthetic-$n, $weeks weekly commits | median (s) | added by the trend (s) |"
echo "|---|---:|---:|"
echo "| scorecards, no trend, into an empty directory | $m_none | |"
echo "| trend of 26 samples, cold, into an empty directory | $m_cold | $(python3 -c "print('%+.3f' % ($m_cold - $m_none))") |"
echo "| scorecards, no trend, over the last site | $m_none_over | |"
echo "| trend, warm (over the last site: trend.json reused) | $m_warm | $(python3 -c "print('%+.3f' % ($m_warm - $m_none_over))") |"
echo
echo "Past revisions in trend.json (scorecards, commits): $points"
echo "_portolan ${rev}, ${runs} runs each, out dir on ${tmp_parent}; ${cpu:-unknown CPU}, $(nproc) CPUs, $(uname -sr)._"
