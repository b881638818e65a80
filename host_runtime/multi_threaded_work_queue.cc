// The "mstd" work queue: a lock-free work-stealing pool of non-blocking workers plus an on-demand
// pool of blocking threads. See work_queue.h for the contract and progress guarantees.
//
// Non-blocking pool design:
// - Each worker owns a Chase-Lev deque (its own submissions: LIFO for cache locality; others steal
//   the oldest) and an inbox (a Treiber stack that threads outside the pool push to; any worker may
//   drain it whole).
// - Worker loop: own deque -> own inbox -> steal from the others (random start) -> spin (bounded,
//   at most one spinner) -> park on the event count.
// - Event count: `sleepers_` + `epoch_` (a futex word). A parking worker increments sleepers_,
//   fences, reads epoch_, re-checks every queue and only then sleeps on epoch_. A submitter pushes,
//   fences, and wakes one sleeper only if no worker is spinning. Either the parker's re-check sees
//   the task or the submitter sees the parker (Dekker with seq_cst fences), so no wake-up is lost.

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/internal/quiescing_state.h"
#include "host_runtime/internal/spin.h"
#include "host_runtime/internal/task_queue.h"
#include "host_runtime/work_queue.h"

namespace rill {
namespace {

using internal::QuiescingState;
using internal::TaskDeque;
using internal::TaskNode;
using internal::TaskStack;

// xorshift64*: a per-thread generator for victim selection; quality needs are modest.
inline uint64_t NextRandom(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

class NonBlockingPool;

struct alignas(internal::kCacheLine) Worker {
  TaskDeque deque;
  TaskStack inbox;
  NonBlockingPool* pool = nullptr;
  int index = 0;
  uint64_t rng = 0;
  std::thread thread;
};

// The worker running on this thread, if any (of any pool).
thread_local Worker* tls_worker = nullptr;
thread_local uint64_t tls_submit_rng = 0;

class NonBlockingPool {
 public:
  NonBlockingPool(int num_threads, QuiescingState* quiescing) : quiescing_(quiescing) {
    workers_.reserve(num_threads);
    for (int i = 0; i < num_threads; ++i) {
      auto worker = std::make_unique<Worker>();
      worker->pool = this;
      worker->index = i;
      worker->rng = 0x9E3779B97F4A7C15ULL * (i + 1);
      workers_.push_back(std::move(worker));
    }
    // Start threads only once every Worker exists: a worker may steal from any other at once.
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      w->thread = std::thread([this, w] { WorkerLoop(w); });
    }
  }

  // Requires that no task is queued or running (the owner quiesces first).
  ~NonBlockingPool() {
    // release: a worker that observes stopping_ also observes everything before it.
    stopping_.store(true, std::memory_order_release);
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    internal::FutexWake(&epoch_, -1);
    for (auto& worker : workers_) worker->thread.join();
  }

  int size() const { return static_cast<int>(workers_.size()); }

  Worker* CurrentWorker() const {
    Worker* w = tls_worker;
    return (w != nullptr && w->pool == this) ? w : nullptr;
  }

  void Submit(TaskFunction task) {
    quiescing_->Add();
    TaskNode* node = TaskNode::New(std::move(task));
    if (Worker* self = CurrentWorker()) {
      if (!self->deque.PushBottom(node)) {
        // Full deque: run inline (TFRT's policy); the caller is a worker, so this is its job.
        Run(node);
        return;
      }
    } else {
      uint64_t& rng = tls_submit_rng;
      if (rng == 0) rng = reinterpret_cast<uintptr_t>(&rng) | 1;
      workers_[NextRandom(rng) % workers_.size()]->inbox.Push(node);
    }
    NotifyAfterPush();
  }

  // Runs pool tasks on the calling worker until `done()` is true (Await from a worker thread).
  template <typename Predicate>
  void HelpUntil(Worker* self, Predicate&& done) {
    while (!done()) {
      if (TaskNode* node = FindWork(self)) {
        Run(node);
      } else {
        internal::CpuRelax();
      }
    }
  }

 private:
  void Run(TaskNode* node) {
    TaskNode::RunAndDelete(node);
    quiescing_->Done();
  }

  void NotifyAfterPush() {
    // seq_cst fence: orders our push before the loads below, against a parking worker's
    // increment of sleepers_ and its re-check of the queues (see the file comment).
    internal::StoreLoadFence();
    if (spinners_.load(std::memory_order_relaxed) == 0 &&
        sleepers_.load(std::memory_order_relaxed) > 0) {
      WakeOne();
    }
  }

  void WakeOne() {
    // seq_cst: the epoch change must be visible to a parker that read the old epoch; FutexWait
    // compares atomically, so a parker between its read and its sleep returns at once.
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    internal::FutexWake(&epoch_, 1);
  }

  // More work is probably queued than this worker can take: get a parked worker going.
  void WakeHelperIfIdle() {
    if (sleepers_.load(std::memory_order_relaxed) > 0 &&
        spinners_.load(std::memory_order_relaxed) == 0) {
      WakeOne();
    }
  }

  // Moves a drained inbox list (newest first) into `self`'s deque so that pops return the oldest
  // first, and returns the oldest task to run now.
  TaskNode* AdoptInbox(Worker* self, TaskNode* list) {
    TaskNode* oldest = list;
    TaskNode* prev = nullptr;
    while (oldest->next != nullptr) {
      prev = oldest;
      oldest = oldest->next;
    }
    if (prev != nullptr) {
      prev->next = nullptr;
      TaskNode* node = list;
      while (node != nullptr) {
        TaskNode* next = node->next;
        if (!self->deque.PushBottom(node)) {
          // Deque full: hand the rest (still newest first) back to our inbox.
          TaskNode* last = node;
          while (last->next != nullptr) last = last->next;
          self->inbox.PushChain(node, last);
          break;
        }
        node = next;
      }
      WakeHelperIfIdle();
    }
    oldest->next = nullptr;
    return oldest;
  }

  TaskNode* FindWork(Worker* self) {
    if (TaskNode* node = self->deque.PopBottom()) return node;
    if (TaskNode* list = self->inbox.PopAll()) return AdoptInbox(self, list);
    const size_t n = workers_.size();
    if (n == 1) return nullptr;
    const size_t start = NextRandom(self->rng) % n;
    for (size_t i = 0; i < n; ++i) {
      Worker* victim = workers_[(start + i) % n].get();
      if (victim == self) continue;
      if (TaskNode* node = victim->deque.Steal()) {
        if (!victim->deque.EmptyHint()) WakeHelperIfIdle();
        return node;
      }
      if (TaskNode* list = victim->inbox.PopAll()) return AdoptInbox(self, list);
    }
    return nullptr;
  }

  // Spins for a bounded time looking for work. At most one worker spins at a time: more spinners
  // would burn cores without lowering handoff latency.
  TaskNode* Spin(Worker* self) {
    int expected = 0;
    if (!spinners_.compare_exchange_strong(expected, 1, std::memory_order_seq_cst)) return nullptr;
    TaskNode* node = nullptr;
    for (int i = 0; i < internal::kSpinIterations / 4 && node == nullptr; ++i) {
      node = FindWork(self);
      if (node == nullptr) {
        for (int k = 0; k < 4; ++k) internal::CpuRelax();
      }
    }
    spinners_.store(0, std::memory_order_seq_cst);
    return node;
  }

  // Sleeps until woken; returns work found on the way, or null when the pool stops.
  TaskNode* Park(Worker* self) {
    while (true) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      // seq_cst fence: pairs with NotifyAfterPush's fence (Dekker), see the file comment.
      internal::StoreLoadFence();
      const uint32_t epoch = epoch_.load(std::memory_order_seq_cst);
      TaskNode* node = FindWork(self);
      // acquire: pairs with the destructor's release store.
      if (node != nullptr || stopping_.load(std::memory_order_acquire)) {
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        return node;
      }
      internal::FutexWait(&epoch_, epoch);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      if ((node = FindWork(self)) != nullptr) return node;
      if ((node = Spin(self)) != nullptr) return node;
    }
  }

  void WorkerLoop(Worker* self) {
    tls_worker = self;
    while (true) {
      TaskNode* node = FindWork(self);
      if (node == nullptr) node = Spin(self);
      if (node == nullptr) node = Park(self);
      if (node == nullptr) break;  // Stopping.
      Run(node);
    }
    tls_worker = nullptr;
  }

  QuiescingState* const quiescing_;
  std::vector<std::unique_ptr<Worker>> workers_;
  alignas(internal::kCacheLine) std::atomic<int> spinners_{0};
  alignas(internal::kCacheLine) std::atomic<int> sleepers_{0};
  alignas(internal::kCacheLine) std::atomic<uint32_t> epoch_{0};
  std::atomic<bool> stopping_{false};
};

// Threads for work that may block. Threads start on demand up to a maximum and stay until the
// queue is destroyed. A mutex is appropriate here: the tasks themselves block.
class BlockingPool {
 public:
  BlockingPool(int max_threads, QuiescingState* quiescing)
      : max_threads_(max_threads), quiescing_(quiescing) {}

  ~BlockingPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  int max_threads() const { return max_threads_; }

  std::optional<TaskFunction> Submit(TaskFunction task, bool allow_queuing) {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return std::move(task);
    const bool idle_thread_free = idle_ > static_cast<int>(queue_.size());
    if (!idle_thread_free) {
      if (static_cast<int>(threads_.size()) < max_threads_) {
        threads_.emplace_back([this] { Loop(); });
      } else if (!allow_queuing) {
        return std::move(task);  // Cannot guarantee that it starts in finite time.
      }
    }
    quiescing_->Add();
    queue_.push_back(std::move(task));
    lock.unlock();
    cv_.notify_one();
    return std::nullopt;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // Stopping and drained.
      TaskFunction task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // Drop captures before counting the task done.
      quiescing_->Done();
      lock.lock();
    }
  }

  const int max_threads_;
  QuiescingState* const quiescing_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<TaskFunction> queue_;
  std::vector<std::thread> threads_;
  int idle_ = 0;
  bool stopping_ = false;
};

class MultiThreadedWorkQueue final : public ConcurrentWorkQueue {
 public:
  MultiThreadedWorkQueue(int num_threads, int max_blocking_threads)
      : non_blocking_(num_threads, &quiescing_), blocking_(max_blocking_threads, &quiescing_) {}

  ~MultiThreadedWorkQueue() override { Quiesce(); }

  std::string name() const override {
    return absl::StrCat("Multi-threaded C++ work queue (", non_blocking_.size(), " threads, ",
                        blocking_.max_threads(), " blocking threads)");
  }

  void AddTask(TaskFunction task) override { non_blocking_.Submit(std::move(task)); }

  std::optional<TaskFunction> AddBlockingTask(TaskFunction task, bool allow_queuing) override {
    return blocking_.Submit(std::move(task), allow_queuing);
  }

  void Await(absl::Span<const RCReference<AsyncValue>> values) override {
    auto all_available = [values] {
      return std::all_of(values.begin(), values.end(),
                         [](const RCReference<AsyncValue>& v) { return v->IsAvailable(); });
    };
    if (Worker* self = non_blocking_.CurrentWorker()) {
      non_blocking_.HelpUntil(self, all_available);
      return;
    }
    if (internal::SpinUntil(all_available)) return;
    auto done = MakeConstructedAsyncValueRef<Chain>();
    RunWhenReady(values, [done = done.CopyRef()] { done.SetStateConcrete(); });
    BlockUntilReady(done.GetAsyncValue());
  }

  void Quiesce() override { quiescing_.Wait(); }

  int GetParallelismLevel() const override { return non_blocking_.size(); }

  bool IsInWorkerThread() const override { return non_blocking_.CurrentWorker() != nullptr; }

 private:
  // Declared first: destroyed last, after both pools have joined their threads.
  QuiescingState quiescing_;
  NonBlockingPool non_blocking_;
  BlockingPool blocking_;
};

}  // namespace

std::unique_ptr<ConcurrentWorkQueue> CreateMultiThreadedWorkQueue(int num_threads,
                                                                  int max_blocking_threads) {
  return std::make_unique<MultiThreadedWorkQueue>(std::max(1, num_threads),
                                                  std::max(1, max_blocking_threads));
}

}  // namespace rill
