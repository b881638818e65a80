// Declares `BefProgram`, a BEF file loaded for execution: every function of
// the file bound to its kernels (from the host's kernel registry) and native
// functions (from the native-function registry), ready to be called through
// the `Function` interface (host_runtime/function.h).
//
// Execution model (docs/executor.md; host_dialect.md §5-§6): one execution
// record per call holds a register per value and one atomic "operands not
// ready" counter per kernel; a kernel runs as soon as its counter reaches
// zero, inline on the current thread when it is in the ready queue's current
// stream, otherwise as a work-queue task per stream. Async results resume
// their users from the thread that completes them. Errors are values; every
// error a kernel reports carries its kernel name, function and source
// location.
//
// Thread-safety: loading is single-threaded; a loaded program is immutable
// and its functions may be executed concurrently from any number of threads.
// The program must outlive every execution of its functions (including work
// they left on the work queue: quiesce before destroying it).

#ifndef RILL_EXECUTOR_BEF_EXECUTOR_H_
#define RILL_EXECUTOR_BEF_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bef/bef_file.h"
#include "host_runtime/async_value.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/function.h"
#include "host_runtime/host_context.h"
#include "host_runtime/location.h"

namespace rill {

// Receives one event per executed kernel when tracing is on. Called on the
// thread that ran the kernel, right after it returned; must be thread-safe.
class KernelTracer {
 public:
  virtual ~KernelTracer() = default;
  virtual void OnKernel(const ErrorLocation& kernel, int64_t start_ns,
                        int64_t end_ns) = 0;
};

struct LoadOptions {
  // Receives load errors that have a source location (unknown kernel names,
  // reported at the first op that uses each). Defaults to the host's
  // diagnostic handler.
  std::function<void(const AsyncValueError&)> on_error;
};

class BefProgram {
 public:
  // Binds every function of `file` (which must be verified, as BefFile::Open
  // guarantees). Fails if a kernel name is not registered (each reported
  // through `options.on_error` at its first op) or a native function is
  // missing.
  static absl::StatusOr<std::unique_ptr<BefProgram>> Load(
      std::unique_ptr<bef::BefFile> file, HostContext* host,
      LoadOptions options = {});

  // Requires every execution of the program's functions to have finished.
  // Available results are not enough: an execution may still be releasing
  // its operands on the thread that completed its last async value. Quiesce
  // the host's work queue (HostContext::Quiesce) first, as rill-run does.
  ~BefProgram();
  BefProgram(const BefProgram&) = delete;
  BefProgram& operator=(const BefProgram&) = delete;

  // Functions in executable order (host_dialect.md §9.3), regions included.
  size_t num_functions() const { return functions_.size(); }
  const Function* function(size_t index) const {
    return functions_[index].get();
  }
  // The named function `name`, or null.
  const Function* GetFunction(absl::string_view name) const;

  const bef::BefFile& file() const { return *file_; }
  HostContext* host() const { return host_; }

  // Installs (or, with null, removes) the tracer. Not thread-safe with
  // respect to running executions: set it before executing.
  void set_tracer(KernelTracer* tracer) { tracer_ = tracer; }
  KernelTracer* tracer() const { return tracer_; }

 private:
  BefProgram() = default;

  std::unique_ptr<bef::BefFile> file_;
  HostContext* host_ = nullptr;
  KernelTracer* tracer_ = nullptr;
  std::vector<std::unique_ptr<Function>> functions_;
  absl::flat_hash_map<std::string, const Function*> by_name_;
  // Storage the bound functions point into.
  std::vector<const void*> attribute_pointers_;
  std::vector<const Function*> function_pointers_;
  std::vector<std::unique_ptr<ErrorLocation>> locations_;
  friend class ProgramLoader;
};

// The results of one call. Inline up to four, so that a warm call of a
// function that returns few values allocates nothing (allocation_test.cc).
using CallResults = absl::InlinedVector<RCReference<AsyncValue>, 4>;

// Calls `function` with `arguments` and waits (running queued tasks on a
// single-threaded queue) until every result is available. For embedders,
// tools and tests; kernels never block and call Function::Execute instead.
CallResults ExecuteAndAwait(const Function& function,
                            const ExecutionContext& exec_ctx,
                            absl::Span<AsyncValue* const> arguments = {});

}  // namespace rill

#endif  // RILL_EXECUTOR_BEF_EXECUTOR_H_
