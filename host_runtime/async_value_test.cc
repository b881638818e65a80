#include "host_runtime/async_value.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/chain.h"

namespace rill {
namespace {

using ::testing::ElementsAre;

// Counts constructions, moves and destructions of payloads.
struct Counters {
  int constructed = 0;
  int moved = 0;
  int copied = 0;
  int destroyed = 0;
};

struct Tracked {
  Tracked(Counters* c, int v) : counters(c), value(v) {
    ++counters->constructed;
  }
  Tracked(Tracked&& o) noexcept : counters(o.counters), value(o.value) {
    ++counters->moved;
  }
  Tracked(const Tracked& o) : counters(o.counters), value(o.value) {
    ++counters->copied;
  }
  ~Tracked() { ++counters->destroyed; }
  Counters* counters;
  int value;
};

class AsyncValueTest : public ::testing::Test {
 protected:
  void SetUp() override { live_at_start_ = internal::LiveAsyncValueCount(); }
  void TearDown() override {
    // Every test must release every value it made (the count is kept in
    // non-NDEBUG builds).
    EXPECT_EQ(internal::LiveAsyncValueCount(), live_at_start_);
  }
  int64_t live_at_start_ = 0;
};

TEST_F(AsyncValueTest, AvailableValueHoldsPayload) {
  AsyncValueRef<int> v = MakeAvailableAsyncValueRef<int>(42);
  EXPECT_TRUE(v.IsAvailable());
  EXPECT_TRUE(v.IsConcrete());
  EXPECT_FALSE(v.IsError());
  EXPECT_EQ(v.GetAsyncValue()->state(), AsyncValue::State::kConcrete);
  EXPECT_EQ(*v, 42);
  EXPECT_TRUE(v.GetAsyncValue()->IsType<int>());
  EXPECT_FALSE(v.GetAsyncValue()->IsType<float>());
  EXPECT_EQ(sizeof(AsyncValue), 16u);
}

TEST_F(AsyncValueTest, UnconstructedToConcreteRunsWaitersInRegistrationOrder) {
  AsyncValueRef<std::string> v = MakeUnconstructedAsyncValueRef<std::string>();
  EXPECT_TRUE(v.GetAsyncValue()->IsUnconstructed());
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    v.AndThen(
        [&seen, i, p = v.AsPtr()] { seen.push_back(std::to_string(i) + *p); });
  }
  EXPECT_TRUE(seen.empty());
  v.emplace("x");
  EXPECT_THAT(seen, ElementsAre("0x", "1x", "2x", "3x", "4x"));
  EXPECT_EQ(*v, "x");
}

TEST_F(AsyncValueTest, AndThenOnAvailableValueRunsImmediatelyOnCallingThread) {
  AsyncValueRef<int> v = MakeAvailableAsyncValueRef<int>(1);
  std::thread::id ran_on;
  v.AndThen([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST_F(AsyncValueTest, ConstructedThenConcrete) {
  AsyncValueRef<int> v = MakeConstructedAsyncValueRef<int>(7);
  EXPECT_TRUE(v.GetAsyncValue()->IsConstructed());
  EXPECT_FALSE(v.IsAvailable());
  bool ran = false;
  v.AndThen([&] { ran = true; });
  v.get() = 8;  // The producer may still write a constructed payload.
  v.SetStateConcrete();
  EXPECT_TRUE(ran);
  EXPECT_EQ(*v, 8);
}

TEST_F(AsyncValueTest, SetStateConstructedKeepsWaiters) {
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  int runs = 0;
  v.AndThen([&] { ++runs; });
  v.GetAsyncValue()
      ->SetStateConstructed();  // A trivial payload needs no construction.
  v.get() = 3;
  EXPECT_EQ(runs, 0);
  v.SetStateConcrete();
  EXPECT_EQ(runs, 1);
}

TEST_F(AsyncValueTest, PayloadMovedInExactlyOnceAndDestroyedOnce) {
  Counters c;
  {
    AsyncValueRef<Tracked> v =
        MakeAvailableAsyncValueRef<Tracked>(Tracked(&c, 5));
    EXPECT_EQ(c.constructed, 1);
    EXPECT_EQ(c.moved, 1);
    EXPECT_EQ(c.copied, 0);
    EXPECT_EQ(c.destroyed, 1);  // The moved-from temporary.
    EXPECT_EQ(v->value, 5);
  }
  EXPECT_EQ(c.destroyed, 2);
}

TEST_F(AsyncValueTest, SetErrorOnUnconstructed) {
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  absl::Status seen;
  v.AndThen([&, p = v.AsPtr()] { seen = p.GetError(); });
  v.SetError(absl::InvalidArgumentError("bad"));
  EXPECT_TRUE(v.IsError());
  EXPECT_EQ(v.GetAsyncValue()->state(), AsyncValue::State::kError);
  EXPECT_EQ(seen, absl::InvalidArgumentError("bad"));
  EXPECT_FALSE(v.GetAsyncValue()->GetErrorLocation().has_value());
  ASSERT_NE(v.GetErrorIfPresent(), nullptr);
}

TEST_F(AsyncValueTest, SetErrorOnConstructedDestroysPayload) {
  Counters c;
  AsyncValueRef<Tracked> v = MakeConstructedAsyncValueRef<Tracked>(&c, 1);
  EXPECT_EQ(c.destroyed, 0);
  v.SetError(absl::InternalError("boom"));
  EXPECT_EQ(c.destroyed, 1);
  v.reset();
  EXPECT_EQ(c.destroyed, 1);  // Not destroyed twice.
}

TEST_F(AsyncValueTest, ErrorCarriesLocation) {
  ErrorLocation loc{"prog.mlir", 12, 3, "tfrt.add.i32", "main"};
  RCReference<AsyncValue> e =
      MakeErrorAsyncValueRef(absl::InternalError("overflow"), loc);
  EXPECT_TRUE(e->IsError());
  EXPECT_EQ(e->GetError().message(), "overflow");
  ASSERT_TRUE(e->GetErrorLocation().has_value());
  EXPECT_EQ(e->GetErrorLocation()->SourcePosition(), "prog.mlir:12:3");
  EXPECT_EQ(e->GetErrorLocation()->ToString(),
            "prog.mlir:12:3: in kernel 'tfrt.add.i32' (function 'main')");
  EXPECT_EQ(e->GetErrorIfPresent()->code(), absl::StatusCode::kInternal);
}

TEST_F(AsyncValueTest, RefCountingAndDestructionTime) {
  Counters c;
  AsyncValueRef<Tracked> v = MakeAvailableAsyncValueRef<Tracked>(&c, 1);
  EXPECT_TRUE(v.IsUnique());
  AsyncValueRef<Tracked> copy = v.CopyRef();
  EXPECT_EQ(v.GetAsyncValue()->NumRef(), 2u);
  EXPECT_FALSE(v.IsUnique());
  v.reset();
  EXPECT_EQ(c.destroyed, 0);
  EXPECT_TRUE(copy.IsUnique());
  copy.GetAsyncValue()->AddRef(3);
  copy.GetAsyncValue()->DropRef(3);
  EXPECT_EQ(c.destroyed, 0);
  copy.reset();
  EXPECT_EQ(c.destroyed, 1);
}

// Held drops (internal::HeldDrops): a release that is not the last may be
// kept on this thread, and nothing on this thread can tell.
TEST_F(AsyncValueTest, HeldDropsAreInvisibleOnTheHoldingThread) {
  Counters c;
  AsyncValue* v = MakeAvailableAsyncValueRef<Tracked>(&c, 1).release();
  v->AddRef(3);  // Four references, as for four uses.
  v->DropRefOrHold();
  EXPECT_EQ(internal::tls_held_drops.value, v);  // Held, not subtracted...
  EXPECT_EQ(v->NumRef(), 3u);                    // ...yet not counted.
  v->DropRefOrHold();
  EXPECT_EQ(internal::tls_held_drops.count, 2u);
  EXPECT_EQ(v->NumRef(), 2u);
  EXPECT_FALSE(v->IsUnique());
  v->DropRefOrHold();
  EXPECT_TRUE(v->IsUnique());  // Only the last use is left.
  EXPECT_EQ(c.destroyed, 0);
  // The release that leaves only held references destroys at once.
  v->DropRefOrHold();
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
}

TEST_F(AsyncValueTest, DropRefOfAHeldValueDestroysWhereItWould) {
  Counters c;
  AsyncValue* v = MakeAvailableAsyncValueRef<Tracked>(&c, 1).release();
  v->AddRef(2);
  v->DropRefOrHold();
  v->DropRefOrHold();
  EXPECT_EQ(c.destroyed, 0);
  v->DropRef();  // The last reference: the held ones are folded in.
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
}

// Releasing many values at once is DropRefOrHold on each in order: sole
// pooled values are freed (in one splice), a shared one loses a reference, a
// held one stays held, the last use of a value listed twice frees it, and
// payloads with destructors and errors are destroyed in place.
TEST_F(AsyncValueTest, DropRefsOrHoldReleasesEachAsDropRefOrHoldWould) {
  Counters c;
  std::vector<AsyncValue*> values;
  for (int i = 0; i < 40; ++i) {
    values.push_back(MakeAvailableAsyncValueRef<int32_t>(i).release());
  }
  AsyncValue* shared = MakeAvailableAsyncValueRef<int64_t>(7).release();
  shared->AddRef();  // Kept by the test.
  values.push_back(shared);
  AsyncValue* twice = MakeAvailableAsyncValueRef<int32_t>(9).release();
  twice->AddRef();  // Listed twice: two uses.
  values.insert(values.begin() + 3, twice);
  values.push_back(twice);
  // First, so the chain starts with the next value; a second class inside.
  AsyncValue* tracked = MakeAvailableAsyncValueRef<Tracked>(&c, 1).release();
  values.insert(values.begin(), tracked);
  AsyncValue* wide =
      MakeAvailableAsyncValueRef<std::array<int64_t, 8>>().release();
  values.insert(values.begin() + 20, wide);
  values.push_back(MakeErrorAsyncValueRef(absl::InternalError("e")).release());
  AsyncValue* held = MakeAvailableAsyncValueRef<int32_t>(5).release();
  held->AddRef(2);
  held->DropRefOrHold();  // Now held on this thread.
  values.push_back(held);

  AsyncValue::DropRefsOrHold(values.data(), values.size());
  EXPECT_EQ(c.destroyed, 1);
  EXPECT_EQ(shared->NumRef(), 1u);
  EXPECT_TRUE(shared->IsUnique());
  EXPECT_EQ(internal::tls_held_drops.value, held);
  EXPECT_EQ(held->NumRef(), 1u);
  held->DropRefOrHold();  // The last: destroyed, hold gone.
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  shared->DropRef();
#ifndef RILL_VALUE_POOL_DISABLED
  // The freed blocks of both classes are back on this thread's list.
  void* block = internal::PoolAllocate(sizeof(ConcreteAsyncValue<int32_t>));
  EXPECT_NE(std::find(values.begin(), values.end(), block), values.end());
  internal::PoolDeallocate(block, sizeof(ConcreteAsyncValue<int32_t>));
  const size_t wide_size = sizeof(ConcreteAsyncValue<std::array<int64_t, 8>>);
  ASSERT_NE(internal::PoolClassOf(wide_size),
            internal::PoolClassOf(sizeof(ConcreteAsyncValue<int32_t>)));
  block = internal::PoolAllocate(wide_size);
  EXPECT_EQ(block, wide);
  internal::PoolDeallocate(block, wide_size);
#endif
}

// Another thread must see counts without this thread's held drops once it
// can be ordered after them: a reference taken (AddRef), a value completed, a
// waiter registered. Each thread has its own holds.
TEST_F(AsyncValueTest, HeldDropsAreAppliedBeforeAnotherThreadCanLook) {
  auto num_ref_elsewhere = [](const AsyncValue* v) {
    uint32_t n = 0;
    std::thread([&] { n = v->NumRef(); }).join();
    return n;
  };
  Counters c;
  AsyncValue* v = MakeAvailableAsyncValueRef<Tracked>(&c, 1).release();
  v->AddRef(3);
  v->DropRefOrHold();
  EXPECT_EQ(num_ref_elsewhere(v), 4u);  // Not applied: that thread races.
  v->AddRef();                          // A reference that may travel.
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  EXPECT_EQ(num_ref_elsewhere(v), 4u);  // 4 - 1 held + 1 new.

  v->DropRefOrHold();
  AsyncValueRef<int> other = MakeConstructedAsyncValueRef<int>(5);
  other.SetStateConcrete();  // Publishes: holds go first.
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  EXPECT_EQ(num_ref_elsewhere(v), 3u);

  v->DropRefOrHold();
  AsyncValueRef<int> pending = MakeUnconstructedAsyncValueRef<int>();
  pending.AndThen([] {});  // May run on the completing thread.
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  EXPECT_EQ(num_ref_elsewhere(v), 2u);
  pending.emplace(1);

  // One value at a time: another value's release is applied at once, and
  // the held value keeps its hold.
  AsyncValue* w = MakeAvailableAsyncValueRef<int>(2).release();
  w->AddRef();
  v->DropRefOrHold();
  w->DropRefOrHold();
  EXPECT_EQ(internal::tls_held_drops.value, v);
  EXPECT_EQ(num_ref_elsewhere(w), 1u);
  EXPECT_EQ(num_ref_elsewhere(v), 2u);
  internal::ApplyHeldDrops();
  EXPECT_EQ(num_ref_elsewhere(v), 1u);
  w->DropRef();
  EXPECT_EQ(c.destroyed, 0);
  v->DropRef();
  EXPECT_EQ(c.destroyed, 1);
}

TEST_F(AsyncValueTest, AsyncValuePtrDoesNotOwn) {
  AsyncValueRef<int> v = MakeAvailableAsyncValueRef<int>(3);
  AsyncValuePtr<int> p = v.AsPtr();
  EXPECT_EQ(v.GetAsyncValue()->NumRef(), 1u);
  EXPECT_EQ(*p, 3);
  AsyncValueRef<int> owned = p.CopyRef();
  EXPECT_EQ(v.GetAsyncValue()->NumRef(), 2u);
}

struct alignas(64) OverAligned {
  int x = 9;
};

TEST_F(AsyncValueTest, OverAlignedPayload) {
  AsyncValueRef<OverAligned> v = MakeAvailableAsyncValueRef<OverAligned>();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(&v.get()) % 64, 0u);
  EXPECT_EQ(v->x, 9);
}

TEST_F(AsyncValueTest, ChainIsAvailable) {
  AsyncValueRef<Chain> c = MakeReadyChain();
  EXPECT_TRUE(c.IsConcrete());
  EXPECT_TRUE(c.GetAsyncValue()->IsType<Chain>());
}

// ---- Indirect values
// -----------------------------------------------------------------------------

TEST_F(AsyncValueTest, IndirectForwardedToAvailableValue) {
  RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
  EXPECT_TRUE(ind->IsIndirect());
  EXPECT_FALSE(ind->IsAvailable());
  EXPECT_FALSE(ind->IsUnique());  // Unique only once forwarded.
  int seen = 0;
  ind->AndThen([&, p = ind.get()] { seen = p->get<int>(); });
  ind->ForwardTo(MakeAvailableAsyncValueRef<int>(11).ReleaseRCRef());
  EXPECT_EQ(seen, 11);
  EXPECT_TRUE(ind->IsConcrete());
  EXPECT_TRUE(ind->IsType<int>());
  EXPECT_EQ(ind->get<int>(), 11);
  EXPECT_TRUE(ind->IsUnique());
}

TEST_F(AsyncValueTest, IndirectForwardedToUnavailableValue) {
  RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
  AsyncValueRef<int> target = MakeUnconstructedAsyncValueRef<int>();
  ind->ForwardTo(target.CopyRCRef());
  EXPECT_FALSE(ind->IsAvailable());
  EXPECT_EQ(ind->target(), nullptr);
  target.emplace(5);
  EXPECT_TRUE(ind->IsAvailable());
  EXPECT_EQ(ind->target(), target.GetAsyncValue());
  EXPECT_EQ(ind->get<int>(), 5);
  EXPECT_FALSE(ind->IsUnique());  // `target` still holds a reference.
  target.reset();
  EXPECT_TRUE(ind->IsUnique());
}

TEST_F(AsyncValueTest, IndirectChainsCollapse) {
  // a -> b -> c, forwarded in the order that builds a chain of pending
  // forwards.
  RCReference<IndirectAsyncValue> a = MakeIndirectAsyncValue();
  RCReference<IndirectAsyncValue> b = MakeIndirectAsyncValue();
  RCReference<IndirectAsyncValue> c = MakeIndirectAsyncValue();
  a->ForwardTo(FormRef<AsyncValue>(b.get()));
  b->ForwardTo(FormRef<AsyncValue>(c.get()));
  AsyncValueRef<int> leaf = MakeUnconstructedAsyncValueRef<int>();
  std::vector<char> order;
  a->AndThen([&] { order.push_back('a'); });
  c->ForwardTo(leaf.CopyRCRef());
  EXPECT_FALSE(a->IsAvailable());
  leaf.emplace(99);
  EXPECT_THAT(order, ElementsAre('a'));
  // Every indirect points straight at the leaf.
  EXPECT_EQ(a->target(), leaf.GetAsyncValue());
  EXPECT_EQ(b->target(), leaf.GetAsyncValue());
  EXPECT_EQ(c->target(), leaf.GetAsyncValue());
  EXPECT_EQ(a->get<int>(), 99);
}

TEST_F(AsyncValueTest, IndirectForwardedToAvailableIndirectCollapses) {
  RCReference<IndirectAsyncValue> inner = MakeIndirectAsyncValue();
  AsyncValueRef<int> leaf = MakeAvailableAsyncValueRef<int>(1);
  inner->ForwardTo(leaf.CopyRCRef());
  RCReference<IndirectAsyncValue> outer = MakeIndirectAsyncValue();
  outer->ForwardTo(FormRef<AsyncValue>(inner.get()));
  EXPECT_EQ(outer->target(), leaf.GetAsyncValue());
}

TEST_F(AsyncValueTest, IndirectForwardedToError) {
  RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
  ind->ForwardTo(MakeErrorAsyncValueRef(
      absl::InternalError("e"), ErrorLocation{"f.mlir", 1, 2, "k", "fn"}));
  EXPECT_TRUE(ind->IsError());
  EXPECT_EQ(ind->GetError().message(), "e");
  EXPECT_EQ(ind->GetErrorLocation()->line, 1u);
}

TEST_F(AsyncValueTest, SecondForwardIsRejectedWithoutCorruption) {
  RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
  AsyncValueRef<int> first = MakeUnconstructedAsyncValueRef<int>();
  ind->ForwardTo(first.CopyRCRef());
  EXPECT_TRUE(ind->IsForwarded());
  // A bug: asserted in debug builds; release builds keep the first target.
  EXPECT_DEBUG_DEATH(
      ind->ForwardTo(MakeAvailableAsyncValueRef<int>(2).ReleaseRCRef()),
      "forwarded twice");
  first.emplace(1);
  EXPECT_EQ(ind->get<int>(), 1);
}

TEST_F(AsyncValueTest, SetErrorOnIndirectForwardsToError) {
  RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
  bool ran = false;
  ind->AndThen([&] { ran = true; });
  ind->SetError(absl::CancelledError("Cancelled"));
  EXPECT_TRUE(ran);
  EXPECT_EQ(ind->GetError().code(), absl::StatusCode::kCancelled);
}

// ---- RunWhenReady / BlockUntilReady
// ---------------------------------------------------------------

TEST_F(AsyncValueTest, RunWhenReadyAllAvailableRunsNow) {
  auto a = MakeAvailableAsyncValueRef<int>(1);
  auto b = MakeAvailableAsyncValueRef<int>(2);
  AsyncValue* values[] = {a.GetAsyncValue(), b.GetAsyncValue()};
  bool ran = false;
  RunWhenReady(values, [&] { ran = true; });
  EXPECT_TRUE(ran);
  bool ran_empty = false;
  RunWhenReady(absl::Span<AsyncValue* const>(), [&] { ran_empty = true; });
  EXPECT_TRUE(ran_empty);
}

TEST_F(AsyncValueTest, RunWhenReadyOverManyValuesInRandomOrder) {
  constexpr int kN = 1000;
  std::vector<AsyncValueRef<int>> refs;
  std::vector<AsyncValue*> raw;
  for (int i = 0; i < kN; ++i) {
    refs.push_back(i % 7 == 0 ? MakeAvailableAsyncValueRef<int>(i)
                              : MakeUnconstructedAsyncValueRef<int>());
    raw.push_back(refs.back().GetAsyncValue());
  }
  int runs = 0;
  RunWhenReady(raw, [&] {
    ++runs;
    for (int i = 0; i < kN; ++i) EXPECT_TRUE(raw[i]->IsAvailable());
  });
  std::vector<int> order(kN);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  for (int i : order) {
    if (refs[i].IsAvailable()) continue;
    EXPECT_EQ(runs, 0);
    if (i % 5 == 0) {
      refs[i].SetError(absl::InternalError("x"));
    } else {
      refs[i].emplace(i);
    }
  }
  EXPECT_EQ(runs, 1);
}

TEST_F(AsyncValueTest, RunWhenReadyOwningOverloadKeepsValuesAlive) {
  std::vector<RCReference<AsyncValue>> values;
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  values.push_back(v.CopyRCRef());
  values.push_back(MakeAvailableAsyncValueRef<int>(2).ReleaseRCRef());
  int sum = 0;
  RunWhenReady(absl::MakeConstSpan(values),
               [&, p = v.AsPtr()] { sum = *p + 1; });
  values.clear();  // The callee's references keep `v` alive.
  v.emplace(41);
  EXPECT_EQ(sum, 42);
}

class AsyncValueThreadsTest : public AsyncValueTest,
                              public ::testing::WithParamInterface<int> {};

TEST_P(AsyncValueThreadsTest, RunWhenReadyWithConcurrentProducers) {
  const int num_threads = GetParam();
  constexpr int kPerThread = 500;
  std::vector<AsyncValueRef<int>> refs;
  std::vector<AsyncValue*> raw;
  for (int i = 0; i < num_threads * kPerThread; ++i) {
    refs.push_back(MakeUnconstructedAsyncValueRef<int>());
    raw.push_back(refs.back().GetAsyncValue());
  }
  std::atomic<int> runs{0};
  std::atomic<int64_t> sum{0};
  RunWhenReady(raw, [&] {
    int64_t s = 0;
    for (AsyncValue* v : raw) s += v->get<int>();
    sum = s;
    runs.fetch_add(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < num_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) refs[t * kPerThread + i].emplace(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(sum.load(), num_threads * kPerThread);
}

TEST_P(AsyncValueThreadsTest,
       ConcurrentAndThenWhileSettingRunsEveryWaiterOnce) {
  const int num_threads = GetParam();
  constexpr int kRounds = 60;
  constexpr int kWaitersPerThread = 20;
  for (int round = 0; round < kRounds; ++round) {
    AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
    std::atomic<int> runs{0};
    std::atomic<int> bad_reads{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < num_threads; ++t) {
      threads.emplace_back([&] {
        // Yield: with more threads than cores a pure spin starves the setter.
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (int i = 0; i < kWaitersPerThread; ++i) {
          v.AndThen([&, p = v.AsPtr()] {
            if (*p != 123) bad_reads.fetch_add(1);
            runs.fetch_add(1);
          });
        }
      });
    }
    go.store(true, std::memory_order_release);
    v.emplace(123);
    for (auto& t : threads) t.join();
    EXPECT_EQ(runs.load(), num_threads * kWaitersPerThread);
    EXPECT_EQ(bad_reads.load(), 0);
  }
}

TEST_P(AsyncValueThreadsTest, ConcurrentRefCounting) {
  const int num_threads = GetParam();
  Counters c;
  AsyncValueRef<Tracked> v = MakeAvailableAsyncValueRef<Tracked>(&c, 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < num_threads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        AsyncValueRef<Tracked> copy = v.CopyRef();
        EXPECT_EQ(copy->value, 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(v.IsUnique());
  v.reset();
  EXPECT_EQ(c.destroyed, 1);
}

TEST_P(AsyncValueThreadsTest, IndirectForwardingRacesWithWaiters) {
  const int num_threads = GetParam();
  for (int round = 0; round < 100; ++round) {
    RCReference<IndirectAsyncValue> ind = MakeIndirectAsyncValue();
    AsyncValueRef<int> leaf = MakeUnconstructedAsyncValueRef<int>();
    std::atomic<int> runs{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < num_threads; ++t) {
      threads.emplace_back([&] {
        ind->AndThen([&, p = ind.get()] {
          EXPECT_EQ(p->get<int>(), 7);
          runs.fetch_add(1);
        });
      });
    }
    std::thread forwarder([&] { ind->ForwardTo(leaf.CopyRCRef()); });
    std::thread producer([&] { leaf.emplace(7); });
    for (auto& t : threads) t.join();
    forwarder.join();
    producer.join();
    EXPECT_EQ(runs.load(), num_threads);
  }
}

TEST_P(AsyncValueThreadsTest, BlockUntilReadyWakesWhenSetFromAnotherThread) {
  const int num_threads = GetParam();
  std::vector<AsyncValueRef<int>> values;
  for (int t = 0; t < num_threads; ++t)
    values.push_back(MakeUnconstructedAsyncValueRef<int>());
  std::vector<std::thread> threads;
  for (int t = 0; t < num_threads; ++t) {
    threads.emplace_back([&, t] {
      // Long enough that the waiter has finished spinning and sleeps.
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + t));
      values[t].emplace(t);
    });
  }
  for (int t = 0; t < num_threads; ++t) {
    BlockUntilReady(values[t].GetAsyncValue());
    EXPECT_EQ(*values[t], t);
  }
  for (auto& t : threads) t.join();
}

INSTANTIATE_TEST_SUITE_P(Workers, AsyncValueThreadsTest,
                         ::testing::Values(1, 2, 8), [](const auto& info) {
                           return std::to_string(info.param) + "threads";
                         });

}  // namespace
}  // namespace rill
