// Test helpers for the executor: a host context with a small kernel set, and
// builders for the BEF programs the executor tests and benchmarks run
// (chains, fan-out/fan-in, random DAGs with async and failing kernels).
//
// Kernels (all on i32): "x.const" {value} -> i32; "x.inc" (i32) -> i32;
// "x.add" (i32, i32) -> i32; "x.async_inc" (i32) -> i32 completed by a
// work-queue task; "x.check" (i32) -> i32 reports "bad value <v>" when
// v % 1009 == 0; "x.sum" (i32...) -> i32.
//
// Thread-safety: the builders are single-threaded; the kernels are
// thread-safe.

#ifndef RILL_EXECUTOR_TESTING_TEST_PROGRAM_H_
#define RILL_EXECUTOR_TESTING_TEST_PROGRAM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bef/builder.h"
#include "executor/bef_executor.h"
#include "host_runtime/host_context.h"

namespace rill {
namespace testing {

// Adds a one-result kernel `name` to `body` (location test.mlir:1:1) and
// returns its result register.
uint32_t AddTestKernel(bef::BefBuilder& b, bef::FunctionBodyBuilder* body,
                       const std::string& name, std::vector<uint32_t> operands,
                       std::vector<uint32_t> attributes = {});

// Declares and defines the function "main" () -> i32 in `b`; returns its body.
bef::FunctionBodyBuilder* DefineMain(bef::BefBuilder& b);

// A host context with the kernels above registered. `num_threads` 0 means
// the single-threaded queue.
std::unique_ptr<HostContext> CreateTestHost(int num_threads = 0);

// A function "main" () -> i32: a constant followed by `length` x.inc.
std::vector<uint8_t> BuildChain(int length,
                                const std::string& kernel = "x.inc");

// A function "main" () -> i32: one constant feeding `width` x.inc kernels,
// summed by one x.sum (fan-out 1->N and fan-in N->1).
std::vector<uint8_t> BuildFanOutFanIn(int width);

// A function "main" () -> (i32 x outputs): `num_kernels` kernels wired at
// random (seeded): constants, adds, async increments and checks that fail
// for some values.
std::vector<uint8_t> BuildRandomDag(int num_kernels, int outputs,
                                    uint32_t seed);

// Loads `bytes` into a program on `host`; aborts the test on failure.
std::unique_ptr<BefProgram> LoadOrDie(const std::vector<uint8_t>& bytes,
                                      HostContext* host);

// A fresh request on `host`.
ExecutionContext NewExecutionContext(HostContext* host);

}  // namespace testing
}  // namespace rill

#endif  // RILL_EXECUTOR_TESTING_TEST_PROGRAM_H_
