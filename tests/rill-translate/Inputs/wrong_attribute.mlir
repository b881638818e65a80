func.func @main() -> i32 {
  %c = tfrt.new.chain
  %0 = "tfrt.constant.i32"() {value = "forty-two"} : () -> i32
  tfrt.return %0 : i32
}
