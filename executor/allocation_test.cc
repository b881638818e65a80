// Proves the executor's steady state allocates nothing: a warm call of a
// chain of 8 or 1024 kernels, or of a fan-out/fan-in (which also goes through
// the work queue, a placeholder result and Await), performs no heap
// allocation at all (the execution record's memory is reused, values come
// from the pools, the results are inline). Counts every malloc/calloc/realloc
// in the process by interposing them; sanitizer builds replace malloc
// themselves, so there the test only checks results.

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <vector>

#include "executor/bef_executor.h"
#include "executor/testing/test_program.h"
#include "gtest/gtest.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RILL_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RILL_COUNT_MALLOC 0
#endif
#endif
#ifndef RILL_COUNT_MALLOC
#define RILL_COUNT_MALLOC 1
#endif

namespace {
// relaxed: only the total matters, read after the counted work on the same
// thread (the single-threaded queue runs everything on it).
std::atomic<int64_t> g_allocations{0};
}  // namespace

#if RILL_COUNT_MALLOC
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);

void* malloc(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(size_t n, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, size);
}
}
#endif

namespace rill {
namespace {

struct Call {
  const BefProgram* program;
  int32_t expected;  // main's result.
};

// Heap allocations of one warm round of `calls`: each program's main called
// once, in turn, on this thread.
int64_t AllocationsPerRound(const std::vector<Call>& calls, HostContext* host) {
  ExecutionContext ctx = testing::NewExecutionContext(host);
  auto round = [&] {
    for (const Call& call : calls) {
      auto results = ExecuteAndAwait(*call.program->GetFunction("main"), ctx);
      EXPECT_EQ(results[0]->get<int32_t>(), call.expected);
    }
  };
  for (int i = 0; i < 3; ++i) round();  // Warm the value pools and records.
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  round();
  return g_allocations.load(std::memory_order_relaxed) - before;
}

class AllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The counter must see real allocations (the interposition works).
    const int64_t before = g_allocations.load();
    void* volatile p = std::malloc(64);
    std::free(p);
    if (RILL_COUNT_MALLOC) {
      ASSERT_EQ(g_allocations.load(), before + 1);
    }
  }

  std::unique_ptr<HostContext> host_ = testing::CreateTestHost(0);
  std::unique_ptr<BefProgram> short_chain_ =
      testing::LoadOrDie(testing::BuildChain(8), host_.get());
  std::unique_ptr<BefProgram> long_chain_ =
      testing::LoadOrDie(testing::BuildChain(1024), host_.get());
  std::unique_ptr<BefProgram> fan_ =
      testing::LoadOrDie(testing::BuildFanOutFanIn(100), host_.get());
};

TEST_F(AllocationTest, NoHeapAllocationPerWarmCall) {
  const int64_t short_allocs =
      AllocationsPerRound({{short_chain_.get(), 8}}, host_.get());
  const int64_t long_allocs =
      AllocationsPerRound({{long_chain_.get(), 1024}}, host_.get());
  const int64_t fan_allocs =
      AllocationsPerRound({{fan_.get(), 200}}, host_.get());
  if (!RILL_COUNT_MALLOC) GTEST_SKIP() << "malloc is the sanitizer's here";
  EXPECT_EQ(short_allocs, 0);
  EXPECT_EQ(long_allocs, 0);
  EXPECT_EQ(fan_allocs, 0);
}

// Functions of different record sizes called in turn on one thread: each
// function keeps its own finished record (BefFunction::ReturnRecord), so no
// call takes or frees another's.
TEST_F(AllocationTest, NoHeapAllocationWhenFunctionsAlternate) {
  const int64_t allocs = AllocationsPerRound({{short_chain_.get(), 8},
                                              {long_chain_.get(), 1024},
                                              {fan_.get(), 200},
                                              {short_chain_.get(), 8}},
                                             host_.get());
  if (!RILL_COUNT_MALLOC) GTEST_SKIP() << "malloc is the sanitizer's here";
  EXPECT_EQ(allocs, 0);
}

}  // namespace
}  // namespace rill
