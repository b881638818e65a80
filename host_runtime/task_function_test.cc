#include "host_runtime/task_function.h"

#include <array>
#include <memory>
#include <utility>

#include "gtest/gtest.h"

namespace rill {
namespace {

struct Counted {
  explicit Counted(int* live) : live(live) { ++*live; }
  Counted(Counted&& o) noexcept : live(o.live) { ++*live; }
  Counted(const Counted& o) : live(o.live) { ++*live; }
  ~Counted() { --*live; }
  int* live;
};

TEST(TaskFunctionTest, EmptyAndNull) {
  TaskFunction f;
  EXPECT_FALSE(f);
  TaskFunction g = nullptr;
  EXPECT_FALSE(g);
  int runs = 0;
  g = [&runs] { ++runs; };
  ASSERT_TRUE(g);
  g();
  g = nullptr;
  EXPECT_FALSE(g);
  EXPECT_EQ(runs, 1);
}

TEST(TaskFunctionTest, SmallCallablesAreInlineAndMovesDestroyOnce) {
  int live = 0;
  int runs = 0;
  {
    TaskFunction f = [c = Counted(&live), &runs] { ++runs; };
    EXPECT_EQ(live, 1);
    TaskFunction g = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty by
                      // contract.
    EXPECT_EQ(live, 1);
    g();
    TaskFunction h;
    h = std::move(g);
    h();
    EXPECT_EQ(live, 1);
  }
  EXPECT_EQ(live, 0);
  EXPECT_EQ(runs, 2);
}

TEST(TaskFunctionTest, LargeCallablesGoToTheHeap) {
  int live = 0;
  std::array<char, 200> big{};
  big[199] = 7;
  int seen = 0;
  {
    TaskFunction f = [big, c = Counted(&live), &seen] { seen = big[199]; };
    TaskFunction g = std::move(f);
    g();
    EXPECT_EQ(live, 1);
  }
  EXPECT_EQ(seen, 7);
  EXPECT_EQ(live, 0);
}

TEST(TaskFunctionTest, MoveOnlyAndMutableCallables) {
  auto owned = std::make_unique<int>(5);
  int out = 0;
  TaskFunction f = [p = std::move(owned), &out]() mutable { out = ++*p; };
  f();
  f();
  EXPECT_EQ(out, 7);
  // A TaskFunction can hold a TaskFunction-sized capture of another
  // TaskFunction (heap).
  TaskFunction outer = [inner = std::move(f)]() mutable { inner(); };
  outer();
  EXPECT_EQ(out, 8);
}

}  // namespace
}  // namespace rill
