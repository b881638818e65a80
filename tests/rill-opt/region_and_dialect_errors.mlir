// Parser and verifier messages of the control-flow, tfrt_test, ts and corert ops
// (host_dialect.md §10-§14).
// RUN: rill-opt %s -split-input-file -verify-diagnostics

func.func @f(%c: i1, %a: i32) -> i32 {
  %r = tfrt.if %c, %a : (i32) -> (i32) {
    %x = tfrt.constant.i1 true
    // expected-error @+1 {{'tfrt.return' op operand types don't match 'tfrt.if' result}}
    tfrt.return %x : i1
  } else {
    tfrt.return %a : i32
  }
  tfrt.return %r : i32
}

// -----

func.func @f(%c: i1, %a: i32) -> i32 {
  %r = tfrt.if %c, %a : (i32) -> (i32) {
    tfrt.return %a : i32
  // expected-error @+2 {{expected 'else' in 'tfrt.if' with result values}}
  }
  tfrt.return %r : i32
}

// -----

func.func @f() {
  // expected-error @+1 {{expected condition}}
  tfrt.if : () -> () {
    tfrt.return
  }
  tfrt.return
}

// -----

func.func @f(%c: i1, %a: i32) {
  // expected-error @+1 {{'tfrt.if' op incorrect number of arguments to 'then' block}}
  "tfrt.if"(%c, %a) ({
    tfrt.return
  }, {
  ^bb0(%x: i32):
    tfrt.return
  }) : (i1, i32) -> ()
  tfrt.return
}

// -----

func.func @f(%c: i1, %a: i32) {
  // expected-error @+1 {{'tfrt.if' op incorrect number of arguments to 'else' block}}
  "tfrt.if"(%c, %a) ({
  ^bb0(%x: i32):
    tfrt.return
  }, {
    tfrt.return
  }) : (i1, i32) -> ()
  tfrt.return
}

// -----

func.func @f(%c: i1, %a: i32) {
  // expected-error @+1 {{'tfrt.if' op operand/argument type mismatch}}
  "tfrt.if"(%c, %a) ({
  ^bb0(%x: f32):
    tfrt.return
  }, {
  ^bb0(%x: i32):
    tfrt.return
  }) : (i1, i32) -> ()
  tfrt.return
}

// -----

func.func @f(%c: i1) {
  // expected-error @+1 {{'tfrt.if' op expected tfrt.return in body}}
  "tfrt.if"(%c) ({
    "simple.op"() : () -> ()
  }, {
    tfrt.return
  }) : (i1) -> ()
  tfrt.return
}

// -----

func.func @f(%n: i32, %a: i32) -> i32 {
  %r = tfrt.repeat.i32 %n, %a : i32 {
    %x = tfrt.constant.i1 true
    // expected-error @+1 {{'tfrt.return' op operand types don't match 'tfrt.repeat.i32' result}}
    tfrt.return %x : i1
  }
  tfrt.return %r : i32
}

// -----

func.func @f(%n: i32, %a: i32) {
  // expected-error @+1 {{'tfrt.repeat.i32' op incorrect number of operands}}
  "tfrt.repeat.i32"(%n, %a) ({
    tfrt.return
  }) : (i32, i32) -> ()
  tfrt.return
}

// -----

func.func @f(%n: i32, %a: i32) {
  // expected-error @+1 {{'tfrt.repeat.i32' op operand/result type mismatch}}
  %r = "tfrt.repeat.i32"(%n, %a) ({
  ^bb0(%x: i32):
    tfrt.return %x : i32
  }) : (i32, i32) -> f32
  tfrt.return
}

// -----

func.func @f(%n: i32) {
  // expected-error @+1 {{'tfrt.repeat.i32' op expected tfrt.return in body}}
  "tfrt.repeat.i32"(%n) ({
    "simple.op"() : () -> ()
  }) : (i32) -> ()
  tfrt.return
}

// -----

func.func @t(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op 'nowhere' does not reference a valid function}}
  %r = tfrt.cond %c @t @nowhere (%a) : (i32) -> (i32)
  tfrt.return %r : i32
}

// -----

func.func @t(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op requires a 'a_false_fn' symbol reference attribute}}
  %r = "tfrt.cond"(%c, %a) {a_true_fn = @t} : (i1, i32) -> i32
  tfrt.return %r : i32
}

// -----

func.func @t(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @e(%a: f32) -> i32 {
  %r = tfrt.constant.i32 0
  tfrt.return %r : i32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op operand type mismatch for false function}}
  %r = tfrt.cond %c @t @e (%a) : (i32) -> (i32)
  tfrt.return %r : i32
}

// -----

func.func @t(%a: i32, %b: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op incorrect number of operands for true function}}
  %r = tfrt.cond %c @t @t (%a) : (i32) -> (i32)
  tfrt.return %r : i32
}

// -----

func.func @t(%a: i32) -> (i32, i32) {
  tfrt.return %a, %a : i32, i32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op incorrect number of results for true function}}
  %r = tfrt.cond %c @t @t (%a) : (i32) -> (i32)
  tfrt.return %r : i32
}

// -----

func.func @t(%a: i32) -> f32 {
  %r = tfrt.constant.f32 1.0
  tfrt.return %r : f32
}
func.func @f(%c: i1, %a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.cond' op result type mismatch for true function}}
  %r = tfrt.cond %c @t @t (%a) : (i32) -> (i32)
  tfrt.return %r : i32
}

// -----

func.func @pc(%s: i32, %e: i32) {
  tfrt.return
}
func.func @f(%a: i32, %x: i32) {
  // expected-error @+1 {{'tfrt.parallel_call.i32' op incorrect number of callee operands}}
  %d = tfrt.parallel_call.i32 %a to %a fixed %a @pc(%x) : i32
  tfrt.return
}

// -----

func.func @pc(%s: i64, %e: i32) {
  tfrt.return
}
func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.parallel_call.i32' op callee must take stard and end indices first}}
  %d = tfrt.parallel_call.i32 %a to %a fixed %a @pc()
  tfrt.return
}

// -----

func.func @pc(%s: i32, %e: i32, %x: f32) {
  tfrt.return
}
func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.parallel_call.i32' op operand type mismatch}}
  %d = tfrt.parallel_call.i32 %a to %a fixed %a @pc(%a) : i32
  tfrt.return
}

// -----

func.func @pc(%s: i32, %e: i32) -> i32 {
  tfrt.return %s : i32
}
func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.parallel_call.i32' op async callee must return a chain}}
  %d = tfrt.parallel_call.i32 %a to %a fixed %a @pc()
  tfrt.return
}

// -----

func.func @pc(%s: i32, %e: i32) -> (!tfrt.chain, !tfrt.chain) {
  %c = tfrt.new.chain
  tfrt.return %c, %c : !tfrt.chain, !tfrt.chain
}
func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.parallel_call.i32' op invalid callee result type}}
  %d = tfrt.parallel_call.i32 %a to %a fixed %a @pc()
  tfrt.return
}

// -----

func.func @f(%a: i32) -> i32 {
  %r = tfrt_test.do.async %a : (i32) -> (i32) {
    %x = tfrt.constant.f32 1.0
    // expected-error @+1 {{'tfrt.return' op operand types don't match 'tfrt_test.do.async' result}}
    tfrt.return %x : f32
  }
  tfrt.return %r : i32
}

// -----

func.func @f() {
  // expected-error @+1 {{'tfrt_test.do.async' op expected tfrt.return in body}}
  "tfrt_test.do.async"() ({
    "simple.op"() : () -> ()
  }) : () -> ()
  tfrt.return
}

// -----

func.func @f() {
  // expected-error @+1 {{'tfrt_test.benchmark' op missing return statement}}
  tfrt_test.benchmark "b"() duration_secs = 1, max_count = 1 {
    "simple.op"() : () -> ()
  }
  tfrt.return
}

// -----

func.func @f() {
  // expected-error @+1 {{'tfrt_test.benchmark' op incorrect number of return values. One return value is expected}}
  tfrt_test.benchmark "b"() duration_secs = 1, max_count = 1 {
    tfrt.return
  }
  tfrt.return
}

// -----

func.func @f() {
  // expected-error @+1 {{'ts.build_shape' op result #0 must be !ts.shape type, but got 'i32'}}
  %s = "ts.build_shape"() {value = [1, 2]} : () -> i32
  tfrt.return
}

// -----

func.func @f() {
  // expected-error @+1 {{'tfrt_dht.create_uninitialized_tensor.i32.2' op attribute 'shape' failed to satisfy constraint}}
  %t = tfrt_dht.create_uninitialized_tensor.i32.2 [3]
  tfrt.return
}

// -----

func.func @f(%h: !corert.ophandler) {
  // expected-error @+1 {{'corert.executeop' op each op_attr should be a key-value pair, where the key is a string}}
  %r = "corert.executeop"(%h) {op_name = "x", op_attrs = [[1, 2]], op_func_attrs = []} : (!corert.ophandler) -> !corert.tensorhandle
  tfrt.return
}

// -----

func.func @t(%ch: !tfrt.chain) -> !tfrt.chain {
  tfrt.return %ch : !tfrt.chain
}
func.func @f(%c: !corert.tensorhandle, %ch: !tfrt.chain, %a: !corert.tensorhandle) {
  // expected-error @+1 {{'corert.cond' op 't' has mismatching operand types}}
  %ch1, %r = corert.cond %c @t @t (%ch, %a) : (!corert.tensorhandle) -> (!corert.tensorhandle)
  tfrt.return
}

// -----

// expected-note @+1 {{prior use here}}
func.func @f(%a: i32) {
  %b = tfrt.add.i32 %a, %a
  // expected-error @+1 {{use of value '%a' expects different type than prior uses: 'f32' vs 'i32'}}
  %c = tfrt.add.f32 %a, %a
  tfrt.return
}

// -----

func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.call' op requires a 'callee' symbol reference attribute}}
  "tfrt.call"(%a) : (i32) -> ()
  tfrt.return
}

// -----

func.func @f(%ch: !tfrt.chain, %a: !corert.tensorhandle) {
  // expected-error @+1 {{'corert.while' op requires a 'a_cond_fn' symbol reference attribute}}
  %c, %r = "corert.while"(%ch, %a) : (!tfrt.chain, !corert.tensorhandle) -> (!tfrt.chain, !corert.tensorhandle)
  tfrt.return
}
