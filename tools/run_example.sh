#!/usr/bin/env bash
# README command 1 — Rill's main job: installs what is missing, builds, and runs the example.
# Until rill-run and rill-translate land (issues 4-5) the example is rill-demo, a tour of the host
# runtime. Extra arguments go to the program, e.g. --work_queue_type=s.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup/deps.sh
bazel build -c opt --noshow_progress //tools:rill-demo
exec bazel-bin/tools/rill-demo "$@"
