// A value used by several kernels on one thread: the executor may hold the releases of all but
// the last use and apply them together (docs/host_runtime.md, "Held drops"). Neither uniqueness
// (§5.8) nor the point of destruction may show it, under the single-threaded queue with every
// use in its own stream (batched task runs), in auto mode (uses grouped in pairs), and through
// a sync callee.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --work_queue_type=mstd:4 %s.bef 2>&1 | FileCheck %s --check-prefix=MT

// Uses one after another in one stream: the last one runs while the first two releases are
// held, and must still see the value unique; it is destroyed right after that use.
// CHECK-LABEL: --- Running 'consecutive_uses':
// MT-LABEL: --- Running 'consecutive_uses':
func.func @consecutive_uses() -> (i1, i1) {
  %ch = tfrt.new.chain
  %v = "vt.constant"() {value = 2 : i32} : () -> !vt.value
  %c1 = "vt.print"(%v, %ch) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  %c2 = "vt.print"(%v, %c1) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  %u, %uc = "tfrt_test.get_uniqueness"(%v, %c2) : (!vt.value, !tfrt.chain) -> (i1, i1)
  tfrt.return %u, %uc : i1, i1
}
// CHECK-NEXT: constructed vt.value(2)
// CHECK-NEXT: move constructed vt.value(2)
// CHECK-NEXT: print vt_value(2)
// CHECK-NEXT: print vt_value(2)
// CHECK-NEXT: destroyed vt.value(2)
// CHECK-NEXT: 'consecutive_uses' returned 1,1
// MT: print vt_value(2)
// MT-NEXT: print vt_value(2)
// MT-NEXT: destroyed vt.value(2)
// MT-NEXT: 'consecutive_uses' returned 1,1

// CHECK-LABEL: --- Running 'four_uses':
// MT-LABEL: --- Running 'four_uses':
func.func @four_uses() -> (i1, i1, i1, i1) {
  %ch = tfrt.new.chain
  %v = "vt.constant"() {value = 3 : i32} : () -> !vt.value
  %u1 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %u2 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %u3 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %ch1 = "vt.print"(%v, %ch) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  %w = "vt.constant"() {value = 4 : i32} : () -> !vt.value
  %ch2 = "vt.print"(%w, %ch1) : (!vt.value, !tfrt.chain) -> !tfrt.chain
  tfrt.return %u1, %u2, %u3, %u1 : i1, i1, i1, i1
}
// CHECK-NEXT: constructed vt.value(3)
// CHECK-NEXT: move constructed vt.value(3)
// CHECK-NEXT: constructed vt.value(4)
// CHECK-NEXT: move constructed vt.value(4)
// CHECK-NEXT: print vt_value(3)
// CHECK-NEXT: print vt_value(4)
// CHECK-NEXT: destroyed vt.value(4)
// CHECK-NEXT: destroyed vt.value(3)
// CHECK-NEXT: 'four_uses' returned 0,1,0,0
// At most one use sees the value unique: one that ran after every other use had returned.
// MT: 'four_uses' returned {{0,0,0,0|1,0,0,1|0,1,0,0|0,0,1,0}}

func.func @sync_uses(%v: !vt.value) -> (i1, i1) attributes {tfrt.sync} {
  %a = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %b = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  tfrt.return %a, %b : i1, i1
}

// CHECK-LABEL: --- Running 'uses_around_a_call':
// MT-LABEL: --- Running 'uses_around_a_call':
func.func @uses_around_a_call() -> (i1, i1, i1, i1) {
  %v = "vt.constant"() {value = 5 : i32} : () -> !vt.value
  %u1 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %u2 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %a, %b = tfrt.call @sync_uses(%v) : (!vt.value) -> (i1, i1)
  tfrt.return %u1, %u2, %a, %b : i1, i1, i1, i1
}
// CHECK-NEXT: constructed vt.value(5)
// CHECK-NEXT: move constructed vt.value(5)
// CHECK-NEXT: destroyed vt.value(5)
// CHECK-NEXT: 'uses_around_a_call' returned 0,1,0,0
// MT: 'uses_around_a_call' returned {{0,0,0,0|1,0,0,0|0,1,0,0|0,0,1,0|0,0,0,1}}

// CHECK-LABEL: --- Running 'own_streams':
// MT-LABEL: --- Running 'own_streams':
func.func @own_streams() -> (i1, i1, i1) attributes {tfrt.cost_threshold = 1 : i64} {
  %v = "vt.constant"() {value = 6 : i32} : () -> !vt.value
  %u1 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %u2 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %u3 = "tfrt_test.get_uniqueness"(%v) : (!vt.value) -> i1
  %w = "vt.constant"() {value = 7 : i32} : () -> !vt.value
  tfrt.return %u1, %u2, %u3 : i1, i1, i1
}
// CHECK-NEXT: constructed vt.value(6)
// CHECK-NEXT: move constructed vt.value(6)
// CHECK-NEXT: constructed vt.value(7)
// CHECK-NEXT: move constructed vt.value(7)
// CHECK-NEXT: destroyed vt.value(7)
// CHECK-NEXT: destroyed vt.value(6)
// CHECK-NEXT: 'own_streams' returned 0,1,0
// MT: 'own_streams' returned {{0,0,0|1,0,0|0,1,0|0,0,1}}
