#!/usr/bin/env bash
# README command 1 — Rill's main job: installs what is missing, builds rill-translate and rill-run,
# translates examples/tour.mlir (or the .mlir file given as the first argument) to BEF and runs it.
# Further arguments go to rill-run, e.g. --work_queue_type=mstd or --trace=/tmp/tour.json.
#
# The example reports one deliberate error; --diagnostics=print shows it with its source location,
# kernel and function instead of treating it as a failed expectation (rill-run's TFRT default).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup/deps.sh
program=examples/tour.mlir
if [[ $# -gt 0 && "$1" == *.mlir ]]; then
  program="$1"
  shift
fi
bazel build -c opt --noshow_progress //tools:rill-translate //tools:rill-run
bin="$(bazel info -c opt bazel-bin 2>/dev/null)/tools"
out="$(mktemp -d)/$(basename "$program").bef"
echo "\$ rill-translate -mlir-to-bef $program -o $out"
"$bin/rill-translate" -mlir-to-bef "$program" -o "$out"
echo "\$ rill-run --diagnostics=print $* $out"
exec "$bin/rill-run" --diagnostics=print "$@" "$out"
