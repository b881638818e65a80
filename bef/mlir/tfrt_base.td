// The `tfrt` dialect and its types (host_dialect.md §3). Types the dialect does not define
// (`!tfrt.test.resource`) parse as opaque types and print back unchanged (TfrtDialect::parseType).

#ifndef RILL_BEF_MLIR_TFRT_BASE_TD_
#define RILL_BEF_MLIR_TFRT_BASE_TD_

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpAsmInterface.td"

def Tfrt_Dialect : Dialect {
  let name = "tfrt";
  let summary = "TFRT host dialect: constants, chains, arithmetic, printing, calls, control flow";
  let cppNamespace = "::rill::tfrt";
  let useDefaultTypePrinterParser = 0;
  // Attributes stay in the op's attribute dictionary: TFRT's generic form
  // (`"tfrt.call"(%a) {callee = @f}`) and the translator's view of them.
  let usePropertiesForAttributes = 0;
  let extraClassDeclaration = [{
    ::mlir::Type parseType(::mlir::DialectAsmParser& parser) const override;
    void printType(::mlir::Type type, ::mlir::DialectAsmPrinter& printer) const override;
  private:
    void registerTypes();
  public:
  }];
}

class Tfrt_Type<string name, string type_mnemonic> : TypeDef<Tfrt_Dialect, name> {
  let mnemonic = type_mnemonic;
}

def Tfrt_ChainType : Tfrt_Type<"Chain", "chain"> {
  let summary = "orders side effects; available once the effects before it are done";
}
def Tfrt_StringType : Tfrt_Type<"String", "string"> {
  let summary = "a byte string";
}
def Tfrt_TensorTypeType : Tfrt_Type<"TensorType", "tensor_type"> {
  let summary = "a tensor-type tag";
}
def Tfrt_DeviceType : Tfrt_Type<"Device", "device"> {
  let summary = "a device handle";
}

class Tfrt_Op<string mnemonic, list<Trait> traits = []> : Op<Tfrt_Dialect, mnemonic, traits>;

// Checked before MLIR's Terminator trait so the spec's text wins (host_dialect.md §9.4).
def ReturnAtEndOfBlock : NativeOpTrait<"ReturnAtEndOfBlock"> {
  let cppNamespace = "::rill::tfrt";
}

// Multi-result ops print their results as one group (`%0:2 = tfrt.div.i32`), as TFRT does:
// declaring the interface with its default (no names) stops ODS from naming each result.
defvar ResultGroup = OpAsmOpInterface;

// The optional trailing chain operand every kernel accepts (host_dialect.md §2.4).
def OptionalInChain : Optional<Tfrt_ChainType>;

#endif  // RILL_BEF_MLIR_TFRT_BASE_TD_
