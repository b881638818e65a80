// Declares `ConcurrentWorkQueue`, the interface through which the runtime runs
// tasks, and its factories. Two implementations, chosen by a spec string that
// matches TFRT's runner flag
// (`--work_queue_type`, spec §7.1):
//
//   "s"            single-threaded: tasks run only on the thread that calls
//   Await()/Quiesce(), in
//                  FIFO order; blocking tasks share the same FIFO.
//   "mstd[:N[,M]]" multi-threaded: N non-blocking workers (default: hardware
//   threads) that steal
//                  work from each other, plus up to M threads for blocking work
//                  (default 256).
//
// Progress guarantees of the multi-threaded queue (details in
// internal/task_queue.h):
//   AddTask          lock-free (a CAS loop on the target queue; wait-free from
//   a worker thread),
//                    plus at most one futex wake-up system call when a worker
//                    must be unparked.
//   worker dequeue   lock-free (own deque pop is wait-free; steals are
//   lock-free). AddBlockingTask  blocking (a mutex guards the blocking pool;
//   blocking work may sleep anyway). Await, Quiesce   blocking by definition
//   (spin briefly, then sleep).
// Workers spin for a bounded time (internal/spin.h) before parking on an event
// count, and a submission wakes a parked worker only when no worker is
// spinning.
//
// Thread-safety: AddTask, AddBlockingTask and IsInWorkerThread may be called
// from any thread. For "s", Await and Quiesce must not be called from two
// threads at once (they run the tasks).

#ifndef RILL_HOST_RUNTIME_WORK_QUEUE_H_
#define RILL_HOST_RUNTIME_WORK_QUEUE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/ref_count.h"
#include "host_runtime/task_function.h"

namespace rill {

class ConcurrentWorkQueue {
 public:
  virtual ~ConcurrentWorkQueue() = default;

  // A human-readable name; the runner prints it (spec §7.1).
  virtual std::string name() const = 0;

  // Enqueues a task that must not block. If the queue is full the task runs
  // inline, on the caller.
  //
  // Every enqueue (AddTask, AddTaskRuns, AddBlockingTask) first applies the
  // calling thread's held drops (internal::ApplyHeldDropsIfAny, see
  // async_value.h): the task may run on another thread, which must see the
  // reference counts the caller sees. A queue implemented elsewhere must do
  // the same.
  virtual void AddTask(TaskFunction task) = 0;

  // Enqueues `task` to run `count` (>= 1) times, one run after another and
  // never concurrently, and destroys it after the last run (or when the queue
  // drops it at destruction). For ordering, each run is its own task, as if
  // AddTask had been called `count` times in a row: a FIFO queue runs the
  // runs at that position, and Await may return between two of them (one
  // difference: a run that itself calls Await does not run its own batch's
  // later runs while it waits). The
  // single-threaded queue keeps the runs as one queue entry, so a batch costs
  // one enqueue (the executor hands a fan-out's streams over this way); the
  // default runs them back to back in one task, since a multi-threaded queue
  // has no order to keep.
  virtual void AddTaskRuns(uint32_t count, TaskFunction task);

  // Called by a run of an AddTaskRuns batch, on the thread executing it, when
  // that run is done: claims the batch's next run for the caller to perform
  // at once, instead of returning to the queue for it. True only where this
  // changes nothing observable: the queue would take that run next anyway.
  // The single-threaded queue says yes while runs are left and the innermost
  // Await it is running for still waits (Await may return between runs);
  // the default says no, so every run is its own call of the task.
  virtual bool ClaimNextRun() { return false; }

  // Enqueues a task that may block (I/O, waiting). Returns the task back when
  // it cannot be accepted: when `allow_queuing` is false and no thread can
  // start it right away (such a task must start in finite time even if all
  // other blocking work blocks forever), or during shutdown.
  [[nodiscard]] virtual std::optional<TaskFunction> AddBlockingTask(
      TaskFunction task, bool allow_queuing) = 0;

  // Blocks until every value in `values` is available. Called from a worker
  // thread, it runs other tasks while it waits instead of blocking the worker.
  virtual void Await(absl::Span<const RCReference<AsyncValue>> values) = 0;

  // Blocks until no task is queued or running, including tasks added by tasks.
  virtual void Quiesce() = 0;

  // Number of non-blocking worker threads (1 for "s").
  virtual int GetParallelismLevel() const = 0;

  // True on one of this queue's non-blocking worker threads.
  virtual bool IsInWorkerThread() const = 0;

  // A one-line snapshot of the queue's internal state (counts, flags, which
  // queues hold work), for diagnosing a Quiesce or Await that does not
  // return. Any thread; racy by nature: the fields are read one by one while
  // the workers run.
  virtual std::string DebugState() const { return name(); }
};

std::unique_ptr<ConcurrentWorkQueue> CreateSingleThreadedWorkQueue();

// `num_threads` >= 1 non-blocking workers; up to `max_blocking_threads` >= 1
// blocking threads, started on demand.
std::unique_ptr<ConcurrentWorkQueue> CreateMultiThreadedWorkQueue(
    int num_threads, int max_blocking_threads);

// Parses a spec ("s", "mstd", "mstd:N", "mstd:N,M") and creates the queue. An
// unknown or malformed spec is an InvalidArgument error naming it.
absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> CreateWorkQueue(
    absl::string_view spec);

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_WORK_QUEUE_H_
