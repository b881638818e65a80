// Declares `QuiescingState`: the count of tasks that are queued or running in a
// work queue, and the blocking wait for that count to reach zero
// (ConcurrentWorkQueue::Quiesce).
//
// Thread-safety: Add/Done from any thread; Wait from any thread not counted in
// the state. The object must outlive every thread that may call Done (the
// queues join their threads first).

#ifndef RILL_HOST_RUNTIME_INTERNAL_QUIESCING_STATE_H_
#define RILL_HOST_RUNTIME_INTERNAL_QUIESCING_STATE_H_

#include <atomic>
#include <cstdint>

#include "host_runtime/internal/spin.h"

namespace rill {
namespace internal {

class QuiescingState {
 public:
  // Counts a task that is about to be queued. Call before the task becomes
  // visible to any thread.
  void Add() {
    // relaxed: a task added by a running task is counted before that task's own
    // Done (program order of one thread on one atomic), so the count cannot
    // touch zero while work remains.
    pending_.fetch_add(1, std::memory_order_relaxed);
  }

  // Marks `count` counted tasks finished. Workers batch their decrements (see
  // HasWaiters).
  void Done(uint32_t count = 1) {
    // seq_cst RMW + seq_cst load of waiters_: pairs with Wait's seq_cst
    // increment of waiters_ and load of pending_ (Dekker), so either Wait sees
    // zero or we see the waiter and wake it. The RMW also releases the tasks'
    // effects to the thread that observes zero.
    if (pending_.fetch_sub(count, std::memory_order_seq_cst) == count &&
        waiters_.load(std::memory_order_seq_cst) != 0) {
      FutexWake(&pending_, -1);
    }
  }

  // True while some thread is in Wait(): workers holding batched decrements
  // flush them now.
  bool HasWaiters() const {
    return waiters_.load(std::memory_order_relaxed) != 0;
  }

  // Blocks until the count is zero.
  void Wait() {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    while (!SpinUntil(
        [this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      const uint32_t pending = pending_.load(std::memory_order_seq_cst);
      // The kernel re-checks the value, so a drop to zero after our load is not
      // missed.
      if (pending != 0) FutexWait(&pending_, pending);
    }
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }

  uint32_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint32_t waiters() const { return waiters_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> pending_{0};
  std::atomic<uint32_t> waiters_{0};
};

}  // namespace internal
}  // namespace rill

#endif  // RILL_HOST_RUNTIME_INTERNAL_QUIESCING_STATE_H_
