#include "executor/bef_executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bef/format.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/kernel_frame.h"
#include "host_runtime/native_function.h"

namespace rill {
namespace {

constexpr uint32_t kNotReturned = 0xFFFFFFFFu;
// Continuations nested this deep on one thread are enqueued instead (spec
// §6.5: stack safety).
constexpr int kMaxContinuationDepth = 100;
// Kernels with at most this many operands/results use stack buffers.
constexpr size_t kInlineOperands = 16;

thread_local int tls_continuation_depth = 0;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Everything the hot loop needs about one kernel, resolved at load time. The
// register and user arrays point straight into the BEF file (zero copy).
struct KernelEntry {
  AsyncKernelImplementation impl = nullptr;  // Null for the entry kernel.
  const uint32_t* operands = nullptr;
  const uint32_t* results = nullptr;
  const uint32_t* num_used_by = nullptr;  // Per result.
  const uint32_t* used_by = nullptr;      // Concatenated, per result.
  const void* const* attributes = nullptr;
  const Function* const* functions = nullptr;
  const ErrorLocation* location = nullptr;
  uint32_t num_operands = 0;
  uint32_t num_results = 0;
  uint32_t num_attributes = 0;
  uint32_t num_functions = 0;
  uint32_t stream = 0;
  int32_t ready_count = 0;
};

class BefFunction;

// The ready queue of §6.6: kernels of the current stream run inline (LIFO);
// the others are handed to the work queue, one task per stream.
struct ReadyQueue {
  explicit ReadyQueue(uint32_t stream) : current(stream) {}
  uint32_t current;
  absl::InlinedVector<uint32_t, 16> inline_list;
  absl::InlinedVector<uint32_t, 8> outline;
};

// One call of an async BEF function. Allocated as one block: the header, then
// `registers[R]`, `ready[K]` and `handoff[number of returned registers]`.
class Execution {
 public:
  static Execution* Create(const BefFunction* fn,
                           const ExecutionContext& exec_ctx);

  void AddRef() {
    // relaxed: the caller holds a reference.
    refs_.fetch_add(1, std::memory_order_relaxed);
  }
  void DropRef() {
    // acq_rel: every holder's writes happen before the destruction.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy();
  }

  void Start(absl::Span<AsyncValue* const> arguments,
             absl::Span<RCReference<AsyncValue>> results);

 private:
  Execution(const BefFunction* fn, const ExecutionContext& exec_ctx);
  void Destroy();

  std::atomic<AsyncValue*>* registers() {
    return reinterpret_cast<std::atomic<AsyncValue*>*>(this + 1);
  }
  std::atomic<int32_t>* ready();
  std::atomic<uintptr_t>* handoff();

  void Decrement(uint32_t kernel, ReadyQueue& queue);
  void DeliverValue(uint32_t reg, AsyncValue* value, const uint32_t* users,
                    uint32_t num_users, ReadyQueue& queue);
  void StoreRegister(uint32_t reg, AsyncValue* value);
  void Continue(uint32_t reg, AsyncValue* value, const uint32_t* users,
                uint32_t num_users, uint32_t stream);
  void Process(ReadyQueue& queue);
  void SwitchStream(ReadyQueue& queue);
  void EnqueueOutline(ReadyQueue& queue);
  void RunKernel(uint32_t kernel, ReadyQueue& queue);

  std::atomic<int32_t> refs_{1};
  const BefFunction* const fn_;
  const ExecutionContext exec_ctx_;
};

class BefFunction final : public Function {
 public:
  BefFunction(std::string name, FunctionKind kind,
              std::vector<std::string> argument_types,
              std::vector<std::string> result_types, const BefProgram* program)
      : Function(std::move(name), kind, std::move(argument_types),
                 std::move(result_types)),
        program_(program) {}

  void Execute(const ExecutionContext& exec_ctx,
               absl::Span<AsyncValue* const> arguments,
               absl::Span<RCReference<AsyncValue>> results) const override;

  // Set by the loader.
  const BefProgram* program_;
  std::vector<KernelEntry> kernels_;
  const uint32_t* use_counts_ = nullptr;        // Per register.
  const uint32_t* result_registers_ = nullptr;  // Per function result.
  uint32_t num_registers_ = 0;
  // For each register, its index among the distinct returned registers, or
  // kNotReturned; and per distinct returned register, its number of returns.
  std::vector<uint32_t> handoff_index_;
  std::vector<uint32_t> handoff_returns_;
  std::vector<int32_t> initial_ready_;
  size_t record_size_ = 0;

 private:
  void ExecuteSync(const ExecutionContext& exec_ctx,
                   absl::Span<AsyncValue* const> arguments,
                   absl::Span<RCReference<AsyncValue>> results) const;
};

class NativeFunction final : public Function {
 public:
  NativeFunction(std::string name, std::vector<std::string> argument_types,
                 std::vector<std::string> result_types,
                 NativeFunctionImplementation impl)
      : Function(std::move(name), FunctionKind::kNative,
                 std::move(argument_types), std::move(result_types)),
        impl_(impl) {}

  void Execute(const ExecutionContext& exec_ctx,
               absl::Span<AsyncValue* const> arguments,
               absl::Span<RCReference<AsyncValue>> results) const override;

 private:
  NativeFunctionImplementation impl_;
};

// ---- Execution --------------------------------------------------------------

Execution* Execution::Create(const BefFunction* fn,
                             const ExecutionContext& exec_ctx) {
  // One allocation per call, none per kernel.
  return new (::operator new(fn->record_size_)) Execution(fn, exec_ctx);
}

Execution::Execution(const BefFunction* fn, const ExecutionContext& exec_ctx)
    : fn_(fn), exec_ctx_(exec_ctx) {
  // Registers are not cleared: each is written once, by its producer, before
  // any reader is made ready (stores are relaxed: a kernel reads a register
  // only after the acq_rel decrement, or on the thread, that published it).
  std::memcpy(static_cast<void*>(ready()), fn->initial_ready_.data(),
              sizeof(int32_t) * fn->kernels_.size());
  std::memset(static_cast<void*>(handoff()), 0,
              sizeof(uintptr_t) * fn->handoff_returns_.size());
}

std::atomic<int32_t>* Execution::ready() {
  return reinterpret_cast<std::atomic<int32_t>*>(registers() +
                                                 fn_->num_registers_);
}

std::atomic<uintptr_t>* Execution::handoff() {
  // Rounded up to 8-byte alignment after the int32 counters.
  const size_t counters = (fn_->kernels_.size() + 1) & ~size_t{1};
  return reinterpret_cast<std::atomic<uintptr_t>*>(ready() + counters);
}

void Execution::Destroy() {
  const ExecutionContext* ctx = &exec_ctx_;
  ctx->~ExecutionContext();
  ::operator delete(static_cast<void*>(this));
}

void Execution::Decrement(uint32_t kernel, ReadyQueue& queue) {
  const KernelEntry& entry = fn_->kernels_[kernel];
  // A kernel with one operand position has exactly one producer, so it needs
  // no shared counter. Otherwise acq_rel: the producers' register stores
  // happen before the last decrementer reads them.
  if (entry.ready_count != 1 &&
      ready()[kernel].fetch_sub(1, std::memory_order_acq_rel) != 1) {
    return;
  }
  if (entry.stream == queue.current) {
    queue.inline_list.push_back(kernel);
  } else {
    queue.outline.push_back(kernel);
  }
}

void Execution::StoreRegister(uint32_t reg, AsyncValue* value) {
  registers()[reg].store(value, std::memory_order_relaxed);
  const uint32_t index = fn_->handoff_index_[reg];
  if (index == kNotReturned) return;
  // Hand the returned value to the caller: either the caller has not looked
  // yet (it will find the value), or it left a placeholder (tag bit 1) that
  // we forward. acq_rel pairs with the caller's CAS in Start.
  uintptr_t expected = 0;
  if (handoff()[index].compare_exchange_strong(
          expected, reinterpret_cast<uintptr_t>(value),
          std::memory_order_acq_rel, std::memory_order_acquire)) {
    return;
  }
  auto* placeholder =
      reinterpret_cast<IndirectAsyncValue*>(expected & ~uintptr_t{1});
  const uint32_t returns = fn_->handoff_returns_[index];
  // The register holds one reference per return; the forward takes one.
  if (returns > 1) value->DropRef(returns - 1);
  placeholder->ForwardTo(TakeRef(value));
  placeholder->DropRef();  // The handoff slot's reference.
}

void Execution::DeliverValue(uint32_t reg, AsyncValue* value,
                             const uint32_t* users, uint32_t num_users,
                             ReadyQueue& queue) {
  if (num_users == 0) {
    StoreRegister(reg, value);
    return;
  }
  if (value->IsAvailable()) {
    StoreRegister(reg, value);
    for (uint32_t i = 0; i < num_users; ++i) Decrement(users[i], queue);
    return;
  }
  AddRef();
  const uint32_t stream = queue.current;
  value->AndThen([this, reg, value, users, num_users, stream] {
    if (tls_continuation_depth >= kMaxContinuationDepth) {
      exec_ctx_.host()->EnqueueWork(
          [this, reg, value, users, num_users, stream] {
            Continue(reg, value, users, num_users, stream);
          });
      return;
    }
    Continue(reg, value, users, num_users, stream);
  });
}

void Execution::Continue(uint32_t reg, AsyncValue* value, const uint32_t* users,
                         uint32_t num_users, uint32_t stream) {
  ++tls_continuation_depth;
  StoreRegister(reg, value);
  ReadyQueue queue(stream);
  for (uint32_t i = 0; i < num_users; ++i) Decrement(users[i], queue);
  Process(queue);
  --tls_continuation_depth;
  DropRef();
}

void Execution::Process(ReadyQueue& queue) {
  if (queue.inline_list.empty()) SwitchStream(queue);
  if (!queue.outline.empty()) EnqueueOutline(queue);
  while (!queue.inline_list.empty()) {
    const uint32_t kernel = queue.inline_list.back();
    queue.inline_list.pop_back();
    RunKernel(kernel, queue);
    if (queue.inline_list.empty()) SwitchStream(queue);
    if (!queue.outline.empty()) EnqueueOutline(queue);
  }
}

void Execution::SwitchStream(ReadyQueue& queue) {
  auto& a = queue.outline;
  if (a.empty()) return;
  const auto& kernels = fn_->kernels_;
  queue.current = kernels[a[0]].stream;
  const uint32_t current = queue.current;
  auto stays = [&](uint32_t k) { return kernels[k].stream != current; };
  // The two-ended swap partition of §6.6 (its instability is normative).
  size_t i = 0, j = a.size();
  while (true) {
    while (i < j && stays(a[i])) ++i;
    if (i == j) break;
    --j;
    while (i < j && !stays(a[j])) --j;
    if (i == j) break;
    std::swap(a[i], a[j]);
    ++i;
  }
  queue.inline_list.assign(a.begin() + i, a.end());
  a.resize(i);
}

void Execution::EnqueueOutline(ReadyQueue& queue) {
  auto& a = queue.outline;
  const auto& kernels = fn_->kernels_;
  std::stable_sort(a.begin(), a.end(), [&](uint32_t x, uint32_t y) {
    return kernels[x].stream < kernels[y].stream;
  });
  HostContext* host = exec_ctx_.host();
  size_t begin = 0;
  while (begin < a.size()) {
    const uint32_t stream = kernels[a[begin]].stream;
    size_t end = begin + 1;
    while (end < a.size() && kernels[a[end]].stream == stream) ++end;
    AddRef();
    if (end - begin == 1) {
      const uint32_t kernel = a[begin];
      host->EnqueueWork([this, kernel, stream] {
        ReadyQueue task_queue(stream);
        task_queue.inline_list.push_back(kernel);
        Process(task_queue);
        DropRef();
      });
    } else {
      std::vector<uint32_t> run(a.begin() + begin, a.begin() + end);
      host->EnqueueWork([this, run = std::move(run), stream] {
        ReadyQueue task_queue(stream);
        task_queue.inline_list.assign(run.begin(), run.end());
        Process(task_queue);
        DropRef();
      });
    }
    begin = end;
  }
  a.clear();
}

void Execution::RunKernel(uint32_t kernel, ReadyQueue& queue) {
  const KernelEntry& entry = fn_->kernels_[kernel];
  const uint32_t num_operands = entry.num_operands;
  const uint32_t num_results = entry.num_results;

  // Stack storage for the common case; a heap vector only for kernels with
  // more than kInlineOperands operands or results.
  AsyncValue* args_storage[kInlineOperands];
  std::vector<AsyncValue*> args_heap;
  AsyncValue** args = args_storage;
  if (num_operands > kInlineOperands) {
    args_heap.resize(num_operands);
    args = args_heap.data();
  }
  // Only the slots in use are constructed (a one-result kernel pays for one).
  union ResultSlots {
    ResultSlots() {}
    ~ResultSlots() {}
    RCReference<AsyncValue> slots[kInlineOperands];
  } results_storage;
  std::vector<RCReference<AsyncValue>> results_heap;
  RCReference<AsyncValue>* results = results_storage.slots;
  if (num_results > kInlineOperands) {
    results_heap.resize(num_results);
    results = results_heap.data();
  } else {
    for (uint32_t r = 0; r < num_results; ++r)
      new (&results[r]) RCReference<AsyncValue>();
  }

  // §5.2: the last error operand, else the cancellation error, skips the
  // kernel and becomes every result.
  AsyncValue* error = nullptr;
  std::atomic<AsyncValue*>* regs = registers();
  for (uint32_t i = 0; i < num_operands; ++i) {
    AsyncValue* arg = regs[entry.operands[i]].load(std::memory_order_relaxed);
    args[i] = arg;
    if (arg->IsError()) error = arg;
  }
  if (error == nullptr) error = exec_ctx_.GetCancelAsyncValue();

  if (error != nullptr) {
    for (uint32_t r = 0; r < num_results; ++r) results[r] = FormRef(error);
  } else {
    AsyncKernelFrame frame(&exec_ctx_);
    frame.Reset(absl::MakeConstSpan(args, num_operands),
                absl::MakeSpan(results, num_results),
                absl::MakeConstSpan(entry.attributes, entry.num_attributes),
                entry.location,
                absl::MakeConstSpan(entry.functions, entry.num_functions));
    KernelTracer* tracer = fn_->program_->tracer();
    if (tracer == nullptr) {
      entry.impl(&frame);
    } else {
      const int64_t start = NowNs();
      entry.impl(&frame);
      tracer->OnKernel(*entry.location, start, NowNs());
    }
    for (uint32_t r = 0; r < num_results; ++r) {
      if (!results[r]) {
        // A kernel bug: never leave a hole that would hang the function.
        frame.ReportError(absl::InternalError(
            absl::StrCat("kernel '", entry.location->kernel,
                         "' returned without setting result ", r)));
        break;
      }
    }
  }

  // §5.8: operand references are released right after the kernel returns.
  for (uint32_t i = 0; i < num_operands; ++i) args[i]->DropRef();

  const uint32_t* users = entry.used_by;
  for (uint32_t r = 0; r < num_results; ++r) {
    const uint32_t num_users = entry.num_used_by[r];
    const uint32_t reg = entry.results[r];
    const uint32_t uses = fn_->use_counts_[reg];
    AsyncValue* value = results[r].release();
    if (uses == 0) {
      value->DropRef();
    } else {
      if (uses > 1) value->AddRef(uses - 1);
      DeliverValue(reg, value, users, num_users, queue);
    }
    users += num_users;
  }
  if (num_results <= kInlineOperands) {
    for (uint32_t r = 0; r < num_results; ++r) results[r].~RCReference();
  }
}

void Execution::Start(absl::Span<AsyncValue* const> arguments,
                      absl::Span<RCReference<AsyncValue>> results) {
  const KernelEntry& entry = fn_->kernels_[0];
  ReadyQueue queue(entry.stream);
  // §6.3 step 1: the start signal's users, in program order.
  const uint32_t* users = entry.used_by;
  for (uint32_t i = 0; i < entry.num_used_by[0]; ++i) {
    Decrement(users[i], queue);
  }
  users += entry.num_used_by[0];
  // Step 2: arguments, borrowed per use (§5.8).
  for (size_t a = 0; a < arguments.size(); ++a) {
    const uint32_t num_users = entry.num_used_by[a + 1];
    const uint32_t reg = entry.results[a + 1];
    const uint32_t uses = fn_->use_counts_[reg];
    if (uses != 0) {
      arguments[a]->AddRef(uses);
      DeliverValue(reg, arguments[a], users, num_users, queue);
    }
    users += num_users;
  }
  // Step 3.
  Process(queue);

  // Results: the value if it is already stored, else a placeholder that
  // StoreRegister forwards later (§5.4).
  for (size_t i = 0; i < results.size(); ++i) {
    const uint32_t reg = fn_->result_registers_[i];
    const uint32_t index = fn_->handoff_index_[reg];
    std::atomic<uintptr_t>& slot = handoff()[index];
    uintptr_t word = slot.load(std::memory_order_acquire);
    if (word == 0) {
      RCReference<IndirectAsyncValue> placeholder = MakeIndirectAsyncValue();
      const uintptr_t tagged =
          reinterpret_cast<uintptr_t>(placeholder.get()) | 1u;
      if (slot.compare_exchange_strong(word, tagged, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        placeholder.release();  // Now owned by the slot.
        word = tagged;
      }
    }
    if (word & 1u) {
      results[i] = FormRef<AsyncValue>(
          reinterpret_cast<IndirectAsyncValue*>(word & ~uintptr_t{1}));
    } else {
      // One of the register's return references.
      results[i] = TakeRef(reinterpret_cast<AsyncValue*>(word));
    }
  }
  DropRef();
}

// ---- BefFunction
// -------------------------------------------------------------

void BefFunction::Execute(const ExecutionContext& exec_ctx,
                          absl::Span<AsyncValue* const> arguments,
                          absl::Span<RCReference<AsyncValue>> results) const {
  assert(arguments.size() == num_arguments());
  assert(results.size() == num_results());
  if (kind() == FunctionKind::kSync) {
    ExecuteSync(exec_ctx, arguments, results);
    return;
  }
  Execution::Create(this, exec_ctx)->Start(arguments, results);
}

// §5.9: kernels one after another on the caller's thread; the first error
// stops the function and becomes every result.
void BefFunction::ExecuteSync(
    const ExecutionContext& exec_ctx, absl::Span<AsyncValue* const> arguments,
    absl::Span<RCReference<AsyncValue>> results) const {
  absl::InlinedVector<RCReference<AsyncValue>, 32> regs(num_registers_);
  const KernelEntry& entry = kernels_[0];
  for (size_t a = 0; a < arguments.size(); ++a) {
    regs[entry.results[a + 1]] = FormRef(arguments[a]);
  }
  RCReference<AsyncValue> failure;
  for (size_t a = 0; a < arguments.size() && !failure; ++a) {
    if (arguments[a]->IsError()) failure = FormRef(arguments[a]);
  }
  absl::InlinedVector<AsyncValue*, kInlineOperands> args;
  absl::InlinedVector<RCReference<AsyncValue>, kInlineOperands> outs;
  KernelTracer* tracer = program_->tracer();
  for (size_t k = 1; k < kernels_.size() && !failure; ++k) {
    const KernelEntry& kernel = kernels_[k];
    if (AsyncValue* cancelled = exec_ctx.GetCancelAsyncValue()) {
      failure = FormRef(cancelled);
      break;
    }
    args.resize(kernel.num_operands);
    for (uint32_t i = 0; i < kernel.num_operands; ++i) {
      args[i] = regs[kernel.operands[i]].get();
    }
    outs.clear();
    outs.resize(kernel.num_results);
    AsyncKernelFrame frame(&exec_ctx);
    frame.Reset(args, absl::MakeSpan(outs),
                absl::MakeConstSpan(kernel.attributes, kernel.num_attributes),
                kernel.location,
                absl::MakeConstSpan(kernel.functions, kernel.num_functions));
    const int64_t start = tracer ? NowNs() : 0;
    kernel.impl(&frame);
    if (tracer) tracer->OnKernel(*kernel.location, start, NowNs());
    for (uint32_t r = 0; r < kernel.num_results; ++r) {
      if (!outs[r] || outs[r]->IsUnavailable()) {
        failure = MakeErrorAsyncValueRef(
            absl::InternalError(absl::StrCat(
                "kernel '", kernel.location->kernel,
                "' did not complete synchronously in a sync function")),
            *kernel.location);
        exec_ctx.host()->EmitError(failure->GetErrorInfo());
        break;
      }
      if (outs[r]->IsError()) {
        failure = outs[r].CopyRef();
        break;
      }
      regs[kernel.results[r]] = std::move(outs[r]);
    }
  }
  for (size_t i = 0; i < results.size(); ++i) {
    results[i] =
        failure ? failure.CopyRef() : regs[result_registers_[i]].CopyRef();
  }
}

// ---- NativeFunction
// ----------------------------------------------------------

void NativeFunction::Execute(
    const ExecutionContext& exec_ctx, absl::Span<AsyncValue* const> arguments,
    absl::Span<RCReference<AsyncValue>> results) const {
  bool all_available = true;
  for (AsyncValue* arg : arguments) all_available &= arg->IsAvailable();
  if (all_available) {
    impl_(exec_ctx, arguments, results);
    return;
  }
  // §5.4: wait for every argument, then forward the native results into the
  // placeholders handed out now.
  std::vector<RCReference<IndirectAsyncValue>> placeholders;
  for (auto& result : results) {
    placeholders.push_back(MakeIndirectAsyncValue());
    result = FormRef<AsyncValue>(placeholders.back().get());
  }
  std::vector<RCReference<AsyncValue>> held;
  for (AsyncValue* arg : arguments) held.push_back(FormRef(arg));
  std::vector<AsyncValue*> raw(arguments.begin(), arguments.end());
  RunWhenReady(absl::MakeConstSpan(raw),
               [impl = impl_, exec_ctx, held = std::move(held),
                placeholders = std::move(placeholders)]() mutable {
                 std::vector<AsyncValue*> args;
                 for (auto& a : held) args.push_back(a.get());
                 std::vector<RCReference<AsyncValue>> outs(placeholders.size());
                 impl(exec_ctx, args, absl::MakeSpan(outs));
                 for (size_t i = 0; i < outs.size(); ++i) {
                   placeholders[i]->ForwardTo(std::move(outs[i]));
                 }
               });
}

}  // namespace

// ---- Loading
// -----------------------------------------------------------------

class ProgramLoader {
 public:
  ProgramLoader(BefProgram* program, LoadOptions options)
      : program_(program),
        file_(*program->file_),
        options_(std::move(options)) {}

  absl::Status Load();

 private:
  std::vector<std::string> TypeNames(const std::vector<uint32_t>& types) {
    std::vector<std::string> names;
    for (uint32_t t : types) names.emplace_back(file_.type_name(t));
    return names;
  }
  std::string EnclosingName(uint32_t function) const {
    while (file_.function(function).name.empty() &&
           file_.function(function).parent_function !=
               bef::FunctionInfo::kNoParent) {
      function = file_.function(function).parent_function;
    }
    return std::string(file_.function(function).name);
  }
  const ErrorLocation* MakeLocation(uint32_t function,
                                    const bef::KernelView& kernel);
  absl::Status BindBody(uint32_t index, BefFunction* fn);

  BefProgram* program_;
  const bef::BefFile& file_;
  LoadOptions options_;
  std::vector<AsyncKernelImplementation> impl_by_code_;
  std::vector<bool> resolved_;
  int unknown_kernels_ = 0;
  struct Fixup {
    KernelEntry* entry;  // Stable: kernels_ is sized before it is filled.
    size_t attributes;
    size_t functions;
  };
  std::vector<Fixup> fixups_;
};

const ErrorLocation* ProgramLoader::MakeLocation(
    uint32_t function, const bef::KernelView& kernel) {
  auto location = std::make_unique<ErrorLocation>();
  location->kernel = std::string(file_.kernel_name(kernel.code()));
  location->function = EnclosingName(function);
  const uint32_t index = kernel.location();
  if (index == bef::kNoLocation) {
    location->opaque = "(unknown)";
  } else {
    const bef::LocationRecord record = file_.location(index);
    if (record.tag == bef::LocationTag::kFile) {
      location->file = std::string(file_.string(record.string));
      location->line = record.line;
      location->column = record.column;
    } else {
      location->opaque = file_.LocationText(index);
    }
    if (std::optional<std::string> info = file_.LocationDebugInfo(index)) {
      location->debug_info = *std::move(info);
      location->has_debug_info = true;
    }
  }
  program_->locations_.push_back(std::move(location));
  return program_->locations_.back().get();
}

absl::Status ProgramLoader::BindBody(uint32_t index, BefFunction* fn) {
  const bef::FunctionInfo& info = file_.function(index);
  const bef::FunctionBody& body = info.body;
  fn->num_registers_ = body.num_registers();
  fn->use_counts_ = body.register_use_counts().data();
  fn->result_registers_ = body.result_registers().data();
  fn->handoff_index_.assign(body.num_registers(), kNotReturned);
  for (uint32_t reg : body.result_registers()) {
    if (fn->handoff_index_[reg] == kNotReturned) {
      fn->handoff_index_[reg] =
          static_cast<uint32_t>(fn->handoff_returns_.size());
      fn->handoff_returns_.push_back(0);
    }
    ++fn->handoff_returns_[fn->handoff_index_[reg]];
  }
  const uint32_t num_kernels = body.num_kernels();
  fn->kernels_.resize(num_kernels);
  fn->initial_ready_.resize(num_kernels);
  for (uint32_t k = 0; k < num_kernels; ++k) {
    const bef::KernelView view = body.kernel(k);
    KernelEntry& entry = fn->kernels_[k];
    entry.operands = view.operands().data();
    entry.results = view.results().data();
    entry.num_used_by = view.num_used_by().data();
    entry.used_by = view.all_used_by().data();
    entry.num_operands = static_cast<uint32_t>(view.operands().size());
    entry.num_results = static_cast<uint32_t>(view.results().size());
    entry.stream = body.stream_id(k);
    entry.ready_count = static_cast<int32_t>(body.ready_count(k));
    fn->initial_ready_[k] = entry.ready_count;
    if (view.is_entry()) continue;

    entry.location = MakeLocation(index, view);
    const uint32_t code = view.code();
    if (!resolved_[code]) {
      resolved_[code] = true;
      absl::StatusOr<AsyncKernelImplementation> impl =
          program_->host_->registry().GetKernel(file_.kernel_name(code));
      if (impl.ok()) {
        impl_by_code_[code] = *impl;
      } else {
        ++unknown_kernels_;
        AsyncValueError error{
            absl::NotFoundError(absl::StrCat("unknown kernel name '",
                                             file_.kernel_name(code), "'")),
            *entry.location};
        if (options_.on_error) {
          options_.on_error(error);
        } else {
          program_->host_->EmitError(error);
        }
      }
    }
    entry.impl = impl_by_code_[code];

    // Pointer tables live in the program's vectors, which still grow: record
    // where this kernel's tables start and point at them once they are full.
    entry.num_attributes = static_cast<uint32_t>(view.attributes().size());
    entry.num_functions = static_cast<uint32_t>(view.functions().size());
    fixups_.push_back({&entry, program_->attribute_pointers_.size(),
                       program_->function_pointers_.size()});
    for (uint32_t attr : view.attributes()) {
      program_->attribute_pointers_.push_back(file_.attribute(attr).payload());
    }
    for (uint32_t f : view.functions()) {
      program_->function_pointers_.push_back(program_->functions_[f].get());
    }
  }
  // Execution record layout: header, registers, counters (even count),
  // handoff slots.
  fn->record_size_ = sizeof(Execution) +
                     sizeof(AsyncValue*) * fn->num_registers_ +
                     sizeof(int32_t) * ((num_kernels + 1) & ~size_t{1}) +
                     sizeof(uintptr_t) * fn->handoff_returns_.size();
  return absl::OkStatus();
}

absl::Status ProgramLoader::Load() {
  impl_by_code_.assign(file_.num_kernel_names(), nullptr);
  resolved_.assign(file_.num_kernel_names(), false);
  // Create every function first: kernels refer to functions by index, both
  // earlier (regions) and later ones.
  for (uint32_t i = 0; i < file_.num_functions(); ++i) {
    const bef::FunctionInfo& info = file_.function(i);
    std::string name(info.name);
    if (info.kind == bef::FunctionKind::kNative) {
      NativeFunctionImplementation impl = LookupNativeFunction(name);
      if (impl == nullptr) {
        return absl::NotFoundError(
            absl::StrCat("native function '", name, "' is not registered"));
      }
      program_->functions_.push_back(
          std::make_unique<NativeFunction>(name, TypeNames(info.argument_types),
                                           TypeNames(info.result_types), impl));
    } else {
      program_->functions_.push_back(std::make_unique<BefFunction>(
          name,
          info.kind == bef::FunctionKind::kSync ? FunctionKind::kSync
                                                : FunctionKind::kAsync,
          TypeNames(info.argument_types), TypeNames(info.result_types),
          program_));
    }
    if (!name.empty()) {
      program_->by_name_[name] = program_->functions_.back().get();
    }
  }
  for (uint32_t i = 0; i < file_.num_functions(); ++i) {
    if (file_.function(i).kind == bef::FunctionKind::kNative) continue;
    auto* fn = static_cast<BefFunction*>(program_->functions_[i].get());
    absl::Status status = BindBody(i, fn);
    if (!status.ok()) return status;
  }
  if (unknown_kernels_ != 0) {
    return absl::NotFoundError(absl::StrCat(unknown_kernels_,
                                            " unknown kernel name",
                                            unknown_kernels_ == 1 ? "" : "s"));
  }
  for (const Fixup& fixup : fixups_) {
    fixup.entry->attributes =
        program_->attribute_pointers_.data() + fixup.attributes;
    fixup.entry->functions =
        program_->function_pointers_.data() + fixup.functions;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BefProgram>> BefProgram::Load(
    std::unique_ptr<bef::BefFile> file, HostContext* host,
    LoadOptions options) {
  std::unique_ptr<BefProgram> program(new BefProgram());
  program->file_ = std::move(file);
  program->host_ = host;
  ProgramLoader loader(program.get(), std::move(options));
  absl::Status status = loader.Load();
  if (!status.ok()) return status;
  return program;
}

BefProgram::~BefProgram() = default;

const Function* BefProgram::GetFunction(absl::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<RCReference<AsyncValue>> ExecuteAndAwait(
    const Function& function, const ExecutionContext& exec_ctx,
    absl::Span<AsyncValue* const> arguments) {
  std::vector<RCReference<AsyncValue>> results(function.num_results());
  function.Execute(exec_ctx, arguments, absl::MakeSpan(results));
  exec_ctx.host()->Await(results);
  return results;
}

}  // namespace rill
