func.func @main() -> i32 {
  %a = tfrt.constant.i32 1
  %b = "unsupported_kernel"(%a) : (i32) -> i32 // expected-error {{unknown kernel name 'unsupported_kernel'}}
  %c = "unsupported_kernel"(%b) : (i32) -> i32
  tfrt.return %c : i32
}
