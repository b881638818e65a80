#include "host_runtime/execution_context.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/async_dispatch.h"
#include "host_runtime/host_context.h"

namespace rill {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<HostContext> MakeHost(const std::string& queue) {
  return std::make_unique<HostContext>(CreateMallocAllocator(),
                                       *CreateWorkQueue(queue));
}

ExecutionContext MakeContext(HostContext* host,
                             ResourceContext* resources = nullptr) {
  absl::StatusOr<RCReference<RequestContext>> request =
      RequestContextBuilder(host, resources, /*id=*/7).build();
  EXPECT_TRUE(request.ok());
  return ExecutionContext(*std::move(request));
}

TEST(CancellationContextTest, FirstCancelWins) {
  CancellationContext cancel;
  EXPECT_FALSE(cancel.IsCancelled());
  EXPECT_EQ(cancel.GetCancelAsyncValue(), nullptr);
  EXPECT_TRUE(cancel.Cancel());
  EXPECT_FALSE(cancel.Cancel(absl::DeadlineExceededError("late")));
  ASSERT_TRUE(cancel.IsCancelled());
  const absl::Status& error = cancel.GetCancelAsyncValue()->GetError();
  EXPECT_EQ(error.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(error.message(), "Cancelled");
}

TEST(CancellationContextTest, ConcurrentCancelsProduceOneValue) {
  for (int round = 0; round < 50; ++round) {
    CancellationContext cancel;
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        if (cancel.Cancel()) winners.fetch_add(1);
        EXPECT_TRUE(cancel.GetCancelAsyncValue()->IsError());
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1);
  }
}

class CancellationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CancellationTest, PendingWorkObservesTheCancelledError) {
  auto host = MakeHost(GetParam());
  ExecutionContext ctx = MakeContext(host.get());
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  // Hold the queue (on "s" nothing runs until Await anyway) so later work is
  // still pending when the request is cancelled.
  AsyncValueRef<Chain> gate = EnqueueBlockingWork(ctx, [&] {
    while (!release.load()) std::this_thread::yield();
  });
  std::vector<RCReference<AsyncValue>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(EnqueueBlockingWork(ctx, [&, i] {
                        ran.fetch_add(1);
                        return i;
                      }).ReleaseRCRef());
  }
  ctx.request_ctx()->Cancel();
  release = true;
  host->Await(results);
  for (const auto& r : results) {
    ASSERT_TRUE(r->IsError());
    EXPECT_EQ(r->GetError().code(), absl::StatusCode::kCancelled);
    EXPECT_EQ(r->GetError().message(), "Cancelled");
  }
  EXPECT_EQ(ran.load(), 0);
  host->Quiesce();
}

TEST_P(CancellationTest, WorkAfterCancellationDoesNotRun) {
  auto host = MakeHost(GetParam());
  ExecutionContext ctx = MakeContext(host.get());
  ctx.request_ctx()->Cancel(absl::DeadlineExceededError("deadline"));
  bool ran = false;
  AsyncValueRef<int> r = EnqueueWork(ctx, [&] {
    ran = true;
    return 1;
  });
  RCReference<AsyncValue> values[] = {r.CopyRCRef()};
  host->Await(values);
  EXPECT_FALSE(ran);
  EXPECT_EQ(r.GetError().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_P(CancellationTest, EnqueueWorkResultKinds) {
  auto host = MakeHost(GetParam());
  ExecutionContext ctx = MakeContext(host.get());
  AsyncValueRef<int> a = EnqueueWork(ctx, [] { return 1; });
  AsyncValueRef<int> b = EnqueueWork(
      ctx, []() -> absl::StatusOr<int> { return absl::NotFoundError("nope"); });
  AsyncValueRef<Chain> c = EnqueueWork(ctx, [] { return absl::OkStatus(); });
  AsyncValueRef<Chain> d = EnqueueWork(ctx, [] {});
  AsyncValueRef<Chain> e =
      EnqueueBlockingWork(ctx, [] { return absl::AbortedError("x"); });
  RCReference<AsyncValue> values[] = {a.CopyRCRef(), b.CopyRCRef(),
                                      c.CopyRCRef(), d.CopyRCRef(),
                                      e.CopyRCRef()};
  host->Await(values);
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(b.GetError().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(c.IsConcrete());
  EXPECT_TRUE(d.IsConcrete());
  EXPECT_EQ(e.GetError().code(), absl::StatusCode::kAborted);
}

// One blocking thread, so blocking work queues up behind the gate.
INSTANTIATE_TEST_SUITE_P(Queues, CancellationTest,
                         ::testing::Values("s", "mstd:1,1", "mstd:2,1",
                                           "mstd:8,1"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == ':' || c == ',') c = '_';
                           }
                           return name;
                         });

TEST(EnqueueBlockingWorkTest, RefusedWorkBecomesUnavailableError) {
  auto host = MakeHost("s");
  ExecutionContext ctx = MakeContext(host.get());
  // The single-threaded queue cannot promise to start work without queuing.
  AsyncValueRef<int> r = EnqueueBlockingWork(
      ctx, [] { return 1; }, /*allow_queuing=*/false);
  ASSERT_TRUE(r.IsError());
  EXPECT_EQ(r.GetError().code(), absl::StatusCode::kUnavailable);
}

struct Tracked {
  Tracked(std::vector<std::string>* log, std::string name)
      : log(log), name(std::move(name)) {}
  ~Tracked() { log->push_back(name); }
  std::vector<std::string>* log;
  std::string name;
};

TEST(ResourceContextTest, CreateGetAndReverseDestruction) {
  std::vector<std::string> destroyed;
  {
    ResourceContext resources;
    absl::StatusOr<Tracked*> a =
        resources.CreateResource<Tracked>("a", &destroyed, "a");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(resources.CreateResource<Tracked>("b", &destroyed, "b").ok());
    EXPECT_EQ(resources.GetResource<Tracked>("a"), *a);
    EXPECT_EQ(resources.GetResource<Tracked>("missing"), nullptr);
    EXPECT_EQ(resources.GetResource<int>("a"), nullptr);  // Wrong type.
    absl::StatusOr<Tracked*> dup =
        resources.CreateResource<Tracked>("a", &destroyed, "a2");
    EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  }
  EXPECT_THAT(destroyed,
              ElementsAre("b", "a"));  // The duplicate was never constructed.
}

TEST(ResourceContextTest, GetOrCreateRunsFactoryOnce) {
  ResourceContext resources;
  std::atomic<int> made{0};
  std::vector<std::thread> threads;
  std::vector<int*> seen(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<int*> r = resources.GetOrCreateResource<int>("once", [&] {
        made.fetch_add(1);
        return 5;
      });
      ASSERT_TRUE(r.ok());
      seen[t] = *r;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  for (int* p : seen) EXPECT_EQ(p, seen[0]);
  absl::StatusOr<double*> wrong =
      resources.GetOrCreateResource<double>("once", [] { return 1.0; });
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RequestContextTest, BuilderAndAccessors) {
  auto host = MakeHost("s");
  ResourceContext shared;
  ExecutionContext ctx = MakeContext(host.get(), &shared);
  EXPECT_EQ(ctx.request_ctx()->id(), 7);
  EXPECT_EQ(ctx.host(), host.get());
  EXPECT_EQ(ctx.request_ctx()->resource_context(), &shared);
  EXPECT_EQ(&ctx.work_queue(), &host->work_queue());
  auto other_queue = CreateSingleThreadedWorkQueue();
  ExecutionContext copy = ctx;
  copy.set_work_queue(other_queue.get());
  EXPECT_EQ(&copy.work_queue(), other_queue.get());
  EXPECT_EQ(&ctx.work_queue(), &host->work_queue());
  // Cancellation is per request, so copies share it.
  copy.request_ctx()->Cancel();
  EXPECT_TRUE(ctx.IsCancelled());

  ExecutionContext owned = MakeContext(host.get());
  EXPECT_NE(owned.request_ctx()->resource_context(), nullptr);
  EXPECT_FALSE(owned.IsCancelled());

  absl::StatusOr<RCReference<RequestContext>> bad =
      RequestContextBuilder(nullptr, nullptr).build();
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rill
