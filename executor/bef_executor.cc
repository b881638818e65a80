#include "executor/bef_executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bef/format.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/internal/value_pool.h"
#include "host_runtime/kernel_frame.h"
#include "host_runtime/native_function.h"

namespace rill {
namespace {

constexpr uint32_t kNotReturned = 0xFFFFFFFFu;
// Continuations nested this deep on one thread are enqueued instead (spec
// §6.5: stack safety).
constexpr int kMaxContinuationDepth = 100;
// Kernels with at most this many operands and results use stack buffers.
constexpr uint32_t kInlineOperands = 16;
// RunKernelWith's counts when they are read from the kernel's entry.
constexpr uint32_t kAnyCount = ~0u;
// In a result's use word (see HotKernel::code): the register is returned;
constexpr uint32_t kReturnedBit = 0x80000000u;
// and its only use is by a kernel with one operand position (no counter) in
// the producer's stream, which the value therefore makes ready inline.
constexpr uint32_t kInlineUserBit = 0x40000000u;
// and, with kInlineUserBit, that user runs through a direct entry of one
// argument: the value is a link of a chain that Execution::RunChain runs.
constexpr uint32_t kDirectUserBit = 0x20000000u;
// Every user of the result has one operand position (so this delivery makes
// each ready), there are at least two, and the loader ordered them: those of
// the producer's stream first. Delivering it appends the rest to the outline
// list in one copy (a fan-out's root).
constexpr uint32_t kReadyUsersBit = 0x10000000u;
constexpr uint32_t kUseCountMask =
    ~(kReturnedBit | kInlineUserBit | kDirectUserBit | kReadyUsersBit);
// The use word of a result whose one use makes its user ready inline,
constexpr uint32_t kOneInlineUse = kInlineUserBit | 1;
// and of one whose user is the next link of a chain.
constexpr uint32_t kChainLink = kOneInlineUse | kDirectUserBit;
constexpr uint32_t kNoCounter = ~0u;
constexpr uint32_t kNoKernel = ~0u;

thread_local int tls_continuation_depth = 0;

// Under ASan every execution record is a fresh allocation, so a stale access
// to a finished execution is caught instead of landing in the next one.
#if defined(__SANITIZE_ADDRESS__)
#define RILL_RECORD_CACHE_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RILL_RECORD_CACHE_DISABLED 1
#endif
#endif

class Execution;

// Decrements of one multi-operand kernel that this thread has counted but not
// yet applied to the kernel's shared counter (Execution::Decrement): a
// fan-in's producers running back to back on one thread cost one atomic
// read-modify-write in all instead of one each. Non-zero only while a Process
// of `exec` is on this thread's stack, which applies them before it returns.
struct HeldDecrements {
  Execution* exec = nullptr;
  uint32_t kernel = 0;
  uint32_t counter = 0;  // The kernel's.
  int32_t count = 0;
  // Set when a decrement adds to the hold; the loop applies a hold that the
  // last kernel did not add to, so holding never delays a kernel for longer
  // than one kernel run (another thread may be waiting to see it ready).
  bool renewed = false;
};
thread_local HeldDecrements tls_held;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What the scheduling loop reads for one kernel: 32 bytes, one dense array per
// function, so a chain of kernels walks memory sequentially.
struct HotKernel {
  // Set when the kernel runs without a frame: its direct entry (see
  // KernelDefinition), which it has for its exact arguments and attributes
  // and one result, and it takes no functions, and it is a constant (no
  // operands) or takes one or two operands and no attributes. Else null, and
  // the frame entry (ColdKernel::impl) runs it.
  DirectKernelImplementation direct = nullptr;
  // Into BefFunction::code_: the operand registers, then per result
  //   register, use word (use count | kReturnedBit | kInlineUserBit |
  //   kDirectUserBit | kReadyUsersBit), user
  //   count, users...
  // (the entry kernel's result 0 is the start signal, with use word 0).
  const uint32_t* code = nullptr;
  uint32_t stream = 0;
  // Index of the kernel's "operands not ready" counter in the execution
  // record, or kNoCounter when it has one operand position: its single
  // producer makes it ready without counting, and the record stays small.
  uint32_t counter = kNoCounter;
  uint32_t num_operands = 0;
  uint32_t num_results = 0;
};
static_assert(sizeof(HotKernel) == 32, "HotKernel is half a cache line");

// What only the kernel frame needs (and errors).
struct ColdKernel {
  AsyncKernelImplementation impl = nullptr;  // Null for the entry kernel.
  const void* const* attributes = nullptr;
  const Function* const* functions = nullptr;
  const ErrorLocation* location = nullptr;
  uint32_t num_attributes = 0;
  uint32_t num_functions = 0;
};

// A LIFO/FIFO list of kernel indices with inline storage: the ready lists of
// §6.6. Not movable (it may point at its own storage).
class KernelList {
 public:
  // Kernels held without allocation: a fan-out of up to ~100 users, whose
  // list would otherwise be malloc'ed and freed on every call (half a KiB
  // of stack per list, left uninitialized).
  static constexpr uint32_t kInline = 126;

  KernelList() = default;
  KernelList(const KernelList&) = delete;
  KernelList& operator=(const KernelList&) = delete;
  ~KernelList() {
    if (data_ != inline_) std::free(data_);
  }

  bool empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  uint32_t* begin() { return data_; }
  uint32_t* end() { return data_ + size_; }
  uint32_t& operator[](uint32_t i) { return data_[i]; }

  // Forced inline: once per ready kernel, and Process is past GCC's budget.
  [[gnu::always_inline]] void push_back(uint32_t kernel) {
    if (__builtin_expect(size_ == capacity_, 0)) Grow(size_ + 1);
    data_[size_++] = kernel;
  }
  uint32_t pop_back() { return data_[--size_]; }
  void resize_down(uint32_t size) { size_ = size; }
  void clear() { size_ = 0; }
  void append(const uint32_t* first, uint32_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    std::memcpy(data_ + size_, first, n * sizeof(uint32_t));
    size_ += n;
  }
  void reserve(uint32_t capacity) {
    if (capacity > capacity_) Grow(capacity);
  }
  // Puts `n` kernels under the ones the list holds (they stay on top).
  void prepend(const uint32_t* first, uint32_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    std::memmove(data_ + n, data_, size_ * sizeof(uint32_t));
    std::memcpy(data_, first, n * sizeof(uint32_t));
    size_ += n;
  }
  // Hands over the kernels' heap buffer (to be freed with std::free) and
  // leaves the list empty on its inline storage; null, with the list
  // unchanged, while the kernels are inline.
  uint32_t* ReleaseHeap() {
    if (data_ == inline_) return nullptr;
    uint32_t* data = data_;
    data_ = inline_;
    size_ = 0;
    capacity_ = kInline;
    return data;
  }
  void assign(const uint32_t* first, const uint32_t* last) {
    const uint32_t n = static_cast<uint32_t>(last - first);
    if (n > capacity_) Grow(n);
    if (n <= 4) {  // A stream group of a fan-out: no library call.
      for (uint32_t i = 0; i < n; ++i) data_[i] = first[i];
    } else {
      std::memmove(data_, first, n * sizeof(uint32_t));
    }
    size_ = n;
  }

 private:
  [[gnu::noinline]] void Grow(uint32_t need) {
    uint32_t capacity = capacity_ * 2;
    while (capacity < need) capacity *= 2;
    auto* data =
        static_cast<uint32_t*>(std::malloc(capacity * sizeof(uint32_t)));
    if (data == nullptr) std::abort();
    std::memcpy(data, data_, size_ * sizeof(uint32_t));
    if (data_ != inline_) std::free(data_);
    data_ = data;
    capacity_ = capacity;
  }

  uint32_t* data_ = inline_;
  uint32_t size_ = 0;
  uint32_t capacity_ = kInline;
  uint32_t inline_[kInline];
};

// What EnqueueOutline computes for an outline list that holds exactly the
// users a fan-out's result appends (kReadyUsersBit), computed by the loader:
// the users sorted by stream (stably) and the end of each run of equal
// streams.
struct OutlinePlan {
  const uint32_t* result = nullptr;  // The result's code: the key.
  const uint32_t* kernels = nullptr;
  const uint32_t* run_ends = nullptr;  // One past each run's last kernel.
  uint32_t num_kernels = 0;
  uint32_t num_runs = 0;
  // Every kernel is a leaf: it runs through a one-operand direct entry, and
  // its one result has one use, by one kernel, and is not returned (what
  // Execution::RunLeaves runs without the general loop).
  bool leaves = false;
};

// The ready queue of §6.6: kernels of the current stream run inline (LIFO);
// the others are handed to the work queue, one task per stream.
struct ReadyQueue {
  explicit ReadyQueue(uint32_t stream) : current(stream) {}
  uint32_t current;
  KernelList inline_list;
  KernelList outline;
  // Set when a delivery filled the empty outline list with a planned
  // result's users. The list only grows until EnqueueOutline or
  // SwitchStream (which clear this), so while its size is the plan's, it
  // holds exactly those users.
  const OutlinePlan* plan = nullptr;
};

class BefFunction;
class OutlineBatch;

// One call of an async BEF function. Allocated as one block: the header, then
// `registers[R]`, `ready[K]` and `handoff[number of returned registers]`.
class Execution {
 public:
  static Execution* Create(const BefFunction* fn,
                           const ExecutionContext& exec_ctx);

  void AddRef(uint32_t count = 1) {
    // relaxed: the caller holds a reference.
    refs_.fetch_add(count, std::memory_order_relaxed);
  }
  void DropRef() {
    // The sole holder skips the RMW (as AsyncValue::DropRef does): a count of
    // 1 read by a holder means nobody else holds one or can make one. The
    // acquire load pairs with the other holders' releasing RMWs, as acq_rel
    // does: every holder's writes happen before the destruction.
    if (refs_.load(std::memory_order_acquire) == 1 ||
        refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Destroy();
    }
  }

  void Start(absl::Span<AsyncValue* const> arguments,
             absl::Span<RCReference<AsyncValue>> results);

  // Runs the ready kernel `kernel` of `stream` as a task of its own.
  void RunTask(uint32_t stream, uint32_t kernel) {
    ReadyQueue queue(stream);
    queue.inline_list.push_back(kernel);
    Process(queue);
  }
  // Runs `queue` until it is empty. With `batch` (whose first run is in
  // `queue`), each time it is empty the batch's next run is loaded if the
  // work queue lets this call claim it (OutlineBatch::ClaimNextRun).
  void Process(ReadyQueue& queue, OutlineBatch* batch = nullptr);
  // Applies this thread's held decrements (HeldDecrements), whichever
  // execution they belong to; a kernel they make ready goes to `queue` if it
  // is this execution's, else to the work queue.
  [[gnu::noinline]] void ApplyHeld(ReadyQueue& queue);
  HostContext* host() const { return exec_ctx_.host(); }

 private:
  Execution(const BefFunction* fn, const ExecutionContext& exec_ctx);
  void Destroy();

  std::atomic<AsyncValue*>* registers() {
    return reinterpret_cast<std::atomic<AsyncValue*>*>(this + 1);
  }

  void Decrement(uint32_t kernel, ReadyQueue& queue);
  // Decrement, less marking the hold renewed: returns true when the
  // decrement was added to this thread's hold.
  bool DecrementOrHold(uint32_t kernel, ReadyQueue& queue);
  void MakeReady(uint32_t kernel, ReadyQueue& queue);
  // With `hand_back`, a user that would be pushed on the inline list by the
  // common one-use path is returned instead (the caller runs it next, which
  // is what popping the list would do); else, and otherwise, kNoKernel.
  uint32_t Deliver(const uint32_t* result, AsyncValue* value, ReadyQueue& queue,
                   bool hand_back = false);
  void StoreRegister(uint32_t reg, uint32_t use_word, AsyncValue* value) {
    registers()[reg].store(value, std::memory_order_relaxed);
    if (__builtin_expect((use_word & kReturnedBit) != 0, 0)) {
      HandOff(reg, value);
    }
  }
  bool DeliverToOneUser(const uint32_t* result, AsyncValue* value,
                        ReadyQueue& queue);
  void HandOff(uint32_t reg, AsyncValue* value);
  void AwaitResult(const uint32_t* result, AsyncValue* value, uint32_t stream);
  void Continue(const uint32_t* result, AsyncValue* value, uint32_t stream);
  void SwitchStream(ReadyQueue& queue);
  void EnqueueOutline(ReadyQueue& queue);
  // Hands the runs of the sorted list `a` to the work queue, one task each,
  // and clears it.
  void EnqueueRuns(KernelList& a, uint32_t runs);
  // Returns the kernel to run next in place of the inline list's top (it
  // was not pushed), or kNoKernel.
  uint32_t RunKernel(uint32_t kernel, AsyncKernelFrame& frame,
                     ReadyQueue& queue);
  [[gnu::noinline]] void RunLargeKernel(uint32_t kernel,
                                        AsyncKernelFrame& frame,
                                        ReadyQueue& queue);
  // kOperands/kResults: the kernel's counts when known at compile time (the
  // common one-operand, one-result kernel runs without loops), else kAnyCount.
  template <uint32_t kOperands, uint32_t kResults>
  void RunKernelWith(uint32_t kernel, AsyncValue** args,
                     RCReference<AsyncValue>* results, AsyncKernelFrame& frame,
                     ReadyQueue& queue);
  // A kernel with a direct entry and kOperands arguments; falls back to
  // RunKernelWith when the entry declines or the kernel must be skipped.
  template <uint32_t kOperands>
  uint32_t RunDirect(uint32_t kernel, AsyncValue** args,
                     AsyncKernelFrame& frame, ReadyQueue& queue);
  // Runs the chain that starts at `result` (the code of a result whose use
  // word is kChainLink; `value`, +1, is available): each link's user gets
  // the value straight from its producer and runs at once, which is what
  // the loop would do, since the user would be the inline list's top. Stops
  // at the first result that is not a link, which it delivers (hand_back),
  // or at a user that must take the frame path (cancellation, a declining
  // entry, held releases of another value), which it stores and returns.
  [[gnu::noinline]] uint32_t RunChain(const uint32_t* result, AsyncValue* value,
                                      ReadyQueue& queue);
  // Runs `batch`'s runs of fan-out leaves (OutlinePlan::leaves) while it may
  // take them (OutlineBatch::TakeLeafRun), each from the plan in place, as
  // the loop would run them from the inline list: last first. Called by
  // Process with both lists empty. Returns false when no run is left to
  // take; true when a leaf made a kernel ready or must take the frame path,
  // with the run's remaining leaves put on the inline list (under what the
  // leaf made ready) for the loop to go on with.
  [[gnu::noinline]] bool RunLeaves(ReadyQueue& queue, OutlineBatch* batch);
  // A kernel of at most kInlineOperands operands and results through its
  // frame entry, out of line (RunDirect's fallback).
  [[gnu::noinline]] void RunFrameKernel(uint32_t kernel,
                                        AsyncKernelFrame& frame,
                                        ReadyQueue& queue);

  std::atomic<int32_t> refs_{1};
  const BefFunction* const fn_;
  // Cached from fn_ so the loop does not chase it.
  const HotKernel* const hot_;
  const ColdKernel* const cold_;
  // Each kernel's stream, densely: the outline passes read only these.
  const uint32_t* const streams_;
  std::atomic<int32_t>* ready_;
  std::atomic<uintptr_t>* handoff_;
  KernelTracer* const tracer_;
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
  ~BefFunction() override {
    ::operator delete(spare_record_.load(std::memory_order_acquire));
  }

  // The memory of one finished execution record is kept for the next call:
  // a warm call allocates nothing for its record (a large function's record
  // would otherwise come back from the OS, page by page, every call).
  // Lock-free: an exchange takes it, a CAS returns it; acquire/release so the
  // previous execution's writes happen before the next one reuses the bytes.
  void* TakeRecord() const {
#ifndef RILL_RECORD_CACHE_DISABLED
    if (void* record =
            spare_record_.exchange(nullptr, std::memory_order_acquire)) {
      return record;
    }
#endif
    return ::operator new(record_size_);
  }
  void ReturnRecord(void* record) const {
#ifndef RILL_RECORD_CACHE_DISABLED
    void* expected = nullptr;
    if (spare_record_.compare_exchange_strong(expected, record,
                                              std::memory_order_release,
                                              std::memory_order_relaxed)) {
      return;
    }
#endif
    ::operator delete(record);
  }

  void Execute(const ExecutionContext& exec_ctx,
               absl::Span<AsyncValue* const> arguments,
               absl::Span<RCReference<AsyncValue>> results) const override;

  // Set by the loader.
  const BefProgram* program_;
  std::vector<HotKernel> hot_;
  std::vector<ColdKernel> cold_;
  std::vector<uint32_t> streams_;  // Copies of HotKernel::stream.
  std::vector<uint32_t> code_;
  const uint32_t* result_registers_ = nullptr;  // Per function result.
  uint32_t num_registers_ = 0;
  // For each register, its index among the distinct returned registers, or
  // kNotReturned; and per distinct returned register, its number of returns.
  std::vector<uint32_t> handoff_index_;
  std::vector<uint32_t> handoff_returns_;
  std::vector<int32_t> initial_ready_;
  // By result (pointer order), and the kernels and run ends they point at.
  std::vector<OutlinePlan> outline_plans_;
  std::vector<uint32_t> plan_data_;
  size_t ready_offset_ = 0;    // Bytes from the record's registers.
  size_t handoff_offset_ = 0;  // Bytes from the record's registers.
  size_t record_size_ = 0;
  mutable std::atomic<void*> spare_record_{nullptr};

  const OutlinePlan* FindOutlinePlan(const uint32_t* result) const {
    auto it =
        std::lower_bound(outline_plans_.begin(), outline_plans_.end(), result,
                         [](const OutlinePlan& plan, const uint32_t* key) {
                           return plan.result < key;
                         });
    return it != outline_plans_.end() && it->result == result ? &*it : nullptr;
  }

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
  // At most one allocation per call (none when warm: TakeRecord), none per
  // kernel.
  return new (fn->TakeRecord()) Execution(fn, exec_ctx);
}

Execution::Execution(const BefFunction* fn, const ExecutionContext& exec_ctx)
    : fn_(fn),
      hot_(fn->hot_.data()),
      cold_(fn->cold_.data()),
      streams_(fn->streams_.data()),
      tracer_(fn->program_->tracer()),
      exec_ctx_(exec_ctx) {
  char* base = reinterpret_cast<char*>(registers());
  ready_ = reinterpret_cast<std::atomic<int32_t>*>(base + fn->ready_offset_);
  handoff_ =
      reinterpret_cast<std::atomic<uintptr_t>*>(base + fn->handoff_offset_);
  // Registers are not cleared: each is written once, by its producer, before
  // any reader is made ready (stores are relaxed: a kernel reads a register
  // only after the acq_rel decrement, or on the thread, that published it).
  if (!fn->initial_ready_.empty()) {
    std::memcpy(static_cast<void*>(ready_), fn->initial_ready_.data(),
                sizeof(int32_t) * fn->initial_ready_.size());
  }
  // Stores, not memset: a function returns a few values, and the call cost
  // more than the stores (callgrind: 24 instructions for one slot).
  for (size_t i = 0; i < fn->handoff_returns_.size(); ++i) {
    handoff_[i].store(0, std::memory_order_relaxed);
  }
}

void Execution::Destroy() {
  const BefFunction* fn = fn_;
  const ExecutionContext* ctx = &exec_ctx_;
  ctx->~ExecutionContext();
  fn->ReturnRecord(static_cast<void*>(this));
}

[[gnu::always_inline]] inline void Execution::Decrement(uint32_t kernel,
                                                        ReadyQueue& queue) {
  if (DecrementOrHold(kernel, queue)) tls_held.renewed = true;
}

[[gnu::always_inline]] inline bool Execution::DecrementOrHold(
    uint32_t kernel, ReadyQueue& queue) {
  const HotKernel& entry = hot_[kernel];
  // A kernel with one operand position has exactly one producer, so it needs
  // no shared counter. Otherwise the decrement is held on this thread
  // (HeldDecrements) unless it is the last: the counter, less what this
  // thread holds, is 1 exactly when every other producer is done (their
  // release RMWs are in the sequence this acquire load reads; the counter
  // only falls), and then nobody else will touch it. Held decrements are
  // applied with an acq_rel RMW, so the producers' register stores happen
  // before the last decrementer reads them.
  if (entry.counter != kNoCounter) {
    HeldDecrements& held = tls_held;
    const int32_t mine =
        held.exec == this && held.counter == entry.counter ? held.count : 0;
    if (ready_[entry.counter].load(std::memory_order_acquire) != mine + 1) {
      if (mine == 0) {
        if (held.count != 0) ApplyHeld(queue);
        held.exec = this;
        held.kernel = kernel;
        held.counter = entry.counter;
      }
      held.count = mine + 1;
      return true;
    }
    if (mine != 0) held.count = 0;
  }
  MakeReady(kernel, queue);
  return false;
}

[[gnu::always_inline]] inline void Execution::MakeReady(uint32_t kernel,
                                                        ReadyQueue& queue) {
  if (hot_[kernel].stream == queue.current) {
    queue.inline_list.push_back(kernel);
  } else {
    queue.outline.push_back(kernel);
  }
}

void Execution::ApplyHeld(ReadyQueue& queue) {
  HeldDecrements& held = tls_held;
  const int32_t count = held.count;
  Execution* exec = held.exec;
  const uint32_t kernel = held.kernel;
  const uint32_t counter = held.counter;
  held.count = 0;
  // Whoever the RMW below lets run must see this thread's operand releases.
  internal::ApplyHeldDropsIfAny();
  // Can reach zero only if other threads decremented meanwhile: on one
  // thread the last decrement finds the hold and makes the kernel ready.
  if (exec->ready_[counter].fetch_sub(count, std::memory_order_acq_rel) !=
      count) {
    return;
  }
  if (exec == this) {
    MakeReady(kernel, queue);
    return;
  }
  // Another execution, whose Process is further up this thread's stack (a
  // call kernel's callee is applying its caller's hold): run it as a task.
  exec->AddRef();
  exec->host()->EnqueueWork([exec, kernel] {
    exec->RunTask(exec->hot_[kernel].stream, kernel);
    exec->DropRef();
  });
}

void Execution::HandOff(uint32_t reg, AsyncValue* value) {
  internal::ApplyHeldDropsIfAny();  // The caller may be another thread.
  const uint32_t index = fn_->handoff_index_[reg];
  // Hand the returned value to the caller: either the caller has not looked
  // yet (it will find the value), or it left a placeholder (tag bit 1) that
  // we forward. acq_rel pairs with the caller's CAS in Start.
  uintptr_t expected = 0;
  if (handoff_[index].compare_exchange_strong(
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

// Deliver for a result with one use, by one kernel, not returned. Returns
// DecrementOrHold's answer (false when the result is not available yet).
[[gnu::always_inline]] inline bool Execution::DeliverToOneUser(
    const uint32_t* result, AsyncValue* value, ReadyQueue& queue) {
  if (__builtin_expect(!value->IsAvailable(), 0)) {
    AwaitResult(result, value, queue.current);
    return false;
  }
  registers()[result[0]].store(value, std::memory_order_relaxed);
  return DecrementOrHold(result[3], queue);
}

// §6.5 for one result: `result` points at its code (register, use word, user
// count, users); `value` is +1.
[[gnu::always_inline]] inline uint32_t Execution::Deliver(
    const uint32_t* result, AsyncValue* value, ReadyQueue& queue,
    bool hand_back) {
  const uint32_t reg = result[0];
  const uint32_t use_word = result[1];
  // The common case first: one use, by a kernel the value makes ready in
  // this stream (a chain link, a fan-out leaf). A kernel runs only in its own
  // stream (queue.current), which the loader compared with the user's.
  if (use_word == kOneInlineUse) {
    if (__builtin_expect(!value->IsAvailable(), 0)) {
      AwaitResult(result, value, queue.current);
      return kNoKernel;
    }
    registers()[reg].store(value, std::memory_order_relaxed);
    assert(hot_[result[3]].counter == kNoCounter &&
           hot_[result[3]].stream == queue.current);
    if (hand_back) return result[3];
    queue.inline_list.push_back(result[3]);
    return kNoKernel;
  }
  // Then one use, by one kernel, not returned.
  if (use_word == 1 && result[2] == 1) {
    if (DeliverToOneUser(result, value, queue)) tls_held.renewed = true;
    return kNoKernel;
  }
  // A chain's first link (after the one-use checks, which a fan-out's
  // leaves take): handed back, the chain runs (RunChain) unless decrements
  // are held, which the loop must apply before the user runs.
  if (use_word == kChainLink) {
    if (__builtin_expect(!value->IsAvailable(), 0)) {
      AwaitResult(result, value, queue.current);
      return kNoKernel;
    }
    if (hand_back && tls_held.count == 0) {
      return RunChain(result, value, queue);
    }
    registers()[reg].store(value, std::memory_order_relaxed);
    if (hand_back) return result[3];
    queue.inline_list.push_back(result[3]);
    return kNoKernel;
  }
  const uint32_t uses = use_word & kUseCountMask;
  if (uses == 0) {
    value->DropRef();
    return kNoKernel;
  }
  if (uses > 1) value->AddRef(uses - 1);
  const uint32_t num_users = result[2];
  if (num_users == 0) {
    StoreRegister(reg, use_word, value);
    return kNoKernel;
  }
  if (__builtin_expect(!value->IsAvailable(), 0)) {
    AwaitResult(result, value, queue.current);
    return kNoKernel;
  }
  StoreRegister(reg, use_word, value);
  const uint32_t* users = result + 3;
  if (use_word & kReadyUsersBit) {
    // What Decrement would do for each user, in the same order within each
    // list: no counters to touch, and only the leading users can be in this
    // (the producer's) stream.
    uint32_t i = 0;
    while (i < num_users && streams_[users[i]] == queue.current) {
      queue.inline_list.push_back(users[i++]);
    }
    assert(std::none_of(users + i, users + num_users, [&](uint32_t k) {
      return streams_[k] == queue.current;
    }));
    if (queue.outline.empty() && num_users - i >= 2) {
      queue.plan = fn_->FindOutlinePlan(result);
      assert(queue.plan == nullptr || queue.plan->num_kernels == num_users - i);
    }
    queue.outline.append(users + i, num_users - i);
    return kNoKernel;
  }
  // A fan-out wider than the lists' inline storage: grow the outline list
  // once rather than by doubling (and a batch takes its buffer whole).
  if (__builtin_expect(num_users > KernelList::kInline, 0)) {
    queue.outline.reserve(queue.outline.size() + num_users);
  }
  for (uint32_t i = 0; i < num_users; ++i) Decrement(users[i], queue);
  return kNoKernel;
}

void Execution::AwaitResult(const uint32_t* result, AsyncValue* value,
                            uint32_t stream) {
  AddRef();
  value->AndThen([this, result, value, stream] {
    if (tls_continuation_depth >= kMaxContinuationDepth) {
      exec_ctx_.host()->EnqueueWork(
          [this, result, value, stream] { Continue(result, value, stream); });
      return;
    }
    Continue(result, value, stream);
  });
}

void Execution::Continue(const uint32_t* result, AsyncValue* value,
                         uint32_t stream) {
  ++tls_continuation_depth;
  StoreRegister(result[0], result[1], value);
  ReadyQueue queue(stream);
  const uint32_t num_users = result[2];
  for (uint32_t i = 0; i < num_users; ++i) Decrement(result[3 + i], queue);
  Process(queue);
  --tls_continuation_depth;
  DropRef();
}

// The runs of an outline list handed to the work queue as one batch of task
// runs (ConcurrentWorkQueue::AddTaskRuns): the kernels, sorted by stream, and
// a cursor. Owns one reference to the execution. Runs are sequential, so the
// cursor needs no atomics.
class OutlineBatch {
 public:
  // Copies `size` kernels. Batches come from the value pool (a small one is
  // a free-list pop where malloc and free cost a fan-out of 100 a few
  // instructions per node); the pool takes larger ones from malloc.
  static OutlineBatch* Copy(Execution* exec, const uint32_t* streams,
                            const uint32_t* kernels, uint32_t size,
                            uint32_t runs) {
    const size_t bytes = sizeof(OutlineBatch) + sizeof(uint32_t) * size;
    void* block = internal::PoolAllocate(bytes);
    uint32_t* copy = reinterpret_cast<uint32_t*>(static_cast<char*>(block) +
                                                 sizeof(OutlineBatch));
    std::memcpy(copy, kernels, sizeof(uint32_t) * size);
    return new (block)
        OutlineBatch(exec, streams, copy, size, runs, nullptr, nullptr, bytes);
  }
  // The plan's kernels and runs, which the function owns (not copied).
  static OutlineBatch* FromPlan(Execution* exec, const uint32_t* streams,
                                const OutlinePlan& plan) {
    void* block = internal::PoolAllocate(sizeof(OutlineBatch));
    auto* batch = new (block) OutlineBatch(
        exec, streams, plan.kernels, plan.num_kernels, plan.num_runs, nullptr,
        plan.run_ends, sizeof(OutlineBatch));
    batch->leaves_ = plan.leaves;
    return batch;
  }
  // Takes the kernels of `list` and leaves it empty: its heap buffer when it
  // has one (a wide fan-out's kernels are not copied), else a copy.
  static OutlineBatch* Take(Execution* exec, const uint32_t* streams,
                            KernelList& list, uint32_t runs) {
    const uint32_t size = list.size();
    uint32_t* heap = list.ReleaseHeap();
    if (heap == nullptr) {
      OutlineBatch* batch = Copy(exec, streams, list.begin(), size, runs);
      list.clear();
      return batch;
    }
    void* block = internal::PoolAllocate(sizeof(OutlineBatch));
    return new (block) OutlineBatch(exec, streams, heap, size, runs, heap,
                                    nullptr, sizeof(OutlineBatch));
  }
  static void Destroy(OutlineBatch* batch) {
    Execution* exec = batch->exec_;
    std::free(batch->owned_);
    internal::PoolDeallocate(batch, batch->bytes_);
    exec->DropRef();
  }

  // One run, and the ones after it that the work queue lets this call claim,
  // in one Process loop.
  void Run() {
    ReadyQueue queue(0);
    if (leaves_) {
      owns_next_run_ = true;  // Process's first TakeLeafRun takes it.
    } else {
      LoadRun(queue);
    }
    exec_->Process(queue, this);
  }
  // Called by Process when the current run is done: loads the next run into
  // `queue` if the work queue lets this call take it now
  // (ConcurrentWorkQueue::ClaimNextRun: exactly when it would run it next).
  bool ClaimNextRun(ReadyQueue& queue) {
    if (next_run_ == num_runs_ || !exec_->host()->ClaimNextRun()) return false;
    LoadRun(queue);
    return true;
  }

  // A batch of a plan's fan-out leaves (OutlinePlan::leaves) runs through
  // Execution::RunLeaves, which takes each run's kernels in place.
  bool leaves() const { return leaves_; }
  // The next run, [*first, *last) with `queue.current` set to its stream,
  // if this call may run it: the one Run was called for, or one claimed as
  // ClaimNextRun claims.
  bool TakeLeafRun(ReadyQueue& queue, const uint32_t** first,
                   const uint32_t** last) {
    if (next_run_ == num_runs_) return false;
    if (!std::exchange(owns_next_run_, false) && !work_queue_->ClaimNextRun()) {
      return false;
    }
    const uint32_t begin = position_;
    const uint32_t end = run_ends_[next_run_];
    position_ = end;
    ++next_run_;
    queue.current = streams_[kernels_[begin]];
    *first = kernels_ + begin;
    *last = kernels_ + end;
    return true;
  }

 private:
  OutlineBatch(Execution* exec, const uint32_t* streams,
               const uint32_t* kernels, uint32_t size, uint32_t runs,
               uint32_t* owned, const uint32_t* run_ends, size_t bytes)
      : exec_(exec),
        work_queue_(&exec->host()->work_queue()),
        streams_(streams),
        kernels_(kernels),
        owned_(owned),
        run_ends_(run_ends),
        size_(size),
        num_runs_(runs),
        bytes_(bytes) {}

  // The run at the cursor: the kernels up to the next change of stream.
  // Forced inline: once per run, in Process's loop.
  [[gnu::always_inline]] void LoadRun(ReadyQueue& queue) {
    assert(next_run_ < num_runs_);
    const uint32_t* streams = streams_;
    const uint32_t* kernels = kernels_;
    const uint32_t begin = position_;
    const uint32_t stream = streams[kernels[begin]];
    uint32_t end;
    if (run_ends_ != nullptr) {
      end = run_ends_[next_run_];
    } else {
      end = begin + 1;
      while (end < size_ && streams[kernels[end]] == stream) ++end;
    }
    position_ = end;
    ++next_run_;
    queue.current = stream;
    if (end - begin == 1) {
      queue.inline_list.push_back(kernels[begin]);
    } else {
      queue.inline_list.assign(kernels + begin, kernels + end);
    }
  }

  Execution* const exec_;
  ConcurrentWorkQueue* const work_queue_;  // The host's (TakeLeafRun).
  const uint32_t* const streams_;
  const uint32_t* const kernels_;
  uint32_t* const owned_;           // Null when the kernels follow the header.
  const uint32_t* const run_ends_;  // From a plan, else null (scanned).
  const uint32_t size_;
  const uint32_t num_runs_;
  uint32_t position_ = 0;
  uint32_t next_run_ = 0;
  bool leaves_ = false;
  // Set by Run: the work queue gave this call the next run (TakeLeafRun).
  bool owns_next_run_ = false;
  const size_t bytes_;  // The block's size, for the pool.
};
static_assert(std::is_trivially_destructible<OutlineBatch>::value,
              "OutlineBatch is freed without a destructor call");

void Execution::Process(ReadyQueue& queue, OutlineBatch* batch) {
  AsyncKernelFrame frame(&exec_ctx_);
  frame.set_arguments_error_free(true);  // RunKernelWith skips the others.
  HeldDecrements& held = tls_held;
  // The inline list's top when a kernel handed its user back (RunKernel):
  // kept out of the list, so a chain passes from kernel to kernel without a
  // push and a pop through memory.
  uint32_t next = kNoKernel;
  while (true) {
    uint32_t kernel = next;
    if (kernel == kNoKernel) {
      if (queue.inline_list.empty()) {
        if (queue.outline.empty()) {
          // A batch's runs share this loop, so decrements held by one run
          // carry over to the next (a fan-in's counter is touched once).
          if (batch != nullptr) {
            if (batch->leaves() ? RunLeaves(queue, batch)
                                : batch->ClaimNextRun(queue)) {
              continue;
            }
            batch = nullptr;  // The work queue runs the rest later.
          }
          if (held.count == 0) {
            internal::ApplyHeldDropsIfAny();  // Never left behind by a loop.
            return;
          }
          ApplyHeld(queue);  // May make a kernel ready (other threads).
          continue;
        }
        SwitchStream(queue);
      }
      kernel = queue.inline_list.pop_back();
    }
    if (!queue.outline.empty()) EnqueueOutline(queue);
    next = RunKernel(kernel, frame, queue);
    if (__builtin_expect(held.count != 0, 0)) {
      if (!held.renewed) {
        // What ApplyHeld makes ready goes on top of `next`.
        if (next != kNoKernel) {
          queue.inline_list.push_back(next);
          next = kNoKernel;
        }
        ApplyHeld(queue);
      }
      held.renewed = false;
    }
  }
}

void Execution::SwitchStream(ReadyQueue& queue) {
  KernelList& a = queue.outline;
  if (a.empty()) return;
  queue.plan = nullptr;  // The partition reorders the list.
  const uint32_t* streams = streams_;
  queue.current = streams[a[0]];
  const uint32_t current = queue.current;
  auto stays = [&](uint32_t k) { return streams[k] != current; };
  // The two-ended swap partition of §6.6 (its instability is normative).
  uint32_t i = 0, j = a.size();
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
  a.resize_down(i);
}

// The task that owns a batch: move-only, nothrow, two words (stored inline in
// the TaskFunction).
class OutlineBatchTask {
 public:
  explicit OutlineBatchTask(OutlineBatch* batch) : batch_(batch) {}
  OutlineBatchTask(OutlineBatchTask&& other) noexcept
      : batch_(std::exchange(other.batch_, nullptr)) {}
  OutlineBatchTask& operator=(OutlineBatchTask&&) = delete;
  ~OutlineBatchTask() {
    if (batch_ != nullptr) OutlineBatch::Destroy(batch_);
  }
  void operator()() { batch_->Run(); }

 private:
  OutlineBatch* batch_;
};

void Execution::EnqueueOutline(ReadyQueue& queue) {
  KernelList& a = queue.outline;
  const uint32_t* streams = streams_;
  HostContext* host = exec_ctx_.host();
  if (const OutlinePlan* plan = std::exchange(queue.plan, nullptr);
      plan != nullptr && plan->num_kernels == a.size()) {
    // The list is exactly the plan's users: sorted and split already.
    if (plan->num_runs > 1 && host->GetNumWorkerThreads() == 1) {
      AddRef();
      host->EnqueueWorkRuns(
          plan->num_runs,
          OutlineBatchTask(OutlineBatch::FromPlan(this, streams, *plan)));
      a.clear();
      return;
    }
    std::memcpy(a.begin(), plan->kernels, sizeof(uint32_t) * a.size());
    EnqueueRuns(a, plan->num_runs);
    return;
  }
  auto by_stream = [streams](uint32_t x, uint32_t y) {
    return streams[x] < streams[y];
  };
  // A stable sort by stream. Fan-outs usually arrive sorted, or with distinct
  // streams in descending order (user lists are newest first), where
  // reversing is the stable sort; neither allocates. One pass tells which,
  // and counts the runs of equal streams (the same after either).
  uint32_t descents = 0;  // Places where the stream falls,
  uint32_t ascents = 0;   // and rises (two compare-and-carry adds a kernel).
  for (uint32_t i = 1, prev = streams[a[0]]; i < a.size(); ++i) {
    const uint32_t stream = streams[a[i]];
    descents += stream < prev;
    ascents += prev < stream;
    prev = stream;
  }
  uint32_t runs = 1 + descents + ascents;
  if (descents != 0) {
    if (descents == a.size() - 1) {  // Strictly descending.
      std::reverse(a.begin(), a.end());
    } else {
      std::stable_sort(a.begin(), a.end(), by_stream);
      runs = 1;
      for (uint32_t i = 1; i < a.size(); ++i) {
        runs += streams[a[i]] != streams[a[i - 1]];
      }
    }
  }
  if (runs > 1 && host->GetNumWorkerThreads() == 1) {
    // One worker: the runs would execute one after another anyway, so hand
    // them over as one batch (one enqueue instead of one per stream; the
    // order is the same, see AddTaskRuns).
    AddRef();
    host->EnqueueWorkRuns(
        runs, OutlineBatchTask(OutlineBatch::Take(this, streams, a, runs)));
    return;
  }
  EnqueueRuns(a, runs);
}

void Execution::EnqueueRuns(KernelList& a, uint32_t runs) {
  HostContext* host = exec_ctx_.host();
  const uint32_t* streams = streams_;
  AddRef(runs);
  uint32_t begin = 0;
  while (begin < a.size()) {
    const uint32_t stream = streams[a[begin]];
    uint32_t end = begin + 1;
    while (end < a.size() && streams[a[end]] == stream) ++end;
    if (end - begin == 1) {
      const uint32_t kernel = a[begin];
      host->EnqueueWork([this, kernel, stream] {
        RunTask(stream, kernel);
        DropRef();
      });
    } else {
      host->EnqueueWork([batch = OutlineBatchTask(OutlineBatch::Copy(
                             this, streams, a.begin() + begin, end - begin,
                             1))]() mutable { batch(); });
    }
    begin = end;
  }
  a.clear();
}

// Stack storage for a kernel of at most kInlineOperands operands and results.
// The result slots are raw: only those in use are constructed (RunKernelWith).
struct InlineKernelStorage {
  InlineKernelStorage() {}
  ~InlineKernelStorage() {}
  AsyncValue* args[kInlineOperands];
  union {
    RCReference<AsyncValue> results[kInlineOperands];
  };
};

inline uint32_t Execution::RunKernel(uint32_t kernel, AsyncKernelFrame& frame,
                                     ReadyQueue& queue) {
  const HotKernel& entry = hot_[kernel];
  InlineKernelStorage storage;
  AsyncValue** args = storage.args;
  RCReference<AsyncValue>* results = storage.results;
  if (entry.direct != nullptr) {
    if (entry.num_operands == 1)
      return RunDirect<1>(kernel, args, frame, queue);
    if (entry.num_operands == 2)
      return RunDirect<2>(kernel, args, frame, queue);
    return RunDirect<0>(kernel, args, frame, queue);
  }
  if (entry.num_operands == 1 && entry.num_results == 1) {
    RunKernelWith<1, 1>(kernel, args, results, frame, queue);
    return kNoKernel;
  }
  if (__builtin_expect(entry.num_operands > kInlineOperands ||
                           entry.num_results > kInlineOperands,
                       0)) {
    RunLargeKernel(kernel, frame, queue);
    return kNoKernel;
  }
  RunKernelWith<kAnyCount, kAnyCount>(kernel, args, results, frame, queue);
  return kNoKernel;
}

void Execution::RunFrameKernel(uint32_t kernel, AsyncKernelFrame& frame,
                               ReadyQueue& queue) {
  InlineKernelStorage storage;
  RunKernelWith<kAnyCount, kAnyCount>(kernel, storage.args, storage.results,
                                      frame, queue);
}

void Execution::RunLargeKernel(uint32_t kernel, AsyncKernelFrame& frame,
                               ReadyQueue& queue) {
  const HotKernel& entry = hot_[kernel];
  // On the stack up to a size that keeps the frame small (nested executions
  // may stack several); beyond it, on the heap. Not zeroed: RunKernelWith
  // writes every operand before reading it (a 10,000-wide fan-in's zeroing
  // had cost 8 instructions per node).
  constexpr uint32_t kStackOperands = 256;
  AsyncValue* stack_args[kStackOperands];
  std::unique_ptr<AsyncValue*[]> heap_args;
  AsyncValue** args = stack_args;
  if (entry.num_operands > kStackOperands) {
    heap_args.reset(new AsyncValue*[entry.num_operands]);
    args = heap_args.get();
  }
  // Raw slots: RunKernelWith constructs the ones in use (an empty slot owns
  // nothing), as it does in InlineKernelStorage.
  InlineKernelStorage storage;
  std::unique_ptr<RCReference<AsyncValue>[]> heap_results;
  RCReference<AsyncValue>* results = storage.results;
  if (entry.num_results > kInlineOperands) {
    heap_results.reset(new RCReference<AsyncValue>[entry.num_results]);
    results = heap_results.get();
  }
  RunKernelWith<kAnyCount, kAnyCount>(kernel, args, results, frame, queue);
}

// Runs one ready kernel (§5.2) and delivers its results (§6.5). `results` is
// raw storage for num_results slots; every slot is empty again on return.
template <uint32_t kOperands, uint32_t kResults>
[[gnu::always_inline]] inline void Execution::RunKernelWith(
    uint32_t kernel, AsyncValue** args, RCReference<AsyncValue>* results,
    AsyncKernelFrame& frame, ReadyQueue& queue) {
  const HotKernel& entry = hot_[kernel];
  const uint32_t num_operands =
      kOperands != kAnyCount ? kOperands : entry.num_operands;
  const uint32_t num_results =
      kResults != kAnyCount ? kResults : entry.num_results;
  const uint32_t* code = entry.code;

  // §5.2: the last error operand, else the cancellation error, skips the
  // kernel and becomes every result.
  AsyncValue* error = nullptr;
  std::atomic<AsyncValue*>* regs = registers();
  for (uint32_t i = 0; i < num_operands; ++i) {
    AsyncValue* arg = regs[code[i]].load(std::memory_order_relaxed);
    args[i] = arg;
    if (__builtin_expect(arg->IsError(), 0)) error = arg;
  }
  code += num_operands;
  if (__builtin_expect(error == nullptr, 1)) {
    error = exec_ctx_.GetCancelAsyncValue();
  }
  // Empty slots. A single store for the common one-result kernel (a loop of
  // unknown length would become a `rep stos`).
  if (num_results == 1) {
    new (&results[0]) RCReference<AsyncValue>();
  } else {
    for (uint32_t r = 0; r < num_results; ++r) {
      new (&results[r]) RCReference<AsyncValue>();
    }
  }

  if (__builtin_expect(error == nullptr, 1)) {
    // Only kernels that use the value whose releases this thread holds may
    // run while they are held (HeldDrops).
    if (AsyncValue* held = internal::tls_held_drops.value;
        __builtin_expect(held != nullptr, 0)) {
      bool uses_held = false;
      for (uint32_t i = 0; i < num_operands; ++i) uses_held |= args[i] == held;
      if (!uses_held) internal::ApplyHeldDrops();
    }
    const ColdKernel& cold = cold_[kernel];
    frame.Reset(absl::MakeConstSpan(args, num_operands),
                absl::MakeSpan(results, num_results),
                absl::MakeConstSpan(cold.attributes, cold.num_attributes),
                cold.location,
                absl::MakeConstSpan(cold.functions, cold.num_functions));
    if (__builtin_expect(tracer_ == nullptr, 1)) {
      cold.impl(&frame);
    } else {
      const int64_t start = NowNs();
      cold.impl(&frame);
      tracer_->OnKernel(*cold.location, start, NowNs());
    }
    for (uint32_t r = 0; r < num_results; ++r) {
      if (__builtin_expect(!results[r], 0)) {
        // A kernel bug: never leave a hole that would hang the function.
        frame.ReportError(absl::InternalError(
            absl::StrCat("kernel '", cold.location->kernel,
                         "' returned without setting result ", r)));
        break;
      }
    }
  } else if (num_results != 0) {
    error->AddRef(num_results);
    for (uint32_t r = 0; r < num_results; ++r) {
      results[r] = TakeRef(error);
    }
  }

  // §5.8: operand references are released right after the kernel returns
  // (a release that is not the last may be held: HeldDrops). A wide fan-in's
  // sole-owned operands go back to the pool in one splice.
  if (kOperands == kAnyCount && num_operands > kInlineOperands) {
    AsyncValue::DropRefsOrHold(args, num_operands);
  } else {
    for (uint32_t i = 0; i < num_operands; ++i) args[i]->DropRefOrHold();
  }

  for (uint32_t r = 0; r < num_results; ++r) {
    // Read ahead: delivering the function's last result may let the caller
    // finish, so nothing of the function is read after the last delivery.
    const uint32_t* next = code + 3 + code[2];
    Deliver(code, results[r].release(), queue);
    code = next;
  }
}

template <uint32_t kOperands>
[[gnu::always_inline]] inline uint32_t Execution::RunDirect(
    uint32_t kernel, AsyncValue** args, AsyncKernelFrame& frame,
    ReadyQueue& queue) {
  const HotKernel& entry = hot_[kernel];
  const uint32_t* code = entry.code;
  std::atomic<AsyncValue*>* regs = registers();
  for (uint32_t i = 0; i < kOperands; ++i) {
    args[i] = regs[code[i]].load(std::memory_order_relaxed);
  }
  // An error argument needs no test here: it is not concrete, so the entry
  // declines it and RunKernelWith skips the kernel (§5.2). Cancellation and
  // tracing take that path too.
  AsyncValue* result = nullptr;
  if (__builtin_expect(
          exec_ctx_.GetCancelAsyncValue() == nullptr && tracer_ == nullptr,
          1)) {
    if (AsyncValue* held = internal::tls_held_drops.value;
        __builtin_expect(held != nullptr, 0)) {
      bool uses_held = false;
      for (uint32_t i = 0; i < kOperands; ++i) uses_held |= args[i] == held;
      if (!uses_held) internal::ApplyHeldDrops();
    }
    // An operand this register holds the last reference to would be freed
    // right after the call: offer its block for the result (§5.8's release
    // point is unchanged: the operand is dead either way).
    AsyncValue* reusable = nullptr;
    for (uint32_t i = 0; i < kOperands; ++i) {
      if (args[i]->IsSoleAndReusable()) {
        reusable = args[i];
        break;
      }
    }
    // Only a constant has attributes here (the loader's condition).
    result = entry.direct(args, reusable,
                          kOperands == 0 ? cold_[kernel].attributes : nullptr);
  }
  if (__builtin_expect(result == nullptr, 0)) {
    RunFrameKernel(kernel, frame, queue);
    return kNoKernel;
  }
  for (uint32_t i = 0; i < kOperands; ++i) {
    if (args[i] != result) args[i]->DropRefOrHold();  // Else it was reused.
  }
  // The only result, so its user would be the inline list's top.
  return Deliver(code + kOperands, result, queue, /*hand_back=*/true);
}

uint32_t Execution::RunChain(const uint32_t* result, AsyncValue* value,
                             ReadyQueue& queue) {
  // Loop invariants, as between two iterations of Process's loop: no
  // decrements are held (links decrement no counter), the outline list is
  // empty (links push nothing), and there is no tracer (RunDirect's
  // caller checked; tracing takes the frame path). The links' registers
  // are not written: a link's only reader is its user, which gets the value
  // here.
  // The user's frame path (RunDirect, then RunFrameKernel) handles what this
  // loop does not; it reads the operand from its register.
  auto hand_back = [&](AsyncValue* arg) {
    registers()[result[0]].store(arg, std::memory_order_relaxed);
    return result[3];
  };
  while (true) {
    const HotKernel& entry = hot_[result[3]];
    AsyncValue* arg = value;
    if (__builtin_expect(exec_ctx_.GetCancelAsyncValue() != nullptr, 0)) {
      return hand_back(arg);
    }
    if (AsyncValue* held = internal::tls_held_drops.value;
        __builtin_expect(held != nullptr && held != arg, 0)) {
      internal::ApplyHeldDrops();
    }
    AsyncValue* next = entry.direct(
        &arg, arg->IsSoleAndReusable() ? arg : nullptr, /*attributes=*/nullptr);
    if (__builtin_expect(next == nullptr, 0)) return hand_back(arg);
    if (next != arg) arg->DropRefOrHold();  // Else it was reused.
    value = next;
    result = entry.code + 1;
    // A direct result is available by contract; Deliver handles one that
    // is not.
    if (result[1] != kChainLink || !value->IsAvailable()) break;
  }
  return Deliver(result, value, queue, /*hand_back=*/true);
}

bool Execution::RunLeaves(ReadyQueue& queue, OutlineBatch* batch) {
  // What the loop does per kernel (RunDirect<1>, DeliverToOneUser, the held
  // decrements' check), less its dispatch: the loader checked every leaf's
  // entry and result, and the run is never copied into the inline list.
  // Each leaf's operand is the fan-out's result, which has two or more uses,
  // so its entry is the one that takes no block (direct_fresh): none is
  // offered. tls_held and registers() are named at each use: a local
  // reference would take one of the registers the loop runs short of.
  //
  // The user whose decrement the last leaf added to this thread's hold, and
  // its counter: a leaf with the same user (a fan-in's) adds to the hold
  // without DecrementOrHold's lookups. Only DecrementOrHold changes whose
  // hold it is; the check after each claim makes that independent of what
  // the work queue's claim does.
  uint32_t held_user = kNoKernel;
  std::atomic<int32_t>* held_counter = nullptr;
  const uint32_t* first;
  const uint32_t* last;
  while (batch->TakeLeafRun(queue, &first, &last)) {
    if (__builtin_expect(tracer_ != nullptr, 0)) {
      // Traced kernels take the loop's frame path.
      queue.inline_list.assign(first, last);
      return true;
    }
    if (tls_held.exec != this || tls_held.kernel != held_user)
      held_user = kNoKernel;
    for (const uint32_t* k = last; k != first;) {
      const HotKernel& entry = hot_[*--k];
      const uint32_t* code = entry.code;
      AsyncValue* const operand =
          registers()[code[0]].load(std::memory_order_relaxed);
      AsyncValue* result = nullptr;
      if (__builtin_expect(exec_ctx_.GetCancelAsyncValue() == nullptr, 1)) {
        if (AsyncValue* held_value = internal::tls_held_drops.value;
            __builtin_expect(held_value != nullptr && held_value != operand,
                             0)) {
          internal::ApplyHeldDrops();
        }
        AsyncValue* arg = operand;
        result = entry.direct(&arg, /*reusable=*/nullptr,
                              /*attributes=*/nullptr);
      }
      if (__builtin_expect(result == nullptr, 0)) {
        // The loop runs this leaf through its frame path, then the rest.
        queue.inline_list.assign(first, k + 1);
        return true;
      }
      operand->DropRefOrHold();
      const uint32_t user = code[4];
      if (user == held_user && __builtin_expect(result->IsAvailable(), 1)) {
        // DeliverToOneUser and DecrementOrHold, knowing whose hold it is.
        registers()[code[1]].store(result, std::memory_order_relaxed);
        const int32_t mine = tls_held.count;
        if (held_counter->load(std::memory_order_acquire) != mine + 1) {
          tls_held.count = mine + 1;
          continue;  // Nothing was made ready.
        }
        tls_held.count = 0;
        held_user = kNoKernel;
        MakeReady(user, queue);
      } else if (DeliverToOneUser(code + 1, result, queue)) {
        held_user = user;
        held_counter = &ready_[tls_held.counter];
      } else if (tls_held.count != 0) {
        // The loop's rule for held decrements (the flag it would clear
        // again is never set here).
        ApplyHeld(queue);
      }
      if (__builtin_expect(!queue.inline_list.empty() || !queue.outline.empty(),
                           0)) {
        // What the leaf made ready runs before the run's other leaves.
        queue.inline_list.prepend(first, static_cast<uint32_t>(k - first));
        return true;
      }
    }
  }
  return false;
}

void Execution::Start(absl::Span<AsyncValue* const> arguments,
                      absl::Span<RCReference<AsyncValue>> results) {
  const HotKernel& entry = hot_[0];
  ReadyQueue queue(entry.stream);
  // §6.3 step 1: the start signal's users, in program order.
  const uint32_t* code = entry.code;
  for (uint32_t i = 0; i < code[2]; ++i) Decrement(code[3 + i], queue);
  code += 3 + code[2];
  // Step 2: arguments, borrowed per use (§5.8).
  for (size_t a = 0; a < arguments.size(); ++a) {
    if ((code[1] & kUseCountMask) != 0) {
      arguments[a]->AddRef();
      Deliver(code, arguments[a], queue);
    }
    code += 3 + code[2];
  }
  // Step 3.
  Process(queue);

  // Results: the value if it is already stored, else a placeholder that
  // HandOff forwards later (§5.4).
  for (size_t i = 0; i < results.size(); ++i) {
    const uint32_t reg = fn_->result_registers_[i];
    const uint32_t index = fn_->handoff_index_[reg];
    std::atomic<uintptr_t>& slot = handoff_[index];
    uintptr_t word = slot.load(std::memory_order_acquire);
    if (word == 0) {
      RCReference<IndirectAsyncValue> placeholder = MakeIndirectAsyncValue();
      const uintptr_t tagged =
          reinterpret_cast<uintptr_t>(placeholder.get()) | 1u;
      if (slot.compare_exchange_strong(word, tagged, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        (void)placeholder.release();  // Now owned by the slot.
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

// ---- BefFunction ------------------------------------------------------------

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
  // Its kernels run without the per-kernel check of Execution (HeldDrops).
  internal::ApplyHeldDropsIfAny();
  absl::InlinedVector<RCReference<AsyncValue>, 32> regs(num_registers_);
  {
    const uint32_t* code = hot_[0].code;
    code += 3 + code[2];  // The start signal.
    for (size_t a = 0; a < arguments.size(); ++a) {
      regs[code[0]] = FormRef(arguments[a]);
      code += 3 + code[2];
    }
  }
  RCReference<AsyncValue> failure;
  for (size_t a = 0; a < arguments.size() && !failure; ++a) {
    if (arguments[a]->IsError()) failure = FormRef(arguments[a]);
  }
  absl::InlinedVector<AsyncValue*, kInlineOperands> args;
  absl::InlinedVector<RCReference<AsyncValue>, kInlineOperands> outs;
  KernelTracer* tracer = program_->tracer();
  for (size_t k = 1; k < hot_.size() && !failure; ++k) {
    const HotKernel& kernel = hot_[k];
    const ColdKernel& cold = cold_[k];
    if (AsyncValue* cancelled = exec_ctx.GetCancelAsyncValue()) {
      failure = FormRef(cancelled);
      break;
    }
    const uint32_t* code = kernel.code;
    args.resize(kernel.num_operands);
    for (uint32_t i = 0; i < kernel.num_operands; ++i) {
      args[i] = regs[code[i]].get();
    }
    code += kernel.num_operands;
    outs.clear();
    outs.resize(kernel.num_results);
    AsyncKernelFrame frame(&exec_ctx);
    // The first error argument ended the function before this kernel.
    frame.set_arguments_error_free(true);
    frame.Reset(args, absl::MakeSpan(outs),
                absl::MakeConstSpan(cold.attributes, cold.num_attributes),
                cold.location,
                absl::MakeConstSpan(cold.functions, cold.num_functions));
    const int64_t start = tracer ? NowNs() : 0;
    cold.impl(&frame);
    if (tracer) tracer->OnKernel(*cold.location, start, NowNs());
    for (uint32_t r = 0; r < kernel.num_results; ++r) {
      if (!outs[r] || outs[r]->IsUnavailable()) {
        failure = MakeErrorAsyncValueRef(
            absl::InternalError(absl::StrCat(
                "kernel '", cold.location->kernel,
                "' did not complete synchronously in a sync function")),
            *cold.location);
        exec_ctx.host()->EmitError(failure->GetErrorInfo());
        break;
      }
      if (outs[r]->IsError()) {
        failure = outs[r].CopyRef();
        break;
      }
      regs[code[0]] = std::move(outs[r]);
      code += 3 + code[2];
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
  internal::ApplyHeldDropsIfAny();  // Native code may publish anything.
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
  std::vector<KernelDefinition> impl_by_code_;
  std::vector<bool> resolved_;
  int unknown_kernels_ = 0;
  struct Fixup {
    ColdKernel* entry;  // Stable: cold_ is sized before it is filled.
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

// An OutlinePlan for the users [first, last) of the result whose code starts
// at `result_at`, as offsets into fn->code_ and fn->plan_data_ (whose buffers
// may still move): BindBody makes the pointers once both are full.
struct PlanAt {
  size_t result_at;
  size_t kernels_at;
  uint32_t num_kernels;
  uint32_t num_runs;
};
PlanAt AddOutlinePlan(BefFunction* fn, const bef::FunctionBody& body,
                      size_t result_at,
                      std::vector<uint32_t>::const_iterator first,
                      std::vector<uint32_t>::const_iterator last) {
  std::vector<uint32_t>& data = fn->plan_data_;
  PlanAt plan{result_at, data.size(), static_cast<uint32_t>(last - first), 0};
  const size_t at = data.size();
  data.insert(data.end(), first, last);
  // EnqueueOutline's sort: stable, by stream.
  std::stable_sort(data.begin() + at, data.end(), [&](uint32_t x, uint32_t y) {
    return body.stream_id(x) < body.stream_id(y);
  });
  for (uint32_t i = 1; i <= plan.num_kernels; ++i) {
    if (i == plan.num_kernels ||
        body.stream_id(data[at + i]) != body.stream_id(data[at + i - 1])) {
      data.push_back(i);  // The run's end.
      ++plan.num_runs;
    }
  }
  return plan;
}

absl::Status ProgramLoader::BindBody(uint32_t index, BefFunction* fn) {
  const bef::FunctionInfo& info = file_.function(index);
  const bef::FunctionBody& body = info.body;
  const absl::Span<const uint32_t> use_counts = body.register_use_counts();
  fn->num_registers_ = body.num_registers();
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
  fn->hot_.resize(num_kernels);
  fn->cold_.resize(num_kernels);
  fn->streams_.resize(num_kernels);
  // Where each kernel's code starts; pointers are taken once code_ is full.
  std::vector<size_t> code_at(num_kernels);
  std::vector<PlanAt> plans;
  for (uint32_t k = 0; k < num_kernels; ++k) {
    const bef::KernelView view = body.kernel(k);
    HotKernel& hot = fn->hot_[k];
    ColdKernel& cold = fn->cold_[k];
    hot.num_operands = static_cast<uint32_t>(view.operands().size());
    hot.num_results = static_cast<uint32_t>(view.results().size());
    hot.stream = body.stream_id(k);
    fn->streams_[k] = hot.stream;
    if (k != 0 && body.ready_count(k) > 1) {
      hot.counter = static_cast<uint32_t>(fn->initial_ready_.size());
      fn->initial_ready_.push_back(static_cast<int32_t>(body.ready_count(k)));
    }

    // The hot code: operands, then per result its register, use word and
    // users (copied out of the BEF record so the loop reads one dense array).
    code_at[k] = fn->code_.size();
    std::vector<uint32_t>& code = fn->code_;
    code.insert(code.end(), view.operands().begin(), view.operands().end());
    const uint32_t* users = view.all_used_by().data();
    for (uint32_t r = 0; r < hot.num_results; ++r) {
      const uint32_t reg = view.results()[r];
      const uint32_t num_users = view.num_used_by()[r];
      uint32_t use_word = 0;
      if (reg != bef::kStartSignalRegister) {
        use_word = use_counts[reg];
        // The verifier matched the counts with the operands, so this needs a
        // file of more than 4 GiB of operands; refuse rather than misread.
        if (use_word > kUseCountMask) {
          return absl::InvalidArgumentError(
              absl::StrCat("register ", reg, " of function '", info.name,
                           "' has more than ", kUseCountMask, " uses"));
        }
        if (fn->handoff_index_[reg] != kNotReturned) {
          use_word |= kReturnedBit;
        } else if (use_word == 1 && num_users == 1 &&
                   body.ready_count(users[0]) <= 1 &&
                   body.stream_id(users[0]) == hot.stream) {
          use_word |= kInlineUserBit;
        }
      }
      const bool all_ready =
          num_users >= 2 &&
          std::all_of(users, users + num_users,
                      [&](uint32_t u) { return body.ready_count(u) <= 1; });
      if (all_ready) use_word |= kReadyUsersBit;
      const size_t result_at = code.size();
      code.push_back(reg);
      code.push_back(use_word);
      code.push_back(num_users);
      const size_t first_user = code.size();
      code.insert(code.end(), users, users + num_users);
      if (all_ready) {
        // Users of the producer's stream first; each list still gets its
        // users in user-list order, as Decrement would push them.
        const auto outline_users = std::stable_partition(
            code.begin() + first_user, code.end(),
            [&](uint32_t u) { return body.stream_id(u) == hot.stream; });
        if (code.end() - outline_users >= 2) {
          plans.push_back(
              AddOutlinePlan(fn, body, result_at, outline_users, code.end()));
        }
      }
      users += num_users;
    }
    if (view.is_entry()) continue;

    cold.location = MakeLocation(index, view);
    const uint32_t code_index = view.code();
    if (!resolved_[code_index]) {
      resolved_[code_index] = true;
      absl::StatusOr<KernelDefinition> impl =
          program_->host_->registry().GetKernelDefinition(
              file_.kernel_name(code_index));
      if (impl.ok()) {
        impl_by_code_[code_index] = *impl;
      } else {
        ++unknown_kernels_;
        AsyncValueError error{
            absl::NotFoundError(absl::StrCat(
                "unknown kernel name '", file_.kernel_name(code_index), "'")),
            *cold.location};
        if (options_.on_error) {
          options_.on_error(error);
        } else {
          program_->host_->EmitError(error);
        }
      }
    }
    const KernelDefinition& definition = impl_by_code_[code_index];
    cold.impl = definition.kernel;
    // Direct: a constant (no operands; its attributes are passed from the
    // cold entry), or one or two operands and no attributes (the hot loop
    // then never reads the cold entry).
    if (definition.direct != nullptr && definition.arity == hot.num_operands &&
        definition.num_attributes == view.attributes().size() &&
        hot.num_results == 1 && view.functions().empty() &&
        (hot.num_operands == 0 ||
         ((hot.num_operands == 1 || hot.num_operands == 2) &&
          view.attributes().empty()))) {
      // The entry that offers blocks only where an operand can be
      // sole-owned: its register has one use and is not returned.
      bool may_reuse = false;
      for (uint32_t reg : view.operands()) {
        may_reuse |=
            use_counts[reg] == 1 && fn->handoff_index_[reg] == kNotReturned;
      }
      hot.direct = may_reuse ? definition.direct : definition.direct_fresh;
    }

    // Pointer tables live in the program's vectors, which still grow: record
    // where this kernel's tables start and point at them once they are full.
    cold.num_attributes = static_cast<uint32_t>(view.attributes().size());
    cold.num_functions = static_cast<uint32_t>(view.functions().size());
    fixups_.push_back({&cold, program_->attribute_pointers_.size(),
                       program_->function_pointers_.size()});
    for (uint32_t attr : view.attributes()) {
      program_->attribute_pointers_.push_back(file_.attribute(attr).payload());
    }
    for (uint32_t f : view.functions()) {
      program_->function_pointers_.push_back(program_->functions_[f].get());
    }
  }
  fn->code_.shrink_to_fit();
  for (uint32_t k = 0; k < num_kernels; ++k) {
    fn->hot_[k].code = fn->code_.data() + code_at[k];
  }
  // Made in code order, so sorted by result (FindOutlinePlan).
  for (const PlanAt& at : plans) {
    OutlinePlan& plan = fn->outline_plans_.emplace_back();
    plan.result = fn->code_.data() + at.result_at;
    plan.kernels = fn->plan_data_.data() + at.kernels_at;
    plan.run_ends = plan.kernels + at.num_kernels;
    plan.num_kernels = at.num_kernels;
    plan.num_runs = at.num_runs;
  }
  // Chain links: a result whose one inline user runs through a one-argument
  // direct entry (known only now that every kernel's entry is chosen).
  for (uint32_t k = 0; k < num_kernels; ++k) {
    const HotKernel& hot = fn->hot_[k];
    uint32_t* result = fn->code_.data() + code_at[k] + hot.num_operands;
    for (uint32_t r = 0; r < hot.num_results; ++r) {
      if (result[1] == kOneInlineUse &&  // So it has exactly one user.
          fn->hot_[result[3]].direct != nullptr &&
          fn->hot_[result[3]].num_operands == 1) {
        result[1] |= kDirectUserBit;
      }
      result += 3 + result[2];
    }
  }
  // Plans whose users are all leaves (RunLeaves).
  for (OutlinePlan& plan : fn->outline_plans_) {
    plan.leaves = std::all_of(
        plan.kernels, plan.kernels + plan.num_kernels, [&](uint32_t k) {
          const HotKernel& hot = fn->hot_[k];
          const uint32_t* result = hot.code + hot.num_operands;
          return hot.direct != nullptr && hot.num_operands == 1 &&
                 result[1] == 1 && result[2] == 1;
        });
  }
  // Execution record layout after the header: registers, counters (rounded
  // to an even count, keeping 8-byte alignment), handoff slots.
  fn->ready_offset_ = sizeof(AsyncValue*) * fn->num_registers_;
  fn->handoff_offset_ =
      fn->ready_offset_ +
      sizeof(int32_t) * ((fn->initial_ready_.size() + 1) & ~size_t{1});
  fn->record_size_ = sizeof(Execution) + fn->handoff_offset_ +
                     sizeof(uintptr_t) * fn->handoff_returns_.size();
  return absl::OkStatus();
}

absl::Status ProgramLoader::Load() {
  impl_by_code_.assign(file_.num_kernel_names(),
                       KernelDefinition(AsyncKernelImplementation{nullptr}));
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

CallResults ExecuteAndAwait(const Function& function,
                            const ExecutionContext& exec_ctx,
                            absl::Span<AsyncValue* const> arguments) {
  CallResults results(function.num_results());
  function.Execute(exec_ctx, arguments, absl::MakeSpan(results));
  // Await would return at once too; a function that finished inline (the
  // common case) skips its virtual call and loop.
  for (const RCReference<AsyncValue>& result : results) {
    if (!result->IsAvailable()) {
      exec_ctx.host()->Await(results);
      break;
    }
  }
  return results;
}

}  // namespace rill
