#!/usr/bin/env bash
# End-to-end test of rill-demo (the README's run command until rill-run lands): every queue kind
# prints the same results, and bad flags fail with a clear message.
set -euo pipefail
demo="$1"
expect() {  # expect <output> <line>
  grep -qxF -- "$2" <<<"$1" || { echo "missing line: $2"; echo "--- output:"; echo "$1"; exit 1; }
}
for queue in s mstd:1 mstd:2 mstd:8; do
  out="$("$demo" --work_queue_type="$queue")"
  expect "$out" "sum of squares 1..100 over 100 async kernels: 338350"
  expect "$out" "asynchronous kernel: hello, Rill, from a blocking task"
  expect "$out" "error after two dependent kernels: INTERNAL: demo.mlir:3:14: in kernel 'demo.divide' (function 'main'): division by zero"
  expect "$out" "unknown kernel: NOT_FOUND: unknown kernel 'demo.sqaure'; did you mean 'demo.square'?"
  expect "$out" "cancelled request: CANCELLED: Cancelled"
  # The division error is reported exactly once; its dependents are skipped silently.
  [[ "$(grep -c '^runtime error:' <<<"$out")" == 1 ]] || { echo "expected one runtime error"; echo "$out"; exit 1; }
done
if err="$("$demo" --work_queue_type=mstd:0 2>&1)"; then echo "bad queue spec accepted"; exit 1; fi
expect "$err" "$demo: invalid work queue type 'mstd:0': worker thread count '0' is not an integer in [1, 4096] (expected s, mstd, mstd:N or mstd:N,M)"
if err="$("$demo" --host_allocator_type=nope 2>&1)"; then echo "bad allocator accepted"; exit 1; fi
grep -q "unknown host allocator type 'nope'" <<<"$err"
if err="$("$demo" --frobnicate 2>&1)"; then echo "unknown flag accepted"; exit 1; fi
grep -q "unknown argument '--frobnicate'" <<<"$err"
echo "demo_test: ok"
