#include "benchmarks/comparison.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

namespace rill {
namespace bench {
namespace {

// Forwards to the console reporter and remembers each benchmark's figures. With
// repetitions, the median aggregate wins over individual runs.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  struct Figures {
    double time_ns = 0;
    std::map<std::string, double> counters;
    bool from_median = false;
  };

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median =
          run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      Figures& f = figures_[run.run_name.str()];
      if (f.from_median && !median) continue;
      f.from_median = median;
      f.time_ns = run.GetAdjustedRealTime() * ToNanoseconds(run.time_unit);
      for (const auto& [name, counter] : run.counters)
        f.counters[name] = counter.value;
    }
  }

  const Figures* Find(const std::string& name) const {
    auto it = figures_.find(name);
    return it == figures_.end() ? nullptr : &it->second;
  }

  std::vector<const Figures*> FindPrefix(const std::string& prefix) const {
    std::vector<const Figures*> out;
    for (auto it = figures_.lower_bound(prefix);
         it != figures_.end() &&
         it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
      out.push_back(&it->second);
    }
    return out;
  }

 private:
  static double ToNanoseconds(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      case benchmark::kSecond:
        return 1e9;
    }
    return 1;
  }
  std::map<std::string, Figures> figures_;
};

bool Metric(const RecordingReporter::Figures& f, const std::string& metric,
            double* out) {
  if (metric == "time") {
    *out = f.time_ns;
    return true;
  }
  auto it = f.counters.find(metric);
  if (it == f.counters.end()) return false;
  *out = it->second;
  return true;
}

bool Lookup(const RecordingReporter& reporter, const std::string& name,
            const std::string& metric, double* out) {
  if (!name.empty() && name.back() == '*') {
    std::vector<double> values;
    for (const RecordingReporter::Figures* f :
         reporter.FindPrefix(name.substr(0, name.size() - 1))) {
      double v = 0;
      if (Metric(*f, metric, &v)) values.push_back(v);
    }
    if (values.empty()) return false;
    std::sort(values.begin(), values.end());
    *out =
        values.size() % 2 == 1
            ? values[values.size() / 2]
            : (values[values.size() / 2 - 1] + values[values.size() / 2]) / 2;
    return true;
  }
  const RecordingReporter::Figures* f = reporter.Find(name);
  return f != nullptr && Metric(*f, metric, out);
}

}  // namespace

int RunAndCompare(int argc, char** argv,
                  const std::vector<Comparison>& comparisons) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf(
      "\nComparisons against peers in this binary (ratio = ours / peer; lower "
      "is better)\n");
  std::printf("machine: %u hardware threads\n",
              std::thread::hardware_concurrency());
  for (const Comparison& c : comparisons) {
    double ours = 0, peer = 0;
    if (!Lookup(reporter, c.ours, c.metric, &ours) ||
        !Lookup(reporter, c.peer, c.metric, &peer) || peer <= 0) {
      std::printf("  %-58s not run (filtered out)\n", c.title.c_str());
      continue;
    }
    const double ratio = ours / peer;
    std::printf("  %-58s ours %10.1f ns  peer %10.1f ns  ratio %.3f (%.1fx)",
                c.title.c_str(), ours, peer, ratio, ratio > 0 ? 1 / ratio : 0);
    bool met = true;
    std::string targets;
    if (c.max_ratio > 0) {
      met &= ratio <= c.max_ratio;
      targets += "ratio <= " + std::to_string(c.max_ratio).substr(0, 5);
    }
    if (c.max_ours_ns > 0) {
      met &= ours <= c.max_ours_ns;
      targets += std::string(targets.empty() ? "" : ", ") +
                 "ours <= " + std::to_string(static_cast<int>(c.max_ours_ns)) +
                 " ns";
    }
    if (!targets.empty())
      std::printf("  target %s: %s", targets.c_str(), met ? "MET" : "MISSED");
    std::printf("\n");
  }
  return 0;
}

}  // namespace bench
}  // namespace rill
