func.func @work() -> i32 {
  %a = tfrt.constant.i32 1
  %b = tfrt.add.i32 %a, %a
  %c = "tfrt_test.async_add.i32"(%b, %a) : (i32, i32) -> i32
  %d = tfrt.add.i32 %c, %c
  tfrt.return %d : i32
}
