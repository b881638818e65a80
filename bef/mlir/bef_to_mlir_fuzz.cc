// libFuzzer target over -bef-to-mlir: any input that BefFile verifies must
// import into MLIR, print, and (when the module verifies) translate back to
// BEF without crashing; diagnostics are fine. Inputs that do not verify stop
// at BefFile (//bef:bef_fuzz covers that part).
//
//   bazel build --config=fuzz //bef/mlir:bef_to_mlir_fuzz
//   ASAN_OPTIONS=allow_user_poisoning=0 \
//   bazel-out/k8-fastbuildfuzz/bin/bef/mlir/bef_to_mlir_fuzz
//       -max_total_time=600 -dict=bef/testdata/bef.dict
//       $PWD/bef/testdata/bef_corpus          (one command line)
//
// allow_user_poisoning=0: Debian's MLIR archives are not instrumented, and
// LLVM's BumpPtrAllocator poisons slabs from (instrumented) inline code that
// its uninstrumented callers then read: a false use-after-poison otherwise
// (the same setting as --config=asan's tests).
//
// //bef/mlir:bef_to_mlir_corpus_test replays the BEF corpus through it on
// every CI run (also under ASan).

#include <cstdint>
#include <string>

#include "bef/bef_file.h"
#include "bef/mlir/dialects.h"
#include "bef/mlir/translate.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<std::unique_ptr<rill::bef::BefFile>> file =
      rill::bef::BefFile::FromCopy(absl::Span<const uint8_t>(data, size));
  if (!file.ok()) return 0;
  mlir::DialectRegistry registry;
  rill::RegisterRillDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.allowUnregisteredDialects();
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic&) { return mlir::success(); });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      rill::ConvertBefToMlir(**file, &context, mlir::UnknownLoc::get(&context));
  if (!module) return 0;
  std::string text;
  llvm::raw_string_ostream stream(text);
  module->print(stream);
  if (succeeded(mlir::verify(*module))) (void)rill::ConvertMlirToBef(*module);
  return 0;
}
