// Declares the kernel-side views of attributes: `Attribute<T>`,
// `ArrayAttribute<T>` and `StringAttribute`. Attributes are read in place
// (zero-copy) from storage that outlives the kernel call — BEF's attribute
// section (bef/) or a test's buffer.
//
// Storage contract (what a producer of attribute storage must lay out;
// docs/kernel_api.md):
// - Scalar attribute of type T: the frame's attribute pointer points at a T,
// aligned to alignof(T),
//   in the host's byte order (little-endian on every supported target).
// - Array attribute of T (and strings, as arrays of char): the pointer points
// at an
//   `ArrayAttributeHeader` (aligned to 8) whose `num_elements` is followed
//   immediately, at offset 8, by the elements, packed. Element types have
//   alignment <= 8. Strings are not NUL-terminated.
//
// Thread-safety: views are immutable and point at immutable storage.

#ifndef RILL_HOST_RUNTIME_ATTRIBUTE_H_
#define RILL_HOST_RUNTIME_ATTRIBUTE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rill {

struct ArrayAttributeHeader {
  uint64_t num_elements;
};
static_assert(sizeof(ArrayAttributeHeader) == 8,
              "array attribute header is 8 bytes");

template <typename T>
class Attribute {
 public:
  static_assert(std::is_trivially_copyable<T>::value,
                "Attribute<T> reads T in place; use ArrayAttribute or "
                "StringAttribute for "
                "variable-sized data");
  explicit Attribute(const void* storage)
      : value_(static_cast<const T*>(storage)) {}
  const T& get() const { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_; }

 private:
  const T* value_;
};

template <typename T>
class ArrayAttribute {
 public:
  static_assert(std::is_trivially_copyable<T>::value && alignof(T) <= 8,
                "array attribute elements are packed, trivially copyable, "
                "aligned to <= 8");
  explicit ArrayAttribute(const void* storage) {
    const auto* header = static_cast<const ArrayAttributeHeader*>(storage);
    data_ = absl::Span<const T>(reinterpret_cast<const T*>(header + 1),
                                static_cast<size_t>(header->num_elements));
  }
  absl::Span<const T> data() const { return data_; }
  size_t size() const { return data_.size(); }
  const T& operator[](size_t i) const { return data_[i]; }
  auto begin() const { return data_.begin(); }
  auto end() const { return data_.end(); }

 private:
  absl::Span<const T> data_;
};

class StringAttribute {
 public:
  explicit StringAttribute(const void* storage) {
    const auto* header = static_cast<const ArrayAttributeHeader*>(storage);
    value_ = absl::string_view(reinterpret_cast<const char*>(header + 1),
                               static_cast<size_t>(header->num_elements));
  }
  absl::string_view get() const { return value_; }
  std::string str() const { return std::string(value_); }
  operator absl::string_view() const {
    return value_;
  }  // NOLINT(runtime/explicit)

 private:
  absl::string_view value_;
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_ATTRIBUTE_H_
