// rill-opt: mlir-opt with Rill's dialects registered (host_dialect.md §10). It
// parses, verifies and prints a module in canonical custom form;
// `--split-input-file`, `--verify-diagnostics` and
// `--mlir-print-op-generic` are MLIR's. Unregistered ops and dialects are
// always allowed (programs use unknown ops in generic form everywhere, §2.4),
// so `-allow-unregistered-dialect` is accepted and implied.

#include <string>
#include <vector>

#include "bef/mlir/dialects.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char** argv) {
  mlir::DialectRegistry registry;
  rill::RegisterRillDialects(registry);
  std::vector<char*> args(argv, argv + argc);
  static char kAllowUnregistered[] = "--allow-unregistered-dialect";
  args.insert(args.begin() + 1, kAllowUnregistered);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      static_cast<int>(args.size()), args.data(),
      "rill-opt: parses, verifies and prints Rill host programs\n", registry));
}
