// Kernels of the `tfrt_test` and `vt` dialects (host_dialect.md §12.1-§12.2)
// and the native functions of §12.5: the ops that programs use to exercise the
// runtime itself — async completion, errors reported from tasks,
// cancellation, aliasing and uniqueness, value lifetimes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/chain.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/function.h"
#include "host_runtime/host_context.h"
#include "host_runtime/kernel_utils.h"
#include "host_runtime/logging.h"
#include "host_runtime/native_function.h"

namespace rill {
namespace {

// ---- Helpers
// ------------------------------------------------------------------

// Reports `message` into `value` from a task, with the kernel's location
// (which the loaded program owns, so the pointer outlives the task).
void ReportErrorInto(HostContext* host, const ErrorLocation* location,
                     AsyncValue* value, absl::Status status) {
  std::optional<ErrorLocation> where;
  if (location != nullptr) where = *location;
  value->SetError(status, where);
  host->EmitError(AsyncValueError{std::move(status), std::move(where)});
}

int RandomDelayMs() {
  thread_local std::minstd_rand engine(std::random_device{}());
  return 1 + static_cast<int>(engine() % 10);
}

// ---- Output and strings
// ---------------------------------------------------------

Chain PrintHello(RemainingArguments) {
  PrintAtomically("hello host executor!\n");
  return Chain();
}

std::string GetString(StringAttribute value) {
  return std::string(value.get());
}

Chain PrintString(const std::string& s, RemainingArguments) {
  PrintAtomically(absl::StrCat("string = ", s, "\n"));
  return Chain();
}

std::string AppendString(const std::string& a, const std::string& b) {
  return a + b;
}

Chain PrintBool(const Chain&, bool value) {
  PrintAtomically(value ? "true\n" : "false\n");
  return Chain();
}

int32_t TestCost(RemainingArguments, Attribute<int64_t> id) {
  PrintAtomically(absl::StrCat("id: ", *id, "\n"));
  return 0;
}

Chain Logging(const std::string& s, RemainingArguments) {
  RILL_LOG(INFO, "from TFRT_LOG(INFO): ", s);
  RILL_LOG(WARNING, "from TFRT_LOG(WARNING): ", s);
  RILL_LOG(ERROR, "from TFRT_LOG(ERROR): ", s);
  RILL_LOG(INFO, "from TFRT_LOG_IF(INFO, true): ", s);
  RILL_LOG(WARNING, "from TFRT_LOG_IF(WARNING, true): ", s);
  RILL_LOG(ERROR, "from TFRT_LOG_IF(ERROR, true): ", s);
  return Chain();
}

void PrintDebugInfo(AsyncKernelFrame* frame) {
  const ErrorLocation* location = frame->location();
  if (location != nullptr && location->has_debug_info) {
    PrintAtomically(location->debug_info + "\n");
  } else {
    PrintAtomically("Kernel has no debug info\n");
  }
  frame->EmplaceResultAt<Chain>(0);
}

// ---- Integer helpers
// --------------------------------------------------------------

template <typename T>
std::tuple<T, T, T> Count3(T x) {
  return {x + 1, x + 2, x + 3};
}

template <typename T>
T CopyWithDelay(T x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(RandomDelayMs()));
  return x;
}

// ---- Asynchronous kernels: results completed by a work-queue task.
// -----------------

void AsyncAddI32(AsyncKernelFrame* frame) {
  const int32_t a = frame->GetArgAt(0)->get<int32_t>();
  const int32_t b = frame->GetArgAt(1)->get<int32_t>();
  AsyncValueRef<int32_t> result = frame->AllocateResultAt<int32_t>(0);
  frame->GetHostContext()->EnqueueWork(
      [result = std::move(result), a, b] { result.emplace(a + b); });
}

template <typename T>
void AsyncConstant(Result<T> out, Attribute<T> value,
                   const ExecutionContext& ctx) {
  AsyncValueRef<T> result = out.Allocate();
  ctx.host()->EnqueueWork(
      [result = std::move(result), v = *value] { result.emplace(v); });
}
void AsyncConstantI1(Result<bool> out, Attribute<uint8_t> value,
                     const ExecutionContext& ctx) {
  AsyncValueRef<bool> result = out.Allocate();
  ctx.host()->EnqueueWork(
      [result = std::move(result), v = *value != 0] { result.emplace(v); });
}

template <typename T>
void AsyncCopy(T x, Result<T> out, const ExecutionContext& ctx) {
  AsyncValueRef<T> result = out.Allocate();
  ctx.host()->EnqueueWork(
      [result = std::move(result), x] { result.emplace(x); });
}

// Through a pre-allocated (constructed) result that the task fills in.
void AsyncCopy2I32(int32_t x, Result<int32_t> out,
                   const ExecutionContext& ctx) {
  AsyncValueRef<int32_t> result = MakeConstructedAsyncValueRef<int32_t>(0);
  out.Set(result.CopyRCRef());
  ctx.host()->EnqueueWork([result = std::move(result), x] {
    result.get() = x;
    result.SetStateConcrete();
  });
}

template <typename T>
void AsyncCopyWithDelay(T x, Result<T> out, const ExecutionContext& ctx) {
  AsyncValueRef<T> result = out.Allocate();
  ctx.host()->EnqueueWork([result = std::move(result), x] {
    std::this_thread::sleep_for(std::chrono::milliseconds(RandomDelayMs()));
    result.emplace(x);
  });
}

Chain AsChain(RemainingArguments) { return Chain(); }

// Calls the region from a task; the results are placeholders forwarded to the
// region's results.
void DoAsync(AsyncKernelFrame* frame) {
  if (frame->GetNumFunctions() != 1 ||
      frame->GetFunctionAt(0)->num_arguments() !=
          static_cast<size_t>(frame->GetNumArgs()) ||
      frame->GetFunctionAt(0)->num_results() !=
          static_cast<size_t>(frame->GetNumResults())) {
    frame->ReportError("tfrt_test.do.async: the region does not match the op");
    return;
  }
  const Function* fn = frame->GetFunctionAt(0);
  std::vector<RCReference<AsyncValue>> args;
  for (AsyncValue* arg : frame->GetArguments()) args.push_back(FormRef(arg));
  std::vector<RCReference<IndirectAsyncValue>> placeholders;
  for (int i = 0; i < frame->GetNumResults(); ++i)
    placeholders.push_back(frame->AllocateIndirectResultAt(i));
  frame->GetHostContext()->EnqueueWork(
      [fn, ctx = frame->GetExecutionContext(), args = std::move(args),
       placeholders = std::move(placeholders)] {
        std::vector<AsyncValue*> raw;
        for (const auto& a : args) raw.push_back(a.get());
        std::vector<RCReference<AsyncValue>> outs(fn->num_results());
        fn->Execute(ctx, raw, absl::MakeSpan(outs));
        for (size_t i = 0; i < outs.size(); ++i)
          placeholders[i]->ForwardTo(std::move(outs[i]));
      });
}

void EnqueueSleep(HostContext* host, int32_t us, AsyncValueRef<Chain> done) {
  std::optional<TaskFunction> rejected = host->EnqueueBlockingWork(
      [us, done = done.CopyRef()] {
        std::this_thread::sleep_for(std::chrono::microseconds(us));
        PrintAtomically(absl::StrCat("Slept for ", us, " microseconds\n"));
        if (done) done.emplace();
      },
      /*allow_queuing=*/true);
  if (rejected.has_value()) {
    LogMessage(LogSeverity::kError, __FILE__, __LINE__,
               "Failed to enqueue blocking work. Maximum number of pending "
               "blocking tasks reached.");
    if (done) done.emplace();
  }
}

void Usleep(int32_t us, const ExecutionContext& ctx) {
  EnqueueSleep(ctx.host(), us, AsyncValueRef<Chain>());
}

void BlockingUsleep(int32_t us, Result<Chain> out,
                    const ExecutionContext& ctx) {
  EnqueueSleep(ctx.host(), us, out.Allocate());
}

// ---- Errors and cancellation
// ---------------------------------------------------------

absl::StatusOr<int32_t> Fail() {
  return absl::InternalError("something bad happened");
}

void PartialFail(Result<int32_t> first, Result<int32_t>,
                 KernelErrorHandler handler) {
  first.Emplace(1);
  handler.ReportError("something bad happened");
}

void ReportErrorAsync(AsyncKernelFrame* frame) {
  AsyncValueRef<int32_t> result = frame->AllocateResultAt<int32_t>(0);
  HostContext* host = frame->GetHostContext();
  frame->GetHostContext()->EnqueueWork(
      [host, location = frame->location(), result = std::move(result)] {
        ReportErrorInto(
            host, location, result.GetAsyncValue(),
            absl::InternalError("something bad happened asynchronously"));
      });
}

void ReportErrorConcreteAsync(AsyncKernelFrame* frame) {
  const int32_t x = frame->GetArgAt(0)->get<int32_t>();
  AsyncValueRef<int32_t> result = frame->AllocateResultAt<int32_t>(0);
  HostContext* host = frame->GetHostContext();
  host->EnqueueWork(
      [host, x, location = frame->location(), result = std::move(result)] {
        if (x == 0) {
          result.emplace(0);
          return;
        }
        ReportErrorInto(
            host, location, result.GetAsyncValue(),
            absl::InternalError("something bad happened asynchronously"));
      });
}

void ReportErrorIndirectAsync(AsyncKernelFrame* frame) {
  const int32_t x = frame->GetArgAt(0)->get<int32_t>();
  RCReference<IndirectAsyncValue> result = frame->AllocateIndirectResultAt(0);
  HostContext* host = frame->GetHostContext();
  host->EnqueueWork([host, x, location = frame->location(),
                     result = std::move(result)] {
    if (x == 0) {
      result->ForwardTo(MakeAvailableAsyncValueRef<int32_t>(0).ReleaseRCRef());
      return;
    }
    ReportErrorInto(
        host, location, result.get(),
        absl::InternalError("something bad happened asynchronously"));
  });
}

absl::StatusOr<Chain> ErrorChain(const Chain&) {
  return absl::InternalError("error chain");
}

// Results: 0 and the operand chain itself.
void Cancel(Argument<Chain> chain, Result<int32_t> zero, Result<Chain> out,
            const ExecutionContext& ctx) {
  ctx.request_ctx()->Cancel();
  zero.Emplace(0);
  out.Set(chain);
}

// ---- Values, references and resources
// ------------------------------------------------

void Identity(AsyncKernelFrame* frame) {
  for (int i = 1; i < frame->GetNumArgs() && i - 1 < frame->GetNumResults();
       ++i)
    frame->SetResultAt(i - 1, FormRef(frame->GetArgAt(i)));
  for (int i = frame->GetNumArgs() - 1; i < frame->GetNumResults(); ++i)
    frame->ReportError("tfrt_test.identity: more results than operands");
}

// Kernels that map each operand to one result; reports a mismatch.
bool OneResultPerOperand(AsyncKernelFrame* frame, const char* op) {
  if (frame->GetNumArgs() == frame->GetNumResults()) return true;
  frame->ReportError(op, ": operand/result count mismatch");
  return false;
}

void MultiArgResult(AsyncKernelFrame* frame) {
  if (!OneResultPerOperand(frame, "tfrt_test.multi_arg_result")) return;
  for (int i = 0; i < frame->GetNumArgs(); ++i)
    frame->SetResultAt(i, FormRef(frame->GetArgAt(i)));
}

void ShareToTwo(AsyncKernelFrame* frame) {
  if (frame->GetNumArgs() < 1 || frame->GetNumResults() != 2) {
    frame->ReportError(
        "tfrt_test.share_to_two takes one value and returns two");
    return;
  }
  frame->SetResultAt(0, FormRef(frame->GetArgAt(0)));
  frame->SetResultAt(1, FormRef(frame->GetArgAt(0)));
}

void MakeIndirect(AsyncKernelFrame* frame) {
  if (!OneResultPerOperand(frame, "tfrt_test.make_indirect")) return;
  for (int i = 0; i < frame->GetNumArgs(); ++i) {
    RCReference<IndirectAsyncValue> indirect =
        frame->AllocateIndirectResultAt(i);
    indirect->ForwardTo(FormRef(frame->GetArgAt(i)));
  }
}

void GetUniqueness(AsyncKernelFrame* frame) {
  if (!OneResultPerOperand(frame, "tfrt_test.get_uniqueness")) return;
  for (int i = 0; i < frame->GetNumArgs(); ++i)
    frame->EmplaceResultAt<bool>(i, frame->GetArgAt(i)->IsUnique());
}

struct TestResourceObject {
  TestResourceObject() { PrintAtomically("Allocated TestResource\n"); }
  ~TestResourceObject() { PrintAtomically("Destroyed TestResource\n"); }
};
struct TestResource {
  std::unique_ptr<TestResourceObject> object;
};

void AllocateResource(Argument<Chain> chain, Result<TestResource> resource,
                      Result<Chain> out) {
  resource.Emplace(TestResource{std::make_unique<TestResourceObject>()});
  out.Set(chain);
}

void DeallocateResource(Argument<TestResource> resource, Argument<Chain> chain,
                        Result<Chain> out) {
  resource->object.reset();
  PrintAtomically("tfrt_test.deallocate_resource done\n");
  out.Set(chain);
}

class SampleSharedContext : public SharedContext {
 public:
  explicit SampleSharedContext(HostContext*) {
    static std::atomic<int> instances{0};
    name_ = absl::StrCat("sample_shared_context",
                         instances.fetch_add(1, std::memory_order_relaxed));
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

void UseSampleSharedContext(Argument<Chain> chain, Result<std::string> name,
                            Result<Chain> out, const ExecutionContext& ctx) {
  name.Emplace(
      ctx.host()->GetOrCreateSharedContext<SampleSharedContext>().name());
  out.Set(chain);
}

void MemoryLeakOneInt32(const ExecutionContext& ctx) {
  ctx.host()->AllocateBytes(sizeof(int32_t), alignof(int32_t));
}

int32_t GetThreadId(RemainingArguments) {
  static std::atomic<int32_t> next{0};
  // relaxed: ids only need to be unique and dense, not ordered with memory.
  thread_local int32_t id = next.fetch_add(1, std::memory_order_relaxed);
  return id;
}

// Atomic counters: one shared object that kernels mutate.
struct AtomicCounter {
  std::shared_ptr<std::atomic<int32_t>> value =
      std::make_shared<std::atomic<int32_t>>(0);
};
AtomicCounter AtomicCreate() { return AtomicCounter(); }
Chain AtomicInc(const AtomicCounter& c, RemainingArguments) {
  c.value->fetch_add(1, std::memory_order_relaxed);  // Only the sum matters.
  return Chain();
}
Chain AtomicAdd(const AtomicCounter& c, int32_t v, RemainingArguments) {
  c.value->fetch_add(v, std::memory_order_relaxed);
  return Chain();
}
std::pair<int32_t, Chain> AtomicGet(const AtomicCounter& c,
                                    RemainingArguments) {
  // acquire: chains order the adds before this read.
  return {c.value->load(std::memory_order_acquire), Chain()};
}

// ---- vt: values that print their lifecycle (§12.2)
// --------------------------------------

class VtValue {
 public:
  explicit VtValue(int32_t v) : v_(v) {
    PrintAtomically(absl::StrCat("constructed vt.value(", v_, ")\n"));
  }
  VtValue(VtValue&& other) noexcept : v_(other.v_) {
    other.live_ = false;
    PrintAtomically(absl::StrCat("move constructed vt.value(", v_, ")\n"));
  }
  VtValue(const VtValue& other) : v_(other.v_) {
    PrintAtomically(absl::StrCat("copy constructed vt.value(", v_, ")\n"));
  }
  VtValue& operator=(const VtValue&) = delete;
  ~VtValue() {
    if (live_) PrintAtomically(absl::StrCat("destroyed vt.value(", v_, ")\n"));
  }
  int32_t value() const { return v_; }

 private:
  int32_t v_;
  bool live_ = true;
};

VtValue VtConstant(Attribute<int32_t> value) { return VtValue(*value); }
VtValue VtAdd(const VtValue& a, const VtValue& b) {
  return VtValue(a.value() + b.value());
}
Chain VtPrint(const VtValue& v, RemainingArguments) {
  PrintAtomically(absl::StrCat("print vt_value(", v.value(), ")\n"));
  return Chain();
}

// ---- Native functions (§12.5)
// ------------------------------------------------------------

void NativeSink(const ExecutionContext&, absl::Span<AsyncValue* const>,
                absl::Span<RCReference<AsyncValue>>) {}

void NativeAsyncSink(const ExecutionContext&, absl::Span<AsyncValue* const>,
                     absl::Span<RCReference<AsyncValue>> results) {
  if (!results.empty()) results[0] = MakeReadyChain().ReleaseRCRef();
}

void NativeAdd(const ExecutionContext&, absl::Span<AsyncValue* const> args,
               absl::Span<RCReference<AsyncValue>> results) {
  if (args.size() != 2 || results.size() != 1 || !args[0]->IsType<int32_t>() ||
      !args[1]->IsType<int32_t>()) {
    for (auto& r : results)
      r = MakeErrorAsyncValueRef(
          absl::InvalidArgumentError("native_add takes (i32, i32) -> i32"));
    return;
  }
  if (args[0]->IsError() || args[1]->IsError()) {
    results[0] = FormRef(args[0]->IsError() ? args[0] : args[1]);
    return;
  }
  results[0] = MakeAvailableAsyncValueRef<int32_t>(args[0]->get<int32_t>() +
                                                   args[1]->get<int32_t>())
                   .ReleaseRCRef();
}

void NativeAsyncAdd(const ExecutionContext& ctx,
                    absl::Span<AsyncValue* const> args,
                    absl::Span<RCReference<AsyncValue>> results) {
  std::vector<RCReference<AsyncValue>> sum(1);
  NativeAdd(ctx, args, absl::MakeSpan(sum));
  if (results.empty()) return;
  AsyncValueRef<int32_t> out = MakeUnconstructedAsyncValueRef<int32_t>();
  results[0] = out.CopyRCRef();
  ctx.host()->EnqueueWork([out = std::move(out), sum = std::move(sum[0])] {
    if (sum->IsError()) {
      out.SetError(sum->GetError());
    } else {
      out.emplace(sum->get<int32_t>());
    }
  });
}

void NativeError(const ExecutionContext&, absl::Span<AsyncValue* const>,
                 absl::Span<RCReference<AsyncValue>> results) {
  for (auto& r : results)
    r = MakeErrorAsyncValueRef(absl::InternalError("something bad happened"));
}

RILL_STATIC_NATIVE_FUNCTION("native_sink", NativeSink);
RILL_STATIC_NATIVE_FUNCTION("native_async_sink", NativeAsyncSink);
RILL_STATIC_NATIVE_FUNCTION("native_add", NativeAdd);
RILL_STATIC_NATIVE_FUNCTION("native_async_add", NativeAsyncAdd);
RILL_STATIC_NATIVE_FUNCTION("native_error", NativeError);

absl::Status RegisterTestKernels(KernelRegistry* registry) {
  const KernelRegistry::Entry kernels[] = {
      {"tfrt_test.print_hello", RILL_KERNEL(PrintHello)},
      {"tfrt_test.get_string", RILL_KERNEL(GetString)},
      {"tfrt_test.print_string", RILL_KERNEL(PrintString)},
      {"tfrt_test.append_string", RILL_KERNEL(AppendString)},
      {"tfrt_test.print_bool", RILL_KERNEL(PrintBool)},
      {"tfrt_test.test_cost", RILL_KERNEL(TestCost)},
      {"tfrt_test.logging", RILL_KERNEL(Logging)},
      {"tfrt_test.print_debug_info", PrintDebugInfo},
      {"tfrt_test.count3.i32", RILL_KERNEL(Count3<int32_t>)},
      {"tfrt_test.count3.i64", RILL_KERNEL(Count3<int64_t>)},
      {"tfrt_test.copy.with_delay.i32", RILL_KERNEL(CopyWithDelay<int32_t>)},
      {"tfrt_test.copy.with_delay.i64", RILL_KERNEL(CopyWithDelay<int64_t>)},
      {"tfrt_test.async_add.i32", AsyncAddI32},
      {"tfrt_test.async_constant.i32", RILL_KERNEL(AsyncConstant<int32_t>)},
      {"tfrt_test.async_constant.i1", RILL_KERNEL(AsyncConstantI1)},
      {"tfrt_test.async_copy.i32", RILL_KERNEL(AsyncCopy<int32_t>)},
      {"tfrt_test.async_copy_2.i32", RILL_KERNEL(AsyncCopy2I32)},
      {"tfrt_test.async_copy.with_delay.i32",
       RILL_KERNEL(AsyncCopyWithDelay<int32_t>)},
      {"tfrt_test.async_copy.with_delay.i64",
       RILL_KERNEL(AsyncCopyWithDelay<int64_t>)},
      {"tfrt_test.as_chain", RILL_KERNEL(AsChain)},
      {"tfrt_test.do.async", DoAsync},
      {"tfrt_test.usleep", RILL_KERNEL(Usleep)},
      {"tfrt_test.blocking.usleep", RILL_KERNEL(BlockingUsleep)},
      {"tfrt_test.fail", RILL_KERNEL(Fail)},
      {"tfrt_test.partial_fail", RILL_KERNEL(PartialFail)},
      {"tfrt_test.report_error_async", ReportErrorAsync},
      {"tfrt_test.report_error_concrete_async", ReportErrorConcreteAsync},
      {"tfrt_test.report_error_indirect_async", ReportErrorIndirectAsync},
      {"tfrt_test.error_chain", RILL_KERNEL(ErrorChain)},
      {"tfrt_test.cancel", RILL_KERNEL(Cancel)},
      {"tfrt_test.identity", Identity},
      {"tfrt_test.multi_arg_result", MultiArgResult},
      {"tfrt_test.share_to_two", ShareToTwo},
      {"tfrt_test.make_indirect", MakeIndirect},
      {"tfrt_test.get_uniqueness", GetUniqueness},
      {"tfrt_test.allocate_resource", RILL_KERNEL(AllocateResource)},
      {"tfrt_test.deallocate_resource", RILL_KERNEL(DeallocateResource)},
      {"tfrt_test.use_sample_shared_context",
       RILL_KERNEL(UseSampleSharedContext)},
      {"tfrt_test.memory_leak_one_int32", RILL_KERNEL(MemoryLeakOneInt32)},
      {"tfrt_test.get_thread_id", RILL_KERNEL(GetThreadId)},
      {"tfrt_test.atomic.create.i32", RILL_KERNEL(AtomicCreate)},
      {"tfrt_test.atomic.inc.i32", RILL_KERNEL(AtomicInc)},
      {"tfrt_test.atomic.add.i32", RILL_KERNEL(AtomicAdd)},
      {"tfrt_test.atomic.get.i32", RILL_KERNEL(AtomicGet)},
      {"vt.constant", RILL_KERNEL(VtConstant)},
      {"vt.add", RILL_KERNEL(VtAdd)},
      {"vt.print", RILL_KERNEL(VtPrint)},
  };
  return registry->AddKernels(kernels);
}

RILL_STATIC_KERNEL_REGISTRATION(RegisterTestKernels);

}  // namespace
}  // namespace rill
