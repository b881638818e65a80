func.func @main() -> i32 {
  %a = "tfrt_test.fail"() : () -> i32 loc("named_op")
  tfrt.return %a : i32
}
