#include "host_runtime/internal/value_pool.h"

#include <atomic>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace internal {
namespace {

TEST(ValuePoolTest, SameThreadReuseAndSizeClasses) {
  void* a = PoolAllocate(40);
  std::memset(a, 0xAB, 40);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 16, 0u);
  PoolDeallocate(a, 40);
  void* b = PoolAllocate(48);  // Same 48-byte class.
#ifndef RILL_VALUE_POOL_DISABLED
  EXPECT_EQ(a, b);  // LIFO reuse from this thread's list.
#endif
  PoolDeallocate(b, 48);
  void* big = PoolAllocate(4096);  // Beyond the pooled sizes: plain malloc.
  std::memset(big, 0, 4096);
  PoolDeallocate(big, 4096);
}

// A block freed by its class (as async values free themselves) goes to the
// list that allocations of that size take from, and no other.
TEST(ValuePoolTest, DeallocateByClassReturnsToThatClass) {
  void* a = PoolAllocate(64);  // Class 3: 64 bytes.
  void* other = PoolAllocate(80);
  PoolDeallocateClass(a, PoolClassOf(64));
  PoolDeallocateClass(other, PoolClassOf(80));
#ifndef RILL_VALUE_POOL_DISABLED
  EXPECT_EQ(PoolAllocate(49), a);  // 49..64 bytes share the class.
  EXPECT_EQ(PoolAllocate(80), other);
#else
  a = PoolAllocate(49);
  other = PoolAllocate(80);
#endif
  PoolDeallocate(a, 64);
  PoolDeallocate(other, 80);
}

// A producer allocates, a consumer frees: blocks must come back to the producer
// through the depot instead of piling up on the consumer, and no block is
// handed out twice while live.
TEST(ValuePoolTest, ProducerConsumerRecyclesThroughTheDepot) {
  constexpr int kRounds = 20;
  constexpr int kPerRound =
      3000;  // Above the per-thread cap, so the consumer spills.
  std::set<void*> first_round;
  std::vector<void*> handoff;
  std::atomic<int> phase{0};
  std::thread consumer([&] {
    for (int round = 0; round < kRounds; ++round) {
      while (phase.load(std::memory_order_acquire) != 2 * round + 1)
        std::this_thread::yield();
      for (void* p : handoff) {
        EXPECT_EQ(*static_cast<uint64_t*>(p),
                  0x5EED5EEDu);  // Nobody scribbled on a live block.
        PoolDeallocate(p, 64);
      }
      phase.store(2 * round + 2, std::memory_order_release);
    }
  });
  int reused = 0;
  for (int round = 0; round < kRounds; ++round) {
    while (phase.load(std::memory_order_acquire) != 2 * round)
      std::this_thread::yield();
    handoff.clear();
    std::set<void*> live;
    for (int i = 0; i < kPerRound; ++i) {
      void* p = PoolAllocate(64);
      ASSERT_TRUE(live.insert(p).second) << "block handed out twice";
      *static_cast<uint64_t*>(p) = 0x5EED5EEDu;
      handoff.push_back(p);
      if (round == 0) first_round.insert(p);
      if (round > 0 && first_round.count(p) != 0) ++reused;
    }
    phase.store(2 * round + 1, std::memory_order_release);
  }
  consumer.join();
#ifndef RILL_VALUE_POOL_DISABLED
  // Most of the consumer's frees beyond its cap flow back to the producer.
  EXPECT_GT(reused, kPerRound);
#endif
}

// Frees beyond the cap go to the depot a batch at a time; allocating again
// gets every one of them back (the list, then the depot) and never the same
// block twice. 208 bytes is a size class no other test uses, so the depot
// holds only this test's blocks.
TEST(ValuePoolTest, BlocksFreedBeyondTheCapComeBack) {
  constexpr size_t kSize = 208;
  constexpr int kBlocks = 2 * kPoolMaxCachedPerClass + kPoolDepotBatch / 2;
  std::thread([&] {
    std::set<void*> freed;
    std::vector<void*> blocks;
    for (int i = 0; i < kBlocks; ++i) {
      blocks.push_back(PoolAllocate(kSize));
      std::memset(blocks.back(), 0x5A, kSize);
    }
    for (void* p : blocks) {
      ASSERT_TRUE(freed.insert(p).second);
      PoolDeallocate(p, kSize);
    }
    std::set<void*> again;
    for (int i = 0; i < kBlocks; ++i) {
      void* p = PoolAllocate(kSize);
      ASSERT_TRUE(again.insert(p).second) << "block handed out twice";
      std::memset(p, 0xA5, kSize);
    }
#ifndef RILL_VALUE_POOL_DISABLED
    EXPECT_EQ(again, freed);
#endif
    for (void* p : again) PoolDeallocate(p, kSize);
  }).join();
}

// A chain freed in one splice: onto the thread's list while it fits under
// the cap (the next allocations take it back, newest first), else onto the
// depot, from which a fresh thread's allocations take it, none twice.
TEST(ValuePoolTest, AChainGoesToTheListOrWholeToTheDepot) {
  constexpr size_t kSize = 176;  // A class no other test here uses.
  const size_t cls = PoolClassOf(kSize);
  auto make_chain = [&](int n, std::vector<void*>& blocks) {
    for (int i = 0; i < n; ++i) blocks.push_back(PoolAllocate(kSize));
    // Linked newest first, as DropRefsOrHold chains them.
    for (int i = 1; i < n; ++i) {
      *static_cast<void**>(blocks[i]) = blocks[i - 1];
    }
  };
  // A thread's first free registers its exit cleanup; a chain freed before
  // that goes block by block.
  auto register_thread = [&] { PoolDeallocate(PoolAllocate(kSize), kSize); };
  std::thread([&] {
    register_thread();
    std::vector<void*> blocks;
    make_chain(8, blocks);
    PoolDeallocateChain(blocks.back(), blocks.front(), 8, cls);
    for (int i = 7; i >= 0; --i) {
      void* p = PoolAllocate(kSize);
#ifndef RILL_VALUE_POOL_DISABLED
      EXPECT_EQ(p, blocks[i]);
#endif
      blocks[i] = p;
    }
    for (void* p : blocks) PoolDeallocate(p, kSize);
  }).join();
  std::set<void*> spliced;
  std::thread([&] {
    register_thread();
    std::vector<void*> blocks;
    const int n = kPoolMaxCachedPerClass + 1;  // Over the cap: the depot.
    make_chain(n, blocks);
    spliced.insert(blocks.begin(), blocks.end());
    PoolDeallocateChain(blocks.back(), blocks.front(), n, cls);
  }).join();
  std::thread([&] {
    std::set<void*> again;
    for (size_t i = 0; i < spliced.size(); ++i) {
      void* p = PoolAllocate(kSize);
      ASSERT_TRUE(again.insert(p).second) << "block handed out twice";
      std::memset(p, 0x3C, kSize);
    }
#ifndef RILL_VALUE_POOL_DISABLED
    EXPECT_EQ(again, spliced);  // The whole chain, from the depot.
#endif
    for (void* p : again) PoolDeallocate(p, kSize);
  }).join();
}

}  // namespace
}  // namespace internal
}  // namespace rill
