#include "host_runtime/kernel_frame.h"

#include "host_runtime/host_context.h"

namespace rill {

void AsyncKernelFrame::ReportError(absl::Status status) {
  if (status.ok())
    status = absl::InternalError("kernel reported an error with an OK status");
  std::optional<ErrorLocation> location;
  if (location_ != nullptr) location = *location_;
  RCReference<AsyncValue> error;  // Shared by every empty slot.
  for (RCReference<AsyncValue>& slot : results_) {
    if (!slot) {
      if (!error) error = MakeErrorAsyncValueRef(status, location);
      slot = error.CopyRef();
    } else if (!slot->IsAvailable()) {
      // An indirect result the kernel already forwarded completes with its
      // target; like TFRT, only unset and unavailable concrete results become
      // the error. An unforwarded indirect is forwarded to a new error value;
      // a concrete one keeps its identity (waiters stay registered) and turns
      // into the error.
      if (slot->IsIndirect() &&
          static_cast<IndirectAsyncValue*>(slot.get())->IsForwarded()) {
        continue;
      }
      slot->SetError(status, location);
    }
  }
  GetHostContext()->EmitError(
      AsyncValueError{std::move(status), std::move(location)});
}

}  // namespace rill
