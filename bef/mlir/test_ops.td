// The `tfrt_test` dialect: ops with custom syntax (host_dialect.md §12.1). Its other ops are
// written in generic form and stay unregistered.

#ifndef RILL_BEF_MLIR_TEST_OPS_TD_
#define RILL_BEF_MLIR_TEST_OPS_TD_

include "tensor_base.td"

def TfrtTest_Dialect : Rill_Dialect<"tfrt_test", "::rill::tfrt_test"> {
  let summary = "kernels that test the runtime";
  let dependentDialects = ["::rill::tfrt::TfrtDialect"];
}
class Test_Op<string mnemonic, list<Trait> traits = []> : Op<TfrtTest_Dialect, mnemonic, traits>;

// `%r = tfrt_test.do.async %a, %b : (i32, i32) -> (i32) { ... }`.
def DoAsyncOp : Test_Op<"do.async", [IsolatedFromAbove, ResultGroup]> {
  let summary = "calls the region from a work-queue task";
  let arguments = (ins Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
  let regions = (region AnyRegion:$region);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

// `tfrt_test.benchmark "name"(%a : i32) duration_secs = 1, max_count = 100 { ... }`.
def BenchmarkOp : Test_Op<"benchmark", [IsolatedFromAbove]> {
  let summary = "runs the region repeatedly and prints latency statistics";
  let arguments = (ins StrAttr:$name, I32Attr:$duration_secs, I32Attr:$max_count,
                   I32Attr:$num_warmup_runs, Variadic<AnyType>:$args);
  let results = (outs Tfrt_ChainType:$done);
  let regions = (region AnyRegion:$region);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

// `%r = tfrt_test.test_cost %a {id = 2 : i64, _tfrt_cost = 1 : i64} : i32`.
def TestCostOp : Test_Op<"test_cost"> {
  let summary = "prints its id; a probe for cost-based scheduling";
  let arguments = (ins I64Attr:$id, Variadic<AnyType>:$args);
  let results = (outs I32:$result);
  let assemblyFormat = "$args attr-dict (`:` type($args)^)?";
}

// `%a, %b, %c = tfrt_test.count3.i32 %x`.
class Count3Op<string suffix, Type type> : Test_Op<"count3." # suffix, [Pure, ResultGroup]> {
  let summary = "x + 1, x + 2, x + 3";
  let arguments = (ins type:$input, OptionalInChain:$in_chain);
  let results = (outs type:$first, type:$second, type:$third);
  let assemblyFormat = "$input (`,` $in_chain^)? attr-dict";
}
def Count3I32Op : Count3Op<"i32", I32>;
def Count3I64Op : Count3Op<"i64", I64>;

// `%s = tfrt_test.get_string {value = "x"}`.
def GetStringOp : Test_Op<"get_string", [Pure]> {
  let summary = "the string attribute as a value";
  let arguments = (ins StrAttr:$value, OptionalInChain:$in_chain);
  let results = (outs Tfrt_StringType:$result);
  let assemblyFormat = "(`(` $in_chain^ `)`)? attr-dict";
}

#endif  // RILL_BEF_MLIR_TEST_OPS_TD_
