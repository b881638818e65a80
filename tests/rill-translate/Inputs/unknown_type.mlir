// An unknown type name in a registered dialect.
func.func @main(%a: !ts.nonsense) {
  tfrt.return
}
