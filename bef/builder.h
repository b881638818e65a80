// Declares BefBuilder, which writes any valid BEF program without MLIR: the
// translator, tests and (later) the eager path use it. The caller adds
// strings, types, kernel names, attributes, locations and functions; the
// builder interns what is shared, computes every piece of scheduling data of
// host_dialect.md §6.1-§6.2 (use counts, used-by lists in scheduling order,
// ready counts, stream ids) and lays out the sections of docs/bef_format.md.
// `Finish` verifies its own output with the reader's verifier, so the builder
// never hands out a file that BefFile rejects.
//
// Misuse (an index out of range, a malformed attribute, a function defined
// twice) does not abort: the first error is kept and returned by `Finish`.
//
// Thread-safety: not thread-safe; one thread builds one file.

#ifndef RILL_BEF_BUILDER_H_
#define RILL_BEF_BUILDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bef/format.h"

namespace rill {
namespace bef {

class BefBuilder;

// The C++ type that holds one element of a scalar dtype.
template <typename T>
constexpr DType DTypeOf() {
  if constexpr (std::is_same_v<T, bool>) return DType::kI1;
  if constexpr (std::is_same_v<T, int8_t>) return DType::kI8;
  if constexpr (std::is_same_v<T, int16_t>) return DType::kI16;
  if constexpr (std::is_same_v<T, int32_t>) return DType::kI32;
  if constexpr (std::is_same_v<T, int64_t>) return DType::kI64;
  if constexpr (std::is_same_v<T, uint8_t>) return DType::kUI8;
  if constexpr (std::is_same_v<T, uint16_t>) return DType::kUI16;
  if constexpr (std::is_same_v<T, uint32_t>) return DType::kUI32;
  if constexpr (std::is_same_v<T, uint64_t>) return DType::kUI64;
  if constexpr (std::is_same_v<T, float>) return DType::kF32;
  if constexpr (std::is_same_v<T, double>) return DType::kF64;
  return DType::kInvalid;
}

// One kernel to add to a function body.
struct KernelSpec {
  uint32_t name = 0;                 // From BefBuilder::AddKernelName.
  std::vector<uint32_t> operands;    // Registers.
  std::vector<uint32_t> attributes;  // Attribute indices, in kernel order.
  std::vector<uint32_t> functions;   // Function indices (refs, then regions).
  uint32_t num_results = 0;
  uint32_t location = kNoLocation;  // From BefBuilder::Add*Location; each
                                    // location may be used by one kernel.
  uint32_t flags = 0;               // kKernelFlagNonStrict, ...
  // Scheduling cost (host_dialect.md §6.2): nullopt means the default.
  std::optional<int64_t> cost;
  // Debug names (optional; empty or one per attribute / function / result).
  std::vector<uint32_t> attribute_names;  // String indices.
  std::vector<uint32_t> function_names;   // String indices ("" = region).
  std::vector<uint32_t> result_types;     // Type indices.
};

// Builds the body of one non-native function. Registers 0..num_args-1 are the
// arguments; each kernel's results get the next registers.
class FunctionBodyBuilder {
 public:
  uint32_t argument(size_t i) const { return static_cast<uint32_t>(i); }
  size_t num_arguments() const { return num_arguments_; }

  // Adds a kernel after the previous ones and returns its result registers.
  std::vector<uint32_t> AddKernel(const KernelSpec& kernel);
  // The registers the function returns (the operands of tfrt.return).
  void SetResults(absl::Span<const uint32_t> registers);
  // tfrt.cost_threshold for the stream analysis (nullopt or <= 0: auto mode).
  void SetCostThreshold(std::optional<int64_t> threshold) {
    cost_threshold_ = threshold;
  }

 private:
  friend class BefBuilder;
  FunctionBodyBuilder(BefBuilder* builder, uint32_t function,
                      size_t num_arguments)
      : builder_(builder),
        function_(function),
        num_arguments_(num_arguments),
        num_registers_(static_cast<uint32_t>(num_arguments)) {}

  BefBuilder* builder_;
  uint32_t function_;
  size_t num_arguments_;
  uint32_t num_registers_;
  std::vector<KernelSpec> kernels_;
  std::vector<uint32_t> first_result_;  // Per kernel.
  std::optional<std::vector<uint32_t>> results_;
  std::optional<int64_t> cost_threshold_;
};

class BefBuilder {
 public:
  explicit BefBuilder(std::string producer = "rill BefBuilder");
  ~BefBuilder();

  // Interned: adding the same text twice returns the same index.
  uint32_t AddString(absl::string_view text);
  uint32_t AddType(absl::string_view mlir_spelling);
  uint32_t AddKernelName(absl::string_view name);

  // Attributes; identical attributes share one record.
  uint32_t AddScalarAttribute(DType dtype, absl::Span<const uint8_t> bytes);
  template <typename T>
  uint32_t AddScalar(T value) {
    static_assert(DTypeOf<T>() != DType::kInvalid, "not a scalar type");
    return AddScalarAttribute(DTypeOf<T>(), AsBytes(&value, 1));
  }
  // f16 / bf16 from their 16-bit patterns.
  uint32_t AddHalfAttribute(DType dtype, uint16_t bits) {
    return AddScalarAttribute(dtype, AsBytes(&bits, 1));
  }
  uint32_t AddStringAttribute(absl::string_view value);
  uint32_t AddTypeAttribute(DType dtype);
  // `elements` packed little-endian; `element` a scalar dtype or
  // kTypeElements (one dtype byte each); an empty array uses DType::kInvalid.
  uint32_t AddArrayAttribute(uint8_t element, absl::Span<const uint8_t> bytes,
                             uint64_t count);
  template <typename T>
  uint32_t AddArray(absl::Span<const T> values) {
    static_assert(DTypeOf<T>() != DType::kInvalid, "not a scalar type");
    return AddArrayAttribute(static_cast<uint8_t>(DTypeOf<T>()),
                             AsBytes(values.data(), values.size()),
                             values.size());
  }
  uint32_t AddTypeArrayAttribute(absl::Span<const DType> types);
  uint32_t AddEmptyArrayAttribute() { return AddArrayAttribute(0, {}, 0); }
  // `elements`: every element, row-major (splats expanded by the caller).
  uint32_t AddDenseAttribute(DType element, absl::Span<const int64_t> shape,
                             absl::Span<const uint8_t> elements);
  uint32_t AddShapeAttribute(absl::Span<const int64_t> dims);
  uint32_t AddUnrankedShapeAttribute();
  // Elements are earlier attribute indices.
  uint32_t AddAggregateAttribute(absl::Span<const uint32_t> elements);
  // A reference `@root::@nested...` into a compiled module.
  uint32_t AddSymbolRefAttribute(absl::string_view module_text,
                                 absl::string_view root,
                                 absl::Span<const std::string> nested);

  // Locations; children are earlier location indices. Never interned: each
  // call makes a new location identity.
  uint32_t AddUnknownLocation();
  uint32_t AddFileLocation(absl::string_view file, uint32_t line,
                           uint32_t column);
  uint32_t AddNameLocation(absl::string_view name, uint32_t child);
  uint32_t AddCallSiteLocation(uint32_t callee, uint32_t caller);
  uint32_t AddFusedLocation(absl::Span<const uint32_t> parts);

  // Declares a function and returns its index; functions appear in the file
  // in declaration order. Region functions have an empty name and must be
  // the function operand of exactly one kernel of a later function.
  uint32_t DeclareFunction(FunctionKind kind, absl::string_view name,
                           absl::Span<const uint32_t> argument_types,
                           absl::Span<const uint32_t> result_types);
  // The body of a declared async or sync function; call once per function.
  // The pointer stays valid until Finish.
  FunctionBodyBuilder* DefineFunction(uint32_t function);

  // A compiled module (host_dialect.md §2.1): its symbol name and its MLIR
  // text, kept in the optional compiled modules section in call order so
  // that -bef-to-mlir prints every module back, referenced or not.
  void AddCompiledModule(absl::string_view name, absl::string_view text);

  // Whether to write the optional sections (debug names, compiled modules;
  // default true).
  void set_emit_debug_names(bool emit) { emit_debug_names_ = emit; }

  // Lays out and verifies the file. The builder is spent afterwards.
  absl::StatusOr<std::vector<uint8_t>> Finish();

 private:
  friend class FunctionBodyBuilder;
  struct Function;

  template <typename T>
  static absl::Span<const uint8_t> AsBytes(const T* data, size_t count) {
    return {reinterpret_cast<const uint8_t*>(data), count * sizeof(T)};
  }
  void Fail(std::string message);
  uint32_t AddRecord(uint8_t kind, uint8_t dtype, std::vector<uint8_t> payload,
                     std::vector<uint32_t> element_refs);
  uint32_t AddLocationRecord(std::vector<uint8_t> record);
  absl::Status BuildBody(const Function& function, std::vector<uint8_t>& out);

  std::string producer_;
  absl::Status status_;
  bool finished_ = false;
  bool emit_debug_names_ = true;
  std::vector<std::pair<uint32_t, uint32_t>> compiled_modules_;  // Strings.

  std::vector<std::string> strings_;
  absl::flat_hash_map<std::string, uint32_t> string_index_;
  std::vector<uint32_t> types_, kernel_names_;  // String indices.
  absl::flat_hash_map<uint32_t, uint32_t> type_index_, kernel_name_index_;

  struct Record {
    uint8_t kind, dtype;
    std::vector<uint8_t> payload;        // Element offsets left zero.
    std::vector<uint32_t> element_refs;  // Aggregates: attribute indices.
  };
  std::vector<Record> records_;
  absl::flat_hash_map<std::string, uint32_t> record_index_;

  std::vector<std::vector<uint8_t>> locations_;

  std::vector<std::unique_ptr<Function>> functions_;
  // Bodies handed out on misuse, so callers never get null.
  std::vector<std::unique_ptr<FunctionBodyBuilder>> scratch_bodies_;
};

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_BUILDER_H_
