func.func @main(%a: i32) -> i32 {
  %c = tfrt.new.chain
  %0 = "tfrt.add.i32"(%a) : (i32) -> i32
  tfrt.return %0 : i32
}
