// rill-demo: a tour of the host runtime until rill-run lands (issue 5). It
// registers a few kernels written as plain C++ functions (RILL_KERNEL), wires
// them into a small dataflow graph by hand — each kernel runs when its argument
// async values are available — and shows fan-out/fan-in on the work queue, an
// asynchronous kernel completed from the blocking pool, an error that
// propagates with its source location, and a cancelled request.
//
// Usage: rill-demo [--work_queue_type=s|mstd|mstd:N[,M]]
// [--host_allocator_type=<type>]

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "host_runtime/async_dispatch.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/host_context.h"
#include "host_runtime/kernel_utils.h"

namespace rill {
namespace {

// ---- Kernels: plain C++ functions
// ------------------------------------------------------------------

int64_t Square(int64_t x) { return x * x; }

int64_t Sum(RemainingArguments values) {
  int64_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) total += values[i]->get<int64_t>();
  return total;
}

absl::StatusOr<int64_t> Divide(int64_t a, int64_t b) {
  if (b == 0) return absl::InternalError("division by zero");
  return a / b;
}

int64_t Increment(int64_t x) { return x + 1; }

// An asynchronous kernel: its result is completed later by work on the blocking
// pool.
AsyncValueRef<std::string> ReadGreeting(const ExecutionContext& ctx,
                                        StringAttribute who) {
  return EnqueueBlockingWork(ctx, [who = who.str()] {
    return absl::StrCat("hello, ", who, ", from a blocking task");
  });
}

absl::Status RegisterDemoKernels(KernelRegistry* registry) {
  for (auto [name, kernel] :
       std::vector<std::pair<const char*, AsyncKernelImplementation>>{
           {"demo.square", RILL_KERNEL(Square)},
           {"demo.sum", RILL_KERNEL(Sum)},
           {"demo.divide", RILL_KERNEL(Divide)},
           {"demo.increment", RILL_KERNEL(Increment)},
           {"demo.read_greeting", RILL_KERNEL(ReadGreeting)},
       }) {
    if (absl::Status s = registry->AddKernel(name, kernel); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// ---- A tiny dataflow driver
// --------------------------------------------------------------------------

// Invokes kernel `name` once all `args` are available, on the work queue, and
// returns placeholders for its results right away (results are forwarded when
// the kernel produces them).
class Graph {
 public:
  Graph(HostContext* host, ExecutionContext ctx)
      : host_(host), ctx_(std::move(ctx)) {}

  absl::StatusOr<std::vector<RCReference<AsyncValue>>> Call(
      const std::string& name, std::vector<RCReference<AsyncValue>> args,
      int num_results, std::vector<const void*> attrs = {},
      ErrorLocation location = {}) {
    absl::StatusOr<AsyncKernelImplementation> kernel =
        host_->registry().GetKernel(name);
    if (!kernel.ok()) return kernel.status();
    std::vector<RCReference<AsyncValue>> results;
    std::vector<RCReference<IndirectAsyncValue>> placeholders;
    for (int i = 0; i < num_results; ++i) {
      placeholders.push_back(MakeIndirectAsyncValue());
      results.push_back(FormRef<AsyncValue>(placeholders.back().get()));
    }
    location.kernel = name;
    location.function = "main";
    // RunWhenReady keeps its own references to the arguments until it fires.
    std::vector<RCReference<AsyncValue>> wait_on;
    for (const auto& arg : args) wait_on.push_back(arg.CopyRef());
    auto run = [ctx = ctx_, kernel = *kernel, args = std::move(args),
                attrs = std::move(attrs),
                placeholders = std::move(placeholders),
                location = std::move(location)]() mutable {
      // Spec §5.6: a cancelled request skips kernels; their results become the
      // cancellation error.
      if (AsyncValue* cancelled = ctx.GetCancelAsyncValue()) {
        for (auto& p : placeholders) p->ForwardTo(FormRef(cancelled));
        return;
      }
      KernelFrameBuilder frame(ctx);
      for (auto& arg : args) frame.AddArg(arg.CopyRef());
      for (const void* attr : attrs) frame.AddAttribute(attr);
      frame.SetNumResults(static_cast<int>(placeholders.size()));
      frame.SetLocation(location);
      kernel(&frame);
      std::vector<RCReference<AsyncValue>> produced = frame.ReleaseResults();
      for (size_t i = 0; i < produced.size(); ++i) {
        placeholders[i]->ForwardTo(std::move(produced[i]));
      }
    };
    RunWhenReady(absl::MakeConstSpan(wait_on),
                 [queue = &ctx_.work_queue(), run = std::move(run)]() mutable {
                   queue->AddTask(std::move(run));
                 });
    return results;
  }

  // Convenience for one-result calls.
  RCReference<AsyncValue> Call1(const std::string& name,
                                std::vector<RCReference<AsyncValue>> args,
                                std::vector<const void*> attrs = {},
                                ErrorLocation location = {}) {
    absl::StatusOr<std::vector<RCReference<AsyncValue>>> r =
        Call(name, std::move(args), 1, std::move(attrs), std::move(location));
    if (!r.ok()) return MakeErrorAsyncValueRef(r.status());
    return std::move((*r)[0]);
  }

  RequestContext* request() const { return ctx_.request_ctx(); }

 private:
  HostContext* host_;
  ExecutionContext ctx_;
};

template <typename... Values>
std::vector<RCReference<AsyncValue>> Args(Values&&... values) {
  std::vector<RCReference<AsyncValue>> out;
  (out.push_back(std::forward<Values>(values)), ...);
  return out;
}

template <typename T>
RCReference<AsyncValue> Constant(T value) {
  return MakeAvailableAsyncValueRef<T>(std::move(value)).ReleaseRCRef();
}

std::string Describe(const AsyncValue& value) {
  if (!value.IsError()) return "";
  std::string where;
  if (value.GetErrorLocation())
    where = value.GetErrorLocation()->ToString() + ": ";
  return absl::StrCat(absl::StatusCodeToString(value.GetError().code()), ": ",
                      where, value.GetError().message());
}

// Prints "<argv0>: <message>" to stderr and returns the exit status for bad
// input.
int Fail(const char* argv0, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", argv0,
               std::string(status.message()).c_str());
  return 1;
}

int Main(int argc, char** argv) {
  std::string queue_spec = "mstd";
  std::string allocator_type = "malloc";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--work_queue_type=")) {
      queue_spec = arg.substr(std::strlen("--work_queue_type="));
    } else if (absl::StartsWith(arg, "--host_allocator_type=")) {
      allocator_type = arg.substr(std::strlen("--host_allocator_type="));
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "usage: %s [--work_queue_type=s|mstd|mstd:N[,M]] "
          "[--host_allocator_type=T]\n",
          argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0],
                   arg.c_str());
      return 1;
    }
  }
  absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> queue =
      CreateWorkQueue(queue_spec);
  if (!queue.ok()) return Fail(argv[0], queue.status());
  absl::StatusOr<std::unique_ptr<HostAllocator>> allocator =
      CreateHostAllocator(allocator_type);
  if (!allocator.ok()) return Fail(argv[0], allocator.status());
  HostContext host(*std::move(allocator), *std::move(queue));
  if (absl::Status s = RegisterDemoKernels(&host.registry()); !s.ok()) {
    return Fail(argv[0], s);
  }
  // Kernels may report errors from any worker thread.
  std::mutex diagnostics_mu;
  std::vector<std::string> diagnostics;
  host.set_diagnostic_handler([&](const AsyncValueError& e) {
    std::lock_guard<std::mutex> lock(diagnostics_mu);
    diagnostics.push_back(absl::StrCat(
        e.location ? e.location->ToString() + ": " : "", e.status.message()));
  });
  std::printf("Rill host runtime demo: %s, %d worker thread(s)\n",
              host.work_queue().name().c_str(), host.GetNumWorkerThreads());

  auto make_graph = [&host](int64_t id) {
    return Graph(
        &host,
        ExecutionContext(*RequestContextBuilder(&host, nullptr, id).build()));
  };

  // 1. Fan-out / fan-in: 100 independent kernels, then one that waits for all
  // of them.
  Graph graph = make_graph(1);
  std::vector<RCReference<AsyncValue>> squares;
  for (int64_t i = 1; i <= 100; ++i)
    squares.push_back(graph.Call1("demo.square", Args(Constant(i))));
  RCReference<AsyncValue> total = graph.Call1("demo.sum", std::move(squares));

  // 2. An asynchronous kernel completed from the blocking pool; the attribute
  // is read in place.
  struct {
    uint64_t size = 4;
    char text[8] = {'R', 'i', 'l', 'l'};
  } who_attr;
  RCReference<AsyncValue> greeting =
      graph.Call1("demo.read_greeting", {}, {&who_attr});

  // 3. An error with a location, propagating through two dependent kernels
  // without running them.
  RCReference<AsyncValue> quotient = graph.Call1(
      "demo.divide", Args(Constant<int64_t>(1), Constant<int64_t>(0)), {},
      ErrorLocation{"demo.mlir", 3, 14, "", ""});
  RCReference<AsyncValue> plus_one =
      graph.Call1("demo.increment", Args(quotient.CopyRef()));
  RCReference<AsyncValue> plus_two =
      graph.Call1("demo.increment", Args(plus_one.CopyRef()));

  // 4. A cancelled request: kernels waiting on an input that arrives after
  // cancellation are
  //    skipped and their results become the cancellation error.
  Graph cancelled = make_graph(2);
  AsyncValueRef<int64_t> late_input = MakeUnconstructedAsyncValueRef<int64_t>();
  RCReference<AsyncValue> skipped =
      cancelled.Call1("demo.increment", Args(late_input.CopyRCRef()));
  // 5. A kernel name nobody registered.
  RCReference<AsyncValue> unknown =
      graph.Call1("demo.sqaure", Args(Constant<int64_t>(2)));

  host.Await(Args(total.CopyRef(), greeting.CopyRef(), plus_two.CopyRef()));
  std::printf("sum of squares 1..100 over 100 async kernels: %lld\n",
              static_cast<long long>(total->get<int64_t>()));
  std::printf("asynchronous kernel: %s\n",
              greeting->get<std::string>().c_str());
  std::printf("error after two dependent kernels: %s\n",
              Describe(*plus_two).c_str());
  std::printf("unknown kernel: %s\n", Describe(*unknown).c_str());
  for (const std::string& d : diagnostics)
    std::printf("runtime error: %s\n", d.c_str());
  cancelled.request()
      ->Cancel();  // Then let the input arrive: its user must not run.
  late_input.emplace(1);
  host.Await(skipped.CopyRef());
  std::printf("cancelled request: %s\n",
              skipped->IsError() ? Describe(*skipped).c_str() : "ran");
  host.Quiesce();
  return 0;
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) { return rill::Main(argc, argv); }
