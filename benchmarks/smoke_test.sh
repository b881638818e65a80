#!/usr/bin/env bash
# Runs each benchmark binary given as an argument for a token amount of time and checks that it
# prints its comparison table. Timing is not asserted.
set -euo pipefail
for bin in "$@"; do
  out="$("$bin" --benchmark_min_time=0.001 2>&1)" || { echo "$out"; echo "FAIL: $bin exited non-zero"; exit 1; }
  if ! grep -q "Comparisons against peers" <<<"$out" || grep -q "not run" <<<"$out"; then
    echo "$out"; echo "FAIL: $bin did not print every comparison"; exit 1
  fi
  echo "ok: $bin"
done
