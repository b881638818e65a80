// Proves the executor's steady state allocates nothing per synchronously
// completing kernel: running a chain of 1024 kernels performs exactly as many
// heap allocations as a chain of 8 (the per-call execution record and result
// vector). Counts every malloc/calloc/realloc in the process by interposing
// them; sanitizer builds replace malloc themselves, so there the test only
// checks results.

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>

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

// Heap allocations of one warm call of `program`'s main.
int64_t AllocationsPerCall(const BefProgram& program, HostContext* host,
                           int32_t expected) {
  const Function* main = program.GetFunction("main");
  ExecutionContext ctx = testing::NewExecutionContext(host);
  for (int i = 0; i < 3; ++i) {  // Warm the value pools.
    auto results = ExecuteAndAwait(*main, ctx);
    EXPECT_EQ(results[0]->get<int32_t>(), expected);
  }
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  {
    auto results = ExecuteAndAwait(*main, ctx);
    EXPECT_EQ(results[0]->get<int32_t>(), expected);
  }
  return g_allocations.load(std::memory_order_relaxed) - before;
}

TEST(AllocationTest, NoHeapAllocationPerSyncKernel) {
  auto host = testing::CreateTestHost(0);
  auto short_chain = testing::LoadOrDie(testing::BuildChain(8), host.get());
  auto long_chain = testing::LoadOrDie(testing::BuildChain(1024), host.get());
  const int64_t short_allocs = AllocationsPerCall(*short_chain, host.get(), 8);
  const int64_t long_allocs = AllocationsPerCall(*long_chain, host.get(), 1024);
  if (!RILL_COUNT_MALLOC) GTEST_SKIP() << "malloc is the sanitizer's here";
  EXPECT_EQ(long_allocs, short_allocs);
  // The result vector only: a warm call reuses the last execution record's
  // memory (BefFunction::TakeRecord).
  EXPECT_LE(short_allocs, 1);
  // The counter must see real allocations (the interposition works).
  const int64_t before = g_allocations.load();
  void* volatile p = std::malloc(64);
  std::free(p);
  EXPECT_EQ(g_allocations.load(), before + 1);
}

}  // namespace
}  // namespace rill
