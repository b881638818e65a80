// Cancellation through the request (host_dialect.md §5.6): pending kernels are skipped without a
// diagnostic, their results become `Cancelled`, loops stop, and the next function runs normally.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --print_error_code %s.bef 2>&1 | FileCheck %s --check-prefix=CODE
// RUN: rill-run --work_queue_type=mstd:2 %s.bef 2>&1 | FileCheck %s

// CHECK-LABEL: --- Running 'cancel':
func.func @cancel() -> (i32, i32, !tfrt.chain) {
  %ch = tfrt.new.chain
  %x, %ch1 = "tfrt_test.cancel"(%ch) : (!tfrt.chain) -> (i32, !tfrt.chain)
  %y = tfrt.add.i32 %x, %x
  %ch2 = tfrt.print.i32 %y, %ch1
  // CHECK-NEXT: 'cancel' returned <<error: Cancelled>>,<<error: Cancelled>>,<<error: Cancelled>>
  // CODE: 'cancel' returned <<error: Cancelled, code: CANCELLED>>,<<error: Cancelled, code: CANCELLED>>,<<error: Cancelled, code: CANCELLED>>
  // CHECK-NOT: int32
  tfrt.return %y, %y, %ch2 : i32, i32, !tfrt.chain
}

// CHECK-LABEL: --- Running 'cancel_loop':
func.func @cancel_loop() -> (i32, !tfrt.chain) {
  %n = tfrt.constant.i32 1000
  %ch = tfrt.new.chain
  %zero = tfrt.constant.i32 0
  %r, %c = tfrt.repeat.i32 %n, %zero, %ch : i32, !tfrt.chain {
    %x, %ch1 = "tfrt_test.cancel"(%ch) : (!tfrt.chain) -> (i32, !tfrt.chain)
    tfrt.return %x, %ch1 : i32, !tfrt.chain
  }
  // CHECK-NEXT: 'cancel_loop' returned <<error: Cancelled>>,<<error: Cancelled>>
  tfrt.return %r, %c : i32, !tfrt.chain
}

// A fresh request per function: nothing stays cancelled.
// CHECK-LABEL: --- Running 'after':
func.func @after() -> i32 {
  %a = tfrt.constant.i32 5
  // CHECK-NEXT: 'after' returned 5
  tfrt.return %a : i32
}
