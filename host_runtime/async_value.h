// Declares `AsyncValue`, Rill's type-erased future: a reference-counted cell
// that is first unavailable and later becomes available exactly once, holding
// either a payload of some type `T` (concrete) or an error (`absl::Status` plus
// an optional `ErrorLocation`). Also declares `ConcreteAsyncValue<T>`,
// `ErrorAsyncValue` and `IndirectAsyncValue` (a placeholder that is later
// forwarded to another value). Typed handles live in async_value_ref.h.
//
// States: kUnconstructed -> {kConstructed, kConcrete, kError}; kConstructed ->
// {kConcrete, kError}. kConcrete and kError are terminal and are called
// "available".
//
// Thread-safety: all state transitions and waiter registration are lock-free
// and may race with each other from any threads. The payload may be written
// only by the producer while the value is unavailable, and read by anyone once
// it is available; availability is published with release semantics and
// observed with acquire semantics, so a reader that saw `IsAvailable()` (or
// runs in an `AndThen` callback) sees the payload. Waiters run on the thread
// that makes the value available, or immediately on the registering thread if
// it already is. Reference counts are exact on every thread except that a
// thread may hold releases of one value (internal::HeldDrops, for the
// executor): it sees them as released, and applies them before it can let
// another thread observe the value.
//
// Hot-path design: no vtable and no RTTI. Each payload type gets a dense 16-bit
// id at first use, and a process-wide table maps ids to the payload's
// destructor and size. Values are allocated from a thread-local size-class pool
// (internal/value_pool.h). The 64-bit state word holds the waiter list while
// unavailable and, once in the error state, the error itself (an available
// value never has waiters), so error storage costs no extra bytes.

#ifndef RILL_HOST_RUNTIME_ASYNC_VALUE_H_
#define RILL_HOST_RUNTIME_ASYNC_VALUE_H_

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "host_runtime/internal/value_pool.h"
#include "host_runtime/location.h"
#include "host_runtime/ref_count.h"

namespace rill {

class AsyncValue;
class IndirectAsyncValue;
template <typename T>
class ConcreteAsyncValue;

// What an error value holds. Immutable once the value is available.
struct AsyncValueError {
  absl::Status status;
  std::optional<ErrorLocation> location;
};

namespace internal {

// Per-payload-type operations, found through the value's 16-bit type id.
struct TypeInfo {
  // Runs the payload's destructor (the payload must be constructed); null when
  // the payload is trivially destructible, so destroying such values costs no
  // indirect call.
  void (*destroy_payload)(AsyncValue* value);
  uint32_t
      size;  // sizeof(ConcreteAsyncValue<T>): what to return to the allocator.
  uint32_t align;  // alignof(ConcreteAsyncValue<T>).
};

// Registers a payload type; returns its id (ids start at 1). Thread-safe;
// called once per type.
uint16_t RegisterTypeInfo(const TypeInfo& info);

inline constexpr size_t kTypeChunkSize = 256;
// Chunks of the id -> TypeInfo table. A chunk is published (release) before any
// id in it is handed out, and a value can only carry an id that was handed out,
// so readers need only acquire. A function-local static with constant (zero)
// initialization: usable from any static initializer (types register during
// static initialization) and free of a guard check.
inline std::atomic<const TypeInfo*>* TypeInfoChunks() {
  static std::atomic<const TypeInfo*> chunks[kTypeChunkSize];
  return chunks;
}

inline const TypeInfo& GetTypeInfo(uint16_t id) {
  return TypeInfoChunks()[id / kTypeChunkSize].load(
      std::memory_order_acquire)[id % kTypeChunkSize];
}

template <typename T>
uint16_t TypeIdOf();

// A node of a value's waiter list. The callable is stored inline after the
// header; `invoke` runs it (if `run`) and then destroys and frees the node.
struct WaiterNode {
  WaiterNode* next;
  void (*invoke)(WaiterNode* self, bool run);
};

template <typename F>
struct WaiterNodeImpl final : WaiterNode {
  explicit WaiterNodeImpl(F&& f) : fn(std::move(f)) { invoke = &Invoke; }
  static void Invoke(WaiterNode* base, bool run) {
    auto* self = static_cast<WaiterNodeImpl*>(base);
    if (run) self->fn();
    self->~WaiterNodeImpl();
    PoolDeallocate(self, sizeof(WaiterNodeImpl));
  }
  F fn;
};

// Bytes allocated for async values and not yet freed: -1 unless assertions are
// enabled (the count costs a shared atomic per value, so release builds do not
// keep it).
int64_t LiveAsyncValueCount();
#ifndef NDEBUG
inline std::atomic<int64_t>& LiveAsyncValues() {
  static std::atomic<int64_t> live{0};  // Constant-initialized, as above.
  return live;
}
#endif

// References to one async value that this thread has released but not yet
// subtracted from its count (AsyncValue::DropRefOrHold). On this thread they
// count as released: NumRef, IsUnique and DropRef discount them. Every point
// where this thread can let another thread observe the value applies them
// first: AddRef of the value, making any value available, registering a
// waiter, every work-queue enqueue and the executor's own hand-offs
// (docs/host_runtime.md, "Held drops"). Trivially constructible, so the hot
// paths read it without a TLS init guard.
struct HeldDrops {
  AsyncValue* value;  // Null when nothing is held.
  uint32_t count;
};
inline thread_local HeldDrops tls_held_drops;

// Subtracts this thread's held references in one read-modify-write (and
// destroys the value if they were the last).
void ApplyHeldDrops();
inline void ApplyHeldDropsIfAny() {
  if (__builtin_expect(tls_held_drops.value != nullptr, 0)) ApplyHeldDrops();
}

template <typename T>
struct TypeIdCache;  // Below: T's id in one plain load.

}  // namespace internal

class AsyncValue {
 public:
  enum class State : uint8_t {
    kUnconstructed = 0,  // Payload not constructed; unavailable.
    kConstructed =
        1,          // Payload constructed but not yet published; unavailable.
    kConcrete = 2,  // Payload available. Terminal.
    kError = 3,     // Error available. Terminal.
  };

  AsyncValue(const AsyncValue&) = delete;
  AsyncValue& operator=(const AsyncValue&) = delete;

  // ---- State
  // ----------------------------------------------------------------------------------
  // An indirect value reports its target's state once forwarded, kUnconstructed
  // before.
  State state() const {
    return StateOf(waiters_and_state_.load(std::memory_order_acquire));
  }
  bool IsAvailable() const {
    return IsAvailableWord(waiters_and_state_.load(std::memory_order_acquire));
  }
  bool IsUnavailable() const { return !IsAvailable(); }
  bool IsConcrete() const { return state() == State::kConcrete; }
  bool IsError() const { return state() == State::kError; }
  bool IsConstructed() const { return state() == State::kConstructed; }
  bool IsUnconstructed() const { return state() == State::kUnconstructed; }
  bool IsIndirect() const { return kind_ == Kind::kIndirect; }

  // ---- Reference counting
  // ---------------------------------------------------------------------
  AsyncValue* AddRef(uint32_t count = 1) {
    // The new reference may go to another thread, which must see the count
    // without this thread's held drops.
    if (__builtin_expect(internal::tls_held_drops.value == this, 0)) {
      internal::ApplyHeldDrops();  // Cannot destroy: the caller holds one.
    }
    // relaxed: the caller holds a reference, so the value cannot be destroyed
    // concurrently.
    refcount_.fetch_add(count, std::memory_order_relaxed);
    return this;
  }
  void DropRef(uint32_t count = 1) {
    // Same scheme as ReferenceCounted::DropRef: the sole owner skips the RMW;
    // otherwise acq_rel orders every owner's accesses before the destroying
    // thread's. (With drops of this value held here the load exceeds `count`,
    // so the fast path cannot misfire.)
    if (refcount_.load(std::memory_order_acquire) == count) {
      Destroy();
    } else if (__builtin_expect(internal::tls_held_drops.value == this, 0)) {
      DropRefWithHeld(count);
    } else if (refcount_.fetch_sub(count, std::memory_order_acq_rel) == count) {
      Destroy();
    }
  }
  // Releases one reference like DropRef, but when it is not the last one the
  // release may be held on this thread (internal::HeldDrops) and subtracted
  // later together with others of the same value, so a value used by many
  // kernels on one thread costs one read-modify-write instead of one per use.
  // The release that leaves only this thread's held references destroys the
  // value at once, as DropRef would. For the executor, which applies the hold
  // (internal::ApplyHeldDrops) before its loop returns; a caller must too.
  // Forced inline: the executor calls it once per operand of every kernel,
  // and GCC does not always inline it on its own.
  [[gnu::always_inline]] void DropRefOrHold() {
    internal::HeldDrops& held = internal::tls_held_drops;
    const uint32_t mine = held.value == this ? held.count : 0;
    // acquire, as in DropRef: the count is this thread's held references plus
    // the one being released exactly when every other owner has released (the
    // count only falls then: nobody is left to add), and their acq_rel RMWs
    // are in the sequence this load reads.
    if (refcount_.load(std::memory_order_acquire) == mine + 1) {
      if (mine != 0) held = {nullptr, 0};
      Destroy();
      return;
    }
    if (mine == 0) {
      if (held.value != nullptr) {
        // One value at a time, and the held one keeps its hold: switching
        // would cost two RMWs per kernel when uses of two shared values
        // alternate (a fan-out whose leaves also take a shared chain).
        if (refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy();
        return;
      }
      held.value = this;
    }
    held.count = mine + 1;
  }
  // DropRefOrHold() on each of `values`, in order, for a caller that releases
  // many at once (a wide fan-in's operands): the last references of
  // concrete, pooled, trivially destructible values of one size class are
  // chained here and handed to the pool in one splice
  // (internal::PoolDeallocateChain). Those frees have no observable effect,
  // so only their timing within the call changes; every other release
  // (shared, held, errors, payloads with destructors) happens in its place.
  static void DropRefsOrHold(AsyncValue* const* values, size_t n);
  // For an owner about to release its reference: true when that reference
  // is the only one (none is held on any thread: a hold is counted in the
  // count), the value is concrete with no waiters left, its payload is
  // trivially destructible and its block is pooled. Such a value is dead
  // once released, so instead its block may become a new value in place
  // (ConcreteAsyncValue<T>::Reuse); the owner then must not release it.
  // acquire, as in DropRef: every other owner's accesses happen before.
  bool IsSoleAndReusable() const {
    // The count first: a shared operand (a fan-out's root) fails at once.
    return refcount_.load(std::memory_order_acquire) == 1 &&
           fast_free_granules_ != 0 &&
           waiters_and_state_.load(std::memory_order_acquire) ==
               static_cast<uintptr_t>(State::kConcrete);
  }
  // For tests and diagnostics; may be stale (but never counts this thread's
  // held drops).
  uint32_t NumRef() const {
    const internal::HeldDrops& held = internal::tls_held_drops;
    return refcount_.load(std::memory_order_relaxed) -
           (held.value == this ? held.count : 0);
  }
  // True iff the caller holds the only reference; for an indirect value, also
  // iff it is forwarded and its target is unique (spec §5.8).
  bool IsUnique() const;

  // ---- Payload
  // --------------------------------------------------------------------------------
  // Returns the payload. Requires a constructed or concrete payload of type `T`
  // (checked in debug builds); for an indirect value, requires that it was
  // forwarded.
  template <typename T>
  T& get();
  template <typename T>
  const T& get() const {
    return const_cast<AsyncValue*>(this)->get<T>();
  }
  // True if the payload type is `T`. Indirect values answer for their target
  // once forwarded.
  template <typename T>
  bool IsType() const {
    return type_id_ == internal::TypeIdOf<T>();
  }
  // True if this is a concrete value of type `T` (an indirect value: if its
  // target is). For direct kernel entries (kernel_registry.h): one plain load
  // of T's id and no registration call, so the entry needs no stack frame.
  // T's cached id is 0 only during static initialization, and 0 is no
  // concrete value's id, so then the answer is a safe false.
  template <typename T>
  bool IsConcreteOf() const;

  // Constructs the payload in place and makes the value concrete. Requires
  // kUnconstructed.
  template <typename T, typename... Args>
  void emplace(Args&&... args);
  // Makes a constructed value concrete.
  void SetStateConcrete();
  // Marks the payload as constructed (still unavailable). Requires
  // kUnconstructed.
  void SetStateConstructed();

  // ---- Errors
  // ---------------------------------------------------------------------------------
  // Makes the value an error. Requires an unavailable value and a non-OK
  // `status`. Destroys a constructed payload. On an unforwarded indirect value,
  // forwards it to a new error value.
  void SetError(absl::Status status,
                std::optional<ErrorLocation> location = std::nullopt);
  // Requires IsError().
  const absl::Status& GetError() const { return GetErrorInfo().status; }
  const std::optional<ErrorLocation>& GetErrorLocation() const {
    return GetErrorInfo().location;
  }
  const AsyncValueError& GetErrorInfo() const;
  // The error if IsError(), else null.
  const absl::Status* GetErrorIfPresent() const {
    return IsError() ? &GetError() : nullptr;
  }

  // ---- Waiting
  // --------------------------------------------------------------------------------
  // Runs `waiter()` once the value is available: immediately on this thread if
  // it already is, otherwise on the thread that makes it available. Waiters
  // registered on an unavailable value run in registration order. The caller
  // must keep the value alive until the waiter has run. Lock-free: registration
  // is a CAS loop that fails only when another thread made progress.
  template <typename Waiter>
  void AndThen(Waiter&& waiter) {
    const uintptr_t word = waiters_and_state_.load(std::memory_order_acquire);
    if (IsAvailableWord(word)) {
      waiter();
      return;
    }
    using Node = internal::WaiterNodeImpl<std::decay_t<Waiter>>;
    static_assert(alignof(Node) <= internal::kPoolGranule,
                  "over-aligned waiter");
    auto* node = new (internal::PoolAllocate(sizeof(Node)))
        Node(std::forward<Waiter>(waiter));
    EnqueueWaiter(node, word);
  }

 protected:
  enum class Kind : uint8_t { kConcrete = 0, kIndirect = 1 };

  AsyncValue(Kind kind, State state, uint16_t type_id)
      : refcount_(1),
        kind_(kind),
        type_id_(type_id),
        waiters_and_state_(static_cast<uintptr_t>(state)) {
#ifndef NDEBUG
    internal::LiveAsyncValues().fetch_add(1, std::memory_order_relaxed);
#endif
  }
  // Constructs an error value.
  AsyncValue(uint16_t type_id, AsyncValueError* error)
      : refcount_(1),
        kind_(Kind::kConcrete),
        type_id_(type_id),
        waiters_and_state_(reinterpret_cast<uintptr_t>(error) |
                           static_cast<uintptr_t>(State::kError)) {
#ifndef NDEBUG
    internal::LiveAsyncValues().fetch_add(1, std::memory_order_relaxed);
#endif
  }
  ~AsyncValue() = default;

  static constexpr uintptr_t kStateMask = 3;
  static State StateOf(uintptr_t word) {
    return static_cast<State>(word & kStateMask);
  }
  static bool IsAvailableWord(uintptr_t word) {
    return (word & kStateMask) >= static_cast<uintptr_t>(State::kConcrete);
  }
  template <typename T>
  static T* PointerOf(uintptr_t word) {
    return reinterpret_cast<T*>(word & ~kStateMask);
  }

  // Publishes the terminal `state` (with `error` for kError) and runs the
  // waiters.
  void NotifyAvailable(State state, AsyncValueError* error = nullptr);
  void EnqueueWaiter(internal::WaiterNode* node, uintptr_t observed_word);
  // Frees a concrete trivially destructible value inline; anything else
  // (errors, indirect values, payloads with destructors, waiters left behind)
  // takes DestroySlow.
  void Destroy() {
    // acquire: pairs with the release of NotifyAvailable/EnqueueWaiter on
    // other threads (the refcount's acq_rel already orders them).
    const uintptr_t word = waiters_and_state_.load(std::memory_order_acquire);
    if (fast_free_granules_ != 0 &&
        word == static_cast<uintptr_t>(State::kConcrete)) {
#ifndef NDEBUG
      internal::LiveAsyncValues().fetch_sub(1, std::memory_order_relaxed);
#endif
      internal::PoolDeallocateClass(this, size_t{fast_free_granules_} - 1);
      return;
    }
    DestroySlow(word);
  }
  void DestroySlow(uintptr_t word);
  [[gnu::noinline]] void DropRefWithHeld(uint32_t count);
  // The value whose payload/error this one exposes: itself, or an indirect
  // value's target.
  AsyncValue* Resolved();
  const AsyncValue* Resolved() const {
    return const_cast<AsyncValue*>(this)->Resolved();
  }

  std::atomic<uint32_t> refcount_;
  Kind kind_;
  // For a concrete value whose payload is trivially destructible and whose
  // block came from the pool: the block's size in pool granules, so that
  // dropping the last reference is a free-list push with no table lookup or
  // call (the executor's hot path). 0 otherwise.
  uint8_t fast_free_granules_ = 0;
  // Written once before the value is published (indirect values: when
  // forwarded).
  uint16_t type_id_;
  // Low 2 bits: State. The rest: the waiter list head while unavailable; the
  // AsyncValueError* in the kError state of a concrete value; null otherwise.
  std::atomic<uintptr_t> waiters_and_state_;

  template <typename T>
  friend class ConcreteAsyncValue;
  friend class IndirectAsyncValue;
};

static_assert(sizeof(AsyncValue) == 16, "AsyncValue header must stay 16 bytes");

// An async value whose payload type `T` is known. Allocate through the
// factories in async_value_ref.h, never on the stack.
template <typename T>
class ConcreteAsyncValue : public AsyncValue {
 public:
  struct UnconstructedPayload {};
  struct ConstructedPayload {};
  struct ConcretePayload {};

  explicit ConcreteAsyncValue(UnconstructedPayload)
      : AsyncValue(Kind::kConcrete, State::kUnconstructed,
                   internal::TypeIdOf<T>()) {
    fast_free_granules_ = FastFreeGranules();
  }
  template <typename... Args>
  explicit ConcreteAsyncValue(ConstructedPayload, Args&&... args)
      : AsyncValue(Kind::kConcrete, State::kConstructed,
                   internal::TypeIdOf<T>()) {
    fast_free_granules_ = FastFreeGranules();
    new (&storage_) T(std::forward<Args>(args)...);
  }
  template <typename... Args>
  explicit ConcreteAsyncValue(ConcretePayload, Args&&... args)
      : AsyncValue(Kind::kConcrete, State::kConcrete, internal::TypeIdOf<T>()) {
    fast_free_granules_ = FastFreeGranules();
    new (&storage_) T(std::forward<Args>(args)...);
  }
  // An error value (used by ErrorAsyncValue).
  explicit ConcreteAsyncValue(AsyncValueError* error)
      : AsyncValue(internal::TypeIdOf<T>(), error) {}

  T& payload() { return *std::launder(reinterpret_cast<T*>(&storage_)); }

  // Ends `value`'s life and makes its block a concrete T(args...) with one
  // reference, when the block is of this value's pool size class; else
  // returns null and leaves `value` alone. `value` must satisfy
  // IsSoleAndReusable() (so nothing else can see the change). Saves a free
  // and an allocation of the same size: a kernel's result in the block of
  // the operand it consumed. Also null while T's cached id is not set yet
  // (static initialization): Reuse makes no registration call, which keeps a
  // direct kernel entry free of calls on this path.
  template <typename... Args>
  __attribute__((always_inline)) static ConcreteAsyncValue* Reuse(
      AsyncValue* value, Args&&... args) {
    static_assert(FastFreeGranules() != 0,
                  "only pooled, trivially destructible payloads");
    assert(value->IsSoleAndReusable());
    const uint16_t id = internal::TypeIdCache<T>::id;
    if (value->fast_free_granules_ != FastFreeGranules() || id == 0) {
      return nullptr;
    }
#ifndef NDEBUG
    // The constructor counts the new value; the old one is gone.
    internal::LiveAsyncValues().fetch_sub(1, std::memory_order_relaxed);
#endif
    return new (static_cast<void*>(value))
        ConcreteAsyncValue(KnownTypeId{}, id, std::forward<Args>(args)...);
  }
  // Whether Reuse is available for T (a pooled, trivially destructible
  // payload).
  static constexpr bool CanReuse() { return FastFreeGranules() != 0; }
  // A concrete T(args...) with one reference in a block from this thread's
  // pool list, made without any call; null (with `args` untouched) when the
  // list is empty or T's cached id is not set yet, and the caller allocates
  // as usual. For direct kernel entries, as Reuse; requires CanReuse().
  template <typename... Args>
  __attribute__((always_inline)) static ConcreteAsyncValue* TryNewFromPool(
      Args&&... args) {
    static_assert(FastFreeGranules() != 0,
                  "only pooled, trivially destructible payloads");
    const uint16_t id = internal::TypeIdCache<T>::id;
    if (id == 0) return nullptr;
    void* block = internal::PoolTryAllocateClass(FastFreeGranules() - 1);
    if (block == nullptr) return nullptr;
    return new (block)
        ConcreteAsyncValue(KnownTypeId{}, id, std::forward<Args>(args)...);
  }

  template <typename... Args>
  void emplace(Args&&... args) {
    assert(IsUnconstructed() && "emplace on a value that is not unconstructed");
    new (&storage_) T(std::forward<Args>(args)...);
    NotifyAvailable(State::kConcrete);
  }

  static void DestroyPayload(AsyncValue* value) {
    static_cast<ConcreteAsyncValue*>(value)->payload().~T();
  }

 private:
  // A concrete value whose type id the caller has (Reuse).
  struct KnownTypeId {};
  template <typename... Args>
  ConcreteAsyncValue(KnownTypeId, uint16_t type_id, Args&&... args)
      : AsyncValue(Kind::kConcrete, State::kConcrete, type_id) {
    fast_free_granules_ = FastFreeGranules();
    new (&storage_) T(std::forward<Args>(args)...);
  }

  // See fast_free_granules_. Values are allocated by internal::AllocateValue
  // (the factories in async_value_ref.h), which uses the pool exactly when
  // the alignment allows it and the size fits.
  static constexpr uint8_t FastFreeGranules() {
    constexpr size_t size = sizeof(ConcreteAsyncValue);
    if (!std::is_trivially_destructible<T>::value ||
        alignof(ConcreteAsyncValue) > internal::kPoolGranule ||
        size > internal::kPoolMaxSize) {
      return 0;
    }
    return static_cast<uint8_t>((size + internal::kPoolGranule - 1) /
                                internal::kPoolGranule);
  }

  alignas(T) unsigned char storage_[sizeof(T)];
};

// The payload type of error values created without a type.
struct DummyValueForErrorAsyncValue {};

using ErrorAsyncValue = ConcreteAsyncValue<DummyValueForErrorAsyncValue>;

// A placeholder of not-yet-known type, later forwarded to another value (spec
// §5.1): it becomes available when the target does, with the target's payload
// or error. Forwarding chains collapse, so a forwarded indirect value always
// points at a non-indirect value.
class IndirectAsyncValue : public AsyncValue {
 public:
  IndirectAsyncValue()
      : AsyncValue(Kind::kIndirect, State::kUnconstructed, 0) {}

  // Forwards to `value`. Only the first ForwardTo (or SetError) on a value
  // takes effect: a second one is a bug (asserted in debug builds) and releases
  // `value` without touching this one, so a double forward can never notify
  // twice. If `value` is unavailable, forwarding completes when it becomes
  // available. Thread-safe with respect to concurrent readers and waiters.
  void ForwardTo(RCReference<AsyncValue> value);

  // True once ForwardTo or SetError has been called (the value may still be
  // unavailable while its target is).
  bool IsForwarded() const {
    return forwarded_.load(std::memory_order_acquire);
  }

  // The forwarding target, or null if not yet forwarded and available.
  AsyncValue* target() const { return IsAvailable() ? value_ : nullptr; }

 private:
  friend class AsyncValue;
  // Claims the right to forward; false if someone already did.
  bool ClaimForward() {
    // acq_rel: exactly one caller wins; the winner's later writes are published
    // by NotifyAvailable's release.
    return !forwarded_.exchange(true, std::memory_order_acq_rel);
  }
  void CompleteForward(RCReference<AsyncValue> value);

  // Written once by the forwarding thread before NotifyAvailable publishes it.
  AsyncValue* value_ = nullptr;
  std::atomic<bool> forwarded_{false};
};

// ---- Inline definitions
// -------------------------------------------------------------------------

namespace internal {

// Registers T on first use. A function-local static is thread-safe and immune
// to static-initialization order.
template <typename T>
uint16_t RegisteredTypeId() {
  static_assert(!std::is_reference<T>::value && !std::is_const<T>::value,
                "use the bare type");
  using Value = ConcreteAsyncValue<T>;
  static const uint16_t id = RegisterTypeInfo(TypeInfo{
      std::is_trivially_destructible<T>::value ? nullptr
                                               : &Value::DestroyPayload,
      static_cast<uint32_t>(sizeof(Value)),
      static_cast<uint32_t>(alignof(Value))});
  return id;
}

// The id, also filled in during static initialization, so the hot path is one
// plain load. Zero until then (e.g. when read from another static initializer):
// fall back to the guarded path.
template <typename T>
struct TypeIdCache {
  static const uint16_t id;
};
template <typename T>
const uint16_t TypeIdCache<T>::id = RegisteredTypeId<T>();

template <typename T>
inline uint16_t TypeIdOf() {
  const uint16_t id = TypeIdCache<T>::id;
  return id != 0 ? id : RegisteredTypeId<T>();
}

// Allocation of async values: pooled unless over-aligned.
inline void* AllocateValue(size_t size, size_t align) {
  if (align <= kPoolGranule) return PoolAllocate(size);
  return ::operator new(size, std::align_val_t(align));
}
inline void FreeValue(void* p, size_t size, size_t align) {
  if (align <= kPoolGranule) return PoolDeallocate(p, size);
  ::operator delete(p, std::align_val_t(align));
}

}  // namespace internal

inline AsyncValue* AsyncValue::Resolved() {
  if (kind_ == Kind::kIndirect) {
    AsyncValue* target = static_cast<IndirectAsyncValue*>(this)->value_;
    assert(target != nullptr &&
           "indirect async value read before it was forwarded");
    return target;
  }
  return this;
}

template <typename T>
T& AsyncValue::get() {
  AsyncValue* value = Resolved();
  assert(value->type_id_ == internal::TypeIdOf<T>() &&
         "AsyncValue::get<T>() with the wrong T");
  assert((value->IsConcrete() || value->IsConstructed()) &&
         "AsyncValue::get<T>() without payload");
  return static_cast<ConcreteAsyncValue<T>*>(value)->payload();
}

template <typename T>
bool AsyncValue::IsConcreteOf() const {
  return IsConcrete() && type_id_ == internal::TypeIdCache<T>::id;
}

template <typename T, typename... Args>
void AsyncValue::emplace(Args&&... args) {
  assert(kind_ == Kind::kConcrete && type_id_ == internal::TypeIdOf<T>());
  static_cast<ConcreteAsyncValue<T>*>(this)->emplace(
      std::forward<Args>(args)...);
}

inline const AsyncValueError& AsyncValue::GetErrorInfo() const {
  const AsyncValue* value = Resolved();
  const uintptr_t word =
      value->waiters_and_state_.load(std::memory_order_acquire);
  assert(StateOf(word) == State::kError &&
         "GetError() on a value that is not an error");
  return *PointerOf<AsyncValueError>(word);
}

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_ASYNC_VALUE_H_
