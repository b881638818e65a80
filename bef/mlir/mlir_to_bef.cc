// MLIR -> BEF (host_dialect.md §9.3-§9.4); see translate.h.

#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bef/builder.h"
#include "bef/format.h"
#include "bef/mlir/corert_dialect.h"
#include "bef/mlir/internal/data_types.h"
#include "bef/mlir/translate.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

namespace rill {
namespace {

using bef::DType;
using mlir_bef::DataTypeOf;
using mlir_bef::TypeSpelling;

constexpr char kCostAttribute[] = "_tfrt_cost";
constexpr char kCostThreshold[] = "tfrt.cost_threshold";

bool IsReturn(mlir::Operation& op) {
  return op.getName().getStringRef() == "tfrt.return";
}

// Appends the `width` low bytes of `value`, little-endian.
void AppendLittleEndian(uint64_t value, unsigned width,
                        std::vector<uint8_t>& out) {
  for (unsigned i = 0; i < width; ++i) out.push_back((value >> (8 * i)) & 0xFF);
}

std::optional<DType> IntegerDType(mlir::IntegerType type) {
  if (type.getWidth() == 1) return DType::kI1;
  const bool is_unsigned = type.isUnsigned();
  switch (type.getWidth()) {
    case 8:
      return is_unsigned ? DType::kUI8 : DType::kI8;
    case 16:
      return is_unsigned ? DType::kUI16 : DType::kI16;
    case 32:
      return is_unsigned ? DType::kUI32 : DType::kI32;
    case 64:
      return is_unsigned ? DType::kUI64 : DType::kI64;
    default:
      return std::nullopt;
  }
}

std::optional<DType> FloatDType(mlir::Type type) {
  if (type.isF16()) return DType::kF16;
  if (type.isBF16()) return DType::kBF16;
  if (type.isF32()) return DType::kF32;
  if (type.isF64()) return DType::kF64;
  return std::nullopt;
}

// The element data type and the bytes of one scalar attribute (integer,
// bool or float of an encodable width), or nullopt.
std::optional<DType> ScalarBytes(mlir::Attribute attribute,
                                 std::vector<uint8_t>& out) {
  if (auto integer = llvm::dyn_cast<mlir::IntegerAttr>(attribute)) {
    auto type = llvm::dyn_cast<mlir::IntegerType>(integer.getType());
    if (!type) return std::nullopt;
    const std::optional<DType> dtype = IntegerDType(type);
    if (!dtype) return std::nullopt;
    const unsigned width = std::max(1u, type.getWidth() / 8);
    AppendLittleEndian(integer.getValue().getZExtValue(), width, out);
    return dtype;
  }
  if (auto floating = llvm::dyn_cast<mlir::FloatAttr>(attribute)) {
    const std::optional<DType> dtype = FloatDType(floating.getType());
    if (!dtype) return std::nullopt;
    const llvm::APInt bits = floating.getValue().bitcastToAPInt();
    AppendLittleEndian(bits.getZExtValue(), bits.getBitWidth() / 8, out);
    return dtype;
  }
  return std::nullopt;
}

class Emitter {
 public:
  Emitter(mlir::ModuleOp module, const MlirToBefOptions& options)
      : module_(module), builder_("rill-translate") {
    builder_.set_emit_debug_names(options.emit_debug_names);
    if (auto threshold =
            module->getAttrOfType<mlir::IntegerAttr>(kCostThreshold))
      module_threshold_ = threshold.getInt();
  }

  mlir::FailureOr<std::vector<uint8_t>> Run() {
    if (failed(CollectTopLevel()) || failed(DeclareFunctions()) ||
        failed(DefineFunctions()))
      return mlir::failure();
    absl::StatusOr<std::vector<uint8_t>> bytes = builder_.Finish();
    if (!bytes.ok()) {
      // The builder verifies its own output; a failure here is a translator
      // bug, reported rather than hidden.
      return module_.emitError("internal error writing BEF: ")
             << std::string(bytes.status().message());
    }
    return std::move(*bytes);
  }

 private:
  struct PendingFunction {
    mlir::func::FuncOp function;  // Null for region functions.
    mlir::Region* region = nullptr;
    uint32_t index = 0;
  };

  mlir::LogicalResult CollectTopLevel() {
    for (mlir::Operation& op : module_.getBody()->getOperations()) {
      if (auto function = llvm::dyn_cast<mlir::func::FuncOp>(op)) {
        functions_.push_back(function);
        continue;
      }
      auto nested = llvm::dyn_cast<mlir::ModuleOp>(op);
      if (nested && nested->hasAttr("tfrt.compiled") && nested.getSymName()) {
        std::string text;
        llvm::raw_string_ostream stream(text);
        nested->print(stream, mlir::OpPrintingFlags().useLocalScope());
        stream.flush();
        compiled_modules_[nested.getSymName()->str()] = text;
        builder_.AddCompiledModule(nested.getSymName()->str(), text);
        continue;
      }
      return op.emitError(
          "only func.func and compiled modules (module @name attributes "
          "{tfrt.compiled}) can be emitted to BEF files");
    }
    return mlir::success();
  }

  // §9.3: for each function in source order, the region functions of its
  // ops (nested ones first), then the function itself.
  mlir::LogicalResult DeclareFunctions() {
    for (mlir::func::FuncOp function : functions_) {
      if (!function.isExternal() &&
          failed(DeclareRegionsIn(function.getBody().front())))
        return mlir::failure();
      const bool native = function->hasAttr("tfrt.native");
      if (function.isExternal() && !native)
        return function.emitError("external functions are not allowed");
      if (!function.isExternal() && native)
        return function.emitError("a tfrt.native function has no body");
      if (!function.getBody().empty() && !function.getBody().hasOneBlock())
        return function.emitError(
            "multi-block regions cannot be emitted to BEF files");
      const bef::FunctionKind kind = native ? bef::FunctionKind::kNative
                                     : function->hasAttr("tfrt.sync")
                                         ? bef::FunctionKind::kSync
                                         : bef::FunctionKind::kAsync;
      const mlir::FunctionType type = function.getFunctionType();
      const uint32_t index = builder_.DeclareFunction(
          kind, function.getSymName().str(), Types(type.getInputs()),
          Types(type.getResults()));
      function_index_[function.getSymName()] = index;
      if (!native) pending_.push_back({function, nullptr, index});
    }
    return mlir::success();
  }

  mlir::LogicalResult DeclareRegionsIn(mlir::Block& block) {
    for (mlir::Operation& op : block) {
      for (mlir::Region& region : op.getRegions()) {
        if (region.empty())
          return op.emitError("empty regions cannot be emitted to BEF files");
        if (!region.hasOneBlock())
          return op.emitError(
              "multi-block regions cannot be emitted to BEF files");
        if (failed(DeclareRegionsIn(region.front()))) return mlir::failure();
      }
      for (mlir::Region& region : op.getRegions()) {
        mlir::Block& body = region.front();
        std::vector<uint32_t> results;
        if (!body.empty() && IsReturn(body.back()))
          results = Types(body.back().getOperandTypes());
        const uint32_t index =
            builder_.DeclareFunction(bef::FunctionKind::kAsync, "",
                                     Types(body.getArgumentTypes()), results);
        region_index_[&region] = index;
        pending_.push_back({nullptr, &region, index});
      }
    }
    return mlir::success();
  }

  mlir::LogicalResult DefineFunctions() {
    for (PendingFunction& pending : pending_) {
      std::optional<int64_t> threshold = module_threshold_;
      bool sync = false;
      mlir::Operation* owner = nullptr;
      mlir::Block* block = nullptr;
      if (pending.function) {
        owner = pending.function;
        block = &pending.function.getBody().front();
        sync = pending.function->hasAttr("tfrt.sync");
        if (auto attr = pending.function->getAttrOfType<mlir::IntegerAttr>(
                kCostThreshold))
          threshold = attr.getInt();
      } else {
        owner = pending.region->getParentOp();
        block = &pending.region->front();
      }
      bef::FunctionBodyBuilder* body = builder_.DefineFunction(pending.index);
      body->SetCostThreshold(threshold);
      if (failed(EmitBody(owner, *block, sync, *body))) return mlir::failure();
    }
    return mlir::success();
  }

  mlir::LogicalResult EmitBody(mlir::Operation* owner, mlir::Block& block,
                               bool sync, bef::FunctionBodyBuilder& body) {
    if (block.empty() || !IsReturn(block.back())) {
      mlir::Operation* at = block.empty() ? owner : &block.back();
      return at->emitError("all functions need to have a tfrt.return");
    }
    llvm::DenseMap<mlir::Value, uint32_t> registers;
    for (mlir::BlockArgument argument : block.getArguments())
      registers[argument] = argument.getArgNumber();
    for (mlir::Operation& op : block) {
      if (&op == &block.back()) break;
      if (IsReturn(op))
        return op.emitError("return op must be at the end of its block");
      bef::KernelSpec kernel;
      if (failed(Operands(op, registers, kernel.operands)) ||
          failed(EmitAttributes(op, kernel)))
        return mlir::failure();
      for (mlir::Region& region : op.getRegions()) {
        kernel.functions.push_back(region_index_.lookup(&region));
        kernel.function_names.push_back(builder_.AddString(""));
      }
      kernel.name = builder_.AddKernelName(op.getName().getStringRef().str());
      kernel.num_results = op.getNumResults();
      kernel.result_types = Types(op.getResultTypes());
      kernel.location = EmitLocation(op.getLoc());
      const std::vector<uint32_t> results = body.AddKernel(kernel);
      for (unsigned i = 0; i < op.getNumResults() && i < results.size(); ++i)
        registers[op.getResult(i)] = results[i];
    }
    mlir::Operation& ret = block.back();
    std::vector<uint32_t> results;
    if (failed(Operands(ret, registers, results))) return mlir::failure();
    if (sync) {
      for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
        if (llvm::isa<mlir::BlockArgument>(ret.getOperand(i)))
          return ret.emitError("return value ")
                 << i << " is an argument in a sync function";
        for (unsigned j = 0; j < i; ++j)
          if (ret.getOperand(j) == ret.getOperand(i))
            return ret.emitError("return value ")
                   << i << " is duplicated in a sync function";
      }
    }
    body.SetResults(results);
    return mlir::success();
  }

  mlir::LogicalResult Operands(
      mlir::Operation& op,
      const llvm::DenseMap<mlir::Value, uint32_t>& registers,
      std::vector<uint32_t>& out) {
    for (mlir::Value operand : op.getOperands()) {
      auto it = registers.find(operand);
      if (it == registers.end())
        return op.emitError(
            "BEF executor only supports references to kernels within the "
            "current region");
      out.push_back(it->second);
    }
    return mlir::success();
  }

  // Attributes sorted by name (the dictionary's order) minus function
  // references, which become function operands in the same order (§2.4).
  mlir::LogicalResult EmitAttributes(mlir::Operation& op,
                                     bef::KernelSpec& kernel) {
    const llvm::StringRef op_name = op.getName().getStringRef();
    if (op_name == "tfrt.merge.chains") kernel.cost = 1;
    for (const mlir::NamedAttribute& named : op.getAttrs()) {
      const llvm::StringRef name = named.getName().getValue();
      const mlir::Attribute value = named.getValue();
      if (name == kCostAttribute) {
        // A scheduling hint, never a kernel attribute (§4.3); only
        // tfrt_test.test_cost's drives the stream analysis (§6.2).
        auto cost = llvm::dyn_cast<mlir::IntegerAttr>(value);
        if (!cost)
          return op.emitError("BEF files cannot encode the '")
                 << name << "' attribute";
        if (op_name == "tfrt_test.test_cost") kernel.cost = cost.getInt();
        continue;
      }
      std::vector<uint32_t> functions;
      mlir::FailureOr<bool> is_function =
          FunctionReferences(op, value, functions);
      if (failed(is_function)) return mlir::failure();
      if (*is_function) {
        for (uint32_t function : functions) {
          kernel.functions.push_back(function);
          kernel.function_names.push_back(builder_.AddString(name.str()));
        }
        continue;
      }
      std::optional<uint32_t> index = EmitAttribute(value);
      if (!index)
        return op.emitError("BEF files cannot encode the '")
               << name << "' attribute";
      kernel.attributes.push_back(*index);
      kernel.attribute_names.push_back(builder_.AddString(name.str()));
    }
    return mlir::success();
  }

  // Whether `value` is a function reference or a non-empty array of them;
  // an unknown name is an error (§4.8).
  mlir::FailureOr<bool> FunctionReferences(mlir::Operation& op,
                                           mlir::Attribute value,
                                           std::vector<uint32_t>& out) {
    if (auto symbol = llvm::dyn_cast<mlir::FlatSymbolRefAttr>(value)) {
      auto it = function_index_.find(symbol.getValue());
      if (it == function_index_.end())
        return op.emitError("function @")
               << symbol.getValue() << " not defined";
      out.push_back(it->second);
      return true;
    }
    auto array = llvm::dyn_cast<mlir::ArrayAttr>(value);
    if (!array || array.empty() ||
        !llvm::all_of(array, [](mlir::Attribute element) {
          return llvm::isa<mlir::FlatSymbolRefAttr>(element);
        }))
      return false;
    for (mlir::Attribute element : array)
      if (failed(FunctionReferences(op, element, out))) return mlir::failure();
    return true;
  }

  // One attribute of §4.1, or nullopt when BEF cannot encode it.
  std::optional<uint32_t> EmitAttribute(mlir::Attribute value) {
    std::vector<uint8_t> bytes;
    if (std::optional<DType> dtype = ScalarBytes(value, bytes))
      return builder_.AddScalarAttribute(*dtype, bytes);
    if (auto string = llvm::dyn_cast<mlir::StringAttr>(value))
      return builder_.AddStringAttribute(string.getValue().str());
    if (auto type = llvm::dyn_cast<mlir::TypeAttr>(value)) {
      std::optional<DType> dtype = DataTypeOf(type.getValue());
      if (!dtype) return std::nullopt;
      return builder_.AddTypeAttribute(*dtype);
    }
    if (auto array = llvm::dyn_cast<mlir::ArrayAttr>(value))
      return EmitArray(array);
    if (auto dense = llvm::dyn_cast<mlir::DenseIntOrFPElementsAttr>(value))
      return EmitDense(dense);
    if (auto shape = llvm::dyn_cast<corert::ShapeAttr>(value)) {
      if (!shape.getRanked()) return builder_.AddUnrankedShapeAttribute();
      return builder_.AddShapeAttribute(shape.getDims());
    }
    if (auto symbol = llvm::dyn_cast<mlir::SymbolRefAttr>(value)) {
      auto it = compiled_modules_.find(symbol.getRootReference().str());
      if (it == compiled_modules_.end()) return std::nullopt;
      std::vector<std::string> nested;
      for (mlir::FlatSymbolRefAttr ref : symbol.getNestedReferences())
        nested.push_back(ref.getValue().str());
      return builder_.AddSymbolRefAttribute(
          it->second, symbol.getRootReference().str(), nested);
    }
    return std::nullopt;
  }

  // Homogeneous scalar arrays (and arrays of data types) are typed arrays;
  // anything else is an aggregate of its converted elements.
  std::optional<uint32_t> EmitArray(mlir::ArrayAttr array) {
    if (array.empty()) return builder_.AddEmptyArrayAttribute();
    if (llvm::all_of(array, [](mlir::Attribute element) {
          auto type = llvm::dyn_cast<mlir::TypeAttr>(element);
          return type && DataTypeOf(type.getValue()).has_value();
        })) {
      std::vector<DType> types;
      for (mlir::Attribute element : array)
        types.push_back(
            *DataTypeOf(llvm::cast<mlir::TypeAttr>(element).getValue()));
      return builder_.AddTypeArrayAttribute(types);
    }
    std::vector<uint8_t> bytes;
    std::optional<DType> common;
    bool typed = true;
    for (mlir::Attribute element : array) {
      auto typed_element = llvm::dyn_cast<mlir::TypedAttr>(element);
      std::optional<DType> dtype = ScalarBytes(element, bytes);
      if (!dtype || !typed_element ||
          (common && (*common != *dtype ||
                      typed_element.getType() !=
                          llvm::cast<mlir::TypedAttr>(array[0]).getType()))) {
        typed = false;
        break;
      }
      common = dtype;
    }
    if (typed)
      return builder_.AddArrayAttribute(static_cast<uint8_t>(*common), bytes,
                                        array.size());
    std::vector<uint32_t> elements;
    for (mlir::Attribute element : array) {
      std::optional<uint32_t> index = EmitAttribute(element);
      if (!index) return std::nullopt;
      elements.push_back(*index);
    }
    return builder_.AddAggregateAttribute(elements);
  }

  std::optional<uint32_t> EmitDense(mlir::DenseIntOrFPElementsAttr dense) {
    auto type = llvm::dyn_cast<mlir::RankedTensorType>(dense.getType());
    if (!type) return std::nullopt;
    const mlir::Type element = type.getElementType();
    std::vector<uint8_t> bytes;
    std::optional<DType> dtype;
    if (auto integer = llvm::dyn_cast<mlir::IntegerType>(element)) {
      dtype = IntegerDType(integer);
      if (!dtype) return std::nullopt;
      const unsigned width = std::max(1u, integer.getWidth() / 8);
      for (const llvm::APInt& value : dense.getValues<llvm::APInt>())
        AppendLittleEndian(value.getZExtValue(), width, bytes);
    } else if (auto complex = llvm::dyn_cast<mlir::ComplexType>(element)) {
      if (complex.getElementType().isF32()) {
        dtype = DType::kComplex64;
      } else if (complex.getElementType().isF64()) {
        dtype = DType::kComplex128;
      } else {
        return std::nullopt;
      }
      for (const std::complex<llvm::APFloat>& value :
           dense.getValues<std::complex<llvm::APFloat>>()) {
        for (const llvm::APFloat& part : {value.real(), value.imag()}) {
          const llvm::APInt bits = part.bitcastToAPInt();
          AppendLittleEndian(bits.getZExtValue(), bits.getBitWidth() / 8,
                             bytes);
        }
      }
    } else {
      dtype = FloatDType(element);
      if (!dtype) return std::nullopt;
      for (const llvm::APFloat& value : dense.getValues<llvm::APFloat>()) {
        const llvm::APInt bits = value.bitcastToAPInt();
        AppendLittleEndian(bits.getZExtValue(), bits.getBitWidth() / 8, bytes);
      }
    }
    return builder_.AddDenseAttribute(*dtype, type.getShape(), bytes);
  }

  // Every call makes a new location identity (§2.6); children may repeat.
  uint32_t EmitLocation(mlir::Location location) {
    if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(location))
      return builder_.AddFileLocation(file.getFilename().str(), file.getLine(),
                                      file.getColumn());
    if (auto name = llvm::dyn_cast<mlir::NameLoc>(location)) {
      const uint32_t child = EmitLocation(name.getChildLoc());
      return builder_.AddNameLocation(name.getName().str(), child);
    }
    if (auto call = llvm::dyn_cast<mlir::CallSiteLoc>(location)) {
      const uint32_t callee = EmitLocation(call.getCallee());
      const uint32_t caller = EmitLocation(call.getCaller());
      return builder_.AddCallSiteLocation(callee, caller);
    }
    if (auto fused = llvm::dyn_cast<mlir::FusedLoc>(location)) {
      std::vector<uint32_t> parts;
      for (mlir::Location part : fused.getLocations())
        parts.push_back(EmitLocation(part));
      return builder_.AddFusedLocation(parts);
    }
    if (auto opaque = llvm::dyn_cast<mlir::OpaqueLoc>(location))
      return EmitLocation(opaque.getFallbackLocation());
    return builder_.AddUnknownLocation();
  }

  template <typename Range>
  std::vector<uint32_t> Types(Range types) {
    std::vector<uint32_t> out;
    for (mlir::Type type : types)
      out.push_back(builder_.AddType(TypeSpelling(type)));
    return out;
  }

  mlir::ModuleOp module_;
  bef::BefBuilder builder_;
  std::optional<int64_t> module_threshold_;
  std::vector<mlir::func::FuncOp> functions_;
  std::map<std::string, std::string> compiled_modules_;
  llvm::DenseMap<mlir::Region*, uint32_t> region_index_;
  llvm::StringMap<uint32_t> function_index_;
  std::vector<PendingFunction> pending_;
};

}  // namespace

mlir::FailureOr<std::vector<uint8_t>> ConvertMlirToBef(
    mlir::ModuleOp module, const MlirToBefOptions& options) {
  return Emitter(module, options).Run();
}

}  // namespace rill
