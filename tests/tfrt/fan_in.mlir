// Fan-ins (kernels with several operands) whose producers run back to back on one thread, on
// other threads (async kernels, mstd workers) and inside callees. The executor holds one
// thread's decrements of a kernel's counter and applies them together (docs/executor.md, "Hot
// path"); neither results nor the single-threaded order may change.
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --work_queue_type=mstd:4 %s.bef 2>&1 | FileCheck %s --check-prefix=MT

func.func @double(%x: i32) -> i32 {
  // Both operand positions are one value: two decrements in one delivery.
  %y = tfrt.add.i32 %x, %x
  tfrt.return %y : i32
}

// CHECK-LABEL: --- Running 'wide':
// MT-LABEL: --- Running 'wide':
func.func @wide() -> i32 {
  %x = tfrt.constant.i32 1
  %a = tfrt.add.i32 %x, %x
  %b = tfrt.add.i32 %x, %a
  %c = tfrt.call @double(%b) : (i32) -> i32
  %d = "tfrt_test.async_add.i32"(%a, %x) : (i32, i32) -> i32
  %ab = tfrt.add.i32 %a, %b
  %cd = tfrt.add.i32 %c, %d
  %e = tfrt.add.i32 %ab, %cd
  %f = tfrt.add.i32 %e, %e
  // 2 + 3 + 6 + 3 = 14, doubled.
  // CHECK-NEXT: 'wide' returned 28
  // MT-NEXT: 'wide' returned 28
  tfrt.return %f : i32
}

// Every iteration joins a sync, an async and a called producer.
// CHECK-LABEL: --- Running 'loop':
// MT-LABEL: --- Running 'loop':
func.func @loop() -> i32 {
  %n = tfrt.constant.i32 300
  %zero = tfrt.constant.i32 0
  %r = tfrt.repeat.i32 %n, %zero : i32 {
    %one = tfrt.constant.i32 1
    %a = tfrt.add.i32 %zero, %one
    %b = "tfrt_test.async_add.i32"(%one, %one) : (i32, i32) -> i32
    %c = tfrt.call @double(%one) : (i32) -> i32
    %bc = tfrt.add.i32 %b, %c
    %y = tfrt.add.i32 %a, %bc
    tfrt.return %y : i32
  }
  // CHECK-NEXT: 'loop' returned 1500
  // MT-NEXT: 'loop' returned 1500
  tfrt.return %r : i32
}

// Under `s` the order of unordered prints is the spec's (§6.6), fan-ins included: the joins
// %j and %done run when their last producer delivers, as they did before decrements were held.
// CHECK-LABEL: --- Running 'order':
func.func @order() -> !tfrt.chain {
  %ch = tfrt.new.chain
  %x = tfrt.constant.i32 5
  %p1 = tfrt.print.i32 %x, %ch
  %y = tfrt.add.i32 %x, %x
  %p2 = tfrt.print.i32 %y, %ch
  %z = tfrt.add.i32 %y, %x
  %p3 = tfrt.print.i32 %z, %ch
  %j = tfrt.add.i32 %y, %z
  %p4 = tfrt.print.i32 %j, %ch
  %done = tfrt.merge.chains %p1, %p2, %p3, %p4 : !tfrt.chain, !tfrt.chain, !tfrt.chain, !tfrt.chain
  // CHECK-NEXT: int32 = 25
  // CHECK-NEXT: int32 = 15
  // CHECK-NEXT: int32 = 10
  // CHECK-NEXT: int32 = 5
  // CHECK-NEXT: 'order' returned !tfrt.chain value
  tfrt.return %done : !tfrt.chain
}
