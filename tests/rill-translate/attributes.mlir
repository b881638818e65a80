// Every attribute kind of host_dialect.md §4.1 survives -mlir-to-bef then -bef-to-mlir and prints
// in MLIR's canonical form (§9.6); the BEF of the printed module is byte-identical to the first.
// RUN: rill-translate -mlir-to-bef %s -o %t.bef
// RUN: rill-translate -bef-to-mlir %t.bef | FileCheck %s
// RUN: rill-translate -bef-to-mlir --mlir-print-debuginfo %t.bef -o %t.roundtrip.mlir
// RUN: rill-translate -mlir-to-bef %t.roundtrip.mlir -o %t.roundtrip.bef
// RUN: cmp %t.bef %t.roundtrip.bef

// CHECK-LABEL: func.func @scalars()
func.func @scalars() {
  // CHECK-NEXT: "simple.op"() {a = true, b = 1 : i8, c = 1 : i16, d = 1 : i32, e = 1 : i64, f = 1 : ui8, g = 1 : ui16, h = 7 : ui32, i = 1 : ui64} : () -> ()
  "simple.op"() {a = true, b = 1 : i8, c = 1 : i16, d = 1 : i32, e = 1, f = 1 : ui8, g = 1 : ui16, h = 7 : ui32, i = 1 : ui64} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = -1.000000e-01 : f32, b = 2.500000e+00 : bf16, c = 1.000000e+00 : f16, d = 5.000000e-01 : f64, e = false, f = -42 : i32} : () -> ()
  "simple.op"() {a = -0.1 : f32, b = 2.5 : bf16, c = 1.0 : f16, d = 0.5, e = false, f = -42 : i32} : () -> ()
  // CHECK-NEXT: "simple.op"() {value = "string constant"} : () -> ()
  "simple.op"() {value = "string constant"} : () -> ()
  // CHECK-NEXT: "simple.op"() {empty = "", nul = "a\00b"} : () -> ()
  "simple.op"() {empty = "", nul = "a\00b"} : () -> ()
  tfrt.return
}

// CHECK-LABEL: func.func @types()
func.func @types() {
  // CHECK-NEXT: "simple.op"() {a = i1, b = i8, c = i16, d = i32, e = i64, f = ui8, g = ui16, h = ui32, i = ui64} : () -> ()
  "simple.op"() {a = i1, b = i8, c = i16, d = i32, e = i64, f = ui8, g = ui16, h = ui32, i = ui64} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = bf16, b = f16, c = f32, d = f64, e = complex<f32>, f = complex<f64>} : () -> ()
  "simple.op"() {a = bf16, b = f16, c = f32, d = f64, e = complex<f32>, f = complex<f64>} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = !corert.string, b = !corert.resource, c = !corert.variant, d = !corert.quint8, e = !corert.quint16, f = !corert.qint8, g = !corert.qint16, h = !corert.qint32} : () -> ()
  "simple.op"() {a = !corert.string, b = !corert.resource, c = !corert.variant, d = !corert.quint8, e = !corert.quint16, f = !corert.qint8, g = !corert.qint16, h = !corert.qint32} : () -> ()
  // CHECK-NEXT: "simple.op"() {value = [f64, f32]} : () -> ()
  "simple.op"() {value = [f64, f32]} : () -> ()
  tfrt.return
}

// CHECK-LABEL: func.func @arrays()
func.func @arrays() {
  // CHECK-NEXT: "simple.op"() {a = [true], b = [1 : i8], c = [1 : i16], d = [1 : i32], e = [1], f = [1 : ui8], g = [1 : ui16], h = [1 : ui32], i = [1 : ui64]} : () -> ()
  "simple.op"() {a = [true], b = [1 : i8], c = [1 : i16], d = [1 : i32], e = [1], f = [1 : ui8], g = [1 : ui16], h = [1 : ui32], i = [1 : ui64]} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = [1.000000e+00 : bf16], b = [1.000000e+00 : f16], c = [1.000000e+00 : f32], d = [1.000000e+00], e = []} : () -> ()
  "simple.op"() {a = [1.0 : bf16], b = [1.0 : f16], c = [1.0 : f32], d = [1.0], e = []} : () -> ()
  // CHECK-NEXT: "simple.op"() {shape = [1, 4], values = [1 : i32, -1 : i32, 65536 : i32]} : () -> ()
  "simple.op"() {shape = [1, 4], values = [1 : i32, -1 : i32, 65536 : i32]} : () -> ()
  tfrt.return
}

// CHECK-LABEL: func.func @aggregates()
func.func @aggregates() {
  // CHECK-NEXT: "simple.op"() {value = [dense<0> : tensor<4xi64>, dense<1> : tensor<4xi64>]} : () -> ()
  "simple.op"() {value = [dense<0> : tensor<4xi64>, dense<1> : tensor<4xi64>]} : () -> ()
  // CHECK-NEXT: "simple.op"() {value = [1 : i32, [2 : i32, "string"]]} : () -> ()
  "simple.op"() {value = [1 : i32, [2 : i32, "string"]]} : () -> ()
  // CHECK-NEXT: "simple.op"() {value = ["s", [1 : i32]]} : () -> ()
  "simple.op"() {value = ["s", [1 : i32]]} : () -> ()
  // CHECK-NEXT: "simple.op"() {value = [1 : i32, 2]} : () -> ()
  "simple.op"() {value = [1 : i32, 2 : i64]} : () -> ()
  // CHECK-NEXT: "tfrt_test.flat"() {value = {{\[\[}}"a", [1 : i32, 2 : i32]], [3.000000e+00 : f32]]} : () -> (!tfrt.string, i32, i32, f32)
  %s, %a, %b, %f = "tfrt_test.flat"() {value = [["a", [1 : i32, 2 : i32]], [3.0 : f32]]} : () -> (!tfrt.string, i32, i32, f32)
  tfrt.return
}

// CHECK-LABEL: func.func @dense()
func.func @dense() {
  // CHECK-NEXT: "simple.op"() {a = dense<true> : tensor<1xi1>, b = dense<1> : tensor<1xui16>, c = dense<1.000000e+00> : tensor<1xbf16>, d = dense<(1.000000e+00,2.000000e+00)> : tensor<1xcomplex<f32>>} : () -> ()
  "simple.op"() {a = dense<true> : tensor<1xi1>, b = dense<1> : tensor<1xui16>, c = dense<1.0> : tensor<1xbf16>, d = dense<(1.0, 2.0)> : tensor<1xcomplex<f32>>} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi32>, b = dense<1> : tensor<1xi8>, c = dense<1> : tensor<i64>, d = dense<[true, false]> : tensor<2xi1>} : () -> ()
  "simple.op"() {a = dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>, b = dense<1> : tensor<1xi8>, c = dense<1> : tensor<i64>, d = dense<[true, false]> : tensor<2xi1>} : () -> ()
  // CHECK-NEXT: "simple.op"() {a = dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf64>, b = dense<(1.000000e+00,-1.000000e+00)> : tensor<2xcomplex<f64>>, c = dense<2> : tensor<3xui64>, d = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf16>} : () -> ()
  "simple.op"() {a = dense<[1.5, -2.0]> : tensor<2xf64>, b = dense<(1.0, -1.0)> : tensor<2xcomplex<f64>>, c = dense<2> : tensor<3xui64>, d = dense<[1.0, 2.0]> : tensor<2xf16>} : () -> ()
  tfrt.return
}

// CHECK-LABEL: func.func @shapes()
func.func @shapes() {
  // CHECK-NEXT: "simple.op"() {a = #corert.shape<2x?x3>, b = #corert.shape<*>, c = #corert.shape<>, d = #corert.shape<1x65536x4294967296>} : () -> ()
  "simple.op"() {a = #corert.shape<2x?x3>, b = #corert.shape<*>, c = #corert.shape<>, d = #corert.shape<1x65536x4294967296>} : () -> ()
  tfrt.return
}

// Function references keep their attribute names (§9.6; TFRT renames them all to `callee`).
// CHECK-LABEL: func.func @references(%arg0: i32)
func.func @references(%a: i32) {
  // CHECK-NEXT: "native_call"(%arg0) {callee = @some_func} : (i32) -> ()
  "native_call"(%a) {callee = @some_func} : (i32) -> ()
  // CHECK-NEXT: "unregistered.call"(%arg0) {a_fn = @some_func, value = 3 : i32, z_fn = @references} : (i32) -> ()
  "unregistered.call"(%a) {a_fn = @some_func, value = 3 : i32, z_fn = @references} : (i32) -> ()
  // CHECK-NEXT: "simple.op"() {branches = [@some_func, @references]} : () -> ()
  "simple.op"() {branches = [@some_func, @references]} : () -> ()
  tfrt.return
}

// CHECK: func.func private @some_func(i32) attributes {tfrt.native}
func.func private @some_func(%a: i32) attributes {tfrt.native}
