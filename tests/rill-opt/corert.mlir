// Custom syntax of the corert dialect (host_dialect.md §10, §14): required printed forms, each
// result of corert.executeop.seq as its own SSA name, #corert.shape, opaque !corert types, and
// the BEF round trip.
// RUN: rill-opt %s | FileCheck %s
// RUN: rill-opt %s | rill-opt | FileCheck %s
// RUN: rill-opt %s --mlir-print-op-generic | rill-opt | FileCheck %s
// RUN: rill-translate -mlir-to-bef %s | rill-translate -bef-to-mlir | FileCheck %s

// CHECK-LABEL: func.func @branch(%arg0: !tfrt.chain, %arg1: !corert.tensorhandle) -> (!tfrt.chain, !corert.tensorhandle) {
func.func @branch(%ch: !tfrt.chain, %a: !corert.tensorhandle) -> (!tfrt.chain, !corert.tensorhandle) {
  tfrt.return %ch, %a : !tfrt.chain, !corert.tensorhandle
}
func.func @cond(%ch: !tfrt.chain, %a: !corert.tensorhandle) -> (!tfrt.chain, !corert.tensorhandle) {
  tfrt.return %ch, %a : !tfrt.chain, !corert.tensorhandle
}

// CHECK-LABEL: func.func @ops(%arg0: !corert.tensorhandle) -> !tfrt.chain {
func.func @ops(%arg0: !corert.tensorhandle) -> !tfrt.chain {
  // CHECK-NEXT: %0 = tfrt.new.chain
  // CHECK-NEXT: %1 = corert.get_op_handler %0 "cpu"
  // CHECK-NEXT: %2 = corert.executeop(%1) "some.op"(%arg0) {shape = [1, 65536], values = [1.000000e+00 : f32]} : 1
  // CHECK-NEXT: corert.executeop(%1) "some.op"(%arg0){{$}}
  // CHECK-NEXT: %3 = corert.executeop(%1) "some.op"() : 1
  // CHECK-NEXT: %[[A:[a-z_0-9]+]], %[[B:[a-z_0-9]+]] = corert.executeop.seq(%1, %0) "some.op"() : 1
  // CHECK-NEXT: %{{[a-z_0-9]+}}, %{{[a-z_0-9]+}}, %{{[a-z_0-9]+}} = corert.executeop.seq(%1, %[[A]]) "some.op"(%[[B]]) {a = 1 : i32} {f = "fn"} : 2
  // CHECK-NEXT: %{{.*}} = corert.executeop(%1) "some.op"() {} {f = "fn"} : 1
  %ch = tfrt.new.chain
  %h = corert.get_op_handler %ch "cpu"
  %r = corert.executeop(%h) "some.op"(%arg0) {shape = [1, 65536], values = [1.0 : f32]} : 1
  corert.executeop(%h) "some.op"(%arg0)
  %r2 = corert.executeop(%h) "some.op"() : 1
  %c1, %r3 = corert.executeop.seq(%h, %ch) "some.op"() : 1
  %c2, %r4, %r5 = corert.executeop.seq(%h, %c1) "some.op"(%r3) {a = 1 : i32} {f = "fn"} : 2
  %r6 = corert.executeop(%h) "some.op"() {} {f = "fn"} : 1
  // CHECK-NEXT: %{{.*}} = corert.const_string_tensor {shape = [1, 2], value = ["const", "string"]}
  // CHECK-NEXT: %{{.*}} = corert.create_dense_tensor.ui64 {shape = [1, 1], value = [1 : ui64]}
  // CHECK-NEXT: %[[D:.*]] = corert.const_dense_tensor dense<[0, 1, 2]> : tensor<3xi32>
  // CHECK-NEXT: %{{.*}} = corert.tensorhandle_to_int32 %[[D]]
  // CHECK-NEXT: %[[REG:.*]] = corert.register_op_handler %1 "name"
  %s = corert.const_string_tensor {shape = [1, 2], value = ["const", "string"]}
  %d = corert.create_dense_tensor.ui64 {shape = [1, 1], value = [1 : ui64]}
  %cd = corert.const_dense_tensor dense<[0, 1, 2]> : tensor<3xi32>
  %i = corert.tensorhandle_to_int32 %cd
  %reg = corert.register_op_handler %h "name"
  // CHECK-NEXT: %{{.*}}:2 = corert.cond %arg0 @branch @branch (%0, %arg0) : (!corert.tensorhandle) -> (!corert.tensorhandle)
  // CHECK-NEXT: %{{.*}}:2 = corert.while @cond @branch (%0, %arg0) : (!corert.tensorhandle) -> (!corert.tensorhandle)
  %c3, %x = corert.cond %arg0 @branch @branch (%ch, %arg0) : (!corert.tensorhandle) -> (!corert.tensorhandle)
  %c4, %y = corert.while @cond @branch (%ch, %arg0) : (!corert.tensorhandle) -> (!corert.tensorhandle)
  // CHECK-NEXT: "corert.op_attrs_set.shape"() {key = "s", ranked = #corert.shape<1x?x3>, scalar = #corert.shape<>, unranked = #corert.shape<*>} : () -> ()
  "corert.op_attrs_set.shape"() {key = "s", ranked = #corert.shape<1x?x3>, unranked = #corert.shape<*>, scalar = #corert.shape<>} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = !corert.string, b = !corert.qint32} : () -> !corert.op
  %op = "simple.op"() {a = !corert.string, b = !corert.qint32} : () -> !corert.op
  // The generic form (§14.3) prints in custom form.
  // CHECK-NEXT: %{{.*}} = corert.executeop(%1) "some.op"(%arg0) {k = 1 : i32} : 1
  %g = "corert.executeop"(%h, %arg0) {op_name = "some.op", op_attrs = [["k", 1 : i32]], op_func_attrs = []} : (!corert.ophandler, !corert.tensorhandle) -> !corert.tensorhandle
  tfrt.return %reg : !tfrt.chain
}
