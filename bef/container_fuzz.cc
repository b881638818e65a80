// libFuzzer target over the BEF container reader. Any input must yield a clean
// error or a container whose every section lies inside the input; ASan/UBSan
// turn anything else into a crash.
//
//   bazel run --config=fuzz //bef:container_fuzz -- -max_total_time=600
//       $PWD/bef/testdata/container_corpus   (one command line)
//
// //bef:container_corpus_test replays the corpus with the normal toolchain on
// every CI run.

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "bef/container.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libFuzzer's buffer has no particular alignment; a mapped file is
  // page-aligned.
  const size_t capacity = (size / 4096 + 1) * 4096;
  auto* aligned = static_cast<uint8_t*>(std::aligned_alloc(4096, capacity));
  if (aligned == nullptr) return 0;
  if (size != 0) std::memcpy(aligned, data, size);
  absl::StatusOr<rill::bef::BefContainer> parsed =
      rill::bef::BefContainer::Parse(absl::Span<const uint8_t>(aligned, size));
  if (parsed.ok()) {
    volatile uint32_t sum = 0;  // Touch every byte the reader hands out.
    auto touch = [&sum](absl::Span<const rill::bef::Section> sections) {
      for (const rill::bef::Section& s : sections) {
        for (uint8_t b : s.bytes) sum = sum + b;
      }
    };
    touch(parsed->sections());
    touch(parsed->skipped_sections());
    for (char c : parsed->producer()) sum = sum + static_cast<uint8_t>(c);
  } else if (parsed.status().message().substr(0, 5) != "bef: ") {
    std::abort();  // Every error must say where it comes from.
  }
  std::free(aligned);
  return 0;
}
