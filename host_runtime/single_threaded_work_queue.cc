// The "s" work queue (spec §7.1): tasks are appended to one FIFO and run only
// on the thread that calls Await() or Quiesce(). Any thread may add tasks (an
// async kernel's helper thread, say): they go to a lock-free inbox that the
// running thread drains into its private FIFO in arrival order, so tasks a task
// enqueues run after the tasks already queued.

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "host_runtime/async_value_ref.h"
#include "host_runtime/internal/spin.h"
#include "host_runtime/internal/task_queue.h"
#include "host_runtime/work_queue.h"

namespace rill {
namespace {

using internal::TaskNode;

// What a sleeping Await waits on. Reference-counted because value waiters that
// signal it may run after the Await (or the whole queue) is gone.
struct Wakeup : ReferenceCounted<Wakeup> {
  std::atomic<uint32_t> epoch{0};
  std::atomic<uint32_t> sleeping{0};

  void Signal() {
    // seq_cst fence: orders the caller's publication (push, value availability)
    // before reading `sleeping`, against the sleeper's store of `sleeping` and
    // re-check (Dekker).
    internal::StoreLoadFence();
    if (sleeping.load(std::memory_order_relaxed) != 0) {
      epoch.fetch_add(1, std::memory_order_seq_cst);
      internal::FutexWake(&epoch, -1);
    }
  }

  // Sleeps until Signal() unless `ready()` already holds.
  template <typename Predicate>
  void SleepUnless(Predicate&& ready) {
    if (internal::SpinUntil(ready)) return;
    sleeping.store(1, std::memory_order_seq_cst);
    internal::StoreLoadFence();
    const uint32_t e = epoch.load(std::memory_order_seq_cst);
    if (!ready()) internal::FutexWait(&epoch, e);
    sleeping.store(0, std::memory_order_relaxed);
  }
};

thread_local const void* tls_running_queue = nullptr;

class SingleThreadedWorkQueue final : public ConcurrentWorkQueue {
 public:
  SingleThreadedWorkQueue() : wakeup_(MakeRef<Wakeup>()) {}

  ~SingleThreadedWorkQueue() override {
    Quiesce();
    // Tasks added concurrently with destruction are dropped (their captures are
    // released).
    for (TaskNode* node = TakeNext(); node != nullptr; node = TakeNext())
      TaskNode::Delete(node);
  }

  std::string name() const override { return "single-threaded"; }

  void AddTask(TaskFunction task) override {
    // Tasks run on the thread that awaits, not always this one.
    internal::ApplyHeldDropsIfAny();
    inbox_.Push(TaskNode::New(std::move(task)));
    wakeup_->Signal();
  }

  void AddTaskRuns(uint32_t count, TaskFunction task) override {
    internal::ApplyHeldDropsIfAny();
    inbox_.Push(TaskNode::New(std::move(task), count));
    wakeup_->Signal();
  }

  std::optional<TaskFunction> AddBlockingTask(TaskFunction task,
                                              bool allow_queuing) override {
    // Blocking work shares the FIFO. Work that must start without queuing
    // cannot be promised here.
    if (!allow_queuing) return std::move(task);
    AddTask(std::move(task));
    return std::nullopt;
  }

  void Await(absl::Span<const RCReference<AsyncValue>> values) override {
    auto all_available = [values] { return AllAvailable(values); };
    // Tasks run below see this Await as the innermost (ClaimNextRun).
    const absl::Span<const RCReference<AsyncValue>>* outer = awaiting_;
    awaiting_ = &values;
    bool registered = false;
    while (!all_available()) {
      if (TaskNode* node = TakeNext()) {
        RunTask(node);
        continue;
      }
      // Nothing to run: the values must be completed by another thread. Sleep
      // until they are or a task arrives.
      if (!registered) {
        registered = true;
        RunWhenReady(values,
                     [wakeup = wakeup_.CopyRef()] { wakeup->Signal(); });
      }
      wakeup_->SleepUnless(
          [&] { return all_available() || !inbox_.EmptyHint(); });
    }
    awaiting_ = outer;
  }

  void Quiesce() override {
    const absl::Span<const RCReference<AsyncValue>>* outer = awaiting_;
    awaiting_ = nullptr;  // Quiesce runs everything: no reason to stop.
    while (TaskNode* node = TakeNext()) RunTask(node);
    awaiting_ = outer;
  }

  bool ClaimNextRun() override {
    // Only the running thread touches these. The batch node is off the FIFO
    // while its run executes; returning to the loop would put it back at the
    // head and take it again unless the awaited values are now available.
    TaskNode* node = running_batch_;
    if (node == nullptr || node->runs == 0) return false;
    if (awaiting_ != nullptr && AllAvailable(*awaiting_)) return false;
    --node->runs;
    return true;
  }

  int GetParallelismLevel() const override { return 1; }

  bool IsInWorkerThread() const override { return tls_running_queue == this; }

 private:
  // A plain loop: it runs after every claimed run, and std::all_of was not
  // inlined.
  static bool AllAvailable(absl::Span<const RCReference<AsyncValue>> values) {
    for (const RCReference<AsyncValue>& v : values) {
      if (!v->IsAvailable()) return false;
    }
    return true;
  }

  void RunTask(TaskNode* node) {
    const void* outer = tls_running_queue;
    tls_running_queue = this;
    TaskNode* outer_batch = running_batch_;
    if (node->runs == 1) {
      running_batch_ = nullptr;
      TaskNode::RunAndDelete(node);
    } else {
      // A batch of runs: run one (and those it claims), then put the node
      // back at the head, ahead of anything the runs enqueued (those arrived
      // later), as separate tasks would be.
      --node->runs;
      running_batch_ = node;
      node->fn();
      if (node->runs == 0) {
        TaskNode::Delete(node);
      } else {
        node->next = fifo_head_;
        fifo_head_ = node;
      }
    }
    running_batch_ = outer_batch;
    tls_running_queue = outer;
  }

  // Only the running thread touches fifo_head_.
  TaskNode* TakeNext() {
    if (fifo_head_ == nullptr) {
      TaskNode* arrived = inbox_.PopAll();
      if (arrived == nullptr) return nullptr;
      fifo_head_ = internal::ReverseTaskList(arrived);
    }
    TaskNode* node = fifo_head_;
    fifo_head_ = node->next;
    node->next = nullptr;
    return node;
  }

  internal::TaskStack inbox_;
  TaskNode* fifo_head_ = nullptr;
  // The batch whose run executes now (its remaining runs), and the values
  // the innermost running Await waits for (null under Quiesce).
  TaskNode* running_batch_ = nullptr;
  const absl::Span<const RCReference<AsyncValue>>* awaiting_ = nullptr;
  RCReference<Wakeup> wakeup_;
};

}  // namespace

std::unique_ptr<ConcurrentWorkQueue> CreateSingleThreadedWorkQueue() {
  return std::make_unique<SingleThreadedWorkQueue>();
}

}  // namespace rill
