// Dialects and types of host tensors, buffers and shapes (host_dialect.md §3, §13):
// `tfrt_tensor` (!tfrt_tensor.tensor), `t` (the legacy spelling !t.tensor of the same type), `ht`
// (!ht.host_buffer), `ts` (shapes) and the op-only dialects `tfrt_dht`, `tfrt_dht_sync`, `coo`.

#ifndef RILL_BEF_MLIR_TENSOR_BASE_TD_
#define RILL_BEF_MLIR_TENSOR_BASE_TD_

include "tfrt_base.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// A dialect whose ops are registered here but whose other names are still legal (§2.4).
class Rill_Dialect<string dialect_name, string cpp_namespace> : Dialect {
  let name = dialect_name;
  let cppNamespace = cpp_namespace;
  let usePropertiesForAttributes = 0;
}

def TfrtTensor_Dialect : Rill_Dialect<"tfrt_tensor", "::rill::tfrt_tensor"> {
  let summary = "the generic host tensor type";
  let useDefaultTypePrinterParser = 1;
}
def TfrtTensor_TensorType : TypeDef<TfrtTensor_Dialect, "Tensor"> {
  let mnemonic = "tensor";
  let summary = "!tfrt_tensor.tensor type";
}

// `!t.tensor` parses as !tfrt_tensor.tensor: one type, two spellings (§3, quirk of history).
def T_Dialect : Rill_Dialect<"t", "::rill::t"> {
  let summary = "legacy spelling of !tfrt_tensor.tensor";
  let dependentDialects = ["::rill::tfrt_tensor::TfrtTensorDialect"];
  let useDefaultTypePrinterParser = 0;
  let extraClassDeclaration = [{
    ::mlir::Type parseType(::mlir::DialectAsmParser& parser) const override;
    void printType(::mlir::Type type, ::mlir::DialectAsmPrinter& printer) const override;
  }];
}

def Ht_Dialect : Rill_Dialect<"ht", "::rill::ht"> {
  let summary = "host buffers";
  let useDefaultTypePrinterParser = 1;
}
def Ht_HostBufferType : TypeDef<Ht_Dialect, "HostBuffer"> {
  let mnemonic = "host_buffer";
  let summary = "!ht.host_buffer type";
}

def Ts_Dialect : Rill_Dialect<"ts", "::rill::ts"> {
  let summary = "tensor shapes";
  let dependentDialects = ["::rill::tfrt::TfrtDialect"];
  let useDefaultTypePrinterParser = 0;
  let extraClassDeclaration = [{
    ::mlir::Type parseType(::mlir::DialectAsmParser& parser) const override;
    void printType(::mlir::Type type, ::mlir::DialectAsmPrinter& printer) const override;
  private:
    void registerTypes();
  public:
  }];
}
def Ts_ShapeType : TypeDef<Ts_Dialect, "Shape"> {
  let mnemonic = "shape";
  let summary = "!ts.shape type";
}
def Ts_PartialShapeType : TypeDef<Ts_Dialect, "PartialShape"> {
  let mnemonic = "partial_shape";
  let summary = "!ts.partial_shape type";
}
// `!ts.fixed_rank_shape.<rank>`: parsed and printed by TsDialect (the rank is part of the name).
def Ts_FixedRankShapeType : TypeDef<Ts_Dialect, "FixedRankShape"> {
  let mnemonic = "fixed_rank_shape";
  let hasCustomAssemblyFormat = 1;
  let summary = "!ts.fixed_rank_shape type";
  let parameters = (ins "unsigned":$rank);
}
class Ts_FixedRankShapeOf<int rank>
    : Type<And<[CPred<"::llvm::isa<::rill::ts::FixedRankShapeType>($_self)">,
                CPred<"::llvm::cast<::rill::ts::FixedRankShapeType>($_self).getRank() == " # rank>]>,
           "!ts.fixed_rank_shape." # rank # " type",
           "::rill::ts::FixedRankShapeType"> {
  let builderCall = "::rill::ts::FixedRankShapeType::get($_builder.getContext(), " # rank # ")";
}

defvar TensorOpDependencies = ["::rill::tfrt::TfrtDialect", "::rill::tfrt_tensor::TfrtTensorDialect",
                                "::rill::ht::HtDialect", "::rill::ts::TsDialect"];

def TfrtDht_Dialect : Rill_Dialect<"tfrt_dht", "::rill::tfrt_dht"> {
  let summary = "dense host tensor kernels";
  let dependentDialects = TensorOpDependencies;
}
def TfrtDhtSync_Dialect : Rill_Dialect<"tfrt_dht_sync", "::rill::tfrt_dht_sync"> {
  let summary = "dense host tensor kernels for sync functions";
  let dependentDialects = TensorOpDependencies;
}
def Coo_Dialect : Rill_Dialect<"coo", "::rill::coo"> {
  let summary = "COO sparse tensor kernels";
  let dependentDialects = TensorOpDependencies;
}

// Dtype suffixes of tensor op names (§13.1).
defvar AllDTypes = ["ui8", "ui16", "ui32", "ui64", "i8", "i16", "i32", "i64", "f16", "bf16", "f32",
                    "f64", "bool", "complex64", "complex128"];

#endif  // RILL_BEF_MLIR_TENSOR_BASE_TD_
