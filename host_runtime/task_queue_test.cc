#include "host_runtime/internal/task_queue.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace internal {
namespace {

TaskNode* CountingTask(std::atomic<int>* counter,
                       std::vector<std::atomic<int>>* hits = nullptr,
                       int id = 0) {
  return TaskNode::New([counter, hits, id] {
    counter->fetch_add(1, std::memory_order_relaxed);
    if (hits != nullptr) (*hits)[id].fetch_add(1, std::memory_order_relaxed);
  });
}

TEST(TaskDequeTest, OwnerIsLifoThievesAreFifo) {
  TaskDeque deque;
  std::vector<int> order;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        deque.PushBottom(TaskNode::New([&order, i] { order.push_back(i); })));
  }
  TaskNode::RunAndDelete(deque.Steal());      // 0: the oldest.
  TaskNode::RunAndDelete(deque.PopBottom());  // 3: the newest.
  TaskNode::RunAndDelete(deque.Steal());      // 1.
  TaskNode::RunAndDelete(deque.PopBottom());  // 2: the last one.
  EXPECT_EQ(deque.PopBottom(), nullptr);
  EXPECT_EQ(deque.Steal(), nullptr);
  EXPECT_EQ(order, (std::vector<int>{0, 3, 1, 2}));
}

TEST(TaskDequeTest, FullDequeRefusesPush) {
  TaskDeque deque;
  std::atomic<int> counter{0};
  for (int64_t i = 0; i < TaskDeque::kCapacity; ++i) {
    ASSERT_TRUE(deque.PushBottom(CountingTask(&counter)));
  }
  TaskNode* extra = CountingTask(&counter);
  EXPECT_FALSE(deque.PushBottom(extra));
  TaskNode::Delete(extra);
  while (TaskNode* node = deque.PopBottom()) TaskNode::RunAndDelete(node);
  EXPECT_EQ(counter.load(), TaskDeque::kCapacity);
}

class TaskDequeStressTest : public ::testing::TestWithParam<int> {};

// The owner pushes and pops while thieves steal: every task runs exactly once.
TEST_P(TaskDequeStressTest, EveryTaskRunsExactlyOnce) {
  const int num_thieves = GetParam();
  constexpr int kTasks = 100000;
  TaskDeque deque;
  std::atomic<int> counter{0};
  std::vector<std::atomic<int>> hits(kTasks);
  std::atomic<bool> done{false};
  std::vector<std::thread> thieves;
  for (int t = 0; t < num_thieves; ++t) {
    thieves.emplace_back([&] {
      while (!done.load(std::memory_order_acquire) || !deque.EmptyHint()) {
        if (TaskNode* node = deque.Steal()) TaskNode::RunAndDelete(node);
      }
    });
  }
  for (int i = 0; i < kTasks; ++i) {
    TaskNode* node = CountingTask(&counter, &hits, i);
    while (!deque.PushBottom(node)) {
      if (TaskNode* own = deque.PopBottom()) TaskNode::RunAndDelete(own);
    }
    if (i % 3 == 0) {
      if (TaskNode* own = deque.PopBottom()) TaskNode::RunAndDelete(own);
    }
  }
  while (TaskNode* own = deque.PopBottom()) TaskNode::RunAndDelete(own);
  done.store(true, std::memory_order_release);
  for (auto& t : thieves) t.join();
  EXPECT_EQ(counter.load(), kTasks);
  for (int i = 0; i < kTasks; ++i) ASSERT_EQ(hits[i].load(), 1) << "task " << i;
}

INSTANTIATE_TEST_SUITE_P(Thieves, TaskDequeStressTest,
                         ::testing::Values(1, 2, 8), [](const auto& info) {
                           return std::to_string(info.param) + "thieves";
                         });

class TaskStackStressTest : public ::testing::TestWithParam<int> {};

// Many producers push while a consumer drains: nothing is lost or run twice.
TEST_P(TaskStackStressTest, ManyProducersOneDrainer) {
  const int num_producers = GetParam();
  constexpr int kPerProducer = 20000;
  TaskStack stack;
  std::atomic<int> counter{0};
  std::atomic<int> producers_left{num_producers};
  std::vector<std::thread> producers;
  for (int p = 0; p < num_producers; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) stack.Push(CountingTask(&counter));
      producers_left.fetch_sub(1, std::memory_order_release);
    });
  }
  auto drain = [&] {
    TaskNode* list = ReverseTaskList(stack.PopAll());
    while (list != nullptr) {
      TaskNode* next = list->next;
      TaskNode::RunAndDelete(list);
      list = next;
    }
  };
  while (producers_left.load(std::memory_order_acquire) > 0) drain();
  for (auto& t : producers) t.join();
  drain();
  EXPECT_EQ(counter.load(), num_producers * kPerProducer);
  EXPECT_TRUE(stack.EmptyHint());
}

INSTANTIATE_TEST_SUITE_P(Producers, TaskStackStressTest,
                         ::testing::Values(1, 2, 8), [](const auto& info) {
                           return std::to_string(info.param) + "producers";
                         });

TEST(TaskStackTest, PopAllReturnsNewestFirst) {
  TaskStack stack;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i)
    stack.Push(TaskNode::New([&order, i] { order.push_back(i); }));
  TaskNode* list = stack.PopAll();
  while (list != nullptr) {
    TaskNode* next = list->next;
    TaskNode::RunAndDelete(list);
    list = next;
  }
  EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
  EXPECT_EQ(stack.PopAll(), nullptr);
}

}  // namespace
}  // namespace internal
}  // namespace rill
