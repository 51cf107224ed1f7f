#!/usr/bin/env bash
# The pre-commit hook as a user gets it, end to end: build the
# `portolan-catalog` wheel with maturin (packaging/pypi), then let
# pre-commit itself install this repository as a hook repository
# (`pre-commit try-repo`: the root pyproject.toml pulls in the wheel) and
# run `portolan-check` on a sample catalog repository. The hook must fail
# on a broken descriptor, showing the diagnostic, and pass once it is
# fixed. Everything pip installs for the hook comes from the wheels built
# or downloaded here (PIP_NO_INDEX), so nothing of another project named
# alike on PyPI can stand in.
#
#   scripts/test-precommit.sh [--profile dev|release]
#
# Called by .ci/run (dev profile: reuses the test build). Needs python3
# with venv, git, and PyPI for maturin, pre-commit and setuptools.
set -euo pipefail

profile=dev
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { echo "-- $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

step "tools: maturin and pre-commit in a fresh virtualenv"
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet maturin==1.16.0 pre-commit==4.7.0

step "the wheel (maturin, profile $profile)"
(cd "$here/packaging/pypi" && "$work/tools/bin/maturin" build --quiet --profile "$profile" -o "$work/wheels")
ls "$work/wheels"/portolan_catalog-*.whl > /dev/null || fail "no wheel built"
# What building the hook repository's own (code-less) project needs.
"$work/tools/bin/pip" download --quiet --no-deps setuptools==80.9.0 -d "$work/wheels"

step "a catalog repository with a broken descriptor"
catalog="$work/catalog"
mkdir -p "$catalog"
git -C "$catalog" init --quiet
cat > "$catalog/catalog-info.yaml" <<'YAML'
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Orders Service
spec:
  type: service
  lifecycle: production
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
YAML
git -C "$catalog" add catalog-info.yaml

export PIP_NO_INDEX=1
export PIP_FIND_LINKS="$work/wheels"
export PRE_COMMIT_HOME="$work/pre-commit-home"
# With no portolan on PATH, a hook that runs one ran the wheel's.
hook_path="/usr/local/bin:/usr/bin:/bin"
if PATH="$hook_path" command -v portolan > /dev/null; then
  fail "a portolan on $hook_path would hide whether the wheel's ran"
fi
try_hook() {
  (cd "$catalog" && PATH="$hook_path" "$work/tools/bin/pre-commit" try-repo "$here" portolan-check --files catalog-info.yaml) > "$work/out.txt" 2>&1
}

step "the hook fails on it, with the diagnostic"
if try_hook; then
  cat "$work/out.txt"
  fail "the hook passed on a broken descriptor"
fi
grep -q 'catalog-info.yaml:4:3: error\[E002\] .Orders Service. is not a valid entity name' "$work/out.txt" || { cat "$work/out.txt"; fail "no E002 diagnostic at catalog-info.yaml:4:3"; }
grep -q 'portolan check.*Failed' "$work/out.txt" || { cat "$work/out.txt"; fail "pre-commit did not report the hook as failed"; }

step "fixed, it passes"
sed -i 's/name: Orders Service/name: orders-service/' "$catalog/catalog-info.yaml"
git -C "$catalog" add catalog-info.yaml
try_hook || { cat "$work/out.txt"; fail "the hook failed on a valid descriptor"; }
grep -q 'portolan check.*Passed' "$work/out.txt" || { cat "$work/out.txt"; fail "pre-commit did not report the hook as passed"; }

step "ok: the hook installs from the wheel, fails with the diagnostic, passes once fixed"
