#include "host_runtime/internal/spin.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace rill {
namespace internal {

#ifdef RILL_TSAN
std::atomic<uint32_t> tsan_fence_word{0};
#endif

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t),
              "futex word must be 32 bits");

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  // The kernel compares *word with `expected` atomically with going to sleep,
  // so a store+wake that happens after our caller's last check is never lost.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE,
          expected, nullptr, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE,
          count < 0 ? INT_MAX : count, nullptr, nullptr, 0);
}

}  // namespace internal
}  // namespace rill
