// A missing operation name.
func.func @main() {
  %0 = tfrt.constant.i32 1
  %1 = = 3
  tfrt.return
}
