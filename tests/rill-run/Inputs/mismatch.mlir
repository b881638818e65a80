func.func @main() -> i32 {
  %a = "tfrt_test.fail"() : () -> i32 // expected-error {{something else}}
  %b = tfrt.constant.i32 1 // expected-error @+1 {{never produced}}
  tfrt.return %a : i32
}
