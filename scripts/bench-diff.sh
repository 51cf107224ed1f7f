#!/usr/bin/env bash
# Benchmark `portolan diff` between two real revisions of public API
# descriptions, whole process (median wall time and peak RSS of N runs),
# and the same comparison by peers installed from npm when present.
#
#   scripts/bench-diff.sh [--runs N] [--portolan PATH] [--only NAME]
#   (NAME: stripe, twilio, digitalocean, github-rest)
#
# Inputs (outside this repository): bare mirrors of the public repositories
# under $PORTOLAN_MIRRORS (default /work/.mirror), named OWNER+REPO/repo:
#   stripe+openapi          openapi/spec3.yaml, 4 MB, 2023-09-07 → 2023-09-11
#   twilio+twilio-oai       spec/yaml/twilio_api_v2010.yaml, 1.5 MB
#   digitalocean+openapi    specification/ (1,500 files), one $ref'd file changed
#   GitHub's REST description (github/rest-api-description, 544 MB of
#   history, too large to mirror here) as @octokit/openapi publishes it on
#   npm: api.github.com.json (12–13 MB) of 22.0.0 and 23.0.0, unpacked under
#   $OCTOKIT_DIR (default /work/bench-inputs/octokit/VERSION/package/...;
#   `npm pack @octokit/openapi@22.0.0 && tar -xzf ...`)
# A pair whose input is missing is skipped with a note.
#
# Each pair becomes a two-commit bare catalog repository in $BENCH_DIR
# (default /tmp/portolan-bench-diff) that borrows the mirror's objects
# (git alternates: nothing is copied), with a catalog-info.yaml naming the
# definition. portolan reads both commits through git; peers get the two
# revisions as files.
#
# Peers, when installed (npm install --prefix "$PEERS" ...; default
# /work/bench-tools): Redocly CLI's `diff` (@redocly/cli), Optic's `diff`
# (@useoptic/optic, in $PEERS/optic), openapi-diff.
set -euo pipefail

runs=5
portolan=""
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --portolan) portolan="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")/.." && pwd)"
mirrors="${PORTOLAN_MIRRORS:-/work/.mirror}"
bench="${BENCH_DIR:-/tmp/portolan-bench-diff}"
peers="${PEERS:-/work/bench-tools}"
if [[ -z "$portolan" ]]; then
  (cd "$here" && cargo build --release -p portolan --quiet)
  portolan="$here/target/release/portolan"
fi
mkdir -p "$bench"

# median and max of stdin numbers
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME CMD...: runs CMD $runs times; prints median seconds and RSS.
measure() {
  local name="$1"; shift
  local times=() rss=() status=0
  for _ in $(seq "$runs"); do
    status=0
    /usr/bin/time -f "%e %M" -o "$bench/time.txt" "$@" > "$bench/out.txt" 2> "$bench/err.txt" || status=$?
    read -r t m < <(tail -1 "$bench/time.txt")
    times+=("$t"); rss+=("$m")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  printf '%-34s %8.2f s %8d MB   exit %d\n' "$name" "$t" "$((m / 1024))" "$status"
}

# pair NAME MIRROR PATH BASE HEAD DEFINITION: a catalog repository whose
# two commits hold PATH (a file or a directory, under its base name) of the
# mirror at BASE and at HEAD, and an API entity whose definition is
# DEFINITION (catalog-relative).
pair() {
  local name="$1" mirror="$2" path="$3" base="$4" head="$5" definition="$6"
  local repo="$bench/$name.git"
  rm -rf "$repo" "$bench/$name"
  git init -q --bare "$repo"
  echo "$mirror/objects" > "$repo/objects/info/alternates"
  local descriptor
  descriptor=$(printf 'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: %s}\nspec: {type: openapi, lifecycle: production, owner: team, definition: {$text: ./%s}}\n' \
    "$name" "$definition" \
    | git --git-dir="$repo" hash-object -w --stdin)
  local parent="" commit
  for rev in "$base" "$head"; do
    local oid type
    oid=$(git --git-dir="$mirror" rev-parse "$rev:$path")
    type=$(git --git-dir="$mirror" cat-file -t "$oid")
    local mode=100644
    [[ "$type" == tree ]] && mode=040000
    local tree
    tree=$(printf '%s %s %s\t%s\n100644 blob %s\tcatalog-info.yaml\n' \
      "$mode" "$type" "$oid" "$(basename "$path")" "$descriptor" | git --git-dir="$repo" mktree)
    commit=$(GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@x GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@x \
      git --git-dir="$repo" commit-tree "$tree" ${parent:+-p "$parent"} -m "$rev")
    parent="$commit"
    # The revision as files, for peers.
    mkdir -p "$bench/$name/$rev"
    git --git-dir="$mirror" archive "$rev" "$path" | tar -x -C "$bench/$name/$rev"
  done
  git --git-dir="$repo" update-ref refs/heads/main "$commit"
}

# run_pair NAME MIRROR PATH BASE HEAD DEFINITION ROOT: ROOT is the root
# file's path in the mirror (what peers are given).
run_pair() {
  local name="$1" mirror_name="$2" path="$3" base="$4" head="$5" definition="$6" root="$7"
  [[ -n "$only" && "$only" != "$name" ]] && return
  local mirror="$mirrors/$mirror_name/repo"
  if [[ ! -d "$mirror/objects" ]]; then
    echo "-- $name: skipped (no mirror at $mirror)"
    return
  fi
  pair "$name" "$mirror" "$path" "$base" "$head" "$definition"
  local size
  size=$(du -sh "$bench/$name/$base/$path" | cut -f1)
  echo "-- $name: $path ($size) $base → $head"
  measure "portolan diff" "$portolan" --root "$bench/$name.git" diff --base main~1 --head main --format json --fail-on never
  grep -o '"breaking": [0-9]*\|"warning": [0-9]*\|"info": [0-9]*' "$bench/out.txt" | head -3 | tr '\n' ' '; echo
  local b="$bench/$name/$base/$root" h="$bench/$name/$head/$root"
  if [[ -x "$peers/node_modules/.bin/redocly" ]]; then
    measure "redocly diff (npm @redocly/cli)" "$peers/node_modules/.bin/redocly" diff "$b" "$h" --format json --fail-on none
  fi
  if [[ -x "$peers/optic/node_modules/.bin/optic" ]]; then
    measure "optic diff (npm @useoptic/optic)" "$peers/optic/node_modules/.bin/optic" diff "$b" "$h" --check --severity error
  fi
  if [[ -x "$peers/node_modules/.bin/openapi-diff" ]]; then
    measure "openapi-diff (npm)" "$peers/node_modules/.bin/openapi-diff" "$b" "$h"
  fi
}

# files_pair NAME BASE_FILE HEAD_FILE: the same, from two files.
files_pair() {
  local name="$1" base_file="$2" head_file="$3"
  [[ -n "$only" && "$only" != "$name" ]] && return
  if [[ ! -f "$base_file" || ! -f "$head_file" ]]; then
    echo "-- $name: skipped (no $base_file or $head_file)"
    return
  fi
  local work="$bench/$name"
  rm -rf "$work"
  mkdir -p "$work"
  git -C "$work" init -q
  printf 'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: %s}\nspec: {type: openapi, lifecycle: production, owner: team, definition: {$text: ./openapi.json}}\n' "$name" > "$work/catalog-info.yaml"
  for file in "$base_file" "$head_file"; do
    cp "$file" "$work/openapi.json"
    git -C "$work" add -A
    git -C "$work" -c user.name=bench -c user.email=b@x commit -q -m "$file"
  done
  echo "-- $name: $(du -h "$base_file" | cut -f1) → $(du -h "$head_file" | cut -f1)"
  measure "portolan diff" "$portolan" --root "$work" diff --base HEAD~1 --head HEAD --format json --fail-on never
  grep -o '"breaking": [0-9]*\|"warning": [0-9]*\|"info": [0-9]*' "$bench/out.txt" | head -3 | tr '\n' ' '; echo
  if [[ -x "$peers/node_modules/.bin/redocly" ]]; then
    measure "redocly diff (npm @redocly/cli)" "$peers/node_modules/.bin/redocly" diff "$base_file" "$head_file" --format json --fail-on none
  fi
  if [[ -x "$peers/node_modules/.bin/openapi-diff" ]]; then
    measure "openapi-diff (npm)" "$peers/node_modules/.bin/openapi-diff" "$base_file" "$head_file"
  fi
}

echo "portolan diff benchmark: $runs runs each, median wall time, peak RSS ($(nproc) cores)"
run_pair stripe stripe+openapi openapi/spec3.yaml bbfb1664 7681c11b \
  spec3.yaml openapi/spec3.yaml
run_pair twilio twilio+twilio-oai spec/yaml/twilio_api_v2010.yaml c854046 5fc16b9 \
  twilio_api_v2010.yaml spec/yaml/twilio_api_v2010.yaml
run_pair digitalocean digitalocean+openapi specification 7c1300c4~1 7c1300c4 \
  specification/DigitalOcean-public.v2.yaml specification/DigitalOcean-public.v2.yaml
octokit="${OCTOKIT_DIR:-/work/bench-inputs/octokit}"
files_pair github-rest "$octokit/22.0.0/package/generated/api.github.com.json" \
  "$octokit/23.0.0/package/generated/api.github.com.json"
