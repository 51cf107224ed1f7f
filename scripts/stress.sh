#!/usr/bin/env bash
# stress.sh: every input shape of issue 16 at size N and 4N, one table each.
#
# Builds the release binary, then runs
#   scripts/stress-catalog.py   YAML and catalog shapes (long lines, flow maps,
#                               aliases, alias bombs, 100,000 documents in one
#                               file, 100,000 files, the synthetic catalog,
#                               FIFOs, minified corpus specs, Kubernetes)
#   scripts/stress-apis.py      API definition shapes (schemas, $ref chains,
#                               big examples, many paths, minified specs)
#   scripts/stress-markdown.py  markdown shapes (nested blockquotes, lists,
#                               emphasis, raw HTML)
#   scripts/stress-diff.py      `portolan diff` shapes (a change deep in a
#                               chain of shared schemas, N changes, N
#                               removed operations, N renamed schemas)
# and prints their markdown tables (wall time and peak RSS of each run, and
# the 4N/N time ratio: near 4 is linear, near 16 quadratic) for BENCHMARKS.md.
#
# Usage:
#   scripts/stress.sh                    # everything at the default sizes
#   STRESS_SCALE=4 scripts/stress.sh     # catalog/API shapes at 4x the sizes
#                                        # (files and synthetic: 100k / 400k)
#   KUBERNETES_SWAGGER=path/swagger.json scripts/stress.sh
#                                        # include the Kubernetes build rows
#   STRESS_SKIP_BUILD=1                  # use the existing release binary
# Timeouts: STRESS_TIMEOUT seconds per run (default 120); a run over it shows
# as "> 120" rather than stopping the script.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
scale="${STRESS_SCALE:-1}"
timeout="${STRESS_TIMEOUT:-120}"
bin="target/release/portolan"

if [[ -z "${STRESS_SKIP_BUILD:-}" ]]; then
    echo "==> cargo build --release -p portolan" >&2
    cargo build --release -p portolan >&2
fi

echo "### Catalog and YAML shapes"
echo
python3 scripts/stress-catalog.py --bin "$bin" --scale "$scale" --timeout "$timeout"
echo
echo "### API definition shapes"
echo
python3 scripts/stress-apis.py --bin "$bin" --scale "$scale" --timeout "$timeout"
echo
echo "### Markdown shapes"
echo
STRESS_BIN="$bin" STRESS_TIMEOUT="$timeout" python3 scripts/stress-markdown.py
echo
echo "### portolan diff shapes"
echo
python3 scripts/stress-diff.py --bin "$bin" --scale "$scale" --timeout "$timeout"
echo
echo "_portolan $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d), $(nproc) cores._"
