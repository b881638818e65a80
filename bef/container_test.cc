#include "bef/container.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill {
namespace bef {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A copy of `bytes` in a page-aligned buffer, as a mapped file would be.
class AlignedBytes {
 public:
  explicit AlignedBytes(const std::vector<uint8_t>& bytes)
      : size_(bytes.size()),
        data_(static_cast<uint8_t*>(std::aligned_alloc(
            4096, ((bytes.size() + 4095) / 4096 + 1) * 4096))) {
    if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
  }
  absl::Span<const uint8_t> span() const { return {data_.get(), size_}; }
  absl::Span<const uint8_t> prefix(size_t n) const { return {data_.get(), n}; }
  uint8_t* data() { return data_.get(); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  size_t size_;
  std::unique_ptr<uint8_t, Free> data_;
};

std::vector<uint8_t> MustFinish(const BefContainerWriter& writer) {
  absl::StatusOr<std::vector<uint8_t>> bytes = writer.Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return *std::move(bytes);
}

std::vector<uint8_t> SampleFile() {
  BefContainerWriter writer("rill-translate test");
  const std::vector<uint8_t> strings = {'m', 'a', 'i', 'n', 0};
  const std::vector<uint8_t> attrs(40, 0xA5);
  const std::vector<uint8_t> functions(96, 0x11);
  writer.AddSection(static_cast<uint16_t>(SectionId::kStrings), strings, 1);
  writer.AddSection(static_cast<uint16_t>(SectionId::kAttributes), attrs, 16);
  writer.AddSection(static_cast<uint16_t>(SectionId::kFunctions), functions, 4);
  writer.AddSection(static_cast<uint16_t>(SectionId::kDebugNames), {}, 8,
                    /*optional=*/true);
  writer.AddSection(4000, strings, 8, /*optional=*/true);
  return MustFinish(writer);
}

// The example of docs/bef_format.md §8, byte for byte: the spec and the writer
// agree.
TEST(BefContainerTest, GoldenBytesMatchTheSpec) {
  BefContainerWriter writer("rill-test");
  writer.AddSection(1024, std::vector<uint8_t>{1, 2, 3}, 8, /*optional=*/true);
  const std::vector<uint8_t> expected = {
      0x0b, 0xef, 0x01, 0x00, 0x30, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x72, 0x69, 0x6c, 0x6c,
      0x2d, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x04, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  EXPECT_EQ(MustFinish(writer), expected);
  AlignedBytes buffer(expected);
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->producer(), "rill-test");
  EXPECT_TRUE(parsed->sections().empty());
  ASSERT_EQ(parsed->skipped_sections().size(), 1u);
  EXPECT_THAT(parsed->skipped_sections()[0].bytes, ElementsAre(1, 2, 3));
}

TEST(BefContainerTest, RoundTrip) {
  AlignedBytes buffer(SampleFile());
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->major_version(), kMajorVersion);
  EXPECT_EQ(parsed->minor_version(), kMinorVersion);
  EXPECT_EQ(parsed->producer(), "rill-translate test");
  ASSERT_EQ(parsed->sections().size(), 4u);
  const Section* strings = parsed->Find(SectionId::kStrings);
  ASSERT_NE(strings, nullptr);
  EXPECT_THAT(strings->bytes, ElementsAre('m', 'a', 'i', 'n', 0));
  const Section* attrs = parsed->Find(SectionId::kAttributes);
  ASSERT_NE(attrs, nullptr);
  EXPECT_EQ(attrs->offset % 16, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(attrs->bytes.data()) % 16,
            0u);  // Zero-copy, aligned.
  EXPECT_EQ(attrs->bytes.size(), 40u);
  EXPECT_EQ(parsed->Find(SectionId::kFunctions)->bytes.size(), 96u);
  EXPECT_TRUE(parsed->Find(SectionId::kDebugNames)->optional);
  EXPECT_TRUE(parsed->Find(SectionId::kDebugNames)->bytes.empty());
  EXPECT_EQ(parsed->Find(SectionId::kTypes), nullptr);
  ASSERT_EQ(parsed->skipped_sections().size(), 1u);
  EXPECT_EQ(parsed->skipped_sections()[0].id, 4000);
}

// Truncating a valid file at any byte yields a clean error, never a crash (run
// under ASan+UBSan).
TEST(BefContainerTest, TruncationAtEveryOffsetIsAnError) {
  const std::vector<uint8_t> bytes = SampleFile();
  AlignedBytes buffer(bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.prefix(n));
    ASSERT_FALSE(parsed.ok())
        << "accepted a file truncated to " << n << " bytes";
    EXPECT_THAT(std::string(parsed.status().message()), StartsWith("bef: "));
  }
}

// Flipping any bit of the header or the section table yields an error or a file
// that still verifies (and then every section lies inside the buffer); never
// undefined behaviour.
TEST(BefContainerTest, EveryBitFlipInHeaderAndTableIsSafe) {
  const std::vector<uint8_t> bytes = SampleFile();
  const size_t header_size = bytes[4] | (bytes[5] << 8);
  const size_t table_end = header_size + 5 * kSectionEntrySize;
  int accepted = 0;
  for (size_t byte = 0; byte < table_end; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> mutated = bytes;
      mutated[byte] ^= static_cast<uint8_t>(1u << bit);
      AlignedBytes buffer(mutated);
      absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
      if (!parsed.ok()) {
        EXPECT_THAT(std::string(parsed.status().message()),
                    StartsWith("bef: "));
        continue;
      }
      ++accepted;
      for (const Section& s : parsed->sections()) {
        ASSERT_GE(s.bytes.data(), buffer.span().data());
        ASSERT_LE(s.bytes.data() + s.bytes.size(),
                  buffer.span().data() + buffer.span().size());
      }
    }
  }
  // Flips in reserved fields, the producer text and flag bits other than
  // "optional" are legitimately accepted; everything else must not be.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, static_cast<int>(table_end * 8 / 2));
}

// Payload bytes are opaque to the container: random flips there never make it
// invalid.
TEST(BefContainerTest, RandomFlipsInPayloadsKeepTheContainerValid) {
  const std::vector<uint8_t> bytes = SampleFile();
  const size_t header_size = bytes[4] | (bytes[5] << 8);
  const size_t table_end = header_size + 5 * kSectionEntrySize;
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::vector<uint8_t> mutated = bytes;
    const size_t pos = table_end + rng() % (bytes.size() - table_end);
    mutated[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
    AlignedBytes buffer(mutated);
    EXPECT_TRUE(BefContainer::Parse(buffer.span()).ok()) << "flip at " << pos;
  }
}

TEST(BefContainerTest, NewerMajorIsRefusedNamingBothVersions) {
  BefContainerWriter writer("future");
  writer.OverrideVersionForTesting(2, 3);
  AlignedBytes buffer(MustFinish(writer));
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(parsed.status().message(),
            "bef: unsupported format version 2.3: this reader supports 1.x (up "
            "to 1.0)");
  BefContainerWriter old_writer("ancient");
  old_writer.OverrideVersionForTesting(0, 9);
  AlignedBytes old_buffer(MustFinish(old_writer));
  EXPECT_EQ(BefContainer::Parse(old_buffer.span()).status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST(BefContainerTest, NewerMinorIsReadSkippingUnknownOptionalSections) {
  BefContainerWriter writer("newer minor");
  writer.OverrideVersionForTesting(kMajorVersion, kMinorVersion + 5);
  writer.AddSection(static_cast<uint16_t>(SectionId::kStrings),
                    std::vector<uint8_t>{0}, 1);
  writer.AddSection(900, std::vector<uint8_t>(10, 1), 8, /*optional=*/true);
  AlignedBytes buffer(MustFinish(writer));
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->minor_version(), kMinorVersion + 5);
  EXPECT_EQ(parsed->sections().size(), 1u);
  EXPECT_EQ(parsed->skipped_sections().size(), 1u);
}

TEST(BefContainerTest, UnknownRequiredSectionIsRefused) {
  BefContainerWriter writer("p");
  writer.AddSection(77, std::vector<uint8_t>{1}, 1, /*optional=*/false);
  AlignedBytes buffer(MustFinish(writer));
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("section table entry 0 (id 77, unknown) at offset "
                        "0x28: unknown required "
                        "section id 77"));
}

// Corrupts one field of a valid file and checks the reader's message.
struct Corruption {
  const char* name;
  size_t offset;  // Byte offset of the field (entry fields are relative to the
                  // first entry).
  bool in_entry;
  uint64_t value;
  int width;
  const char* message;
};

class BefContainerCorruptionTest : public ::testing::TestWithParam<Corruption> {
};

TEST_P(BefContainerCorruptionTest, GivesAClearError) {
  const Corruption& c = GetParam();
  std::vector<uint8_t> bytes = SampleFile();
  const size_t header_size = bytes[4] | (bytes[5] << 8);
  const size_t at = c.in_entry ? header_size + c.offset : c.offset;
  std::memcpy(bytes.data() + at, &c.value, c.width);
  AlignedBytes buffer(bytes);
  absl::StatusOr<BefContainer> parsed = BefContainer::Parse(buffer.span());
  ASSERT_FALSE(parsed.ok()) << c.name;
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.message))
      << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BefContainerCorruptionTest,
    ::testing::Values(
        Corruption{"magic", 0, false, 0x7f, 1,
                   "not a BEF file: bad magic 7f ef at offset 0x0"},
        Corruption{"file_size", 8, false, 4096, 8,
                   "header field file_size at offset 0x8 says 4096"},
        Corruption{"header_size odd", 4, false, 33, 4,
                   "must be a multiple of 8"},
        Corruption{"header_size small", 4, false, 32, 4, "at least 51"},
        Corruption{"header_size huge", 4, false, 0x10000, 4,
                   "past the end of the file"},
        Corruption{"section_count", 16, false, 65, 4,
                   "section_count at offset 0x10 is 65"},
        Corruption{"table past end", 16, false, 60, 4,
                   "runs past the end of the file"},
        Corruption{"producer_length", 20, false, 300, 2,
                   "producer_length at offset 0x14 is 300"},
        Corruption{"alignment zero", 4, true, 0, 4,
                   "alignment 0 is not a power of two"},
        Corruption{"alignment three", 4, true, 3, 4,
                   "alignment 3 is not a power of two"},
        Corruption{"alignment huge", 4, true, 8192, 4,
                   "alignment 8192 is not a power of two"},
        Corruption{"offset in table", 8, true, 0x20, 8,
                   "is inside the header or section table"},
        Corruption{"offset past end", 8, true, 0xFFFFFFFFFFFFFF00, 8,
                   "runs past the end"},
        Corruption{"length past end", 16, true, 0xFFFFFFFFFFFFFFFF, 8,
                   "runs past the end"},
        Corruption{"duplicate id", kSectionEntrySize, true, 1, 2,
                   "id 1 already used by section table entry 0"},
        Corruption{"overlap", kSectionEntrySize + 8, true, 0xB0, 8,
                   "overlaps entry 0"}),
    [](const auto& info) {
      std::string name = info.param.name;
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(BefContainerTest, MisalignedBufferIsRefusedWithAHint) {
  const std::vector<uint8_t> bytes = SampleFile();
  std::vector<uint8_t> storage(bytes.size() + 16);
  uint8_t* base = storage.data();
  while (reinterpret_cast<uintptr_t>(base) % 16 != 8)
    ++base;  // 8-aligned, not 16-aligned.
  std::memcpy(base, bytes.data(), bytes.size());
  absl::StatusOr<BefContainer> parsed =
      BefContainer::Parse({base, bytes.size()});
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(
      std::string(parsed.status().message()),
      HasSubstr("is not aligned to 16 bytes, the largest section alignment"));
}

TEST(BefContainerWriterTest, RefusesWhatTheReaderWouldRefuse) {
  BefContainerWriter long_producer(std::string(300, 'x'));
  EXPECT_FALSE(long_producer.Finish().ok());
  BefContainerWriter bad_alignment("p");
  bad_alignment.AddSection(1, std::vector<uint8_t>{1}, 24);
  EXPECT_FALSE(bad_alignment.Finish().ok());
  BefContainerWriter duplicate("p");
  duplicate.AddSection(1, std::vector<uint8_t>{1});
  duplicate.AddSection(1, std::vector<uint8_t>{2});
  EXPECT_FALSE(duplicate.Finish().ok());
  BefContainerWriter too_many("p");
  for (uint16_t id = 0; id < 65; ++id)
    too_many.AddSection(2000 + id, {}, 1, true);
  EXPECT_FALSE(too_many.Finish().ok());
}

TEST(BefContainerTest, SectionNames) {
  EXPECT_EQ(SectionName(1), "strings");
  EXPECT_EQ(SectionName(6), "functions");
  EXPECT_EQ(SectionName(8), "debug names");
  EXPECT_EQ(SectionName(9), "compiled modules");
  EXPECT_EQ(SectionName(10), "unknown");
  EXPECT_TRUE(IsKnownSection(7));
  EXPECT_FALSE(IsKnownSection(0));
}

}  // namespace
}  // namespace bef
}  // namespace rill
