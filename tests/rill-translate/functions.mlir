// Functions and regions (host_dialect.md §2.2-§2.3, §9.3): executable order is the post-order walk
// (do.async body, repeat body, if-then, if-else, @f), kinds and signatures are kept, regions come
// back from their region functions with shadowed names, and the BEF round trip is byte-identical.
// RUN: rill-translate -mlir-to-bef %s -o %t.bef
// RUN: rill-bef-dump %t.bef | FileCheck %s --check-prefix=DUMP
// RUN: rill-translate -bef-to-mlir %t.bef | FileCheck %s
// RUN: rill-translate -bef-to-mlir %t.bef | rill-opt | FileCheck %s
// RUN: rill-translate -bef-to-mlir %t.bef | FileCheck %s --check-prefix=MODULE
// Without the optional sections only the referenced module survives (its text is in the reference).
// RUN: rill-translate -mlir-to-bef --disable-optional-sections %s | rill-translate -bef-to-mlir 2>/dev/null | FileCheck %s --check-prefix=BARE
// (The module prints generic: without value types its ops do not verify.)
// BARE: "builtin.module"() <{sym_name = "kernel0"}> ({
// BARE-NOT: sym_name = "unused"
// RUN: rill-translate -bef-to-mlir --mlir-print-debuginfo %t.bef -o %t.debuginfo.mlir
// RUN: rill-translate -mlir-to-bef %t.debuginfo.mlir -o %t.roundtrip.bef
// RUN: cmp %t.bef %t.roundtrip.bef
// RUN: rill-translate -bef-to-mlir %t.bef -o %t.printed.mlir
// RUN: rill-translate -mlir-to-bef %t.printed.mlir | rill-translate -bef-to-mlir | diff %t.printed.mlir -

// DUMP: compiled modules: 2
// DUMP-NEXT: module @kernel0: {{[0-9]+}} bytes of MLIR
// DUMP-NEXT: module @unused: {{[0-9]+}} bytes of MLIR
// DUMP: function 0 <region> async (i32) -> (i32) region of function 1 kernel 1
// DUMP: function 1 <region> async (i32) -> (i32) region of function 4 kernel 1
// DUMP: function 2 <region> async (i32) -> (i32) region of function 4 kernel 2
// DUMP: function 3 <region> async (i32) -> (i32) region of function 4 kernel 2
// DUMP: function 4 @f async (i32, i1) -> (i32)
// DUMP: kernel 1 tfrt.repeat.i32 ready 2 stream {{[0-9]+}} loc "{{.*}}functions.mlir":[[# @LINE + 22]]:8
// DUMP: function 5 @sync sync (i32, i32) -> (i32)
// DUMP: function 6 @native_add native (i32, i32) -> (i32)
// DUMP: function 7 @caller async (i32) -> (i32)
// DUMP: functions [callee = @sync]

// CHECK-LABEL: func.func @f(%arg0: i32, %arg1: i1) -> i32 {
// CHECK-NEXT:    %0 = tfrt.repeat.i32 %arg0, %arg0 : i32 {
// CHECK-NEXT:      %2 = tfrt_test.do.async %arg0 : (i32) -> (i32) {
// CHECK-NEXT:        tfrt.return %arg0 : i32
// CHECK-NEXT:      }
// CHECK-NEXT:      tfrt.return %2 : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %1 = tfrt.if %arg1, %0 : (i32) -> (i32) {
// CHECK-NEXT:      tfrt.return %0 : i32
// CHECK-NEXT:    } else {
// CHECK-NEXT:      %2 = tfrt.constant.i32 1
// CHECK-NEXT:      tfrt.return %2 : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    tfrt.return %1 : i32
// CHECK-NEXT:  }
func.func @f(%n: i32, %c: i1) -> i32 {
  %r = tfrt.repeat.i32 %n, %n : i32 {
    %x = tfrt_test.do.async %n : (i32) -> (i32) {
      tfrt.return %n : i32
    }
    tfrt.return %x : i32
  }
  %y = tfrt.if %c, %r : (i32) -> (i32) {
    tfrt.return %r : i32
  } else {
    %k = tfrt.constant.i32 1
    tfrt.return %k : i32
  }
  tfrt.return %y : i32
}

// CHECK-LABEL: func.func @sync(%arg0: i32, %arg1: i32) -> i32 attributes {tfrt.sync} {
// CHECK-NEXT:    %0 = tfrt.add.i32 %arg0, %arg1
// CHECK-NEXT:    tfrt.return %0 : i32
func.func @sync(%a: i32, %b: i32) -> i32 attributes {tfrt.sync} {
  %s = tfrt.add.i32 %a, %b
  tfrt.return %s : i32
}

// CHECK-LABEL: func.func private @native_add(i32, i32) -> i32 attributes {tfrt.native}
func.func private @native_add(%a: i32, %b: i32) -> i32 attributes {tfrt.native}

// CHECK-LABEL: func.func @caller(%arg0: i32) -> i32 {
// CHECK-NEXT:    %0 = tfrt.call @sync(%arg0, %arg0) : (i32, i32) -> i32
// CHECK-NEXT:    %1 = tfrt.call @native_add(%0, %arg0) : (i32, i32) -> i32
// CHECK-NEXT:    %2 = tfrt.constant.i32 0
// CHECK-NEXT:    %3 = tfrt.parallel_call.i32 %2 to %arg0 fixed %arg0 @block(%1) : i32
// CHECK-NEXT:    %4:2 = tfrt.div.i32 %1, %arg0
// CHECK-NEXT:    %5 = tfrt.print.i32 %4#1, %3
// CHECK-NEXT:    tfrt.return %4#0 : i32
func.func @caller(%a: i32) -> i32 {
  %s = tfrt.call @sync(%a, %a) : (i32, i32) -> i32
  %t = tfrt.call @native_add(%s, %a) : (i32, i32) -> i32
  %zero = tfrt.constant.i32 0
  %done = tfrt.parallel_call.i32 %zero to %a fixed %a @block(%t) : i32
  %q, %r = tfrt.div.i32 %t, %a
  tfrt.print.i32 %r, %done
  tfrt.return %q : i32
}

// CHECK-LABEL: func.func @block(%arg0: i32, %arg1: i32, %arg2: i32) {
func.func @block(%start: i32, %end: i32, %x: i32) {
  tfrt.return
}

// A compiled module is stored as text; references into it are attributes (§2.1, §4.8).
// MODULE:      module {
// MODULE-NEXT:   module @kernel0 attributes {tfrt.compiled} {
// MODULE-NEXT:     func.func @main(%arg0: memref<?x?xf32>) {
// MODULE-NEXT:       return
// MODULE:        module @unused attributes {tfrt.compiled} {
// MODULE-NEXT:     func.func @other() {
// CHECK-LABEL: func.func @uses_compiled()
// CHECK-NEXT:    "simple.kernel"() {func = @kernel0::@main} : () -> ()
// CHECK-NEXT:    "simple.kernel"() {func = @kernel0::@main} : () -> ()
module @kernel0 attributes {tfrt.compiled} {
  func.func @main(%a: memref<?x?xf32>) {
    func.return
  }
}
// A compiled module no attribute references still comes back (the compiled modules section).
module @unused attributes {tfrt.compiled} {
  func.func @other() {
    func.return
  }
}
func.func @uses_compiled() {
  "simple.kernel"() {func = @kernel0::@main} : () -> ()
  "simple.kernel"() {func = @kernel0::@main} : () -> ()
  tfrt.return
}
