#include "host_runtime/async_value_ref.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "host_runtime/internal/spin.h"

namespace rill {

RCReference<AsyncValue> MakeErrorAsyncValueRef(
    absl::Status status, std::optional<ErrorLocation> location) {
  assert(!status.ok() && "MakeErrorAsyncValueRef with an OK status");
  if (status.ok())
    status = absl::InternalError("error value made from an OK status");
  auto* error = new AsyncValueError{std::move(status), std::move(location)};
  return TakeRef<AsyncValue>(
      internal::AllocateConcrete<DummyValueForErrorAsyncValue>(error));
}

RCReference<IndirectAsyncValue> MakeIndirectAsyncValue() {
  return TakeRef(new (internal::AllocateValue(sizeof(IndirectAsyncValue),
                                              alignof(IndirectAsyncValue)))
                     IndirectAsyncValue());
}

namespace {

// Shared by the waiters of one RunWhenReady call; the last one to finish runs
// the callee.
struct ReadyCounter {
  ReadyCounter(size_t pending, TaskFunction callee)
      : pending(pending), callee(std::move(callee)) {}
  std::atomic<size_t> pending;
  TaskFunction callee;
};

void Decrement(ReadyCounter* counter) {
  // acq_rel: each waiter releases what its value's producer published; the last
  // one acquires all of it before running the callee, which may read every
  // value.
  if (counter->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    counter->callee();
    delete counter;
  }
}

}  // namespace

void RunWhenReady(absl::Span<AsyncValue* const> values, TaskFunction callee) {
  size_t unavailable = 0;
  AsyncValue* last = nullptr;
  for (AsyncValue* value : values) {
    if (!value->IsAvailable()) {
      ++unavailable;
      last = value;
    }
  }
  if (unavailable == 0) return callee();
  if (unavailable == 1) {
    last->AndThen(std::move(callee));
    return;
  }
  auto* counter = new ReadyCounter(unavailable, std::move(callee));
  // Count values that are available by the time we get to them as done right
  // away: each unavailable one seen above gets exactly one decrement.
  size_t registered = 0;
  for (AsyncValue* value : values) {
    if (registered == unavailable) break;
    if (value->IsAvailable()) continue;
    ++registered;
    value->AndThen([counter] { Decrement(counter); });
  }
  // Values counted as unavailable above that became available before the second
  // loop were skipped there; settle their decrements now.
  for (; registered < unavailable; ++registered) Decrement(counter);
}

void RunWhenReady(absl::Span<const RCReference<AsyncValue>> values,
                  TaskFunction callee) {
  std::vector<RCReference<AsyncValue>> held;
  std::vector<AsyncValue*> raw;
  held.reserve(values.size());
  raw.reserve(values.size());
  for (const RCReference<AsyncValue>& value : values) {
    if (value->IsAvailable()) continue;
    held.push_back(value.CopyRef());
    raw.push_back(value.get());
  }
  if (raw.empty()) return callee();
  RunWhenReady(raw,
               [held = std::move(held), callee = std::move(callee)]() mutable {
                 callee();
                 held.clear();
               });
}

void BlockUntilReady(AsyncValue* value) {
  if (internal::SpinUntil([value] { return value->IsAvailable(); })) return;
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  } waiter;
  value->AndThen([&waiter] {
    // Notify under the lock: the blocked thread cannot return (and destroy
    // `waiter`) until we release it, so we never touch a dead object.
    std::lock_guard<std::mutex> lock(waiter.mu);
    waiter.done = true;
    waiter.cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(waiter.mu);
  waiter.cv.wait(lock, [&waiter] { return waiter.done; });
}

}  // namespace rill
