func.func @main() -> i32 {
  %0 = tfrt.constant.i32 42
  tfrt.return %0 : i32
}
