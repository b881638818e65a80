#!/bin/bash
# Runs the lit suite under tests/ with LLVM 19's lit. Arguments: the tools the tests call; their
# directories go on the tests' PATH (tests/lit.cfg.py).
set -euo pipefail
dirs=""
for tool in "$@"; do
  dirs="${dirs:+$dirs:}$(cd "$(dirname "$tool")" && pwd)"
done
exec /usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -v \
  --param tool_dirs="$dirs" tests
