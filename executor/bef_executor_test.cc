#include "executor/bef_executor.h"

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bef/builder.h"
#include "executor/testing/test_program.h"
#include "gtest/gtest.h"
#include "host_runtime/async_value.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/kernel_utils.h"

namespace rill {
namespace {

using testing::AddTestKernel;
using testing::BuildChain;
using testing::BuildFanOutFanIn;
using testing::CreateTestHost;
using testing::DefineMain;
using testing::LoadOrDie;
using testing::NewExecutionContext;

int32_t RunMain(const BefProgram& program, HostContext* host) {
  CallResults results =
      ExecuteAndAwait(*program.GetFunction("main"), NewExecutionContext(host));
  EXPECT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0]->IsConcrete());
  return results[0]->get<int32_t>();
}

TEST(BefExecutorTest, ChainOfSyncKernels) {
  auto host = CreateTestHost();
  auto program = LoadOrDie(BuildChain(1000), host.get());
  EXPECT_EQ(RunMain(*program, host.get()), 1000);
}

TEST(BefExecutorTest, ChainOfAsyncKernels) {
  auto host = CreateTestHost();
  auto program = LoadOrDie(BuildChain(1000, "x.async_inc"), host.get());
  EXPECT_EQ(RunMain(*program, host.get()), 1000);
}

TEST(BefExecutorTest, FanOutFanIn) {
  for (int threads : {0, 4}) {
    auto host = CreateTestHost(threads);
    auto program = LoadOrDie(BuildFanOutFanIn(100), host.get());
    EXPECT_EQ(RunMain(*program, host.get()), 200);
    host->Quiesce();
  }
}

TEST(BefExecutorTest, ConcurrentExecutionsOfOneFunction) {
  auto host = CreateTestHost(4);
  auto program = LoadOrDie(BuildChain(2000, "x.async_inc"), host.get());
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                       NewExecutionContext(host.get()));
        if (results[0]->IsConcrete() && results[0]->get<int32_t>() == 2000)
          correct.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads) t.join();
  host->Quiesce();
  EXPECT_EQ(correct.load(), 40);
}

TEST(BefExecutorTest, CancellationSkipsPendingKernelsAndLeaksNothing) {
  const int64_t live_before = internal::LiveAsyncValueCount();
  {
    auto host = CreateTestHost();
    auto program = LoadOrDie(BuildChain(100, "x.async_inc"), host.get());
    ExecutionContext ctx = NewExecutionContext(host.get());
    std::vector<RCReference<AsyncValue>> results(1);
    program->GetFunction("main")->Execute(ctx, {}, absl::MakeSpan(results));
    // The first async kernel is in flight; every later kernel is pending.
    ctx.request_ctx()->Cancel();
    host->Await(results);
    ASSERT_TRUE(results[0]->IsError());
    EXPECT_EQ(results[0]->GetError().code(), absl::StatusCode::kCancelled);
    EXPECT_EQ(results[0]->GetError().message(), "Cancelled");
    results.clear();
    host->Quiesce();
  }
  if (live_before >= 0) {
    EXPECT_EQ(internal::LiveAsyncValueCount(), live_before);
  }
}

TEST(BefExecutorTest, ReportedErrorsCarryProvenance) {
  auto host = CreateTestHost();
  std::vector<AsyncValueError> diagnostics;
  host->set_diagnostic_handler(
      [&](const AsyncValueError& e) { diagnostics.push_back(e); });
  bef::BefBuilder b;
  bef::FunctionBodyBuilder* body = DefineMain(b);
  bef::KernelSpec constant;
  constant.name = b.AddKernelName("x.const");
  constant.attributes = {b.AddScalar<int32_t>(2018)};
  constant.num_results = 1;
  const uint32_t c = body->AddKernel(constant)[0];
  bef::KernelSpec check;
  check.name = b.AddKernelName("x.check");
  check.operands = {c};
  check.num_results = 1;
  check.location = b.AddFileLocation("model.mlir", 7, 9);
  const uint32_t r = body->AddKernel(check)[0];
  bef::KernelSpec inc;
  inc.name = b.AddKernelName("x.inc");
  inc.operands = {r};
  inc.num_results = 1;
  body->SetResults({body->AddKernel(inc)[0]});
  auto program = LoadOrDie(*b.Finish(), host.get());

  auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                 NewExecutionContext(host.get()));
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().message(), "bad value 2018");
  const std::optional<ErrorLocation>& where = results[0]->GetErrorLocation();
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->file, "model.mlir");
  EXPECT_EQ(where->line, 7u);
  EXPECT_EQ(where->column, 9u);
  EXPECT_EQ(where->kernel, "x.check");
  EXPECT_EQ(where->function, "main");
  // Reported once, by x.check; x.inc was skipped silently.
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].location->kernel, "x.check");
}

int64_t Const64() { return 64; }

// x.inc has a direct entry (one int32 argument, one plain result), which
// declines an int64; the frame entry then reports it, with the kernel's
// location, exactly as without a direct entry. The same program traced runs
// every kernel through its frame entry and gives the same error.
TEST(BefExecutorTest, DirectKernelWithAWrongTypedArgumentReportsItsLocation) {
  auto host = CreateTestHost();
  ASSERT_TRUE(
      host->registry().AddKernel("x.const64", RILL_KERNEL(Const64)).ok());
  ASSERT_NE(host->registry().GetKernelDefinition("x.inc")->direct, nullptr);
  std::vector<AsyncValueError> diagnostics;
  host->set_diagnostic_handler(
      [&](const AsyncValueError& e) { diagnostics.push_back(e); });
  bef::BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  const uint32_t fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, {i32, i32});
  bef::FunctionBodyBuilder* body = b.DefineFunction(fn);
  const uint32_t c = AddTestKernel(b, body, "x.const64", {});
  bef::KernelSpec inc;
  inc.name = b.AddKernelName("x.inc");
  inc.operands = {c};
  inc.num_results = 1;
  inc.location = b.AddFileLocation("model.mlir", 4, 11);
  const uint32_t bad = body->AddKernel(inc)[0];
  const uint32_t one =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  const uint32_t two = AddTestKernel(b, body, "x.inc", {one});
  body->SetResults({bad, two});
  auto program = LoadOrDie(*b.Finish(), host.get());

  auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                 NewExecutionContext(host.get()));
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().message(),
            "kernel argument 0 has the wrong type");
  const std::optional<ErrorLocation>& where = results[0]->GetErrorLocation();
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->file, "model.mlir");
  EXPECT_EQ(where->line, 4u);
  EXPECT_EQ(where->column, 11u);
  EXPECT_EQ(where->kernel, "x.inc");
  ASSERT_EQ(diagnostics.size(), 1u);
  // The well-typed x.inc ran directly.
  ASSERT_TRUE(results[1]->IsConcrete());
  EXPECT_EQ(results[1]->get<int32_t>(), 2);
}

// A chain link's result is built in the block of the operand it consumed
// (the register held its only reference). An operand with another owner,
// here a value that is also returned, keeps its value.
TEST(BefExecutorTest, OnlyAnOperandWithNoOtherOwnerGivesItsBlockToTheResult) {
  auto host = CreateTestHost();
  bef::BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  const uint32_t fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, {i32, i32, i32});
  bef::FunctionBodyBuilder* body = b.DefineFunction(fn);
  const uint32_t one =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  const uint32_t two = AddTestKernel(b, body, "x.inc", {one});
  const uint32_t three = AddTestKernel(b, body, "x.inc", {two});
  const uint32_t four = AddTestKernel(b, body, "x.inc", {three});
  const uint32_t five = AddTestKernel(b, body, "x.inc", {four});
  body->SetResults({three, five, AddTestKernel(b, body, "x.inc", {three})});
  auto program = LoadOrDie(*b.Finish(), host.get());
  for (int run = 0; run < 3; ++run) {
    auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                   NewExecutionContext(host.get()));
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0]->get<int32_t>(), 3);
    EXPECT_EQ(results[1]->get<int32_t>(), 5);
    EXPECT_EQ(results[2]->get<int32_t>(), 4);
    EXPECT_EQ(results[0]->NumRef(), 1u);
  }
}

int64_t Widen(int32_t x) { return int64_t{x} << 32; }

// A chain of direct kernels runs link to link without the loop (RunChain).
// A link whose entry declines (x.inc given an int64 by x.widen) leaves the
// chain for the frame path, which reports it with the kernel's location;
// the links after it are skipped. Another chain in the same function, and
// the same program run again (reusing its blocks), are unaffected.
TEST(BefExecutorTest, ChainLinkWhoseEntryDeclinesTakesTheFramePath) {
  auto host = CreateTestHost();
  ASSERT_TRUE(host->registry().AddKernel("x.widen", RILL_KERNEL(Widen)).ok());
  std::vector<AsyncValueError> diagnostics;
  host->set_diagnostic_handler(
      [&](const AsyncValueError& e) { diagnostics.push_back(e); });
  bef::BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  const uint32_t fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, {i32, i32});
  bef::FunctionBodyBuilder* body = b.DefineFunction(fn);
  const uint32_t one =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  const uint32_t wide = AddTestKernel(b, body, "x.widen",
                                      {AddTestKernel(b, body, "x.inc", {one})});
  bef::KernelSpec inc;
  inc.name = b.AddKernelName("x.inc");
  inc.operands = {wide};
  inc.num_results = 1;
  inc.location = b.AddFileLocation("model.mlir", 12, 3);
  const uint32_t bad = body->AddKernel(inc)[0];
  uint32_t good =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(10)});
  for (int i = 0; i < 5; ++i) good = AddTestKernel(b, body, "x.inc", {good});
  body->SetResults({AddTestKernel(b, body, "x.inc", {bad}), good});
  auto program = LoadOrDie(*b.Finish(), host.get());

  for (int run = 0; run < 2; ++run) {
    diagnostics.clear();
    auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                   NewExecutionContext(host.get()));
    ASSERT_TRUE(results[0]->IsError());
    EXPECT_EQ(results[0]->GetError().message(),
              "kernel argument 0 has the wrong type");
    const std::optional<ErrorLocation>& where = results[0]->GetErrorLocation();
    ASSERT_TRUE(where.has_value());
    EXPECT_EQ(where->line, 12u);
    EXPECT_EQ(where->column, 3u);
    ASSERT_EQ(diagnostics.size(), 1u);  // Not again by the skipped x.inc.
    ASSERT_TRUE(results[1]->IsConcrete());
    EXPECT_EQ(results[1]->get<int32_t>(), 15);
  }
}

// For CancellationStopsAChainAtTheNextLink.
RequestContext* g_cancel = nullptr;
int g_ran_after_cancel = 0;
int32_t CancelThenInc(int32_t x) {
  g_cancel->Cancel();
  return x + 1;
}
int32_t CountedInc(int32_t x) {
  ++g_ran_after_cancel;
  return x + 1;
}

// A request cancelled while a chain runs: the chain stops at the next link,
// which is skipped (as is every link after it), and the result is the
// cancellation error. Nothing leaks.
TEST(BefExecutorTest, CancellationStopsAChainAtTheNextLink) {
  const int64_t live_before = internal::LiveAsyncValueCount();
  {
    auto host = CreateTestHost();
    ASSERT_TRUE(host->registry()
                    .AddKernel("x.cancel_inc", RILL_KERNEL(CancelThenInc))
                    .ok());
    ASSERT_TRUE(host->registry()
                    .AddKernel("x.counted_inc", RILL_KERNEL(CountedInc))
                    .ok());
    ASSERT_NE(host->registry().GetKernelDefinition("x.counted_inc")->direct,
              nullptr);
    bef::BefBuilder b;
    bef::FunctionBodyBuilder* body = DefineMain(b);
    uint32_t v =
        AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(0)});
    v = AddTestKernel(b, body, "x.inc", {v});
    v = AddTestKernel(b, body, "x.cancel_inc", {v});
    for (int i = 0; i < 3; ++i)
      v = AddTestKernel(b, body, "x.counted_inc", {v});
    body->SetResults({v});
    auto program = LoadOrDie(*b.Finish(), host.get());

    ExecutionContext ctx = NewExecutionContext(host.get());
    g_cancel = ctx.request_ctx();
    g_ran_after_cancel = 0;
    auto results = ExecuteAndAwait(*program->GetFunction("main"), ctx);
    ASSERT_TRUE(results[0]->IsError());
    EXPECT_EQ(results[0]->GetError().code(), absl::StatusCode::kCancelled);
    EXPECT_EQ(g_ran_after_cancel, 0);
    g_cancel = nullptr;
  }
  if (live_before >= 0) {
    EXPECT_EQ(internal::LiveAsyncValueCount(), live_before);
  }
}

// For the fan-out order tests.
std::vector<int>* g_leaf_order = nullptr;
template <int I>
int32_t LoggedInc(int32_t x) {
  g_leaf_order->push_back(I);
  return x + 1;
}

// The same kernels without a direct entry (an ExecutionContext parameter
// takes the frame path): the general loop's order, which RunLeaves keeps.
template <int I>
int32_t LoggedIncFrame(int32_t x, const ExecutionContext&) {
  return LoggedInc<I>(x);
}

class CountingTracer : public KernelTracer {
 public:
  void OnKernel(const ErrorLocation&, int64_t, int64_t) override { ++count; }
  int count = 0;
};

template <int... I>
void AddLoggedKernels(KernelRegistry& registry,
                      std::integer_sequence<int, I...>) {
  for (bool ok :
       {registry
            .AddKernel("x.leaf" + std::to_string(I), RILL_KERNEL(LoggedInc<I>))
            .ok()...,
        registry
            .AddKernel("x.frame_leaf" + std::to_string(I),
                       RILL_KERNEL(LoggedIncFrame<I>))
            .ok()...}) {
    ASSERT_TRUE(ok);
  }
}

// Runs "main", expecting `result`; returns the order the logged kernels ran.
std::vector<int> RunLogged(const BefProgram& program, HostContext* host,
                           int32_t result) {
  std::vector<int> order;
  g_leaf_order = &order;
  EXPECT_EQ(RunMain(program, host), result);
  g_leaf_order = nullptr;
  return order;
}

// Adds a constant 1 and `n` leaves "<prefix><i>" of it to `body`; returns
// the leaves' results.
std::vector<uint32_t> AddLoggedLeaves(bef::BefBuilder& b,
                                      bef::FunctionBodyBuilder* body,
                                      const std::string& prefix, int n) {
  const uint32_t root =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  std::vector<uint32_t> leaves;
  for (int i = 0; i < n; ++i) {
    leaves.push_back(
        AddTestKernel(b, body, prefix + std::to_string(i), {root}));
  }
  return leaves;
}

// Builds a program with frame-only logged kernels and with direct ones
// (`build(prefix)`), and checks that the direct one logs the frame one's
// order, on two calls. Returns that order and the direct program.
template <typename Build>
std::pair<std::vector<int>, std::unique_ptr<BefProgram>> FrameOrderAndDirect(
    Build build, HostContext* host, int32_t result) {
  std::vector<int> expected = RunLogged(*build("x.frame_leaf"), host, result);
  std::unique_ptr<BefProgram> direct = build("x.leaf");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(RunLogged(*direct, host, result), expected);
  }
  return {std::move(expected), std::move(direct)};
}

// The leaves of a fan-out run in the order of §6 whichever way its root's
// users become ready: all at once from a delivery that appends them in one
// copy (a sync root: kReadyUsersBit, the loader's presorted runs), or one
// Decrement at a time from the continuation of an async root. In auto mode
// the first leaf shares the root's stream and runs inline; the others form
// streams of two, created in reverse program order, which the batch runs in
// ascending stream order, each run LIFO.
TEST(BefExecutorTest, FanOutLeavesRunInTheOrderOfTheSchedulingModel) {
  auto host = CreateTestHost();
  KernelRegistry& registry = host->registry();
  AddLoggedKernels(registry, std::make_integer_sequence<int, 8>());
  for (bool async_root : {false, true}) {
    SCOPED_TRACE(async_root ? "async root" : "sync root");
    bef::BefBuilder b;
    bef::FunctionBodyBuilder* body = DefineMain(b);
    uint32_t root = AddTestKernel(b, body, "x.const", {},
                                  {b.AddScalar<int32_t>(async_root ? 0 : 1)});
    if (async_root) root = AddTestKernel(b, body, "x.async_inc", {root});
    std::vector<uint32_t> leaves;
    for (int i = 0; i < 8; ++i) {
      leaves.push_back(
          AddTestKernel(b, body, "x.leaf" + std::to_string(i), {root}));
    }
    body->SetResults({AddTestKernel(b, body, "x.sum", leaves)});
    auto program = LoadOrDie(*b.Finish(), host.get());
    for (int run = 0; run < 2; ++run) {
      EXPECT_EQ(RunLogged(*program, host.get(), 16),
                (std::vector<int>{0, 7, 5, 6, 3, 4, 1, 2}));
    }
  }
}

// A batch of fan-out leaves runs each run in place of the loop
// (Execution::RunLeaves) until a leaf makes a kernel ready, which must run
// before the run's remaining leaves, or a leaf must take the frame path (a
// tracer here). Each way, the order is the general loop's, which kernels
// without a direct entry show.
TEST(BefExecutorTest, FanOutLeavesKeepTheLoopsOrderWhenTheyLeaveTheLeafPath) {
  auto host = CreateTestHost();
  AddLoggedKernels(host->registry(), std::make_integer_sequence<int, 11>());
  // main: %r = const 1; %l_i = leaf_i %r (i < 8); %c = const 0;
  //       %s = add %l_5, %c; %t = leaf8 %s; %a = leaf9 %l_0; %b = leaf10 %a;
  //       return sum(%b, %l_1..%l_4, %t, %l_6, %l_7).
  // Leaf 5 makes the add ready (%c is there from the start); the longest
  // path (through leaf 0) keeps leaf 5 off the root's stream.
  auto build = [&](const std::string& prefix) {
    bef::BefBuilder b;
    bef::FunctionBodyBuilder* body = DefineMain(b);
    std::vector<uint32_t> leaves = AddLoggedLeaves(b, body, prefix, 8);
    const uint32_t zero =
        AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(0)});
    leaves[5] = AddTestKernel(b, body, "x.add", {leaves[5], zero});
    leaves[5] = AddTestKernel(b, body, prefix + "8", {leaves[5]});
    leaves[0] = AddTestKernel(b, body, prefix + "9", {leaves[0]});
    leaves[0] = AddTestKernel(b, body, prefix + "10", {leaves[0]});
    body->SetResults({AddTestKernel(b, body, "x.sum", leaves)});
    return LoadOrDie(*b.Finish(), host.get());
  };
  auto [expected, direct] = FrameOrderAndDirect(build, host.get(), 8 * 2 + 3);
  // Leaf 5 runs first of its run (LIFO); the add and leaf 8, which it
  // makes ready in its stream, run before the run's other leaf, leaf 6.
  EXPECT_EQ(expected, (std::vector<int>{0, 9, 10, 5, 8, 6, 7, 1, 2, 3, 4}));
  CountingTracer tracer;
  direct->set_tracer(&tracer);
  EXPECT_EQ(RunLogged(*direct, host.get(), 8 * 2 + 3), expected);
  EXPECT_EQ(tracer.count, 15);  // 2 const, 11 logged, add, sum.
  direct->set_tracer(nullptr);
  EXPECT_EQ(RunLogged(*direct, host.get(), 8 * 2 + 3), expected);
}

// Leaves that feed two fan-ins in turn: each leaf's decrement goes to the
// other fan-in than the last one's, so the leaf path applies a hold and
// starts another at every leaf. Same order and sums as the loop's.
TEST(BefExecutorTest, FanOutLeavesFeedingTwoFanInsKeepTheLoopsOrder) {
  auto host = CreateTestHost();
  AddLoggedKernels(host->registry(), std::make_integer_sequence<int, 8>());
  // main: %r = const 1; %l_i = leaf_i %r;
  //       return add(sum(%l_0, %l_2, ...), sum(%l_1, %l_3, ...)).
  auto build = [&](const std::string& prefix) {
    bef::BefBuilder b;
    bef::FunctionBodyBuilder* body = DefineMain(b);
    const std::vector<uint32_t> leaves = AddLoggedLeaves(b, body, prefix, 8);
    std::vector<uint32_t> even, odd;
    for (int i = 0; i < 8; ++i) (i % 2 == 0 ? even : odd).push_back(leaves[i]);
    body->SetResults({AddTestKernel(b, body, "x.add",
                                    {AddTestKernel(b, body, "x.sum", even),
                                     AddTestKernel(b, body, "x.sum", odd)})});
    return LoadOrDie(*b.Finish(), host.get());
  };
  EXPECT_EQ(FrameOrderAndDirect(build, host.get(), 16).first.size(), 8u);
}

// For HeldDecrementsMadeReadyInACalleeRunInTheirOwnExecution.
AsyncValueRef<int32_t>* g_pending = nullptr;
const Function* g_callee = nullptr;

// Completes *g_pending from another thread (whose continuation decrements the
// caller's fan-in while this thread still holds its own decrement of it),
// then calls *g_callee inline and returns its result plus `x`.
int32_t CompleteElsewhereThenCall(int32_t x, const ExecutionContext& ctx) {
  std::thread([] { g_pending->emplace(100); }).join();
  RCReference<AsyncValue> result;
  g_callee->Execute(ctx, {}, {&result, 1});
  return x + result->get<int32_t>();
}

TEST(BefExecutorTest, HeldDecrementsMadeReadyInACalleeRunInTheirOwnExecution) {
  // main(%p): %a = const 1; %v = inc %a; %c = complete_then_call %v;
  //           %s = add %v, %p; return add %s, %c.
  // %v's delivery holds its decrement of `add %v, %p` on this thread; the
  // other thread delivers %p and applies its own; the callee's loop applies
  // the caller's hold, which makes the add ready in the caller's execution
  // while the callee runs: it must run there (as a task), not in the callee.
  auto host = CreateTestHost();
  ASSERT_TRUE(host->registry()
                  .AddKernel("x.complete_then_call",
                             RILL_KERNEL(CompleteElsewhereThenCall))
                  .ok());
  bef::BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  const uint32_t main_fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {i32}, {i32});
  const uint32_t callee_fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "callee", {}, {i32});
  bef::FunctionBodyBuilder* callee = b.DefineFunction(callee_fn);
  callee->SetResults(
      {AddTestKernel(b, callee, "x.const", {}, {b.AddScalar<int32_t>(20)})});
  bef::FunctionBodyBuilder* body = b.DefineFunction(main_fn);
  const uint32_t p = body->argument(0);
  const uint32_t a =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  const uint32_t v = AddTestKernel(b, body, "x.inc", {a});
  const uint32_t c = AddTestKernel(b, body, "x.complete_then_call", {v});
  const uint32_t sum = AddTestKernel(b, body, "x.add", {v, p});
  body->SetResults({AddTestKernel(b, body, "x.add", {sum, c})});
  auto program = LoadOrDie(*b.Finish(), host.get());
  g_callee = program->GetFunction("callee");

  for (int i = 0; i < 3; ++i) {
    AsyncValueRef<int32_t> pending = MakeUnconstructedAsyncValueRef<int32_t>();
    g_pending = &pending;
    AsyncValue* arguments[] = {pending.GetAsyncValue()};
    auto results = ExecuteAndAwait(*program->GetFunction("main"),
                                   NewExecutionContext(host.get()), arguments);
    host->Quiesce();
    ASSERT_TRUE(results[0]->IsConcrete());
    EXPECT_EQ(results[0]->get<int32_t>(), (2 + 100) + (2 + 20));
  }
  g_pending = nullptr;
  g_callee = nullptr;
}

TEST(BefExecutorTest, UnknownKernelIsReportedAtItsFirstUse) {
  auto host = CreateTestHost();
  bef::BefBuilder b;
  const uint32_t fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, {});
  bef::FunctionBodyBuilder* body = b.DefineFunction(fn);
  for (uint32_t line : {3u, 4u}) {
    bef::KernelSpec spec;
    spec.name = b.AddKernelName("no.such.kernel");
    spec.num_results = 1;
    spec.location = b.AddFileLocation("f.mlir", line, 5);
    body->AddKernel(spec);
  }
  body->SetResults({});
  std::vector<AsyncValueError> errors;
  LoadOptions options;
  options.on_error = [&](const AsyncValueError& e) { errors.push_back(e); };
  auto program = BefProgram::Load(*bef::BefFile::FromCopy(*b.Finish()),
                                  host.get(), std::move(options));
  ASSERT_FALSE(program.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].status.message(), "unknown kernel name 'no.such.kernel'");
  EXPECT_EQ(errors[0].location->line, 3u);
}

TEST(BefExecutorTest, MissingNativeFunctionIsALoadError) {
  auto host = CreateTestHost();
  bef::BefBuilder b;
  b.DeclareFunction(bef::FunctionKind::kNative, "no_such_native", {}, {});
  auto program =
      BefProgram::Load(*bef::BefFile::FromCopy(*b.Finish()), host.get());
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.status().message(),
            "native function 'no_such_native' is not registered");
}

}  // namespace
}  // namespace rill
