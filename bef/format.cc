#include "bef/format.h"

namespace rill {
namespace bef {

bool IsScalarDType(uint8_t dtype) {
  return dtype >= static_cast<uint8_t>(DType::kI1) &&
         dtype <= static_cast<uint8_t>(DType::kF64);
}

bool IsDenseElementDType(uint8_t dtype) {
  return dtype >= static_cast<uint8_t>(DType::kI1) &&
         dtype <= static_cast<uint8_t>(DType::kComplex128);
}

bool IsValidDType(uint8_t dtype) { return dtype >= 1 && dtype <= kLastDType; }

size_t DTypeSize(uint8_t dtype) {
  switch (static_cast<DType>(dtype)) {
    case DType::kI1:
    case DType::kI8:
    case DType::kUI8:
      return 1;
    case DType::kI16:
    case DType::kUI16:
    case DType::kF16:
    case DType::kBF16:
      return 2;
    case DType::kI32:
    case DType::kUI32:
    case DType::kF32:
      return 4;
    case DType::kI64:
    case DType::kUI64:
    case DType::kF64:
    case DType::kComplex64:
      return 8;
    case DType::kComplex128:
      return 16;
    default:
      return 0;
  }
}

absl::string_view DTypeMlirName(uint8_t dtype) {
  static constexpr absl::string_view kNames[] = {"invalid",
                                                 "i1",
                                                 "i8",
                                                 "i16",
                                                 "i32",
                                                 "i64",
                                                 "ui8",
                                                 "ui16",
                                                 "ui32",
                                                 "ui64",
                                                 "f16",
                                                 "bf16",
                                                 "f32",
                                                 "f64",
                                                 "complex<f32>",
                                                 "complex<f64>",
                                                 "!corert.string",
                                                 "!corert.resource",
                                                 "!corert.variant",
                                                 "!corert.quint8",
                                                 "!corert.quint16",
                                                 "!corert.qint8",
                                                 "!corert.qint16",
                                                 "!corert.qint32"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kLastDType + 1);
  return dtype <= kLastDType ? kNames[dtype] : kNames[0];
}

absl::string_view AttributeKindName(uint8_t kind) {
  switch (static_cast<AttributeKind>(kind)) {
    case AttributeKind::kScalar:
      return "scalar";
    case AttributeKind::kString:
      return "string";
    case AttributeKind::kType:
      return "type";
    case AttributeKind::kArray:
      return "array";
    case AttributeKind::kDense:
      return "dense";
    case AttributeKind::kShape:
      return "shape";
    case AttributeKind::kAggregate:
      return "aggregate";
    case AttributeKind::kSymbolRef:
      return "symbol reference";
  }
  return "invalid";
}

absl::string_view FunctionKindName(uint8_t kind) {
  switch (static_cast<FunctionKind>(kind)) {
    case FunctionKind::kAsync:
      return "async";
    case FunctionKind::kSync:
      return "sync";
    case FunctionKind::kNative:
      return "native";
  }
  return "invalid";
}

}  // namespace bef
}  // namespace rill
