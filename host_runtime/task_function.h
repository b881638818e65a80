// Declares `TaskFunction`, the move-only callable type of work-queue tasks and continuations.
// Thread-safety: a TaskFunction is owned by one thread at a time.

#ifndef RILL_HOST_RUNTIME_TASK_FUNCTION_H_
#define RILL_HOST_RUNTIME_TASK_FUNCTION_H_

#include "llvm/ADT/FunctionExtras.h"

namespace rill {

// Move-only (captures may own references); stores small callables inline.
using TaskFunction = llvm::unique_function<void()>;

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_TASK_FUNCTION_H_
