// Custom syntax of tfrt_test, tfrt_dht, tfrt_dht_sync, coo and ts ops (host_dialect.md §12-§13),
// the `!t.tensor` alias of !tfrt_tensor.tensor (§3), and their BEF round trip.
// RUN: rill-opt %s | FileCheck %s
// RUN: rill-opt %s | rill-opt | FileCheck %s
// RUN: rill-opt %s --mlir-print-op-generic | rill-opt | FileCheck %s
// RUN: rill-translate -mlir-to-bef %s | rill-translate -bef-to-mlir | FileCheck %s

// CHECK-LABEL: func.func @test_ops(%arg0: i32, %arg1: i32, %arg2: !tfrt.chain) -> i32 {
func.func @test_ops(%a: i32, %b: i32, %ch: !tfrt.chain) -> i32 {
  // CHECK-NEXT: %0 = tfrt_test.do.async %arg0, %arg1 : (i32, i32) -> (i32) {
  // CHECK-NEXT:   %[[S:.*]] = tfrt.add.i32 %arg0, %arg1
  // CHECK-NEXT:   tfrt.return %[[S]] : i32
  // CHECK-NEXT: }
  %r = tfrt_test.do.async %a, %b : (i32, i32) -> (i32) {
    %s = tfrt.add.i32 %a, %b
    tfrt.return %s : i32
  }
  // CHECK-NEXT: tfrt_test.do.async attributes {k = 1 : i32} : () -> () {
  tfrt_test.do.async attributes {k = 1 : i32} : () -> () {
    tfrt.return
  }
  // CHECK:      %{{.*}} = tfrt_test.benchmark "add"(%arg0 : i32, %arg2 : !tfrt.chain) duration_secs = 1, max_count = 100, num_warmup_runs = 10 {
  // CHECK-NEXT:   %[[X:.*]] = tfrt.add.i32 %arg0, %arg0
  // CHECK-NEXT:   tfrt.return %[[X]] : i32
  tfrt_test.benchmark "add"(%a : i32, %ch : !tfrt.chain) max_count = 100, duration_secs = 1, num_warmup_runs = 10 {
    %x = tfrt.add.i32 %a, %a
    tfrt.return %x : i32
  }
  // num_warmup_runs defaults to 1.
  // CHECK:      tfrt_test.benchmark "empty"() duration_secs = 2, max_count = 5, num_warmup_runs = 1 {
  tfrt_test.benchmark "empty"() duration_secs = 2, max_count = 5 {
    %one = tfrt.constant.i32 1
    tfrt.return %one : i32
  }
  // CHECK:      %{{.*}} = tfrt_test.test_cost %arg0, %arg1 {_tfrt_cost = 1 : i64, id = 2 : i64} : i32, i32
  %c = tfrt_test.test_cost %a, %b {id = 2 : i64, _tfrt_cost = 1 : i64} : i32, i32
  // CHECK-NEXT: %[[C3:.*]]:3 = tfrt_test.count3.i32 %arg0
  %x, %y, %z = tfrt_test.count3.i32 %a
  // CHECK-NEXT: %{{.*}} = tfrt_test.get_string {value = "x"}
  %str = tfrt_test.get_string {value = "x"}
  // CHECK-NEXT: tfrt.return %[[C3]]#2 : i32
  tfrt.return %z : i32
}

// CHECK-LABEL: func.func @tensors(%arg0: !tfrt.chain, %arg1: !tfrt_tensor.tensor) -> !tfrt.chain {
func.func @tensors(%ch: !tfrt.chain, %in: !t.tensor) -> !tfrt.chain {
  // CHECK-NEXT: %0 = tfrt_dht.create_uninitialized_tensor.i32.2 [3, 2]
  // CHECK-NEXT: %1 = tfrt_dht.create_uninitialized_tensor.f32.0 []
  // CHECK-NEXT: %2 = tfrt_dht.fill_tensor_with_constant.i32 %0, %arg0 4 : i32
  // CHECK-NEXT: %3 = tfrt_dht.fill_tensor_with_constant.f32 %1, %2 1.000000e+00 : f32
  // CHECK-NEXT: %4 = tfrt_dht.set_tensor_with_constant_values.i32 %0, %3 [1 : i32, -1 : i32]
  // CHECK-NEXT: %5 = tfrt_dht.set_tensor_with_constant_values.bool %0, %4 [false, true]
  // CHECK-NEXT: %6 = tfrt_dht.print_tensor %arg1, %5
  // CHECK-NEXT: %7:2 = tfrt_dht.tensor_equal.i32 %0, %arg1, %6
  %t = tfrt_dht.create_uninitialized_tensor.i32.2 [3 : i64, 2 : i64]
  %t0 = tfrt_dht.create_uninitialized_tensor.f32.0 []
  %c1 = tfrt_dht.fill_tensor_with_constant.i32 %t, %ch 4 : i32
  %c2 = tfrt_dht.fill_tensor_with_constant.f32 %t0, %c1 1.0 : f32
  %c3 = tfrt_dht.set_tensor_with_constant_values.i32 %t, %c2 [1 : i32, -1 : i32]
  %c4 = tfrt_dht.set_tensor_with_constant_values.bool %t, %c3 [false, true]
  %c5 = tfrt_dht.print_tensor %in, %c4
  %eq, %c6 = tfrt_dht.tensor_equal.i32 %t, %in, %c5
  // CHECK-NEXT: %8 = tfrt.constant.i64 16
  // CHECK-NEXT: %9 = tfrt_dht.allocate_buffer %8, %8
  // CHECK-NEXT: %10:2 = tfrt_dht.get_buffer %0, %7#1
  // CHECK-NEXT: %11 = tfrt_dht.get_buffer_slice %9, %8, %8
  // CHECK-NEXT: %12 = tfrt_dht.print_buffer %11, %10#1
  // CHECK-NEXT: %13 = ts.build_shape [1, 57]
  // CHECK-NEXT: %14:2 = tfrt_dht.make_tensor.f32 %9, %13, %12
  // CHECK-NEXT: %15 = tfrt_dht.get_tensor_shape %14#0
  %sz = tfrt.constant.i64 16
  %buf = tfrt_dht.allocate_buffer %sz, %sz
  %b2, %c7 = tfrt_dht.get_buffer %t, %c6
  %sl = tfrt_dht.get_buffer_slice %buf, %sz, %sz
  %c8 = tfrt_dht.print_buffer %sl, %c7
  %shape = ts.build_shape [1 : i64, 57 : i64]
  %mt, %c9 = tfrt_dht.make_tensor.f32 %buf, %shape, %c8
  %gs = tfrt_dht.get_tensor_shape %mt
  // CHECK-NEXT: %16 = ts.print_shape %15, %14#1
  // CHECK-NEXT: %17 = ts.equal_shape %15, %13
  // CHECK-NEXT: %18 = ts.get_num_elements %15
  // CHECK-NEXT: %19 = ts.as_fixed_rank_shape.2 %15
  // CHECK-NEXT: %20 = ts.print_fixed_rank_shape.2 %19, %16
  // CHECK-NEXT: %21 = ts.build_partial_shape [-1, 57]
  // CHECK-NEXT: %22 = ts.build_unranked_partial_shape
  // CHECK-NEXT: %23 = ts.print_partial_shape %21, %20
  // CHECK-NEXT: %24 = ts.to_shape %21
  // CHECK-NEXT: %25 = ts.to_partial_shape %24
  // CHECK-NEXT: %26 = ts.build_shape []
  %c10 = ts.print_shape %gs, %c9
  %e = ts.equal_shape %gs, %shape
  %n = ts.get_num_elements %gs
  %f = ts.as_fixed_rank_shape.2 %gs
  %c11 = ts.print_fixed_rank_shape.2 %f, %c10
  %p = ts.build_partial_shape [-1 : i64, 57 : i64]
  %u = ts.build_unranked_partial_shape
  %c12 = ts.print_partial_shape %p, %c11
  %ts = ts.to_shape %p
  %tp = ts.to_partial_shape %ts
  %scalar = ts.build_shape []
  // CHECK-NEXT: %27:2 = coo.convert_dht_to_coo.i32.2 %0, %23
  // CHECK-NEXT: %28:2 = coo.convert_coo_to_dht.i32.2 %27#0, %27#1
  // CHECK-NEXT: %29:2 = coo.tensor_equal.f32.3 %27#0, %27#0, %28#1
  %coo, %c13 = coo.convert_dht_to_coo.i32.2 %t, %c12
  %dht, %c14 = coo.convert_coo_to_dht.i32.2 %coo, %c13
  %ce, %c15 = coo.tensor_equal.f32.3 %coo, %coo, %c14
  // Generic ops mix both tensor spellings (§3).
  // CHECK-NEXT: %30 = "tfrt_dht.set_tensor_with_values.i64"(%0, %29#1, %8) : (!tfrt_tensor.tensor, !tfrt.chain, i64) -> !tfrt.chain
  %c16 = "tfrt_dht.set_tensor_with_values.i64"(%t, %c15, %sz) : (!t.tensor, !tfrt.chain, i64) -> !tfrt.chain
  // CHECK-NEXT: tfrt.return %30 : !tfrt.chain
  tfrt.return %c16 : !tfrt.chain
}

// CHECK-LABEL: func.func @sync(%arg0: !tfrt_tensor.tensor) attributes {tfrt.sync} {
// CHECK-NEXT:    %0 = tfrt_dht_sync.create_uninitialized_tensor.i32.1 [2]
// CHECK-NEXT:    tfrt_dht_sync.set_tensor_with_constant_values.i32 %0 [1 : i32, -1 : i32]
// CHECK-NEXT:    tfrt_dht_sync.print_tensor %0
// CHECK-NEXT:    tfrt.return
func.func @sync(%t: !tfrt_tensor.tensor) attributes {tfrt.sync} {
  %s = tfrt_dht_sync.create_uninitialized_tensor.i32.1 [2 : i64]
  tfrt_dht_sync.set_tensor_with_constant_values.i32 %s [1 : i32, -1 : i32]
  tfrt_dht_sync.print_tensor %s
  tfrt.return
}
