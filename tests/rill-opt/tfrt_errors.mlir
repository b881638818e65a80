// Verifier messages of host_dialect.md §10-§11 for the registered tfrt ops.
// RUN: rill-opt %s -split-input-file -verify-diagnostics

func.func @f(%a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.return' op has 0 operands, but enclosing function returns 1}}
  tfrt.return
}

// -----

func.func @f(%a: i32) -> f32 {
  // expected-error @+1 {{type of return operand 0 ('i32') doesn't match function result type ('f32')}}
  tfrt.return %a : i32
}

// -----

func.func @f(%a: i32) -> i32 {
  // expected-error @+1 {{'tfrt.call' op 'nope' does not reference a valid function}}
  %r = tfrt.call @nope(%a) : (i32) -> i32
  tfrt.return %r : i32
}

// -----

func.func @g(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%a: i32, %b: i32) -> i32 {
  // expected-error @+1 {{'tfrt.call' op incorrect number of operands for callee}}
  %r = tfrt.call @g(%a, %b) : (i32, i32) -> i32
  tfrt.return %r : i32
}

// -----

func.func @g(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%a: i64) -> i32 {
  // expected-error @+1 {{'tfrt.call' op operand type mismatch}}
  %r = tfrt.call @g(%a) : (i64) -> i32
  tfrt.return %r : i32
}

// -----

func.func @g(%a: i32) -> i32 {
  tfrt.return %a : i32
}
func.func @f(%a: i32) {
  // expected-error @+1 {{'tfrt.call' op incorrect number of results for callee}}
  tfrt.call @g(%a) : (i32) -> ()
  tfrt.return
}

// -----

// A custom-syntax op resolves its operands to their fixed types.
// expected-note @+1 {{prior use here}}
func.func @f(%a: i64) -> i32 {
  // expected-error @+1 {{use of value '%a' expects different type than prior uses: 'i32' vs 'i64'}}
  %r = tfrt.add.i32 %a, %a
  tfrt.return %r : i32
}
