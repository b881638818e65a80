#include "bef/mlir/internal/data_types.h"

#include <array>

#include "llvm/Support/raw_ostream.h"
#include "mlir/AsmParser/AsmParser.h"

namespace rill {
namespace mlir_bef {
namespace {

// Indexed by DType (1..kLastDType); the spellings of host_dialect.md §4.5.
constexpr std::array<const char*, bef::kLastDType + 1> kSpellings = {
    "",         "i1",         "i8",          "i16",
    "i32",      "i64",        "ui8",         "ui16",
    "ui32",     "ui64",       "f16",         "bf16",
    "f32",      "f64",        "complex<f32>", "complex<f64>",
    "!corert.string",  "!corert.resource", "!corert.variant",
    "!corert.quint8",  "!corert.quint16",  "!corert.qint8",
    "!corert.qint16",  "!corert.qint32",
};

}  // namespace

std::string TypeSpelling(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  stream << type;
  return text;
}

std::optional<bef::DType> DataTypeOf(mlir::Type type) {
  const std::string spelling = TypeSpelling(type);
  for (uint8_t i = 1; i <= bef::kLastDType; ++i)
    if (spelling == kSpellings[i]) return static_cast<bef::DType>(i);
  return std::nullopt;
}

mlir::Type MlirTypeOf(bef::DType dtype, mlir::MLIRContext* context) {
  return mlir::parseType(kSpellings[static_cast<uint8_t>(dtype)], context);
}

}  // namespace mlir_bef
}  // namespace rill
