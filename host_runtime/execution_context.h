// Declares the per-request state kernels run under:
//   CancellationContext  lock-free, first-wins cancellation of a request;
//   ResourceContext      string-keyed objects owned by one request (spec §5.7,
//   e.g. tfrt.once); RequestContext       one request: id, host, resources,
//   cancellation (reference-counted); ExecutionContext     what a kernel
//   receives: the request plus the work queue to use.
//
// Thread-safety: CancellationContext is lock-free and safe from any thread.
// ResourceContext is internally synchronized (a mutex; resources are created
// rarely and never on the kernel hot path). RequestContext is immutable after
// build() apart from those two. ExecutionContext is a value type.

#ifndef RILL_HOST_RUNTIME_EXECUTION_CONTEXT_H_
#define RILL_HOST_RUNTIME_EXECUTION_CONTEXT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "host_runtime/async_value.h"
#include "host_runtime/ref_count.h"

namespace rill {

class ConcurrentWorkQueue;
class HostContext;

class CancellationContext {
 public:
  CancellationContext() = default;
  CancellationContext(const CancellationContext&) = delete;
  CancellationContext& operator=(const CancellationContext&) = delete;
  ~CancellationContext();

  // Cancels the request with `status` (default: CANCELLED "Cancelled", spec
  // §5.6). The first call wins; later calls are no-ops. Returns whether this
  // call cancelled.
  bool Cancel(absl::Status status = absl::CancelledError("Cancelled"));

  bool IsCancelled() const { return GetCancelAsyncValue() != nullptr; }

  // The error value every not-yet-started kernel of the request becomes, or
  // null if not cancelled. Borrowed: valid as long as this context lives.
  AsyncValue* GetCancelAsyncValue() const {
    // acquire: pairs with Cancel's release so the error payload is visible.
    return cancel_value_.load(std::memory_order_acquire);
  }

 private:
  std::atomic<AsyncValue*> cancel_value_{nullptr};
};

class ResourceContext {
 public:
  ResourceContext() = default;
  ResourceContext(const ResourceContext&) = delete;
  ResourceContext& operator=(const ResourceContext&) = delete;
  // Destroys resources in reverse order of creation.
  ~ResourceContext();

  // Returns the resource `name` if it exists and holds a `T`, else null.
  template <typename T>
  T* GetResource(absl::string_view name) {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<T*>(FindLocked(name, TypeTag<T>()));
  }

  // Creates resource `name` as T(args...). AlreadyExists if the name is taken.
  template <typename T, typename... Args>
  absl::StatusOr<T*> CreateResource(absl::string_view name, Args&&... args) {
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.contains(name)) return AlreadyExists(name);
    T* resource = new T(std::forward<Args>(args)...);
    InsertLocked(name, TypeTag<T>(), resource,
                 [](void* p) { delete static_cast<T*>(p); });
    return resource;
  }

  // Returns resource `name`, creating it with `make()` (which returns a T) if
  // absent. Concurrent callers get the same object; `make` runs at most once
  // per name. A name holding another type is a FailedPrecondition error.
  template <typename T, typename Factory>
  absl::StatusOr<T*> GetOrCreateResource(absl::string_view name,
                                         Factory&& make) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(name); it != index_.end()) {
      Entry& entry = entries_[it->second];
      if (entry.type != TypeTag<T>()) return WrongType(name);
      return static_cast<T*>(entry.object);
    }
    T* resource = new T(make());
    InsertLocked(name, TypeTag<T>(), resource,
                 [](void* p) { delete static_cast<T*>(p); });
    return resource;
  }

 private:
  using Tag = const void*;
  template <typename T>
  static Tag TypeTag() {
    static const char tag = 0;
    return &tag;
  }
  struct Entry {
    std::string name;
    Tag type;
    void* object;
    void (*destroy)(void*);
  };
  void* FindLocked(absl::string_view name, Tag type);
  void InsertLocked(absl::string_view name, Tag type, void* object,
                    void (*destroy)(void*));
  static absl::Status AlreadyExists(absl::string_view name);
  static absl::Status WrongType(absl::string_view name);

  std::mutex mu_;
  std::vector<Entry> entries_;
  absl::flat_hash_map<std::string, size_t> index_;
};

class RequestContext : public ReferenceCounted<RequestContext> {
 public:
  int64_t id() const { return id_; }
  HostContext* host() const { return host_; }
  ResourceContext* resource_context() const { return resource_context_; }
  CancellationContext& cancellation() { return cancellation_; }
  const CancellationContext& cancellation() const { return cancellation_; }

  bool IsCancelled() const { return cancellation_.IsCancelled(); }
  AsyncValue* GetCancelAsyncValue() const {
    return cancellation_.GetCancelAsyncValue();
  }
  bool Cancel(absl::Status status = absl::CancelledError("Cancelled")) {
    return cancellation_.Cancel(std::move(status));
  }

 private:
  friend class RequestContextBuilder;
  RequestContext(HostContext* host, int64_t id,
                 ResourceContext* resource_context,
                 std::unique_ptr<ResourceContext> owned_resources)
      : host_(host),
        id_(id),
        resource_context_(resource_context),
        owned_resources_(std::move(owned_resources)) {}

  HostContext* const host_;
  const int64_t id_;
  ResourceContext* const resource_context_;
  std::unique_ptr<ResourceContext> owned_resources_;
  CancellationContext cancellation_;
};

class RequestContextBuilder {
 public:
  // `resource_context` may be null: the request then owns a fresh one. A
  // caller-provided one must outlive the request.
  RequestContextBuilder(HostContext* host, ResourceContext* resource_context,
                        int64_t id = 0)
      : host_(host), resource_context_(resource_context), id_(id) {}

  // InvalidArgument if `host` is null.
  absl::StatusOr<RCReference<RequestContext>> build() &&;

 private:
  HostContext* host_;
  ResourceContext* resource_context_;
  int64_t id_;
};

class ExecutionContext {
 public:
  explicit ExecutionContext(RCReference<RequestContext> request);
  ExecutionContext(const ExecutionContext& other)
      : request_(other.request_.CopyRef()), work_queue_(other.work_queue_) {}
  ExecutionContext& operator=(const ExecutionContext& other) {
    request_ = other.request_.CopyRef();
    work_queue_ = other.work_queue_;
    return *this;
  }
  ExecutionContext(ExecutionContext&&) noexcept = default;
  ExecutionContext& operator=(ExecutionContext&&) noexcept = default;

  RequestContext* request_ctx() const { return request_.get(); }
  HostContext* host() const { return request_->host(); }
  // The queue for this execution: the host's unless overridden.
  ConcurrentWorkQueue& work_queue() const { return *work_queue_; }
  void set_work_queue(ConcurrentWorkQueue* work_queue) {
    work_queue_ = work_queue;
  }

  bool IsCancelled() const { return request_->IsCancelled(); }
  AsyncValue* GetCancelAsyncValue() const {
    return request_->GetCancelAsyncValue();
  }

 private:
  RCReference<RequestContext> request_;
  ConcurrentWorkQueue* work_queue_;
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_EXECUTION_CONTEXT_H_
