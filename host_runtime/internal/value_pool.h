// Declares the thread-local size-class pool that async values and waiter nodes
// are allocated from.
//
// Thread-safety: every thread has its own free lists, so the common allocation
// and deallocation paths never synchronize. A block may be freed on a different
// thread than the one that allocated it (a task made by a submitter and run by
// a worker, a value made by one kernel and dropped by another); it joins the
// freeing thread's list. A thread whose list is over its cap moves a batch of
// blocks to a process-wide depot (a lock-free stack per size class: one CAS per
// batch), and a thread whose list is empty takes the whole depot (one
// exchange). So producer/consumer pairs recycle blocks in batches instead of
// going through malloc's arena locks. Nothing ever pops a single node from the
// depot, so there is no ABA hazard. A thread's own lists go back to malloc when
// it exits.
//
// Under AddressSanitizer the pool is compiled out (every block goes straight to
// malloc/free) so that use-after-free and leaks of async values are still
// reported.

#ifndef RILL_HOST_RUNTIME_INTERNAL_VALUE_POOL_H_
#define RILL_HOST_RUNTIME_INTERNAL_VALUE_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#define RILL_VALUE_POOL_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RILL_VALUE_POOL_DISABLED 1
#endif
#endif

namespace rill {
namespace internal {

inline constexpr size_t kPoolGranule = 16;
inline constexpr size_t kPoolNumClasses = 16;  // 16, 32, ..., 256 bytes.
inline constexpr size_t kPoolMaxSize = kPoolGranule * kPoolNumClasses;
inline constexpr uint32_t kPoolMaxCachedPerClass = 1024;
inline constexpr uint32_t kPoolDepotBatch = 256;

// The depot: per size class, a stack of blocks linked through their first word.
inline std::atomic<void*>* PoolDepot() {
  static std::atomic<void*>
      depot[kPoolNumClasses];  // Constant-initialized: no init order issue.
  return depot;
}

// Slow paths (value_pool.cc).
void* PoolRefill(size_t cls);  // Local list empty: take the depot, or malloc.
void PoolSpill(
    size_t cls);  // Local list at its cap: move a batch to the depot.

struct PoolFreeLists {
  void* head[kPoolNumClasses];
  uint32_t count[kPoolNumClasses];
  // 0: this thread has not registered its exit cleanup yet; 1: registered; 2:
  // the thread is exiting and its lists were released (later frees go straight
  // to free()).
  uint8_t lifecycle;
};

// Trivially constructible and destructible, so access needs no TLS init guard
// on the hot path.
inline thread_local PoolFreeLists tls_pool_free_lists;

void PoolRegisterThreadExit();

// Frees the blocks of class `cls` chained from `head` to `tail` (`count` of
// them, linked through their first word, `tail`'s link unset) in one
// splice: onto this thread's list when they fit under its cap, else onto the
// depot with one CAS. For a caller that frees many blocks at once
// (AsyncValue::DropRefsOrHold).
void PoolDeallocateChain(void* head, void* tail, uint32_t count, size_t cls);

inline size_t PoolClassOf(size_t size) {
  return (size + kPoolGranule - 1) / kPoolGranule - 1;
}

// A block of class `cls` from this thread's list, or null when the list is
// empty (always, with the pool disabled): the caller then allocates as usual.
// No call, so a caller on a hot path needs no stack frame for it.
inline void* PoolTryAllocateClass(size_t cls) {
#ifndef RILL_VALUE_POOL_DISABLED
  PoolFreeLists& lists = tls_pool_free_lists;
  void* block = lists.head[cls];
  if (block != nullptr) {
    lists.head[cls] = *static_cast<void**>(block);
    if (lists.count[cls] != 0)
      --lists.count[cls];  // Blocks adopted from the depot are uncounted.
  }
  return block;
#else
  (void)cls;
  return nullptr;
#endif
}

// Returns `size` bytes aligned to 16, usable up to the end of their size class
// when `size` <= kPoolMaxSize. Never returns null (aborts on out-of-memory like
// operator new).
inline void* PoolAllocate(size_t size) {
#ifndef RILL_VALUE_POOL_DISABLED
  if (size <= kPoolMaxSize) {
    const size_t cls = PoolClassOf(size);
    PoolFreeLists& lists = tls_pool_free_lists;
    if (void* block = lists.head[cls]) {
      lists.head[cls] = *static_cast<void**>(block);
      if (lists.count[cls] != 0)
        --lists.count[cls];  // Blocks adopted from the depot are uncounted.
      return block;
    }
    return PoolRefill(cls);
  }
#else
  // A whole size class, as the pool would give: a block freed by class may be
  // reused for any value of its class (ConcreteAsyncValue<T>::Reuse), and
  // ASan then checks exactly the bytes the pool would have.
  if (size <= kPoolMaxSize) size = (PoolClassOf(size) + 1) * kPoolGranule;
#endif
  void* block =
      std::malloc(size);  // glibc malloc aligns to 16 on 64-bit targets.
  if (block == nullptr) std::abort();
  return block;
}

// Returns a block of size class `cls` (< kPoolNumClasses) obtained from
// PoolAllocate: for callers that know the class, such as an async value that
// records its size in granules.
inline void PoolDeallocateClass(void* block, size_t cls) {
#ifndef RILL_VALUE_POOL_DISABLED
  PoolFreeLists& lists = tls_pool_free_lists;
  if (lists.lifecycle != 1) {
    if (lists.lifecycle == 2) return std::free(block);
    PoolRegisterThreadExit();
  }
  if (lists.count[cls] >= kPoolMaxCachedPerClass)
    PoolSpill(cls);  // Keeps the list non-empty.
  *static_cast<void**>(block) = lists.head[cls];
  lists.head[cls] = block;
  ++lists.count[cls];
#else
  (void)cls;
  std::free(block);
#endif
}

// Returns a block of `size` bytes obtained from PoolAllocate(size).
inline void PoolDeallocate(void* block, size_t size) {
#ifndef RILL_VALUE_POOL_DISABLED
  if (size <= kPoolMaxSize)
    return PoolDeallocateClass(block, PoolClassOf(size));
#endif
  std::free(block);
}

}  // namespace internal
}  // namespace rill

#endif  // RILL_HOST_RUNTIME_INTERNAL_VALUE_POOL_H_
