// Internal to bef/: little-endian and VBR (unsigned LEB128) encoding helpers
// shared by the builder and the verifying reader. ByteReader never reads
// outside its span and reports where it stopped in file offsets.
//
// Thread-safety: plain values; not shared.

#ifndef RILL_BEF_INTERNAL_BYTE_IO_H_
#define RILL_BEF_INTERNAL_BYTE_IO_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/types/span.h"

namespace rill {
namespace bef {
namespace internal {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "BEF is little-endian and read in place");

template <typename T>
T LoadLe(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
void AppendLe(std::vector<uint8_t>& out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

// Unsigned LEB128: 7 bits per byte, least significant group first, high bit
// set on every byte but the last. A u32 takes at most 5 bytes.
inline void AppendVbr(std::vector<uint8_t>& out, uint32_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

inline void PadTo(std::vector<uint8_t>& out, size_t alignment) {
  while (out.size() % alignment != 0) out.push_back(0);
}

// Reads a span sequentially. Every read checks bounds; a failed read leaves
// the reader where it was and returns false, so callers can report `offset()`.
class ByteReader {
 public:
  ByteReader(absl::Span<const uint8_t> bytes, uint64_t file_offset)
      : bytes_(bytes), file_offset_(file_offset) {}

  // The file offset of the next byte.
  uint64_t offset() const { return file_offset_ + pos_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }

  bool ReadU8(uint8_t* value) {
    if (pos_ >= bytes_.size()) return false;
    *value = bytes_[pos_++];
    return true;
  }

  // Fails on truncation, on more than 5 bytes, on a value above 2^32-1 and on
  // a non-canonical (over-long) encoding, so every value has one encoding.
  bool ReadVbr(uint32_t* value) {
    uint64_t result = 0;
    for (size_t i = 0; i < 5; ++i) {
      if (pos_ + i >= bytes_.size()) return false;
      const uint8_t byte = bytes_[pos_ + i];
      result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (result > 0xFFFFFFFFu) return false;
        if (i > 0 && byte == 0) return false;  // Over-long.
        *value = static_cast<uint32_t>(result);
        pos_ += i + 1;
        return true;
      }
    }
    return false;
  }

 private:
  absl::Span<const uint8_t> bytes_;
  uint64_t file_offset_;
  size_t pos_ = 0;
};

}  // namespace internal
}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_INTERNAL_BYTE_IO_H_
