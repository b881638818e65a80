func.func @print_hello() {
  %ch = tfrt.new.chain
  %ch1 = "tfrt_test.print_hello"(%ch) : (!tfrt.chain) -> !tfrt.chain
  tfrt.return
}
func.func @print_bye() {
  %ch = tfrt.new.chain
  %s = "tfrt_test.get_string"() {value = "bye"} : () -> !tfrt.string
  %ch1 = "tfrt_test.print_string"(%s, %ch) : (!tfrt.string, !tfrt.chain) -> !tfrt.chain
  tfrt.return
}
func.func @__init__() {
  %ch = tfrt.new.chain
  %one = tfrt.constant.i32 1
  %ch1 = tfrt.print.i32 %one, %ch
  tfrt.return
}
func.func @answer() -> i32 {
  %a = tfrt.constant.i32 42
  tfrt.return %a : i32
}
func.func @add_one(%x: i32) -> i32 {
  %one = tfrt.constant.i32 1
  %y = tfrt.add.i32 %x, %one
  tfrt.return %y : i32
}
