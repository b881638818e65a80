// Declares helpers that run work on an execution's work queue and deliver its
// result as an async value, honouring cancellation:
//   EnqueueWork(ctx, fn)          non-blocking work (`fn` must not block)
//   EnqueueBlockingWork(ctx, fn)  work that may block (I/O, waits), on the
//   blocking pool
// `fn` returns T, absl::StatusOr<T>, absl::Status or void; the async value
// holds T (Chain for Status/void). If the request is cancelled before the task
// starts, `fn` does not run and the value becomes the cancellation error (spec
// §5.6).
//
// Thread-safety: callable from any thread; `fn` runs on a queue thread (or, for
// "s", on the thread that awaits).

#ifndef RILL_HOST_RUNTIME_ASYNC_DISPATCH_H_
#define RILL_HOST_RUNTIME_ASYNC_DISPATCH_H_

#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/chain.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/work_queue.h"

namespace rill {
namespace internal {

template <typename R>
struct WorkResult {
  using Payload = R;
  template <typename F>
  static void Run(F& work, const AsyncValueRef<R>& out) {
    out.emplace(work());
  }
};
template <typename T>
struct WorkResult<absl::StatusOr<T>> {
  using Payload = T;
  template <typename F>
  static void Run(F& work, const AsyncValueRef<T>& out) {
    out.Set(work());
  }
};
template <>
struct WorkResult<absl::Status> {
  using Payload = Chain;
  template <typename F>
  static void Run(F& work, const AsyncValueRef<Chain>& out) {
    absl::Status status = work();
    if (status.ok()) {
      out.emplace();
    } else {
      out.SetError(std::move(status));
    }
  }
};
template <>
struct WorkResult<void> {
  using Payload = Chain;
  template <typename F>
  static void Run(F& work, const AsyncValueRef<Chain>& out) {
    work();
    out.emplace();
  }
};

template <typename F>
using WorkPayload = typename WorkResult<std::invoke_result_t<F&>>::Payload;

template <typename F>
TaskFunction MakeWorkTask(const ExecutionContext& ctx, F&& work,
                          const AsyncValueRef<WorkPayload<F>>& out) {
  return [ctx, out = out.CopyRef(), work = std::forward<F>(work)]() mutable {
    if (AsyncValue* cancelled = ctx.GetCancelAsyncValue()) {
      out.SetError(cancelled->GetError());
      return;
    }
    WorkResult<std::invoke_result_t<F&>>::Run(work, out);
  };
}

}  // namespace internal

template <typename F>
AsyncValueRef<internal::WorkPayload<F>> EnqueueWork(const ExecutionContext& ctx,
                                                    F&& work) {
  auto out = MakeUnconstructedAsyncValueRef<internal::WorkPayload<F>>();
  ctx.work_queue().AddTask(
      internal::MakeWorkTask(ctx, std::forward<F>(work), out));
  return out;
}

// If the queue refuses the task (shutdown, or `allow_queuing` is false and no
// thread is free), the value becomes an UNAVAILABLE error.
template <typename F>
AsyncValueRef<internal::WorkPayload<F>> EnqueueBlockingWork(
    const ExecutionContext& ctx, F&& work, bool allow_queuing = true) {
  auto out = MakeUnconstructedAsyncValueRef<internal::WorkPayload<F>>();
  std::optional<TaskFunction> refused = ctx.work_queue().AddBlockingTask(
      internal::MakeWorkTask(ctx, std::forward<F>(work), out), allow_queuing);
  if (refused.has_value()) {
    refused.reset();  // Drop the task (and its reference to `out`) before
                      // completing `out`.
    out.SetError(
        absl::UnavailableError("the work queue refused blocking work"));
  }
  return out;
}

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_ASYNC_DISPATCH_H_
