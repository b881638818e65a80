#include "bef/mlir/internal/data_types.h"

#include "llvm/Support/raw_ostream.h"
#include "mlir/AsmParser/AsmParser.h"

namespace rill {
namespace mlir_bef {

std::string TypeSpelling(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  stream << type;
  stream.flush();
  return text;
}

std::optional<bef::DType> DataTypeOf(mlir::Type type) {
  const std::string spelling = TypeSpelling(type);
  for (uint8_t i = 1; i <= bef::kLastDType; ++i)
    if (spelling == bef::DTypeMlirName(i)) return static_cast<bef::DType>(i);
  return std::nullopt;
}

mlir::Type MlirTypeOf(bef::DType dtype, mlir::MLIRContext* context) {
  const absl::string_view name =
      bef::DTypeMlirName(static_cast<uint8_t>(dtype));
  return mlir::parseType(llvm::StringRef(name.data(), name.size()), context);
}

}  // namespace mlir_bef
}  // namespace rill
