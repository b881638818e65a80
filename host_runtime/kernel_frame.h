// Declares `AsyncKernelFrame`, the calling convention of every kernel:
// arguments (borrowed async values, +0), result slots (the kernel stores +1
// references), attributes (pointers into immutable storage, see attribute.h),
// the execution context and the kernel's location for errors. Also declares
// `KernelFrameBuilder`, a frame that owns its storage, for tests and simple
// callers.
//
// Contract: by the time a kernel returns, every result slot holds a value —
// available, or unavailable and completed later by work the kernel started
// (spec §5.2). The frame is not valid after the kernel returns; asynchronous
// work must copy what it needs.
//
// Thread-safety: a frame is used by one thread at a time.

#ifndef RILL_HOST_RUNTIME_KERNEL_FRAME_H_
#define RILL_HOST_RUNTIME_KERNEL_FRAME_H_

#include <cassert>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/function.h"
#include "host_runtime/location.h"

namespace rill {

class HostContext;

class AsyncKernelFrame {
 public:
  explicit AsyncKernelFrame(const ExecutionContext* exec_ctx)
      : exec_ctx_(exec_ctx) {}
  AsyncKernelFrame(const AsyncKernelFrame&) = delete;
  AsyncKernelFrame& operator=(const AsyncKernelFrame&) = delete;

  // ---- Executor side ----
  // Points the frame at caller-owned storage; no allocation. `location` may be
  // null.
  void Reset(absl::Span<AsyncValue* const> arguments,
             absl::Span<RCReference<AsyncValue>> results,
             absl::Span<const void* const> attributes,
             const ErrorLocation* location,
             absl::Span<const Function* const> functions = {}) {
    arguments_ = arguments;
    results_ = results;
    attributes_ = attributes;
    location_ = location;
    functions_ = functions;
  }

  // Declares that no argument of any kernel run through this frame is an
  // error: the executor skips such kernels itself (spec §5.2), so the typed
  // adaptor need not look again.
  void set_arguments_error_free(bool error_free) {
    arguments_error_free_ = error_free;
  }
  bool arguments_error_free() const { return arguments_error_free_; }

  // ---- Kernel side ----
  const ExecutionContext& GetExecutionContext() const { return *exec_ctx_; }
  HostContext* GetHostContext() const { return exec_ctx_->host(); }
  const ErrorLocation* location() const { return location_; }

  int GetNumArgs() const { return static_cast<int>(arguments_.size()); }
  AsyncValue* GetArgAt(int index) const {
    assert(index >= 0 && index < GetNumArgs());
    return arguments_[index];
  }
  absl::Span<AsyncValue* const> GetArguments() const { return arguments_; }

  int GetNumAttributes() const { return static_cast<int>(attributes_.size()); }
  const void* GetAttributeAt(int index) const {
    assert(index >= 0 && index < GetNumAttributes());
    return attributes_[index];
  }

  // Function operands (spec §2.4): references in attribute-name order, then
  // regions. Owned by the loaded program, which outlives every execution.
  int GetNumFunctions() const { return static_cast<int>(functions_.size()); }
  const Function* GetFunctionAt(int index) const {
    assert(index >= 0 && index < GetNumFunctions());
    return functions_[index];
  }

  int GetNumResults() const { return static_cast<int>(results_.size()); }
  const RCReference<AsyncValue>& GetResultAt(int index) const {
    assert(index >= 0 && index < GetNumResults());
    return results_[index];
  }
  absl::Span<RCReference<AsyncValue>> GetResults() const { return results_; }

  // Stores `value` (+1) as result `index`. The slot must be empty.
  void SetResultAt(int index, RCReference<AsyncValue> value) {
    assert(index >= 0 && index < GetNumResults());
    assert(!results_[index] && "result set twice");
    results_[index] = std::move(value);
  }
  // Stores an available T(args...) as result `index`; the payload is
  // constructed exactly once.
  // Forced inline: it is most of a typed kernel's body (the executor's hot
  // path), and GCC otherwise keeps one out-of-line copy per type.
  template <typename T, typename... Args>
  __attribute__((always_inline)) void EmplaceResultAt(int index,
                                                      Args&&... args) {
    assert(index >= 0 && index < GetNumResults());
    assert(!results_[index] && "result set twice");
    // No reference temporaries: GCC may leave their (null) destructors as
    // calls on this path.
    results_[index].reset(internal::AllocateConcrete<T>(
        typename ConcreteAsyncValue<T>::ConcretePayload{},
        std::forward<Args>(args)...));
  }
  // Stores an unavailable T as result `index` and returns it for the kernel to
  // complete later.
  template <typename T>
  AsyncValueRef<T> AllocateResultAt(int index) {
    AsyncValueRef<T> result = MakeUnconstructedAsyncValueRef<T>();
    SetResultAt(index, result.CopyRCRef());
    return result;
  }
  // Stores an indirect placeholder as result `index` and returns it for
  // forwarding later.
  RCReference<IndirectAsyncValue> AllocateIndirectResultAt(int index) {
    RCReference<IndirectAsyncValue> result = MakeIndirectAsyncValue();
    SetResultAt(index, FormRef<AsyncValue>(result.get()));
    return result;
  }

  // Reports an error (spec §5.3): results not yet set, or set but still
  // unavailable, become the error (with this kernel's location); results
  // already available keep their values, and an indirect result the kernel
  // already forwarded completes with its target (TFRT's rule). Emits the
  // diagnostic through the host's handler. `status` must not be OK.
  void ReportError(absl::Status status);
  template <typename... Args>
  void ReportError(const Args&... message) {
    ReportError(absl::InternalError(absl::StrCat(message...)));
  }

 private:
  const ExecutionContext* exec_ctx_;
  absl::Span<AsyncValue* const> arguments_;
  absl::Span<RCReference<AsyncValue>> results_;
  absl::Span<const void* const> attributes_;
  const ErrorLocation* location_ = nullptr;
  absl::Span<const Function* const> functions_;
  bool arguments_error_free_ = false;
};

// A frame that owns its arguments (holding a reference to each), attributes and
// results.
class KernelFrameBuilder : public AsyncKernelFrame {
 public:
  explicit KernelFrameBuilder(const ExecutionContext& exec_ctx)
      : AsyncKernelFrame(&exec_ctx_copy_), exec_ctx_copy_(exec_ctx) {}

  void AddArg(RCReference<AsyncValue> value) {
    raw_arguments_.push_back(value.get());
    arguments_.push_back(std::move(value));
    Repoint();
  }
  // `storage` must outlive the frame (see attribute.h for its layout).
  void AddAttribute(const void* storage) {
    attributes_.push_back(storage);
    Repoint();
  }
  void AddFunction(const Function* function) {
    functions_.push_back(function);
    Repoint();
  }
  void SetNumResults(int count) {
    results_.resize(count);
    Repoint();
  }
  void SetLocation(ErrorLocation location) {
    location_ = std::move(location);
    Repoint();
  }
  // Takes the results out (the slots become empty).
  std::vector<RCReference<AsyncValue>> ReleaseResults() {
    std::vector<RCReference<AsyncValue>> out = std::move(results_);
    results_.clear();
    results_.resize(out.size());
    Repoint();
    return out;
  }

 private:
  void Repoint() {
    Reset(raw_arguments_, absl::MakeSpan(results_), attributes_,
          location_ ? &*location_ : nullptr, functions_);
  }

  ExecutionContext exec_ctx_copy_;
  std::vector<RCReference<AsyncValue>> arguments_;
  std::vector<AsyncValue*> raw_arguments_;
  std::vector<const void*> attributes_;
  std::vector<const Function*> functions_;
  std::vector<RCReference<AsyncValue>> results_;
  std::optional<ErrorLocation> location_;
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_KERNEL_FRAME_H_
