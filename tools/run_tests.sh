#!/usr/bin/env bash
# README command 2 — builds and runs every test: the default build, then AddressSanitizer +
# UndefinedBehaviorSanitizer (with leak checking) over everything, then ThreadSanitizer over the
# concurrent code. Installs what is missing first. Exits non-zero if any test fails.
#
# RILL_TEST_CONFIGS limits the configurations, e.g. RILL_TEST_CONFIGS=default for a quick run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup/deps.sh || exit 1

configs="${RILL_TEST_CONFIGS:-default asan tsan}"
status=0
for config in $configs; do
  case "$config" in
    default) flags=(); targets=(//...) ;;
    asan) flags=(--config=asan); targets=(//...) ;;
    # TSan: the packages with concurrency (Debian's absl/gtest are not instrumented, so only our
    # own lock-free code is checked, which is the point).
    tsan) flags=(--config=tsan); targets=(//host_runtime/... //executor/...) ;;
    *) echo "run_tests: unknown configuration '$config' (default, asan, tsan)" >&2; exit 2 ;;
  esac
  echo "=== bazel test ${flags[*]:-} ${targets[*]}"
  bazel test --noshow_progress "${flags[@]}" "${targets[@]}" || status=1
done
exit "$status"
