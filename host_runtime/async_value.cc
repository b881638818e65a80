#include "host_runtime/async_value.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace rill {
namespace internal {

#ifndef NDEBUG
int64_t LiveAsyncValueCount() {
  return LiveAsyncValues().load(std::memory_order_relaxed);
}
#else
int64_t LiveAsyncValueCount() { return -1; }
#endif

uint16_t RegisterTypeInfo(const TypeInfo& info) {
  // Registration happens once per payload type, so a mutex is fine here;
  // readers never take it.
  static std::mutex mu;
  static uint32_t next_id =
      1;  // 0 is reserved for "no type" (unforwarded indirect values).
  std::lock_guard<std::mutex> lock(mu);
  if (next_id >= kTypeChunkSize * kTypeChunkSize) {
    std::fprintf(stderr, "rill: more than %zu async value payload types\n",
                 kTypeChunkSize * kTypeChunkSize - 1);
    std::abort();  // A program bug (unbounded template instantiation), not bad
                   // input.
  }
  const uint32_t id = next_id++;
  std::atomic<const TypeInfo*>& slot = TypeInfoChunks()[id / kTypeChunkSize];
  // relaxed: only this thread (under `mu`) writes chunks.
  const TypeInfo* chunk = slot.load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    // Never freed: ids and their TypeInfo live for the whole process.
    chunk = new TypeInfo[kTypeChunkSize]();
  }
  const_cast<TypeInfo*>(chunk)[id % kTypeChunkSize] = info;
  // release: publishes the entry written above to GetTypeInfo's acquire load.
  // The id itself reaches other threads only through values that are published
  // later still.
  slot.store(chunk, std::memory_order_release);
  return static_cast<uint16_t>(id);
}

}  // namespace internal

void AsyncValue::EnqueueWaiter(internal::WaiterNode* node, uintptr_t word) {
  // The waiter may run on the thread that completes this value.
  internal::ApplyHeldDropsIfAny();
  while (true) {
    if (IsAvailableWord(word)) {
      // The value became available while we were preparing the node: run it
      // here.
      node->invoke(node, /*run=*/true);
      return;
    }
    node->next = PointerOf<internal::WaiterNode>(word);
    const uintptr_t new_word =
        reinterpret_cast<uintptr_t>(node) | (word & kStateMask);
    // release on success: the notifier's acquire (in its exchange) must see the
    // node's contents. acquire on failure: if the value became available, the
    // waiter we run reads its payload.
    if (waiters_and_state_.compare_exchange_weak(word, new_word,
                                                 std::memory_order_release,
                                                 std::memory_order_acquire)) {
      return;
    }
  }
}

void AsyncValue::NotifyAvailable(State state, AsyncValueError* error) {
  assert(state == State::kConcrete || state == State::kError);
  // Threads that see the value available, or run its waiters, are ordered
  // after this thread's held drops.
  internal::ApplyHeldDropsIfAny();
  const uintptr_t new_word =
      reinterpret_cast<uintptr_t>(error) | static_cast<uintptr_t>(state);
  // acq_rel: release publishes the payload (or error) to every thread that
  // later observes the available state; acquire makes the waiter nodes other
  // threads pushed (with release) visible.
  const uintptr_t old =
      waiters_and_state_.exchange(new_word, std::memory_order_acq_rel);
  assert(!IsAvailableWord(old) && "async value made available twice");
  internal::WaiterNode* list = PointerOf<internal::WaiterNode>(old);
  if (list == nullptr) return;
  // The list is newest-first; reverse it so waiters run in registration order.
  internal::WaiterNode* ordered = nullptr;
  while (list != nullptr) {
    internal::WaiterNode* next = list->next;
    list->next = ordered;
    ordered = list;
    list = next;
  }
  while (ordered != nullptr) {
    internal::WaiterNode* next = ordered->next;
    ordered->invoke(ordered, /*run=*/true);
    ordered = next;
  }
}

void AsyncValue::SetStateConcrete() {
  assert(kind_ == Kind::kConcrete && IsConstructed() &&
         "SetStateConcrete needs a constructed value");
  NotifyAvailable(State::kConcrete);
}

void AsyncValue::SetStateConstructed() {
  assert(kind_ == Kind::kConcrete);
  uintptr_t word = waiters_and_state_.load(std::memory_order_relaxed);
  assert(StateOf(word) == State::kUnconstructed && "SetStateConstructed twice");
  // relaxed: kConstructed is not an available state, so it publishes nothing;
  // the CAS only has to preserve waiters pushed concurrently.
  while (!waiters_and_state_.compare_exchange_weak(
      word, (word & ~kStateMask) | static_cast<uintptr_t>(State::kConstructed),
      std::memory_order_relaxed, std::memory_order_relaxed)) {
  }
}

void AsyncValue::SetError(absl::Status status,
                          std::optional<ErrorLocation> location) {
  assert(!status.ok() && "SetError with an OK status");
  if (status.ok())
    status = absl::InternalError("SetError called with an OK status");
  if (kind_ == Kind::kIndirect) {
    auto* error = new AsyncValueError{std::move(status), std::move(location)};
    auto* value = new (internal::AllocateValue(sizeof(ErrorAsyncValue),
                                               alignof(ErrorAsyncValue)))
        ErrorAsyncValue(error);
    static_cast<IndirectAsyncValue*>(this)->ForwardTo(TakeRef(value));
    return;
  }
  const State state = this->state();
  assert((state == State::kUnconstructed || state == State::kConstructed) &&
         "SetError on an available value");
  if (state == State::kConstructed) {
    if (auto destroy = internal::GetTypeInfo(type_id_).destroy_payload)
      destroy(this);
  }
  NotifyAvailable(State::kError,
                  new AsyncValueError{std::move(status), std::move(location)});
}

bool AsyncValue::IsUnique() const {
  const internal::HeldDrops& held = internal::tls_held_drops;
  const uint32_t held_here = held.value == this ? held.count : 0;
  if (refcount_.load(std::memory_order_acquire) - held_here != 1) return false;
  if (kind_ != Kind::kIndirect) return true;
  const AsyncValue* target =
      static_cast<const IndirectAsyncValue*>(this)->target();
  return target != nullptr && target->IsUnique();
}

void AsyncValue::DropRefWithHeld(uint32_t count) {
  internal::HeldDrops& held = internal::tls_held_drops;
  count += held.count;
  held = {nullptr, 0};
  DropRef(count);
}

void AsyncValue::DropRefsOrHold(AsyncValue* const* values, size_t n) {
#ifdef RILL_VALUE_POOL_DISABLED
  for (size_t i = 0; i < n; ++i) values[i]->DropRefOrHold();
#else
  // The blocks for the pool, chained in `values` order: `link` is where the
  // next one's address goes (the chain's last block, once there is one).
  void* head = nullptr;
  void** link = &head;
  uint32_t count = 0;
  uint8_t granules = 0;  // The chain's class (+1): its first value's.
  size_t i = 0;
  while (i < n) {
    // Until the chain has a block, the next value proposes its class.
    if (count == 0) granules = values[i]->fast_free_granules_;
    // Reloaded after each release in place (it may change the hold).
    const AsyncValue* held = internal::tls_held_drops.value;
    // Values the pool takes back, in a loop with no call (its state stays
    // in registers); it stops at the first value released in place.
    for (; granules != 0 && i < n; ++i) {
      AsyncValue* value = values[i];
      // DropRefOrHold's condition for destroying, for a value this thread
      // does not hold (so it holds none of its references), and Destroy's
      // for the pool: acquire, as there.
      if (value == held ||
          value->refcount_.load(std::memory_order_acquire) != 1 ||
          value->fast_free_granules_ != granules ||
          value->waiters_and_state_.load(std::memory_order_acquire) !=
              static_cast<uintptr_t>(State::kConcrete)) {
        break;
      }
#ifndef NDEBUG
      internal::LiveAsyncValues().fetch_sub(1, std::memory_order_relaxed);
#endif
      *link = value;
      link = reinterpret_cast<void**>(value);
      ++count;
    }
    if (i == n) break;
    values[i++]->DropRefOrHold();
  }
  if (count != 0) {
    internal::PoolDeallocateChain(head, link, count, size_t{granules} - 1);
  }
#endif
}

void internal::ApplyHeldDrops() {
  HeldDrops& held = tls_held_drops;
  AsyncValue* value = held.value;
  const uint32_t count = held.count;
  held = {nullptr, 0};
  value->DropRef(count);
}

void AsyncValue::DestroySlow(uintptr_t word) {
#ifndef NDEBUG
  internal::LiveAsyncValues().fetch_sub(1, std::memory_order_relaxed);
#endif
  const State state = StateOf(word);
  if (!IsAvailableWord(word)) {
    // Nobody can make this value available any more, so its waiters can never
    // run. That is a bug in the producer; in release builds free the nodes
    // (dropping what they captured) without running them.
    assert(PointerOf<internal::WaiterNode>(word) == nullptr &&
           "async value destroyed while it still has waiters");
    internal::WaiterNode* node = PointerOf<internal::WaiterNode>(word);
    while (node != nullptr) {
      internal::WaiterNode* next = node->next;
      node->invoke(node, /*run=*/false);
      node = next;
    }
  }
  if (kind_ == Kind::kIndirect) {
    auto* self = static_cast<IndirectAsyncValue*>(this);
    AsyncValue* target = self->value_;
    self->~IndirectAsyncValue();
    internal::FreeValue(self, sizeof(IndirectAsyncValue),
                        alignof(IndirectAsyncValue));
    if (target != nullptr) target->DropRef();
    return;
  }
  const internal::TypeInfo& info = internal::GetTypeInfo(type_id_);
  if (state == State::kConstructed || state == State::kConcrete) {
    if (info.destroy_payload != nullptr) info.destroy_payload(this);
  } else if (state == State::kError) {
    delete PointerOf<AsyncValueError>(word);
  }
  internal::FreeValue(this, info.size, info.align);
}

void IndirectAsyncValue::ForwardTo(RCReference<AsyncValue> value) {
  assert(value && "ForwardTo(null)");
  assert(value.get() != this && "indirect async value forwarded to itself");
  if (!ClaimForward()) {
    assert(false && "indirect async value forwarded twice");
    return;  // Release builds: `value` is dropped; this value keeps its first
             // target.
  }
  CompleteForward(std::move(value));
}

void IndirectAsyncValue::CompleteForward(RCReference<AsyncValue> value) {
  if (!value->IsAvailable()) {
    // Finish forwarding when the target resolves. The waiter keeps this value
    // alive.
    AsyncValue* target = value.get();
    target->AndThen([self = FormRef(this), value = std::move(value)]() mutable {
      self->CompleteForward(std::move(value));
    });
    return;
  }
  if (value->IsIndirect()) {
    // Collapse the chain: an available indirect value always points at a
    // non-indirect one.
    value = FormRef(static_cast<IndirectAsyncValue*>(value.get())->value_);
  }
  value_ = value.release();
  type_id_ = value_->type_id_;
  // NotifyAvailable's release publishes value_ and type_id_ together with the
  // state.
  NotifyAvailable(value_->state());
}

}  // namespace rill
