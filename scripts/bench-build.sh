#!/usr/bin/env bash
# bench-build.sh: benchmark `portolan build` (issue #4), whole process.
#
# What it measures
#   1. stripe:  a catalog holding only the Stripe spec (4.2 MB YAML).
#   2. full:    the 10,000-entity synthetic catalog (scripts/gen-synthetic-catalog.py,
#               seed 1) plus one API entity for every API definition of the
#               shared corpus (every openapi/asyncapi file, and every file of
#               SPEC-VERDICTS.jsonl), copied under corpus-apis/.
#   For each: the median wall-clock time of
#       target/release/portolan build --root DIR --out OUT --fail-on never -q
#   (hyperfine, 1 warm-up; BENCH_RUNS runs), peak RSS of one run (GNU time),
#   and what the build wrote: files, HTML pages, bytes, the largest page.
#
# How to run
#   apt-get install -y hyperfine time        # once, if missing
#   scripts/bench-build.sh                   # from anywhere in the repo
#
#   The corpus is read from ../shared/corpus (or $PORTOLAN_CORPUS) and
#   copied into target/bench-build/ (a catalog only reads files inside its
#   root); nothing from it is committed. Output directories go to
#   target/bench-build/out-*. A markdown table goes to stdout.
#
# Environment
#   BENCH_RUNS=5            hyperfine --runs
#   BENCH_SKIP_BUILD=1      use the existing target/release/portolan
#   PORTOLAN_CORPUS=DIR     the shared corpus
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

corpus="${PORTOLAN_CORPUS:-../shared/corpus}"
runs="${BENCH_RUNS:-5}"
work=target/bench-build
bin=target/release/portolan

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-build: error: $*"; exit 1; }

[[ -d "$corpus" ]] || die "corpus not found at $corpus (set PORTOLAN_CORPUS)"
command -v hyperfine >/dev/null || die "hyperfine is required (apt-get install -y hyperfine)"
/usr/bin/time -v true >/dev/null 2>&1 || die "GNU time is required (apt-get install -y time)"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "==> cargo build --release -p portolan"
    cargo build --release -p portolan >&2
fi
mkdir -p "$work"

# ---- catalogs ----
stripe="$work/stripe"
if [[ ! -f "$stripe/catalog-info.yaml" ]]; then
    log "==> $stripe"
    rm -rf "$stripe"; mkdir -p "$stripe"
    cp -r "$corpus/openapi/stripe/openapi" "$stripe/spec"
    cat >"$stripe/catalog-info.yaml" <<'YAML'
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: stripe
spec:
  type: openapi
  lifecycle: production
  owner: group:default/platform
  definition:
    $text: ./spec/spec3.yaml
YAML
fi

synthetic="$work/catalog-10000"
want="$(python3 scripts/gen-synthetic-catalog.py --entities 10000 --seed 1 --out "$synthetic" --print-marker)"
if [[ ! -f "$synthetic/.synthetic-catalog" ]] || [[ "$(cat "$synthetic/.synthetic-catalog")" != "$want" ]]; then
    log "==> generating $synthetic"
    python3 scripts/gen-synthetic-catalog.py --entities 10000 --seed 1 --out "$synthetic" --force >&2
fi
full="$work/full"
if [[ ! -f "$full/.bench-build" ]] || [[ "$(cat "$full/.bench-build")" != "$want" ]]; then
    log "==> $full (synthetic catalog + corpus APIs)"
    rm -rf "$full"
    cp -r "$synthetic" "$full"
    mkdir -p "$full/corpus-apis"
    python3 - "$corpus" "$full/corpus-apis" <<'PY'
import json, os, shutil, sys
corpus, dest = sys.argv[1], sys.argv[2]

def spec_type(path):
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        return None
    if text.lstrip().startswith("{"):
        try:
            keys = json.loads(text).keys()
        except (ValueError, AttributeError):
            return None
        has = lambda k: k in keys
    else:
        lines = text.splitlines()
        has = lambda k: any(l.startswith(k + ":") or l.startswith('"%s":' % k) for l in lines)
    if has("openapi") or has("swagger"):
        return "openapi"
    if has("asyncapi"):
        return "asyncapi"
    return None

specs = {}
for top in ("openapi", "asyncapi"):
    for dirpath, _, names in os.walk(os.path.join(corpus, top)):
        for name in names:
            if name.rsplit(".", 1)[-1] in ("yaml", "yml", "json"):
                path = os.path.join(dirpath, name)
                kind = spec_type(path)
                if kind:
                    specs[os.path.relpath(path, corpus)] = kind
for line in open(os.path.join(corpus, "SPEC-VERDICTS.jsonl")):
    v = json.loads(line)
    specs.setdefault(v["file"], "asyncapi" if v["kind"] == "asyncapi" else "openapi")
# Multi-file specs need their neighbours: copy the whole corpus trees.
for top in ("openapi", "asyncapi", "backstage"):
    shutil.copytree(os.path.join(corpus, top), os.path.join(dest, top))
docs = ["apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: corpus-owners\nspec:\n  type: team\n  children: []\n"]
for i, (path, kind) in enumerate(sorted(specs.items())):
    docs.append(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n"
        f"  name: corpus-spec-{i}\n  title: {json.dumps(path)}\nspec:\n  type: {kind}\n"
        f"  lifecycle: production\n  owner: corpus-owners\n  definition:\n    $text: ./{path}\n"
    )
open(os.path.join(dest, "catalog-info.yaml"), "w").write("---\n".join(docs))
print(f"{len(specs)} corpus specs", file=sys.stderr)
PY
    # The corpus's own Backstage descriptors are not part of this catalog.
    find "$full/corpus-apis/backstage" -name 'catalog-info.yaml' -delete
    printf '%s' "$want" >"$full/.bench-build"
fi

# ---- measure ----
tmp="$(mktemp -d "${TMPDIR:-/tmp}/bench-build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
rows=()
for name in stripe full; do
    dir="$work/$name"
    out="$work/out-$name"
    cmd="$(printf '%q build --root %q --out %q --fail-on never -q' "$bin" "$dir" "$out")"
    log "==> peak RSS, $name"
    /usr/bin/time -v -o "$tmp/time" bash -c "$cmd" 2>"$tmp/stderr" || { tail -20 "$tmp/stderr" >&2; die "build of $name failed"; }
    rss_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")"
    log "==> hyperfine, $name"
    hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$tmp/h.json" "$cmd" >&2
    median="$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/h.json")"
    stats="$(python3 - "$out" "$dir" <<'PY'
import os, sys
out, root = sys.argv[1], sys.argv[2]
files = pages = total = 0
largest = (0, "")
for dirpath, _, names in os.walk(out):
    for n in names:
        p = os.path.join(dirpath, n)
        size = os.path.getsize(p)
        files += 1
        total += size
        if n.endswith(".html"):
            pages += 1
            largest = max(largest, (size, os.path.relpath(p, out)))
entities = 0
print(f"{files:,} | {pages:,} | {total / 1048576:.1f} MiB | {largest[0] / 1024:.0f} KB (`{largest[1]}`)")
PY
)"
    rows+=("| $name | $median | $(awk -v kb="$rss_kb" 'BEGIN { printf "%.0f", kb / 1024 }') | $stats |")
done

rev="$(git rev-parse --short --verify -q HEAD 2>/dev/null)" || rev="unknown"
echo
echo "| catalog | median (s) | peak RSS (MB) | files | HTML pages | bytes | largest page |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
echo
echo "_portolan ${rev}, \`build --fail-on never -q\`, hyperfine --warmup 1 --runs ${runs}; $(nproc) CPUs, $(uname -sr)._"
