// Declares `TaskFunction`, the move-only `void()` callable of work-queue tasks
// and continuations.
//
// Callables of up to 40 bytes (alignment <= 16) are stored inline; larger ones
// on the heap. Not llvm::unique_function: LLVM 19's checks the callable's
// alignment against alignof(std::byte[24])
// (== 1), so every capturing lambda took a heap allocation — a malloc/free per
// task.
//
// Thread-safety: a TaskFunction is owned by one thread at a time.

#ifndef RILL_HOST_RUNTIME_TASK_FUNCTION_H_
#define RILL_HOST_RUNTIME_TASK_FUNCTION_H_

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace rill {

class TaskFunction {
 public:
  static constexpr size_t kInlineSize = 40;
  static constexpr size_t kInlineAlign = 16;

  TaskFunction() = default;
  TaskFunction(std::nullptr_t) {}  // NOLINT(runtime/explicit)

  template <
      typename F, typename Fn = std::decay_t<F>,
      typename = std::enable_if_t<!std::is_same<Fn, TaskFunction>::value &&
                                  std::is_invocable_r<void, Fn&>::value>>
  TaskFunction(F&& f) {  // NOLINT(runtime/explicit)
    if constexpr (kStoredInline<Fn>) {
      new (storage_) Fn(std::forward<F>(f));
      ops_ = &kInlineOps<Fn>;
    } else {
      *reinterpret_cast<Fn**>(storage_) = new Fn(std::forward<F>(f));
      ops_ = &kHeapOps<Fn>;
    }
  }

  TaskFunction(TaskFunction&& other) noexcept { MoveFrom(other); }
  TaskFunction& operator=(TaskFunction&& other) noexcept {
    if (this != &other) {
      Reset();
      MoveFrom(other);
    }
    return *this;
  }
  TaskFunction& operator=(std::nullptr_t) {
    Reset();
    return *this;
  }
  TaskFunction(const TaskFunction&) = delete;
  TaskFunction& operator=(const TaskFunction&) = delete;
  ~TaskFunction() { Reset(); }

  explicit operator bool() const { return ops_ != nullptr; }

  // Calls the callable. Requires a non-empty function.
  void operator()() { ops_->invoke(storage_); }

 private:
  struct Ops {
    void (*invoke)(void* storage);
    // Move-constructs into `to` and destroys `from`'s callable.
    void (*relocate)(void* from, void* to);
    void (*destroy)(void* storage);
  };

  template <typename Fn>
  static constexpr bool kStoredInline =
      sizeof(Fn) <= kInlineSize &&
      alignof(Fn) <=
          kInlineAlign&& std::is_nothrow_move_constructible<Fn>::value;

  template <typename Fn>
  static constexpr Ops kInlineOps = {
      [](void* s) { (*std::launder(reinterpret_cast<Fn*>(s)))(); },
      [](void* from, void* to) {
        Fn* f = std::launder(reinterpret_cast<Fn*>(from));
        new (to) Fn(std::move(*f));
        f->~Fn();
      },
      [](void* s) { std::launder(reinterpret_cast<Fn*>(s))->~Fn(); },
  };

  template <typename Fn>
  static constexpr Ops kHeapOps = {
      [](void* s) { (**reinterpret_cast<Fn**>(s))(); },
      [](void* from, void* to) {
        *reinterpret_cast<Fn**>(to) = *reinterpret_cast<Fn**>(from);
      },
      [](void* s) { delete *reinterpret_cast<Fn**>(s); },
  };

  void MoveFrom(TaskFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->relocate(other.storage_, storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  void Reset() {
    if (ops_ != nullptr) {
      const Ops* ops = ops_;
      ops_ = nullptr;
      ops->destroy(storage_);
    }
  }

  alignas(kInlineAlign) unsigned char storage_[kInlineSize];
  const Ops* ops_ = nullptr;
};

static_assert(sizeof(TaskFunction) == 48,
              "TaskFunction is 48 bytes: 40 inline + ops pointer");

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_TASK_FUNCTION_H_
