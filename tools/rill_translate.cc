// rill-translate: MLIR host programs <-> BEF (host_dialect.md §9), TFRT's
// tfrt_translate flags:
//   rill-translate -mlir-to-bef [--disable-optional-sections] in.mlir -o out.bef
//   rill-translate -bef-to-mlir [--mlir-print-op-generic] in.bef
// plus MLIR's --split-input-file, --verify-diagnostics and -o. Unregistered
// ops and dialects are always allowed (§9.1), so -allow-unregistered-dialect
// is accepted and implied. Exit status 0 on success, 1 on any error; every
// error is a diagnostic `<file>:<line>:<col>: error: <message>`.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bef/bef_file.h"
#include "bef/format.h"
#include "bef/mlir/dialects.h"
#include "bef/mlir/translate.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

namespace {

llvm::cl::opt<bool> disable_optional_sections(
    "disable-optional-sections",
    llvm::cl::desc("-mlir-to-bef: omit the optional debug names section "
                   "(attribute names and types, value types)"),
    llvm::cl::init(false));

void RegisterDialects(mlir::DialectRegistry& registry) {
  rill::RegisterRillDialects(registry);
}

mlir::LogicalResult MlirToBef(mlir::Operation* op, llvm::raw_ostream& output) {
  auto module = llvm::dyn_cast<mlir::ModuleOp>(op);
  if (!module) return op->emitError("expected a builtin.module");
  rill::MlirToBefOptions options;
  options.emit_debug_names = !disable_optional_sections;
  mlir::FailureOr<std::vector<uint8_t>> bytes =
      rill::ConvertMlirToBef(module, options);
  if (failed(bytes)) return mlir::failure();
  output.write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return mlir::success();
}

// Printed here rather than by MLIR's to-MLIR driver, which refuses modules
// that do not verify: without the debug names section (§9.5) attributes have
// placeholder names and values unknown types, and the module is still
// printed (generic form for the ops that do not verify).
mlir::LogicalResult BefToMlir(const std::shared_ptr<llvm::SourceMgr>& source,
                              llvm::raw_ostream& output,
                              mlir::MLIRContext* context) {
  mlir::DialectRegistry registry;
  RegisterDialects(registry);
  context->appendDialectRegistry(registry);
  const llvm::MemoryBuffer* buffer =
      source->getMemoryBuffer(source->getMainFileID());
  const mlir::Location location = mlir::FileLineColLoc::get(
      context, buffer->getBufferIdentifier(), 0, 0);
  const llvm::StringRef bytes = buffer->getBuffer();
  absl::StatusOr<std::unique_ptr<rill::bef::BefFile>> file =
      rill::bef::BefFile::FromCopy(absl::Span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!file.ok()) {
    return mlir::emitError(location) << std::string(file.status().message());
  }
  mlir::OwningOpRef<mlir::ModuleOp> module =
      rill::ConvertBefToMlir(**file, context, location);
  if (!module) return mlir::failure();
  module->print(output);
  output << "\n";
  return mlir::success();
}

}  // namespace

int main(int argc, char** argv) {
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "rill-translate (Rill 0.1), BEF format " << rill::bef::kMajorVersion
       << "." << rill::bef::kMinorVersion << ", MLIR 19\n";
  });
  mlir::TranslateFromMLIRRegistration to_bef(
      "mlir-to-bef", "translate MLIR host programs to BEF", MlirToBef,
      RegisterDialects);
  mlir::TranslateRegistration from_bef(
      "bef-to-mlir", "translate BEF to MLIR host programs", BefToMlir);
  std::vector<char*> args(argv, argv + argc);
  static char kAllowUnregistered[] = "--allow-unregistered-dialect";
  args.insert(args.begin() + 1, kAllowUnregistered);
  return mlir::failed(mlir::mlirTranslateMain(
      static_cast<int>(args.size()), args.data(),
      "rill-translate: MLIR host programs <-> BEF\n"))
             ? 1
             : 0;
}
