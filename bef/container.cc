#include "bef/container.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rill {
namespace bef {
namespace {

static_assert(
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "BEF is little-endian; a big-endian reader must byte-swap every field");

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(
      &value, p,
      sizeof(T));  // Unaligned-safe; the header fields are aligned anyway.
  return value;
}

template <typename T>
void Store(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

std::string Hex(uint64_t value) { return absl::StrFormat("0x%x", value); }

template <typename... Args>
absl::Status Invalid(const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat("bef: ", args...));
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

uint64_t RoundUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

std::string Range(uint64_t begin, uint64_t end) {
  return absl::StrCat("[", Hex(begin), ", ", Hex(end), ")");
}

}  // namespace

absl::string_view SectionName(uint16_t id) {
  switch (static_cast<SectionId>(id)) {
    case SectionId::kStrings:
      return "strings";
    case SectionId::kAttributes:
      return "attributes";
    case SectionId::kTypes:
      return "types";
    case SectionId::kKernelNames:
      return "kernel names";
    case SectionId::kFunctionIndex:
      return "function index";
    case SectionId::kFunctions:
      return "functions";
    case SectionId::kLocations:
      return "locations";
    case SectionId::kDebugNames:
      return "debug names";
    case SectionId::kCompiledModules:
      return "compiled modules";
  }
  return "unknown";
}

bool IsKnownSection(uint16_t id) { return id >= 1 && id <= 9; }

absl::StatusOr<BefContainer> BefContainer::Parse(
    absl::Span<const uint8_t> bytes) {
  const uint64_t size = bytes.size();
  const uint8_t* data = bytes.data();
  if (size < 2 || data[0] != kMagic0 || data[1] != kMagic1) {
    if (size < 2)
      return Invalid("not a BEF file: ", size,
                     " byte(s), too short for the magic");
    return Invalid("not a BEF file: bad magic ",
                   absl::StrFormat("%02x %02x", data[0], data[1]),
                   " at offset 0x0 (expected 0b ef)");
  }
  if (size < 4)
    return Invalid("header truncated at ", size, " bytes: no version");
  const uint8_t major = data[2];
  const uint8_t minor = data[3];
  if (major != kMajorVersion) {
    return absl::UnimplementedError(
        absl::StrCat("bef: unsupported format version ", major, ".", minor,
                     ": this reader supports ", kMajorVersion, ".x (up to ",
                     kMajorVersion, ".", kMinorVersion, ")"));
  }
  if (size < kFixedHeaderSize) {
    return Invalid("header truncated: need ", kFixedHeaderSize,
                   " bytes, the file has ", size);
  }
  const uint32_t header_size = Load<uint32_t>(data + 4);
  const uint64_t file_size = Load<uint64_t>(data + 8);
  const uint32_t section_count = Load<uint32_t>(data + 16);
  const uint16_t producer_length = Load<uint16_t>(data + 20);

  if (file_size != size) {
    return Invalid("header field file_size at offset 0x8 says ", file_size,
                   " bytes, but the file has ", size,
                   " (truncated or padded?)");
  }
  if (size > kMaxFileSize) {
    return Invalid("file has ", size, " bytes; the limit is ", kMaxFileSize);
  }
  if (producer_length > kMaxProducerLength) {
    return Invalid("header field producer_length at offset 0x14 is ",
                   producer_length, "; the limit is ", kMaxProducerLength);
  }
  if (header_size % 8 != 0 ||
      header_size < kFixedHeaderSize + producer_length) {
    return Invalid("header field header_size at offset 0x4 is ", header_size,
                   ": must be a multiple of 8 and at least ",
                   kFixedHeaderSize + producer_length,
                   " (32 + producer_length)");
  }
  if (header_size > size) {
    return Invalid("header field header_size at offset 0x4 is ", header_size,
                   ", past the end of the file (", size, " bytes)");
  }
  if (section_count > kMaxSections) {
    return Invalid("header field section_count at offset 0x10 is ",
                   section_count, "; the limit is ", kMaxSections);
  }
  const uint64_t table_end =
      uint64_t{header_size} + uint64_t{section_count} * kSectionEntrySize;
  if (table_end > size) {
    return Invalid("section table ", Range(header_size, table_end), " (",
                   section_count, " entries) runs past the end of the file (",
                   size, " bytes)");
  }

  BefContainer container;
  container.major_ = major;
  container.minor_ = minor;
  container.producer_ = absl::string_view(
      reinterpret_cast<const char*>(data + kFixedHeaderSize), producer_length);

  std::vector<Section> all;
  all.reserve(section_count);
  uint32_t max_alignment = 1;
  for (uint32_t i = 0; i < section_count; ++i) {
    const uint64_t entry =
        uint64_t{header_size} + uint64_t{i} * kSectionEntrySize;
    const uint8_t* p = data + entry;
    Section s;
    s.id = Load<uint16_t>(p);
    const uint16_t flags = Load<uint16_t>(p + 2);
    s.alignment = Load<uint32_t>(p + 4);
    s.offset = Load<uint64_t>(p + 8);
    const uint64_t length = Load<uint64_t>(p + 16);
    s.optional = (flags & kSectionFlagOptional) != 0;
    const std::string where =
        absl::StrCat("section table entry ", i, " (id ", s.id, ", ",
                     SectionName(s.id), ") at offset ", Hex(entry));
    if (!IsPowerOfTwo(s.alignment) || s.alignment > kMaxSectionAlignment) {
      return Invalid(where, ": alignment ", s.alignment,
                     " is not a power of two in [1, ", kMaxSectionAlignment,
                     "]");
    }
    if (s.offset % s.alignment != 0) {
      return Invalid(where, ": offset ", Hex(s.offset), " is not aligned to ",
                     s.alignment);
    }
    if (s.offset < table_end) {
      return Invalid(where, ": offset ", Hex(s.offset),
                     " is inside the header or section table (which end at ",
                     Hex(table_end), ")");
    }
    if (s.offset > size || length > size - s.offset) {
      return Invalid(where, ": range ", Range(s.offset, s.offset + length),
                     " runs past the end of the file (", size, " bytes)");
    }
    for (size_t j = 0; j < all.size(); ++j) {
      const Section& other = all[j];
      if (other.id == s.id) {
        return Invalid(where, ": id ", s.id,
                       " already used by section table entry ", j);
      }
      const uint64_t other_end = other.offset + other.bytes.size();
      if (length != 0 && !other.bytes.empty() && s.offset < other_end &&
          other.offset < s.offset + length) {
        return Invalid(where, ": range ", Range(s.offset, s.offset + length),
                       " overlaps entry ", j, " (id ", other.id, ", ",
                       SectionName(other.id), ") ",
                       Range(other.offset, other_end));
      }
    }
    if (!IsKnownSection(s.id) && !s.optional) {
      return Invalid(
          where, ": unknown required section id ", s.id,
          " (written by a newer producer? this reader knows ids 1-9)");
    }
    s.bytes = bytes.subspan(s.offset, length);
    max_alignment = std::max(max_alignment, s.alignment);
    all.push_back(s);
  }
  if (reinterpret_cast<uintptr_t>(data) % max_alignment != 0) {
    return Invalid(
        "buffer at address ", Hex(reinterpret_cast<uintptr_t>(data)),
        " is not aligned to ", max_alignment,
        " bytes, the largest section alignment; load the file into an aligned "
        "buffer (mmap is page-aligned)");
  }
  for (const Section& s : all) {
    (IsKnownSection(s.id) ? container.sections_ : container.skipped_)
        .push_back(s);
  }
  return container;
}

const Section* BefContainer::Find(SectionId id) const {
  for (const Section& s : sections_) {
    if (s.id == static_cast<uint16_t>(id)) return &s;
  }
  return nullptr;
}

void BefContainerWriter::AddSection(uint16_t id,
                                    absl::Span<const uint8_t> payload,
                                    uint32_t alignment, bool optional) {
  sections_.push_back(
      PendingSection{id, alignment, optional,
                     std::vector<uint8_t>(payload.begin(), payload.end())});
}

absl::StatusOr<std::vector<uint8_t>> BefContainerWriter::Finish() const {
  if (producer_.size() > kMaxProducerLength) {
    return Invalid("producer is ", producer_.size(), " bytes; the limit is ",
                   kMaxProducerLength);
  }
  if (sections_.size() > kMaxSections) {
    return Invalid(sections_.size(), " sections; the limit is ", kMaxSections);
  }
  const uint64_t header_size = RoundUp(kFixedHeaderSize + producer_.size(), 8);
  const uint64_t table_end = header_size + sections_.size() * kSectionEntrySize;
  std::vector<uint64_t> offsets;
  uint64_t pos = table_end;
  for (size_t i = 0; i < sections_.size(); ++i) {
    const PendingSection& s = sections_[i];
    if (!IsPowerOfTwo(s.alignment) || s.alignment > kMaxSectionAlignment) {
      return Invalid("section ", i, " (id ", s.id, "): alignment ", s.alignment,
                     " is not a power of two in [1, ", kMaxSectionAlignment,
                     "]");
    }
    for (size_t j = 0; j < i; ++j) {
      if (sections_[j].id == s.id)
        return Invalid("section id ", s.id, " added twice");
    }
    pos = RoundUp(pos, s.alignment);
    offsets.push_back(pos);
    pos += s.payload.size();
  }
  const uint64_t file_size = RoundUp(pos, 8);
  if (file_size > kMaxFileSize) {
    return Invalid("file would have ", file_size, " bytes; the limit is ",
                   kMaxFileSize);
  }
  std::vector<uint8_t> out(file_size, 0);
  uint8_t* d = out.data();
  d[0] = kMagic0;
  d[1] = kMagic1;
  d[2] = major_;
  d[3] = minor_;
  Store<uint32_t>(d + 4, static_cast<uint32_t>(header_size));
  Store<uint64_t>(d + 8, file_size);
  Store<uint32_t>(d + 16, static_cast<uint32_t>(sections_.size()));
  Store<uint16_t>(d + 20, static_cast<uint16_t>(producer_.size()));
  std::memcpy(d + kFixedHeaderSize, producer_.data(), producer_.size());
  for (size_t i = 0; i < sections_.size(); ++i) {
    const PendingSection& s = sections_[i];
    uint8_t* e = d + header_size + i * kSectionEntrySize;
    Store<uint16_t>(e, s.id);
    Store<uint16_t>(e + 2, s.optional ? kSectionFlagOptional : 0);
    Store<uint32_t>(e + 4, s.alignment);
    Store<uint64_t>(e + 8, offsets[i]);
    Store<uint64_t>(e + 16, s.payload.size());
    if (!s.payload.empty())
      std::memcpy(d + offsets[i], s.payload.data(), s.payload.size());
  }
  return out;
}

}  // namespace bef
}  // namespace rill
