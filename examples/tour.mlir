// A first look at Rill: run it with `tools/run_example.sh` (README.md).
//
// rill-translate turns this TFRT host program into BEF; rill-run loads the BEF and runs every
// function without arguments, in order, printing what each returns.

// Dataflow: kernels run as soon as their operands are available; chains order side effects.
func.func @hello() -> i32 {
  %ch0 = tfrt.new.chain
  %ch1 = "tfrt_test.print_hello"(%ch0) : (!tfrt.chain) -> !tfrt.chain
  %a = tfrt.constant.i32 40
  %b = tfrt.constant.i32 2
  %sum = tfrt.add.i32 %a, %b
  %ch2 = tfrt.print.i32 %sum, %ch1
  tfrt.return %sum : i32
}

// Async kernels complete later, on the work queue; their users resume when they do.
func.func @fibonacci_step(%a: i32, %b: i32) -> (i32, i32) {
  %next = "tfrt_test.async_add.i32"(%a, %b) : (i32, i32) -> i32
  tfrt.return %b, %next : i32, i32
}

// Control flow is kernels too: a loop, a call, a branch.
func.func @control_flow() -> (i32, i32) {
  %zero = tfrt.constant.i32 0
  %one = tfrt.constant.i32 1
  %n = tfrt.constant.i32 30
  %f0, %f1 = tfrt.repeat.i32 %n, %zero, %one : i32, i32 {
    %x, %y = tfrt.call @fibonacci_step(%zero, %one) : (i32, i32) -> (i32, i32)
    tfrt.return %x, %y : i32, i32
  }
  %limit = tfrt.constant.i32 1000000
  %small = "tfrt.lessequal.i32"(%f0, %limit) : (i32, i32) -> i1
  %r = tfrt.if %small, %f0 : (i32) -> (i32) {
    tfrt.return %f0 : i32
  } else {
    %half = tfrt.constant.i32 2
    %q, %rem = tfrt.div.i32 %f0, %half
    tfrt.return %q : i32
  }
  tfrt.return %f0, %r : i32, i32
}

// Errors are values: the failing kernel's results become the error, kernels that use them are
// skipped, and the runner reports the error at its source location (this file, line:column).
func.func @error_with_location() -> (i32, i32) {
  %a = tfrt.constant.i32 7
  %zero = tfrt.constant.i32 0
  %q, %r = tfrt.div.i32 %a, %zero
  %skipped = tfrt.add.i32 %q, %a
  %fine = tfrt.add.i32 %a, %a
  tfrt.return %skipped, %fine : i32, i32
}
