// Sync functions (host_dialect.md §5.9): kernels run in program order on the caller's thread; a
// kernel error stops the function and becomes its error.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s

// CHECK-LABEL: --- Running 'sync_ok':
func.func @sync_ok() -> (i32, i32) attributes {tfrt.sync} {
  %a = tfrt.constant.i32 6
  %b = tfrt.constant.i32 7
  %c = tfrt.mul.i32 %a, %b
  %ch = tfrt.new.chain
  // CHECK-NEXT: int32 = 42
  %ch1 = tfrt.print.i32 %c, %ch
  %d = tfrt.add.i32 %c, %a
  // CHECK-NEXT: 'sync_ok' returned 42,48
  tfrt.return %c, %d : i32, i32
}

// CHECK-LABEL: --- Running 'sync_error':
func.func @sync_error() -> i32 attributes {tfrt.sync} {
  %a = tfrt.constant.i32 1
  %z = tfrt.constant.i32 0
  %q, %r = tfrt.div.i32 %a, %z // expected-error {{Divide by zero}}
  %ch = tfrt.new.chain
  // CHECK-NOT: int32
  %ch1 = tfrt.print.i32 %a, %ch
  // CHECK-NEXT: 'sync_error' returned <<error: Divide by zero>>
  tfrt.return %q : i32
}

func.func @sync_callee(%x: i32) -> i32 attributes {tfrt.sync} {
  %y = tfrt.add.i32 %x, %x
  tfrt.return %y : i32
}

// An async function calls a sync one like any function.
// CHECK-LABEL: --- Running 'call_sync':
func.func @call_sync() -> i32 {
  %a = "tfrt_test.async_constant.i32"() {value = 8 : i32} : () -> i32
  %r = tfrt.call @sync_callee(%a) : (i32) -> i32
  // CHECK-NEXT: 'call_sync' returned 16
  tfrt.return %r : i32
}
