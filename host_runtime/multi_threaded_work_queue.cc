// The "mstd" work queue: a lock-free work-stealing pool of non-blocking workers
// plus an on-demand pool of blocking threads. See work_queue.h for the contract
// and progress guarantees.
//
// Non-blocking pool design:
// - Each worker owns
//   * a Chase-Lev deque for tasks submitted from that worker (LIFO for the
//   owner's cache, the
//     oldest stolen by others);
//   * a mailbox: one cache line holding one task inline, where a thread outside
//   the pool puts a
//     task when the slot is empty. A handoff then moves a single cache line
//     between cores (no node allocation, no separate queue head), which is what
//     makes the round trip cheap;
//   * an inbox (Treiber stack) for external submissions that find the mailbox
//   taken; any worker
//     may drain it whole;
//   * a private overflow list for inbox tasks that did not fit in the deque.
// - Worker loop: own deque -> own mailbox -> overflow -> own inbox -> steal
// from the others
//   (random start: deque, mailbox, inbox) -> spin (bounded, at most one
//   spinner) -> park.
// - Event count: `sleepers_` + `epoch_` (a futex word). A parking worker
// increments sleepers_,
//   fences, reads epoch_, re-checks every queue and only then sleeps on epoch_.
//   A submitter pushes, fences, and wakes one sleeper only if no worker is
//   spinning. Either the parker's re-check sees the task or the submitter sees
//   the parker (Dekker), so no wake-up is lost.
// - Quiescing: submitters count each task up front; workers count completions
// locally and publish
//   them in batches — when the batch is large, when they run out of work, or at
//   once when a thread is waiting in Quiesce — so the shared counter's cache
//   line does not bounce once per task.
//
// Mailbox protocol (state word in the same line as the task): kEmpty -CAS by a
// submitter-> kWriting -store->  kFull -CAS by any worker-> kTaking -store->
// kEmpty. Lock-free: a thread that finds the slot in a transient state moves on
// (submitters use the inbox, workers look elsewhere), so a stalled thread
// delays only its own task.

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
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

// xorshift64*: a per-thread generator for victim selection; quality needs are
// modest.
inline uint64_t NextRandom(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

class alignas(internal::kCacheLine) Mailbox {
 public:
  // Any thread. Returns false (leaving `task` untouched) if the slot is not
  // empty.
  bool TryPut(TaskFunction& task) {
    uint32_t expected = kEmpty;
    // A CAS without a load first: the slot is usually empty, and a load would
    // fetch the line shared only to upgrade it right after (one more cross-core
    // transfer per handoff). acquire: the previous taker's move-out of `task_`
    // happened before we overwrite it.
    if (!state_.compare_exchange_strong(expected, kWriting,
                                        std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      return false;
    }
    task_ = std::move(task);
    // release: a taker that sees kFull sees the task.
    state_.store(kFull, std::memory_order_release);
    return true;
  }

  // Any thread. Moves the task out into `out` if the slot is full.
  bool TryTake(TaskFunction& out) {
    uint32_t expected = kFull;
    // acquire on the CAS: pairs with TryPut's release store of kFull.
    if (state_.load(std::memory_order_relaxed) != kFull ||
        !state_.compare_exchange_strong(expected, kTaking,
                                        std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      return false;
    }
    out = std::move(task_);
    task_ = nullptr;
    // release: the next putter (acquire CAS) sees the slot vacated.
    state_.store(kEmpty, std::memory_order_release);
    return true;
  }

  bool FullHint() const {
    return state_.load(std::memory_order_relaxed) == kFull;
  }

 private:
  enum : uint32_t { kEmpty, kWriting, kFull, kTaking };
  std::atomic<uint32_t> state_{kEmpty};
  TaskFunction task_;
};

class NonBlockingPool;

struct alignas(internal::kCacheLine) Worker {
  TaskDeque deque;
  Mailbox mailbox;
  TaskStack inbox;
  // Owner-only state.
  TaskNode* overflow = nullptr;  // Oldest first.
  // Written by the owner only; atomic (relaxed loads and stores, no RMW: the
  // same code as a plain field) so that DebugState may read it.
  std::atomic<uint32_t> unflushed_done{0};
  NonBlockingPool* pool = nullptr;
  uint64_t rng = 0;
  std::thread thread;
};

// A unit of work found by a worker: a queued node or a task taken from a
// mailbox.
struct Work {
  TaskNode* node = nullptr;
  TaskFunction fn;
  explicit operator bool() const {
    return node != nullptr || static_cast<bool>(fn);
  }
};

// The worker running on this thread, if any (of any pool).
thread_local Worker* tls_worker = nullptr;
thread_local uint64_t tls_submit_rng = 0;

// Publish batched completions after this many tasks even while busy.
constexpr uint32_t kDoneBatch = 64;

class NonBlockingPool {
 public:
  NonBlockingPool(int num_threads, QuiescingState* quiescing)
      : quiescing_(quiescing) {
    workers_.reserve(num_threads);
    for (int i = 0; i < num_threads; ++i) {
      auto worker = std::make_unique<Worker>();
      worker->pool = this;
      worker->rng = 0x9E3779B97F4A7C15ULL * (i + 1);
      workers_.push_back(std::move(worker));
    }
    // Start threads only once every Worker exists: a worker may steal from any
    // other at once.
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      w->thread = std::thread([this, w] { WorkerLoop(w); });
    }
  }

  // Requires that no task is queued or running (the owner quiesces first).
  ~NonBlockingPool() {
    // release: a worker that observes stopping_ also observes everything before
    // it.
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
    if (Worker* self = CurrentWorker()) {
      TaskNode* node = TaskNode::New(std::move(task));
      if (!self->deque.PushBottom(node)) {
        // Full deque: run inline (TFRT's policy); the caller is a worker, so
        // this is its job.
        Work work;
        work.node = node;
        Run(self, work);
        return;
      }
    } else {
      uint64_t& rng = tls_submit_rng;
      if (rng == 0) rng = reinterpret_cast<uintptr_t>(&rng) | 1;
      Worker* target = workers_[NextRandom(rng) % workers_.size()].get();
      // A non-empty inbox means the worker is behind and its mailbox is almost
      // surely full: queue behind the others instead of bouncing the mailbox
      // line (and jumping the queue).
      if (!target->inbox.EmptyHint() || !target->mailbox.TryPut(task)) {
        target->inbox.Push(TaskNode::New(std::move(task)));
      }
    }
    NotifyAfterPush();
  }

  // See ConcurrentWorkQueue::DebugState. Relaxed loads of atomics only, so
  // that it may run beside the workers.
  std::string DebugState() const {
    std::string out = absl::StrCat(
        "sleepers=", sleepers_.load(std::memory_order_relaxed),
        " spinners=", spinners_.load(std::memory_order_relaxed),
        " wake_pending=", wake_pending_.load(std::memory_order_relaxed),
        " epoch=", epoch_.load(std::memory_order_relaxed));
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = *workers_[i];
      absl::StrAppend(
          &out, " | worker ", i,
          ": deque=", w.deque.EmptyHint() ? "empty" : "work",
          " mailbox=", w.mailbox.FullHint() ? "full" : "not-full",
          " inbox=", w.inbox.EmptyHint() ? "empty" : "work",
          " unflushed_done=", w.unflushed_done.load(std::memory_order_relaxed));
    }
    return out;
  }

  // Runs pool tasks on the calling worker until `done()` is true (Await from a
  // worker thread).
  template <typename Predicate>
  void HelpUntil(Worker* self, Predicate&& done) {
    while (!done()) {
      Work work = FindWork(self);
      if (work) {
        Run(self, work);
      } else {
        FlushDone(self);
        internal::CpuRelax();
      }
    }
  }

 private:
  void Run(Worker* self, Work& work) {
    if (work.node != nullptr) {
      TaskNode::RunAndDelete(work.node);
      work.node = nullptr;
    } else {
      work.fn();
      work.fn = nullptr;  // Drop captures before the task counts as done.
    }
    const uint32_t done =
        self->unflushed_done.load(std::memory_order_relaxed) + 1;
    self->unflushed_done.store(done, std::memory_order_relaxed);
    if (done >= kDoneBatch) FlushDone(self);
  }

  void FlushDone(Worker* self) {
    const uint32_t done = self->unflushed_done.load(std::memory_order_relaxed);
    if (done == 0) return;
    quiescing_->Done(done);
    self->unflushed_done.store(0, std::memory_order_relaxed);
  }

  void NotifyAfterPush() {
    // Store-load fence: orders our push before the loads below, against a
    // parking worker's increment of sleepers_ and its re-check of the queues
    // (see the file comment). sleepers_ is read first: with nobody parked (the
    // steady state) the spinner's line is never touched.
    internal::StoreLoadFence();
    if (sleepers_.load(std::memory_order_relaxed) > 0 &&
        spinners_.load(std::memory_order_relaxed) == 0) {
      WakeOne();
    }
  }

  void WakeOne() {
    // One wake-up in flight at a time: until the woken worker is up and
    // scanning, further wakes would be system calls that change nothing (a
    // burst would make one per submitted task). A set flag means a worker has
    // been woken (or will not sleep: see Park) and will scan the queues after
    // clearing the flag, so a task whose wake-up is skipped here is seen by
    // that scan (Dekker, as for sleepers_).
    if (wake_pending_.load(std::memory_order_relaxed) ||
        wake_pending_.exchange(true, std::memory_order_acq_rel)) {
      return;
    }
    // seq_cst: the epoch change must be visible to a parker that read the old
    // epoch; FutexWait compares atomically, so a parker between its read and
    // its sleep returns at once.
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    internal::FutexWake(&epoch_, 1);
  }

  // Called by a parker that is becoming active: re-enables wake-ups, then
  // fences so that its next scan sees any task whose submitter skipped the wake
  // because one was pending.
  void ClearWakePending() {
    if (wake_pending_.load(std::memory_order_relaxed)) {
      wake_pending_.store(false, std::memory_order_relaxed);
    }
    internal::StoreLoadFence();
  }

  // More work is probably queued than this worker can take: get a parked worker
  // going.
  void WakeHelperIfIdle() {
    if (sleepers_.load(std::memory_order_relaxed) > 0 &&
        spinners_.load(std::memory_order_relaxed) == 0) {
      WakeOne();
    }
  }

  // Takes a drained inbox list (newest first): returns the oldest to run now,
  // pushes the rest into `self`'s deque (for others to steal) and keeps what
  // does not fit in the private overflow list.
  TaskNode* AdoptInbox(Worker* self, TaskNode* list) {
    TaskNode* oldest = internal::ReverseTaskList(list);
    TaskNode* rest = oldest->next;
    oldest->next = nullptr;
    if (rest == nullptr) return oldest;
    while (rest != nullptr) {
      TaskNode* next = rest->next;
      if (!self->deque.PushBottom(rest)) break;
      rest = next;
    }
    if (rest != nullptr) {
      // Append to the overflow list, keeping oldest-first order.
      TaskNode** tail = &self->overflow;
      while (*tail != nullptr) tail = &(*tail)->next;
      *tail = rest;
    }
    WakeHelperIfIdle();
    return oldest;
  }

  Work FindWork(Worker* self) {
    Work work;
    if ((work.node = self->deque.PopBottom()) != nullptr) return work;
    if (self->mailbox.TryTake(work.fn)) return work;
    if (self->overflow != nullptr) {
      work.node = self->overflow;
      self->overflow = work.node->next;
      work.node->next = nullptr;
      return work;
    }
    if (TaskNode* list = self->inbox.PopAll()) {
      work.node = AdoptInbox(self, list);
      return work;
    }
    const size_t n = workers_.size();
    if (n == 1) return work;
    const size_t start = NextRandom(self->rng) % n;
    for (size_t i = 0; i < n; ++i) {
      Worker* victim = workers_[(start + i) % n].get();
      if (victim == self) continue;
      if ((work.node = victim->deque.Steal()) != nullptr) {
        if (!victim->deque.EmptyHint()) WakeHelperIfIdle();
        return work;
      }
      if (victim->mailbox.TryTake(work.fn)) return work;
      if (TaskNode* list = victim->inbox.PopAll()) {
        work.node = AdoptInbox(self, list);
        return work;
      }
    }
    return work;
  }

  // Spins for a bounded time looking for work. At most one worker spins at a
  // time: more spinners would burn cores without lowering handoff latency.
  Work Spin(Worker* self) {
    Work work;
    int expected = 0;
    if (!spinners_.compare_exchange_strong(expected, 1,
                                           std::memory_order_seq_cst))
      return work;
    // One PAUSE per poll. Polling faster was measured to hurt: each poll
    // re-fetches the line the submitter is writing. Slower hurts too: the
    // interval adds to the handoff latency (on Intel a PAUSE is ~140 cycles).
    for (int i = 0; i < internal::kSpinIterations; ++i) {
      if ((work = FindWork(self))) break;
      // Someone waits in Quiesce: publish our completions now rather than when
      // we park.
      if (quiescing_->HasWaiters()) FlushDone(self);
      internal::CpuRelax();
    }
    spinners_.store(0, std::memory_order_seq_cst);
    return work;
  }

  // Sleeps until woken; returns work found on the way, or nothing when the pool
  // stops.
  Work Park(Worker* self) {
    FlushDone(self);
    while (true) {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      // Entering the sleep protocol consumes any pending wake-up: a waker that
      // sets the flag after this store also bumps epoch_ after it, so we cannot
      // sleep through that wake-up, and the flag cannot stay set (suppressing
      // wake-ups) while every worker sleeps.
      wake_pending_.store(false, std::memory_order_relaxed);
      // Pairs with NotifyAfterPush's fence (Dekker), see the file comment.
      internal::StoreLoadFence();
      const uint32_t epoch = epoch_.load(std::memory_order_seq_cst);
      Work work = FindWork(self);
      // acquire: pairs with the destructor's release store.
      if (work || stopping_.load(std::memory_order_acquire)) {
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        return work;
      }
      internal::FutexWait(&epoch_, epoch);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      ClearWakePending();
      if ((work = FindWork(self))) return work;
      if ((work = Spin(self))) return work;
    }
  }

  void WorkerLoop(Worker* self) {
    tls_worker = self;
    while (true) {
      Work work = FindWork(self);
      if (!work) work = Spin(self);
      if (!work) work = Park(self);
      if (!work) break;  // Stopping.
      Run(self, work);
    }
    FlushDone(self);
    tls_worker = nullptr;
  }

  QuiescingState* const quiescing_;
  std::vector<std::unique_ptr<Worker>> workers_;
  alignas(internal::kCacheLine) std::atomic<int> spinners_{0};
  alignas(internal::kCacheLine) std::atomic<int> sleepers_{0};
  alignas(internal::kCacheLine) std::atomic<uint32_t> epoch_{0};
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stopping_{false};
};

// Threads for work that may block. Threads start on demand up to a maximum and
// stay until the queue is destroyed. A mutex is appropriate here: the tasks
// themselves block.
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
        return std::move(
            task);  // Cannot guarantee that it starts in finite time.
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
      : non_blocking_(num_threads, &quiescing_),
        blocking_(max_blocking_threads, &quiescing_) {}

  ~MultiThreadedWorkQueue() override { Quiesce(); }

  std::string name() const override {
    return absl::StrCat("Multi-threaded C++ work queue (", non_blocking_.size(),
                        " threads, ", blocking_.max_threads(),
                        " blocking threads)");
  }

  void AddTask(TaskFunction task) override {
    internal::ApplyHeldDropsIfAny();  // A worker runs it (work_queue.h).
    non_blocking_.Submit(std::move(task));
  }

  std::optional<TaskFunction> AddBlockingTask(TaskFunction task,
                                              bool allow_queuing) override {
    internal::ApplyHeldDropsIfAny();
    return blocking_.Submit(std::move(task), allow_queuing);
  }

  void Await(absl::Span<const RCReference<AsyncValue>> values) override {
    auto all_available = [values] {
      return std::all_of(
          values.begin(), values.end(),
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

  std::string DebugState() const override {
    return absl::StrCat(name(), ": pending=", quiescing_.pending(),
                        " waiters=", quiescing_.waiters(), " ",
                        non_blocking_.DebugState());
  }

  int GetParallelismLevel() const override { return non_blocking_.size(); }

  bool IsInWorkerThread() const override {
    return non_blocking_.CurrentWorker() != nullptr;
  }

 private:
  // Declared first: destroyed last, after both pools have joined their threads.
  QuiescingState quiescing_;
  NonBlockingPool non_blocking_;
  BlockingPool blocking_;
};

}  // namespace

std::unique_ptr<ConcurrentWorkQueue> CreateMultiThreadedWorkQueue(
    int num_threads, int max_blocking_threads) {
  return std::make_unique<MultiThreadedWorkQueue>(
      std::max(1, num_threads), std::max(1, max_blocking_threads));
}

}  // namespace rill
