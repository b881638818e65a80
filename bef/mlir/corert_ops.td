// The `corert` dialect (host_dialect.md §14): its types, the `#corert.shape` attribute and the ops
// with custom syntax. Unknown type names (`!corert.string`, `!corert.qint8`, ...) are opaque
// types that print back unchanged (§3); generic-only ops stay unregistered.

#ifndef RILL_BEF_MLIR_CORERT_OPS_TD_
#define RILL_BEF_MLIR_CORERT_OPS_TD_

include "tensor_base.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"

def Corert_Dialect : Rill_Dialect<"corert", "::rill::corert"> {
  let summary = "the core runtime: tensor handles, op handlers and op dispatch";
  let dependentDialects = ["::rill::tfrt::TfrtDialect"];
  let useDefaultTypePrinterParser = 0;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    ::mlir::Type parseType(::mlir::DialectAsmParser& parser) const override;
    void printType(::mlir::Type type, ::mlir::DialectAsmPrinter& printer) const override;
  private:
    void registerTypes();
    void registerAttributes();
  public:
  }];
}

class Corert_Type<string name, string type_mnemonic> : TypeDef<Corert_Dialect, name> {
  let mnemonic = type_mnemonic;
  let summary = "!corert." # type_mnemonic # " type";
}
def Corert_TensorHandleType : Corert_Type<"TensorHandle", "tensorhandle">;
def Corert_OpHandlerType : Corert_Type<"OpHandler", "ophandler">;
def Corert_OpType : Corert_Type<"Op", "op">;
def Corert_OpAttrsType : Corert_Type<"OpAttrs", "opattrs">;
def Corert_OpAttrsRefType : Corert_Type<"OpAttrsRef", "opattrs_ref">;

// `#corert.shape<2x?x3>`, `#corert.shape<*>`; unknown dimensions are -1.
def Corert_ShapeAttr : AttrDef<Corert_Dialect, "Shape"> {
  let mnemonic = "shape";
  let summary = "a tensor shape: ranked with dimensions (-1 = unknown), or unranked";
  let parameters = (ins "bool":$ranked, ArrayRefParameter<"int64_t">:$dims);
  let hasCustomAssemblyFormat = 1;
}

class Corert_Op<string mnemonic, list<Trait> traits = []> : Op<Corert_Dialect, mnemonic, traits>;
defvar Handle = Corert_TensorHandleType;

// `%h = corert.get_op_handler %ch "cpu"`.
def GetOpHandlerOp : Corert_Op<"get_op_handler"> {
  let summary = "the op handler registered under the name";
  let arguments = (ins Tfrt_ChainType:$in_chain, StrAttr:$op_handler_name);
  let results = (outs Corert_OpHandlerType:$op_handler);
  let assemblyFormat = "$in_chain $op_handler_name attr-dict";
}
// `%ch = corert.register_op_handler %h "name"`.
def RegisterOpHandlerOp : Corert_Op<"register_op_handler"> {
  let summary = "registers the op handler under the name (process-wide)";
  let arguments = (ins Corert_OpHandlerType:$op_handler, StrAttr:$op_handler_name);
  let results = (outs Tfrt_ChainType:$out_chain);
  let assemblyFormat = "$op_handler $op_handler_name attr-dict";
}

// `%r = corert.executeop(%h) "op"(%t) {a = 1 : i32} {f = "fn"} : 1`.
def ExecuteOp : Corert_Op<"executeop"> {
  let summary = "dispatches a core-runtime op through an op handler";
  let arguments = (ins Corert_OpHandlerType:$op_handler, Variadic<Handle>:$inputs,
                   ArrayAttr:$op_attrs, ArrayAttr:$op_func_attrs, StrAttr:$op_name);
  let results = (outs Variadic<Handle>:$outputs);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}
// `%ch1, %r = corert.executeop.seq(%h, %ch0) "op"(%t) : 1`: ordered by the chains.
def ExecuteOpSeq : Corert_Op<"executeop.seq",
    [DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "dispatches a core-runtime op after the in-chain; the out-chain follows it";
  let arguments = (ins Corert_OpHandlerType:$op_handler, Tfrt_ChainType:$in_op_chain,
                   Variadic<Handle>:$inputs, ArrayAttr:$op_attrs, ArrayAttr:$op_func_attrs,
                   StrAttr:$op_name);
  let results = (outs Tfrt_ChainType:$out_op_chain, Variadic<Handle>:$outputs);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

// `%t = corert.const_string_tensor {shape = [2], value = ["a", "b"]}`.
def ConstStringTensorOp : Corert_Op<"const_string_tensor", [Pure]> {
  let summary = "a handle of a string host tensor";
  let arguments = (ins I64ArrayAttr:$shape, StrArrayAttr:$value);
  let results = (outs Handle:$result);
  let assemblyFormat = "attr-dict";
}
// `%t = corert.const_dense_tensor dense<[0, 1, 2]> : tensor<3xi32>`.
def ConstDenseTensorOp : Corert_Op<"const_dense_tensor", [Pure]> {
  let summary = "a handle of a dense host tensor with the attribute's elements";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Handle:$result);
  let assemblyFormat = "$value attr-dict";
}
// `%t = corert.create_dense_tensor.ui64 {shape = [1], value = [2 : ui64]}`.
foreach dtype = ["ui8", "ui16", "ui32", "ui64", "i1", "i8", "i16", "i32", "i64", "bf16", "f16",
                 "f32", "f64"] in {
  def "CreateDenseTensor" # dtype # "Op" : Corert_Op<"create_dense_tensor." # dtype, [Pure]> {
    let summary = "a handle of a dense host tensor of " # dtype;
    let arguments = (ins I64ArrayAttr:$shape, ArrayAttr:$value);
    let results = (outs Handle:$result);
    let assemblyFormat = "attr-dict";
  }
}
// `%i = corert.tensorhandle_to_int32 %t`.
def TensorHandleToInt32Op : Corert_Op<"tensorhandle_to_int32"> {
  let summary = "the i32 in a one-element i32 tensor";
  let arguments = (ins Handle:$handle, OptionalInChain:$in_chain);
  let results = (outs I32:$result);
  let assemblyFormat = "$handle (`,` $in_chain^)? attr-dict";
}

// `%ch1, %r = corert.cond %c @t @f (%ch0, %a) : (!corert.tensorhandle) -> (!corert.tensorhandle)`.
def CorertCondOp : Corert_Op<"cond", [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
                                     ResultGroup]> {
  let summary = "calls a_true_fn or b_false_fn, chosen by a tensor predicate";
  let arguments = (ins OptionalAttr<FlatSymbolRefAttr>:$a_true_fn,
                   OptionalAttr<FlatSymbolRefAttr>:$b_false_fn, Handle:$cond,
                   Tfrt_ChainType:$in_op_chain, Variadic<AnyType>:$args);
  let results = (outs Tfrt_ChainType:$out_op_chain, Variadic<AnyType>:$outputs);
  let hasCustomAssemblyFormat = 1;
}
// `%ch1, %r = corert.while @cond @body (%ch0, %a) : (!corert.tensorhandle) -> (...)`.
def CorertWhileOp : Corert_Op<"while", [DeclareOpInterfaceMethods<SymbolUserOpInterface>,
                                       ResultGroup]> {
  let summary = "calls b_body_fn while a_cond_fn's predicate is true";
  let arguments = (ins OptionalAttr<FlatSymbolRefAttr>:$a_cond_fn,
                   OptionalAttr<FlatSymbolRefAttr>:$b_body_fn,
                   Tfrt_ChainType:$in_op_chain, Variadic<AnyType>:$args);
  let results = (outs Tfrt_ChainType:$out_op_chain, Variadic<AnyType>:$outputs);
  let hasCustomAssemblyFormat = 1;
}

#endif  // RILL_BEF_MLIR_CORERT_OPS_TD_
