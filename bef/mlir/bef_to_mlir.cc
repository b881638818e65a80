// BEF -> MLIR (host_dialect.md §9.5-§9.6); see translate.h.

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bef/format.h"
#include "bef/mlir/corert_dialect.h"
#include "bef/mlir/internal/data_types.h"
#include "bef/mlir/translate.h"
#include "llvm/ADT/APFloat.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Parser/Parser.h"

namespace rill {
namespace {

using bef::AttributeKind;
using bef::AttributeView;
using bef::DType;

const llvm::fltSemantics& Semantics(DType dtype) {
  switch (dtype) {
    case DType::kF16:
      return llvm::APFloat::IEEEhalf();
    case DType::kBF16:
      return llvm::APFloat::BFloat();
    case DType::kF32:
    case DType::kComplex64:
      return llvm::APFloat::IEEEsingle();
    default:
      return llvm::APFloat::IEEEdouble();
  }
}

bool IsFloat(DType dtype) {
  return dtype == DType::kF16 || dtype == DType::kBF16 ||
         dtype == DType::kF32 || dtype == DType::kF64;
}

uint64_t LoadLittleEndian(const uint8_t* bytes, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return value;
}

class Importer {
 public:
  Importer(const bef::BefFile& file, mlir::MLIRContext* context,
           mlir::Location location)
      : file_(file),
        context_(context),
        builder_(context),
        location_(location) {}

  mlir::OwningOpRef<mlir::ModuleOp> Run() {
    // Ops are built by name: every registered dialect must be loaded.
    context_->loadAllAvailableDialects();
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::ModuleOp::create(builder_.getUnknownLoc());
    module_ = *module;
    names_ = file_.debug_names();
    if (names_ == nullptr)
      mlir::emitWarning(location_)
          << "Missing AttributeTypes, AttributeNames or RegisterTypes "
             "sections.";
    builder_.setInsertionPointToEnd(module_.getBody());
    // Every compiled module, referenced or not, when the file keeps them
    // (the optional compiled modules section); else those that attributes
    // reference (their text travels with the reference).
    for (const bef::BefFile::CompiledModule& m : file_.compiled_modules())
      ImportCompiledModule(std::string(m.name),
                           llvm::StringRef(m.text.data(), m.text.size()));
    for (uint32_t f = 0; f < file_.num_functions(); ++f) {
      const bef::FunctionInfo& info = file_.function(f);
      if (info.name.empty()) continue;  // Rebuilt inside its kernel.
      if (failed(ImportFunction(f))) return nullptr;
    }
    if (failed_) return nullptr;
    // Compiled modules go first, in order of first reference.
    mlir::Block* body = module_.getBody();
    for (auto it = compiled_.rbegin(); it != compiled_.rend(); ++it)
      (*it)->moveBefore(body, body->begin());
    return module;
  }

 private:
  mlir::Type ParseType(uint32_t index) {
    const std::string spelling(file_.type_name(index));
    mlir::Type type = mlir::parseType(spelling, context_);
    if (!type) {
      failed_ = true;
      mlir::emitError(location_)
          << "type " << index << " ('" << spelling << "') is not an MLIR type";
      return builder_.getNoneType();
    }
    return type;
  }

  std::vector<mlir::Type> ParseTypes(const std::vector<uint32_t>& indices) {
    std::vector<mlir::Type> types;
    for (uint32_t index : indices) types.push_back(ParseType(index));
    return types;
  }

  mlir::LogicalResult ImportFunction(uint32_t f) {
    const bef::FunctionInfo& info = file_.function(f);
    const auto type = builder_.getFunctionType(ParseTypes(info.argument_types),
                                               ParseTypes(info.result_types));
    auto function = builder_.create<mlir::func::FuncOp>(
        builder_.getUnknownLoc(), std::string(info.name), type);
    if (info.kind == bef::FunctionKind::kNative) {
      function.setPrivate();
      function->setAttr("tfrt.native", builder_.getUnitAttr());
      return mlir::success();
    }
    if (info.kind == bef::FunctionKind::kSync)
      function->setAttr("tfrt.sync", builder_.getUnitAttr());
    return ImportBody(f, function.getBody());
  }

  mlir::LogicalResult ImportBody(uint32_t f, mlir::Region& region) {
    const bef::FunctionInfo& info = file_.function(f);
    const bef::FunctionBody& body = info.body;
    const bef::FunctionDebugNames* names =
        names_ != nullptr ? &(*names_)[f] : nullptr;
    auto* block = new mlir::Block();
    region.push_back(block);
    std::vector<mlir::Value> registers(body.num_registers());
    for (size_t i = 0; i < info.argument_types.size(); ++i)
      registers[i] = block->addArgument(ParseType(info.argument_types[i]),
                                        builder_.getUnknownLoc());
    mlir::OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToEnd(block);
    for (uint32_t k = 1; k < body.num_kernels(); ++k) {
      const bef::KernelView kernel = body.kernel(k);
      const absl::string_view name = file_.kernel_name(kernel.code());
      if (name.empty()) {
        return mlir::emitError(location_)
               << "function " << f << " kernel " << k
               << ": an empty kernel name is not an MLIR op name";
      }
      mlir::OperationState state(ImportLocation(kernel.location()),
                                 llvm::StringRef(name.data(), name.size()));
      for (uint32_t r : kernel.operands()) state.addOperands(registers[r]);
      for (uint32_t r : kernel.results()) {
        const uint32_t type =
            names != nullptr && r < names->register_types.size()
                ? names->register_types[r]
                : bef::FunctionDebugNames::kUnknownType;
        state.addTypes(type == bef::FunctionDebugNames::kUnknownType
                           ? mlir::Type(builder_.getNoneType())
                           : ParseType(type));
      }
      ImportAttributes(kernel, names, k, state);
      if (failed(ImportFunctionOperands(kernel, names, k, state)))
        return mlir::failure();
      mlir::Operation* op = builder_.create(state);
      for (size_t i = 0; i < kernel.results().size(); ++i)
        registers[kernel.results()[i]] = op->getResult(i);
    }
    mlir::OperationState ret(builder_.getUnknownLoc(), "tfrt.return");
    for (uint32_t r : body.result_registers()) ret.addOperands(registers[r]);
    builder_.create(ret);
    return mlir::success();
  }

  std::string Name(const bef::FunctionDebugNames* names, uint32_t kernel,
                   bool function, size_t i, const char* fallback) {
    if (names != nullptr) {
      const auto& table =
          function ? names->function_names : names->attribute_names;
      if (kernel < table.size() && i < table[kernel].size())
        return std::string(file_.string(table[kernel][i]));
    }
    return fallback + (i == 0 && function ? std::string() : std::to_string(i));
  }

  // A name from the file is used unless it is empty or taken (a file that
  // verifies may still say so); then the placeholder `attr<i>`.
  static std::string UniqueName(const mlir::OperationState& state,
                                std::string name, size_t i) {
    auto taken = [&](const std::string& candidate) {
      return candidate.empty() || state.attributes.get(candidate) != nullptr;
    };
    if (!taken(name)) return name;
    for (size_t n = i;; ++n) {
      std::string fallback = "attr" + std::to_string(n);
      if (!taken(fallback)) return fallback;
    }
  }

  void ImportAttributes(const bef::KernelView& kernel,
                        const bef::FunctionDebugNames* names, uint32_t k,
                        mlir::OperationState& state) {
    for (size_t i = 0; i < kernel.attributes().size(); ++i)
      state.addAttribute(
          UniqueName(state, Name(names, k, false, i, "attr"), i),
          ImportAttribute(file_.attribute(kernel.attributes()[i])));
    if ((kernel.flags() & bef::kKernelFlagHasCost) != 0 &&
        state.name.getStringRef() == "tfrt_test.test_cost")
      state.addAttribute("_tfrt_cost",
                         builder_.getI64IntegerAttr(kernel.cost()));
  }

  // References (named functions) return under their attribute names; arrays
  // of references (`branches = [@a, @b]`) share a name; region functions
  // become the op's regions.
  mlir::LogicalResult ImportFunctionOperands(
      const bef::KernelView& kernel, const bef::FunctionDebugNames* names,
      uint32_t k, mlir::OperationState& state) {
    std::vector<std::pair<std::string, std::vector<mlir::Attribute>>> refs;
    for (size_t i = 0; i < kernel.functions().size(); ++i) {
      const uint32_t f = kernel.functions()[i];
      const bef::FunctionInfo& callee = file_.function(f);
      if (callee.name.empty()) {
        mlir::Region* region = state.addRegion();
        if (failed(ImportBody(f, *region))) return mlir::failure();
        continue;
      }
      std::string name = Name(names, k, true, i, "callee");
      if (name.empty()) name = "callee";
      auto symbol = mlir::FlatSymbolRefAttr::get(
          context_, llvm::StringRef(callee.name.data(), callee.name.size()));
      if (refs.empty() || refs.back().first != name) refs.push_back({name, {}});
      refs.back().second.push_back(symbol);
    }
    for (auto& [raw_name, symbols] : refs) {
      const std::string name =
          UniqueName(state, raw_name, state.attributes.getAttrs().size());
      // Several references under one name were an array of references.
      if (symbols.size() == 1 && !IsArrayOfReferences(state, name))
        state.addAttribute(name, symbols[0]);
      else
        state.addAttribute(name, builder_.getArrayAttr(symbols));
    }
    return mlir::success();
  }

  // `branches` of tfrt.case is always an array, even of one element.
  static bool IsArrayOfReferences(const mlir::OperationState& state,
                                  const std::string& name) {
    return name == "branches" && state.name.getStringRef() == "tfrt.case";
  }

  mlir::Attribute ImportScalar(DType dtype, const uint8_t* bytes) {
    const size_t width = bef::DTypeSize(static_cast<uint8_t>(dtype));
    const uint64_t raw = LoadLittleEndian(bytes, width);
    if (dtype == DType::kI1) return builder_.getBoolAttr(raw != 0);
    const mlir::Type type = mlir_bef::MlirTypeOf(dtype, context_);
    if (IsFloat(dtype))
      return builder_.getFloatAttr(
          type, llvm::APFloat(Semantics(dtype), llvm::APInt(width * 8, raw)));
    return builder_.getIntegerAttr(type, llvm::APInt(width * 8, raw));
  }

  mlir::Attribute ImportAttribute(AttributeView view) {
    const DType dtype = static_cast<DType>(view.dtype());
    switch (view.kind()) {
      case AttributeKind::kScalar:
        return ImportScalar(dtype, view.scalar_bytes().data());
      case AttributeKind::kString: {
        const absl::string_view text = view.string_value();
        return builder_.getStringAttr(
            llvm::StringRef(text.data(), text.size()));
      }
      case AttributeKind::kType:
        return mlir::TypeAttr::get(mlir_bef::MlirTypeOf(
            static_cast<DType>(view.type_value()), context_));
      case AttributeKind::kArray: {
        std::vector<mlir::Attribute> elements;
        const absl::Span<const uint8_t> bytes = view.array_bytes();
        if (view.dtype() == bef::kTypeElements) {
          for (uint8_t element : bytes)
            elements.push_back(mlir::TypeAttr::get(
                mlir_bef::MlirTypeOf(static_cast<DType>(element), context_)));
        } else if (view.array_size() != 0) {
          const size_t width = bef::DTypeSize(view.dtype());
          for (size_t i = 0; i < view.array_size(); ++i)
            elements.push_back(ImportScalar(dtype, bytes.data() + i * width));
        }
        return builder_.getArrayAttr(elements);
      }
      case AttributeKind::kDense:
        return ImportDense(view);
      case AttributeKind::kShape: {
        const absl::Span<const int64_t> dims = view.shape_dims();
        return corert::ShapeAttr::get(context_, view.shape_is_ranked(),
                                      llvm::ArrayRef(dims.data(), dims.size()));
      }
      case AttributeKind::kAggregate: {
        std::vector<mlir::Attribute> elements;
        for (size_t i = 0; i < view.num_elements(); ++i)
          elements.push_back(ImportAttribute(view.element(i)));
        return builder_.getArrayAttr(elements);
      }
      case AttributeKind::kSymbolRef:
        return ImportSymbolRef(view);
    }
    return builder_.getUnitAttr();  // Unreachable: the file is verified.
  }

  mlir::Attribute ImportDense(AttributeView view) {
    const DType dtype = static_cast<DType>(view.dtype());
    const absl::Span<const int64_t> shape = view.dense_shape();
    const absl::Span<const uint8_t> bytes = view.dense_elements();
    const uint64_t count = view.dense_num_elements();
    mlir::Type element;
    if (dtype == DType::kComplex64 || dtype == DType::kComplex128) {
      element = mlir::ComplexType::get(dtype == DType::kComplex64
                                           ? builder_.getF32Type()
                                           : builder_.getF64Type());
    } else {
      element = mlir_bef::MlirTypeOf(dtype, context_);
    }
    auto type = mlir::RankedTensorType::get(
        llvm::ArrayRef(shape.data(), shape.size()), element);
    if (dtype == DType::kI1) {
      llvm::SmallVector<bool> values;
      for (uint64_t i = 0; i < count; ++i) values.push_back(bytes[i] != 0);
      return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
    }
    if (dtype == DType::kComplex64 || dtype == DType::kComplex128) {
      const size_t width = dtype == DType::kComplex64 ? 4 : 8;
      std::vector<std::complex<llvm::APFloat>> values;
      for (uint64_t i = 0; i < count; ++i) {
        const uint8_t* at = bytes.data() + 2 * width * i;
        values.emplace_back(
            llvm::APFloat(Semantics(dtype),
                          llvm::APInt(width * 8, LoadLittleEndian(at, width))),
            llvm::APFloat(
                Semantics(dtype),
                llvm::APInt(width * 8, LoadLittleEndian(at + width, width))));
      }
      return mlir::DenseElementsAttr::get(type, llvm::ArrayRef(values));
    }
    const size_t width = bef::DTypeSize(view.dtype());
    if (IsFloat(dtype)) {
      std::vector<llvm::APFloat> values;
      for (uint64_t i = 0; i < count; ++i)
        values.emplace_back(
            Semantics(dtype),
            llvm::APInt(width * 8,
                        LoadLittleEndian(bytes.data() + i * width, width)));
      return mlir::DenseElementsAttr::get(type, llvm::ArrayRef(values));
    }
    std::vector<llvm::APInt> values;
    for (uint64_t i = 0; i < count; ++i)
      values.emplace_back(width * 8,
                          LoadLittleEndian(bytes.data() + i * width, width));
    return mlir::DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }

  // Parses a compiled module's text once per name into the output module.
  void ImportCompiledModule(const std::string& name, llvm::StringRef text) {
    if (!compiled_names_.insert(name).second) return;
    // MLIR's lexer stops at a NUL after the buffer; BEF strings have none.
    const std::string source = text.str();
    mlir::Block scratch;
    mlir::ParserConfig config(context_);
    if (failed(mlir::parseSourceString(source, &scratch, config))) {
      failed_ = true;
      mlir::emitError(location_) << "the compiled module @" << name
                                 << " stored in the file does not parse";
      return;
    }
    for (mlir::Operation& op :
         llvm::make_early_inc_range(scratch.getOperations())) {
      op.remove();
      module_.getBody()->push_back(&op);
      compiled_.push_back(&op);
    }
  }

  // `@module::@f`: the module's text is parsed back once and placed in the
  // output module.
  mlir::Attribute ImportSymbolRef(AttributeView view) {
    auto text_of = [&](size_t i) {
      const absl::string_view text = view.element(i).string_value();
      return llvm::StringRef(text.data(), text.size());
    };
    const llvm::StringRef root = text_of(1);
    ImportCompiledModule(root.str(), text_of(0));
    std::vector<mlir::FlatSymbolRefAttr> nested;
    for (size_t i = 2; i < view.num_elements(); ++i)
      nested.push_back(mlir::FlatSymbolRefAttr::get(context_, text_of(i)));
    return mlir::SymbolRefAttr::get(context_, root, nested);
  }

  mlir::Location ImportLocation(uint32_t index) {
    if (index == bef::kNoLocation) return builder_.getUnknownLoc();
    const bef::LocationRecord record = file_.location(index);
    switch (record.tag) {
      case bef::LocationTag::kFile: {
        const absl::string_view name = file_.string(record.string);
        return mlir::FileLineColLoc::get(
            context_, llvm::StringRef(name.data(), name.size()), record.line,
            record.column);
      }
      case bef::LocationTag::kName: {
        const absl::string_view name = file_.string(record.string);
        return mlir::NameLoc::get(
            builder_.getStringAttr(llvm::StringRef(name.data(), name.size())),
            ImportLocation(record.children[0]));
      }
      case bef::LocationTag::kCallSite:
        return mlir::CallSiteLoc::get(ImportLocation(record.children[0]),
                                      ImportLocation(record.children[1]));
      case bef::LocationTag::kFused: {
        std::vector<mlir::Location> parts;
        for (uint32_t child : record.children)
          parts.push_back(ImportLocation(child));
        return mlir::FusedLoc::get(context_, parts);
      }
      case bef::LocationTag::kUnknown:
        break;
    }
    return builder_.getUnknownLoc();
  }

  const bef::BefFile& file_;
  mlir::MLIRContext* context_;
  mlir::OpBuilder builder_;
  mlir::Location location_;
  mlir::ModuleOp module_;
  const std::vector<bef::FunctionDebugNames>* names_ = nullptr;
  std::set<std::string> compiled_names_;
  bool failed_ = false;
  std::vector<mlir::Operation*> compiled_;
};

}  // namespace

mlir::OwningOpRef<mlir::ModuleOp> ConvertBefToMlir(const bef::BefFile& file,
                                                   mlir::MLIRContext* context,
                                                   mlir::Location location) {
  return Importer(file, context, location).Run();
}

}  // namespace rill
