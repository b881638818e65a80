// Open + verify of a BEF file with 100,000 kernels (docs/bef_format.md), next
// to the floor of reading the same bytes: mmap the file and sum every word.
// The ratio says what verification costs over touching the file at all.
//
//   bazel run -c opt //benchmarks:bef_benchmark

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bef/bef_file.h"
#include "bef/testing/samples.h"
#include "benchmark/benchmark.h"
#include "benchmarks/comparison.h"

namespace rill {
namespace {

constexpr int kKernels = 100000;

// The generated file, written once per process.
const std::string& BefPath() {
  static const std::string* path = [] {
    absl::StatusOr<std::vector<uint8_t>> bytes =
        bef::testing::LargeDagProgram(kKernels, /*seed=*/42);
    if (!bytes.ok()) {
      std::fprintf(stderr, "cannot build the program: %s\n",
                   std::string(bytes.status().message()).c_str());
      std::exit(1);
    }
    const char* tmp = std::getenv("TMPDIR");
    auto* p =
        new std::string(absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                     "/rill_bef_benchmark_", getpid(), ".bef"));
    std::ofstream out(*p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", p->c_str());
      std::exit(1);
    }
    std::fprintf(stderr, "bef_benchmark: %d kernels, %zu bytes in %s\n",
                 kKernels, bytes->size(), p->c_str());
    return p;
  }();
  return *path;
}

// Times `run()` and reports ns per kernel of the file.
template <typename Run>
void PerKernel(benchmark::State& state, Run&& run) {
  bench::MeasurePerItem(state, kKernels, "ns_per_kernel",
                        std::forward<Run>(run));
}

void BM_Bef_OpenAndVerify(benchmark::State& state) {
  const std::string& path = BefPath();
  PerKernel(state, [&] {
    absl::StatusOr<std::unique_ptr<bef::BefFile>> file =
        bef::BefFile::Open(path);
    if (!file.ok()) state.SkipWithError("open failed");
    benchmark::DoNotOptimize(file);
  });
}
BENCHMARK(BM_Bef_OpenAndVerify)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Bef_VerifyInMemory(benchmark::State& state) {
  std::ifstream in(BefPath(), std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::vector<uint64_t> aligned((bytes.size() + 7) / 8);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  const absl::Span<const uint8_t> span(
      reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size());
  PerKernel(state, [&] {
    auto file = bef::BefFile::FromBuffer(span);
    if (!file.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(file);
  });
}
BENCHMARK(BM_Bef_VerifyInMemory)->UseRealTime()->Unit(benchmark::kMillisecond);

// The floor: the same open + mmap(MAP_POPULATE) + munmap, and one read of
// every 8-byte word instead of verification.
void BM_Floor_MmapReadEveryWord(benchmark::State& state) {
  const std::string& path = BefPath();
  PerKernel(state, [&] {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    ::fstat(fd, &st);
    const size_t size = static_cast<size_t>(st.st_size);
    void* map =
        ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    const uint64_t* words = static_cast<const uint64_t*>(map);
    uint64_t sum = 0;
    for (size_t i = 0; i < size / 8; ++i) sum += words[i];
    benchmark::DoNotOptimize(sum);
    ::munmap(map, size);
  });
}
BENCHMARK(BM_Floor_MmapReadEveryWord)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  using rill::bench::Comparison;
  const int rc = rill::bench::RunAndCompare(
      argc, argv,
      {
          Comparison{"open + verify a 100k-kernel BEF file (mmap) vs mmap + "
                     "read every word (floor)",
                     "BM_Bef_OpenAndVerify/real_time",
                     "BM_Floor_MmapReadEveryWord/real_time", "time",
                     /*max_ratio=*/0, /*max_ours_ns=*/5e6},
          Comparison{"  the same, per kernel", "BM_Bef_OpenAndVerify/real_time",
                     "BM_Floor_MmapReadEveryWord/real_time", "ns_per_kernel"},
          Comparison{"verify only (file in memory) per kernel vs the floor",
                     "BM_Bef_VerifyInMemory/real_time",
                     "BM_Floor_MmapReadEveryWord/real_time", "ns_per_kernel"},
      });
  std::remove(rill::BefPath().c_str());
  return rc;
}
