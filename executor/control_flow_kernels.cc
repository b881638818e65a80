// The `tfrt` dialect's control-flow kernels (host_dialect.md §11.7-§11.13):
// tfrt.call, tfrt.if, tfrt.cond, tfrt.case, tfrt.while, tfrt.repeat.i32/.i64,
// tfrt.once, tfrt.parallel_for.i32 and tfrt.parallel_call.i32. Each calls
// `Function`s it receives as function operands; none blocks a thread: when a
// loop must wait for a value it continues from a work-queue task once the
// value is available.

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/chain.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/function.h"
#include "host_runtime/host_context.h"
#include "host_runtime/kernel_frame.h"
#include "host_runtime/kernel_registry.h"
#include "host_runtime/ref_count.h"

namespace rill {
namespace {

using Values = std::vector<RCReference<AsyncValue>>;

// Checks that `frame` has `functions` function operands, at least `min_args`
// arguments, and that the callee `fn` takes `args` and returns `results`
// values. Reports a clear error (malformed BEF must not crash) and returns
// false otherwise.
bool CheckCallee(AsyncKernelFrame* frame, const Function* fn, size_t args,
                 size_t results) {
  if (fn->num_arguments() == args && fn->num_results() == results) return true;
  frame->ReportError(absl::InvalidArgumentError(absl::StrCat(
      "callee '", fn->name(), "' takes ", fn->num_arguments(),
      " arguments and returns ", fn->num_results(),
      " results, but the op passes ", args, " and expects ", results)));
  return false;
}

bool CheckShape(AsyncKernelFrame* frame, int functions, int min_args) {
  if (frame->GetNumFunctions() >= functions && frame->GetNumArgs() >= min_args)
    return true;
  frame->ReportError(absl::InvalidArgumentError(
      absl::StrCat("expected ", functions, " function operand(s) and at least ",
                   min_args, " operand(s), got ", frame->GetNumFunctions(),
                   " and ", frame->GetNumArgs())));
  return false;
}

template <typename T>
bool CheckType(AsyncKernelFrame* frame, AsyncValue* value, const char* what) {
  if (value->IsType<T>()) return true;
  frame->ReportError(
      absl::InvalidArgumentError(absl::StrCat(what, " has the wrong type")));
  return false;
}

// Calls `fn` with `args` into the frame's results.
void CallInto(AsyncKernelFrame* frame, const Function* fn,
              absl::Span<AsyncValue* const> args) {
  if (!CheckCallee(frame, fn, args.size(), frame->GetNumResults())) return;
  fn->Execute(frame->GetExecutionContext(), args, frame->GetResults());
}

// Drops a trailing chain operand the callee does not take (§2.4).
absl::Span<AsyncValue* const> CallArgs(AsyncKernelFrame* frame, size_t skip,
                                       const Function* fn) {
  absl::Span<AsyncValue* const> args = frame->GetArguments().subspan(skip);
  if (args.size() == fn->num_arguments() + 1 && args.back()->IsType<Chain>())
    args.remove_suffix(1);
  return args;
}

// §11.7.
void TfrtCall(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 0)) return;
  const Function* fn = frame->GetFunctionAt(0);
  CallInto(frame, fn, CallArgs(frame, 0, fn));
}

// §11.8: tfrt.if (regions then, else) and tfrt.cond (a_true_fn, b_false_fn).
void TfrtIf(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 2, 1)) return;
  AsyncValue* cond = frame->GetArgAt(0);
  if (!CheckType<bool>(frame, cond, "the condition")) return;
  const Function* fn = frame->GetFunctionAt(cond->get<bool>() ? 0 : 1);
  CallInto(frame, fn, CallArgs(frame, 1, fn));
}

// §11.9: an out-of-range index selects the last branch.
void TfrtCase(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 1)) return;
  AsyncValue* index = frame->GetArgAt(0);
  if (!CheckType<int32_t>(frame, index, "the branch index")) return;
  const int32_t i = index->get<int32_t>();
  const int branches = frame->GetNumFunctions();
  const Function* fn =
      frame->GetFunctionAt(i < 0 || i >= branches ? branches - 1 : i);
  CallInto(frame, fn, CallArgs(frame, 1, fn));
}

// Results handed out before a loop finishes: placeholders forwarded at the
// end.
class LoopResults {
 public:
  explicit LoopResults(absl::Span<RCReference<AsyncValue>> slots) {
    for (auto& slot : slots) {
      placeholders_.push_back(MakeIndirectAsyncValue());
      slot = FormRef<AsyncValue>(placeholders_.back().get());
    }
  }
  void Forward(Values values) {
    for (size_t i = 0; i < placeholders_.size(); ++i)
      placeholders_[i]->ForwardTo(std::move(values[i]));
  }
  void SetAll(AsyncValue* value) {
    for (auto& placeholder : placeholders_)
      placeholder->ForwardTo(FormRef(value));
  }

 private:
  std::vector<RCReference<IndirectAsyncValue>> placeholders_;
};

// A loop's final values: straight into the kernel's result slots if the loop
// finished inside the kernel, else forwarded into the placeholders.
void Deliver(LoopResults* placeholders,
             absl::Span<RCReference<AsyncValue>> frame_results, Values values) {
  if (placeholders != nullptr) {
    placeholders->Forward(std::move(values));
    return;
  }
  for (size_t i = 0; i < values.size(); ++i)
    frame_results[i] = std::move(values[i]);
}

Values HoldAll(absl::Span<AsyncValue* const> values) {
  Values held;
  held.reserve(values.size());
  for (AsyncValue* v : values) held.push_back(FormRef(v));
  return held;
}

std::vector<AsyncValue*> Raw(const Values& values) {
  std::vector<AsyncValue*> raw;
  raw.reserve(values.size());
  for (const auto& v : values) raw.push_back(v.get());
  return raw;
}

// §11.10. Shared by the kernel and the tasks that continue it.
class WhileLoop : public ReferenceCounted<WhileLoop> {
 public:
  WhileLoop(const ExecutionContext& ctx, const Function* body,
            int64_t parallel_iterations, RCReference<AsyncValue> cond,
            Values values)
      : ctx_(ctx),
        body_(body),
        parallel_(parallel_iterations > 1),
        cond_(std::move(cond)),
        values_(std::move(values)) {}

  // Runs iterations while the condition is available. `frame_results` is
  // non-empty only on the first call, from the kernel: if the loop finishes
  // there, the results are set directly.
  void Run(absl::Span<RCReference<AsyncValue>> frame_results) {
    while (true) {
      if (cond_->IsUnavailable()) {
        Suspend(frame_results);
        return;
      }
      if (cond_->IsError()) {
        Finish(frame_results, /*error=*/true);
        return;
      }
      if (!cond_->get<bool>()) {
        Finish(frame_results, /*error=*/false);
        return;
      }
      Values outs(body_->num_results());
      std::vector<AsyncValue*> args = Raw(values_);
      body_->Execute(ctx_, args, absl::MakeSpan(outs));
      cond_ = std::move(outs.back());
      outs.pop_back();
      values_ = std::move(outs);
      // parallel_iterations > 1: every further iteration starts from a task
      // once the previous condition is available.
      if (parallel_) {
        Suspend(frame_results);
        return;
      }
    }
  }

 private:
  // Continues from a work-queue task once the condition is available.
  void Suspend(absl::Span<RCReference<AsyncValue>> frame_results) {
    if (!results_) results_ = std::make_unique<LoopResults>(frame_results);
    AsyncValue* cond = cond_.get();
    cond->AndThen([self = FormRef(this)]() mutable {
      HostContext* host = self->ctx_.host();
      host->EnqueueWork([self = std::move(self)] { self->Run({}); });
    });
  }
  void Finish(absl::Span<RCReference<AsyncValue>> frame_results, bool error) {
    if (!error) {
      Deliver(results_.get(), frame_results, std::move(values_));
      return;
    }
    // All results become the condition's error once the iteration's values
    // are all available.
    if (!results_) results_ = std::make_unique<LoopResults>(frame_results);
    std::vector<AsyncValue*> raw = Raw(values_);
    RunWhenReady(absl::MakeConstSpan(raw), [self = FormRef(this)] {
      self->results_->SetAll(self->cond_.get());
    });
  }

  ExecutionContext ctx_;
  const Function* body_;
  const bool parallel_;
  RCReference<AsyncValue> cond_;
  Values values_;
  std::unique_ptr<LoopResults> results_;
};

void TfrtWhile(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 1)) return;
  if (!CheckType<bool>(frame, frame->GetArgAt(0), "the condition")) return;
  const Function* body = frame->GetFunctionAt(0);
  const size_t n = frame->GetNumArgs() - 1;
  if (!CheckCallee(frame, body, n, n + 1) ||
      frame->GetNumResults() != static_cast<int>(n)) {
    if (frame->GetNumResults() != static_cast<int>(n))
      frame->ReportError(absl::InvalidArgumentError(
          "tfrt.while must return one value per loop value"));
    return;
  }
  int64_t parallel_iterations = 1;
  if (frame->GetNumAttributes() >= 1) {
    parallel_iterations =
        *static_cast<const int64_t*>(frame->GetAttributeAt(0));
  }
  auto loop = TakeRef(new WhileLoop(
      frame->GetExecutionContext(), body, parallel_iterations,
      FormRef(frame->GetArgAt(0)), HoldAll(frame->GetArguments().subspan(1))));
  loop->Run(frame->GetResults());
}

// §11.11. Iterations start without waiting for the previous one, in blocks
// of 32; between blocks the loop waits for the first loop value.
template <typename Int>
class RepeatLoop : public ReferenceCounted<RepeatLoop<Int>> {
 public:
  static constexpr Int kBlock = 32;
  RepeatLoop(const ExecutionContext& ctx, const Function* body, Int remaining,
             Values values)
      : ctx_(ctx),
        body_(body),
        remaining_(remaining),
        values_(std::move(values)) {}

  void Run(absl::Span<RCReference<AsyncValue>> frame_results) {
    while (true) {
      for (Int i = 0; i < kBlock && remaining_ > 0; ++i) {
        if (AsyncValue* cancelled = ctx_.GetCancelAsyncValue()) {
          if (!results_)
            results_ = std::make_unique<LoopResults>(frame_results);
          results_->SetAll(cancelled);
          return;
        }
        Values outs(values_.size());
        std::vector<AsyncValue*> args = Raw(values_);
        body_->Execute(ctx_, args, absl::MakeSpan(outs));
        values_ = std::move(outs);
        --remaining_;
        if (values_.empty()) i = 0;  // No loop values: start all at once.
      }
      if (remaining_ <= 0) {
        Deliver(results_.get(), frame_results, std::move(values_));
        return;
      }
      if (values_[0]->IsAvailable()) continue;
      if (!results_) {
        results_ = std::make_unique<LoopResults>(frame_results);
        frame_results = {};
      }
      values_[0]->AndThen([self = FormRef(this)]() mutable {
        HostContext* host = self->ctx_.host();
        host->EnqueueWork([self = std::move(self)] { self->Run({}); });
      });
      return;
    }
  }

 private:
  ExecutionContext ctx_;
  const Function* body_;
  Int remaining_;
  Values values_;
  std::unique_ptr<LoopResults> results_;
};

template <typename Int>
void TfrtRepeat(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 1)) return;
  if (!CheckType<Int>(frame, frame->GetArgAt(0), "the iteration count")) return;
  const Function* body = frame->GetFunctionAt(0);
  const size_t n = frame->GetNumArgs() - 1;
  if (!CheckCallee(frame, body, n, n)) return;
  if (frame->GetNumResults() != static_cast<int>(n)) {
    frame->ReportError(absl::InvalidArgumentError(
        "a repeat loop must return one value per loop value"));
    return;
  }
  const Int count = frame->GetArgAt(0)->get<Int>();
  if (count <= 0) {
    for (size_t i = 0; i < n; ++i)
      frame->SetResultAt(static_cast<int>(i), FormRef(frame->GetArgAt(i + 1)));
    return;
  }
  auto loop =
      TakeRef(new RepeatLoop<Int>(frame->GetExecutionContext(), body, count,
                                  HoldAll(frame->GetArguments().subspan(1))));
  loop->Run(frame->GetResults());
}

// §11.12: the first tfrt.once of a function in a request calls it; every
// tfrt.once of it in that request returns those results.
struct OnceResults {
  explicit OnceResults(size_t n) {
    for (size_t i = 0; i < n; ++i)
      placeholders.push_back(MakeIndirectAsyncValue());
  }
  OnceResults(OnceResults&& other) noexcept
      : placeholders(std::move(other.placeholders)),
        claimed(other.claimed.load(std::memory_order_relaxed)) {}
  std::vector<RCReference<IndirectAsyncValue>> placeholders;
  std::atomic<bool> claimed{false};
};

void TfrtOnce(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 0)) return;
  const Function* fn = frame->GetFunctionAt(0);
  absl::Span<AsyncValue* const> args = CallArgs(frame, 0, fn);
  if (!CheckCallee(frame, fn, args.size(), frame->GetNumResults())) return;
  ResourceContext* resources =
      frame->GetExecutionContext().request_ctx()->resource_context();
  absl::StatusOr<OnceResults*> once =
      resources->GetOrCreateResource<OnceResults>(
          absl::StrCat("tfrt.once:", fn->name()),
          [&] { return OnceResults(fn->num_results()); });
  if (!once.ok()) {
    frame->ReportError(once.status());
    return;
  }
  OnceResults* state = *once;
  for (int i = 0; i < frame->GetNumResults(); ++i)
    frame->SetResultAt(i, FormRef<AsyncValue>(state->placeholders[i].get()));
  // acq_rel: exactly one caller wins the right to call the function.
  if (state->claimed.exchange(true, std::memory_order_acq_rel)) return;
  Values outs(fn->num_results());
  fn->Execute(frame->GetExecutionContext(), args, absl::MakeSpan(outs));
  for (size_t i = 0; i < outs.size(); ++i)
    state->placeholders[i]->ForwardTo(std::move(outs[i]));
}

// §11.13: one call per block of [start, end), each from a work-queue task;
// the result chain is available once every block (and the chain it returns,
// for an async body) is.
class ParallelFor : public ReferenceCounted<ParallelFor> {
 public:
  ParallelFor(const ExecutionContext& ctx, const Function* fn, Values extras,
              AsyncValueRef<Chain> done, int64_t blocks)
      : ctx_(ctx),
        fn_(fn),
        extras_(std::move(extras)),
        done_(std::move(done)),
        pending_(blocks) {}

  void RunBlock(int32_t begin, int32_t end) {
    Values args;
    args.push_back(MakeAvailableAsyncValueRef<int32_t>(begin).ReleaseRCRef());
    args.push_back(MakeAvailableAsyncValueRef<int32_t>(end).ReleaseRCRef());
    for (const auto& extra : extras_) args.push_back(extra.CopyRef());
    std::vector<AsyncValue*> raw = Raw(args);
    Values outs(fn_->num_results());
    fn_->Execute(ctx_, raw, absl::MakeSpan(outs));
    if (outs.empty()) {
      BlockDone(nullptr);
      return;
    }
    AsyncValue* chain = outs[0].get();
    chain->AndThen([self = FormRef(this), chain = std::move(outs[0])] {
      self->BlockDone(chain->IsError() ? chain.get() : nullptr);
    });
  }

 private:
  void BlockDone(AsyncValue* error) {
    if (error != nullptr) {
      // The first error wins; later ones are dropped.
      AsyncValue* expected = nullptr;
      if (error_.compare_exchange_strong(expected, error,
                                         std::memory_order_acq_rel)) {
        error->AddRef();
      }
    }
    // acq_rel: the last block sees every earlier block's error write.
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (AsyncValue* e = error_.load(std::memory_order_acquire)) {
      done_.SetError(e->GetError(), e->GetErrorLocation());
      e->DropRef();
    } else {
      done_.SetStateConcrete();
    }
  }

  ExecutionContext ctx_;
  const Function* fn_;
  Values extras_;
  AsyncValueRef<Chain> done_;
  std::atomic<int64_t> pending_;
  std::atomic<AsyncValue*> error_{nullptr};
};

void TfrtParallelFor(AsyncKernelFrame* frame) {
  if (!CheckShape(frame, 1, 3)) return;
  for (int i = 0; i < 3; ++i) {
    if (!CheckType<int32_t>(frame, frame->GetArgAt(i), "a parallel_for bound"))
      return;
  }
  const Function* fn = frame->GetFunctionAt(0);
  const int32_t start = frame->GetArgAt(0)->get<int32_t>();
  const int32_t end = frame->GetArgAt(1)->get<int32_t>();
  const int32_t block = frame->GetArgAt(2)->get<int32_t>();
  absl::Span<AsyncValue* const> extras = frame->GetArguments().subspan(3);
  if (fn->num_arguments() != extras.size() + 2 || fn->num_results() > 1 ||
      frame->GetNumResults() != 1) {
    frame->ReportError(absl::InvalidArgumentError(
        absl::StrCat("parallel body '", fn->name(), "' must take (start, end, ",
                     extras.size(), " values) and return at most one chain")));
    return;
  }
  if (block <= 0) {
    frame->ReportError(absl::InvalidArgumentError(
        absl::StrCat("parallel block size must be positive, got ", block)));
    return;
  }
  if (start >= end) {
    frame->EmplaceResultAt<Chain>(0);
    return;
  }
  const int64_t blocks = (int64_t{end} - start + block - 1) / block;
  AsyncValueRef<Chain> done = MakeConstructedAsyncValueRef<Chain>();
  frame->SetResultAt(0, done.CopyRCRef());
  auto state =
      TakeRef(new ParallelFor(frame->GetExecutionContext(), fn, HoldAll(extras),
                              std::move(done), blocks));
  HostContext* host = frame->GetHostContext();
  for (int64_t b = 0; b < blocks; ++b) {
    const int32_t begin = static_cast<int32_t>(start + b * block);
    const int32_t block_end =
        static_cast<int32_t>(std::min<int64_t>(int64_t{begin} + block, end));
    host->EnqueueWork([state = state.CopyRef(), begin, block_end] {
      state->RunBlock(begin, block_end);
    });
  }
}

absl::Status RegisterControlFlowKernels(KernelRegistry* registry) {
  const KernelRegistry::Entry kernels[] = {
      {"tfrt.call", TfrtCall},
      {"tfrt.if", TfrtIf},
      {"tfrt.cond", TfrtIf},
      {"tfrt.case", TfrtCase},
      {"tfrt.while", TfrtWhile},
      {"tfrt.repeat.i32", TfrtRepeat<int32_t>},
      {"tfrt.repeat.i64", TfrtRepeat<int64_t>},
      {"tfrt.once", TfrtOnce},
      {"tfrt.parallel_for.i32", TfrtParallelFor},
      {"tfrt.parallel_call.i32", TfrtParallelFor},
  };
  return registry->AddKernels(kernels);
}

RILL_STATIC_KERNEL_REGISTRATION(RegisterControlFlowKernels);

}  // namespace
}  // namespace rill
