#!/usr/bin/env bash
# Benchmark: whole-process `portolan check` of a catalog holding just one
# large API definition (issue #3): Stripe (4.2 MB YAML), OpenAI (3 MB YAML,
# OpenAPI 3.1) and DigitalOcean (2,900-file multi-file spec).
#
# Reads the specs from the shared corpus (default ../shared/corpus, or
# $PORTOLAN_CORPUS), copies each into a small catalog under
# target/bench-apis/ (a catalog may only read files inside its root), and
# times `portolan check` with hyperfine (1 warm-up, 10 runs; median), plus
# peak RSS from /usr/bin/time.
#
# Needs: hyperfine and GNU time (apt-get install -y hyperfine time).
# Run:   scripts/bench-apis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${PORTOLAN_CORPUS:-../shared/corpus}
runs=${BENCH_RUNS:-10}
out=target/bench-apis
[ -d "$corpus" ] || { echo "corpus not found at $corpus (set PORTOLAN_CORPUS)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install -y hyperfine)" >&2; exit 1; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p portolan >&2
fi
bin=target/release/portolan

# name, type, path of the spec's folder in the corpus, root file in it
specs=(
  "stripe|openapi|openapi/stripe/openapi|spec3.yaml"
  "openai|openapi|openapi/openai|openapi.yaml"
  "digitalocean|openapi|openapi/digitalocean/specification|DigitalOcean-public.v2.yaml"
)

printf '| API | definition | median | peak RSS | findings |\n|---|---|---:|---:|---|\n'
for entry in "${specs[@]}"; do
  IFS='|' read -r name type dir root <<<"$entry"
  catalog="$out/$name"
  if [ ! -f "$catalog/catalog-info.yaml" ]; then
    rm -rf "$catalog"
    mkdir -p "$catalog"
    cp -r "$corpus/$dir" "$catalog/spec"
    cat >"$catalog/catalog-info.yaml" <<YAML
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: $name
spec:
  type: $type
  lifecycle: production
  owner: group:default/platform
  definition:
    \$text: ./spec/$root
YAML
  fi
  json=$(mktemp)
  hyperfine --warmup 1 --runs "$runs" -i --export-json "$json" \
    "$bin check --root $catalog --format concise -q" >&2
  median=$(python3 -c 'import json,sys; print("%.0f ms" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$json")
  # (a catalog with findings exits 1: that is not a failure here)
  rss=$( { /usr/bin/time -f '%M' "$bin" check --root "$catalog" --format concise -q >/dev/null || true; } 2>&1 >/dev/null | tail -1)
  findings=$( { "$bin" check --root "$catalog" --format json -q || true; } | python3 -c 'import json,sys; d=json.load(sys.stdin)["summary"]; print("%d errors, %d warnings" % (d["errors"], d["warnings"]))')
  files=$(find "$catalog/spec" -type f | wc -l)
  printf '| %s | %s, %s files | %s | %.0f MB | %s |\n' "$name" "$root" "$files" "$median" "$(python3 -c "print($rss / 1024)")" "$findings"
  rm -f "$json"
done
printf '\n_portolan %s, `check --format concise -q`, hyperfine --warmup 1 --runs %s; %s_\n' \
  "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$runs" "$(uname -sr)"
