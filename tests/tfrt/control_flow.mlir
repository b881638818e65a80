// Control flow as kernels (host_dialect.md §11.7-§11.13).
// RUN: rill-run %s.bef 2>&1 | FileCheck %s
// RUN: rill-run --work_queue_type=mstd:4 %s.bef 2>&1 | FileCheck %s --check-prefix=MT

func.func @double(%x: i32) -> i32 {
  %y = tfrt.add.i32 %x, %x
  tfrt.return %y : i32
}
func.func @identity(%x: i32) -> i32 {
  tfrt.return %x : i32
}

// CHECK-LABEL: --- Running 'calls':
// MT-LABEL: --- Running 'calls':
func.func @calls() -> (i32, i32) {
  %a = tfrt.constant.i32 21
  %r = tfrt.call @double(%a) : (i32) -> i32
  %s = tfrt.call @identity(%a) : (i32) -> i32
  // CHECK-NEXT: 'calls' returned 42,21
  // MT-NEXT: 'calls' returned 42,21
  tfrt.return %r, %s : i32, i32
}

// CHECK-LABEL: --- Running 'ifs':
func.func @ifs() -> (i32, i32, i32, i32) {
  %t = tfrt.constant.i1 true
  %f = tfrt.constant.i1 false
  %a = tfrt.constant.i32 3
  %r1 = tfrt.if %t, %a : (i32) -> (i32) {
    %z = tfrt.add.i32 %a, %a
    tfrt.return %z : i32
  } else {
    tfrt.return %a : i32
  }
  %r2 = tfrt.if %f, %a : (i32) -> (i32) {
    %z = tfrt.add.i32 %a, %a
    tfrt.return %z : i32
  } else {
    tfrt.return %a : i32
  }
  %r3 = tfrt.cond %t @double @identity (%a) : (i32) -> (i32)
  %r4 = tfrt.cond %f @double @identity (%a) : (i32) -> (i32)
  // CHECK-NEXT: 'ifs' returned 6,3,6,3
  tfrt.return %r1, %r2, %r3, %r4 : i32, i32, i32, i32
}

// CHECK-LABEL: --- Running 'cases':
func.func @cases() -> (i32, i32, i32) {
  %zero = tfrt.constant.i32 0
  %one = tfrt.constant.i32 1
  %neg = tfrt.constant.i32 -1
  %a = tfrt.constant.i32 4
  %r0 = tfrt.case %zero [@identity, @double] (%a) : (i32) -> (i32)
  %r1 = tfrt.case %one [@identity, @double] (%a) : (i32) -> (i32)
  // Out of range selects the last branch.
  %r2 = tfrt.case %neg [@identity, @double] (%a) : (i32) -> (i32)
  // CHECK-NEXT: 'cases' returned 4,8,8
  tfrt.return %r0, %r1, %r2 : i32, i32, i32
}

func.func @count_to_ten(%x: i32) -> (i32, i1) {
  %one = tfrt.constant.i32 1
  %ten = tfrt.constant.i32 10
  %y = "tfrt_test.async_add.i32"(%x, %one) : (i32, i32) -> i32
  %c = "tfrt.lessequal.i32"(%y, %ten) : (i32, i32) -> i1
  tfrt.return %y, %c : i32, i1
}

// CHECK-LABEL: --- Running 'whiles':
// MT-LABEL: --- Running 'whiles':
func.func @whiles() -> (i32, i32, i32) {
  %t = tfrt.constant.i1 true
  %f = tfrt.constant.i1 false
  %a = tfrt.constant.i32 0
  %r = tfrt.while %t @count_to_ten(%a) parallel_iterations(1) : (i32) -> (i32)
  %p = tfrt.while %t @count_to_ten(%a) parallel_iterations(4) : (i32) -> (i32)
  %n = tfrt.while %f @count_to_ten(%a) parallel_iterations(1) : (i32) -> (i32)
  // CHECK-NEXT: 'whiles' returned 11,11,0
  // MT-NEXT: 'whiles' returned 11,11,0
  tfrt.return %r, %p, %n : i32, i32, i32
}

// CHECK-LABEL: --- Running 'repeats':
// MT-LABEL: --- Running 'repeats':
func.func @repeats() -> (i32, i64, i32, i32) {
  %n = tfrt.constant.i32 100
  %zero = tfrt.constant.i32 0
  %one = tfrt.constant.i32 1
  %r = tfrt.repeat.i32 %n, %zero : i32 {
    %one = tfrt.constant.i32 1
    %a = "tfrt_test.async_add.i32"(%zero, %one) : (i32, i32) -> i32
    tfrt.return %a : i32
  }
  %n64 = "tfrt.constant.i64"() {value = 3 : i64} : () -> i64
  %x = tfrt.constant.i64 5
  %r64 = tfrt.repeat.i64 %n64, %x : i64 {
    %y = tfrt.add.i64 %x, %x
    tfrt.return %y : i64
  }
  %none = tfrt.repeat.i32 %zero, %one : i32 {
    %y = tfrt.add.i32 %one, %one
    tfrt.return %y : i32
  }
  %neg = tfrt.constant.i32 -5
  %negr = tfrt.repeat.i32 %neg, %one : i32 {
    %y = tfrt.add.i32 %one, %one
    tfrt.return %y : i32
  }
  // CHECK-NEXT: 'repeats' returned 100,40,1,1
  // MT-NEXT: 'repeats' returned 100,40,1,1
  tfrt.return %r, %r64, %none, %negr : i32, i64, i32, i32
}

// CHECK-LABEL: --- Running 'repeat_side_effects':
func.func @repeat_side_effects() -> !tfrt.chain {
  %n = tfrt.constant.i32 3
  %ch = tfrt.new.chain
  %x = tfrt.constant.i32 7
  %done, %x2 = tfrt.repeat.i32 %n, %ch, %x : !tfrt.chain, i32 {
    %ch1 = tfrt.print.i32 %x, %ch
    tfrt.return %ch1, %x : !tfrt.chain, i32
  }
  // CHECK-NEXT: int32 = 7
  // CHECK-NEXT: int32 = 7
  // CHECK-NEXT: int32 = 7
  // CHECK-NEXT: 'repeat_side_effects' returned !tfrt.chain value
  tfrt.return %done : !tfrt.chain
}

func.func @init_once() -> i32 {
  %ch = tfrt.new.chain
  %x = tfrt.constant.i32 9
  %ch1 = tfrt.print.i32 %x, %ch
  %y = tfrt.add.i32 %x, %x
  tfrt.return %y : i32
}

// tfrt.once calls @init_once once per request: one print per run.
// CHECK-LABEL: --- Running 'onces':
func.func @onces() -> (i32, i32) {
  %a = tfrt.once @init_once() : () -> (i32)
  %b = tfrt.once @init_once() : () -> (i32)
  // CHECK-NEXT: 'onces' returned 18,18
  // CHECK-NEXT: int32 = 9
  // CHECK-NOT: int32 = 9
  tfrt.return %a, %b : i32, i32
}

func.func @block(%start: i32, %end: i32, %x: i32) -> !tfrt.chain {
  %ch = tfrt.new.chain
  %ch1 = tfrt.print.i32 %start, %ch
  tfrt.return %ch1 : !tfrt.chain
}

// CHECK-LABEL: --- Running 'parallel':
// MT-LABEL: --- Running 'parallel':
func.func @parallel() -> (!tfrt.chain, !tfrt.chain) {
  %s = tfrt.constant.i32 0
  %e = tfrt.constant.i32 10
  %b = tfrt.constant.i32 4
  %x = tfrt.constant.i32 1
  %d1 = tfrt.parallel_for.i32 %s to %e fixed %b {
    %ch = tfrt.new.chain
    tfrt.print.i32 %s, %ch
    tfrt.return
  }
  %d2 = tfrt.parallel_call.i32 %s to %e fixed %b @block(%x) : i32
  // The blocks start at 0, 4 and 8; under `s` they run in FIFO order.
  // CHECK-NEXT: int32 = 0
  // CHECK-NEXT: int32 = 4
  // CHECK-NEXT: int32 = 8
  // CHECK-NEXT: int32 = 0
  // CHECK-NEXT: int32 = 4
  // CHECK-NEXT: int32 = 8
  // CHECK-NEXT: 'parallel' returned !tfrt.chain value,!tfrt.chain value
  // MT-DAG: int32 = 0
  // MT-DAG: int32 = 4
  // MT-DAG: int32 = 8
  // MT: 'parallel' returned !tfrt.chain value,!tfrt.chain value
  tfrt.return %d1, %d2 : !tfrt.chain, !tfrt.chain
}
