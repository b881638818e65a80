// Custom syntax of the tfrt ops registered so far (host_dialect.md §10-§11) prints in canonical
// form and re-parses; unknown ops (also inside the tfrt dialect), unknown dialects and unknown
// !tfrt types stay as written.
// RUN: rill-opt %s | FileCheck %s
// RUN: rill-opt %s | rill-opt | FileCheck %s
// RUN: rill-opt %s --mlir-print-op-generic | rill-opt | FileCheck %s

// CHECK-LABEL: func.func @constants(%arg0: !tfrt.chain) -> !tfrt.chain {
func.func @constants(%ch: !tfrt.chain) -> !tfrt.chain {
  // CHECK-NEXT: %0 = tfrt.constant.i1 false
  // CHECK-NEXT: %1 = tfrt.constant.i32 41
  // CHECK-NEXT: %2 = tfrt.constant.f32 1.000000e-01
  // CHECK-NEXT: %3 = tfrt.constant.ui32 4095
  // CHECK-NEXT: %4 = tfrt.constant.i64 -3
  // CHECK-NEXT: %5 = tfrt.constant.f64 2.000000e+00
  // CHECK-NEXT: %6 = tfrt.constant.ui64 7
  %b = tfrt.constant.i1 false
  %i = tfrt.constant.i32 41
  %f = tfrt.constant.f32 0.1
  %u = tfrt.constant.ui32 4095
  %l = tfrt.constant.i64 -3
  %d = tfrt.constant.f64 2.0
  %w = tfrt.constant.ui64 7
  // CHECK-NEXT: %7 = tfrt.print.i1 %0, %arg0
  // CHECK-NEXT: %8 = tfrt.print.i32 %1, %7
  // CHECK-NEXT: %9 = tfrt.print.f32 %2, %8
  // CHECK-NEXT: %10 = tfrt.print.i64 %4, %9
  // CHECK-NEXT: %11 = tfrt.print.f64 %5, %10
  %c1 = tfrt.print.i1 %b, %ch
  %c2 = tfrt.print.i32 %i, %c1
  %c3 = tfrt.print.f32 %f, %c2
  %c4 = tfrt.print.i64 %l, %c3
  %c5 = tfrt.print.f64 %d, %c4
  // CHECK-NEXT: tfrt.return %11 : !tfrt.chain
  tfrt.return %c5 : !tfrt.chain
}

// CHECK-LABEL: func.func @arithmetic(%arg0: i32, %arg1: i32) -> (i32, i1) {
func.func @arithmetic(%a: i32, %b: i32) -> (i32, i1) {
  // CHECK-NEXT: %0 = tfrt.add.i32 %arg0, %arg1
  // CHECK-NEXT: %1 = tfrt.mul.i32 %0, %arg1
  // CHECK-NEXT: %2:2 = tfrt.div.i32 %1, %arg1
  // CHECK-NEXT: %3 = tfrt.equal.i32 %2#0, %2#1
  // CHECK-NEXT: %4 = tfrt.constant.i1 true
  // CHECK-NEXT: %5 = tfrt.and.i1 %3, %4
  // CHECK-NEXT: tfrt.return %2#0, %5 : i32, i1
  %s = tfrt.add.i32 %a, %b
  %p = tfrt.mul.i32 %s, %b
  %q, %r = tfrt.div.i32 %p, %b
  %e = tfrt.equal.i32 %q, %r
  %t = tfrt.constant.i1 true
  %x = tfrt.and.i1 %e, %t
  tfrt.return %q, %x : i32, i1
}

// CHECK-LABEL: func.func @chains_calls_and_unknown_ops(%arg0: i32) -> (i32, !tfrt.chain) {
func.func @chains_calls_and_unknown_ops(%a: i32) -> (i32, !tfrt.chain) {
  // CHECK-NEXT: %0 = tfrt.new.chain
  // CHECK-NEXT: %1 = "tfrt.lessequal.i32"(%arg0, %arg0, %0) : (i32, i32, !tfrt.chain) -> i1
  // CHECK-NEXT: %2 = "vt.constant"() {value = 1 : i32} : () -> !vt.value
  // CHECK-NEXT: %3 = "tfrt.test.make"() : () -> !tfrt.test.resource
  // CHECK-NEXT: %4 = tfrt.merge.chains %0, %1, %3 : !tfrt.chain, i1, !tfrt.test.resource
  // CHECK-NEXT: %5 = tfrt.call @callee(%arg0, %arg0) : (i32, i32) -> i32
  // CHECK-NEXT: tfrt.call @no_results(%arg0) : (i32) -> ()
  // CHECK-NEXT: tfrt.return %5, %4 : i32, !tfrt.chain
  %ch = tfrt.new.chain
  %le = "tfrt.lessequal.i32"(%a, %a, %ch) : (i32, i32, !tfrt.chain) -> i1
  %v = "vt.constant"() {value = 1 : i32} : () -> !vt.value
  %res = "tfrt.test.make"() : () -> !tfrt.test.resource
  %m = tfrt.merge.chains %ch, %le, %res : !tfrt.chain, i1, !tfrt.test.resource
  %r = tfrt.call @callee(%a, %a) : (i32, i32) -> i32
  tfrt.call @no_results(%a) : (i32) -> ()
  tfrt.return %r, %m : i32, !tfrt.chain
}

func.func @callee(%x: i32, %y: i32) -> i32 {
  %s = tfrt.add.i32 %x, %y
  tfrt.return %s : i32
}

func.func @no_results(%x: i32) {
  tfrt.return
}
