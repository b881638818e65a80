#include "kernels/basic/basic_kernels.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/chain.h"
#include "host_runtime/host_context.h"
#include "host_runtime/kernel_frame.h"

namespace rill {
namespace {

using ::testing::HasSubstr;

class BasicKernelsTest : public ::testing::Test {
 protected:
  BasicKernelsTest()
      : host_(CreateMallocAllocator(), CreateSingleThreadedWorkQueue()),
        ctx_(*RequestContextBuilder(&host_, nullptr).build()) {
    host_.set_diagnostic_handler(
        [this](const AsyncValueError& e) { diagnostics_.push_back(e); });
    const absl::Status s = RegisterBasicKernels(&registry_);
    EXPECT_TRUE(s.ok()) << s;
  }

  // Runs kernel `name` on `args` with `num_results` result slots and the
  // attribute storage `attrs`.
  std::vector<RCReference<AsyncValue>> Run(
      const std::string& name, std::vector<RCReference<AsyncValue>> args,
      int num_results, std::vector<const void*> attrs = {}) {
    absl::StatusOr<AsyncKernelImplementation> kernel =
        registry_.GetKernel(name);
    EXPECT_TRUE(kernel.ok()) << name;
    KernelFrameBuilder frame(ctx_);
    for (auto& arg : args) frame.AddArg(std::move(arg));
    for (const void* attr : attrs) frame.AddAttribute(attr);
    frame.SetNumResults(num_results);
    (*kernel)(&frame);
    return frame.ReleaseResults();
  }

  template <typename T>
  static RCReference<AsyncValue> V(T value) {
    return MakeAvailableAsyncValueRef<T>(std::move(value)).ReleaseRCRef();
  }
  template <typename T>
  T One(const std::string& name, std::vector<RCReference<AsyncValue>> args,
        std::vector<const void*> attrs = {}) {
    auto results = Run(name, std::move(args), 1, std::move(attrs));
    EXPECT_TRUE(results[0]->IsConcrete()) << name;
    return results[0]->get<T>();
  }
  template <typename... Values>
  static std::vector<RCReference<AsyncValue>> Args(Values... values) {
    std::vector<RCReference<AsyncValue>> out;
    (out.push_back(V(values)), ...);
    return out;
  }

  KernelRegistry registry_;
  HostContext host_;
  ExecutionContext ctx_;
  std::vector<AsyncValueError> diagnostics_;
};

TEST_F(BasicKernelsTest, ConstantsReadTheirAttributeInPlace) {
  const uint8_t one = 1, zero = 0;
  EXPECT_TRUE(One<bool>("tfrt.constant.i1", {}, {&one}));
  EXPECT_FALSE(One<bool>("tfrt.constant.i1", {}, {&zero}));
  const int32_t i32 = -42;
  EXPECT_EQ(One<int32_t>("tfrt.constant.i32", {}, {&i32}), -42);
  const int64_t i64 = int64_t{1} << 40;
  EXPECT_EQ(One<int64_t>("tfrt.constant.i64", {}, {&i64}), int64_t{1} << 40);
  const uint32_t u32 = 4095;
  EXPECT_EQ(One<uint32_t>("tfrt.constant.ui32", {}, {&u32}), 4095u);
  const uint64_t u64 = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(One<uint64_t>("tfrt.constant.ui64", {}, {&u64}), u64);
  const float f32 = 0.25f;
  EXPECT_EQ(One<float>("tfrt.constant.f32", {}, {&f32}), 0.25f);
  const double f64 = 2.0;
  EXPECT_EQ(One<double>("tfrt.constant.f64", {}, {&f64}), 2.0);
}

TEST_F(BasicKernelsTest, ChainsAndStrictMerge) {
  auto fresh = Run("tfrt.new.chain", {}, 1);
  EXPECT_TRUE(fresh[0]->IsConcrete());
  auto merged = Run("tfrt.merge.chains", Args(Chain(), int32_t{1}, Chain()), 1);
  EXPECT_TRUE(merged[0]->IsConcrete());
  // An error operand makes the result that error (strict, §11.2).
  std::vector<RCReference<AsyncValue>> args = Args(Chain());
  args.push_back(MakeErrorAsyncValueRef(absl::InternalError("upstream")));
  auto failed = Run("tfrt.merge.chains", std::move(args), 1);
  ASSERT_TRUE(failed[0]->IsError());
  EXPECT_EQ(failed[0]->GetError().message(), "upstream");
}

TEST_F(BasicKernelsTest, IntegerArithmeticWraps) {
  constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(One<int32_t>("tfrt.add.i32", Args(int32_t{40}, int32_t{2})), 42);
  EXPECT_EQ(One<int32_t>("tfrt.add.i32", Args(kMax32, int32_t{1})), kMin32);
  EXPECT_EQ(One<int32_t>("tfrt.minus.i32", Args(kMin32, int32_t{1})), kMax32);
  EXPECT_EQ(One<int32_t>("tfrt.mul.i32", Args(kMax32, int32_t{2})), -2);
  EXPECT_EQ(One<int64_t>("tfrt.add.i64", Args(int64_t{1} << 40, int64_t{1})),
            (int64_t{1} << 40) + 1);
  EXPECT_EQ(One<int64_t>("tfrt.minus.i64", Args(int64_t{5}, int64_t{7})), -2);
  EXPECT_EQ(
      One<int64_t>("tfrt.mul.i64",
                   Args(std::numeric_limits<int64_t>::min(), int64_t{-1})),
      std::numeric_limits<int64_t>::min());
}

TEST_F(BasicKernelsTest, DivisionTruncatesAndReportsDivideByZero) {
  auto q = Run("tfrt.div.i32", Args(int32_t{7}, int32_t{-2}), 2);
  EXPECT_EQ(q[0]->get<int32_t>(), -3);
  EXPECT_EQ(q[1]->get<int32_t>(), 1);
  q = Run("tfrt.div.i64", Args(int64_t{-7}, int64_t{2}), 2);
  EXPECT_EQ(q[0]->get<int64_t>(), -3);
  EXPECT_EQ(q[1]->get<int64_t>(), -1);
  q = Run("tfrt.div.i32",
          Args(std::numeric_limits<int32_t>::min(), int32_t{-1}), 2);
  EXPECT_EQ(q[0]->get<int32_t>(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(q[1]->get<int32_t>(), 0);

  auto zero = Run("tfrt.div.i32", Args(int32_t{1}, int32_t{0}), 2);
  for (const auto& result : zero) {
    ASSERT_TRUE(result->IsError());
    EXPECT_EQ(result->GetError().message(), "Divide by zero");
  }
  ASSERT_EQ(diagnostics_.size(), 1u);  // Reported once for both results.
  EXPECT_THAT(diagnostics_[0].status.message(), HasSubstr("Divide by zero"));
}

TEST_F(BasicKernelsTest, ComparisonsAndLogic) {
  EXPECT_TRUE(One<bool>("tfrt.equal.i32", Args(int32_t{3}, int32_t{3})));
  EXPECT_FALSE(One<bool>("tfrt.equal.i64", Args(int64_t{3}, int64_t{4})));
  EXPECT_TRUE(One<bool>("tfrt.lessequal.i32", Args(int32_t{3}, int32_t{3})));
  EXPECT_FALSE(One<bool>("tfrt.lessequal.i64", Args(int64_t{4}, int64_t{3})));
  // The optional trailing chain operand (§2.4).
  EXPECT_TRUE(
      One<bool>("tfrt.lessequal.i32", Args(int32_t{1}, int32_t{2}, Chain())));
  EXPECT_TRUE(One<bool>("tfrt.and.i1", Args(true, true)));
  EXPECT_FALSE(One<bool>("tfrt.and.i1", Args(true, false)));
}

TEST_F(BasicKernelsTest, FloatArithmeticAndCasts) {
  EXPECT_EQ(One<float>("tfrt.add.f32", Args(0.1f, 0.2f)), 0.1f + 0.2f);
  EXPECT_EQ(One<double>("tfrt.add.f64", Args(0.1, 0.2)), 0.1 + 0.2);
  EXPECT_EQ(One<float>("tfrt.minimum.f32", Args(2.0f, -1.0f)), -1.0f);
  EXPECT_EQ(One<double>("tfrt.minimum.f64", Args(-3.0, 1.0)), -3.0);
  EXPECT_EQ(One<float>("tfrt.multiply.f32", Args(1.5f, 2.0f)), 3.0f);
  EXPECT_EQ(One<double>("tfrt.div.f64", Args(1.0, 4.0)), 0.25);
  auto zero = Run("tfrt.div.f32", Args(1.0f, 0.0f), 1);
  ASSERT_TRUE(zero[0]->IsError());
  EXPECT_EQ(zero[0]->GetError().message(), "Divide by zero");

  EXPECT_EQ(One<float>("tfrt.cast.i64_to_f32", Args(int64_t{3})), 3.0f);
  EXPECT_EQ(One<double>("tfrt.cast.i64_to_f64", Args(int64_t{-3})), -3.0);
  EXPECT_EQ(One<int64_t>("tfrt.cast.f32_to_i64", Args(255.99997f)), 255);
  EXPECT_EQ(One<int64_t>("tfrt.cast.f64_to_i64", Args(-2.9)), -2);
  EXPECT_EQ(One<int64_t>("tfrt.cast.f64_to_i64", Args(1e300)),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(One<int64_t>("tfrt.cast.f32_to_i64",
                         Args(std::numeric_limits<float>::quiet_NaN())),
            0);
}

TEST_F(BasicKernelsTest, PrintsUseTheSpecsExactLines) {
  ::testing::internal::CaptureStdout();
  Run("tfrt.print.i1", Args(true, Chain()), 1);
  Run("tfrt.print.i1", Args(false, Chain()), 1);
  Run("tfrt.print.i32", Args(int32_t{-5}, Chain()), 1);
  Run("tfrt.print.i64", Args(std::numeric_limits<int64_t>::max(), Chain()), 1);
  Run("tfrt.print.f32", Args(0.347354f, Chain()), 1);
  auto chain = Run("tfrt.print.f64", Args(1.56, Chain()), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "int1 = 1\n"
            "int1 = 0\n"
            "int32 = -5\n"
            "int64 = 9223372036854775807\n"
            "f32 = 0.347354\n"
            "f64 = 1.560000\n");
  EXPECT_TRUE(chain[0]->IsConcrete());
}

TEST_F(BasicKernelsTest, WrongOperandTypesAreKernelErrors) {
  auto results = Run("tfrt.add.i32", Args(int64_t{1}, int64_t{2}), 1);
  ASSERT_TRUE(results[0]->IsError());
  EXPECT_EQ(results[0]->GetError().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BasicKernelsRegistrationTest, StaticRegistrationIncludesThem) {
  KernelRegistry registry;
  ASSERT_TRUE(RegisterStaticKernels(&registry).ok());
  for (const char* name :
       {"tfrt.constant.i1", "tfrt.merge.chains", "tfrt.div.i64",
        "tfrt.lessequal.i32", "tfrt.cast.f64_to_i64", "tfrt.print.f64"})
    EXPECT_TRUE(registry.GetKernel(name).ok()) << name;
}

}  // namespace
}  // namespace rill
