#include "executor/testing/test_program.h"

#include <cstdio>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "bef/bef_file.h"
#include "bef/builder.h"
#include "host_runtime/kernel_utils.h"
#include "host_runtime/work_queue.h"

namespace rill {
namespace testing {
namespace {

int32_t Const(Attribute<int32_t> value) { return *value; }
int32_t Inc(int32_t x) { return x + 1; }
int32_t Add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) +
                              static_cast<uint32_t>(b));
}
void AsyncInc(int32_t x, Result<int32_t> out, const ExecutionContext& ctx) {
  AsyncValueRef<int32_t> result = out.Allocate();
  ctx.host()->EnqueueWork(
      [result = std::move(result), x] { result.emplace(x + 1); });
}
absl::StatusOr<int32_t> Check(int32_t x) {
  if (x % 1009 == 0) return absl::InternalError(absl::StrCat("bad value ", x));
  return x;
}
int32_t Sum(RemainingArguments args) {
  uint32_t sum = 0;
  for (size_t i = 0; i < args.size(); ++i) sum += args[i]->get<int32_t>();
  return static_cast<int32_t>(sum);
}

std::vector<uint8_t> Finish(bef::BefBuilder& b) {
  absl::StatusOr<std::vector<uint8_t>> bytes = b.Finish();
  if (!bytes.ok()) {
    std::fprintf(stderr, "BefBuilder: %s\n",
                 std::string(bytes.status().message()).c_str());
    std::abort();
  }
  return *std::move(bytes);
}

}  // namespace

uint32_t AddTestKernel(bef::BefBuilder& b, bef::FunctionBodyBuilder* body,
                       const std::string& name, std::vector<uint32_t> operands,
                       std::vector<uint32_t> attributes) {
  bef::KernelSpec spec;
  spec.name = b.AddKernelName(name);
  spec.operands = std::move(operands);
  spec.attributes = std::move(attributes);
  spec.num_results = 1;
  spec.location = b.AddFileLocation("test.mlir", 1, 1);
  return body->AddKernel(spec)[0];
}

std::unique_ptr<HostContext> CreateTestHost(int num_threads) {
  auto host = std::make_unique<HostContext>(
      CreateMallocAllocator(),
      num_threads == 0 ? CreateSingleThreadedWorkQueue()
                       : CreateMultiThreadedWorkQueue(num_threads, 4));
  KernelRegistry& r = host->registry();
  (void)r.AddKernel("x.const", RILL_KERNEL(Const));
  (void)r.AddKernel("x.inc", RILL_KERNEL(Inc));
  (void)r.AddKernel("x.add", RILL_KERNEL(Add));
  (void)r.AddKernel("x.async_inc", RILL_KERNEL(AsyncInc));
  (void)r.AddKernel("x.check", RILL_KERNEL(Check));
  (void)r.AddKernel("x.sum", RILL_KERNEL(Sum));
  return host;
}

bef::FunctionBodyBuilder* DefineMain(bef::BefBuilder& b) {
  const uint32_t i32 = b.AddType("i32");
  return b.DefineFunction(
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, {i32}));
}

std::vector<uint8_t> BuildChain(int length, const std::string& kernel) {
  bef::BefBuilder b;
  bef::FunctionBodyBuilder* body = DefineMain(b);
  uint32_t reg =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(0)});
  for (int i = 0; i < length; ++i) reg = AddTestKernel(b, body, kernel, {reg});
  body->SetResults({reg});
  return Finish(b);
}

std::vector<uint8_t> BuildFanOutFanIn(int width) {
  bef::BefBuilder b;
  bef::FunctionBodyBuilder* body = DefineMain(b);
  const uint32_t root =
      AddTestKernel(b, body, "x.const", {}, {b.AddScalar<int32_t>(1)});
  std::vector<uint32_t> leaves;
  for (int i = 0; i < width; ++i)
    leaves.push_back(AddTestKernel(b, body, "x.inc", {root}));
  body->SetResults({AddTestKernel(b, body, "x.sum", leaves)});
  return Finish(b);
}

std::vector<uint8_t> BuildRandomDag(int num_kernels, int outputs,
                                    uint32_t seed) {
  bef::BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  std::vector<uint32_t> result_types(outputs, i32);
  const uint32_t fn =
      b.DeclareFunction(bef::FunctionKind::kAsync, "main", {}, result_types);
  bef::FunctionBodyBuilder* body = b.DefineFunction(fn);
  std::mt19937 rng(seed);
  std::vector<uint32_t> regs;
  // Operands come mostly from the last 64 values, so the DAG is deep as well
  // as wide.
  auto pick = [&] {
    const size_t window = std::min<size_t>(regs.size(), 64);
    if (rng() % 8 == 0) return regs[rng() % regs.size()];
    return regs[regs.size() - 1 - rng() % window];
  };
  for (int i = 0; i < num_kernels; ++i) {
    const uint32_t kind = regs.size() < 4 ? 0 : rng() % 16;
    uint32_t reg;
    if (kind == 0) {
      reg = AddTestKernel(
          b, body, "x.const", {},
          {b.AddScalar<int32_t>(static_cast<int32_t>(rng() % 5000))});
    } else if (kind < 8) {
      reg = AddTestKernel(b, body, "x.add", {pick(), pick()});
    } else if (kind < 12) {
      reg = AddTestKernel(b, body, "x.inc", {pick()});
    } else if (kind < 15) {
      reg = AddTestKernel(b, body, "x.async_inc", {pick()});
    } else {
      reg = AddTestKernel(b, body, "x.check", {pick()});
    }
    regs.push_back(reg);
  }
  std::vector<uint32_t> results;
  for (int i = 0; i < outputs; ++i)
    results.push_back(regs[regs.size() - 1 - i * 7 % regs.size()]);
  body->SetResults(results);
  return Finish(b);
}

std::unique_ptr<BefProgram> LoadOrDie(const std::vector<uint8_t>& bytes,
                                      HostContext* host) {
  absl::StatusOr<std::unique_ptr<bef::BefFile>> file =
      bef::BefFile::FromCopy(bytes);
  if (!file.ok()) {
    std::fprintf(stderr, "BefFile: %s\n",
                 std::string(file.status().message()).c_str());
    std::abort();
  }
  absl::StatusOr<std::unique_ptr<BefProgram>> program =
      BefProgram::Load(*std::move(file), host);
  if (!program.ok()) {
    std::fprintf(stderr, "BefProgram: %s\n",
                 std::string(program.status().message()).c_str());
    std::abort();
  }
  return *std::move(program);
}

ExecutionContext NewExecutionContext(HostContext* host) {
  return ExecutionContext(*RequestContextBuilder(host, nullptr).build());
}

}  // namespace testing
}  // namespace rill
