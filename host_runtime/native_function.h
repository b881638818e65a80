// Declares the native-function registry: C++ functions that BEF programs
// declare as `func.func private @name(...) attributes {tfrt.native}` and call
// like any function (spec §12.5). The loader binds each declaration by name.
//
// Thread-safety: registration happens during static initialization (or before
// any program is loaded); lookups are read-only afterwards and may run
// concurrently.

#ifndef RILL_HOST_RUNTIME_NATIVE_FUNCTION_H_
#define RILL_HOST_RUNTIME_NATIVE_FUNCTION_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/ref_count.h"

namespace rill {

// Receives available arguments (concrete or error; +0) and must set every
// result slot (+1): available values, or unavailable ones it completes later.
using NativeFunctionImplementation = void (*)(
    const ExecutionContext& exec_ctx, absl::Span<AsyncValue* const> arguments,
    absl::Span<RCReference<AsyncValue>> results);

// Registers `fn` under `name`; returns false (and keeps the first) on a
// duplicate. Call from static initializers via RILL_STATIC_NATIVE_FUNCTION.
bool RegisterNativeFunction(absl::string_view name,
                            NativeFunctionImplementation fn);

// The function registered as `name`, or null.
NativeFunctionImplementation LookupNativeFunction(absl::string_view name);

}  // namespace rill

#define RILL_NATIVE_FUNCTION_CONCAT_INNER(a, b) a##b
#define RILL_NATIVE_FUNCTION_CONCAT(a, b) \
  RILL_NATIVE_FUNCTION_CONCAT_INNER(a, b)
#define RILL_STATIC_NATIVE_FUNCTION(name, fn)                     \
  [[maybe_unused]] static const bool RILL_NATIVE_FUNCTION_CONCAT( \
      rill_static_native_function_, __COUNTER__) =                \
      ::rill::RegisterNativeFunction(name, fn)

#endif  // RILL_HOST_RUNTIME_NATIVE_FUNCTION_H_
