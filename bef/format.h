// Declares the constants and enumerations of BEF's content sections
// (docs/bef_format.md §9-§16): data types, attribute kinds and their record
// header, function kinds, kernel flag bits, the reserved register and kernel
// codes of the entry kernel, and the limits the verifier enforces. These are
// the words written to and read from files; changing any value is a major
// version change.
//
// Thread-safety: constants and pure functions only.

#ifndef RILL_BEF_FORMAT_H_
#define RILL_BEF_FORMAT_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace rill {
namespace bef {

// Data types (docs/bef_format.md §10.1). Scalar attributes, typed arrays and
// dense elements use kI1..kComplex128; type attributes may name any of them.
enum class DType : uint8_t {
  kInvalid = 0,
  kI1 = 1,
  kI8 = 2,
  kI16 = 3,
  kI32 = 4,
  kI64 = 5,
  kUI8 = 6,
  kUI16 = 7,
  kUI32 = 8,
  kUI64 = 9,
  kF16 = 10,
  kBF16 = 11,
  kF32 = 12,
  kF64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kString = 16,
  kResource = 17,
  kVariant = 18,
  kQUI8 = 19,
  kQUI16 = 20,
  kQI8 = 21,
  kQI16 = 22,
  kQI32 = 23,
};
inline constexpr uint8_t kLastDType = 23;

// True for kI1..kF64: the types of scalar attributes and typed-array elements.
bool IsScalarDType(uint8_t dtype);
// True for kI1..kComplex128: the element types of dense attributes.
bool IsDenseElementDType(uint8_t dtype);
// True for kI1..kQI32: every valid type-attribute value.
bool IsValidDType(uint8_t dtype);
// Byte size of one element of a dense-element dtype, else 0.
size_t DTypeSize(uint8_t dtype);
// MLIR spelling ("i32", "ui8", "bf16", "complex<f32>", "!corert.qint8"), or
// "invalid" for a value that is not a data type.
absl::string_view DTypeMlirName(uint8_t dtype);

// Attribute kinds (docs/bef_format.md §10.2): the first byte of every
// attribute record header.
enum class AttributeKind : uint8_t {
  kScalar = 1,     // dtype: a scalar dtype; payload: the value.
  kString = 2,     // payload: u64 length, bytes.
  kType = 3,       // payload: one byte, a valid dtype.
  kArray = 4,      // dtype: element dtype, kTypeElements, or kInvalid
                   // (empty); payload: u64 count, packed elements.
  kDense = 5,      // dtype: element; payload: u64 rank, u64 element count,
                   // i64 dims[rank], elements (8-aligned).
  kShape = 6,      // payload: i64 rank (-1: unranked), i64 dims[rank].
  kAggregate = 7,  // payload: u64 count, i64 element offsets[count].
  kSymbolRef = 8,  // Like kAggregate; elements are strings: module text,
                   // root symbol, nested symbols.
};
inline constexpr uint8_t kLastAttributeKind = 8;
// The dtype byte of an array whose elements are data types (`[f64, f32]`).
inline constexpr uint8_t kTypeElements = 0x80;

// "scalar", "string", ... or "invalid".
absl::string_view AttributeKindName(uint8_t kind);

// The 8-byte header in front of every attribute payload. Kernels receive a
// pointer to the payload (host_runtime/attribute.h); the header sits at
// payload - 8.
struct AttributeHeader {
  uint8_t kind;
  uint8_t dtype;
  uint16_t reserved;  // Written 0, ignored.
  uint32_t payload_size;
};
static_assert(sizeof(AttributeHeader) == 8, "attribute header is 8 bytes");

// Function kinds (docs/bef_format.md §13).
enum class FunctionKind : uint8_t {
  kAsync = 0,
  kSync = 1,
  kNative = 2,
};
absl::string_view FunctionKindName(uint8_t kind);

// Kernel flag bits (docs/bef_format.md §14.3). Readers ignore unknown bits.
inline constexpr uint32_t kKernelFlagNonStrict = 1u << 0;
inline constexpr uint32_t kKernelFlagHasCost = 1u << 1;

// The entry kernel (kernel 0 of every body) has this code and location, and
// its result 0 is the start signal, which has this register number.
inline constexpr uint32_t kEntryKernelCode = 0xFFFFFFFFu;
inline constexpr uint32_t kNoLocation = 0xFFFFFFFFu;
inline constexpr uint32_t kStartSignalRegister = 0xFFFFFFFFu;

// Words of a function body header and of a kernel record header.
inline constexpr uint32_t kBodyHeaderWords = 4;
inline constexpr uint32_t kKernelTableEntryWords = 3;
inline constexpr uint32_t kKernelHeaderWords = 8;

// Location record tags (docs/bef_format.md §15).
enum class LocationTag : uint8_t {
  kUnknown = 0,
  kFile = 1,      // vbr file string, vbr line, vbr column.
  kName = 2,      // vbr name string, child location.
  kCallSite = 3,  // callee location, caller location.
  kFused = 4,     // vbr count, locations.
};

// Limits (docs/bef_format.md §16) beyond those the file size implies.
inline constexpr uint32_t kMaxNestingDepth = 64;  // regions, attrs, locations
inline constexpr uint32_t kMaxDenseRank = 64;
inline constexpr uint32_t kMaxShapeRank = 64;

// Section alignments the writer uses and the reader requires.
inline constexpr uint32_t kStringsAlignment = 4;
inline constexpr uint32_t kAttributesAlignment = 8;
inline constexpr uint32_t kFunctionsAlignment = 4;
inline constexpr uint32_t kLocationsAlignment = 4;

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_FORMAT_H_
