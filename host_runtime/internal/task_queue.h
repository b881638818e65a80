// Declares the lock-free task containers behind the work queues:
//   TaskNode   a heap node holding one TaskFunction;
//   TaskDeque  a bounded Chase-Lev work-stealing deque (one owner thread, any
//   number of thieves); TaskStack  a Treiber stack used as a multi-producer
//   inbox that is drained all at once.
//
// Progress guarantees (the strict definitions):
//   TaskDeque::PushBottom         wait-free (owner only)
//   TaskDeque::PopBottom          wait-free (owner only; one CAS when a single
//   task is left) TaskDeque::Steal              lock-free (a failed CAS means
//   another thread took the task) TaskStack::Push               lock-free (CAS
//   loop; a failure means another push or drain won) TaskStack::PopAll
//   wait-free (one exchange)
//
// Memory ordering is argued per operation below. The slot array holds atomics,
// so a thief that reads a slot the owner is overwriting observes a stale
// pointer and then fails its CAS; there is no data race on task objects.

#ifndef RILL_HOST_RUNTIME_INTERNAL_TASK_QUEUE_H_
#define RILL_HOST_RUNTIME_INTERNAL_TASK_QUEUE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "host_runtime/internal/value_pool.h"
#include "host_runtime/task_function.h"

namespace rill {
namespace internal {

struct TaskNode {
  explicit TaskNode(TaskFunction f, uint32_t runs = 1)
      : fn(std::move(f)), runs(runs) {}
  TaskNode* next = nullptr;
  TaskFunction fn;
  // Runs left (ConcurrentWorkQueue::AddTaskRuns); only the single-threaded
  // queue makes nodes with more than one.
  uint32_t runs;

  static TaskNode* New(TaskFunction f, uint32_t runs = 1) {
    return new (PoolAllocate(sizeof(TaskNode))) TaskNode(std::move(f), runs);
  }
  static void Delete(TaskNode* node) {
    node->~TaskNode();
    PoolDeallocate(node, sizeof(TaskNode));
  }
  // Runs the task and frees the node.
  static void RunAndDelete(TaskNode* node) {
    node->fn();
    Delete(node);
  }
};

inline constexpr size_t kCacheLine = 64;

class TaskDeque {
 public:
  static constexpr int64_t kCapacity = 1 << 13;

  TaskDeque() : slots_(new std::atomic<TaskNode*>[kCapacity]) {
    for (int64_t i = 0; i < kCapacity; ++i)
      slots_[i].store(nullptr, std::memory_order_relaxed);
  }

  // Owner only. Returns false (and keeps ownership of `node` with the caller)
  // when full.
  bool PushBottom(TaskNode* node) {
    // relaxed: only the owner writes bottom_.
    const int64_t b = bottom_.load(std::memory_order_relaxed);
    // acquire: a slot freed by a steal (top_ advanced) may be reused only after
    // the thief has read it; the thief's CAS on top_ is seq_cst (a release),
    // which this load synchronizes with.
    const int64_t t = top_.load(std::memory_order_acquire);
    if (b - t >= kCapacity) return false;
    // release: a thief that acquires this slot sees the node's contents.
    slots_[b & kMask].store(node, std::memory_order_release);
    // release: a thief that sees the new bottom_ also sees the slot store.
    bottom_.store(b + 1, std::memory_order_release);
    return true;
  }

  // Owner only. Returns the most recently pushed task (LIFO), or null if empty.
  TaskNode* PopBottom() {
    // Only the owner pushes and top_ only grows, so bottom <= top means empty
    // for sure: skip the seq_cst store below, which is a locked instruction, on
    // the idle-polling path.
    if (bottom_.load(std::memory_order_relaxed) <=
        top_.load(std::memory_order_relaxed)) {
      return nullptr;
    }
    const int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    // seq_cst store + seq_cst load of top_: the reservation of slot b must be
    // ordered before we read top_, or a thief and the owner could both take the
    // last task (store-load ordering).
    bottom_.store(b, std::memory_order_seq_cst);
    int64_t t = top_.load(std::memory_order_seq_cst);
    if (t > b) {  // Empty: undo the reservation.
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    TaskNode* node =
        slots_[b & kMask].load(std::memory_order_relaxed);  // Owner wrote it.
    if (t == b) {
      // The last task: race thieves for it through top_. seq_cst pairs with
      // Steal's CAS.
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        node = nullptr;  // A thief won.
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return node;
  }

  // Any thread. Returns the oldest task (FIFO end), or null if empty or another
  // thread won the race.
  TaskNode* Steal() {
    // seq_cst loads: top_ must be read before bottom_ (mirror of PopBottom's
    // store-load order).
    int64_t t = top_.load(std::memory_order_seq_cst);
    const int64_t b = bottom_.load(std::memory_order_seq_cst);
    if (t >= b) return nullptr;
    // acquire: pairs with PushBottom's release store of this slot.
    TaskNode* node = slots_[t & kMask].load(std::memory_order_acquire);
    // seq_cst: claims slot t against the owner's PopBottom and other thieves.
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      return nullptr;
    }
    return node;
  }

  // A racy size estimate, for heuristics only.
  bool EmptyHint() const {
    return bottom_.load(std::memory_order_relaxed) <=
           top_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr int64_t kMask = kCapacity - 1;
  alignas(kCacheLine) std::atomic<int64_t> top_{0};
  alignas(kCacheLine) std::atomic<int64_t> bottom_{0};
  alignas(kCacheLine) std::unique_ptr<std::atomic<TaskNode*>[]> slots_;
};

class TaskStack {
 public:
  // Any thread. Pushes one node.
  void Push(TaskNode* node) { PushChain(node, node); }

  // Any thread. Pushes the chain first..last (linked through `next`) in one
  // CAS.
  void PushChain(TaskNode* first, TaskNode* last) {
    TaskNode* head = head_.load(std::memory_order_relaxed);
    do {
      last->next = head;
      // release: the drainer's acquire exchange sees the nodes' contents. No
      // ABA hazard: we never dereference `head`, and if the CAS succeeds `head`
      // is the current list head.
    } while (!head_.compare_exchange_weak(
        head, first, std::memory_order_release, std::memory_order_relaxed));
  }

  // Any thread. Takes every node; returns them newest first (linked through
  // `next`).
  TaskNode* PopAll() {
    // Cheap check first so idle scanners do not bounce the line with exchanges.
    if (head_.load(std::memory_order_relaxed) == nullptr) return nullptr;
    // acquire: pairs with the pushes' release.
    return head_.exchange(nullptr, std::memory_order_acquire);
  }

  bool EmptyHint() const {
    return head_.load(std::memory_order_relaxed) == nullptr;
  }

 private:
  alignas(kCacheLine) std::atomic<TaskNode*> head_{nullptr};
};

// Reverses a newest-first list into oldest-first order.
inline TaskNode* ReverseTaskList(TaskNode* list) {
  TaskNode* reversed = nullptr;
  while (list != nullptr) {
    TaskNode* next = list->next;
    list->next = reversed;
    reversed = list;
    list = next;
  }
  return reversed;
}

}  // namespace internal
}  // namespace rill

#endif  // RILL_HOST_RUNTIME_INTERNAL_TASK_QUEUE_H_
