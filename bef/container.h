// Declares the BEF container (docs/bef_format.md §2-§7): the header with magic,
// major.minor version and producer, and the section table, with a writer and a
// verifying reader. `BefContainer::Parse` checks every header field and section
// table entry — bounds, overflow, alignment, overlap, duplicate and unknown
// ids, version — before handing out any section bytes. Section payloads are
// returned as views into the caller's buffer (zero copy).
//
// Thread-safety: a parsed BefContainer is immutable and may be shared across
// threads; the writer is single-threaded.

#ifndef RILL_BEF_CONTAINER_H_
#define RILL_BEF_CONTAINER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rill {
namespace bef {

inline constexpr uint8_t kMagic0 = 0x0B;
inline constexpr uint8_t kMagic1 = 0xEF;
inline constexpr uint8_t kMajorVersion = 1;
inline constexpr uint8_t kMinorVersion = 0;

inline constexpr uint32_t kFixedHeaderSize = 32;
inline constexpr uint32_t kSectionEntrySize = 24;
inline constexpr uint32_t kMaxSections = 64;
inline constexpr uint32_t kMaxProducerLength = 256;
inline constexpr uint32_t kMaxSectionAlignment = 4096;
inline constexpr uint64_t kMaxFileSize = uint64_t{1} << 32;
inline constexpr uint16_t kSectionFlagOptional = 1;

// Section ids (docs/bef_format.md §4).
enum class SectionId : uint16_t {
  kStrings = 1,
  kAttributes = 2,
  kTypes = 3,
  kKernelNames = 4,
  kFunctionIndex = 5,
  kFunctions = 6,
  kLocations = 7,
  kDebugNames = 8,
  kCompiledModules = 9,
};
inline constexpr uint16_t kFirstExperimentalSectionId = 1024;

// "strings", "functions", ... for known ids; "unknown" otherwise.
absl::string_view SectionName(uint16_t id);
// True for ids this reader knows (1..9).
bool IsKnownSection(uint16_t id);

struct Section {
  uint16_t id = 0;
  bool optional = false;
  uint32_t alignment = 1;
  uint64_t offset = 0;              // From the start of the file.
  absl::Span<const uint8_t> bytes;  // The payload, inside the parsed buffer.
};

class BefContainer {
 public:
  // Verifies `bytes` (docs/bef_format.md) and returns a view over it. The
  // buffer must stay alive and unchanged while the container or any Section
  // taken from it is used, and must be aligned to the largest section
  // alignment: an mmap'd file is (page-aligned); a std::vector from the writer
  // is aligned to 16 only, so files with larger section alignments need an
  // aligned copy.
  static absl::StatusOr<BefContainer> Parse(absl::Span<const uint8_t> bytes);

  uint8_t major_version() const { return major_; }
  uint8_t minor_version() const { return minor_; }
  absl::string_view producer() const { return producer_; }

  // Sections this reader knows, in section table order.
  absl::Span<const Section> sections() const { return sections_; }
  // Unknown optional sections that were skipped (kept for tools such as
  // rill-bef-dump).
  absl::Span<const Section> skipped_sections() const { return skipped_; }
  // The known section with `id`, or null.
  const Section* Find(SectionId id) const;

 private:
  uint8_t major_ = 0;
  uint8_t minor_ = 0;
  absl::string_view producer_;
  std::vector<Section> sections_;
  std::vector<Section> skipped_;
};

// Writes a container. Sections are laid out in the order they are added, each
// at its alignment, and the file is padded to a multiple of 8 bytes.
class BefContainerWriter {
 public:
  explicit BefContainerWriter(std::string producer)
      : producer_(std::move(producer)) {}

  // `alignment` is a power of two in [1, 4096]. Ids must be unique.
  void AddSection(uint16_t id, absl::Span<const uint8_t> payload,
                  uint32_t alignment = 8, bool optional = false);

  // For version-policy tests only: writes another version into the header.
  void OverrideVersionForTesting(uint8_t major, uint8_t minor) {
    major_ = major;
    minor_ = minor;
  }

  // The file bytes. InvalidArgument if a limit of docs/bef_format.md §6 is
  // exceeded or a section is malformed (the writer never produces a file its
  // own reader rejects).
  absl::StatusOr<std::vector<uint8_t>> Finish() const;

 private:
  struct PendingSection {
    uint16_t id;
    uint32_t alignment;
    bool optional;
    std::vector<uint8_t> payload;
  };
  std::string producer_;
  std::vector<PendingSection> sections_;
  uint8_t major_ = kMajorVersion;
  uint8_t minor_ = kMinorVersion;
};

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_CONTAINER_H_
