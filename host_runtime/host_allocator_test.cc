#include "host_runtime/host_allocator.h"

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MallocAllocatorTest, HonoursAlignment) {
  auto allocator = CreateMallocAllocator();
  for (size_t align : {1, 2, 8, 16, 64, 256, 4096}) {
    void* p = allocator->AllocateBytes(100, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u) << align;
    allocator->DeallocateBytes(p, 100);
  }
  EXPECT_EQ(allocator->AllocateBytes(8, 3),
            nullptr);  // Not a power of two: refused, no crash.
  int* ints = allocator->Allocate<int>(4);
  ASSERT_NE(ints, nullptr);
  allocator->Deallocate(ints, 4);
}

TEST(FixedSizeAllocatorTest, FailsCleanlyWhenOverCapacityAndLogs) {
  auto allocator = CreateFixedSizeAllocator(1024);
  testing::internal::CaptureStderr();
  void* a = allocator->AllocateBytes(192, 16);
  void* b = allocator->AllocateBytes(192, 16);
  void* too_big = allocator->AllocateBytes(700, 16);
  void* small = allocator->AllocateBytes(32, 8);  // Unaccounted, unlogged.
  allocator->DeallocateBytes(a, 192);
  const std::string log = testing::internal::GetCapturedStderr();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(too_big, nullptr);
  ASSERT_NE(small, nullptr);
  EXPECT_THAT(log, HasSubstr("] Allocating 192 bytes. 832 remaining.\n"));
  EXPECT_THAT(log, HasSubstr("] Allocating 192 bytes. 640 remaining.\n"));
  EXPECT_THAT(
      log,
      HasSubstr(
          "] Attempted to allocate 700 bytes. However current capacity is only "
          "640.\n"));
  EXPECT_THAT(log, HasSubstr("] Freeing 192 bytes. 832 available.\n"));
  EXPECT_THAT(log, Not(HasSubstr("32 bytes")));
  // Log line shape: severity letter, date, time, thread id, file:line.
  EXPECT_THAT(log,
              testing::ContainsRegex(
                  "^I [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{6} [0-9]+ "
                  "host_allocator\\.cc:[0-9]+\\] Allocating"));
  EXPECT_THAT(log, testing::ContainsRegex(
                       "\nE [0-9-]+ [0-9:.]+ [0-9]+ host_allocator"));
  allocator->DeallocateBytes(b, 192);
  allocator->DeallocateBytes(small, 32);
}

TEST(FixedSizeAllocatorTest, ConcurrentUseNeverOvercommits) {
  auto allocator = CreateFixedSizeAllocator(1024);
  testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  std::atomic<int> peak_violations{0};
  std::atomic<int64_t> in_use{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        void* p = allocator->AllocateBytes(100, 8);
        if (p == nullptr) continue;
        if (in_use.fetch_add(100) + 100 > 1024) peak_violations.fetch_add(1);
        in_use.fetch_sub(100);
        allocator->DeallocateBytes(p, 100);
      }
    });
  }
  for (auto& t : threads) t.join();
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(peak_violations.load(), 0);
}

TEST(CountingAllocatorTest, ProfiledAllocatorCountsAndReports) {
  auto allocator = CreateProfiledAllocator(CreateMallocAllocator());
  void* a = allocator->AllocateBytes(10, 8);
  void* b = allocator->AllocateBytes(20, 8);
  allocator->DeallocateBytes(a, 10);
  void* c = allocator->AllocateBytes(5, 8);
  HostAllocatorStats s = allocator->stats();
  EXPECT_EQ(s.current_allocations, 2);
  EXPECT_EQ(s.max_allocations, 2);
  EXPECT_EQ(s.total_allocations, 3);
  EXPECT_EQ(s.current_bytes, 25);
  EXPECT_EQ(s.max_bytes, 30);
  AllocatorExitReport report = allocator->ExitReport();
  EXPECT_FALSE(report.leaked);
  EXPECT_EQ(report.text,
            "HostAllocator profile:\n"
            "Current number of allocations = 2\n"
            "Max number of allocations = 2\n"
            "Total number of allocations = 3\n"
            "Current number of bytes allocated = 25\n"
            "Max number of bytes allocated = 30\n");
  allocator->DeallocateBytes(b, 20);
  allocator->DeallocateBytes(c, 5);
}

TEST(CountingAllocatorTest, LeakCheckReportsOnlyLeaks) {
  auto allocator = CreateLeakCheckAllocator(CreateMallocAllocator());
  void* a = allocator->AllocateBytes(64, 8);
  allocator->DeallocateBytes(a, 64);
  EXPECT_TRUE(CheckNoLeaks(*allocator).ok());
  EXPECT_EQ(allocator->ExitReport().text, "");
  EXPECT_FALSE(allocator->ExitReport().leaked);

  void* leaked = allocator->AllocateBytes(4, 4);
  absl::Status status = CheckNoLeaks(*allocator);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "Memory leak detected: 1 alive allocations, 4 alive bytes");
  AllocatorExitReport report = allocator->ExitReport();
  EXPECT_TRUE(report.leaked);
  EXPECT_THAT(report.text, HasSubstr("HostAllocator profile:\n"));
  EXPECT_THAT(
      report.text,
      testing::EndsWith(
          "Memory leak detected: 1 alive allocations, 4 alive bytes\n"));
  allocator->DeallocateBytes(leaked, 4);
}

TEST(CreateHostAllocatorTest, KnowsTheRunnerNames) {
  for (const char* name : {"malloc", "test_fixed_size_1k", "profiled_allocator",
                           "leak_check_allocator"}) {
    absl::StatusOr<std::unique_ptr<HostAllocator>> allocator =
        CreateHostAllocator(name);
    ASSERT_TRUE(allocator.ok()) << name;
    void* p = (*allocator)->AllocateBytes(8, 8);
    EXPECT_NE(p, nullptr);
    (*allocator)->DeallocateBytes(p, 8);
  }
  absl::StatusOr<std::unique_ptr<HostAllocator>> bad =
      CreateHostAllocator("tcmalloc");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("unknown host allocator type 'tcmalloc'"));
}

}  // namespace
}  // namespace rill
