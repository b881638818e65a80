// Declares `HostContext`: one instance of the host runtime. It owns the host
// allocator, the work queue, the kernel registry, the diagnostic handler and
// process-wide "shared contexts" (one object per type, created on first use,
// spec §5.7).
//
// Thread-safety: all methods may be called from any thread, except that kernel
// registration and set_diagnostic_handler must finish before programs run.
// Destruction quiesces the work queue first, so tasks never outlive the
// context.

#ifndef RILL_HOST_RUNTIME_HOST_CONTEXT_H_
#define RILL_HOST_RUNTIME_HOST_CONTEXT_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/chain.h"
#include "host_runtime/host_allocator.h"
#include "host_runtime/kernel_registry.h"
#include "host_runtime/work_queue.h"

namespace rill {

// Base of objects stored with HostContext::GetOrCreateSharedContext.
class SharedContext {
 public:
  virtual ~SharedContext() = default;
};

// Receives every runtime diagnostic (an error a kernel reports, spec §5.3).
using DiagnosticHandler = std::function<void(const AsyncValueError& error)>;

class HostContext {
 public:
  // The default diagnostic handler writes "runtime error: <location>:
  // <message>" to stderr.
  HostContext(std::unique_ptr<HostAllocator> allocator,
              std::unique_ptr<ConcurrentWorkQueue> work_queue);
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;
  ~HostContext();

  HostAllocator* allocator() const { return allocator_.get(); }
  ConcurrentWorkQueue& work_queue() const { return *work_queue_; }
  KernelRegistry& registry() { return registry_; }
  const KernelRegistry& registry() const { return registry_; }

  // ---- Memory (host allocator) ----
  void* AllocateBytes(size_t size, size_t alignment) {
    return allocator_->AllocateBytes(size, alignment);
  }
  void DeallocateBytes(void* ptr, size_t size) {
    allocator_->DeallocateBytes(ptr, size);
  }

  // ---- Work ----
  void EnqueueWork(TaskFunction task) { work_queue_->AddTask(std::move(task)); }
  // `count` runs of `task` (ConcurrentWorkQueue::AddTaskRuns).
  void EnqueueWorkRuns(uint32_t count, TaskFunction task) {
    work_queue_->AddTaskRuns(count, std::move(task));
  }
  // From inside such a run (ConcurrentWorkQueue::ClaimNextRun).
  bool ClaimNextRun() { return work_queue_->ClaimNextRun(); }
  // Returns the task back when the queue refuses it (see
  // ConcurrentWorkQueue::AddBlockingTask).
  [[nodiscard]] std::optional<TaskFunction> EnqueueBlockingWork(
      TaskFunction task, bool allow_queuing = true) {
    return work_queue_->AddBlockingTask(std::move(task), allow_queuing);
  }
  void Await(absl::Span<const RCReference<AsyncValue>> values) {
    work_queue_->Await(values);
  }
  void Await(const RCReference<AsyncValue>& value) {
    work_queue_->Await({&value, 1});
  }
  void Quiesce() { work_queue_->Quiesce(); }
  int GetNumWorkerThreads() const { return work_queue_->GetParallelismLevel(); }
  bool IsInWorkerThread() const { return work_queue_->IsInWorkerThread(); }

  // An available chain (+1). All callers share one value, so this costs one
  // atomic increment.
  AsyncValueRef<Chain> GetReadyChain() const { return ready_chain_.CopyRef(); }

  // ---- Diagnostics ----
  void set_diagnostic_handler(DiagnosticHandler handler) {
    diag_handler_ = std::move(handler);
  }
  void EmitError(const AsyncValueError& error) const { diag_handler_(error); }

  // ---- Shared contexts ----
  // Returns the process-lifetime (context-lifetime) instance of T, creating it
  // with `T(HostContext*)` on first use. T derives from SharedContext.
  template <typename T>
  T& GetOrCreateSharedContext() {
    static_assert(std::is_base_of<SharedContext, T>::value,
                  "T must derive from SharedContext");
    const size_t id = SharedContextId<T>();
    // acquire: pairs with the release store in CreateSharedContext.
    if (SharedContext* existing =
            shared_contexts_[id].load(std::memory_order_acquire)) {
      return *static_cast<T*>(existing);
    }
    return *static_cast<T*>(
        CreateSharedContext(id, [this]() -> std::unique_ptr<SharedContext> {
          return std::make_unique<T>(this);
        }));
  }

  static constexpr size_t kMaxSharedContextTypes = 256;

 private:
  template <typename T>
  static size_t SharedContextId() {
    static const size_t id = AllocateSharedContextId();
    return id;
  }
  static size_t AllocateSharedContextId();
  SharedContext* CreateSharedContext(
      size_t id, const std::function<std::unique_ptr<SharedContext>()>& make);

  std::unique_ptr<HostAllocator> allocator_;
  std::unique_ptr<ConcurrentWorkQueue> work_queue_;
  KernelRegistry registry_;
  DiagnosticHandler diag_handler_;
  AsyncValueRef<Chain> ready_chain_;
  std::mutex
      shared_context_mu_;  // Serializes creation only; lookups are lock-free.
  std::atomic<SharedContext*> shared_contexts_[kMaxSharedContextTypes] = {};
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_HOST_CONTEXT_H_
