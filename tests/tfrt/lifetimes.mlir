// Scheduling and value lifetimes under the single-threaded queue (host_dialect.md §5.8, §6): the
// worked example of §6.7 line by line, LIFO order within a stream, and uniqueness.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s

module attributes {tfrt.cost_threshold = 1 : i64} {
// CHECK-LABEL: --- Running 'example':
func.func @example() {
  %ch = tfrt.new.chain
  %a = "vt.constant"() {value = 10 : i32} : () -> !vt.value
  %b = "vt.constant"() {value = 20 : i32} : () -> !vt.value
  %s = "vt.add"(%a, %b) : (!vt.value, !vt.value) -> !vt.value
  "vt.print"(%s, %ch) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  "vt.constant"() {value = 7 : i32} : () -> !vt.value
  tfrt.return
}
// CHECK-NEXT: constructed vt.value(7)
// CHECK-NEXT: move constructed vt.value(7)
// CHECK-NEXT: destroyed vt.value(7)
// CHECK-NEXT: constructed vt.value(10)
// CHECK-NEXT: move constructed vt.value(10)
// CHECK-NEXT: constructed vt.value(20)
// CHECK-NEXT: move constructed vt.value(20)
// CHECK-NEXT: constructed vt.value(30)
// CHECK-NEXT: move constructed vt.value(30)
// CHECK-NEXT: destroyed vt.value(10)
// CHECK-NEXT: destroyed vt.value(20)
// CHECK-NEXT: print vt_value(30)
// CHECK-NEXT: destroyed vt.value(30)

// A value is unique when only the current use holds it; aliasing kernels share the payload.
// CHECK-LABEL: --- Running 'uniqueness':
func.func @uniqueness() -> (i1, i1) {
  %ch = tfrt.new.chain
  %v = "vt.constant"() {value = 1 : i32} : () -> !vt.value
  %x, %y = "tfrt_test.share_to_two"(%v) : (!vt.value) -> (!vt.value, !vt.value)
  %u2 = "tfrt_test.get_uniqueness"(%x) : (!vt.value) -> i1
  %ch1 = "vt.print"(%y, %ch) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  %w = "vt.constant"() {value = 2 : i32} : () -> !vt.value
  %u3, %u4 = "tfrt_test.get_uniqueness"(%w, %w) : (!vt.value, !vt.value) -> (i1, i1)
  tfrt.return %u2, %u3 : i1, i1
}
// Two operand uses of %w are two references: not unique.
// CHECK: 'uniqueness' returned 0,0
}
