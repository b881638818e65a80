// Declares the typed handles over AsyncValue and the functions that create and
// combine values:
//   AsyncValueRef<T>  owning typed reference (one refcount);
//   AsyncValuePtr<T>  non-owning typed pointer (no refcount traffic; the caller
//   guarantees lifetime);
//   Make{Available,Constructed,Unconstructed,Error}AsyncValueRef,
//   MakeIndirectAsyncValue; RunWhenReady(values, fn): runs `fn` once every
//   value is available; BlockUntilReady(value):   blocks the calling thread
//   (never a non-blocking pool worker).
//
// Calling convention (TFRT's): functions that take `AsyncValue*` borrow it
// (+0); functions that return `RCReference`/`AsyncValueRef` hand over one
// reference (+1).
//
// Thread-safety: as AsyncValue. A handle object itself is not synchronized.

#ifndef RILL_HOST_RUNTIME_ASYNC_VALUE_REF_H_
#define RILL_HOST_RUNTIME_ASYNC_VALUE_REF_H_

#include <atomic>
#include <cassert>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/chain.h"
#include "host_runtime/ref_count.h"
#include "host_runtime/task_function.h"

namespace rill {

template <typename T>
class AsyncValueRef;

// A non-owning typed view of an AsyncValue. Cheap to copy and to capture: use
// it in continuations whose lifetime is bounded by an owning reference held
// elsewhere.
template <typename T>
class AsyncValuePtr {
 public:
  AsyncValuePtr() = default;
  explicit AsyncValuePtr(AsyncValue* value) : value_(value) {}

  AsyncValue* value() const { return value_; }
  explicit operator bool() const { return value_ != nullptr; }
  T& get() const { return value_->get<T>(); }
  T* operator->() const { return &get(); }
  T& operator*() const { return get(); }

  bool IsAvailable() const { return value_->IsAvailable(); }
  bool IsUnavailable() const { return value_->IsUnavailable(); }
  bool IsConcrete() const { return value_->IsConcrete(); }
  bool IsError() const { return value_->IsError(); }
  const absl::Status& GetError() const { return value_->GetError(); }

  template <typename... Args>
  void emplace(Args&&... args) const {
    value_->emplace<T>(std::forward<Args>(args)...);
  }
  void SetStateConcrete() const { value_->SetStateConcrete(); }
  void SetError(absl::Status status) const {
    value_->SetError(std::move(status));
  }

  template <typename Waiter>
  void AndThen(Waiter&& waiter) const {
    value_->AndThen(std::forward<Waiter>(waiter));
  }

  // +1: a new owning reference.
  AsyncValueRef<T> CopyRef() const;

 private:
  AsyncValue* value_ = nullptr;
};

// An owning, typed reference to an AsyncValue whose payload (once concrete) is
// a `T`.
template <typename T>
class AsyncValueRef {
 public:
  AsyncValueRef() = default;
  AsyncValueRef(std::nullptr_t) {}  // NOLINT(runtime/explicit)
  explicit AsyncValueRef(RCReference<AsyncValue> value)
      : value_(std::move(value)) {}

  AsyncValueRef(AsyncValueRef&&) noexcept = default;
  AsyncValueRef& operator=(AsyncValueRef&&) noexcept = default;
  AsyncValueRef(const AsyncValueRef&) = delete;
  AsyncValueRef& operator=(const AsyncValueRef&) = delete;

  explicit operator bool() const { return value_.get() != nullptr; }
  AsyncValue* GetAsyncValue() const { return value_.get(); }
  AsyncValuePtr<T> AsPtr() const { return AsyncValuePtr<T>(value_.get()); }

  T& get() const { return value_->get<T>(); }
  T* operator->() const { return &get(); }
  T& operator*() const { return get(); }

  bool IsAvailable() const { return value_->IsAvailable(); }
  bool IsUnavailable() const { return value_->IsUnavailable(); }
  bool IsConcrete() const { return value_->IsConcrete(); }
  bool IsError() const { return value_->IsError(); }
  bool IsUnique() const { return value_->IsUnique(); }
  const absl::Status& GetError() const { return value_->GetError(); }
  const absl::Status* GetErrorIfPresent() const {
    return value_->GetErrorIfPresent();
  }

  template <typename... Args>
  void emplace(Args&&... args) const {
    value_->emplace<T>(std::forward<Args>(args)...);
  }
  void SetStateConcrete() const { value_->SetStateConcrete(); }
  void SetError(absl::Status status,
                std::optional<ErrorLocation> location = std::nullopt) const {
    value_->SetError(std::move(status), std::move(location));
  }
  // Sets the payload from a StatusOr: the value or the error.
  void Set(absl::StatusOr<T> value_or) const {
    if (value_or.ok()) {
      emplace(*std::move(value_or));
    } else {
      SetError(value_or.status());
    }
  }

  template <typename Waiter>
  void AndThen(Waiter&& waiter) const {
    value_->AndThen(std::forward<Waiter>(waiter));
  }

  AsyncValueRef CopyRef() const { return AsyncValueRef(value_.CopyRef()); }
  RCReference<AsyncValue> CopyRCRef() const { return value_.CopyRef(); }
  // Gives up the typed handle, keeping the reference (+0).
  RCReference<AsyncValue> ReleaseRCRef() { return std::move(value_); }
  AsyncValue* release() { return value_.release(); }
  void reset() { value_.reset(); }

 private:
  RCReference<AsyncValue> value_;
};

template <typename T>
AsyncValueRef<T> AsyncValuePtr<T>::CopyRef() const {
  return AsyncValueRef<T>(FormRef(value_));
}

namespace internal {

// Forced inline (with MakeAvailableAsyncValueRef): a pool pop and four
// stores, on every kernel's path.
template <typename T, typename... Args>
__attribute__((always_inline)) inline ConcreteAsyncValue<T>* AllocateConcrete(
    Args&&... args) {
  using Value = ConcreteAsyncValue<T>;
  return new (AllocateValue(sizeof(Value), alignof(Value)))
      Value(std::forward<Args>(args)...);
}

}  // namespace internal

// Makes an available (concrete) value holding `T(args...)`.
template <typename T, typename... Args>
__attribute__((always_inline)) inline AsyncValueRef<T>
MakeAvailableAsyncValueRef(Args&&... args) {
  return AsyncValueRef<T>(TakeRef<AsyncValue>(internal::AllocateConcrete<T>(
      typename ConcreteAsyncValue<T>::ConcretePayload{},
      std::forward<Args>(args)...)));
}

// Makes an unavailable value whose payload is already constructed; publish it
// with SetStateConcrete() (or discard it with SetError()).
template <typename T, typename... Args>
AsyncValueRef<T> MakeConstructedAsyncValueRef(Args&&... args) {
  return AsyncValueRef<T>(TakeRef<AsyncValue>(internal::AllocateConcrete<T>(
      typename ConcreteAsyncValue<T>::ConstructedPayload{},
      std::forward<Args>(args)...)));
}

// Makes an unavailable value without payload; complete it with emplace() or
// SetError().
template <typename T>
AsyncValueRef<T> MakeUnconstructedAsyncValueRef() {
  return AsyncValueRef<T>(TakeRef<AsyncValue>(internal::AllocateConcrete<T>(
      typename ConcreteAsyncValue<T>::UnconstructedPayload{})));
}

// Makes an available error value. `status` must not be OK.
RCReference<AsyncValue> MakeErrorAsyncValueRef(
    absl::Status status, std::optional<ErrorLocation> location = std::nullopt);

// Makes an indirect value to forward later (IndirectAsyncValue::ForwardTo).
RCReference<IndirectAsyncValue> MakeIndirectAsyncValue();

// Returns an available Chain. Chains carry no data; this allocates a fresh
// pooled value.
inline AsyncValueRef<Chain> MakeReadyChain() {
  return MakeAvailableAsyncValueRef<Chain>();
}

// Runs `callee()` once every value in `values` is available (immediately if
// they already are), on the thread that completes the last one. The caller must
// keep the values alive until then. Lock-free: one atomic counter decrement per
// unavailable value.
void RunWhenReady(absl::Span<AsyncValue* const> values, TaskFunction callee);

// As above, holding a reference to each value until `callee` has run.
void RunWhenReady(absl::Span<const RCReference<AsyncValue>> values,
                  TaskFunction callee);

// Blocks the calling thread until `value` is available: spins briefly, then
// sleeps. Must not be called from a non-blocking pool worker
// (ConcurrentWorkQueue::Await helps with work instead).
void BlockUntilReady(AsyncValue* value);

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_ASYNC_VALUE_REF_H_
