#!/usr/bin/env bash
# bench-changelog.sh: what API changelogs (issue 11, scope item 6) add to
# `portolan build`, on 50 commits of Stripe's OpenAPI history.
#
# What it measures
#   A catalog of one API entity whose definition is Stripe's
#   openapi/spec3.yaml (4.1 MB YAML), in a sparse clone of github:stripe/openapi
#   checked out at $STRIPE_COMMIT, so the changelog walks Stripe's own
#   first-parent history (every commit, including the ones that touched only
#   other files) and compares the 50 newest commits that changed spec3.yaml,
#   each against its parent: 51 revisions of a 4 MB spec loaded and 50
#   comparisons made.
#   Four cases, each the median of $BENCH_RUNS whole-process runs of
#       target/release/portolan build --out OUT --fail-on never -q
#   (wall-clock, user CPU time and peak RSS from GNU time):
#     off, cold: [changelog] max_commits = 0, no previous site in OUT
#     off, warm: the same, OUT holding the site of the previous run
#     on,  cold: max_commits = 50, no previous site (all 50 compared)
#     on,  warm: OUT holding the previous site (its changes.json read back:
#                nothing compared)
#
# How to run
#   scripts/bench-changelog.sh          # from anywhere in the repository
#
#   The Stripe repository comes from $STRIPE_MIRROR (a bare mirror or any
#   clone, e.g. what the `fetch` tool brings for github:stripe/openapi;
#   objects are shared with it, only spec3.yaml is checked out: that mirror
#   lacks the newest, largest blobs, and $STRIPE_COMMIT is the newest commit
#   whose 50 previous spec3.yaml revisions it holds). The catalog goes to
#   $BENCH_WORK (outside this repository: a catalog inside it would walk
#   portolan's history instead).
#
# Environment
#   BENCH_RUNS=3             runs per case
#   BENCH_SKIP_BUILD=1       use the existing target/release/portolan
#   BENCH_NICE=10            nice level of the measured runs (a fuzzer shares the machine)
#   STRIPE_MIRROR=/work/.mirror/stripe+openapi/repo
#   STRIPE_COMMIT=63a674638635c68de26b9f3add13e58198f4df44   (2023-09-12)
#   BENCH_WORK=/work/bench-inputs/stripe-history
#   BENCH_OUT=$BENCH_WORK.site   where the site is written (see below)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

runs="${BENCH_RUNS:-3}"
nice_level="${BENCH_NICE:-10}"
mirror="${STRIPE_MIRROR:-/work/.mirror/stripe+openapi/repo}"
commit="${STRIPE_COMMIT:-63a674638635c68de26b9f3add13e58198f4df44}"
work="${BENCH_WORK:-/work/bench-inputs/stripe-history}"
bin="$repo_root/target/release/portolan"

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-changelog: error: $*"; exit 1; }

/usr/bin/time -v true >/dev/null 2>&1 || die "GNU time is required (apt-get install -y time)"
[[ -d "$mirror" ]] || die "no Stripe repository at $mirror (set STRIPE_MIRROR)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "==> cargo build --release -p portolan"
    nice -n 10 cargo build --release -p portolan >&2
fi

if [[ "$(git -C "$work" rev-parse HEAD 2>/dev/null)" != "$commit" ]]; then
    log "==> sparse clone of $mirror at $commit into $work"
    rm -rf "$work"
    git clone -q --no-checkout --shared "$mirror" "$work"
    git -C "$work" sparse-checkout set --no-cone /openapi/spec3.yaml
    # Blobs outside the sparse set may be missing from the mirror; git says
    # so and checks out what it needs anyway.
    git -C "$work" checkout -q --detach "$commit" 2>/dev/null || true
    [[ -s "$work/openapi/spec3.yaml" ]] || die "openapi/spec3.yaml was not checked out"
fi
cat >"$work/catalog-info.yaml" <<'YAML'
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: stripe
spec:
  type: openapi
  lifecycle: production
  owner: group:default/platform
  definition:
    $text: ./openapi/spec3.yaml
YAML

# The site goes to $BENCH_OUT (default: beside the catalog). On a disk whose
# directory operations are slow, a tmpfs (BENCH_OUT=/dev/shm/...) keeps the
# 1,200 files' mkdir/open calls out of the numbers, which are about the
# changelog's CPU cost.
out="${BENCH_OUT:-$work.site}"

# One run: "wall_seconds user_seconds peak_kib".
run_once() {
    local stats
    stats="$(mktemp)"
    (cd "$work" && nice -n "$nice_level" /usr/bin/time -v -o "$stats" \
        "$bin" build --out "$out" --fail-on never -q 2>/dev/null)
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
        /User time \(seconds\)/ { user = $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%.3f %.2f %d\n", wall, user, rss }' "$stats"
    rm -f "$stats"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# case NAME MAX_COMMITS cold|warm
measure() {
    local name="$1" max="$2" mode="$3" walls="" users="" rsss="" line
    printf '[changelog]\nmax_commits = %s\n' "$max" >"$work/portolan.toml"
    # A warm case starts from the site of a run with the same settings.
    [[ "$mode" == warm ]] && { rm -rf "$out"; run_once >/dev/null; }
    for _ in $(seq "$runs"); do
        [[ "$mode" == cold ]] && rm -rf "$out"
        line="$(run_once)"
        read -r wall user rss <<<"$line"
        walls+="$wall"$'\n'
        users+="$user"$'\n'
        rsss+="$rss"$'\n'
    done
    printf '| %s | %s s | %s s | %s MB |\n' "$name" \
        "$(printf '%s' "$walls" | median)" \
        "$(printf '%s' "$users" | median)" \
        "$(( $(printf '%s' "$rsss" | median) / 1024 ))"
}

log "==> $runs runs per case"
echo "| case | wall (median of $runs) | user CPU (median) | peak RSS (median) |"
echo "|---|---|---|---|"
measure "changelog off, cold" 0 cold
measure "changelog off, warm" 0 warm
measure "changelog on (50 commits), cold" 50 cold
measure "changelog on (50 commits), warm" 50 warm

# What the changelog held, for the record.
printf '[changelog]\nmax_commits = 50\n' >"$work/portolan.toml"
verbose="$(cd "$work" && "$bin" build --out "$out" --fail-on never -v 2>&1 | grep 'API changelogs' || true)"
json="$out/catalog/api/default/stripe/changes.json"
entries="$(grep -c '"commit":' "$json" || true)"
changes="$(grep -c '"code":' "$json" || true)"
echo
echo "Warm rebuild: ${verbose#portolan: }; the changelog lists $entries commits and $changes changes."
rm -f "$work/portolan.toml"
