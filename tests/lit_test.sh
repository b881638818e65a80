#!/bin/bash
# Runs the lit suite under tests/ with LLVM 19's lit. Arguments: the tools the tests call; their
# directories go on the tests' PATH (tests/lit.cfg.py).
#
# The suite runs on a writable copy of tests/ (Bazel's runfiles are read-only) so that the TFRT
# convention works: before any check runs, every program whose RUN lines use `%s.bef` is
# translated next to itself (`rill-translate -mlir-to-bef prog.mlir -o prog.mlir.bef`), with the
# absolute path recorded in its locations (host_dialect.md §1). A program that does not translate
# gets no .bef; its own RUN lines then report why.
set -euo pipefail
dirs=""
translate=""
for tool in "$@"; do
  dirs="${dirs:+$dirs:}$(cd "$(dirname "$tool")" && pwd)"
  if [[ "$(basename "$tool")" == rill-translate ]]; then
    translate="$(cd "$(dirname "$tool")" && pwd)/rill-translate"
  fi
done
suite="${TEST_TMPDIR:-$(mktemp -d)}/suite"
rm -rf "$suite"
mkdir -p "$suite"
cp -rL tests examples "$suite/"
if [[ -n "$translate" ]]; then
  { grep -rlZ --include='*.mlir' 'RUN:.*%s\.bef' "$suite/tests" || true; } |
    while IFS= read -r -d '' program; do
      "$translate" -mlir-to-bef "$program" -o "$program.bef" 2>/dev/null || true
    done
fi
exec /usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -v \
  --param tool_dirs="$dirs" "$suite/tests"
