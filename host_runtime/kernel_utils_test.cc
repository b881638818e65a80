#include "host_runtime/kernel_utils.h"

#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/async_dispatch.h"
#include "host_runtime/host_context.h"

namespace rill {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Attribute storage laid out as attribute.h specifies: [u64 count][packed
// elements].
template <typename T>
std::vector<uint64_t> ArrayStorage(const std::vector<T>& elements) {
  std::vector<uint64_t> words(1 + (elements.size() * sizeof(T) + 7) / 8);
  words[0] = elements.size();
  if (!elements.empty())
    std::memcpy(&words[1], elements.data(), elements.size() * sizeof(T));
  return words;
}
std::vector<uint64_t> StringStorage(const std::string& s) {
  return ArrayStorage(std::vector<char>(s.begin(), s.end()));
}

template <typename... Values>
std::vector<RCReference<AsyncValue>> Args(Values&&... values) {
  std::vector<RCReference<AsyncValue>> out;
  (out.push_back(std::forward<Values>(values)), ...);
  return out;
}

class KernelUtilsTest : public ::testing::Test {
 protected:
  KernelUtilsTest()
      : host_(CreateMallocAllocator(), CreateSingleThreadedWorkQueue()),
        ctx_(*RequestContextBuilder(&host_, nullptr).build()) {
    host_.set_diagnostic_handler(
        [this](const AsyncValueError& e) { diagnostics_.push_back(e); });
  }

  // Runs `kernel` on `args` with `num_results` result slots and `attrs`.
  std::vector<RCReference<AsyncValue>> Run(
      AsyncKernelImplementation kernel,
      std::vector<RCReference<AsyncValue>> args, int num_results,
      std::vector<const void*> attrs = {}) {
    KernelFrameBuilder frame(ctx_);
    for (auto& arg : args) frame.AddArg(std::move(arg));
    for (const void* attr : attrs) frame.AddAttribute(attr);
    frame.SetNumResults(num_results);
    frame.SetLocation(ErrorLocation{"test.mlir", 3, 7, "test.kernel", "main"});
    kernel(&frame);
    return frame.ReleaseResults();
  }

  template <typename T>
  static RCReference<AsyncValue> V(T value) {
    return MakeAvailableAsyncValueRef<T>(std::move(value)).ReleaseRCRef();
  }

  HostContext host_;
  ExecutionContext ctx_;
  std::vector<AsyncValueError> diagnostics_;
};

// ---- Parameter kinds
// ---------------------------------------------------------------------------

int32_t AddI32(int32_t a, const int32_t& b) { return a + b; }

TEST_F(KernelUtilsTest, PlainArgumentsAndValueReturn) {
  auto results =
      Run(RILL_KERNEL(AddI32), Args(V<int32_t>(2), V<int32_t>(40)), 1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]->get<int32_t>(), 42);
  EXPECT_TRUE(diagnostics_.empty());
}

void CopyViaResult(Argument<int64_t> in, Result<int64_t> out,
                   Result<int64_t> alias) {
  out.Emplace(*in * 2);
  alias.Set(in);
}

TEST_F(KernelUtilsTest, ArgumentAndResultIncludingAliasing) {
  RCReference<AsyncValue> in = V<int64_t>(21);
  AsyncValue* raw = in.get();
  auto results = Run(RILL_KERNEL(CopyViaResult), Args(std::move(in)), 2);
  EXPECT_EQ(results[0]->get<int64_t>(), 42);
  EXPECT_EQ(results[1].get(), raw);  // Same value, no copy.
}

void AsyncResult(Result<int> out, const ExecutionContext& ctx) {
  AsyncValueRef<int> value = out.Allocate();
  ctx.work_queue().AddTask([value = std::move(value)] { value.emplace(7); });
}

TEST_F(KernelUtilsTest, AllocatedResultCompletedLater) {
  auto results = Run(RILL_KERNEL(AsyncResult), Args(), 1);
  EXPECT_FALSE(results[0]->IsAvailable());
  host_.Await(results);
  EXPECT_EQ(results[0]->get<int>(), 7);
}

void IndirectResult(Argument<int> in, Result<int> out) {
  RCReference<IndirectAsyncValue> ind = out.AllocateIndirect();
  ind->ForwardTo(in.ValueRef());
}

TEST_F(KernelUtilsTest, IndirectResult) {
  auto results = Run(RILL_KERNEL(IndirectResult), Args(V<int>(5)), 1);
  EXPECT_TRUE(results[0]->IsIndirect());
  EXPECT_EQ(results[0]->get<int>(), 5);
}

std::string Attrs(Attribute<int32_t> scalar, ArrayAttribute<int64_t> array,
                  StringAttribute name, Attribute<double> f) {
  std::string out =
      std::string(name.get()) + ":" + std::to_string(*scalar) + ":";
  for (int64_t v : array) out += std::to_string(v) + ",";
  return out + std::to_string(static_cast<int>(f.get()));
}

TEST_F(KernelUtilsTest, AttributesAreReadInPlace) {
  const int32_t scalar = -3;
  const double f = 2.0;
  std::vector<uint64_t> array = ArrayStorage<int64_t>({1, 2, 3});
  std::vector<uint64_t> name = StringStorage("hello");
  auto results = Run(RILL_KERNEL(Attrs), Args(), 1,
                     {&scalar, array.data(), name.data(), &f});
  EXPECT_EQ(results[0]->get<std::string>(), "hello:-3:1,2,3,2");
}

int EmptyArrayLength(ArrayAttribute<int32_t> a, StringAttribute s) {
  return static_cast<int>(a.size() + s.get().size());
}

TEST_F(KernelUtilsTest, EmptyArrayAndStringAttributes) {
  std::vector<uint64_t> array = ArrayStorage<int32_t>({});
  std::vector<uint64_t> name = StringStorage("");
  auto results = Run(RILL_KERNEL(EmptyArrayLength), Args(), 1,
                     {array.data(), name.data()});
  EXPECT_EQ(results[0]->get<int>(), 0);
}

int SumRemaining(Argument<int> first, RemainingArguments rest) {
  int sum = *first;
  for (size_t i = 0; i < rest.size(); ++i) sum += rest[i]->get<int>();
  return sum;
}

TEST_F(KernelUtilsTest, RemainingArguments) {
  auto results =
      Run(RILL_KERNEL(SumRemaining), Args(V(1), V(2), V(3), V(4)), 1);
  EXPECT_EQ(results[0]->get<int>(), 10);
  results = Run(RILL_KERNEL(SumRemaining), Args(V(5)), 1);
  EXPECT_EQ(results[0]->get<int>(), 5);
}

void FanOut(int value, RemainingResults results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (i % 2 == 0) {
      results.EmplaceAt<int>(i, value + static_cast<int>(i));
    } else {
      results.AllocateAt<int>(i).emplace(-1);
    }
  }
}

TEST_F(KernelUtilsTest, RemainingResults) {
  auto results = Run(RILL_KERNEL(FanOut), Args(V(10)), 4);
  EXPECT_EQ(results[0]->get<int>(), 10);
  EXPECT_EQ(results[1]->get<int>(), -1);
  EXPECT_EQ(results[2]->get<int>(), 12);
  EXPECT_EQ(results[3]->get<int>(), -1);
}

void PartialFailure(Result<int> ok, Result<int> pending, Result<int> unset,
                    KernelErrorHandler handler) {
  ok.Emplace(1);
  AsyncValueRef<int> later = pending.Allocate();
  handler.ReportError("partial failure ", 42);
}

TEST_F(KernelUtilsTest, KernelErrorHandlerPartialFailure) {
  auto results = Run(RILL_KERNEL(PartialFailure), Args(), 3);
  EXPECT_EQ(results[0]->get<int>(), 1);  // Already set: keeps its value.
  ASSERT_TRUE(
      results[1]->IsError());  // Set but unavailable: becomes the error.
  ASSERT_TRUE(results[2]->IsError());  // Unset: becomes the error.
  EXPECT_EQ(results[2]->GetError(), absl::InternalError("partial failure 42"));
  ASSERT_TRUE(results[2]->GetErrorLocation().has_value());
  EXPECT_EQ(results[2]->GetErrorLocation()->SourcePosition(), "test.mlir:3:7");
  ASSERT_EQ(diagnostics_.size(), 1u);  // Reported exactly once.
  EXPECT_EQ(diagnostics_[0].status.message(), "partial failure 42");
  EXPECT_EQ(diagnostics_[0].location->kernel, "test.kernel");
}

AsyncValueRef<int>* g_pending_target = nullptr;

void ForwardThenFail(Result<int> forwarded, Result<int> unforwarded,
                     KernelErrorHandler handler) {
  forwarded.AllocateIndirect()->ForwardTo(g_pending_target->CopyRCRef());
  RCReference<IndirectAsyncValue> unset = unforwarded.AllocateIndirect();
  handler.ReportError("late failure");
}

TEST_F(KernelUtilsTest,
       ReportErrorLeavesForwardedIndirectResultsToTheirTarget) {
  AsyncValueRef<int> target = MakeUnconstructedAsyncValueRef<int>();
  g_pending_target = &target;
  auto results = Run(RILL_KERNEL(ForwardThenFail), Args(), 2);
  EXPECT_FALSE(results[0]->IsAvailable());
  ASSERT_TRUE(results[1]->IsError());
  EXPECT_EQ(results[1]->GetError().message(), "late failure");
  target.emplace(
      9);  // Completes the forward exactly once: no double notification.
  EXPECT_EQ(results[0]->get<int>(), 9);
  g_pending_target = nullptr;
}

bool IsCancelled(const ExecutionContext& ctx) { return ctx.IsCancelled(); }

TEST_F(KernelUtilsTest, ExecutionContextParameter) {
  EXPECT_FALSE(Run(RILL_KERNEL(IsCancelled), Args(), 1)[0]->get<bool>());
  ctx_.request_ctx()->Cancel();
  EXPECT_TRUE(Run(RILL_KERNEL(IsCancelled), Args(), 1)[0]->get<bool>());
}

int FrameArgs(AsyncKernelFrame* frame, Argument<int>) {
  return frame->GetNumArgs();
}

TEST_F(KernelUtilsTest, FrameParameterMayComeFirst) {
  EXPECT_EQ(Run(RILL_KERNEL(FrameArgs), Args(V(1)), 1)[0]->get<int>(), 1);
}

// ---- Return kinds
// --------------------------------------------------------------------------------

absl::StatusOr<int> Divide(int a, int b) {
  if (b == 0) return absl::InvalidArgumentError("division by zero");
  return a / b;
}

TEST_F(KernelUtilsTest, StatusOrReturn) {
  EXPECT_EQ(Run(RILL_KERNEL(Divide), Args(V(9), V(3)), 1)[0]->get<int>(), 3);
  auto results = Run(RILL_KERNEL(Divide), Args(V(9), V(0)), 1);
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(diagnostics_.size(), 1u);
  EXPECT_EQ(diagnostics_[0].status.message(), "division by zero");
}

absl::Status Check(int a) {
  return a > 0 ? absl::OkStatus()
               : absl::FailedPreconditionError("not positive");
}

TEST_F(KernelUtilsTest, StatusReturn) {
  EXPECT_TRUE(Run(RILL_KERNEL(Check), Args(V(1)), 0).empty());
  EXPECT_TRUE(diagnostics_.empty());
  Run(RILL_KERNEL(Check), Args(V(-1)), 0);
  ASSERT_EQ(diagnostics_.size(), 1u);
  EXPECT_EQ(diagnostics_[0].status.code(),
            absl::StatusCode::kFailedPrecondition);
}

std::tuple<int, std::string, Chain> Triple(int a) {
  return {a, std::to_string(a), Chain()};
}
std::pair<float, double> Pair() { return {1.5f, 2.5}; }

TEST_F(KernelUtilsTest, TupleAndPairReturns) {
  auto results = Run(RILL_KERNEL(Triple), Args(V(8)), 3);
  EXPECT_EQ(results[0]->get<int>(), 8);
  EXPECT_EQ(results[1]->get<std::string>(), "8");
  EXPECT_TRUE(results[2]->IsType<Chain>());
  results = Run(RILL_KERNEL(Pair), Args(), 2);
  EXPECT_EQ(results[0]->get<float>(), 1.5f);
  EXPECT_EQ(results[1]->get<double>(), 2.5);
}

AsyncValueRef<int> Later(const ExecutionContext& ctx, int a) {
  return EnqueueWork(ctx, [a] { return a + 1; });
}

TEST_F(KernelUtilsTest, AsyncValueRefReturn) {
  auto results = Run(RILL_KERNEL(Later), Args(V(1)), 1);
  host_.Await(results);
  EXPECT_EQ(results[0]->get<int>(), 2);
}

RCReference<AsyncValue> Passthrough(Argument<int> a) { return a.ValueRef(); }
Chain MakeChain() { return Chain(); }

TEST_F(KernelUtilsTest, RCReferenceAndChainReturns) {
  RCReference<AsyncValue> in = V(3);
  AsyncValue* raw = in.get();
  EXPECT_EQ(Run(RILL_KERNEL(Passthrough), Args(std::move(in)), 1)[0].get(),
            raw);
  EXPECT_TRUE(Run(RILL_KERNEL(MakeChain), Args(), 1)[0]->IsType<Chain>());
}

struct MoveCounter {
  explicit MoveCounter(int* moves) : moves(moves) {}
  MoveCounter(MoveCounter&& o) noexcept : moves(o.moves) { ++*moves; }
  MoveCounter(const MoveCounter&) = delete;
  int* moves;
};
int g_moves = 0;
MoveCounter MakeMoveCounter() { return MoveCounter(&g_moves); }

TEST_F(KernelUtilsTest, ReturnedValueIsMovedInExactlyOnce) {
  g_moves = 0;
  Run(RILL_KERNEL(MakeMoveCounter), Args(), 1);
  EXPECT_EQ(g_moves, 1);
}

// ---- Checks: arity, types, errors
// ------------------------------------------------------------------

TEST_F(KernelUtilsTest, WrongArityIsReportedNotUndefinedBehaviour) {
  auto results = Run(RILL_KERNEL(AddI32), Args(V<int32_t>(1)), 1);
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(results[0]->GetError().message()),
              HasSubstr("kernel called with 1 argument(s), 1 result(s) and 0 "
                        "attribute(s); it "
                        "takes 2 argument(s), 1 result(s) and 0 attribute(s)"));
  results = Run(RILL_KERNEL(AddI32), Args(V<int32_t>(1), V<int32_t>(2)), 2);
  EXPECT_TRUE(results[0]->IsError());
  EXPECT_TRUE(results[1]->IsError());
  const int32_t attr = 1;
  results =
      Run(RILL_KERNEL(AddI32), Args(V<int32_t>(1), V<int32_t>(2)), 1, {&attr});
  EXPECT_TRUE(results[0]->IsError());
  EXPECT_EQ(diagnostics_.size(), 3u);
}

TEST_F(KernelUtilsTest, TrailingChainArgumentIsTolerated) {
  auto results = Run(
      RILL_KERNEL(AddI32),
      Args(V<int32_t>(1), V<int32_t>(2), MakeReadyChain().ReleaseRCRef()), 1);
  EXPECT_EQ(results[0]->get<int32_t>(), 3);
  // A trailing non-chain is still an arity error.
  results = Run(RILL_KERNEL(AddI32),
                Args(V<int32_t>(1), V<int32_t>(2), V<int32_t>(3)), 1);
  EXPECT_TRUE(results[0]->IsError());
}

TEST_F(KernelUtilsTest, WrongArgumentTypeIsReported) {
  auto results =
      Run(RILL_KERNEL(AddI32), Args(V<int32_t>(1), V<int64_t>(2)), 1);
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().message(),
            "kernel argument 1 has the wrong type");
}

TEST_F(KernelUtilsTest, UnavailablePayloadArgumentIsReported) {
  AsyncValueRef<int32_t> pending = MakeUnconstructedAsyncValueRef<int32_t>();
  auto results =
      Run(RILL_KERNEL(AddI32), Args(V<int32_t>(1), pending.CopyRCRef()), 1);
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().message(),
            "kernel argument 1 is not available");
  pending.emplace(0);
}

// ---- Direct entries
// ----------------------------------------------------------------------------

int g_direct_calls = 0;
int64_t CountedScale(int32_t a, int64_t b) {
  ++g_direct_calls;
  return a * b;
}
Chain PrintLike(const std::string& s, Chain) {
  ++g_direct_calls;
  return s.empty() ? Chain() : Chain();
}
void NoResult(int32_t) {}
absl::StatusOr<int32_t> MayFail(int32_t x) { return x; }
int32_t WithAttribute(int32_t x, Attribute<int32_t> y) { return x + *y; }
int32_t WithContext(int32_t x, const ExecutionContext&) { return x; }
int32_t WithArgument(Argument<int32_t> x) { return *x; }
std::pair<int32_t, int32_t> TwoResults(int32_t x) { return {x, x}; }

TEST_F(KernelUtilsTest, DirectEntryRunsOnConcreteArgumentsOfItsTypes) {
  constexpr KernelDefinition scale = RILL_KERNEL(CountedScale);
  ASSERT_NE(scale.direct, nullptr);
  EXPECT_EQ(scale.arity, 2u);
  g_direct_calls = 0;
  RCReference<AsyncValue> a = V<int32_t>(6), b = V<int64_t>(7);
  AsyncValue* args[] = {a.get(), b.get()};
  RCReference<AsyncValue> result =
      TakeRef(scale.direct(args, nullptr, nullptr));
  ASSERT_TRUE(result->IsConcrete());
  EXPECT_EQ(result->get<int64_t>(), 42);
  EXPECT_EQ(result->NumRef(), 1u);  // +1, for the caller.
  EXPECT_EQ(a->NumRef(), 1u);       // Arguments are borrowed.
  EXPECT_EQ(g_direct_calls, 1);

  // Two payload arguments, one of them a Chain, returning a Chain.
  RCReference<AsyncValue> s = V<std::string>("x"), ch = V<Chain>(Chain());
  AsyncValue* print_args[] = {s.get(), ch.get()};
  RCReference<AsyncValue> out =
      TakeRef(RILL_KERNEL(PrintLike).direct(print_args, nullptr, nullptr));
  EXPECT_TRUE(out->IsType<Chain>());
  EXPECT_EQ(g_direct_calls, 2);
  EXPECT_TRUE(diagnostics_.empty());
}

TEST_F(KernelUtilsTest, DirectEntryDeclinesWithoutRunningTheKernel) {
  const DirectKernelImplementation direct = RILL_KERNEL(CountedScale).direct;
  g_direct_calls = 0;
  RCReference<AsyncValue> i32 = V<int32_t>(1), i64 = V<int64_t>(2);
  RCReference<AsyncValue> error =
      MakeErrorAsyncValueRef(absl::InternalError("e"));
  AsyncValueRef<int64_t> pending = MakeUnconstructedAsyncValueRef<int64_t>();
  AsyncValue* wrong_type[] = {i32.get(), i32.get()};
  AsyncValue* an_error[] = {i32.get(), error.get()};
  AsyncValue* unavailable[] = {i32.get(), pending.GetAsyncValue()};
  EXPECT_EQ(direct(wrong_type, nullptr, nullptr), nullptr);
  EXPECT_EQ(direct(an_error, nullptr, nullptr), nullptr);
  EXPECT_EQ(direct(unavailable, nullptr, nullptr), nullptr);
  // Declining leaves an offered block alone.
  RCReference<AsyncValue> offered = V<int32_t>(5);
  AsyncValue* offered_wrong[] = {offered.get(), i32.get()};
  ASSERT_TRUE(offered->IsSoleAndReusable());
  EXPECT_EQ(direct(offered_wrong, offered.get(), nullptr), nullptr);
  EXPECT_EQ(offered->get<int32_t>(), 5);
  EXPECT_EQ(g_direct_calls, 0);
  EXPECT_TRUE(diagnostics_.empty());  // The frame entry reports, not this.
  // The frame entry gives the reason for the same arguments.
  auto results =
      Run(RILL_KERNEL(CountedScale), Args(V<int32_t>(1), V<int32_t>(2)), 1);
  EXPECT_EQ(results[0]->GetError().message(),
            "kernel argument 1 has the wrong type");
  pending.emplace(0);
}

std::string Name(int32_t x) { return std::to_string(x); }

TEST_F(KernelUtilsTest, DirectEntryBuildsItsResultInAnOfferedBlockOfItsClass) {
  g_direct_calls = 0;
  // The result (int64) fits the int32 operand's size class: the block is
  // reused, the operand's value read before it is overwritten.
  AsyncValue* a = V<int32_t>(6).release();
  RCReference<AsyncValue> b = V<int64_t>(7);
  ASSERT_TRUE(a->IsSoleAndReusable());
  AsyncValue* args[] = {a, b.get()};
  AsyncValue* result = RILL_KERNEL(CountedScale).direct(args, a, nullptr);
  ASSERT_EQ(result, a);  // Not released by the caller: it is the result.
  EXPECT_TRUE(result->IsConcrete());
  EXPECT_TRUE(result->IsType<int64_t>());
  EXPECT_EQ(result->get<int64_t>(), 42);
  EXPECT_EQ(result->NumRef(), 1u);
  result->DropRef();

  // The fresh entry never takes the offered block.
  RCReference<AsyncValue> c = V<int32_t>(2);
  AsyncValue* fresh_args[] = {c.get(), b.get()};
  RCReference<AsyncValue> fresh = TakeRef(
      RILL_KERNEL(CountedScale).direct_fresh(fresh_args, c.get(), nullptr));
  EXPECT_NE(fresh.get(), c.get());
  EXPECT_EQ(fresh->get<int64_t>(), 14);
  EXPECT_EQ(c->get<int32_t>(), 2);

  // A result of another size class gets a block of its own.
  RCReference<AsyncValue> small = V<int32_t>(12);
  AsyncValue* name_args[] = {small.get()};
  RCReference<AsyncValue> name =
      TakeRef(RILL_KERNEL(Name).direct(name_args, small.get(), nullptr));
  EXPECT_NE(name.get(), small.get());
  EXPECT_EQ(name->get<std::string>(), "12");
  EXPECT_EQ(small->get<int32_t>(), 12);  // Untouched.
}

TEST(AsyncValueReuseTest, OnlyASoleAvailableValueWithoutDestructorIsReusable) {
  RCReference<AsyncValue> plain =
      MakeAvailableAsyncValueRef<int32_t>(1).ReleaseRCRef();
  EXPECT_TRUE(plain->IsSoleAndReusable());
  RCReference<AsyncValue> shared = plain.CopyRef();
  EXPECT_FALSE(plain->IsSoleAndReusable());  // Two owners.
  shared.reset();
  EXPECT_TRUE(plain->IsSoleAndReusable());
  EXPECT_FALSE(MakeAvailableAsyncValueRef<std::string>("x")
                   .GetAsyncValue()
                   ->IsSoleAndReusable());  // Has a destructor.
  AsyncValueRef<int32_t> pending = MakeUnconstructedAsyncValueRef<int32_t>();
  EXPECT_FALSE(pending.GetAsyncValue()->IsSoleAndReusable());  // Unavailable.
  pending.emplace(3);
  EXPECT_TRUE(pending.GetAsyncValue()->IsSoleAndReusable());
  EXPECT_FALSE(
      MakeErrorAsyncValueRef(absl::InternalError("e"))->IsSoleAndReusable());
  RCReference<IndirectAsyncValue> indirect = MakeIndirectAsyncValue();
  indirect->ForwardTo(plain.CopyRef());
  EXPECT_FALSE(indirect->IsSoleAndReusable());
}

// A direct entry's fresh result: a block from this thread's pool list, taken
// without a call, or null (and the value not consumed) when the list is
// empty, so the entry allocates as usual.
TEST(AsyncValueReuseTest, TryNewFromPoolTakesOnlyABlockThePoolHas) {
  using Value = ConcreteAsyncValue<int32_t>;
  // A freed value leaves its block on this thread's list.
  void* freed = MakeAvailableAsyncValueRef<int32_t>(1).GetAsyncValue();
  Value* made = Value::TryNewFromPool(7);
#ifdef RILL_VALUE_POOL_DISABLED
  EXPECT_EQ(made, nullptr);  // Every value is malloc'ed under ASan.
  (void)freed;
#else
  ASSERT_NE(made, nullptr);
  EXPECT_EQ(static_cast<void*>(made), freed);  // The list is LIFO.
  EXPECT_TRUE(made->IsConcrete());
  EXPECT_EQ(made->get<int32_t>(), 7);
  EXPECT_EQ(made->NumRef(), 1u);
  RCReference<AsyncValue> owned = TakeRef<AsyncValue>(made);
  // Empty the list: the next try declines and leaves the value alone.
  std::vector<void*> taken;
  while (void* block = internal::PoolTryAllocateClass(
             internal::PoolClassOf(sizeof(Value)))) {
    taken.push_back(block);
  }
  struct MoveCounted {
    MoveCounted() = default;
    MoveCounted(MoveCounted&& other) : moved(other.moved + 1) {
      other.moved = -1;
    }
    int moved = 0;
  };
  static_assert(sizeof(ConcreteAsyncValue<MoveCounted>) == sizeof(Value));
  MoveCounted payload;
  EXPECT_EQ(ConcreteAsyncValue<MoveCounted>::TryNewFromPool(std::move(payload)),
            nullptr);
  EXPECT_EQ(payload.moved, 0);  // Not moved from.
  for (void* block : taken) {
    internal::PoolDeallocateClass(block, internal::PoolClassOf(sizeof(Value)));
  }
#endif
}

int32_t Constant(Attribute<int32_t> value) { return *value; }
std::string Joined(StringAttribute a, StringAttribute b) {
  return a.str() + b.str();
}

// Attributes come from the storage the caller passes, in order, as the frame
// entry reads them; arguments are checked as always.
TEST_F(KernelUtilsTest, DirectEntryReadsItsAttributesFromTheirStorage) {
  const int32_t five = 5;
  const void* attributes[] = {&five};
  const KernelDefinition with_attribute = RILL_KERNEL(WithAttribute);
  EXPECT_EQ(with_attribute.arity, 1u);
  EXPECT_EQ(with_attribute.num_attributes, 1u);
  RCReference<AsyncValue> x = V<int32_t>(2);
  AsyncValue* args[] = {x.get()};
  RCReference<AsyncValue> sum =
      TakeRef(with_attribute.direct(args, nullptr, attributes));
  EXPECT_EQ(sum->get<int32_t>(), 7);
  RCReference<AsyncValue> wrong = V<int64_t>(2);
  AsyncValue* wrong_args[] = {wrong.get()};
  EXPECT_EQ(with_attribute.direct(wrong_args, nullptr, attributes), nullptr);

  const KernelDefinition constant = RILL_KERNEL(Constant);
  EXPECT_EQ(constant.arity, 0u);
  EXPECT_EQ(constant.num_attributes, 1u);
  RCReference<AsyncValue> c =
      TakeRef(constant.direct(nullptr, nullptr, attributes));
  EXPECT_EQ(c->get<int32_t>(), 5);

  // Two array attributes: each read from its own storage.
  struct {
    ArrayAttributeHeader header{2};
    char chars[2] = {'a', 'b'};
  } ab;
  struct {
    ArrayAttributeHeader header{1};
    char chars[1] = {'c'};
  } cc;
  const void* strings[] = {&ab, &cc};
  RCReference<AsyncValue> joined =
      TakeRef(RILL_KERNEL(Joined).direct(nullptr, nullptr, strings));
  EXPECT_EQ(joined->get<std::string>(), "abc");
}

TEST_F(KernelUtilsTest,
       OnlyArgumentsAttributesAndOnePlainValueGetADirectEntry) {
  EXPECT_NE(RILL_KERNEL(AddI32).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(NoResult).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(MayFail).direct, nullptr);
  EXPECT_NE(RILL_KERNEL(WithAttribute).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(WithContext).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(WithArgument).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(TwoResults).direct, nullptr);
  EXPECT_EQ(RILL_KERNEL(CopyViaResult).direct, nullptr);
  // Every definition has its frame entry.
  EXPECT_NE(RILL_KERNEL(NoResult).kernel, nullptr);
}

TEST_F(KernelUtilsTest,
       ErrorArgumentsPropagateTheLastErrorWithoutCallingOrReporting) {
  RCReference<AsyncValue> e1 =
      MakeErrorAsyncValueRef(absl::InternalError("first"));
  RCReference<AsyncValue> e2 =
      MakeErrorAsyncValueRef(absl::InternalError("second"));
  AsyncValue* last = e2.get();
  auto results = Run(RILL_KERNEL(Triple), Args(std::move(e1)), 3);
  for (auto& r : results) EXPECT_EQ(r->GetError().message(), "first");
  results = Run(RILL_KERNEL(SumRemaining),
                Args(V(1), MakeErrorAsyncValueRef(absl::InternalError("first")),
                     std::move(e2)),
                1);
  EXPECT_EQ(results[0].get(), last);  // The same error value, not a copy.
  EXPECT_TRUE(diagnostics_.empty());
}

}  // namespace
}  // namespace rill
