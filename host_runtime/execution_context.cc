#include "host_runtime/execution_context.h"

#include "absl/strings/str_cat.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/host_context.h"

namespace rill {

CancellationContext::~CancellationContext() {
  if (AsyncValue* value = cancel_value_.load(std::memory_order_acquire))
    value->DropRef();
}

bool CancellationContext::Cancel(absl::Status status) {
  if (status.ok()) status = absl::CancelledError("Cancelled");
  RCReference<AsyncValue> error = MakeErrorAsyncValueRef(std::move(status));
  AsyncValue* expected = nullptr;
  // release on success: readers that acquire the pointer see the fully built
  // error value.
  if (cancel_value_.compare_exchange_strong(expected, error.get(),
                                            std::memory_order_release,
                                            std::memory_order_relaxed)) {
    (void)error.release();  // Owned by cancel_value_ now.
    return true;
  }
  return false;  // Already cancelled; the first status stands.
}

ResourceContext::~ResourceContext() {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    it->destroy(it->object);
}

void* ResourceContext::FindLocked(absl::string_view name, Tag type) {
  auto it = index_.find(name);
  if (it == index_.end()) return nullptr;
  const Entry& entry = entries_[it->second];
  return entry.type == type ? entry.object : nullptr;
}

void ResourceContext::InsertLocked(absl::string_view name, Tag type,
                                   void* object, void (*destroy)(void*)) {
  index_.emplace(std::string(name), entries_.size());
  entries_.push_back(Entry{std::string(name), type, object, destroy});
}

absl::Status ResourceContext::AlreadyExists(absl::string_view name) {
  return absl::AlreadyExistsError(
      absl::StrCat("resource '", name, "' already exists"));
}

absl::Status ResourceContext::WrongType(absl::string_view name) {
  return absl::FailedPreconditionError(
      absl::StrCat("resource '", name, "' exists with a different type"));
}

absl::StatusOr<RCReference<RequestContext>> RequestContextBuilder::build() && {
  if (host_ == nullptr)
    return absl::InvalidArgumentError("request context needs a host context");
  std::unique_ptr<ResourceContext> owned;
  ResourceContext* resources = resource_context_;
  if (resources == nullptr) {
    owned = std::make_unique<ResourceContext>();
    resources = owned.get();
  }
  return TakeRef(new RequestContext(host_, id_, resources, std::move(owned)));
}

ExecutionContext::ExecutionContext(RCReference<RequestContext> request)
    : request_(std::move(request)),
      work_queue_(&request_->host()->work_queue()) {}

}  // namespace rill
