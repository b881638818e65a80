// Declares the harness every Rill benchmark binary uses to report itself
// against its nearest peer: it runs the registered Google Benchmarks with the
// normal console output, then prints one line per comparison with both figures,
// the ratio (ours / peer) and whether the target is met.
//
// Thread-safety: call from main() only.

#ifndef RILL_BENCHMARKS_COMPARISON_H_
#define RILL_BENCHMARKS_COMPARISON_H_

#include <chrono>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace rill {
namespace bench {

struct Comparison {
  std::string
      title;  // What is compared, e.g. "async value create+AndThen+set+drop".
  // Benchmark names as Google Benchmark prints them. A name ending in '*' is a
  // prefix: the figure is then the median over every benchmark whose name
  // starts with it (interleaved repeats).
  std::string ours;
  std::string peer;
  std::string metric;  // "time" (real time per iteration, ns) or a user counter
                       // name (ns).
  double max_ratio =
      0;  // Target: ours / peer <= max_ratio (0: no ratio target).
  double max_ours_ns =
      0;  // Target: ours <= max_ours_ns (0: no absolute target).
};

// Times all runs of `run()` as one stretch of a steady clock (as Google
// Benchmark times its loop) and reports the user counter `counter` as
// nanoseconds per item, for runs that each process `items_per_run` items
// (tasks, kernels, ...). One stretch, not a clock pair per run: a clock read
// costs ~24 ns here, which timed per run would add ~0.5 ns to each node of a
// 100-kernel function's figure and to its floor's.
template <typename Run>
void MeasurePerItem(benchmark::State& state, double items_per_run,
                    const char* counter, Run&& run) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) run();
  const double total_ns = std::chrono::duration<double, std::nano>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  state.counters[counter] =
      total_ns / (static_cast<double>(state.iterations()) * items_per_run);
}

// Parses Google Benchmark flags, runs the benchmarks and prints the
// comparisons. Returns 0 unless a flag was invalid (missed targets are
// reported, not failed: this machine is shared and noisy).
int RunAndCompare(int argc, char** argv,
                  const std::vector<Comparison>& comparisons);

}  // namespace bench
}  // namespace rill

#endif  // RILL_BENCHMARKS_COMPARISON_H_
