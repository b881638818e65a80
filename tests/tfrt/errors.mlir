// Errors are values (host_dialect.md §5.2-§5.3): a kernel with an error operand is skipped and its
// results become that error; reported errors carry the op's location, from tasks too, and the
// runner verifies them against expected-error annotations (§8.6).
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --print_error_code %s.bef 2>&1 | FileCheck %s --check-prefix=CODE

// CHECK-LABEL: --- Running 'divide_by_zero':
func.func @divide_by_zero() -> (i32, i32, i32) {
  %a = tfrt.constant.i32 1
  %z = tfrt.constant.i32 0
  %q, %r = tfrt.div.i32 %a, %z // expected-error {{runtime error: Divide by zero}}
  // Propagation is silent: no second diagnostic.
  %s = tfrt.add.i32 %q, %a
  // CHECK-NEXT: 'divide_by_zero' returned <<error: Divide by zero>>,<<error: Divide by zero>>,<<error: Divide by zero>>
  // CODE: 'divide_by_zero' returned <<error: Divide by zero, code: INTERNAL>>,<<error: Divide by zero, code: INTERNAL>>,<<error: Divide by zero, code: INTERNAL>>
  tfrt.return %q, %r, %s : i32, i32, i32
}

// CHECK-LABEL: --- Running 'last_error_wins':
func.func @last_error_wins() -> i32 {
  %x = "tfrt_test.fail"() : () -> i32 // expected-error {{something bad happened}}
  %ch = tfrt.new.chain
  %e = "tfrt_test.error_chain"(%ch) : (!tfrt.chain) -> !tfrt.chain // expected-error {{error chain}}
  %y = "tfrt_test.identity"(%ch, %x, %e) : (!tfrt.chain, i32, !tfrt.chain) -> (i32)
  // CHECK-NEXT: 'last_error_wins' returned <<error: error chain>>
  tfrt.return %y : i32
}

// CHECK-LABEL: --- Running 'partial_failure':
func.func @partial_failure() -> (i32, i32) {
  %a, %b = "tfrt_test.partial_fail"() : () -> (i32, i32) // expected-error {{something bad happened}}
  // CHECK-NEXT: 'partial_failure' returned 1,<<error: something bad happened>>
  tfrt.return %a, %b : i32, i32
}

// CHECK-LABEL: --- Running 'async_errors':
func.func @async_errors() -> (i32, i32, i32, i32) {
  %zero = tfrt.constant.i32 0
  %one = tfrt.constant.i32 1
  %a = "tfrt_test.report_error_async"() : () -> i32 // expected-error {{something bad happened asynchronously}}
  %b = "tfrt_test.report_error_concrete_async"(%one) : (i32) -> i32 // expected-error {{something bad happened asynchronously}}
  %c = "tfrt_test.report_error_indirect_async"(%one) : (i32) -> i32 // expected-error {{something bad happened asynchronously}}
  %d = "tfrt_test.report_error_indirect_async"(%zero) : (i32) -> i32
  // CHECK-NEXT: 'async_errors' returned <<error: something bad happened asynchronously>>,<<error: something bad happened asynchronously>>,<<error: something bad happened asynchronously>>,0
  tfrt.return %a, %b, %c, %d : i32, i32, i32, i32
}

func.func @fail_in_callee(%x: i32) -> i32 {
  %y = "tfrt_test.fail"() : () -> i32 // expected-error {{something bad happened}}
  %z = tfrt.add.i32 %x, %y
  tfrt.return %z : i32
}

// Errors cross calls and loops as values.
// CHECK-LABEL: --- Running 'through_control_flow':
func.func @through_control_flow() -> (i32, i32, i32) {
  %a = tfrt.constant.i32 1
  %r = tfrt.call @fail_in_callee(%a) : (i32) -> i32
  %n = tfrt.constant.i32 2
  %l = tfrt.repeat.i32 %n, %a : i32 {
    %y = tfrt.call @fail_in_callee(%a) : (i32) -> i32
    tfrt.return %y : i32
  }
  %skipped = tfrt.call @fail_in_callee(%r) : (i32) -> i32
  // CHECK-NEXT: 'through_control_flow' returned <<error: something bad happened>>,<<error: something bad happened>>,<<error: something bad happened>>
  tfrt.return %r, %l, %skipped : i32, i32, i32
}

func.func @fail_condition(%x: i32) -> (i32, i1) {
  %c = "tfrt_test.fail"() : () -> i1 // expected-error {{something bad happened}}
  tfrt.return %x, %c : i32, i1
}

// CHECK-LABEL: --- Running 'while_error':
func.func @while_error() -> i32 {
  %t = tfrt.constant.i1 true
  %a = tfrt.constant.i32 0
  %r = tfrt.while %t @fail_condition(%a) parallel_iterations(1) : (i32) -> (i32)
  // CHECK-NEXT: 'while_error' returned <<error: something bad happened>>
  tfrt.return %r : i32
}

// A native function's error result is a value, not a diagnostic.
func.func private @native_error() -> i32 attributes {tfrt.native}
// CHECK-LABEL: --- Running 'native_error':
// CHECK-NEXT: 'native_error' returned <<error: something bad happened>>
