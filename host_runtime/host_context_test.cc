#include "host_runtime/host_context.h"

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "host_runtime/async_dispatch.h"

namespace rill {
namespace {

struct CountingContext : SharedContext {
  explicit CountingContext(HostContext* host) : host(host) {
    instances.fetch_add(1);
  }
  ~CountingContext() override { instances.fetch_sub(1); }
  HostContext* host;
  static std::atomic<int> instances;
};
std::atomic<int> CountingContext::instances{0};

class HostContextTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<HostContext> MakeHost() {
    return std::make_unique<HostContext>(CreateMallocAllocator(),
                                         *CreateWorkQueue(GetParam()));
  }
};

TEST_P(HostContextTest, SharedContextIsCreatedOncePerHost) {
  {
    auto host = MakeHost();
    std::vector<std::thread> threads;
    std::vector<CountingContext*> seen(8);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        seen[t] = &host->GetOrCreateSharedContext<CountingContext>();
      });
    }
    for (auto& t : threads) t.join();
    for (CountingContext* c : seen) EXPECT_EQ(c, seen[0]);
    EXPECT_EQ(seen[0]->host, host.get());
    EXPECT_EQ(CountingContext::instances.load(), 1);
  }
  EXPECT_EQ(CountingContext::instances.load(), 0);  // Destroyed with the host.
}

TEST_P(HostContextTest, ReadyChainIsSharedAndAvailable) {
  auto host = MakeHost();
  AsyncValueRef<Chain> a = host->GetReadyChain();
  AsyncValueRef<Chain> b = host->GetReadyChain();
  EXPECT_TRUE(a.IsConcrete());
  EXPECT_EQ(a.GetAsyncValue(), b.GetAsyncValue());
}

TEST_P(HostContextTest, DestructionWaitsForQueuedWork) {
  std::atomic<int> done{0};
  {
    auto host = MakeHost();
    for (int i = 0; i < 100; ++i) host->EnqueueWork([&] { done.fetch_add(1); });
  }
  EXPECT_EQ(done.load(), 100);
}

// A task may run on another thread, so every enqueue applies the enqueuing
// thread's held drops (internal::HeldDrops) first: the task sees exact counts,
// also when a kernel enqueues through the queue itself (async_dispatch.h).
TEST_P(HostContextTest, EnqueuedWorkSeesNoHeldDrops) {
  auto host = MakeHost();
  AsyncValue* v = MakeAvailableAsyncValueRef<int>(1).release();
  v->AddRef(2);
  std::atomic<uint32_t> seen[2] = {0, 0};
  v->DropRefOrHold();
  host->work_queue().AddTask([&] { seen[0] = v->NumRef(); });
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  host->Quiesce();
  EXPECT_EQ(seen[0].load(), 2u);
  v->DropRefOrHold();
  std::optional<TaskFunction> refused =
      host->EnqueueBlockingWork([&] { seen[1] = v->NumRef(); });
  if (refused) (*refused)();
  EXPECT_EQ(internal::tls_held_drops.value, nullptr);
  host->Quiesce();
  EXPECT_EQ(seen[1].load(), 1u);
  v->DropRef();
}

TEST_P(HostContextTest, AwaitAndAllocator) {
  auto host = MakeHost();
  ExecutionContext ctx(*RequestContextBuilder(host.get(), nullptr).build());
  AsyncValueRef<int> v = EnqueueWork(ctx, [] { return 3; });
  host->Await(v.CopyRCRef());
  EXPECT_EQ(*v, 3);
  void* p = host->AllocateBytes(64, 64);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  host->DeallocateBytes(p, 64);
  EXPECT_GE(host->GetNumWorkerThreads(), 1);
  EXPECT_FALSE(host->IsInWorkerThread());
}

TEST_P(HostContextTest, DefaultDiagnosticHandlerPrintsRuntimeError) {
  auto host = MakeHost();
  testing::internal::CaptureStdout();
  host->EmitError(
      AsyncValueError{absl::InternalError("boom"),
                      ErrorLocation{"a.mlir", 4, 2, "tfrt.k", "f"}});
  EXPECT_EQ(
      testing::internal::GetCapturedStdout(),
      "runtime error: a.mlir:4:2: in kernel 'tfrt.k' (function 'f'): boom\n");
  std::vector<std::string> seen;
  host->set_diagnostic_handler([&](const AsyncValueError& e) {
    seen.push_back(std::string(e.status.message()));
  });
  host->EmitError(AsyncValueError{absl::InternalError("again"), std::nullopt});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "again");
}

INSTANTIATE_TEST_SUITE_P(Queues, HostContextTest,
                         ::testing::Values("s", "mstd:1", "mstd:2", "mstd:8"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == ':') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace rill
