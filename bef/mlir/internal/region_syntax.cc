#include "bef/mlir/internal/region_syntax.h"

#include <string>

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace rill {
namespace mlir_syntax {

mlir::ParseResult ParseShadowedRegion(
    mlir::OpAsmParser& parser, mlir::Region& region,
    llvm::ArrayRef<mlir::OpAsmParser::UnresolvedOperand> names,
    mlir::TypeRange types) {
  // Shadowing cannot tell two arguments with one name apart: then the
  // region spells its entry block arguments itself (as PrintShadowedRegion
  // prints it).
  llvm::StringSet<> seen;
  for (const auto& name : names)
    if (!seen.insert(name.name).second)
      return parser.parseRegion(region, /*arguments=*/{});
  llvm::SmallVector<mlir::OpAsmParser::Argument, 4> arguments;
  for (size_t i = 0; i < names.size() && i < types.size(); ++i) {
    mlir::OpAsmParser::Argument argument;
    argument.ssaName = names[i];
    argument.type = types[i];
    arguments.push_back(argument);
  }
  return parser.parseRegion(region, arguments, /*enableNameShadowing=*/true);
}

void PrintShadowedRegion(mlir::OpAsmPrinter& printer, mlir::Region& region,
                         mlir::ValueRange values) {
  const llvm::SmallPtrSet<mlir::Value, 4> distinct(values.begin(),
                                                   values.end());
  if (distinct.size() != values.size()) {
    printer.printRegion(region, /*printEntryBlockArgs=*/true,
                        /*printBlockTerminators=*/true);
    return;
  }
  if (!region.empty() && region.getNumArguments() == values.size())
    printer.shadowRegionArgs(region, values);
  printer.printRegion(region, /*printEntryBlockArgs=*/false,
                      /*printBlockTerminators=*/true);
}

void AddEmptyReturnBlock(mlir::Region& region, mlir::TypeRange types,
                         mlir::Location location) {
  auto* block = new mlir::Block();
  region.push_back(block);
  for (mlir::Type type : types) block->addArgument(type, location);
  mlir::OpBuilder builder(location.getContext());
  builder.setInsertionPointToEnd(block);
  mlir::OperationState state(location, "tfrt.return");
  builder.create(state);
}

void PrintFunctionalType(mlir::OpAsmPrinter& printer, mlir::TypeRange inputs,
                         mlir::TypeRange results) {
  printer << "(";
  llvm::interleaveComma(inputs, printer);
  printer << ") -> (";
  llvm::interleaveComma(results, printer);
  printer << ")";
}

mlir::ParseResult ParseAttributesAndSignature(
    mlir::OpAsmParser& parser, mlir::OperationState& result,
    llvm::ArrayRef<mlir::OpAsmParser::UnresolvedOperand> operands,
    mlir::FunctionType& type) {
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return mlir::failure();
  const llvm::SMLoc loc = parser.getCurrentLocation();
  if (parser.parseColonType(type) ||
      parser.resolveOperands(operands, type.getInputs(), loc, result.operands))
    return mlir::failure();
  result.addTypes(type.getResults());
  return mlir::success();
}

mlir::ParseResult ParseOptionalTrailingOperands(
    mlir::OpAsmParser& parser,
    llvm::SmallVectorImpl<mlir::OpAsmParser::UnresolvedOperand>& operands) {
  if (failed(parser.parseOptionalComma())) return mlir::success();
  return parser.parseOperandList(operands);
}

mlir::LogicalResult VerifyReturnTerminated(mlir::Operation* op,
                                           mlir::Region& region) {
  for (mlir::Block& block : region) {
    if (block.empty() || block.back().getName().getStringRef() != "tfrt.return")
      return op->emitOpError("expected tfrt.return in body");
  }
  if (region.empty()) return op->emitOpError("expected tfrt.return in body");
  return mlir::success();
}

mlir::LogicalResult VerifyRegionArguments(mlir::Operation* op,
                                          mlir::Region& region,
                                          mlir::TypeRange types,
                                          llvm::StringRef count_message,
                                          llvm::StringRef type_message) {
  if (region.empty()) return mlir::success();
  if (region.getNumArguments() != types.size())
    return op->emitOpError(count_message);
  for (size_t i = 0; i < types.size(); ++i)
    if (region.getArgument(i).getType() != types[i])
      return op->emitOpError(type_message);
  return mlir::success();
}

mlir::FailureOr<mlir::FunctionType> LookupCallee(
    mlir::Operation* op, mlir::SymbolTableCollection& symbols,
    mlir::SymbolRefAttr callee, llvm::StringRef attribute) {
  if (!callee)
    return op->emitOpError("requires a '")
           << attribute << "' symbol reference attribute";
  auto function =
      symbols.lookupNearestSymbolFrom<mlir::func::FuncOp>(op, callee);
  if (!function)
    return op->emitOpError("'") << callee.getLeafReference().getValue()
                                << "' does not reference a valid function";
  return function.getFunctionType();
}

mlir::LogicalResult VerifyCalleeSignature(mlir::Operation* op,
                                          mlir::FunctionType callee,
                                          mlir::TypeRange operands,
                                          mlir::TypeRange results,
                                          llvm::StringRef what) {
  const std::string suffix = what.empty() ? "" : " " + what.str();
  if (callee.getNumInputs() != operands.size())
    return op->emitOpError("incorrect number of operands") << suffix;
  for (size_t i = 0; i < operands.size(); ++i)
    if (callee.getInput(i) != operands[i])
      return op->emitOpError("operand type mismatch") << suffix;
  if (callee.getNumResults() != results.size())
    return op->emitOpError("incorrect number of results") << suffix;
  for (size_t i = 0; i < results.size(); ++i)
    if (callee.getResult(i) != results[i])
      return op->emitOpError("result type mismatch") << suffix;
  return mlir::success();
}

mlir::Type ParseKnownOrOpaqueType(const mlir::Dialect& dialect,
                                  mlir::DialectAsmParser& parser,
                                  GeneratedTypeParser generated) {
  const llvm::SMLoc loc = parser.getCurrentLocation();
  llvm::StringRef mnemonic;
  mlir::Type type;
  mlir::OptionalParseResult known = generated(parser, &mnemonic, type);
  if (known.has_value()) return succeeded(*known) ? type : mlir::Type();
  if (mnemonic.empty()) {
    parser.emitError(loc, "expected a !")
        << dialect.getNamespace() << " type name";
    return mlir::Type();
  }
  // The full body after "<dialect>." (the parser has consumed the mnemonic).
  std::string body = mnemonic.str();
  while (succeeded(parser.parseOptionalKeyword("."))) {
    llvm::StringRef part;
    if (failed(parser.parseKeyword(&part))) return mlir::Type();
    body += "." + part.str();
  }
  return mlir::OpaqueType::get(
      mlir::StringAttr::get(dialect.getContext(), dialect.getNamespace()),
      body);
}

}  // namespace mlir_syntax
}  // namespace rill
