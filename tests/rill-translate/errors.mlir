// Every translation error of host_dialect.md §9.4 (and the other encodings BEF refuses), with
// its text and the file:line:col of the original file under -split-input-file.
// RUN: rill-translate -mlir-to-bef -split-input-file -verify-diagnostics %s
// RUN: not rill-translate -mlir-to-bef -split-input-file %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=LINES
// LINES: errors.mlir:10:3: error: all functions need to have a tfrt.return
// LINES: errors.mlir:16:1: error: external functions are not allowed

func.func @no_return() {
  // expected-error @+1 {{all functions need to have a tfrt.return}}
  "simple.op"() : () -> ()
}

// -----

// expected-error @+1 {{external functions are not allowed}}
func.func private @external(i32) -> i32

// -----

func.func @bad_ref() {
  // expected-error @+1 {{function @missing not defined}}
  "simple.op"() {fn = @missing} : () -> ()
  tfrt.return
}

// -----

func.func @bad_attr() {
  // expected-error @+1 {{BEF files cannot encode the 'dict' attribute}}
  "simple.op"() {dict = {a = 1 : i32}} : () -> ()
  tfrt.return
}

// -----

func.func @sync_arg(%a: i32) -> i32 attributes {tfrt.sync} {
  // expected-error @+1 {{return value 0 is an argument in a sync function}}
  tfrt.return %a : i32
}

// -----

func.func @sync_dup() -> (i32, i32) attributes {tfrt.sync} {
  %x = tfrt.constant.i32 1
  // expected-error @+1 {{return value 1 is duplicated in a sync function}}
  tfrt.return %x, %x : i32, i32
}

// -----

func.func @ret_not_last() {
  // expected-error @+1 {{return op must be at the end of its block}}
  tfrt.return
  "simple.op"() : () -> ()
}

// -----

func.func @outer(%a: i32) {
  "simple.region"() ({
    // expected-error @+1 {{BEF executor only supports references to kernels within the current region}}
    "use"(%a) : (i32) -> ()
    tfrt.return
  }) : () -> ()
  tfrt.return
}

// -----

func.func @multi() {
  // expected-error @+1 {{multi-block regions cannot be emitted to BEF files}}
  "simple.region"() ({
    "use"() : () -> ()
    "simple.br"()[^bb1] : () -> ()
  ^bb1:
    tfrt.return
  }) : () -> ()
  tfrt.return
}

// -----

func.func @bad_call(%a: i32) {
  // expected-error @+1 {{'tfrt.call' op 'nowhere' does not reference a valid function}}
  tfrt.call @nowhere(%a) : (i32) -> ()
  tfrt.return
}

// -----

func.func @tensor_type_attr() {
  // expected-error @+1 {{BEF files cannot encode the 'value' attribute}}
  "simple.op"() {value = tensor<1xf32>} : () -> ()
  tfrt.return
}

// -----

func.func @unit_attr() {
  // expected-error @+1 {{BEF files cannot encode the 'flag' attribute}}
  "simple.op"() {flag} : () -> ()
  tfrt.return
}

// -----

func.func @dense_string() {
  // expected-error @+1 {{BEF files cannot encode the 'value' attribute}}
  "simple.op"() {value = dense<"x"> : tensor<1x!tfrt.string>} : () -> ()
  tfrt.return
}
