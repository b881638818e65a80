// Ops of the `tfrt` dialect with custom syntax (host_dialect.md §11). Ops the spec writes only in
// generic form are not registered: unknown ops are legal everywhere and become kernels by name.

#ifndef RILL_BEF_MLIR_TFRT_OPS_TD_
#define RILL_BEF_MLIR_TFRT_OPS_TD_

include "tfrt_base.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// §11.1 Constants: `%c = tfrt.constant.i32 42`.
class ConstantOp<string suffix, Attr attr, Type type>
    : Tfrt_Op<"constant." # suffix, [Pure]> {
  let summary = "a constant of type " # suffix;
  let arguments = (ins attr:$value, OptionalInChain:$in_chain);
  let results = (outs type:$result);
  let assemblyFormat = "$value (`,` $in_chain^)? attr-dict";
}
def ConstantI1Op : ConstantOp<"i1", BoolAttr, I1>;
def ConstantI32Op : ConstantOp<"i32", I32Attr, I32>;
def ConstantI64Op : ConstantOp<"i64", I64Attr, I64>;
def ConstantUI32Op : ConstantOp<"ui32", UI32Attr, UI32>;
def ConstantUI64Op : ConstantOp<"ui64", UI64Attr, UI64>;
def ConstantF32Op : ConstantOp<"f32", F32Attr, F32>;
def ConstantF64Op : ConstantOp<"f64", F64Attr, F64>;

// §11.2 Chains.
def NewChainOp : Tfrt_Op<"new.chain", [Pure]> {
  let summary = "a fresh, available chain";
  let arguments = (ins OptionalInChain:$in_chain);
  let results = (outs Tfrt_ChainType:$chain);
  let assemblyFormat = "(`(` $in_chain^ `)`)? attr-dict";
}
def MergeChainsOp : Tfrt_Op<"merge.chains"> {
  let summary = "a chain available once every operand is";
  let arguments = (ins Variadic<AnyType>:$inputs);
  let results = (outs Tfrt_ChainType:$chain);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
}

// §11.3-§11.4 Arithmetic with custom syntax: `%r = tfrt.add.i32 %a, %b`.
class BinaryOp<string mnemonic, Type type, Type result_type>
    : Tfrt_Op<mnemonic, [Pure]> {
  let arguments = (ins type:$lhs, type:$rhs, OptionalInChain:$in_chain);
  let results = (outs result_type:$result);
  let assemblyFormat = "$lhs `,` $rhs (`,` $in_chain^)? attr-dict";
}
def AddI32Op : BinaryOp<"add.i32", I32, I32>;
def AddI64Op : BinaryOp<"add.i64", I64, I64>;
def AddF32Op : BinaryOp<"add.f32", F32, F32>;
def AddF64Op : BinaryOp<"add.f64", F64, F64>;
def MulI32Op : BinaryOp<"mul.i32", I32, I32>;
def MulI64Op : BinaryOp<"mul.i64", I64, I64>;
def EqualI32Op : BinaryOp<"equal.i32", I32, I1>;
def EqualI64Op : BinaryOp<"equal.i64", I64, I1>;
def AndI1Op : BinaryOp<"and.i1", I1, I1>;

// `%q, %r = tfrt.div.i32 %a, %b`: quotient and remainder.
class DivOp<string suffix, Type type> : Tfrt_Op<"div." # suffix, [ResultGroup]> {
  let arguments = (ins type:$lhs, type:$rhs, OptionalInChain:$in_chain);
  let results = (outs type:$quotient, type:$remainder);
  let assemblyFormat = "$lhs `,` $rhs (`,` $in_chain^)? attr-dict";
}
def DivI32Op : DivOp<"i32", I32>;
def DivI64Op : DivOp<"i64", I64>;

// §11.5 Printing: `%c2 = tfrt.print.i32 %v, %c1`.
class PrintOp<string suffix, Type type> : Tfrt_Op<"print." # suffix> {
  let arguments = (ins type:$value, Tfrt_ChainType:$in_chain);
  let results = (outs Tfrt_ChainType:$out_chain);
  let assemblyFormat = "$value `,` $in_chain attr-dict";
}
def PrintI1Op : PrintOp<"i1", I1>;
def PrintI32Op : PrintOp<"i32", I32>;
def PrintI64Op : PrintOp<"i64", I64>;
def PrintF32Op : PrintOp<"f32", F32>;
def PrintF64Op : PrintOp<"f64", F64>;

// §11.6 `tfrt.return`: terminator of function bodies and regions.
def ReturnOp : Tfrt_Op<"return", [Pure, ReturnLike, ReturnAtEndOfBlock, Terminator]> {
  let summary = "returns values from a function or region";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
  let hasVerifier = 1;
}

// §11.7 `%r = tfrt.call @f(%a, %b) : (i32, i32) -> i32`.
def CallOp : Tfrt_Op<"call", [DeclareOpInterfaceMethods<SymbolUserOpInterface>, ResultGroup]> {
  let summary = "calls a function of the module";
  let arguments = (ins OptionalAttr<FlatSymbolRefAttr>:$callee, Variadic<AnyType>:$operands);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, $results)
  }];
}

// Ops whose regions become region functions (host_dialect.md §2.3). Their regions are isolated
// from above and their custom syntax names the block arguments after the operands (shadowing).
class RegionOp<string mnemonic, list<Trait> traits = []>
    : Tfrt_Op<mnemonic, !listconcat([IsolatedFromAbove], traits)> {
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

// §11.8 `%r = tfrt.if %cond, %a, %b : (i32, i32) -> (i32) { ... } else { ... }`.
def IfOp : RegionOp<"if", [ResultGroup]> {
  let summary = "calls the then- or else-region with the non-condition operands";
  let arguments = (ins I1:$cond, Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
  let regions = (region AnyRegion:$then_region, AnyRegion:$else_region);
}

// §11.11 `%r:2 = tfrt.repeat.i32 %n, %a, %b : T0, T1 { ... }`.
class RepeatOp<string suffix, Type count_type> : RegionOp<"repeat." # suffix, [ResultGroup]> {
  let summary = "calls the body n times, threading the loop values through";
  let arguments = (ins count_type:$count, Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
  let regions = (region AnyRegion:$region);
}
def RepeatI32Op : RepeatOp<"i32", I32>;
def RepeatI64Op : RepeatOp<"i64", I64>;

// §11.13 `%done = tfrt.parallel_for.i32 %start to %end fixed %block, %x : T0 { ... }`.
def ParallelForI32Op : RegionOp<"parallel_for.i32"> {
  let summary = "runs the body once per block of [start, end), possibly in parallel";
  let arguments = (ins I32:$start, I32:$end, I32:$block_size, Variadic<AnyType>:$args);
  let results = (outs Tfrt_ChainType:$done);
  let regions = (region AnyRegion:$region);
}

// Ops that name functions of the module; their verifiers look the functions up.
class CalleeOp<string mnemonic, list<Trait> traits = []>
    : Tfrt_Op<mnemonic, !listconcat([DeclareOpInterfaceMethods<SymbolUserOpInterface>], traits)> {
  let hasCustomAssemblyFormat = 1;
}

// §11.13 `%done = tfrt.parallel_call.i32 %start to %end fixed %block @fn(%x) : T0`.
def ParallelCallI32Op : CalleeOp<"parallel_call.i32"> {
  let summary = "calls @callee once per block of [start, end), possibly in parallel";
  let arguments = (ins FlatSymbolRefAttr:$callee, I32:$start, I32:$end, I32:$block_size,
                   Variadic<AnyType>:$args);
  let results = (outs Tfrt_ChainType:$done);
}

// §11.8 `%r = tfrt.cond %cond @then_fn @else_fn (%a) : (i32) -> (i32)`.
def CondOp : CalleeOp<"cond", [ResultGroup]> {
  let summary = "calls a_true_fn or b_false_fn with the non-condition operands";
  let arguments = (ins OptionalAttr<FlatSymbolRefAttr>:$a_true_fn,
                   OptionalAttr<FlatSymbolRefAttr>:$b_false_fn, I1:$cond,
                   Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
}

// §11.9 `%r = tfrt.case %idx [@b0, @b1] (%x) : (i32) -> (i32)`.
def CaseOp : CalleeOp<"case", [ResultGroup]> {
  let summary = "calls branch %idx (out-of-range: the last branch) with the other operands";
  let arguments = (ins SymbolRefArrayAttr:$branches, I32:$branch_index, Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
}

// §11.10 `%r = tfrt.while %cond @body(%a) parallel_iterations(1) : (T0) -> (T0)`.
def WhileOp : CalleeOp<"while", [ResultGroup]> {
  let summary = "calls body_fn while its last result (a condition) is true";
  let arguments = (ins FlatSymbolRefAttr:$body_fn, I64Attr:$parallel_iterations, I1:$cond,
                   Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
}

// §11.12 `%r = tfrt.once @f(%a) : (i32) -> (i32)`.
def OnceOp : CalleeOp<"once", [ResultGroup]> {
  let summary = "calls @function once per run; every later once returns its results";
  let arguments = (ins FlatSymbolRefAttr:$function, Variadic<AnyType>:$args);
  let results = (outs Variadic<AnyType>:$outputs);
}

#endif  // RILL_BEF_MLIR_TFRT_OPS_TD_
