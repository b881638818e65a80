#include "bef/testing/samples.h"

#include <cstring>
#include <random>
#include <string>

#include "bef/builder.h"

namespace rill {
namespace bef {
namespace testing {

absl::StatusOr<std::vector<uint8_t>> TinyProgram() {
  BefBuilder b("t");
  b.set_emit_debug_names(false);
  const uint32_t i32 = b.AddType("i32");
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {}, {i32});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  KernelSpec k;
  k.name = b.AddKernelName("k");
  k.attributes = {b.AddScalar<int32_t>(7)};
  k.num_results = 1;
  k.location = b.AddFileLocation("a", 1, 2);
  const std::vector<uint32_t> r = body->AddKernel(k);
  body->SetResults(r);
  return b.Finish();
}

absl::StatusOr<std::vector<uint8_t>> EveryConstructProgram() {
  BefBuilder b("rill samples");
  const uint32_t i1 = b.AddType("i1");
  const uint32_t i32 = b.AddType("i32");
  const uint32_t f32 = b.AddType("f32");
  const uint32_t chain = b.AddType("!tfrt.chain");
  const uint32_t tensor = b.AddType("!tfrt_tensor.tensor");

  // Attributes: every scalar dtype, strings, types, arrays, dense, shapes,
  // aggregates, a symbol reference.
  std::vector<uint32_t> attrs = {
      b.AddScalar<bool>(true),
      b.AddScalar<int8_t>(-8),
      b.AddScalar<int16_t>(-16),
      b.AddScalar<int32_t>(-32),
      b.AddScalar<int64_t>(-64),
      b.AddScalar<uint8_t>(8),
      b.AddScalar<uint16_t>(16),
      b.AddScalar<uint32_t>(32),
      b.AddScalar<uint64_t>(64),
      b.AddHalfAttribute(DType::kF16, 0x3C00),
      b.AddHalfAttribute(DType::kBF16, 0x3F80),
      b.AddScalar<float>(-0.1f),
      b.AddScalar<double>(0.5),
      b.AddStringAttribute("string constant"),
      b.AddStringAttribute(std::string("nul\0byte", 8)),
      b.AddTypeAttribute(DType::kComplex64),
      b.AddTypeAttribute(DType::kQI32),
  };
  const int32_t ints[] = {1, 2, 3};
  const bool bools[] = {true, false};
  const double doubles[] = {1.0, -2.5};
  const DType dtypes[] = {DType::kF64, DType::kF32};
  attrs.push_back(b.AddArray<int32_t>(ints));
  attrs.push_back(b.AddArray<bool>(bools));
  attrs.push_back(b.AddArray<double>(doubles));
  attrs.push_back(b.AddTypeArrayAttribute(dtypes));
  attrs.push_back(b.AddEmptyArrayAttribute());
  const int32_t dense_i32[] = {1, 2, 3, 4};
  const int64_t shape_2x2[] = {2, 2};
  attrs.push_back(b.AddDenseAttribute(
      DType::kI32, shape_2x2,
      {reinterpret_cast<const uint8_t*>(dense_i32), sizeof(dense_i32)}));
  const float complex_elements[] = {1.0f, 2.0f};
  const int64_t shape_1[] = {1};
  attrs.push_back(b.AddDenseAttribute(
      DType::kComplex64, shape_1,
      {reinterpret_cast<const uint8_t*>(complex_elements), 8}));
  const uint8_t dense_bool[] = {1};
  attrs.push_back(b.AddDenseAttribute(DType::kI1, shape_1, dense_bool));
  const int64_t scalar_value = 9;
  attrs.push_back(b.AddDenseAttribute(
      DType::kI64, {}, {reinterpret_cast<const uint8_t*>(&scalar_value), 8}));
  const int64_t dims[] = {2, -1, 3};
  attrs.push_back(b.AddShapeAttribute(dims));
  attrs.push_back(b.AddUnrankedShapeAttribute());
  const uint32_t inner = b.AddAggregateAttribute(
      {b.AddScalar<int32_t>(2), b.AddStringAttribute("x")});
  attrs.push_back(b.AddAggregateAttribute({b.AddScalar<int32_t>(1), inner}));
  attrs.push_back(b.AddSymbolRefAttribute(
      "module @kernel0 attributes {tfrt.compiled} {}", "kernel0", {"main"}));

  // Locations of every form.
  const uint32_t file_loc = b.AddFileLocation("/tmp/every.mlir", 3, 7);
  const uint32_t name_loc = b.AddNameLocation("a/b", b.AddUnknownLocation());
  const uint32_t fused_loc =
      b.AddFusedLocation({b.AddFileLocation("f.py", 4, 2),
                          b.AddNameLocation("bar", b.AddUnknownLocation())});
  const uint32_t callsite_loc =
      b.AddCallSiteLocation(b.AddNameLocation("callee", b.AddUnknownLocation()),
                            b.AddFileLocation("f.py", 1, 2));
  const uint32_t unknown_loc = b.AddUnknownLocation();

  const uint32_t native =
      b.DeclareFunction(FunctionKind::kNative, "native_add", {i32, i32}, {i32});
  // A sync function: %r = add(%a, %a).
  const uint32_t sync =
      b.DeclareFunction(FunctionKind::kSync, "sync_double", {i32}, {i32});
  {
    FunctionBodyBuilder* body = b.DefineFunction(sync);
    KernelSpec k;
    k.name = b.AddKernelName("tfrt.add.i32");
    k.operands = {body->argument(0), body->argument(0)};
    k.num_results = 1;
    k.result_types = {i32};
    body->SetResults(body->AddKernel(k));
  }
  // Regions: an inner region nested in an outer region of @main.
  const uint32_t inner_region =
      b.DeclareFunction(FunctionKind::kAsync, "", {i32}, {i32});
  {
    FunctionBodyBuilder* body = b.DefineFunction(inner_region);
    body->SetResults({body->argument(0)});
  }
  const uint32_t outer_region =
      b.DeclareFunction(FunctionKind::kAsync, "", {i32, chain}, {chain});
  {
    FunctionBodyBuilder* body = b.DefineFunction(outer_region);
    KernelSpec k;
    k.name = b.AddKernelName("tfrt_test.do.async");
    k.operands = {body->argument(0)};
    k.functions = {inner_region};
    k.function_names = {b.AddString("")};
    k.num_results = 1;
    k.result_types = {i32};
    k.flags = kKernelFlagNonStrict;
    body->AddKernel(k);
    body->SetResults({body->argument(1)});
  }
  const uint32_t main = b.DeclareFunction(FunctionKind::kAsync, "main",
                                          {i32, tensor}, {i32, i1, chain});
  {
    FunctionBodyBuilder* body = b.DefineFunction(main);
    body->SetCostThreshold(10);
    KernelSpec ch;
    ch.name = b.AddKernelName("tfrt.new.chain");
    ch.num_results = 1;
    ch.result_types = {chain};
    ch.location = unknown_loc;
    const uint32_t c0 = body->AddKernel(ch)[0];

    KernelSpec all;
    all.name = b.AddKernelName("tfrt_test.every_attribute");
    all.operands = {body->argument(0)};
    all.attributes = attrs;
    for (size_t i = 0; i < attrs.size(); ++i)
      all.attribute_names.push_back(b.AddString("attr" + std::to_string(i)));
    all.num_results = 2;
    all.result_types = {i32, f32};
    all.location = file_loc;
    all.cost = 7;
    const std::vector<uint32_t> r = body->AddKernel(all);

    KernelSpec call;
    call.name = b.AddKernelName("tfrt.call");
    call.operands = {r[0], body->argument(0)};
    call.functions = {native};
    call.function_names = {b.AddString("callee")};
    call.num_results = 1;
    call.result_types = {i32};
    call.location = name_loc;
    const uint32_t sum = body->AddKernel(call)[0];

    KernelSpec repeat;
    repeat.name = b.AddKernelName("tfrt.repeat.i32");
    repeat.operands = {sum, c0};
    repeat.functions = {sync, outer_region};
    repeat.num_results = 1;
    repeat.result_types = {chain};
    repeat.location = fused_loc;
    const uint32_t c1 = body->AddKernel(repeat)[0];

    KernelSpec cmp;
    cmp.name = b.AddKernelName("tfrt.lessequal.i32");
    cmp.operands = {sum, sum, c1};
    cmp.num_results = 1;
    cmp.result_types = {i1};
    cmp.location = callsite_loc;
    const uint32_t le = body->AddKernel(cmp)[0];

    KernelSpec unused;  // Results nobody uses, and no operands.
    unused.name = b.AddKernelName("tfrt.constant.i32");
    unused.attributes = {b.AddScalar<int32_t>(41)};
    unused.attribute_names = {b.AddString("value")};
    unused.num_results = 1;
    body->AddKernel(unused);
    body->SetResults({sum, le, c1});
  }
  return b.Finish();
}

absl::StatusOr<std::vector<uint8_t>> WorkedExampleProgram() {
  BefBuilder b("rill samples");
  const uint32_t value = b.AddType("!vt.value");
  const uint32_t chain = b.AddType("!tfrt.chain");
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "example", {}, {});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  body->SetCostThreshold(1);
  auto constant = [&](int32_t v) {
    KernelSpec k;
    k.name = b.AddKernelName("vt.constant");
    k.attributes = {b.AddScalar<int32_t>(v)};
    k.num_results = 1;
    k.result_types = {value};
    return body->AddKernel(k)[0];
  };
  KernelSpec new_chain;
  new_chain.name = b.AddKernelName("tfrt.new.chain");
  new_chain.num_results = 1;
  new_chain.result_types = {chain};
  const uint32_t ch = body->AddKernel(new_chain)[0];  // k1
  const uint32_t a = constant(10);                    // k2
  const uint32_t c = constant(20);                    // k3
  KernelSpec add;
  add.name = b.AddKernelName("vt.add");
  add.operands = {a, c};
  add.num_results = 1;
  add.result_types = {value};
  const uint32_t s = body->AddKernel(add)[0];  // k4
  KernelSpec print;
  print.name = b.AddKernelName("vt.print");
  print.operands = {s, ch};
  print.num_results = 1;
  print.result_types = {chain};
  body->AddKernel(print);  // k5
  constant(7);             // k6
  body->SetResults({});
  return b.Finish();
}

absl::StatusOr<std::vector<uint8_t>> LargeDagProgram(size_t num_kernels,
                                                     uint32_t seed) {
  BefBuilder b("rill samples");
  b.set_emit_debug_names(false);
  const uint32_t i32 = b.AddType("i32");
  const uint32_t f =
      b.DeclareFunction(FunctionKind::kAsync, "dag", {i32}, {i32});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  std::mt19937 rng(seed);
  const uint32_t names[] = {b.AddKernelName("test.add.i32"),
                            b.AddKernelName("test.mul.i32"),
                            b.AddKernelName("test.async.i32")};
  std::vector<uint32_t> attrs;
  for (int32_t i = 0; i < 16; ++i) attrs.push_back(b.AddScalar<int32_t>(i));
  const uint32_t file = b.AddString("/tmp/large_dag.mlir");
  (void)file;
  uint32_t last = body->argument(0);
  uint32_t num_values = 1;
  for (size_t k = 0; k < num_kernels; ++k) {
    KernelSpec spec;
    spec.name = names[rng() % 3];
    const uint32_t num_operands = 1 + rng() % 3;
    for (uint32_t i = 0; i < num_operands; ++i) {
      // Mostly recent values, sometimes far back: long and short edges.
      const uint32_t back = (rng() % 8 == 0) ? rng() % num_values
                                             : rng() % std::min(num_values, 8u);
      spec.operands.push_back(num_values - 1 - back);
    }
    spec.attributes = {attrs[rng() % attrs.size()]};
    spec.num_results = 1;
    spec.location = b.AddFileLocation("/tmp/large_dag.mlir",
                                      static_cast<uint32_t>(k + 2), 3);
    last = body->AddKernel(spec)[0];
    ++num_values;
  }
  body->SetResults({last});
  return b.Finish();
}

}  // namespace testing
}  // namespace bef
}  // namespace rill
