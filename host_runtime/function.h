// Declares `Function`, the callable unit kernels see: a BEF function (async or
// sync) loaded by the executor, or a native function implemented in C++
// (spec §12.5). Control-flow kernels (`tfrt.call`, `tfrt.if`, loops) receive
// their callees as `const Function*` through the kernel frame, so the host
// runtime stays independent of the executor that implements BEF functions.
//
// Thread-safety: a `Function` is immutable after loading; `Execute` may be
// called concurrently from any number of threads (each call is an independent
// execution).

#ifndef RILL_HOST_RUNTIME_FUNCTION_H_
#define RILL_HOST_RUNTIME_FUNCTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/ref_count.h"

namespace rill {

class ExecutionContext;

enum class FunctionKind : uint8_t {
  kAsync = 0,   // Dataflow over async values; non-strict in its arguments.
  kSync = 1,    // Straight-line; every kernel completes before the next.
  kNative = 2,  // C++ code bound by name (spec §12.5).
};

class Function {
 public:
  Function(std::string name, FunctionKind kind,
           std::vector<std::string> argument_types,
           std::vector<std::string> result_types)
      : name_(std::move(name)),
        kind_(kind),
        argument_types_(std::move(argument_types)),
        result_types_(std::move(result_types)) {}
  virtual ~Function() = default;
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  // Empty for anonymous region functions.
  const std::string& name() const { return name_; }
  FunctionKind kind() const { return kind_; }
  size_t num_arguments() const { return argument_types_.size(); }
  size_t num_results() const { return result_types_.size(); }
  // MLIR spellings of the types ("i32", "!tfrt.chain"); "none" if unknown.
  absl::string_view argument_type(size_t i) const { return argument_types_[i]; }
  absl::string_view result_type(size_t i) const { return result_types_[i]; }

  // Calls the function. `arguments` are borrowed (+0): the callee takes the
  // references it needs, so the caller may drop its own once Execute returns.
  // Each of `results` (which must be empty on entry) receives a +1 reference
  // before Execute returns: the value itself if it is already known, else a
  // placeholder (an indirect value) that is forwarded later (spec §5.4). Never
  // blocks: an async function returns once the work that is ready has run
  // inline; the rest continues on the work queue and in continuations.
  virtual void Execute(const ExecutionContext& exec_ctx,
                       absl::Span<AsyncValue* const> arguments,
                       absl::Span<RCReference<AsyncValue>> results) const = 0;

 private:
  std::string name_;
  FunctionKind kind_;
  std::vector<std::string> argument_types_;
  std::vector<std::string> result_types_;
};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_FUNCTION_H_
