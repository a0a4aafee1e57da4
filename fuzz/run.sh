#!/usr/bin/env bash
# Builds the fuzzers with clang-14 (libFuzzer, ASan, UBSan) and runs them for SECONDS in total,
# split evenly: reader_fuzz (amber::Reader on hostile bytes), plan_fuzz (plan compilation
# and prediction on a hostile object graph in a valid file), then table_fuzz (the CSV, JSON
# lines and .npy readers of `amber predict`).
# Usage: fuzz/run.sh [SECONDS] [BUILD_DIR]   (default 60, build/fuzz). Exits non-zero on any finding.
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${2:-$root/build/fuzz}"
cmake="$root/.venv/bin/cmake"
ninja="$root/.venv/bin/ninja"
[[ -x "$cmake" ]] || cmake="$(command -v cmake)"
[[ -x "$ninja" ]] || ninja="$(command -v ninja)"
artifacts="$build/artifacts"

CC=clang-14 CXX=clang++-14 "$cmake" -S "$root" -B "$build" -G Ninja \
  -DCMAKE_MAKE_PROGRAM="$ninja" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAMBER_FUZZ=ON -DAMBER_BUILD_TESTS=OFF -DAMBER_BUILD_PYTHON=OFF >/dev/null
"$cmake" --build "$build" --target reader_fuzz plan_fuzz table_fuzz

# run_target NAME SECONDS MAX_LEN FINDINGS_FOLDER: fuzzes from the seeds and saved findings.
run_target() {
  local name="$1" secs="$2" max_len="$3" findings="$4"
  local seeds="$root/fuzz/corpus/$name" work="$root/fuzz/corpus/$name-work"
  local log="$build/${name}_fuzz.log"
  mkdir -p "$work" "$artifacts"
  cp -n "$seeds"/* "$work"/ 2>/dev/null || true
  if compgen -G "$findings/*" >/dev/null; then
    cp -n "$findings"/* "$work"/ 2>/dev/null || true
  fi
  set +e
  "$build/fuzz/${name}_fuzz" "$work" \
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/fuzz/$name.dict" -artifact_prefix="$artifacts/$name-" -print_final_stats=1 \
    2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  grep -E "stat::number_of_executed_units" "$log" || true
  if [[ $status -ne 0 ]]; then
    echo "FUZZ FINDING in ${name}_fuzz (exit $status):" >&2
    grep -E "Test unit written to|artifact_prefix" "$log" >&2 || true
    echo "Copy the input into fuzz/findings/ (plan: fuzz/findings/plan/, table: fuzz/findings/table/) and fix it." >&2
    return 1
  fi
}

third=$((seconds / 3))
status=0
run_target reader "$third" 65536 "$root/fuzz/findings" || status=1
run_target plan "$third" 65536 "$root/fuzz/findings/plan" || status=1
run_target table "$((seconds - 2 * third))" 65536 "$root/fuzz/findings/table" || status=1
[[ $status -eq 0 ]] && echo "fuzz: no finding in ${seconds} s"
exit $status
