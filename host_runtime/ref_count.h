// Declares intrusive reference counting for Rill's runtime objects: the
// `ReferenceCounted<T>` CRTP base (no vtable) and the owning smart pointer
// `RCReference<T>`.
//
// Thread-safety: the count is atomic, so references may be added and dropped
// concurrently from any thread. An `RCReference` object itself is not
// synchronized (like `std::shared_ptr`): two threads must not mutate the same
// `RCReference` concurrently.

#ifndef RILL_HOST_RUNTIME_REF_COUNT_H_
#define RILL_HOST_RUNTIME_REF_COUNT_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <utility>

namespace rill {

// Base for objects that own themselves through a reference count. New objects
// start with one reference, owned by whoever created them. When the count drops
// to zero, `SubClass::Destroy()` is called (by default `delete`); subclasses
// with custom storage override `Destroy()`.
template <typename SubClass>
class ReferenceCounted {
 public:
  ReferenceCounted() : ref_count_(1) {}
  explicit ReferenceCounted(uint32_t ref_count) : ref_count_(ref_count) {}
  ReferenceCounted(const ReferenceCounted&) = delete;
  ReferenceCounted& operator=(const ReferenceCounted&) = delete;

  void AddRef() const {
    // relaxed: the caller already holds a reference, so the object cannot die
    // concurrently, and a new reference publishes nothing by itself.
    ref_count_.fetch_add(1, std::memory_order_relaxed);
  }

  void DropRef() const {
    // The acquire load lets the sole owner skip the read-modify-write: with one
    // reference nobody else can add one. Otherwise acq_rel makes every owner's
    // writes visible to the thread that destroys the object (release on each
    // decrement, acquire on the last).
    if (ref_count_.load(std::memory_order_acquire) == 1 ||
        ref_count_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const_cast<SubClass*>(static_cast<const SubClass*>(this))->Destroy();
    }
  }

  // True if the caller holds the only reference. Acquire pairs with other
  // owners' releases.
  bool IsUnique() const {
    return ref_count_.load(std::memory_order_acquire) == 1;
  }

  // For tests and diagnostics only: the value may be stale by the time it is
  // read.
  uint32_t NumRef() const { return ref_count_.load(std::memory_order_relaxed); }

 protected:
  ~ReferenceCounted() = default;
  void Destroy() { delete static_cast<SubClass*>(this); }

 private:
  mutable std::atomic<uint32_t> ref_count_;
};

// An owning pointer to a reference-counted object (anything with
// AddRef/DropRef). Move-only; `CopyRef()` makes another reference explicitly so
// that count traffic is visible in code review.
template <typename T>
class RCReference {
 public:
  RCReference() = default;
  RCReference(std::nullptr_t) {}  // NOLINT(runtime/explicit)
  RCReference(RCReference&& other) noexcept : pointer_(other.release()) {}
  template <typename U,
            typename = std::enable_if_t<std::is_convertible<U*, T*>::value>>
  RCReference(RCReference<U>&& other) noexcept  // NOLINT(runtime/explicit)
      : pointer_(other.release()) {}
  RCReference& operator=(RCReference&& other) noexcept {
    reset(other.release());
    return *this;
  }
  RCReference(const RCReference&) = delete;
  RCReference& operator=(const RCReference&) = delete;
  ~RCReference() {
    if (pointer_) pointer_->DropRef();
  }

  // Replaces the held pointer, adopting `pointer`'s existing reference (+0 on
  // it).
  void reset(T* pointer = nullptr) {
    T* old = pointer_;
    pointer_ = pointer;
    if (old) old->DropRef();
  }
  // Gives up ownership without dropping the reference.
  [[nodiscard]] T* release() {
    T* p = pointer_;
    pointer_ = nullptr;
    return p;
  }

  T* get() const { return pointer_; }
  T* operator->() const {
    assert(pointer_ && "dereferencing a null RCReference");
    return pointer_;
  }
  T& operator*() const {
    assert(pointer_ && "dereferencing a null RCReference");
    return *pointer_;
  }
  explicit operator bool() const { return pointer_ != nullptr; }

  RCReference CopyRef() const {
    if (pointer_) pointer_->AddRef();
    return RCReference(pointer_, /*adopt=*/true);
  }

  void swap(RCReference& other) noexcept {
    std::swap(pointer_, other.pointer_);
  }

  bool operator==(const RCReference& o) const { return pointer_ == o.pointer_; }
  bool operator!=(const RCReference& o) const { return pointer_ != o.pointer_; }

 private:
  template <typename U>
  friend RCReference<U> TakeRef(U*);
  RCReference(T* pointer, bool /*adopt*/) : pointer_(pointer) {}

  T* pointer_ = nullptr;
};

// Adopts the caller's existing reference to `pointer` (+0).
template <typename T>
RCReference<T> TakeRef(T* pointer) {
  return RCReference<T>(pointer, /*adopt=*/true);
}

// Adds a new reference to `pointer` (+1).
template <typename T>
RCReference<T> FormRef(T* pointer) {
  if (pointer) pointer->AddRef();
  return TakeRef(pointer);
}

// Allocates a `T` with `new` and returns the only reference to it.
template <typename T, typename... Args>
RCReference<T> MakeRef(Args&&... args) {
  return TakeRef(new T(std::forward<Args>(args)...));
}

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_REF_COUNT_H_
