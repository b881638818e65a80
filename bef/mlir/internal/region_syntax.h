// Helpers shared by the custom syntax and verifiers of Rill's dialects
// (host_dialect.md §2.3, §3, §11.8-§11.13, §12.1, §14.4): regions whose block
// arguments are written with the operands' names (shadowing), function types
// printed with parenthesized results, callee signature checks with the spec's
// messages, and the opaque fallback for unknown type names. MLIR-only;
// stateless.
//
// Thread-safety: the functions touch only their arguments.

#ifndef RILL_BEF_MLIR_INTERNAL_REGION_SYNTAX_H_
#define RILL_BEF_MLIR_INTERNAL_REGION_SYNTAX_H_

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeRange.h"

namespace rill {
namespace mlir_syntax {

// Parses a region whose block arguments are `names` with `types`; the body
// may use the same names for them (name shadowing; the op must be isolated
// from above). When a name repeats, shadowing would be ambiguous and the
// region must declare its entry block (`{ ^bb0(%x: i32, %y: i32): ... }`).
mlir::ParseResult ParseShadowedRegion(
    mlir::OpAsmParser& parser, mlir::Region& region,
    llvm::ArrayRef<mlir::OpAsmParser::UnresolvedOperand> names,
    mlir::TypeRange types);

// Prints `region` with its block arguments named after `values`, or with an
// explicit entry block when a value repeats (see ParseShadowedRegion).
void PrintShadowedRegion(mlir::OpAsmPrinter& printer, mlir::Region& region,
                         mlir::ValueRange values);

// Appends a block with arguments of `types` holding an empty `tfrt.return`.
void AddEmptyReturnBlock(mlir::Region& region, mlir::TypeRange types,
                         mlir::Location location);

// `(i32, f32) -> (i1)`: results always in parentheses, as TFRT prints them.
void PrintFunctionalType(mlir::OpAsmPrinter& printer, mlir::TypeRange inputs,
                         mlir::TypeRange results);

// Parses `attributes {...}` (optional) and `: (inputs) -> results`, resolves
// `operands` against the inputs and adds the results' types.
mlir::ParseResult ParseAttributesAndSignature(
    mlir::OpAsmParser& parser, mlir::OperationState& result,
    llvm::ArrayRef<mlir::OpAsmParser::UnresolvedOperand> operands,
    mlir::FunctionType& type);

// Parses `%a, %b` (possibly empty, no delimiters) after a leading comma.
mlir::ParseResult ParseOptionalTrailingOperands(
    mlir::OpAsmParser& parser,
    llvm::SmallVectorImpl<mlir::OpAsmParser::UnresolvedOperand>& operands);

// Fails with `expected tfrt.return in body` unless every block of `region`
// ends in `tfrt.return`.
mlir::LogicalResult VerifyReturnTerminated(mlir::Operation* op,
                                           mlir::Region& region);

// Fails unless `region` has one argument per type in `types`, type for type.
// `what` names the region in the count message (`'then' block`).
mlir::LogicalResult VerifyRegionArguments(mlir::Operation* op,
                                          mlir::Region& region,
                                          mlir::TypeRange types,
                                          llvm::StringRef count_message,
                                          llvm::StringRef type_message);

// Looks up a func.func named by the symbol attribute `attribute`:
// `requires a '<attribute>' symbol reference attribute` when missing,
// `'<name>' does not reference a valid function` when not a function.
mlir::FailureOr<mlir::FunctionType> LookupCallee(
    mlir::Operation* op, mlir::SymbolTableCollection& symbols,
    mlir::SymbolRefAttr callee, llvm::StringRef attribute);

// Checks a callee's signature with TFRT's messages: `incorrect number of
// operands for <what>`, `operand type mismatch for <what>`, `incorrect number
// of results for <what>`, `result type mismatch for <what>` (`<what>` and its
// leading space omitted when empty).
mlir::LogicalResult VerifyCalleeSignature(mlir::Operation* op,
                                          mlir::FunctionType callee,
                                          mlir::TypeRange operands,
                                          mlir::TypeRange results,
                                          llvm::StringRef what);

// Parses a type of `dialect` with its ODS-generated parser (`generated`);
// any other name (`!tfrt.test.resource`, `!corert.qint8`) becomes an opaque
// type that prints back unchanged (host_dialect.md §3).
using GeneratedTypeParser = mlir::OptionalParseResult (*)(mlir::AsmParser&,
                                                          llvm::StringRef*,
                                                          mlir::Type&);
mlir::Type ParseKnownOrOpaqueType(const mlir::Dialect& dialect,
                                  mlir::DialectAsmParser& parser,
                                  GeneratedTypeParser generated);

}  // namespace mlir_syntax
}  // namespace rill

#endif  // RILL_BEF_MLIR_INTERNAL_REGION_SYNTAX_H_
