#!/usr/bin/env bash
# Run the cargo-fuzz targets in fuzz/ one after another, each for a number
# of executions or a time, and print a table: target, executions, exec/s,
# coverage, crashes (crashes, timeouts, OOMs and leaks saved by libFuzzer).
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   scripts/fuzz.sh [--runs N | --time SECONDS] [--save] [TARGET...]
#
#   --runs N       executions per target (default 1000000)
#   --time S       at most S seconds per target (whichever limit comes first)
#   --save         afterwards, minimise each working corpus (cargo fuzz
#                  cmin) into fuzz/corpus/<target>/, the committed corpus
#   TARGET...      default: all, fastest first
#
# Each target fuzzes a working corpus in fuzz/target/work/<target>/ (not
# committed), seeded from fuzz/corpus/, fuzz/regressions/ and a few small
# files (< 20 KB) of the shared corpus ($PORTOLAN_CORPUS, default
# ../shared/corpus) read at seed time. Logs go to $FUZZ_LOGS (default
# fuzz/target/logs); crash inputs to fuzz/artifacts/<target>/. One job, one
# worker, 2 GB RSS and 10 s per input, so the run shares a machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

runs=1000000
time_limit=
save=false
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --time) time_limit=$2; shift 2 ;;
    --save) save=true; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(entity_ref path_confine yaml_spans yaml_chunks json_load markdown ref_bundle)

corpus=${PORTOLAN_CORPUS:-$root/../shared/corpus}
logs=${FUZZ_LOGS:-$root/fuzz/target/logs}
work=$root/fuzz/target/work
mkdir -p "$logs" "$work"
# Debug assertions on (integer overflow panics), no sanitizer: the
# targets are safe Rust, and without ASan they run about twice as fast.
build_flags=(-s none -a)

dict_of() {
  case $1 in
    yaml_spans|yaml_chunks|json_load|ref_bundle) echo "$root/fuzz/dicts/yaml.dict" ;;
    markdown) echo "$root/fuzz/dicts/markdown.dict" ;;
    path_confine) echo "$root/fuzz/dicts/path.dict" ;;
  esac
}

# A few small files of the shared corpus for a target, read where they are.
shared_seeds() {
  [ -d "$corpus" ] || return 0
  local found
  case $1 in
    yaml_spans) found=$(find "$corpus/backstage" "$corpus/asyncapi" -type f -size -20k \( -name '*.yaml' -o -name '*.yml' \)) ;;
    yaml_chunks) found=$(find "$corpus/openapi" -type f -size -20k \( -name '*.yaml' -o -name '*.yml' \)) ;;
    json_load) found=$(find "$corpus" -type f -size -20k -name '*.json') ;;
    ref_bundle) found=$(find "$corpus/openapi" "$corpus/asyncapi" -type f -size -20k -name '*.yaml') ;;
    markdown) found=$(find "$corpus" -type f -size -20k -name '*.md') ;;
    *) return 0 ;;
  esac
  printf '%s\n' "$found" | grep . | sort | head -40 || true
}

seed() {
  local t=$1 dir=$work/$1
  mkdir -p "$dir"
  for f in "$root/fuzz/corpus/$t"/* "$root/fuzz/regressions/$t"/*; do
    [ -f "$f" ] && cp -n "$f" "$dir/" 2>/dev/null || true
  done
  while IFS= read -r f; do
    # Named after their path, so a reseed does not duplicate them.
    cp -n "$f" "$dir/shared-$(printf '%s' "${f#"$corpus"/}" | tr '/' '_')" 2>/dev/null || true
  done < <(shared_seeds "$t")
}

(cd fuzz && cargo +nightly fuzz build "${build_flags[@]}" >"$logs/build.log" 2>&1) || {
  echo "cargo fuzz build failed; see $logs/build.log" >&2
  exit 1
}

rows=()
failed=0
for t in "${targets[@]}"; do
  seed "$t"
  artifacts=$root/fuzz/artifacts/$t
  mkdir -p "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  limit=(-runs="$runs")
  [ -n "$time_limit" ] && limit+=(-max_total_time="$time_limit")
  dict=$(dict_of "$t")
  run_dir=$logs/$t
  rm -rf "$run_dir"
  mkdir -p "$run_dir"
  echo "fuzzing $t (${limit[*]}); log: $run_dir/fuzz-0.log" >&2
  # -jobs=1 runs the fuzzer once, in a child that logs to fuzz-0.log in
  # the current directory; it stops at the first crash.
  (cd "$run_dir" && cargo +nightly fuzz run --fuzz-dir "$root/fuzz" "${build_flags[@]}" "$t" "$work/$t" -- \
    -jobs=1 -workers=1 -rss_limit_mb=2048 -timeout=10 "${limit[@]}" \
    ${dict:+-dict="$dict"} -artifact_prefix="$artifacts/" -print_final_stats=1 \
    >"$run_dir/cargo.log" 2>&1) || true
  log=$run_dir/fuzz-0.log
  [ -f "$log" ] || log=$run_dir/cargo.log
  execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s+=$2} END {print s+0}')
  rate=$(grep -h 'stat::average_exec_per_sec' "$log" | tail -1 | awk '{print $2+0}')
  cov=$(grep -ho 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2+0}')
  ft=$(grep -ho 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2+0}')
  found=$(( $(find "$artifacts" -type f | wc -l) - before ))
  [ "$found" -gt 0 ] && failed=1
  rows+=("$(printf '| %-12s | %12s | %7s | %6s | %7s | %7s |' "$t" "$execs" "$rate" "$cov" "$ft" "$found")")
  if $save; then
    (cd fuzz && cargo +nightly fuzz cmin "${build_flags[@]}" "$t" "$work/$t" >"$run_dir/cmin.log" 2>&1)
    rm -rf "$root/fuzz/corpus/$t"
    mkdir -p "$root/fuzz/corpus/$t"
    cp "$work/$t"/* "$root/fuzz/corpus/$t/"
  fi
done

echo
echo "| target       |   executions |  exec/s |    cov |      ft | crashes |"
echo "|--------------|-------------:|--------:|-------:|--------:|--------:|"
printf '%s\n' "${rows[@]}"
[ "$failed" -eq 0 ] || echo "crash, timeout or OOM inputs are in fuzz/artifacts/; see docs/fuzzing.md" >&2
exit "$failed"
