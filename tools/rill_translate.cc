// rill-translate: MLIR host programs <-> BEF (host_dialect.md §9), with TFRT's
// tfrt_translate flags:
//   rill-translate -mlir-to-bef [--disable-optional-sections[=true|false]]
//                  [-split-input-file] [-verify-diagnostics]
//                  [-allow-unregistered-dialect] [-o <out>] [<in>|-]
//   rill-translate -bef-to-mlir [--mlir-print-op-generic] [-o <out>] [<in>|-]
// Flags take one or two dashes; input defaults to stdin, output to stdout.
// Unregistered ops and dialects are always allowed (the flag is accepted and
// ignored). Diagnostics are MLIR style, `<file>:<line>:<col>: error: ...`;
// with -split-input-file each piece keeps the original file's name and line
// numbers (the piece is parsed at its original position). Exit status 0 on
// success, 1 on any error.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bef/bef_file.h"
#include "bef/format.h"
#include "bef/mlir/dialects.h"
#include "bef/mlir/translate.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

namespace {

enum class Mode { kNone, kMlirToBef, kBefToMlir };

llvm::cl::opt<Mode> mode(
    llvm::cl::desc("Translation:"), llvm::cl::init(Mode::kNone),
    llvm::cl::values(clEnumValN(Mode::kMlirToBef, "mlir-to-bef",
                                "MLIR host program -> BEF executable"),
                     clEnumValN(Mode::kBefToMlir, "bef-to-mlir",
                                "BEF executable -> MLIR host program")));
llvm::cl::opt<std::string> input_path(llvm::cl::Positional,
                                      llvm::cl::desc("<input file>"),
                                      llvm::cl::init("-"));
llvm::cl::opt<std::string> output_path("o", llvm::cl::desc("output file"),
                                       llvm::cl::value_desc("filename"),
                                       llvm::cl::init("-"));
llvm::cl::opt<bool> split_input_file(
    "split-input-file",
    llvm::cl::desc("translate each piece between '// -----' lines on its own"),
    llvm::cl::init(false));
llvm::cl::opt<bool> verify_diagnostics(
    "verify-diagnostics",
    llvm::cl::desc("check diagnostics against expected-* annotations"),
    llvm::cl::init(false));
llvm::cl::opt<bool> allow_unregistered_dialect(
    "allow-unregistered-dialect",
    llvm::cl::desc("accepted for compatibility; always on"),
    llvm::cl::init(true));
llvm::cl::opt<bool> disable_optional_sections(
    "disable-optional-sections",
    llvm::cl::desc("-mlir-to-bef: omit the optional debug names section"),
    llvm::cl::init(false));

constexpr llvm::StringLiteral kSplitMarker = "// -----";

// Pieces of `text` between marker lines, each padded with the newlines that
// preceded it so that line numbers stay those of the original file.
std::vector<std::string> SplitInput(llvm::StringRef text) {
  std::vector<std::string> pieces;
  size_t piece_start = 0, piece_line = 0, line = 0, pos = 0;
  auto finish = [&](size_t end) {
    pieces.push_back(std::string(piece_line, '\n') +
                     text.substr(piece_start, end - piece_start).str());
  };
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == llvm::StringRef::npos) end = text.size();
    if (text.substr(pos, end - pos).trim() == kSplitMarker) {
      finish(pos);
      piece_start = std::min(end + 1, text.size());
      piece_line = line + 1;
    }
    pos = end + 1;
    ++line;
  }
  finish(text.size());
  return pieces;
}

mlir::LogicalResult MlirToBef(llvm::SourceMgr& source,
                              mlir::MLIRContext& context,
                              llvm::raw_ostream& output) {
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(source, config);
  if (!module) return mlir::failure();
  rill::MlirToBefOptions options;
  options.emit_debug_names = !disable_optional_sections;
  mlir::FailureOr<std::vector<uint8_t>> bytes =
      rill::ConvertMlirToBef(*module, options);
  if (failed(bytes)) return mlir::failure();
  output.write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return mlir::success();
}

// Without the debug names section (§9.5) attributes get placeholder names
// and values unknown types; the module is printed anyway (MLIR's printer
// falls back to the generic form for ops that do not verify).
mlir::LogicalResult BefToMlir(llvm::SourceMgr& source,
                              mlir::MLIRContext& context,
                              llvm::raw_ostream& output) {
  const llvm::MemoryBuffer* buffer =
      source.getMemoryBuffer(source.getMainFileID());
  const mlir::Location location =
      mlir::FileLineColLoc::get(&context, buffer->getBufferIdentifier(), 0, 0);
  const llvm::StringRef bytes = buffer->getBuffer();
  absl::StatusOr<std::unique_ptr<rill::bef::BefFile>> file =
      rill::bef::BefFile::FromCopy(absl::Span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!file.ok())
    return mlir::emitError(location) << std::string(file.status().message());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      rill::ConvertBefToMlir(**file, &context, location);
  if (!module) return mlir::failure();
  module->print(output);
  output << "\n";
  return mlir::success();
}

mlir::LogicalResult ProcessPiece(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                 const mlir::DialectRegistry& registry,
                                 llvm::raw_ostream& output) {
  mlir::MLIRContext context(registry);
  context.allowUnregisteredDialects();
  context.printOpOnDiagnostic(!verify_diagnostics);
  auto source = std::make_shared<llvm::SourceMgr>();
  source->AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  auto translate = [&] {
    return mode == Mode::kMlirToBef ? MlirToBef(*source, context, output)
                                    : BefToMlir(*source, context, output);
  };
  if (!verify_diagnostics) {
    mlir::SourceMgrDiagnosticHandler handler(*source, &context);
    return translate();
  }
  mlir::SourceMgrDiagnosticVerifierHandler handler(*source, &context);
  (void)translate();  // Expected errors make it fail; the verdict is below.
  return handler.verify();
}

}  // namespace

int main(int argc, char** argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "rill-translate (Rill 0.1), BEF format "
       << static_cast<int>(rill::bef::kMajorVersion) << "."
       << static_cast<int>(rill::bef::kMinorVersion) << ", MLIR 19\n";
  });
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "rill-translate: MLIR host programs <-> BEF executables\n");
  if (mode == Mode::kNone) {
    llvm::errs() << "rill-translate: give -mlir-to-bef or -bef-to-mlir "
                    "(see --help)\n";
    return 1;
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(input_path, &error);
  if (!input) {
    llvm::errs() << "rill-translate: " << error << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(output_path, &error);
  if (!output) {
    llvm::errs() << "rill-translate: " << error << "\n";
    return 1;
  }
  mlir::DialectRegistry registry;
  rill::RegisterRillDialects(registry);

  bool ok = true;
  if (!split_input_file) {
    ok = succeeded(ProcessPiece(std::move(input), registry, output->os()));
  } else {
    const std::vector<std::string> pieces = SplitInput(input->getBuffer());
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i != 0) output->os() << kSplitMarker << "\n";
      auto piece = llvm::MemoryBuffer::getMemBufferCopy(
          pieces[i], input->getBufferIdentifier());
      ok = succeeded(ProcessPiece(std::move(piece), registry, output->os())) &&
           ok;
    }
  }
  if (!ok) return 1;
  output->keep();
  return 0;
}
