#!/bin/bash
# Fails if any runtime library (host_runtime, bef, executor, kernels) depends, directly or
# transitively, on MLIR or on bef/mlir. The input is the genquery of their deps (tests/BUILD.bazel).
set -euo pipefail
deps="$1"
mlir_pattern='^@llvm//:mlir|^//bef/mlir[:/]|libMLIR'

# The query must have seen the libraries it is meant to guard.
for lib in //host_runtime:host_runtime //bef:bef //bef:container; do
  grep -qxF "$lib" "$deps" || { echo "FAIL: $lib is not in the queried deps"; exit 1; }
done
# The pattern must catch what it is meant to catch.
for bad in "@llvm//:mlir" "//bef/mlir:translate" "/usr/lib/llvm-19/lib/libMLIRIR.a"; do
  grep -qE "$mlir_pattern" <<<"$bad" || { echo "FAIL: pattern misses $bad"; exit 1; }
done
if offenders="$(grep -E "$mlir_pattern" "$deps")"; then
  echo "FAIL: runtime libraries depend on MLIR:"
  echo "$offenders"
  exit 1
fi
echo "ok: $(wc -l < "$deps") dependencies of the runtime libraries, none on MLIR"
