// Custom syntax of the tfrt control-flow ops (host_dialect.md §10, §11.7-§11.13) prints in the
// required form, re-parses, survives the generic form, and translates to BEF and back.
// RUN: rill-opt %s | FileCheck %s
// RUN: rill-opt %s | rill-opt | FileCheck %s
// RUN: rill-opt %s --mlir-print-op-generic | rill-opt | FileCheck %s
// RUN: rill-translate -mlir-to-bef %s | rill-translate -bef-to-mlir | FileCheck %s

func.func @callee(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @body(%a: i32) -> (i32, i1) {
  %t = tfrt.constant.i1 false
  tfrt.return %a, %t : i32, i1
}
func.func @pc(%s: i32, %e: i32, %x: i32) -> !tfrt.chain {
  %c = tfrt.new.chain
  tfrt.return %c : !tfrt.chain
}

// CHECK-LABEL: func.func @control(%arg0: i1, %arg1: i32, %arg2: f32, %arg3: !tfrt.chain) -> i32 {
func.func @control(%c: i1, %a: i32, %b: f32, %ch: !tfrt.chain) -> i32 {
  // CHECK-NEXT: %0 = tfrt.if %arg0, %arg1, %arg2 : (i32, f32) -> (i32) {
  // CHECK-NEXT:   tfrt.return %arg1 : i32
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   %[[K:.*]] = tfrt.constant.i32 2
  // CHECK-NEXT:   tfrt.return %[[K]] : i32
  // CHECK-NEXT: }
  %r = tfrt.if %c, %a, %b : (i32, f32) -> (i32) {
    tfrt.return %a : i32
  } else {
    %k = tfrt.constant.i32 2
    tfrt.return %k : i32
  }
  // An `if` without `else` prints with an else region holding tfrt.return.
  // CHECK-NEXT: tfrt.if %arg0 : () -> () {
  // CHECK-NEXT:   tfrt.return
  // CHECK-NEXT: } else {
  // CHECK-NEXT:   tfrt.return
  // CHECK-NEXT: }
  tfrt.if %c : () -> () {
    tfrt.return
  }
  // CHECK-NEXT: tfrt.if %arg0, %arg1 attributes {k = 1 : i32} : (i32) -> () {
  tfrt.if %c, %a attributes {k = 1 : i32} : (i32) -> () {
    tfrt.return
  } else {
    tfrt.return
  }
  // CHECK: %[[R:.*]]:2 = tfrt.repeat.i32 %arg1, %arg1, %arg2 : i32, f32 {
  // CHECK-NEXT:   tfrt.return %arg1, %arg2 : i32, f32
  // CHECK-NEXT: }
  %l:2 = tfrt.repeat.i32 %a, %a, %b : i32, f32 {
    tfrt.return %a, %b : i32, f32
  }
  // CHECK-NEXT: tfrt.repeat.i32 %arg1 {
  // CHECK-NEXT:   tfrt.return
  // CHECK-NEXT: }
  tfrt.repeat.i32 %a {
    tfrt.return
  }
  // CHECK-NEXT: tfrt.repeat.i32 %arg1 attributes {k = 3 : i32} {
  tfrt.repeat.i32 %a attributes {k = 3 : i32} {
    tfrt.return
  }
  // CHECK: %{{.*}} = tfrt.parallel_for.i32 %arg1 to %[[R]]#0 fixed %arg1, %arg2, %arg3 : f32, !tfrt.chain {
  // CHECK-NEXT:   tfrt.return %arg3 : !tfrt.chain
  // CHECK-NEXT: }
  %done = tfrt.parallel_for.i32 %a to %l#0 fixed %a, %b, %ch : f32, !tfrt.chain {
    tfrt.return %ch : !tfrt.chain
  }
  // A repeated operand cannot be shadowed: the entry block is spelled out.
  // CHECK-NEXT: %{{.*}} = tfrt.parallel_for.i32 %arg1 to %arg1 fixed %arg1 {
  // CHECK-NEXT: ^bb0(%[[S:.*]]: i32, %[[E:.*]]: i32):
  // CHECK-NEXT:   "use"(%[[E]]) : (i32) -> ()
  // CHECK-NEXT:   tfrt.return
  %done2 = tfrt.parallel_for.i32 %a to %a fixed %a {
  ^bb0(%start: i32, %end: i32):
    "use"(%end) : (i32) -> ()
    tfrt.return
  }
  // CHECK: %{{.*}} = tfrt.parallel_call.i32 %arg1 to %[[R]]#0 fixed %arg1 @pc(%arg1) : i32
  %done3 = tfrt.parallel_call.i32 %a to %l#0 fixed %a @pc(%a) : i32
  // CHECK-NEXT: %{{.*}} = tfrt.cond %arg0 @callee @callee (%arg1) : (i32) -> (i32)
  %x = tfrt.cond %c @callee @callee (%a) : (i32) -> (i32)
  // CHECK-NEXT: %{{.*}} = tfrt.case %arg1 [@callee, @callee] (%arg1) : (i32) -> (i32)
  %y = tfrt.case %a [@callee, @callee] (%a) : (i32) -> (i32)
  // CHECK-NEXT: %{{.*}} = tfrt.while %arg0 @body(%arg1) parallel_iterations(1) : (i32) -> (i32)
  %z = tfrt.while %c @body(%a) parallel_iterations(1) : (i32) -> (i32)
  // CHECK-NEXT: %{{.*}} = tfrt.once @callee(%arg1) : (i32) -> (i32)
  %o = tfrt.once @callee(%a) : (i32) -> (i32)
  // CHECK-NEXT: %{{.*}} = tfrt.call @callee(%arg1) : (i32) -> i32
  %w = tfrt.call @callee(%a) : (i32) -> i32
  // CHECK-NEXT: %{{.*}} = tfrt.merge.chains %arg3, %arg1, %arg3 : !tfrt.chain, i32, !tfrt.chain
  %m = tfrt.merge.chains %ch, %a, %ch : !tfrt.chain, i32, !tfrt.chain
  // The optional trailing chain operand of every kernel (§2.4).
  // CHECK-NEXT: %{{.*}} = tfrt.add.i32 %arg1, %arg1, %arg3
  %s = "tfrt.add.i32"(%a, %a, %ch) : (i32, i32, !tfrt.chain) -> i32
  // CHECK-NEXT: %{{.*}} = tfrt.constant.i32 7, %arg3
  %k = "tfrt.constant.i32"(%ch) {value = 7 : i32} : (!tfrt.chain) -> i32
  // CHECK-NEXT: %{{.*}} = tfrt.new.chain(%arg3)
  %n = "tfrt.new.chain"(%ch) : (!tfrt.chain) -> !tfrt.chain
  // CHECK-NEXT: tfrt.return %0 : i32
  tfrt.return %r : i32
}
