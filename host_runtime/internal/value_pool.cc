#include "host_runtime/internal/value_pool.h"

namespace rill {
namespace internal {
namespace {

// Releases the exiting thread's free lists. A thread_local with a destructor is
// registered lazily (on the first pooled free), keeping the hot-path TLS
// variable trivially destructible.
struct PoolThreadExit {
  ~PoolThreadExit() {
    PoolFreeLists& lists = tls_pool_free_lists;
    for (size_t cls = 0; cls < kPoolNumClasses; ++cls) {
      void* block = lists.head[cls];
      while (block != nullptr) {
        void* next = *static_cast<void**>(block);
        std::free(block);
        block = next;
      }
      lists.head[cls] = nullptr;
      lists.count[cls] = 0;
    }
    lists.lifecycle = 2;
  }
};

}  // namespace

void* PoolRefill(size_t cls) {
  std::atomic<void*>& depot = PoolDepot()[cls];
  PoolFreeLists& lists = tls_pool_free_lists;
  // An exiting thread (its lists already released) must not adopt blocks it
  // would never free. The relaxed load keeps an empty depot's line from being
  // bounced by exchanges.
  if (lists.lifecycle != 2 &&
      depot.load(std::memory_order_relaxed) != nullptr) {
    // acquire: pairs with the spilling threads' release CAS, so the blocks'
    // links are visible.
    if (void* chain = depot.exchange(nullptr, std::memory_order_acquire)) {
      if (lists.lifecycle == 0) PoolRegisterThreadExit();
      // The count only bounds caching, so leave it at 0 rather than walk the
      // chain (one cache miss per block): the adopted blocks are simply not
      // counted against the cap.
      lists.head[cls] = *static_cast<void**>(chain);
      lists.count[cls] = 0;
      return chain;
    }
  }
  void* block = std::malloc(
      (cls + 1) * kPoolGranule);  // glibc aligns to 16 on 64-bit targets.
  if (block == nullptr) std::abort();
  return block;
}

void PoolSpill(size_t cls) {
  PoolFreeLists& lists = tls_pool_free_lists;
  void* first = lists.head[cls];
  void* last = first;
  uint32_t moved = 1;
  for (; moved < kPoolDepotBatch && *static_cast<void**>(last) != nullptr;
       ++moved) {
    last = *static_cast<void**>(last);
  }
  lists.head[cls] = *static_cast<void**>(last);
  lists.count[cls] = lists.count[cls] > moved ? lists.count[cls] - moved : 0;
  std::atomic<void*>& depot = PoolDepot()[cls];
  void* head = depot.load(std::memory_order_relaxed);
  do {
    *static_cast<void**>(last) = head;
    // release: a thread that takes the depot (acquire) sees the links written
    // above.
  } while (!depot.compare_exchange_weak(head, first, std::memory_order_release,
                                        std::memory_order_relaxed));
}

void PoolDeallocateChain(void* head, void* tail, uint32_t count, size_t cls) {
  PoolFreeLists& lists = tls_pool_free_lists;
  if (lists.lifecycle != 1) {
    // Not registered yet, or exiting: the one-block path handles both.
    for (void* block = head; count != 0; --count) {
      void* next = *static_cast<void**>(block);
      PoolDeallocateClass(block, cls);
      block = next;
    }
    return;
  }
  if (lists.count[cls] + count <= kPoolMaxCachedPerClass) {
    *static_cast<void**>(tail) = lists.head[cls];
    lists.head[cls] = head;
    lists.count[cls] += count;
    return;
  }
  std::atomic<void*>& depot = PoolDepot()[cls];
  void* depot_head = depot.load(std::memory_order_relaxed);
  do {
    *static_cast<void**>(tail) = depot_head;
    // release: as in PoolSpill, a thread that takes the depot (acquire) sees
    // the links.
  } while (!depot.compare_exchange_weak(
      depot_head, head, std::memory_order_release, std::memory_order_relaxed));
}

void PoolRegisterThreadExit() {
  static thread_local PoolThreadExit exit_hook;
  (void)exit_hook;
  tls_pool_free_lists.lifecycle = 1;
}

}  // namespace internal
}  // namespace rill
