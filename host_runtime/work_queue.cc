#include "host_runtime/work_queue.h"

#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace rill {
namespace {

constexpr int kDefaultBlockingThreads = 256;
// Far above any useful thread count; keeps a typo like "mstd:80000" from
// exhausting the process.
constexpr int kMaxThreads = 4096;

absl::Status BadSpec(absl::string_view spec, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid work queue type '", spec, "': ", why,
                   " (expected s, mstd, mstd:N or mstd:N,M)"));
}

}  // namespace

void ConcurrentWorkQueue::AddTaskRuns(uint32_t count, TaskFunction task) {
  AddTask([count, task = std::move(task)]() mutable {
    for (uint32_t i = 0; i < count; ++i) task();
  });
}

absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> CreateWorkQueue(
    absl::string_view spec) {
  if (spec == "s") return CreateSingleThreadedWorkQueue();
  absl::string_view name = spec;
  absl::string_view args;
  if (const size_t colon = spec.find(':'); colon != absl::string_view::npos) {
    name = spec.substr(0, colon);
    args = spec.substr(colon + 1);
    if (args.empty()) return BadSpec(spec, "missing thread count after ':'");
  }
  if (name != "mstd")
    return BadSpec(spec, absl::StrCat("unknown type '", name, "'"));

  int num_threads = std::max(1u, std::thread::hardware_concurrency());
  int num_blocking = kDefaultBlockingThreads;
  if (!args.empty()) {
    std::vector<absl::string_view> parts = absl::StrSplit(args, ',');
    if (parts.size() > 2) return BadSpec(spec, "too many arguments");
    int* targets[] = {&num_threads, &num_blocking};
    const char* what[] = {"worker thread count", "blocking thread count"};
    for (size_t i = 0; i < parts.size(); ++i) {
      int n = 0;
      if (!absl::SimpleAtoi(parts[i], &n) || n < 1 || n > kMaxThreads) {
        return BadSpec(spec, absl::StrCat(what[i], " '", parts[i],
                                          "' is not an integer in [1, ",
                                          kMaxThreads, "]"));
      }
      *targets[i] = n;
    }
  }
  return CreateMultiThreadedWorkQueue(num_threads, num_blocking);
}

}  // namespace rill
