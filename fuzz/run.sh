#!/usr/bin/env bash
# Builds the reader fuzzer with clang-14 (libFuzzer, ASan, UBSan) and runs it for SECONDS.
# Usage: fuzz/run.sh [SECONDS]   (default 60). Exits non-zero on any finding.
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake="$root/.venv/bin/cmake"
ninja="$root/.venv/bin/ninja"
[[ -x "$cmake" ]] || cmake="$(command -v cmake)"
[[ -x "$ninja" ]] || ninja="$(command -v ninja)"
build="$root/build/fuzz"
seeds="$root/fuzz/corpus/reader"
work="$root/fuzz/corpus/reader-work"
artifacts="$build/artifacts"
log="$build/reader_fuzz.log"

CC=clang-14 CXX=clang++-14 "$cmake" -S "$root" -B "$build" -G Ninja \
  -DCMAKE_MAKE_PROGRAM="$ninja" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAMBER_FUZZ=ON -DAMBER_BUILD_TESTS=OFF -DAMBER_BUILD_PYTHON=OFF >/dev/null
"$cmake" --build "$build" --target reader_fuzz

mkdir -p "$work" "$artifacts"
cp -n "$seeds"/* "$work"/ 2>/dev/null || true
if compgen -G "$root/fuzz/findings/*" >/dev/null; then
  cp -n "$root"/fuzz/findings/* "$work"/ 2>/dev/null || true
fi

set +e
"$build/fuzz/reader_fuzz" "$work" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -dict="$root/fuzz/reader.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
  2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

grep -E "stat::number_of_executed_units" "$log" || true
if [[ $status -ne 0 ]]; then
  echo "FUZZ FINDING (exit $status):" >&2
  grep -E "Test unit written to|artifact_prefix" "$log" >&2 || true
  echo "Copy the input into fuzz/findings/ and add a regression test." >&2
  exit 1
fi
echo "fuzz: no finding in ${seconds} s"
