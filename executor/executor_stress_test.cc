// Stress: 8 concurrent executions of a 10^5-kernel random DAG with async and
// failing kernels on the multi-threaded queue must give the single-threaded
// run's results, report the same diagnostics, and leak no async value. Run
// under --config=tsan for races (tools/run_tests.sh does).

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "executor/bef_executor.h"
#include "executor/testing/test_program.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

constexpr int kKernels = 100000;
constexpr int kOutputs = 32;
constexpr int kConcurrent = 8;

std::vector<std::string> Describe(const CallResults& results) {
  std::vector<std::string> out;
  for (const auto& r : results) {
    if (!r->IsAvailable()) {
      out.push_back("unavailable");
    } else if (r->IsError()) {
      out.push_back(absl::StrCat("error: ", r->GetError().message()));
    } else {
      out.push_back(absl::StrCat(r->get<int32_t>()));
    }
  }
  return out;
}

TEST(ExecutorStressTest, ConcurrentRandomDagsMatchSingleThreadedRun) {
  const std::vector<uint8_t> bytes =
      testing::BuildRandomDag(kKernels, kOutputs, 42);
  const int64_t live_before = internal::LiveAsyncValueCount();

  std::vector<std::string> expected;
  int expected_diagnostics = 0;
  {
    auto host = testing::CreateTestHost(0);
    std::atomic<int> diagnostics{0};
    host->set_diagnostic_handler([&](const AsyncValueError&) {
      diagnostics.fetch_add(1, std::memory_order_relaxed);
    });
    auto program = testing::LoadOrDie(bytes, host.get());
    auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                   testing::NewExecutionContext(host.get()));
    host->Quiesce();
    expected = Describe(results);
    expected_diagnostics = diagnostics.load();
  }
  int errors = 0;
  for (const std::string& e : expected) errors += e.rfind("error", 0) == 0;
  // The DAG must exercise both paths.
  EXPECT_GT(errors, 0);
  EXPECT_LT(errors, kOutputs);
  EXPECT_GT(expected_diagnostics, 0);

  {
    auto host = testing::CreateTestHost(4);
    std::atomic<int> diagnostics{0};
    host->set_diagnostic_handler([&](const AsyncValueError&) {
      diagnostics.fetch_add(1, std::memory_order_relaxed);
    });
    auto program = testing::LoadOrDie(bytes, host.get());
    std::vector<std::vector<std::string>> got(kConcurrent);
    std::vector<std::thread> threads;
    for (int t = 0; t < kConcurrent; ++t) {
      threads.emplace_back([&, t] {
        auto results =
            ExecuteAndAwait(*program->GetFunction("main"),
                            testing::NewExecutionContext(host.get()));
        got[t] = Describe(results);
      });
    }
    for (auto& t : threads) t.join();
    host->Quiesce();
    for (int t = 0; t < kConcurrent; ++t) EXPECT_EQ(got[t], expected) << t;
    EXPECT_EQ(diagnostics.load(), kConcurrent * expected_diagnostics);
  }
  if (live_before >= 0) {
    EXPECT_EQ(internal::LiveAsyncValueCount(), live_before);
  }
}

}  // namespace
}  // namespace rill
