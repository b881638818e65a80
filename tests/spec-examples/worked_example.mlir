// The worked example of host_dialect.md §6.7, verbatim: it translates, and the stream analysis
// gives k1 -> 4, k2 -> 2, k3 -> 3, k4 and k5 -> 2, k6 -> 1 and the root -> 0.
// RUN: rill-bef-dump %s.bef | FileCheck %s
// RUN: rill-translate -bef-to-mlir %s.bef | rill-opt | FileCheck %s --check-prefix=MLIR

// CHECK: function 0 @example async () -> ()
// CHECK: kernel 0 <entry> stream 0
// CHECK: kernel 1 tfrt.new.chain ready 1 stream 4 loc "{{.*}}worked_example.mlir":[[# @LINE + 14]]:9
// CHECK: kernel 2 vt.constant ready 1 stream 2
// CHECK: kernel 3 vt.constant ready 1 stream 3
// CHECK: kernel 4 vt.add ready 2 stream 2
// CHECK: kernel 5 vt.print ready 2 stream 2
// CHECK: kernel 6 vt.constant ready 1 stream 1

// MLIR: func.func @example() {
// MLIR-NEXT: %0 = tfrt.new.chain
// MLIR-NEXT: %1 = "vt.constant"() {value = 10 : i32} : () -> !vt.value
// MLIR: tfrt.return

module attributes {tfrt.cost_threshold = 1 : i64} {
func.func @example() {
  %ch = tfrt.new.chain                                       // k1
  %a = "vt.constant"() {value = 10 : i32} : () -> !vt.value  // k2
  %b = "vt.constant"() {value = 20 : i32} : () -> !vt.value  // k3
  %s = "vt.add"(%a, %b) : (!vt.value, !vt.value) -> !vt.value // k4
  "vt.print"(%s, %ch) : (!vt.value, !tfrt.chain) -> !tfrt.chain // k5
  "vt.constant"() {value = 7 : i32} : () -> !vt.value        // k6
  tfrt.return
}
}
