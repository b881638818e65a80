// Async kernels (host_dialect.md §5.1, §12.1): unavailable results resume their users when they
// resolve, from the work queue; function results produced later are placeholders.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --work_queue_type=mstd %s.bef 2>&1 | FileCheck %s

// CHECK-LABEL: --- Running 'async_chain':
func.func @async_chain() -> (i32, i1, i32, i32) {
  %a = "tfrt_test.async_constant.i32"() {value = 20 : i32} : () -> i32
  %b = "tfrt_test.async_add.i32"(%a, %a) : (i32, i32) -> i32
  %c = "tfrt_test.async_copy.i32"(%b) : (i32) -> i32
  %d = "tfrt_test.async_copy_2.i32"(%c) : (i32) -> i32
  %e = "tfrt_test.async_copy.with_delay.i32"(%d) : (i32) -> i32
  %t = "tfrt_test.async_constant.i1"() {value = true} : () -> i1
  %s = tfrt.add.i32 %e, %a
  // CHECK-NEXT: 'async_chain' returned 40,1,60,40
  tfrt.return %e, %t, %s, %d : i32, i1, i32, i32
}

// CHECK-LABEL: --- Running 'do_async':
func.func @do_async() -> (i32, !tfrt.chain) {
  %a = tfrt.constant.i32 2
  %ch = tfrt.new.chain
  %r, %done = tfrt_test.do.async %a, %ch : (i32, !tfrt.chain) -> (i32, !tfrt.chain) {
    %y = tfrt.add.i32 %a, %a
    %ch1 = tfrt.print.i32 %y, %ch
    tfrt.return %y, %ch1 : i32, !tfrt.chain
  }
  // CHECK-NEXT: int32 = 4
  // CHECK-NEXT: 'do_async' returned 4,!tfrt.chain value
  tfrt.return %r, %done : i32, !tfrt.chain
}

func.func @add_later(%x: i32) -> i32 {
  %y = "tfrt_test.async_add.i32"(%x, %x) : (i32, i32) -> i32
  tfrt.return %y : i32
}

// A call's results are placeholders forwarded when the callee finishes; a callee starts before its
// arguments are available (non-strict functions) but its kernels wait.
// CHECK-LABEL: --- Running 'indirect_results':
func.func @indirect_results() -> (i32, i32) {
  %a = "tfrt_test.async_constant.i32"() {value = 3 : i32} : () -> i32
  %r = tfrt.call @add_later(%a) : (i32) -> i32
  %i = "tfrt_test.make_indirect"(%r) : (i32) -> i32
  // CHECK-NEXT: 'indirect_results' returned 6,6
  tfrt.return %r, %i : i32, i32
}

func.func private @native_add(i32, i32) -> i32 attributes {tfrt.native}
func.func private @native_async_add(i32, i32) -> i32 attributes {tfrt.native}
func.func private @native_async_sink(i32) -> !tfrt.chain attributes {tfrt.native}

// Native functions wait for all their arguments (§5.4).
// CHECK-LABEL: --- Running 'natives':
func.func @natives() -> (i32, i32, !tfrt.chain) {
  %a = "tfrt_test.async_constant.i32"() {value = 5 : i32} : () -> i32
  %b = tfrt.call @native_add(%a, %a) : (i32, i32) -> i32
  %c = tfrt.call @native_async_add(%b, %a) : (i32, i32) -> i32
  %d = tfrt.call @native_async_sink(%c) : (i32) -> !tfrt.chain
  // CHECK-NEXT: 'natives' returned 10,15,!tfrt.chain value
  tfrt.return %b, %c, %d : i32, i32, !tfrt.chain
}

// Blocking work runs on the blocking pool; the chain resolves after its print.
// CHECK-LABEL: --- Running 'blocking':
func.func @blocking() -> !tfrt.chain {
  %us = tfrt.constant.i32 1000
  %ch = "tfrt_test.blocking.usleep"(%us) : (i32) -> !tfrt.chain
  // CHECK-NEXT: Slept for 1000 microseconds
  // CHECK-NEXT: 'blocking' returned !tfrt.chain value
  tfrt.return %ch : !tfrt.chain
}
