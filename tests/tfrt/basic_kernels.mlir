// The tfrt dialect's basic kernels (host_dialect.md §11.1-§11.5): values and the exact lines.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s

// CHECK-LABEL: --- Running 'integers':
func.func @integers() -> (i32, i32, i32, i64, i1, i1) {
  %ch = tfrt.new.chain
  %max = tfrt.constant.i32 2147483647
  %one = tfrt.constant.i32 1
  %wrap = tfrt.add.i32 %max, %one
  // CHECK-NEXT: int32 = -2147483648
  %ch1 = tfrt.print.i32 %wrap, %ch
  %m = "tfrt.minus.i32"(%one, %max) : (i32, i32) -> i32
  %seven = tfrt.constant.i32 -7
  %two = tfrt.constant.i32 2
  %q, %r = tfrt.div.i32 %seven, %two
  %big = tfrt.constant.i64 -3
  %p = tfrt.mul.i64 %big, %big
  %eq = tfrt.equal.i32 %one, %one
  %le = "tfrt.lessequal.i32"(%two, %one, %ch1) : (i32, i32, !tfrt.chain) -> i1
  %ch2 = tfrt.print.i64 %p, %ch1
  %ch3 = tfrt.print.i1 %le, %ch2
  // The prints are separate streams (§6.2): they run after the result line, when the runner
  // quiesces the queue.
  // CHECK-NEXT: 'integers' returned -2147483646,-3,-1,9,1,0
  // CHECK-NEXT: int64 = 9
  // CHECK-NEXT: int1 = 0
  tfrt.return %m, %q, %r, %p, %eq, %le : i32, i32, i32, i64, i1, i1
}

// CHECK-LABEL: --- Running 'floats':
func.func @floats() -> (f32, f64, i64, f32) {
  %ch = tfrt.new.chain
  %a = tfrt.constant.f32 0.25
  %b = tfrt.constant.f32 1.5
  %s = tfrt.add.f32 %a, %b
  // CHECK-NEXT: f32 = 1.750000
  %ch1 = tfrt.print.f32 %s, %ch
  %c = tfrt.constant.f64 2.0
  %d = "tfrt.multiply.f64"(%c, %c) : (f64, f64) -> f64
  // CHECK-NEXT: f64 = 4.000000
  %ch2 = tfrt.print.f64 %d, %ch1
  %x = tfrt.constant.f32 255.99997
  %t = "tfrt.cast.f32_to_i64"(%x) : (f32) -> i64
  %mn = "tfrt.minimum.f32"(%a, %b) : (f32, f32) -> f32
  // CHECK-NEXT: 'floats' returned 1.750000e+00,4.000000e+00,255,2.500000e-01
  tfrt.return %s, %d, %t, %mn : f32, f64, i64, f32
}

// CHECK-LABEL: --- Running 'chains':
func.func @chains() -> !tfrt.chain {
  %ch0 = tfrt.new.chain
  %x = tfrt.constant.i32 1
  %ch1 = tfrt.merge.chains %ch0, %x : !tfrt.chain, i32
  %b = tfrt.constant.i1 true
  // CHECK-NEXT: int1 = 1
  %ch2 = tfrt.print.i1 %b, %ch1
  // CHECK-NEXT: 'chains' returned !tfrt.chain value
  tfrt.return %ch2 : !tfrt.chain
}
