// Declares BefFile, the verified, read-only view of a BEF program
// (docs/bef_format.md), and the zero-copy views over its parts: attributes,
// function bodies, kernels and locations.
//
// A BefFile is created only by verifying the whole file: the container (header,
// section table, version policy) and every content section — every offset,
// length, count, index, register number, kernel/attribute/type/string/function
// reference, used-by list, ready count, nesting depth and alignment. After
// that the views read the file in place without further checks; no accessor
// can read outside the file when given indices within the counts it reports.
// Verification failures are INVALID_ARGUMENT (UNIMPLEMENTED for an
// unsupported version) with messages that start with "bef: " and name the
// section, function and kernel where known, and the byte offset.
//
// Thread-safety: a BefFile is immutable after creation; any number of threads
// may read it and its views concurrently.

#ifndef RILL_BEF_BEF_FILE_H_
#define RILL_BEF_BEF_FILE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bef/container.h"
#include "bef/format.h"

namespace rill {
namespace bef {

// An attribute record: an 8-byte header (kind, dtype, payload size) followed
// by the payload that kernels receive (host_runtime/attribute.h).
class AttributeView {
 public:
  AttributeView() = default;
  explicit AttributeView(const uint8_t* header) : header_(header) {}

  AttributeKind kind() const { return static_cast<AttributeKind>(header_[0]); }
  uint8_t dtype() const { return header_[1]; }
  // What a kernel receives for this attribute; aligned to 8.
  const void* payload() const { return header_ + 8; }
  uint32_t payload_size() const;

  // kScalar: the value's little-endian bytes (DTypeSize(dtype()) of them).
  absl::Span<const uint8_t> scalar_bytes() const;
  template <typename T>
  T scalar() const {
    T value;
    std::memcpy(&value, header_ + 8, sizeof(T));
    return value;
  }
  // kString.
  absl::string_view string_value() const;
  // kType: the named data type.
  uint8_t type_value() const { return header_[8]; }
  // kArray: element count and packed element bytes (element type dtype();
  // kTypeElements: one dtype byte per element).
  uint64_t array_size() const { return Word64(0); }
  absl::Span<const uint8_t> array_bytes() const;
  // kDense: shape, element count, raw elements (8-aligned).
  absl::Span<const int64_t> dense_shape() const;
  uint64_t dense_num_elements() const { return Word64(1); }
  absl::Span<const uint8_t> dense_elements() const;
  // kShape: rank -1 means unranked; dims are -1 where unknown.
  bool shape_is_ranked() const { return static_cast<int64_t>(Word64(0)) >= 0; }
  absl::Span<const int64_t> shape_dims() const;
  // kAggregate and kSymbolRef: elements in order. For kSymbolRef element 0
  // is the compiled module's text, 1 its root symbol, then nested symbols.
  uint64_t num_elements() const { return Word64(0); }
  AttributeView element(size_t i) const;

 private:
  uint64_t Word64(size_t i) const {
    uint64_t v;
    std::memcpy(&v, header_ + 8 + 8 * i, 8);
    return v;
  }
  const uint8_t* header_ = nullptr;
};

// One kernel record of a function body, read in place.
class KernelView {
 public:
  explicit KernelView(const uint32_t* words) : words_(words) {}

  uint32_t code() const { return words_[0]; }  // Kernel name index.
  uint32_t location() const { return words_[1]; }
  uint32_t flags() const { return words_[2]; }
  uint32_t cost() const { return words_[3]; }
  bool is_entry() const { return code() == kEntryKernelCode; }

  absl::Span<const uint32_t> operands() const {
    return {words_ + OperandsAt(), words_[4]};
  }
  absl::Span<const uint32_t> attributes() const {
    return {words_ + OperandsAt() + words_[4], words_[5]};
  }
  absl::Span<const uint32_t> functions() const {
    return {words_ + OperandsAt() + words_[4] + words_[5], words_[6]};
  }
  absl::Span<const uint32_t> results() const {
    return {words_ + ResultsAt(), words_[7]};
  }
  // Number of users of each result.
  absl::Span<const uint32_t> num_used_by() const {
    return {words_ + kKernelHeaderWords, words_[7]};
  }
  // All used-by lists, concatenated in result order.
  absl::Span<const uint32_t> all_used_by() const;
  // The users of result `i` (kernel indices, in scheduling order). O(i): to
  // visit every result's users, walk all_used_by() with num_used_by().
  absl::Span<const uint32_t> used_by(size_t i) const;

 private:
  size_t OperandsAt() const { return kKernelHeaderWords + words_[7]; }
  size_t ResultsAt() const {
    return OperandsAt() + words_[4] + words_[5] + words_[6];
  }
  const uint32_t* words_;
};

// A function body (docs/bef_format.md §14), read in place.
class FunctionBody {
 public:
  FunctionBody() = default;
  explicit FunctionBody(const uint32_t* words) : words_(words) {}

  uint32_t num_registers() const { return words_[0]; }
  uint32_t num_kernels() const { return words_[1]; }  // Entry included.
  // Uses of each register, counting tfrt.return uses.
  absl::Span<const uint32_t> register_use_counts() const {
    return {words_ + kBodyHeaderWords, words_[0]};
  }
  absl::Span<const uint32_t> result_registers() const {
    return {words_ + kBodyHeaderWords + words_[0], words_[2]};
  }
  uint32_t ready_count(uint32_t kernel) const { return Entry(kernel)[1]; }
  uint32_t stream_id(uint32_t kernel) const { return Entry(kernel)[2]; }
  KernelView kernel(uint32_t kernel) const {
    return KernelView(KernelArea() + Entry(kernel)[0]);
  }

 private:
  const uint32_t* Entry(uint32_t kernel) const {
    return words_ + kBodyHeaderWords + words_[0] + words_[2] +
           size_t{kKernelTableEntryWords} * kernel;
  }
  const uint32_t* KernelArea() const {
    return words_ + kBodyHeaderWords + words_[0] + words_[2] +
           size_t{kKernelTableEntryWords} * words_[1];
  }
  const uint32_t* words_ = nullptr;
};

struct FunctionInfo {
  absl::string_view name;  // Empty for region functions.
  FunctionKind kind = FunctionKind::kAsync;
  std::vector<uint32_t> argument_types;  // Type indices.
  std::vector<uint32_t> result_types;
  FunctionBody body;  // Unset for native functions.
  // For a region function, the function and kernel whose function operand it
  // is; kNoParent for named functions.
  static constexpr uint32_t kNoParent = 0xFFFFFFFFu;
  uint32_t parent_function = kNoParent;
  uint32_t parent_kernel = kNoParent;
};

// A decoded location record (docs/bef_format.md §15).
struct LocationRecord {
  LocationTag tag = LocationTag::kUnknown;
  uint32_t string = 0;  // kFile: the file; kName: the name (string indices).
  uint32_t line = 0;    // kFile.
  uint32_t column = 0;  // kFile.
  // kName: {child}; kCallSite: {callee, caller}; kFused: the parts.
  std::vector<uint32_t> children;
};

// Optional debug names (docs/bef_format.md §12): names of attributes and
// function operands, and register types, for -bef-to-mlir.
struct FunctionDebugNames {
  static constexpr uint32_t kUnknownType = 0xFFFFFFFFu;
  std::vector<uint32_t> register_types;  // Type index or kUnknownType.
  // Per kernel (entry included): string indices.
  std::vector<std::vector<uint32_t>> attribute_names;
  std::vector<std::vector<uint32_t>> function_names;
};

class BefFile {
 public:
  // Maps the file read-only (private mapping) and verifies it. The mapping
  // lives as long as the BefFile. As with any mapping, the file must not be
  // truncated by another process meanwhile (reads past the new end fault);
  // use FromCopy for files that may change under the reader.
  static absl::StatusOr<std::unique_ptr<BefFile>> Open(const std::string& path);
  // Verifies a caller-owned buffer, which must outlive the BefFile, stay
  // unchanged and be aligned to 8 bytes.
  static absl::StatusOr<std::unique_ptr<BefFile>> FromBuffer(
      absl::Span<const uint8_t> bytes);
  // Copies `bytes` into owned, aligned storage and verifies the copy.
  static absl::StatusOr<std::unique_ptr<BefFile>> FromCopy(
      absl::Span<const uint8_t> bytes);

  ~BefFile();
  BefFile(const BefFile&) = delete;
  BefFile& operator=(const BefFile&) = delete;

  const BefContainer& container() const { return container_; }
  absl::Span<const uint8_t> bytes() const { return bytes_; }

  size_t num_strings() const { return string_ends_.size(); }
  absl::string_view string(uint32_t index) const;

  size_t num_types() const { return types_.size(); }
  absl::string_view type_name(uint32_t index) const {
    return string(types_[index]);
  }
  size_t num_kernel_names() const { return kernel_names_.size(); }
  absl::string_view kernel_name(uint32_t code) const {
    return string(kernel_names_[code]);
  }

  size_t num_attributes() const { return attribute_offsets_.size(); }
  AttributeView attribute(uint32_t index) const {
    return AttributeView(attributes_.data() + attribute_offsets_[index]);
  }
  // Bytes of the attribute's records with shared elements counted each time
  // they appear (header + payload for a non-aggregate). The verifier bounds
  // the sum over all attributes by the section size (docs/bef_format.md §16).
  uint64_t attribute_expanded_bytes(uint32_t index) const {
    return attribute_sizes_[index];
  }

  size_t num_functions() const { return functions_.size(); }
  const FunctionInfo& function(uint32_t index) const {
    return functions_[index];
  }
  // The named function called `name`, if any.
  std::optional<uint32_t> FindFunction(absl::string_view name) const;

  size_t num_locations() const { return location_offsets_.size(); }
  LocationRecord location(uint32_t index) const;
  // The error-location text of host_dialect.md §2.6 for a location that is
  // not a file location: "(unknown)", "<file>;<line>;<col>", "<C>(<N>)",
  // "<callee><-<caller>", parts joined with ",".
  std::string LocationText(uint32_t index) const;
  // The debug info of host_dialect.md §2.6, if the location has any.
  std::optional<std::string> LocationDebugInfo(uint32_t index) const;

  // Null when the file has no debug names section.
  const std::vector<FunctionDebugNames>* debug_names() const {
    return has_debug_names_ ? &debug_names_ : nullptr;
  }
  // The optional compiled modules section (docs/bef_format.md §12.1): name
  // and MLIR text of each compiled module, in source order; empty without it.
  struct CompiledModule {
    absl::string_view name;
    absl::string_view text;
  };
  const std::vector<CompiledModule>& compiled_modules() const {
    return compiled_modules_;
  }

 private:
  friend class Verifier;
  BefFile() = default;
  static absl::StatusOr<std::unique_ptr<BefFile>> Create(
      std::unique_ptr<BefFile> file);

  absl::Span<const uint8_t> bytes_;
  void* mapping_ = nullptr;  // Owned mmap region, or null.
  size_t mapping_size_ = 0;
  std::unique_ptr<uint64_t[]> owned_;  // Owned aligned copy, or null.

  BefContainer container_;
  absl::Span<const uint32_t> string_ends_;
  const char* string_blob_ = nullptr;
  std::vector<uint32_t> types_;
  std::vector<uint32_t> kernel_names_;
  absl::Span<const uint8_t> attributes_;
  absl::Span<const uint32_t> attribute_offsets_;
  std::vector<uint64_t> attribute_sizes_;
  std::vector<FunctionInfo> functions_;
  absl::flat_hash_map<absl::string_view, uint32_t> function_by_name_;
  absl::Span<const uint8_t> locations_;
  absl::Span<const uint32_t> location_offsets_;
  bool has_debug_names_ = false;
  std::vector<FunctionDebugNames> debug_names_;
  std::vector<CompiledModule> compiled_modules_;
};

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_BEF_FILE_H_
