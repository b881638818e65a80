// Declares the MLIR <-> BEF translation of host_dialect.md §9 (the engine of
// rill-translate):
//   ConvertMlirToBef: a parsed, verified module -> BEF bytes, written with
//     BefBuilder (functions in the §9.3 post-order, kernels with attributes,
//     function operands and locations, compiled modules). Errors are MLIR
//     diagnostics at the offending op with the §9.4 texts.
//   ConvertBefToMlir: a verified BefFile -> a module that rill-opt and
//     ConvertMlirToBef read again (§9.5-§9.6); with the debug names section
//     it restores attribute names and value types, otherwise it warns and
//     uses placeholders.
// MLIR-only (bef/mlir); the runtime never links it.
//
// Thread-safety: both functions use only their arguments; an MLIRContext is
// not thread-safe for concurrent mutation, so give each thread its own.

#ifndef RILL_BEF_MLIR_TRANSLATE_H_
#define RILL_BEF_MLIR_TRANSLATE_H_

#include <cstdint>
#include <vector>

#include "bef/bef_file.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"

namespace rill {

struct MlirToBefOptions {
  // The optional debug names section (§9.3): attribute and function-operand
  // names and value types; only -bef-to-mlir needs it.
  bool emit_debug_names = true;
};

mlir::FailureOr<std::vector<uint8_t>> ConvertMlirToBef(
    mlir::ModuleOp module, const MlirToBefOptions& options = {});

// `location` is where file-level diagnostics (the missing-sections warning)
// are reported.
mlir::OwningOpRef<mlir::ModuleOp> ConvertBefToMlir(const bef::BefFile& file,
                                                   mlir::MLIRContext* context,
                                                   mlir::Location location);

}  // namespace rill

#endif  // RILL_BEF_MLIR_TRANSLATE_H_
