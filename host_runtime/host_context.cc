#include "host_runtime/host_context.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "host_runtime/logging.h"

namespace rill {

HostContext::HostContext(std::unique_ptr<HostAllocator> allocator,
                         std::unique_ptr<ConcurrentWorkQueue> work_queue)
    : allocator_(std::move(allocator)),
      work_queue_(std::move(work_queue)),
      diag_handler_([](const AsyncValueError& error) {
        std::string where;
        if (error.location) where = error.location->ToString();
        PrintAtomically(absl::StrCat("runtime error: ", where,
                                     where.empty() ? "" : ": ",
                                     error.status.message(), "\n"));
      }),
      ready_chain_(MakeAvailableAsyncValueRef<Chain>()) {}

HostContext::~HostContext() {
  work_queue_->Quiesce();
  // Tasks are done: nothing can look shared contexts up any more. Destroy them
  // in reverse id order (later-created types may depend on earlier ones).
  for (size_t i = kMaxSharedContextTypes; i-- > 0;) {
    delete shared_contexts_[i].load(std::memory_order_acquire);
  }
}

size_t HostContext::AllocateSharedContextId() {
  static std::atomic<size_t> next{0};
  // relaxed: only uniqueness matters.
  const size_t id = next.fetch_add(1, std::memory_order_relaxed);
  if (id >= kMaxSharedContextTypes) {
    std::fprintf(stderr, "rill: more than %zu shared context types\n",
                 kMaxSharedContextTypes);
    std::abort();  // A build-time property of the program, not bad input.
  }
  return id;
}

SharedContext* HostContext::CreateSharedContext(
    size_t id, const std::function<std::unique_ptr<SharedContext>()>& make) {
  std::lock_guard<std::mutex> lock(shared_context_mu_);
  if (SharedContext* existing =
          shared_contexts_[id].load(std::memory_order_relaxed)) {
    return existing;  // Another thread created it while we waited.
  }
  SharedContext* created = make().release();
  // release: lock-free readers that acquire the pointer see the constructed
  // object.
  shared_contexts_[id].store(created, std::memory_order_release);
  return created;
}

}  // namespace rill
