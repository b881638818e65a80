// The BEF executor against a oneTBB flow graph of the same shape (the nearest
// peer: a dataflow graph executor), in one binary:
//   - a chain of N trivial sync kernels (N = 100, 100,000);
//   - fan-out 1->N then fan-in N->1 (N = 100, 10,000);
//   - a chain of async kernels, each completed from the blocking pool, vs a
//     std::promise/future chain completed by a helper thread;
//   - a 100-kernel function called repeatedly (latency per call).
// Rill runs on the single-threaded queue (everything inline on the caller,
// as TFRT's BM_full_serial_100 did); TBB on its own arena of one thread, so
// both measure dispatch, not parallel speed-up.
//
//   bazel run -c opt //benchmarks:executor_benchmark

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/comparison.h"
#include "executor/bef_executor.h"
#include "executor/testing/test_program.h"
#include "host_runtime/kernel_utils.h"
#include "oneapi/tbb/flow_graph.h"
#include "oneapi/tbb/global_control.h"
#include "oneapi/tbb/task_arena.h"

namespace rill {
namespace {

// ---- Rill -------------------------------------------------------------------

// A kernel whose result is set from the blocking pool.
void BlockingInc(int32_t x, Result<int32_t> out, const ExecutionContext& ctx) {
  AsyncValueRef<int32_t> result = out.Allocate();
  std::optional<TaskFunction> rejected = ctx.host()->EnqueueBlockingWork(
      [result = result.CopyRef(), x] { result.emplace(x + 1); },
      /*allow_queuing=*/true);
  if (rejected) result.emplace(x + 1);
}

struct RillCase {
  // A function's results can be available while its execution still winds
  // down on another thread (a blocking-pool continuation): quiesce before the
  // program goes (the contract in bef_executor.h).
  ~RillCase() {
    if (host != nullptr) host->Quiesce();
  }
  RillCase() = default;
  RillCase(RillCase&&) = default;
  std::unique_ptr<HostContext> host;
  std::unique_ptr<BefProgram> program;
  const Function* main = nullptr;
};

RillCase MakeCase(const std::vector<uint8_t>& bytes, int threads = 0) {
  RillCase c;
  c.host = testing::CreateTestHost(threads);
  (void)c.host->registry().AddKernel("x.blocking_inc",
                                     RILL_KERNEL(BlockingInc));
  c.program = testing::LoadOrDie(bytes, c.host.get());
  c.main = c.program->GetFunction("main");
  return c;
}

void RunRill(benchmark::State& state, RillCase& c, double nodes) {
  ExecutionContext ctx = testing::NewExecutionContext(c.host.get());
  bench::MeasurePerItem(state, nodes, "ns_per_node", [&] {
    CallResults results = ExecuteAndAwait(*c.main, ctx);
    benchmark::DoNotOptimize(results[0]->get<int32_t>());
  });
}

void BM_RillChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RillCase c = MakeCase(testing::BuildChain(n));
  RunRill(state, c, n + 1);
}

void BM_RillFanOutFanIn(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RillCase c = MakeCase(testing::BuildFanOutFanIn(n));
  RunRill(state, c, n + 2);
}

void BM_RillBlockingChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RillCase c = MakeCase(testing::BuildChain(n, "x.blocking_inc"), 1);
  RunRill(state, c, n);
}

void BM_RillCall100(benchmark::State& state) {
  RillCase c = MakeCase(testing::BuildChain(99));
  RunRill(state, c, 1);  // ns per call.
}

// ---- oneTBB flow graph
// --------------------------------------------------------

// Nodes that do the same trivial work as the Rill kernels (an increment),
// wired as continue_nodes so a node runs once all predecessors finished.
using Continue = tbb::flow::continue_node<tbb::flow::continue_msg>;

struct TbbGraph {
  tbb::flow::graph graph;
  std::vector<std::unique_ptr<Continue>> nodes;
  std::vector<int32_t> values;
};

// One arena with one thread: TBB dispatches on the caller, like Rill's `s`.
tbb::task_arena& Arena() {
  static tbb::task_arena* arena = new tbb::task_arena(1);
  return *arena;
}

void RunTbb(benchmark::State& state, TbbGraph& g, double nodes) {
  bench::MeasurePerItem(state, nodes, "ns_per_node", [&] {
    Arena().execute([&] {
      g.nodes[0]->try_put(tbb::flow::continue_msg());
      g.graph.wait_for_all();
    });
    benchmark::DoNotOptimize(g.values.back());
  });
}

void BM_TbbChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  TbbGraph g;
  g.values.assign(n + 1, 0);
  Arena().execute([&] {
    for (int i = 0; i <= n; ++i) {
      int32_t* v = g.values.data();
      g.nodes.push_back(std::make_unique<Continue>(
          g.graph, [v, i](const tbb::flow::continue_msg&) {
            v[i] = i == 0 ? 0 : v[i - 1] + 1;
          }));
      if (i > 0) tbb::flow::make_edge(*g.nodes[i - 1], *g.nodes[i]);
    }
  });
  RunTbb(state, g, n + 1);
}

void BM_TbbFanOutFanIn(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  TbbGraph g;
  g.values.assign(n + 2, 0);
  Arena().execute([&] {
    int32_t* v = g.values.data();
    g.nodes.push_back(std::make_unique<Continue>(
        g.graph, [v](const tbb::flow::continue_msg&) { v[0] = 1; }));
    for (int i = 1; i <= n; ++i) {
      g.nodes.push_back(std::make_unique<Continue>(
          g.graph,
          [v, i](const tbb::flow::continue_msg&) { v[i] = v[0] + 1; }));
      tbb::flow::make_edge(*g.nodes[0], *g.nodes[i]);
    }
    g.nodes.push_back(std::make_unique<Continue>(
        g.graph, [v, n](const tbb::flow::continue_msg&) {
          int32_t sum = 0;
          for (int i = 1; i <= n; ++i) sum += v[i];
          v[n + 1] = sum;
        }));
    for (int i = 1; i <= n; ++i)
      tbb::flow::make_edge(*g.nodes[i], *g.nodes.back());
  });
  RunTbb(state, g, n + 2);
}

void BM_TbbCall100(benchmark::State& state) {
  TbbGraph g;
  g.values.assign(100, 0);
  Arena().execute([&] {
    for (int i = 0; i < 100; ++i) {
      int32_t* v = g.values.data();
      g.nodes.push_back(std::make_unique<Continue>(
          g.graph, [v, i](const tbb::flow::continue_msg&) {
            v[i] = i == 0 ? 0 : v[i - 1] + 1;
          }));
      if (i > 0) tbb::flow::make_edge(*g.nodes[i - 1], *g.nodes[i]);
    }
  });
  RunTbb(state, g, 1);
}

// ---- The floor on this machine
// -----------------------------------------------

// What any executor over refcounted, pooled async values must do per kernel,
// and nothing else: call the kernel body through a pointer, allocate its
// result value, read the operand's state and payload, keep the result in a
// register, and drop the operand (freeing it when last). The fan-out floor
// adds the two atomics a dataflow join cannot avoid: the shared operand's
// reference count and the join's pending count. No scheduling, ready lists,
// frames, streams or error propagation: Rill's figure over this one is what
// those cost.
int32_t FloorInc(int32_t x) { return x + 1; }

void BM_FloorChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<AsyncValue*> regs(n + 1);
  int32_t (*volatile body)(int32_t) = &FloorInc;
  bench::MeasurePerItem(state, n + 1, "ns_per_node", [&] {
    regs[0] = MakeAvailableAsyncValueRef<int32_t>(0).release();
    for (int i = 1; i <= n; ++i) {
      AsyncValue* in = regs[i - 1];
      if (in->IsError()) std::abort();
      regs[i] = MakeAvailableAsyncValueRef<int32_t>(body(in->get<int32_t>()))
                    .release();
      in->DropRef();
    }
    benchmark::DoNotOptimize(regs[n]->get<int32_t>());
    regs[n]->DropRef();
  });
}

void BM_FloorFanOutFanIn(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<AsyncValue*> leaves(n);
  int32_t (*volatile body)(int32_t) = &FloorInc;
  std::atomic<int32_t> pending{0};
  bench::MeasurePerItem(state, n + 2, "ns_per_node", [&] {
    AsyncValue* root = MakeAvailableAsyncValueRef<int32_t>(1).release();
    root->AddRef(n - 1);
    pending.store(n, std::memory_order_relaxed);
    int32_t sum = 0;
    for (int i = 0; i < n; ++i) {
      if (root->IsError()) std::abort();
      leaves[i] =
          MakeAvailableAsyncValueRef<int32_t>(body(root->get<int32_t>()))
              .release();
      root->DropRef();
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        for (AsyncValue* leaf : leaves) {
          sum += leaf->get<int32_t>();
          leaf->DropRef();
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  });
}

// ---- std::promise/future chain completed by a helper thread
// ------------------

class Helper {
 public:
  Helper() : thread_([this] { Loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto f = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      f();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool done_ = false;
  std::thread thread_;
};

void BM_StdFutureBlockingChain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Helper helper;
  bench::MeasurePerItem(state, n, "ns_per_node", [&] {
    int32_t x = 0;
    for (int i = 0; i < n; ++i) {
      auto promise = std::make_shared<std::promise<int32_t>>();
      std::future<int32_t> next = promise->get_future();
      helper.Post([promise, x] { promise->set_value(x + 1); });
      x = next.get();
    }
    benchmark::DoNotOptimize(x);
  });
}

// The per-node shapes are registered in main() as interleaved rounds (Rill,
// TBB, Rill, TBB, ...) and compared by their medians: this VM's speed drifts
// by tens of percent between seconds, which a single back-to-back pair turns
// into a wrong ratio.
constexpr int kRounds = 5;

void RegisterInterleavedRounds() {
  struct Shape {
    const char* ours;
    void (*rill)(benchmark::State&);
    const char* peer;
    void (*tbb)(benchmark::State&);
    int64_t n;
  };
  const Shape shapes[] = {
      {"BM_RillChain", BM_RillChain, "BM_TbbChain", BM_TbbChain, 100},
      {"BM_RillChain", BM_RillChain, "BM_TbbChain", BM_TbbChain, 100000},
      {"BM_RillFanOutFanIn", BM_RillFanOutFanIn, "BM_TbbFanOutFanIn",
       BM_TbbFanOutFanIn, 100},
      {"BM_RillFanOutFanIn", BM_RillFanOutFanIn, "BM_TbbFanOutFanIn",
       BM_TbbFanOutFanIn, 10000},
  };
  for (const Shape& shape : shapes) {
    const bool chain = shape.rill == BM_RillChain;
    benchmark::RegisterBenchmark(
        (std::string(chain ? "BM_FloorChain/" : "BM_FloorFanOutFanIn/") +
         std::to_string(shape.n))
            .c_str(),
        chain ? BM_FloorChain : BM_FloorFanOutFanIn)
        ->Arg(shape.n);
    for (int round = 0; round < kRounds; ++round) {
      const std::string suffix =
          "/" + std::to_string(shape.n) + "/round:" + std::to_string(round);
      benchmark::RegisterBenchmark((shape.ours + suffix).c_str(), shape.rill)
          ->Arg(shape.n);
      benchmark::RegisterBenchmark((shape.peer + suffix).c_str(), shape.tbb)
          ->Arg(shape.n);
    }
  }
}

BENCHMARK(BM_RillBlockingChain)->Arg(1000)->UseRealTime();
BENCHMARK(BM_StdFutureBlockingChain)->Arg(1000)->UseRealTime();
BENCHMARK(BM_RillCall100);
BENCHMARK(BM_TbbCall100);

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  using rill::bench::Comparison;
  rill::RegisterInterleavedRounds();
  return rill::bench::RunAndCompare(
      argc, argv,
      {
          Comparison{"chain of 100 sync kernels, per node vs oneTBB flow graph",
                     "BM_RillChain/100/*", "BM_TbbChain/100/*", "ns_per_node",
                     /*max_ratio=*/1.0 / 3, /*max_ours_ns=*/8},
          Comparison{"chain of 100,000 sync kernels, per node vs oneTBB",
                     "BM_RillChain/100000/*", "BM_TbbChain/100000/*",
                     "ns_per_node",
                     /*max_ratio=*/1.0 / 3, /*max_ours_ns=*/8},
          Comparison{"fan-out 1->100 + fan-in, per node vs oneTBB",
                     "BM_RillFanOutFanIn/100/*", "BM_TbbFanOutFanIn/100/*",
                     "ns_per_node", /*max_ratio=*/0.25, /*max_ours_ns=*/20},
          Comparison{"fan-out 1->10,000 + fan-in, per node vs oneTBB",
                     "BM_RillFanOutFanIn/10000/*", "BM_TbbFanOutFanIn/10000/*",
                     "ns_per_node", /*max_ratio=*/0.25, /*max_ours_ns=*/20},
          Comparison{"chain of 100: Rill over this machine's floor (no "
                     "target; see BM_FloorChain)",
                     "BM_RillChain/100/*", "BM_FloorChain/100/100",
                     "ns_per_node"},
          Comparison{"chain of 100,000: Rill over the floor",
                     "BM_RillChain/100000/*", "BM_FloorChain/100000/100000",
                     "ns_per_node"},
          Comparison{"fan-out 1->100 + fan-in: Rill over the floor",
                     "BM_RillFanOutFanIn/100/*", "BM_FloorFanOutFanIn/100/100",
                     "ns_per_node"},
          Comparison{"fan-out 1->10,000 + fan-in: Rill over the floor",
                     "BM_RillFanOutFanIn/10000/*",
                     "BM_FloorFanOutFanIn/10000/10000", "ns_per_node"},
          Comparison{"chain of 1,000 async kernels completed from the blocking "
                     "pool vs std::promise/future via a helper thread",
                     "BM_RillBlockingChain/1000/real_time",
                     "BM_StdFutureBlockingChain/1000/real_time", "ns_per_node"},
          Comparison{"100-kernel function called repeatedly, per call vs "
                     "oneTBB (TFRT BM_full_serial_100: 9 us)",
                     "BM_RillCall100", "BM_TbbCall100", "ns_per_node",
                     /*max_ratio=*/0, /*max_ours_ns=*/9000},
      });
}
