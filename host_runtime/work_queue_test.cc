#include "host_runtime/work_queue.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/async_value_ref.h"

namespace rill {
namespace {

using ::testing::HasSubstr;

// Sanitizers slow everything down 5-20x; the stress tests then run fewer
// rounds.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kStressScale = 4;
#else
constexpr int kStressScale = 1;
#endif

std::unique_ptr<ConcurrentWorkQueue> MustCreate(const std::string& spec) {
  absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> queue =
      CreateWorkQueue(spec);
  EXPECT_TRUE(queue.ok()) << queue.status();
  return *std::move(queue);
}

// ---- Spec parsing
// ---------------------------------------------------------------------------------

TEST(CreateWorkQueueTest, AcceptsTfrtSpecs) {
  EXPECT_EQ(MustCreate("s")->name(), "single-threaded");
  EXPECT_EQ(MustCreate("mstd:3")->name(),
            "Multi-threaded C++ work queue (3 threads, 256 blocking threads)");
  EXPECT_EQ(MustCreate("mstd:2,5")->name(),
            "Multi-threaded C++ work queue (2 threads, 5 blocking threads)");
  auto def = MustCreate("mstd");
  EXPECT_EQ(
      def->GetParallelismLevel(),
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(MustCreate("s")->GetParallelismLevel(), 1);
}

TEST(CreateWorkQueueTest, RejectsBadSpecsWithClearErrors) {
  for (const char* spec :
       {"", "S", "m", "mstd:", "mstd:0", "mstd:-1", "mstd:x", "mstd:2,0",
        "mstd:1,2,3", "mstd:99999", "foo:2", "s:1"}) {
    absl::StatusOr<std::unique_ptr<ConcurrentWorkQueue>> queue =
        CreateWorkQueue(spec);
    ASSERT_FALSE(queue.ok()) << spec;
    EXPECT_EQ(queue.status().code(), absl::StatusCode::kInvalidArgument)
        << spec;
    EXPECT_THAT(
        std::string(queue.status().message()),
        HasSubstr(std::string("invalid work queue type '") + spec + "'"));
    EXPECT_THAT(std::string(queue.status().message()),
                HasSubstr("expected s, mstd"));
  }
}

// ---- Behaviour common to every queue, across worker counts
// -------------------------------------

class WorkQueueTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { queue_ = MustCreate(GetParam()); }
  bool multi_threaded() const { return GetParam() != "s"; }
  std::unique_ptr<ConcurrentWorkQueue> queue_;
};

TEST_P(WorkQueueTest, QuiesceWaitsForAllTasks) {
  std::atomic<int> counter{0};
  for (int i = 0; i < 10000; ++i) {
    queue_->AddTask([&] { counter.fetch_add(1, std::memory_order_relaxed); });
  }
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), 10000);
}

// A callable that counts its runs and its destruction (once, after the last
// run).
struct CountingRuns {
  std::atomic<int>* runs;
  std::atomic<int>* destroyed;
  std::atomic<bool>* running;
  CountingRuns(std::atomic<int>* r, std::atomic<int>* d, std::atomic<bool>* g)
      : runs(r), destroyed(d), running(g) {}
  CountingRuns(CountingRuns&& o) noexcept
      : runs(o.runs),
        destroyed(std::exchange(o.destroyed, nullptr)),
        running(o.running) {}
  ~CountingRuns() {
    if (destroyed != nullptr) destroyed->fetch_add(1);
  }
  void operator()() {
    // Runs of one batch are never concurrent.
    EXPECT_FALSE(running->exchange(true));
    runs->fetch_add(1);
    running->store(false);
  }
};

// A run that claims the batch's next runs itself (as the executor does),
// recording each run it performs.
struct ClaimingRuns {
  ConcurrentWorkQueue* queue;
  std::vector<std::string>* order;
  int* run;
  int* calls;
  std::function<void(int)> on_run = [](int) {};
  void operator()() {
    ++*calls;
    do {
      order->push_back("r" + std::to_string(*run));
      on_run((*run)++);
    } while (queue->ClaimNextRun());
  }
};

TEST_P(WorkQueueTest, TaskRunsRunCountTimesThenTheTaskIsDestroyed) {
  std::atomic<int> runs{0}, destroyed{0};
  // One flag per batch: different batches may run concurrently.
  std::vector<std::atomic<bool>> running(100);
  for (std::atomic<bool>& flag : running) flag.store(false);
  for (int i = 0; i < 100; ++i) {
    queue_->AddTaskRuns(7, CountingRuns(&runs, &destroyed, &running[i]));
  }
  queue_->Quiesce();
  EXPECT_EQ(runs.load(), 700);
  EXPECT_EQ(destroyed.load(), 100);
}

TEST_P(WorkQueueTest, ClaimedRunsAreEachPerformedOnce) {
  // Whatever a queue lets a run claim, every run happens exactly once.
  std::vector<std::string> order;
  int run = 0, calls = 0;
  queue_->AddTaskRuns(5, ClaimingRuns{queue_.get(), &order, &run, &calls});
  queue_->Quiesce();
  EXPECT_EQ(run, 5);
  EXPECT_GE(calls, 1);
  EXPECT_FALSE(queue_->ClaimNextRun());
}

TEST_P(WorkQueueTest, QuiesceWaitsForTasksAddedByTasks) {
  std::atomic<int> counter{0};
  // A binary tree of tasks, 2^12 leaves deep: each task adds two more until
  // depth 0.
  struct Spawner {
    ConcurrentWorkQueue* queue;
    std::atomic<int>* counter;
    void operator()(int depth) const {
      counter->fetch_add(1, std::memory_order_relaxed);
      if (depth == 0) return;
      Spawner self = *this;
      queue->AddTask([self, depth] { self(depth - 1); });
      queue->AddTask([self, depth] { self(depth - 1); });
    }
  };
  Spawner spawner{queue_.get(), &counter};
  queue_->AddTask([spawner] { spawner(12); });
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), (1 << 13) - 1);
}

TEST_P(WorkQueueTest, ManyProducersUnderContention) {
  constexpr int kProducers = 8;
  constexpr int kPerProducer = 5000;
  std::atomic<int> counter{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) {
        queue_->AddTask(
            [&] { counter.fetch_add(1, std::memory_order_relaxed); });
      }
    });
  }
  for (auto& t : producers) t.join();
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), kProducers * kPerProducer);
}

TEST_P(WorkQueueTest, AwaitReturnsWhenValuesAreCompletedByTasks) {
  std::vector<RCReference<AsyncValue>> values;
  for (int i = 0; i < 100; ++i) {
    AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
    values.push_back(v.CopyRCRef());
    queue_->AddTask([v = std::move(v), i] { v.emplace(i); });
  }
  queue_->Await(values);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values[i]->get<int>(), i);
  queue_->Quiesce();
}

TEST_P(WorkQueueTest, AwaitValuesCompletedByAnotherThread) {
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  std::thread producer([&] {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(30));  // Let the awaiter sleep.
    v.emplace(5);
  });
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue_->Await(values);
  EXPECT_EQ(*v, 5);
  producer.join();
}

TEST_P(WorkQueueTest, BlockingTasksRun) {
  std::atomic<int> counter{0};
  for (int i = 0; i < 50; ++i) {
    std::optional<TaskFunction> refused = queue_->AddBlockingTask(
        [&] { counter.fetch_add(1); }, /*allow_queuing=*/true);
    EXPECT_FALSE(refused.has_value());
  }
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), 50);
}

TEST_P(WorkQueueTest, IsInWorkerThread) {
  EXPECT_FALSE(queue_->IsInWorkerThread());
  std::atomic<bool> inside{false};
  queue_->AddTask([&] { inside = queue_->IsInWorkerThread(); });
  queue_->Quiesce();
  EXPECT_TRUE(inside.load());
}

TEST_P(WorkQueueTest, DestructionQuiesces) {
  std::atomic<int> counter{0};
  for (int i = 0; i < 1000; ++i) queue_->AddTask([&] { counter.fetch_add(1); });
  queue_.reset();
  EXPECT_EQ(counter.load(), 1000);
}

INSTANTIATE_TEST_SUITE_P(Queues, WorkQueueTest,
                         ::testing::Values("s", "mstd:1", "mstd:2", "mstd:8"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == ':') c = '_';
                           }
                           return name;
                         });

// ---- Multi-threaded queue
// ---------------------------------------------------------------------------

class MultiThreadedWorkQueueTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    queue_ = CreateMultiThreadedWorkQueue(GetParam(), 4);
  }
  std::unique_ptr<ConcurrentWorkQueue> queue_;
};

TEST_P(MultiThreadedWorkQueueTest, WorkersStealFromABusySubmitter) {
  const int workers = GetParam();
  std::mutex mu;
  std::set<std::thread::id> ran_on;
  std::atomic<int> counter{0};
  // One worker submits a burst to its own deque and then keeps busy; idle
  // workers must steal.
  queue_->AddTask([&] {
    for (int i = 0; i < 2000; ++i) {
      queue_->AddTask([&] {
        {
          std::lock_guard<std::mutex> lock(mu);
          ran_on.insert(std::this_thread::get_id());
        }
        // Enough work per task that stealing pays off.
        auto until =
            std::chrono::steady_clock::now() + std::chrono::microseconds(20);
        while (std::chrono::steady_clock::now() < until) {
        }
        counter.fetch_add(1);
      });
    }
  });
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), 2000);
  EXPECT_GE(static_cast<int>(ran_on.size()), 1);
  if (workers > 1 && std::thread::hardware_concurrency() > 1) {
    EXPECT_GT(ran_on.size(), 1u) << "no worker stole any of 2000 tasks";
  }
}

TEST_P(MultiThreadedWorkQueueTest, ParkedWorkersWakeForNewWork) {
  for (int round = 0; round < 5; ++round) {
    // Idle long enough that every worker has stopped spinning and parked.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::atomic<int> counter{0};
    for (int i = 0; i < 100; ++i)
      queue_->AddTask([&] { counter.fetch_add(1); });
    queue_->Quiesce();
    EXPECT_EQ(counter.load(), 100);
  }
}

// Watches a stress test for a stall: when `Progress()` has not been called
// for kStall, prints the queue's DebugState twice, a second apart (does
// anything still move?), and aborts. A lost wake-up then leaves the pool's
// counters in the test log instead of only the test's timeout.
class StallWatchdog {
 public:
  explicit StallWatchdog(const ConcurrentWorkQueue& queue)
      : queue_(queue), thread_([this] { Watch(); }) {}
  ~StallWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Progress() { progress_.fetch_add(1, std::memory_order_relaxed); }

 private:
  static constexpr std::chrono::seconds kStall{60};

  void Watch() {
    std::unique_lock<std::mutex> lock(mu_);
    uint64_t seen = progress_.load(std::memory_order_relaxed);
    auto last_change = std::chrono::steady_clock::now();
    while (!cv_.wait_for(lock, std::chrono::seconds(1),
                         [this] { return stop_; })) {
      const uint64_t now = progress_.load(std::memory_order_relaxed);
      if (now != seen) {
        seen = now;
        last_change = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_change > kStall) {
        std::fprintf(stderr, "stalled for %llds: %s\n",
                     static_cast<long long>(kStall.count()),
                     queue_.DebugState().c_str());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        std::fprintf(stderr, "one second later: %s\n",
                     queue_.DebugState().c_str());
        std::abort();
      }
    }
  }

  const ConcurrentWorkQueue& queue_;
  std::atomic<uint64_t> progress_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // Last: started once the rest is constructed.
};

TEST_P(MultiThreadedWorkQueueTest, DebugStateShowsCountsAndEachWorker) {
  std::atomic<bool> release{false};
  queue_->AddTask([&] {
    while (!release.load()) std::this_thread::yield();
  });
  const std::string busy = queue_->DebugState();
  EXPECT_THAT(busy, HasSubstr("pending=1 "));
  EXPECT_THAT(busy, HasSubstr("sleepers="));
  EXPECT_THAT(busy, HasSubstr(absl::StrCat("worker ", GetParam() - 1, ": ")));
  EXPECT_THAT(busy, ::testing::Not(
                        HasSubstr(absl::StrCat("worker ", GetParam(), ": "))));
  release = true;
  queue_->Quiesce();
  EXPECT_THAT(queue_->DebugState(), HasSubstr("pending=0 waiters=0"));
}

// Hammers the park/wake transitions: small bursts separated by pauses of
// varying length, so submissions race with workers that are spinning, parking,
// sleeping and waking. A lost wake-up shows up as a Quiesce that never returns
// (the watchdog then prints the pool's state and aborts).
TEST_P(MultiThreadedWorkQueueTest, NoLostWakeUpsAcrossParkTransitions) {
  StallWatchdog watchdog(*queue_);
  std::atomic<int> counter{0};
  int expected = 0;
  for (int round = 0; round < 3000; ++round) {
    watchdog.Progress();
    const int burst = 1 + round % 3;
    for (int i = 0; i < burst; ++i)
      queue_->AddTask([&] { counter.fetch_add(1); });
    expected += burst;
    if (round % 7 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(round % 300));
    }
    if (round % 5 == 0) queue_->Quiesce();
  }
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), expected);
}

// Single submissions spaced around the workers' spin budget (~0.1-0.3 ms), so
// they often arrive while a worker is leaving its spin for the park re-check:
// the window where a wake-up can be lost.
TEST_P(MultiThreadedWorkQueueTest,
       NoLostWakeUpsWhenSubmittingAtTheSpinBoundary) {
  std::atomic<int> counter{0};
  std::mt19937 rng(GetParam());
  std::uniform_int_distribution<int> pause_us(0, 400);
  constexpr int kRounds = 1500 / kStressScale;
  StallWatchdog watchdog(*queue_);
  for (int round = 0; round < kRounds; ++round) {
    watchdog.Progress();
    queue_->AddTask([&] { counter.fetch_add(1); });
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::microseconds(pause_us(rng));
    while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
  }
  queue_->Quiesce();
  EXPECT_EQ(counter.load(), kRounds);
}

// Large bursts from outside the pool: workers alternate between draining,
// spinning and parking thousands of times (this is the pattern that exposed a
// lost wake-up in development).
TEST_P(MultiThreadedWorkQueueTest, NoLostWakeUpsUnderBursts) {
  std::atomic<int> counter{0};
  constexpr int kRounds = 40 / kStressScale;
  constexpr int kBurst = 50000;
  StallWatchdog watchdog(*queue_);
  for (int round = 0; round < kRounds; ++round) {
    watchdog.Progress();
    for (int i = 0; i < kBurst; ++i) {
      queue_->AddTask([&] { counter.fetch_add(1, std::memory_order_relaxed); });
    }
    queue_->Quiesce();
  }
  EXPECT_EQ(counter.load(), kRounds * kBurst);
}

TEST_P(MultiThreadedWorkQueueTest, AwaitFromWorkerHelpsInsteadOfBlocking) {
  // Every worker awaits a value that only a queued task can complete; without
  // helping, this deadlocks when all workers wait.
  const int workers = GetParam();
  std::atomic<int> done{0};
  for (int w = 0; w < workers; ++w) {
    queue_->AddTask([&] {
      AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
      queue_->AddTask([v = v.CopyRef()] { v.emplace(1); });
      RCReference<AsyncValue> values[] = {v.CopyRCRef()};
      queue_->Await(values);
      done.fetch_add(*v);
    });
  }
  queue_->Quiesce();
  EXPECT_EQ(done.load(), workers);
}

TEST_P(MultiThreadedWorkQueueTest,
       BlockingTaskWithoutQueuingIsRefusedWhenPoolIsBusy) {
  auto queue =
      CreateMultiThreadedWorkQueue(GetParam(), /*max_blocking_threads=*/1);
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  std::optional<TaskFunction> refused = queue->AddBlockingTask(
      [&] {
        started = true;
        while (!release.load())
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      /*allow_queuing=*/false);
  EXPECT_FALSE(refused.has_value());
  while (!started.load()) std::this_thread::yield();
  bool ran = false;
  refused =
      queue->AddBlockingTask([&] { ran = true; }, /*allow_queuing=*/false);
  ASSERT_TRUE(refused.has_value());  // The only blocking thread is busy.
  // With queuing allowed it waits its turn.
  refused = queue->AddBlockingTask(std::move(*refused), /*allow_queuing=*/true);
  EXPECT_FALSE(refused.has_value());
  release = true;
  queue->Quiesce();
  EXPECT_TRUE(ran);
}

TEST_P(MultiThreadedWorkQueueTest, BlockingWorkDoesNotStallNonBlockingWork) {
  std::atomic<bool> release{false};
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(queue_
                     ->AddBlockingTask(
                         [&] {
                           while (!release.load()) {
                             std::this_thread::sleep_for(
                                 std::chrono::milliseconds(1));
                           }
                         },
                         true)
                     .has_value());
  }
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  queue_->AddTask([v = v.CopyRef()] { v.emplace(3); });
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue_->Await(values);
  EXPECT_EQ(*v, 3);
  release = true;
  queue_->Quiesce();
}

INSTANTIATE_TEST_SUITE_P(Workers, MultiThreadedWorkQueueTest,
                         ::testing::Values(1, 2, 8), [](const auto& info) {
                           return std::to_string(info.param) + "workers";
                         });

// ---- Single-threaded queue
// ---------------------------------------------------------------------------

TEST(SingleThreadedWorkQueueTest, RunsTasksOnlyWhileWaitingInFifoOrder) {
  auto queue = CreateSingleThreadedWorkQueue();
  std::vector<int> order;
  const std::thread::id main_thread = std::this_thread::get_id();
  for (int i = 0; i < 3; ++i) {
    queue->AddTask([&, i] {
      EXPECT_EQ(std::this_thread::get_id(), main_thread);
      order.push_back(i);
      if (i == 0)
        queue->AddTask([&] { order.push_back(10); });  // Runs after 1 and 2.
    });
  }
  EXPECT_TRUE(order.empty());  // Nothing runs until someone waits.
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 10}));
}

TEST(SingleThreadedWorkQueueTest, AwaitStopsAsSoonAsValuesAreAvailable) {
  auto queue = CreateSingleThreadedWorkQueue();
  std::vector<int> order;
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  queue->AddTask([&] { order.push_back(1); });
  queue->AddTask([&, v = v.CopyRef()] {
    order.push_back(2);
    v.emplace(2);
  });
  queue->AddTask([&] { order.push_back(3); });
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue->Await(values);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));  // Task 3 stays queued.
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(SingleThreadedWorkQueueTest, TaskRunsKeepTheirFifoPositionLikeTasks) {
  auto queue = CreateSingleThreadedWorkQueue();
  std::vector<std::string> order;
  queue->AddTask([&] { order.push_back("a"); });
  int run = 0;
  queue->AddTaskRuns(3, [&] {
    order.push_back("r" + std::to_string(run));
    // Added by a run: behind everything queued before it, the later runs
    // included.
    if (run++ == 0) queue->AddTask([&] { order.push_back("c"); });
  });
  queue->AddTask([&] { order.push_back("b"); });
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "r0", "r1", "r2", "b", "c"}));
}

TEST(SingleThreadedWorkQueueTest, AwaitMayReturnBetweenTwoTaskRuns) {
  auto queue = CreateSingleThreadedWorkQueue();
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  int runs = 0;
  queue->AddTaskRuns(3, [&, v = v.CopyRef()] {
    if (++runs == 2) v.emplace(2);
  });
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue->Await(values);
  EXPECT_EQ(runs, 2);  // The third run stays queued, as a third task would.
  queue->Quiesce();
  EXPECT_EQ(runs, 3);
}

TEST(SingleThreadedWorkQueueTest, ClaimedRunsKeepTheOrderOfSeparateRuns) {
  auto queue = CreateSingleThreadedWorkQueue();
  std::vector<std::string> order;
  int run = 0, calls = 0;
  queue->AddTask([&] { order.push_back("a"); });
  ClaimingRuns runs{queue.get(), &order, &run, &calls};
  runs.on_run = [&](int r) {
    if (r == 0) queue->AddTask([&] { order.push_back("c"); });
  };
  queue->AddTaskRuns(3, std::move(runs));
  queue->AddTask([&] { order.push_back("b"); });
  queue->Quiesce();
  // As in TaskRunsKeepTheirFifoPositionLikeTasks, in one call of the task.
  EXPECT_EQ(order, (std::vector<std::string>{"a", "r0", "r1", "r2", "b", "c"}));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(queue->ClaimNextRun());  // Outside a batch run.
}

TEST(SingleThreadedWorkQueueTest, NoRunIsClaimedOnceTheAwaitedValuesAreReady) {
  auto queue = CreateSingleThreadedWorkQueue();
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  std::vector<std::string> order;
  int run = 0, calls = 0;
  ClaimingRuns runs{queue.get(), &order, &run, &calls};
  runs.on_run = [&](int r) {
    if (r == 1) v.emplace(1);
  };
  queue->AddTaskRuns(4, std::move(runs));
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue->Await(values);
  // Await returns after the run that made the value available, exactly as
  // with separate runs (AwaitMayReturnBetweenTwoTaskRuns).
  EXPECT_EQ(order, (std::vector<std::string>{"r0", "r1"}));
  EXPECT_EQ(calls, 1);
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  EXPECT_EQ(calls, 2);
}

TEST(SingleThreadedWorkQueueTest, AnAwaitInsideARunGovernsItsOwnClaims) {
  auto queue = CreateSingleThreadedWorkQueue();
  AsyncValueRef<int> inner = MakeUnconstructedAsyncValueRef<int>();
  std::vector<std::string> order;
  int run = 0, calls = 0;
  ClaimingRuns runs{queue.get(), &order, &run, &calls};
  queue->AddTaskRuns(3, std::move(runs));
  // A task that awaits, from inside the queue, a value set by a task queued
  // behind a second batch: its Await runs that batch, which claims runs
  // against the inner Await's values, then the setter.
  int other_run = 0, other_calls = 0;
  queue->AddTask([&, inner = inner.CopyRef()] {
    order.push_back("w");
    queue->AddTask([inner = inner.CopyRef()] { inner.emplace(0); });
    RCReference<AsyncValue> values[] = {inner.CopyRCRef()};
    queue->Await(values);
    order.push_back("w done");
  });
  ClaimingRuns others{queue.get(), &order, &other_run, &other_calls};
  queue->AddTaskRuns(2, std::move(others));
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<std::string>{"r0", "r1", "r2", "w", "r0", "r1",
                                             "w done"}));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(other_calls, 1);
}

TEST(SingleThreadedWorkQueueTest, DestroyingTheQueueDropsPendingRunsOnce) {
  std::atomic<int> runs{0}, destroyed{0};
  std::atomic<bool> running{false};
  {
    auto queue = CreateSingleThreadedWorkQueue();
    queue->AddTaskRuns(5, CountingRuns(&runs, &destroyed, &running));
  }  // Destruction quiesces: every run happens, then the task is destroyed.
  EXPECT_EQ(runs.load(), 5);
  EXPECT_EQ(destroyed.load(), 1);
}

TEST(SingleThreadedWorkQueueTest,
     BlockingTasksShareTheFifoAndNoQueuingIsRefused) {
  auto queue = CreateSingleThreadedWorkQueue();
  std::vector<int> order;
  queue->AddTask([&] { order.push_back(1); });
  EXPECT_FALSE(
      queue->AddBlockingTask([&] { order.push_back(2); }, true).has_value());
  EXPECT_TRUE(
      queue->AddBlockingTask([&] { order.push_back(3); }, false).has_value());
  queue->Quiesce();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(SingleThreadedWorkQueueTest, TasksFromOtherThreadsWakeTheAwaiter) {
  auto queue = CreateSingleThreadedWorkQueue();
  AsyncValueRef<int> v = MakeUnconstructedAsyncValueRef<int>();
  const std::thread::id main_thread = std::this_thread::get_id();
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    // The task itself runs on the awaiting (main) thread.
    queue->AddTask([&, v = v.CopyRef()] {
      EXPECT_EQ(std::this_thread::get_id(), main_thread);
      v.emplace(9);
    });
  });
  RCReference<AsyncValue> values[] = {v.CopyRCRef()};
  queue->Await(values);
  EXPECT_EQ(*v, 9);
  other.join();
}

}  // namespace
}  // namespace rill
