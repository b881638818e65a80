#include "host_runtime/kernel_registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::testing::ElementsAre;

void KernelA(AsyncKernelFrame*) {}
void KernelB(AsyncKernelFrame*) {}

TEST(KernelRegistryTest, AddAndLookUp) {
  KernelRegistry registry;
  ASSERT_TRUE(registry.AddKernel("tfrt.add.i32", &KernelA).ok());
  ASSERT_TRUE(registry.AddKernel("tfrt.add.i64", &KernelB).ok());
  absl::StatusOr<AsyncKernelImplementation> a =
      registry.GetKernel("tfrt.add.i32");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, &KernelA);
  EXPECT_TRUE(registry.Contains("tfrt.add.i64"));
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_THAT(registry.Names(), ElementsAre("tfrt.add.i32", "tfrt.add.i64"));
}

TEST(KernelRegistryTest, AddKernelsStopsAtTheFirstError) {
  KernelRegistry registry;
  const KernelRegistry::Entry table[] = {
      {"a", KernelA}, {"a", KernelB}, {"b", KernelB}};
  EXPECT_FALSE(registry.AddKernels(table).ok());
  EXPECT_EQ(*registry.GetKernel("a"), &KernelA);
  EXPECT_FALSE(registry.Contains("b"));
  const KernelRegistry::Entry more[] = {{"b", KernelB}, {"c", KernelA}};
  EXPECT_TRUE(registry.AddKernels(more).ok());
  EXPECT_EQ(registry.size(), 3u);
}

TEST(KernelRegistryTest, DuplicateRegistrationIsAnError) {
  KernelRegistry registry;
  ASSERT_TRUE(registry.AddKernel("k", &KernelA).ok());
  absl::Status status = registry.AddKernel("k", &KernelB);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status.message(), "kernel 'k' is already registered");
  EXPECT_EQ(*registry.GetKernel("k"),
            &KernelA);  // The first registration stands.
}

TEST(KernelRegistryTest, InvalidRegistrations) {
  KernelRegistry registry;
  EXPECT_EQ(registry.AddKernel("", &KernelA).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddKernel("k", nullptr).code(),
            absl::StatusCode::kInvalidArgument);
}

AsyncValue* DirectA(AsyncValue* const* args, AsyncValue*, const void* const*) {
  return args[0];
}

TEST(KernelRegistryTest, DirectEntriesAreKeptWithTheFrameEntry) {
  KernelRegistry registry;
  ASSERT_TRUE(
      registry.AddKernel("with", KernelDefinition(&KernelA, &DirectA, 1)).ok());
  ASSERT_TRUE(registry.AddKernel("without", &KernelB).ok());
  absl::StatusOr<KernelDefinition> with = registry.GetKernelDefinition("with");
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->kernel, &KernelA);
  EXPECT_EQ(with->direct, &DirectA);
  EXPECT_EQ(with->arity, 1u);
  EXPECT_EQ(*registry.GetKernel("with"), &KernelA);
  absl::StatusOr<KernelDefinition> without =
      registry.GetKernelDefinition("without");
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->kernel, &KernelB);
  EXPECT_EQ(without->direct, nullptr);
  EXPECT_EQ(registry.GetKernelDefinition("wit").status().message(),
            "unknown kernel 'wit'; did you mean 'with'?");
  EXPECT_EQ(with->direct_fresh, &DirectA);  // One entry serves as both.
  EXPECT_EQ(
      registry
          .AddKernel("half", KernelDefinition(&KernelA, &DirectA, nullptr, 1))
          .code(),
      absl::StatusCode::kInvalidArgument);
  // A direct entry needs its frame entry.
  EXPECT_EQ(
      registry.AddKernel("k", KernelDefinition(nullptr, &DirectA, 1)).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(KernelRegistryTest, UnknownNameIsNotFoundWithSuggestion) {
  KernelRegistry registry;
  ASSERT_TRUE(registry.AddKernel("tfrt.add.i32", &KernelA).ok());
  ASSERT_TRUE(registry.AddKernel("tfrt.print.i32", &KernelB).ok());
  absl::StatusOr<AsyncKernelImplementation> typo =
      registry.GetKernel("tfrt.ad.i32");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(typo.status().message(),
            "unknown kernel 'tfrt.ad.i32'; did you mean 'tfrt.add.i32'?");
  absl::StatusOr<AsyncKernelImplementation> far =
      registry.GetKernel("my.custom_op");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().message(), "unknown kernel 'my.custom_op'");
  EXPECT_FALSE(KernelRegistry().GetKernel("x").ok());
}

absl::Status RegisterTestKernels(KernelRegistry* registry) {
  return registry->AddKernel("test.static_kernel", &KernelA);
}
RILL_STATIC_KERNEL_REGISTRATION(RegisterTestKernels);

TEST(KernelRegistryTest, StaticRegistrationIsReplayed) {
  KernelRegistry registry;
  ASSERT_TRUE(RegisterStaticKernels(&registry).ok());
  EXPECT_TRUE(registry.Contains("test.static_kernel"));
  // Replaying into the same registry again reports the duplicate instead of
  // crashing.
  EXPECT_EQ(RegisterStaticKernels(&registry).code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace rill
