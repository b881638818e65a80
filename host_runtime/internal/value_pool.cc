#include "host_runtime/internal/value_pool.h"

namespace rill {
namespace internal {
namespace {

// Releases the exiting thread's free lists. A thread_local with a destructor is registered lazily
// (on the first pooled free), keeping the hot-path TLS variable trivially destructible.
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

void PoolRegisterThreadExit() {
  static thread_local PoolThreadExit exit_hook;
  (void)exit_hook;
  tls_pool_free_lists.lifecycle = 1;
}

}  // namespace internal
}  // namespace rill
