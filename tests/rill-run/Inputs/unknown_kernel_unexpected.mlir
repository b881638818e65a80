func.func @main() -> i32 {
  %a = tfrt.constant.i32 1
  %b = "unsupported_kernel"(%a) : (i32) -> i32
  tfrt.return %b : i32
}
