// Declares sample BEF programs built with BefBuilder, shared by the tests,
// the fuzz seed corpus and the benchmarks.
//
// Thread-safety: pure functions.

#ifndef RILL_BEF_TESTING_SAMPLES_H_
#define RILL_BEF_TESTING_SAMPLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace rill {
namespace bef {
namespace testing {

// The tiny program of docs/bef_format.md §18 (the golden bytes):
//   func.func @f() -> i32 {
//     %0 = "k"() {v = 7 : i32} : () -> i32 loc("a":1:2)
//     tfrt.return %0 : i32
//   }
absl::StatusOr<std::vector<uint8_t>> TinyProgram();

// Every construct the format has: all attribute kinds and dtypes, every
// location form, async / sync / native functions, nested regions, function
// references, multi-result kernels, a value used twice by one kernel, kernel
// flags and costs, debug names.
absl::StatusOr<std::vector<uint8_t>> EveryConstructProgram();

// The worked example of host_dialect.md §6.7 (cost threshold 1).
absl::StatusOr<std::vector<uint8_t>> WorkedExampleProgram();

// One async function of `num_kernels` kernels forming a random DAG (each
// kernel uses 1-3 earlier values), each with an attribute and its own file
// location; deterministic for a given seed.
absl::StatusOr<std::vector<uint8_t>> LargeDagProgram(size_t num_kernels,
                                                     uint32_t seed);

}  // namespace testing
}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_TESTING_SAMPLES_H_
