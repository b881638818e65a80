"""Prints a program in which one value has 300 users."""
print("func.func @many() {")
print("  %x = tfrt.constant.i32 1")
for _ in range(300):
    print('  "use"(%x) : (i32) -> ()')
print("  tfrt.return")
print("}")
