#!/usr/bin/env bash
# Benchmark: the API design lint (issue #13). Whole-process `portolan
# check` of a catalog holding one large API definition, with the lint off,
# with the `recommended` preset (the default) and with every rule on
# (`all`); side by side, when they are installed, `spectral lint`
# (spectral:oas) and `redocly lint` (recommended) on the same file.
#
# Specs from the shared corpus (default ../shared/corpus, or
# $PORTOLAN_CORPUS): Stripe (4.2 MB YAML, OpenAPI 3.0), OpenAI (OpenAPI
# 3.1), DigitalOcean (2,900-file multi-file spec) and Slack's Web API
# (1.2 MB of JSON, Swagger 2.0). Each is copied into a
# small catalog under target/bench-lint/ (a catalog may only read files
# inside its root); the lint settings are passed with --config.
#
# Times are hyperfine medians (1 warm-up, $BENCH_RUNS runs, default 5;
# Spectral and Redocly 2 runs, no warm-up: they take seconds to a minute),
# peak RSS from GNU time (one more run, whose output gives Spectral's count).
#
# Needs: hyperfine and GNU time; for the comparison, Spectral and Redocly
# installed OUTSIDE the repository:
#   mkdir -p /work/bench-tools && cd /work/bench-tools &&
#   npm install @stoplight/spectral-cli @redocly/cli
# (or set BENCH_TOOLS to the directory holding node_modules/.bin).
# Run:   scripts/bench-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${PORTOLAN_CORPUS:-../shared/corpus}
runs=${BENCH_RUNS:-5}
tools=${BENCH_TOOLS:-/work/bench-tools}/node_modules/.bin
out=target/bench-lint
[ -d "$corpus" ] || { echo "corpus not found at $corpus (set PORTOLAN_CORPUS)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install -y hyperfine)" >&2; exit 1; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p portolan >&2
fi
bin=$PWD/target/release/portolan
mkdir -p "$out"
printf '[lint]\nextends = ["off"]\n' >"$out/off.toml"
printf '[lint]\nextends = ["recommended"]\n' >"$out/recommended.toml"
printf '[lint]\nextends = ["all"]\n' >"$out/all.toml"
printf 'extends: ["spectral:oas"]\n' >"$out/.spectral.yaml"

# name, path of the spec's folder in the corpus, root file in it
specs=(
  "stripe|openapi/stripe/openapi|spec3.yaml"
  "openai|openapi/openai|openapi.yaml"
  "digitalocean|openapi/digitalocean/specification|DigitalOcean-public.v2.yaml"
  "slack|openapi/slack/web-api|slack_web_openapi_v2.json"
)

median() { python3 -c 'import json,sys; print("%.3f s" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
mb() { python3 -c "print('%.0f MB' % ($1 / 1024))"; }

printf '| API | tool | median | peak RSS | findings |\n|---|---|---:|---:|---|\n'
for entry in "${specs[@]}"; do
  IFS='|' read -r name dir root <<<"$entry"
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
  type: openapi
  lifecycle: production
  owner: group:default/platform
  definition:
    \$text: ./spec/$root
YAML
  fi
  for preset in off recommended all; do
    json=$(mktemp)
    cmd="$bin check --root $catalog --config $out/$preset.toml --format concise -q"
    hyperfine --warmup 1 --runs "$runs" -i --export-json "$json" "$cmd" >&2
    rss=$( { /usr/bin/time -f '%M' $cmd >/dev/null || true; } 2>&1 >/dev/null | tail -1)
    findings=$( { $bin check --root "$catalog" --config "$out/$preset.toml" --format json -q || true; } |
      python3 -c 'import json,sys; d=json.load(sys.stdin)["diagnostics"]; l=sum(1 for x in d if x["code"].startswith("L")); print("%d lint, %d other" % (l, len(d)-l))')
    printf '| %s | portolan check, lint %s | %s | %s | %s |\n' "$name" "$preset" "$(median "$json")" "$(mb "$rss")" "$findings"
    rm -f "$json"
  done
  spec="$catalog/spec/$root"
  if [ -x "$tools/spectral" ]; then
    json=$(mktemp); found=$(mktemp)
    cmd="$tools/spectral lint --ruleset $out/.spectral.yaml -f json -q $spec"
    hyperfine --runs 2 -i --export-json "$json" "$cmd" >&2
    rss=$( { /usr/bin/time -f '%M' $cmd >"$found" || true; } 2>&1 | tail -1)
    findings=$(python3 -c 'import json,sys
try: print("%d" % len(json.load(open(sys.argv[1]))))
except Exception: print("?")' "$found")
    printf '| %s | spectral lint (spectral:oas) | %s | %s | %s |\n' "$name" "$(median "$json")" "$(mb "$rss")" "$findings"
    rm -f "$json" "$found"
  fi
  if [ -x "$tools/redocly" ]; then
    json=$(mktemp)
    export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
    cmd="$tools/redocly lint --format stylish $spec"
    hyperfine --runs 2 -i --export-json "$json" "$cmd" >&2
    rss=$( { /usr/bin/time -f '%M' $cmd >/dev/null || true; } 2>&1 | tail -1)
    printf '| %s | redocly lint (recommended) | %s | %s | |\n' "$name" "$(median "$json")" "$(mb "$rss")"
    rm -f "$json"
  fi
done
printf '\n_portolan %s, hyperfine --warmup 1 --runs %s (Spectral, Redocly: 2 runs); %s, %s cores_\n' \
  "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$runs" "$(uname -sr)" "$(nproc)"
