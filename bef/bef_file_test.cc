// Round trips through BefBuilder and BefFile, the scheduling data of
// host_dialect.md §6, locations, debug names, the version policy on whole
// programs, and the verifier's errors.

#include "bef/bef_file.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bef/builder.h"
#include "bef/dump.h"
#include "bef/stream_analysis.h"
#include "bef/testing/samples.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host_runtime/attribute.h"

// Debian's absl::string_view is not std::string_view; print it as text.
namespace absl {
inline void PrintTo(absl::string_view s, std::ostream* os) {
  *os << '"' << s << '"';
}
}  // namespace absl

namespace rill {
namespace bef {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint8_t> Must(absl::StatusOr<std::vector<uint8_t>> bytes) {
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *std::move(bytes) : std::vector<uint8_t>();
}

std::unique_ptr<BefFile> MustLoad(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<std::unique_ptr<BefFile>> file = BefFile::FromCopy(bytes);
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : nullptr;
}

absl::Status Verify(const std::vector<uint8_t>& bytes) {
  return BefFile::FromCopy(bytes).status();
}

// The byte offset in `file` of a pointer into its buffer.
size_t OffsetOf(const BefFile& file, const void* p) {
  return static_cast<const uint8_t*>(p) - file.bytes().data();
}

void PatchWord(std::vector<uint8_t>& bytes, size_t offset, uint32_t value) {
  std::memcpy(bytes.data() + offset, &value, 4);
}

// The bytes of the example in docs/bef_format.md §18: every line of its hex
// block is "OFFSET: bytes   comment"; continuation lines have no offset.
std::vector<uint8_t> SpecExampleBytes() {
  std::ifstream doc("docs/bef_format.md");
  EXPECT_TRUE(doc.good()) << "docs/bef_format.md is not in the runfiles";
  std::string line;
  bool in_section = false, in_block = false;
  std::vector<uint8_t> bytes;
  while (std::getline(doc, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line.rfind("## 18.", 0) == 0;
    if (!in_section) continue;
    if (line.rfind("```", 0) == 0) {
      in_block = !in_block;
      continue;
    }
    if (!in_block || line.size() < 6 || line[4] != ':') continue;
    const size_t offset = std::stoul(line.substr(0, 4), nullptr, 16);
    EXPECT_EQ(offset, bytes.size()) << "offset column of: " << line;
    // Bytes are two hex digits separated by spaces; a run of 3+ spaces
    // starts the comment.
    size_t at = 5;
    while (at + 2 < line.size() + 1) {
      size_t spaces = 0;
      while (at < line.size() && line[at] == ' ') ++at, ++spaces;
      if (spaces >= 3 || at + 2 > line.size() || !std::isxdigit(line[at]))
        break;
      bytes.push_back(
          static_cast<uint8_t>(std::stoul(line.substr(at, 2), nullptr, 16)));
      at += 2;
    }
  }
  return bytes;
}

TEST(BefFileTest, GoldenBytesMatchTheSpecExample) {
  const std::vector<uint8_t> spec = SpecExampleBytes();
  ASSERT_EQ(spec.size(), 432u);
  const std::vector<uint8_t> built = Must(testing::TinyProgram());
  ASSERT_EQ(built.size(), spec.size());
  for (size_t i = 0; i < spec.size(); ++i)
    ASSERT_EQ(built[i], spec[i])
        << "byte " << i << absl::StrFormat(" (0x%x)", i);
  EXPECT_TRUE(Verify(spec).ok());
}

TEST(BefFileTest, EveryAttributeKindRoundTripsInPlace) {
  const std::vector<uint8_t> bytes = Must(testing::EveryConstructProgram());
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->container().producer(), "rill samples");
  const uint32_t main = *file->FindFunction("main");
  const KernelView all = file->function(main).body.kernel(2);
  ASSERT_EQ(file->kernel_name(all.code()), "tfrt_test.every_attribute");
  ASSERT_EQ(all.attributes().size(), 30u);
  auto attr = [&](size_t i) { return file->attribute(all.attributes()[i]); };
  for (size_t i = 0; i < 30; ++i)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(attr(i).payload()) % 8, 0u) << i;

  EXPECT_EQ(attr(0).kind(), AttributeKind::kScalar);
  EXPECT_EQ(attr(0).dtype(), static_cast<uint8_t>(DType::kI1));
  EXPECT_TRUE(attr(0).scalar<bool>());
  EXPECT_EQ(attr(1).scalar<int8_t>(), -8);
  EXPECT_EQ(attr(2).scalar<int16_t>(), -16);
  EXPECT_EQ(attr(3).scalar<int32_t>(), -32);
  EXPECT_EQ(attr(4).scalar<int64_t>(), -64);
  EXPECT_EQ(attr(5).scalar<uint8_t>(), 8);
  EXPECT_EQ(attr(6).scalar<uint16_t>(), 16);
  EXPECT_EQ(attr(7).scalar<uint32_t>(), 32u);
  EXPECT_EQ(attr(8).scalar<uint64_t>(), 64u);
  EXPECT_EQ(attr(9).dtype(), static_cast<uint8_t>(DType::kF16));
  EXPECT_EQ(attr(9).scalar<uint16_t>(), 0x3C00);
  EXPECT_EQ(attr(10).dtype(), static_cast<uint8_t>(DType::kBF16));
  EXPECT_EQ(attr(10).scalar<uint16_t>(), 0x3F80);
  EXPECT_EQ(attr(11).scalar<float>(), -0.1f);
  EXPECT_EQ(attr(12).scalar<double>(), 0.5);
  // Kernels read scalars through host_runtime's Attribute<T> in place.
  EXPECT_EQ(Attribute<int32_t>(attr(3).payload()).get(), -32);
  EXPECT_EQ(Attribute<double>(attr(12).payload()).get(), 0.5);

  EXPECT_EQ(attr(13).string_value(), "string constant");
  EXPECT_EQ(attr(14).string_value(), std::string("nul\0byte", 8));
  EXPECT_EQ(StringAttribute(attr(13).payload()).get(), "string constant");
  EXPECT_EQ(attr(15).kind(), AttributeKind::kType);
  EXPECT_EQ(attr(15).type_value(), static_cast<uint8_t>(DType::kComplex64));
  EXPECT_EQ(attr(16).type_value(), static_cast<uint8_t>(DType::kQI32));

  EXPECT_EQ(attr(17).kind(), AttributeKind::kArray);
  EXPECT_EQ(attr(17).array_size(), 3u);
  ArrayAttribute<int32_t> ints(attr(17).payload());
  EXPECT_THAT(ints.data(), ElementsAre(1, 2, 3));
  EXPECT_THAT(ArrayAttribute<bool>(attr(18).payload()).data(),
              ElementsAre(true, false));
  EXPECT_THAT(ArrayAttribute<double>(attr(19).payload()).data(),
              ElementsAre(1.0, -2.5));
  EXPECT_EQ(attr(20).dtype(), kTypeElements);
  EXPECT_THAT(attr(20).array_bytes(),
              ElementsAre(static_cast<uint8_t>(DType::kF64),
                          static_cast<uint8_t>(DType::kF32)));
  EXPECT_EQ(attr(21).array_size(), 0u);
  EXPECT_EQ(attr(21).dtype(), 0);

  EXPECT_EQ(attr(22).kind(), AttributeKind::kDense);
  EXPECT_THAT(attr(22).dense_shape(), ElementsAre(2, 2));
  EXPECT_EQ(attr(22).dense_num_elements(), 4u);
  const auto dense = attr(22).dense_elements();
  ASSERT_EQ(dense.size(), 16u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(dense.data()) % 8, 0u);
  EXPECT_EQ(reinterpret_cast<const int32_t*>(dense.data())[3], 4);
  EXPECT_EQ(attr(23).dtype(), static_cast<uint8_t>(DType::kComplex64));
  EXPECT_EQ(reinterpret_cast<const float*>(attr(23).dense_elements().data())[1],
            2.0f);
  EXPECT_THAT(attr(24).dense_elements(), ElementsAre(1));
  EXPECT_TRUE(attr(25).dense_shape().empty());
  EXPECT_EQ(attr(25).dense_num_elements(), 1u);

  EXPECT_TRUE(attr(26).shape_is_ranked());
  EXPECT_THAT(attr(26).shape_dims(), ElementsAre(2, -1, 3));
  EXPECT_FALSE(attr(27).shape_is_ranked());

  const AttributeView aggregate = attr(28);
  EXPECT_EQ(aggregate.kind(), AttributeKind::kAggregate);
  ASSERT_EQ(aggregate.num_elements(), 2u);
  EXPECT_EQ(aggregate.element(0).scalar<int32_t>(), 1);
  const AttributeView nested = aggregate.element(1);
  ASSERT_EQ(nested.kind(), AttributeKind::kAggregate);
  EXPECT_EQ(nested.element(0).scalar<int32_t>(), 2);
  EXPECT_EQ(nested.element(1).string_value(), "x");

  const AttributeView symbol = attr(29);
  EXPECT_EQ(symbol.kind(), AttributeKind::kSymbolRef);
  ASSERT_EQ(symbol.num_elements(), 3u);
  EXPECT_EQ(symbol.element(0).string_value(),
            "module @kernel0 attributes {tfrt.compiled} {}");
  EXPECT_EQ(symbol.element(1).string_value(), "kernel0");
  EXPECT_EQ(symbol.element(2).string_value(), "main");
  EXPECT_EQ(FormatAttribute(*file, symbol),
            "@kernel0::@main (compiled module, 45 bytes)");
}

TEST(BefFileTest, IdenticalAttributesShareOneRecord) {
  BefBuilder b;
  EXPECT_EQ(b.AddScalar<int32_t>(5), b.AddScalar<int32_t>(5));
  EXPECT_NE(b.AddScalar<int32_t>(5), b.AddScalar<uint32_t>(5));
  EXPECT_NE(b.AddScalar<int32_t>(5), b.AddScalar<int32_t>(6));
  EXPECT_EQ(b.AddStringAttribute("a"), b.AddStringAttribute("a"));
  EXPECT_EQ(b.AddType("i32"), b.AddType("i32"));
  EXPECT_EQ(b.AddKernelName("k"), b.AddKernelName("k"));
  // Locations are identities and are never shared.
  EXPECT_NE(b.AddUnknownLocation(), b.AddUnknownLocation());
}

TEST(BefFileTest, FunctionsKindsTypesAndRegionsRoundTrip) {
  std::unique_ptr<BefFile> file =
      MustLoad(Must(testing::EveryConstructProgram()));
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(file->num_functions(), 5u);
  auto types = [&](const std::vector<uint32_t>& list) {
    std::vector<std::string> out;
    for (uint32_t t : list) out.emplace_back(file->type_name(t));
    return out;
  };
  const FunctionInfo& native = file->function(0);
  EXPECT_EQ(native.name, "native_add");
  EXPECT_EQ(native.kind, FunctionKind::kNative);
  EXPECT_THAT(types(native.argument_types), ElementsAre("i32", "i32"));
  EXPECT_THAT(types(native.result_types), ElementsAre("i32"));
  EXPECT_EQ(file->function(1).kind, FunctionKind::kSync);
  EXPECT_EQ(file->function(2).name, "");
  EXPECT_EQ(file->function(2).parent_function, 3u);
  EXPECT_EQ(file->function(2).parent_kernel, 1u);
  EXPECT_EQ(file->function(3).parent_function, 4u);
  EXPECT_EQ(file->function(3).parent_kernel, 4u);
  EXPECT_EQ(file->function(4).parent_function, FunctionInfo::kNoParent);
  EXPECT_THAT(types(file->function(4).result_types),
              ElementsAre("i32", "i1", "!tfrt.chain"));
  EXPECT_EQ(file->FindFunction("main"), 4u);
  EXPECT_EQ(file->FindFunction("sync_double"), 1u);
  EXPECT_EQ(file->FindFunction(""), std::nullopt);
  EXPECT_EQ(file->FindFunction("nope"), std::nullopt);

  const FunctionBody& body = file->function(4).body;
  EXPECT_EQ(body.num_registers(), 9u);
  EXPECT_EQ(body.num_kernels(), 7u);
  EXPECT_THAT(body.result_registers(), ElementsAre(5, 7, 6));
  // Use counts include tfrt.return uses: %5 is used by kernels 3 and 4 (twice
  // by 5) and returned.
  EXPECT_THAT(body.register_use_counts(),
              ElementsAre(2, 0, 1, 1, 0, 4, 2, 1, 0));
  const KernelView entry = body.kernel(0);
  EXPECT_TRUE(entry.is_entry());
  EXPECT_THAT(entry.results(), ElementsAre(kStartSignalRegister, 0, 1));
  EXPECT_THAT(entry.used_by(0), ElementsAre(1, 6));  // Program order.
  EXPECT_THAT(entry.used_by(1), ElementsAre(3, 2));  // Newest first.
  EXPECT_TRUE(entry.used_by(2).empty());
  EXPECT_EQ(body.ready_count(0), 0u);

  const KernelView call = body.kernel(3);
  EXPECT_EQ(file->kernel_name(call.code()), "tfrt.call");
  EXPECT_THAT(call.operands(), ElementsAre(3, 0));
  EXPECT_THAT(call.functions(), ElementsAre(0));
  EXPECT_THAT(call.results(), ElementsAre(5));
  // One entry per operand position, newest (kernel, operand) first.
  EXPECT_THAT(call.used_by(0), ElementsAre(5, 5, 4));
  EXPECT_EQ(body.ready_count(3), 2u);
  EXPECT_EQ(body.ready_count(5), 3u);
  EXPECT_EQ(body.ready_count(6), 1u);  // No operands: ready count 1.

  const KernelView all = body.kernel(2);
  EXPECT_EQ(all.flags() & kKernelFlagHasCost, kKernelFlagHasCost);
  EXPECT_EQ(all.cost(), 7u);
  EXPECT_THAT(all.num_used_by(), ElementsAre(1, 0));
  EXPECT_THAT(all.all_used_by(), ElementsAre(3));
  const KernelView repeat = body.kernel(4);
  EXPECT_THAT(repeat.functions(), ElementsAre(1, 3));
  EXPECT_EQ(file->function(3).body.kernel(1).flags() & kKernelFlagNonStrict,
            kKernelFlagNonStrict);
}

TEST(BefFileTest, LocationsGiveSpecTextAndDebugInfo) {
  std::unique_ptr<BefFile> file =
      MustLoad(Must(testing::EveryConstructProgram()));
  ASSERT_NE(file, nullptr);
  const FunctionBody& body = file->function(4).body;
  auto loc = [&](uint32_t k) { return body.kernel(k).location(); };
  // host_dialect.md §2.6: file, name, fused, call site, unknown.
  const LocationRecord file_loc = file->location(loc(2));
  EXPECT_EQ(file_loc.tag, LocationTag::kFile);
  EXPECT_EQ(file->string(file_loc.string), "/tmp/every.mlir");
  EXPECT_EQ(file_loc.line, 3u);
  EXPECT_EQ(file_loc.column, 7u);
  EXPECT_EQ(file->LocationText(loc(2)), "/tmp/every.mlir;3;7");
  EXPECT_EQ(file->LocationDebugInfo(loc(2)), std::nullopt);
  EXPECT_EQ(file->LocationText(loc(3)), "a/b");
  EXPECT_EQ(file->LocationDebugInfo(loc(3)), "a/b");
  EXPECT_EQ(file->LocationText(loc(4)), "f.py;4;2,bar");
  EXPECT_EQ(file->LocationDebugInfo(loc(4)), "bar");
  EXPECT_EQ(file->LocationText(loc(5)), "callee<-f.py;1;2");
  EXPECT_EQ(file->LocationDebugInfo(loc(5)), "callee");
  EXPECT_EQ(file->LocationText(loc(1)), "(unknown)");
  EXPECT_EQ(file->LocationDebugInfo(loc(1)), std::nullopt);
  EXPECT_EQ(loc(6), kNoLocation);
  EXPECT_EQ(FormatLocation(*file, loc(5)),
            "callsite(\"callee\"(unknown) at \"f.py\":1:2)");
}

TEST(BefFileTest, NameLocationWithAKnownChildWrapsIt) {
  BefBuilder b;
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  KernelSpec k;
  k.name = b.AddKernelName("k");
  k.location = b.AddNameLocation("n", b.AddFileLocation("x.mlir", 1, 2));
  body->AddKernel(k);
  body->SetResults({});
  std::unique_ptr<BefFile> file = MustLoad(Must(b.Finish()));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->LocationText(file->function(0).body.kernel(1).location()),
            "x.mlir;1;2(n)");
}

TEST(BefFileTest, DebugNamesRoundTripAndAreOptional) {
  const std::vector<uint8_t> bytes = Must(testing::EveryConstructProgram());
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  ASSERT_NE(file, nullptr);
  const auto* names = file->debug_names();
  ASSERT_NE(names, nullptr);
  const FunctionDebugNames& main = (*names)[4];
  ASSERT_EQ(main.register_types.size(), 9u);
  EXPECT_EQ(file->type_name(main.register_types[0]), "i32");
  EXPECT_EQ(file->type_name(main.register_types[1]), "!tfrt_tensor.tensor");
  EXPECT_EQ(file->type_name(main.register_types[4]), "f32");
  EXPECT_EQ(main.register_types[8], FunctionDebugNames::kUnknownType);
  EXPECT_EQ(file->string(main.attribute_names[2][29]), "attr29");
  EXPECT_EQ(file->string(main.attribute_names[6][0]), "value");
  EXPECT_EQ(file->string(main.function_names[3][0]), "callee");
  EXPECT_TRUE(main.function_names[4].empty());
  EXPECT_TRUE((*names)[0].register_types.empty());  // Native.

  BefBuilder b;
  b.set_emit_debug_names(false);
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
  b.DefineFunction(f)->SetResults({});
  std::unique_ptr<BefFile> bare = MustLoad(Must(b.Finish()));
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->debug_names(), nullptr);
  EXPECT_EQ(bare->container().Find(SectionId::kDebugNames), nullptr);
}

// A program with two compiled modules (host_dialect.md §2.1).
std::vector<uint8_t> CompiledModulesProgram(bool optional_sections = true) {
  BefBuilder b;
  b.set_emit_debug_names(optional_sections);
  b.AddCompiledModule("kernel0",
                      "module @kernel0 attributes {tfrt.compiled} {\n}");
  b.AddCompiledModule("unused",
                      "module @unused attributes {tfrt.compiled} {\n}");
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
  b.DefineFunction(f)->SetResults({});
  return Must(b.Finish());
}

TEST(BefFileTest, CompiledModulesRoundTripInOrderAndAreOptional) {
  std::unique_ptr<BefFile> file = MustLoad(CompiledModulesProgram());
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(file->compiled_modules().size(), 2u);
  EXPECT_EQ(file->compiled_modules()[0].name, "kernel0");
  EXPECT_EQ(file->compiled_modules()[0].text,
            "module @kernel0 attributes {tfrt.compiled} {\n}");
  EXPECT_EQ(file->compiled_modules()[1].name, "unused");
  EXPECT_TRUE(file->container().Find(SectionId::kCompiledModules)->optional);
  EXPECT_THAT(DumpBef(*file), HasSubstr("compiled modules: 2\n  module "
                                        "@kernel0: 46 bytes of MLIR\n"));

  std::unique_ptr<BefFile> bare = MustLoad(CompiledModulesProgram(false));
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(bare->compiled_modules().empty());
  EXPECT_EQ(bare->container().Find(SectionId::kCompiledModules), nullptr);

  BefBuilder twice;
  twice.AddCompiledModule("m", "module @m {\n}");
  twice.AddCompiledModule("m", "module @m {\n}");
  EXPECT_THAT(twice.Finish().status().message(),
              HasSubstr("AddCompiledModule: module @m added twice"));
  BefBuilder unnamed;
  unnamed.AddCompiledModule("", "module {\n}");
  EXPECT_THAT(unnamed.Finish().status().message(),
              HasSubstr("AddCompiledModule: empty module name"));
}

TEST(BefFileTest, EmptyProgramHasAllRequiredSectionsAndNoFunctions) {
  BefBuilder b;
  std::unique_ptr<BefFile> file = MustLoad(Must(b.Finish()));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->num_functions(), 0u);
  EXPECT_EQ(file->num_attributes(), 0u);
  EXPECT_EQ(file->container().sections().size(), 8u);
}

TEST(BefFileTest, OpenMapsTheFileAndReadsTheSameProgram) {
  const std::vector<uint8_t> bytes = Must(testing::EveryConstructProgram());
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/every_", getpid(), ".bef");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  absl::StatusOr<std::unique_ptr<BefFile>> mapped = BefFile::Open(path);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  std::unique_ptr<BefFile> copied = MustLoad(bytes);
  ASSERT_NE(copied, nullptr);
  EXPECT_EQ(DumpBef(**mapped), DumpBef(*copied));
  std::remove(path.c_str());
}

TEST(BefFileTest, OpenReportsMissingEmptyAndNonRegularFiles) {
  absl::StatusOr<std::unique_ptr<BefFile>> missing =
      BefFile::Open("/nonexistent/x.bef");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("cannot open '/nonexistent/x.bef'"));
  EXPECT_THAT(BefFile::Open("/").status().message(),
              HasSubstr("'/' is not a regular file"));
  const std::string empty = absl::StrCat(::testing::TempDir(), "/empty.bef");
  std::ofstream(empty).close();
  absl::StatusOr<std::unique_ptr<BefFile>> e = BefFile::Open(empty);
  EXPECT_THAT(e.status().message(), HasSubstr(empty + ": bef: not a BEF file"));
  std::remove(empty.c_str());
}

TEST(BefFileTest, MisalignedBufferIsRefused) {
  const std::vector<uint8_t> bytes = Must(testing::TinyProgram());
  std::vector<uint64_t> storage(bytes.size() / 8 + 2);
  uint8_t* misaligned = reinterpret_cast<uint8_t*>(storage.data()) + 4;
  std::memcpy(misaligned, bytes.data(), bytes.size());
  EXPECT_THAT(
      BefFile::FromBuffer({misaligned, bytes.size()}).status().message(),
      HasSubstr("not aligned to 8 bytes"));
}

// --- Stream analysis (host_dialect.md §6.2) ---------------------------------

TEST(StreamAnalysisTest, WorkedExampleOfTheSpec) {
  std::unique_ptr<BefFile> file =
      MustLoad(Must(testing::WorkedExampleProgram()));
  ASSERT_NE(file, nullptr);
  const FunctionBody& body = file->function(0).body;
  // return→0, k6→1, k5→2, k4 joins 2, k3→3, k2 joins 2, k1→4, root joins 0.
  std::vector<uint32_t> streams;
  for (uint32_t k = 0; k < body.num_kernels(); ++k)
    streams.push_back(body.stream_id(k));
  EXPECT_THAT(streams, ElementsAre(0, 4, 2, 3, 2, 2, 1));
  EXPECT_THAT(body.kernel(0).used_by(0), ElementsAre(1, 2, 3, 6));
}

TEST(StreamAnalysisTest, AutoModeGivesIndependentOpsStreamsInReverseOrder) {
  std::vector<StreamOp> ops(4);
  ops[3].is_return = true;
  const StreamAssignment a = AnalyzeStreams(ops, std::nullopt);
  EXPECT_THAT(a.op_streams, ElementsAre(3, 2, 1, 0));
  EXPECT_EQ(a.root_stream, 0u);
  // A threshold <= 0 is auto mode too.
  EXPECT_THAT(AnalyzeStreams(ops, 0).op_streams, ElementsAre(3, 2, 1, 0));
}

TEST(StreamAnalysisTest, CheapSecondConsumerStaysASeparateStream) {
  // %x = op0; op1(%x); op2(op1); op3(%x); return — threshold 10.
  std::vector<StreamOp> ops(5);
  ops[1].operand_producers = {0};
  ops[2].operand_producers = {1};
  ops[3].operand_producers = {0};
  ops[4].is_return = true;
  const StreamAssignment a = AnalyzeStreams(ops, 10);
  EXPECT_EQ(a.op_streams[0], a.op_streams[1]);
  EXPECT_EQ(a.op_streams[1], a.op_streams[2]);
  EXPECT_NE(a.op_streams[3], a.op_streams[0]);
  EXPECT_EQ(a.root_stream, a.op_streams[4]);
}

TEST(StreamAnalysisTest, CheapSiblingsMergeBelowTheThreshold) {
  // Three cheap (cost 1) consumers of one producer with threshold 10 merge
  // into one stream, and the producer joins it.
  std::vector<StreamOp> ops(5);
  for (int i = 0; i < 4; ++i) ops[i].cost = 1;
  ops[1].operand_producers = {0};
  ops[2].operand_producers = {0};
  ops[3].operand_producers = {0};
  ops[4].is_return = true;
  const StreamAssignment a = AnalyzeStreams(ops, 10);
  EXPECT_EQ(a.op_streams[1], a.op_streams[2]);
  EXPECT_EQ(a.op_streams[2], a.op_streams[3]);
  EXPECT_EQ(a.op_streams[0], a.op_streams[1]);
}

TEST(StreamAnalysisTest, ExplicitCostsAreStoredAsHints) {
  BefBuilder b;
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  KernelSpec k;
  k.name = b.AddKernelName("tfrt_test.test_cost");
  k.cost = -5;  // Clamped to 0 in the cost word; the analysis sees -5.
  body->AddKernel(k);
  k.cost = int64_t{1} << 40;  // Saturates.
  body->AddKernel(k);
  body->SetResults({});
  std::unique_ptr<BefFile> file = MustLoad(Must(b.Finish()));
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->function(0).body.kernel(1).cost(), 0u);
  EXPECT_EQ(file->function(0).body.kernel(2).cost(), 0xFFFFFFFFu);
}

// --- Version policy on whole programs ---------------------------------------

std::vector<uint8_t> Rewrap(const std::vector<uint8_t>& bytes,
                            uint16_t extra_id, bool extra_optional,
                            uint8_t major = kMajorVersion,
                            uint8_t minor = kMinorVersion) {
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  BefContainerWriter writer(std::string(file->container().producer()));
  for (const Section& s : file->container().sections())
    writer.AddSection(s.id, s.bytes, s.alignment, s.optional);
  if (extra_id != 0) {
    const uint8_t payload[] = {1, 2, 3};
    writer.AddSection(extra_id, payload, 8, extra_optional);
  }
  writer.OverrideVersionForTesting(major, minor);
  return Must(writer.Finish());
}

TEST(BefVersionTest, NewerMinorWithUnknownOptionalSectionIsRead) {
  const std::vector<uint8_t> bytes = Rewrap(
      Must(testing::EveryConstructProgram()), 2000, true, kMajorVersion, 7);
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->container().minor_version(), 7);
  ASSERT_EQ(file->container().skipped_sections().size(), 1u);
  EXPECT_EQ(file->container().skipped_sections()[0].id, 2000);
  EXPECT_EQ(file->FindFunction("main"), 4u);
}

TEST(BefVersionTest, EveryMinorOfTheSupportedMajorIsAccepted) {
  const std::vector<uint8_t> tiny = Must(testing::TinyProgram());
  for (int minor : {0, 1, 255}) {
    std::vector<uint8_t> bytes = tiny;
    bytes[3] = static_cast<uint8_t>(minor);
    EXPECT_TRUE(Verify(bytes).ok()) << minor;
  }
}

TEST(BefVersionTest, NewerMajorIsRefusedNamingBothVersions) {
  std::vector<uint8_t> bytes = Must(testing::TinyProgram());
  bytes[2] = 2;
  bytes[3] = 3;
  const absl::Status s = Verify(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(),
            "bef: unsupported format version 2.3: this reader supports 1.x "
            "(up to 1.0)");
}

TEST(BefVersionTest, UnknownRequiredSectionIsRefused) {
  const absl::Status s =
      Verify(Rewrap(Must(testing::TinyProgram()), 77, false));
  EXPECT_THAT(s.message(), HasSubstr("unknown required section id 77"));
}

TEST(BefVersionTest, MissingRequiredSectionIsRefused) {
  std::unique_ptr<BefFile> file = MustLoad(Must(testing::TinyProgram()));
  BefContainerWriter writer("t");
  for (const Section& s : file->container().sections())
    if (s.id != static_cast<uint16_t>(SectionId::kLocations))
      writer.AddSection(s.id, s.bytes, s.alignment, s.optional);
  EXPECT_EQ(Verify(Must(writer.Finish())).message(),
            "bef: required section 'locations' (id 7) is missing");
}

// --- Section-level errors ----------------------------------------------------

// `bytes` with section `id`'s payload passed through `edit`.
template <typename Edit>
std::vector<uint8_t> EditSection(const std::vector<uint8_t>& bytes,
                                 SectionId id, Edit&& edit) {
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  BefContainerWriter writer(std::string(file->container().producer()));
  for (const Section& s : file->container().sections()) {
    std::vector<uint8_t> payload(s.bytes.begin(), s.bytes.end());
    if (s.id == static_cast<uint16_t>(id)) edit(payload);
    writer.AddSection(s.id, payload, s.alignment, s.optional);
  }
  return Must(writer.Finish());
}

TEST(BefSectionErrorTest, EachSectionNamesItsProblem) {
  const std::vector<uint8_t> every = Must(testing::EveryConstructProgram());
  const std::vector<uint8_t> tiny = Must(testing::TinyProgram());
  struct Case {
    const std::vector<uint8_t>* bytes;
    SectionId id;
    std::function<void(std::vector<uint8_t>&)> edit;
    const char* message;
  } cases[] = {
      {&tiny, SectionId::kStrings, [](auto& p) { p.push_back('x'); },
       "strings section at offset 0xea: 1 byte(s) after the last string"},
      {&tiny, SectionId::kStrings, [](auto& p) { p[4] = 9; },
       "string 0 ends at 9, outside [0, 6]"},
      {&tiny, SectionId::kStrings, [](auto& p) { p[0] = 0xFF; },
       "string count 255 needs a table larger than the section"},
      {&tiny, SectionId::kTypes, [](auto& p) { p[1] = 9; },
       "types section at offset 0x111: entry 0: string 9 out of range (4 "
       "strings)"},
      {&tiny, SectionId::kTypes, [](auto& p) { p.push_back(0); },
       "1 byte(s) after the last entry"},
      {&tiny, SectionId::kTypes, [](auto& p) { p[1] = 0x80; },
       "entry 0: bad or truncated integer"},
      {&tiny, SectionId::kKernelNames, [](auto& p) { p[0] = 0x85; },
       "kernel names section at offset 0x112: count 261 exceeds the "
       "section's 0 remaining bytes"},
      {&tiny, SectionId::kFunctionIndex, [](auto& p) { p[1] = 7; },
       "function index section at offset 0x115: function 0: unknown kind 7"},
      {&tiny, SectionId::kFunctionIndex, [](auto& p) { p[6] = 3; },
       "function 0: type 3 out of range"},
      {&tiny, SectionId::kFunctions, [](auto& p) { p.resize(p.size() - 4); },
       "function 0: body of 34 words runs past the section end"},
      {&tiny, SectionId::kFunctions, [](auto& p) { p.resize(p.size() + 4); },
       "4 byte(s) after the last body"},
      {&tiny, SectionId::kLocations, [](auto& p) { p[8] = 9; },
       "locations section at offset 0x1ac: location 0: unknown tag 9"},
      {&tiny, SectionId::kLocations, [](auto& p) { p[9] = 4; },
       "location 0: file string 4 out of range"},
      {&tiny, SectionId::kLocations,
       [](auto& p) {
         p[8] = 2;  // A name location whose child is itself.
         p[10] = 0;
       },
       "location 0: child 0 is not an earlier location"},
      {&tiny, SectionId::kAttributes, [](auto& p) { p[8] = 0x11; },
       "attribute 0 at 0x11 is not aligned to 8"},
      {&every, SectionId::kDebugNames, [](auto& p) { p[0] = 4; },
       "debug names section at offset 0x"},
      {&every, SectionId::kDebugNames, [](auto& p) { p.push_back(0); },
       "1 byte(s) after the last entry"},
  };
  for (const Case& c : cases) {
    const absl::Status s = Verify(EditSection(*c.bytes, c.id, c.edit));
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.message;
  }
}

TEST(BefSectionErrorTest, CompiledModulesAreChecked) {
  const std::vector<uint8_t> bytes = CompiledModulesProgram();
  std::unique_ptr<BefFile> file = MustLoad(bytes);
  ASSERT_NE(file, nullptr);
  const Section* s = file->container().Find(SectionId::kCompiledModules);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->bytes.size(), 5u);  // count, then (name, text) string pairs.
  struct Case {
    std::function<void(std::vector<uint8_t>&)> edit;
    const char* message;
  } cases[] = {
      {[](auto& p) { p[3] = p[1]; }, "module 1: duplicate name @kernel0"},
      {[](auto& p) { p[1] = 0x7F; }, "module 0: bad string index"},
      {[](auto& p) { p.push_back(0); }, "1 byte(s) after the last entry"},
      {[](auto& p) { p[0] = 0x7F; }, "module count exceeds the section"},
  };
  for (const Case& c : cases) {
    const absl::Status status =
        Verify(EditSection(bytes, SectionId::kCompiledModules, c.edit));
    EXPECT_THAT(status.message(),
                HasSubstr("compiled modules section at offset 0x"))
        << c.message;
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.message;
  }
}

// --- Corruption --------------------------------------------------------------

// Loads `bytes`; when they verify, walks everything through the dump so that
// ASan/UBSan see every read the views make.
void LoadAndWalk(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<std::unique_ptr<BefFile>> file = BefFile::FromCopy(bytes);
  if (!file.ok()) {
    EXPECT_EQ(file.status().message().substr(0, 5), "bef: ");
    return;
  }
  const std::string dump = DumpBef(**file);
  EXPECT_FALSE(dump.empty());
  for (uint32_t i = 0; i < (*file)->num_locations(); ++i) {
    (*file)->LocationText(i);
    (*file)->LocationDebugInfo(i);
  }
}

std::vector<std::vector<uint8_t>> CorruptionSamples() {
  return {Must(testing::TinyProgram()), Must(testing::EveryConstructProgram()),
          Must(testing::WorkedExampleProgram()),
          Must(testing::LargeDagProgram(40, 3))};
}

TEST(BefCorruptionTest, TruncationAtEveryOffsetIsAnError) {
  for (const std::vector<uint8_t>& bytes : CorruptionSamples()) {
    for (size_t n = 0; n < bytes.size(); ++n) {
      const absl::Status s =
          Verify(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
      ASSERT_FALSE(s.ok()) << n;
      ASSERT_EQ(s.message().substr(0, 5), "bef: ") << n;
    }
  }
}

TEST(BefCorruptionTest, EveryBitFlipOfHeaderAndSectionTableIsSafe) {
  for (const std::vector<uint8_t>& bytes : CorruptionSamples()) {
    std::unique_ptr<BefFile> file = MustLoad(bytes);
    const size_t table_end =
        file->container().sections().front().offset;  // First payload.
    for (size_t byte = 0; byte < table_end; ++byte)
      for (int bit = 0; bit < 8; ++bit) {
        std::vector<uint8_t> copy = bytes;
        copy[byte] ^= uint8_t(1u << bit);
        LoadAndWalk(copy);
      }
  }
}

TEST(BefCorruptionTest, EveryBitFlipOfASmallProgramIsSafe) {
  for (const std::vector<uint8_t>& bytes :
       {Must(testing::TinyProgram()), Must(testing::WorkedExampleProgram())}) {
    for (size_t byte = 0; byte < bytes.size(); ++byte)
      for (int bit = 0; bit < 8; ++bit) {
        std::vector<uint8_t> copy = bytes;
        copy[byte] ^= uint8_t(1u << bit);
        LoadAndWalk(copy);
      }
  }
}

TEST(BefCorruptionTest, RandomFlipsAndOverwritesAreSafe) {
  std::mt19937 rng(1234);
  for (const std::vector<uint8_t>& bytes : CorruptionSamples()) {
    for (int trial = 0; trial < 3000; ++trial) {
      std::vector<uint8_t> copy = bytes;
      const int edits = 1 + rng() % 4;
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % copy.size();
        switch (rng() % 3) {
          case 0:
            copy[at] ^= uint8_t(1u << (rng() % 8));
            break;
          case 1:
            copy[at] = static_cast<uint8_t>(rng());
            break;
          default:  // A plausible-looking small word.
            if (at + 4 <= copy.size()) PatchWord(copy, at, rng() % 64);
        }
      }
      LoadAndWalk(copy);
    }
  }
}

// --- Targeted verifier errors ------------------------------------------------

class BefVerifierErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = Must(testing::EveryConstructProgram());
    file_ = MustLoad(bytes_);
    ASSERT_NE(file_, nullptr);
  }
  const FunctionBody& Main() const { return file_->function(4).body; }
  // Patches the word at `p` (a pointer into the loaded file) and verifies.
  absl::Status PatchAndVerify(const uint32_t* p, uint32_t value) const {
    std::vector<uint8_t> copy = bytes_;
    PatchWord(copy, OffsetOf(*file_, p), value);
    return Verify(copy);
  }
  absl::Status PatchByteAndVerify(const void* p, uint8_t value) const {
    std::vector<uint8_t> copy = bytes_;
    copy[OffsetOf(*file_, p)] = value;
    return Verify(copy);
  }
  std::vector<uint8_t> bytes_;
  std::unique_ptr<BefFile> file_;
};

TEST_F(BefVerifierErrorTest, OperandRegisterOutOfRange) {
  const absl::Status s = PatchAndVerify(Main().kernel(3).operands().data(), 99);
  EXPECT_THAT(s.message(), HasSubstr("functions section at offset 0x"));
  EXPECT_THAT(s.message(), HasSubstr("function 4 (@main): kernel 3: operand 0 "
                                     "register 99 out of range (9 registers)"));
}

TEST_F(BefVerifierErrorTest, OperandUsedBeforeItIsDefined) {
  EXPECT_THAT(PatchAndVerify(Main().kernel(3).operands().data(), 7).message(),
              HasSubstr("kernel 3: operand 0 register 7 is used before it is "
                        "defined"));
}

TEST_F(BefVerifierErrorTest, KernelNameOutOfRange) {
  const uint32_t* code = &Main().kernel(1).operands().data()[0] - 9;
  // kernel(1) has 1 result, so its header starts 9 words before operands.
  EXPECT_THAT(PatchAndVerify(code, 1000).message(),
              HasSubstr("kernel 1: kernel name 1000 out of range (8 names)"));
}

TEST_F(BefVerifierErrorTest, AttributeAndFunctionOperandOutOfRange) {
  EXPECT_THAT(
      PatchAndVerify(Main().kernel(2).attributes().data(), 500).message(),
      HasSubstr("kernel 2: attribute 500 out of range (38 attributes)"));
  EXPECT_THAT(PatchAndVerify(Main().kernel(3).functions().data(), 5).message(),
              HasSubstr("kernel 3: function operand 5 out of range (5 "
                        "functions)"));
}

TEST_F(BefVerifierErrorTest, RegionFunctionWithTwoParents) {
  EXPECT_THAT(
      PatchAndVerify(Main().kernel(4).functions().data(), 2).message(),
      HasSubstr("kernel 4: region function 2 is already a region of function "
                "3 kernel 1"));
}

TEST_F(BefVerifierErrorTest, ReadyCountAndUseCountMustMatch) {
  const uint32_t* use_counts = Main().register_use_counts().data();
  EXPECT_THAT(PatchAndVerify(use_counts + 5, 3).message(),
              HasSubstr("register 5 use count 3, expected 4"));
  // The kernel table entry of kernel 5: offset, ready count, stream id.
  const uint32_t* table = Main().result_registers().data() + 3;
  EXPECT_THAT(PatchAndVerify(table + 5 * 3 + 1, 2).message(),
              HasSubstr("kernel 5: ready count 2, expected 3"));
  EXPECT_THAT(PatchAndVerify(table + 5 * 3 + 2, 8).message(),
              HasSubstr("kernel 5: stream id 8 exceeds 7"));
  EXPECT_THAT(PatchAndVerify(table + 5 * 3 + 0, 3).message(),
              HasSubstr("kernel 5: record offset 3 words"));
}

TEST_F(BefVerifierErrorTest, UsedByListsMustBeInSchedulingOrder) {
  const absl::Span<const uint32_t> users = Main().kernel(3).used_by(0);
  ASSERT_THAT(users, ElementsAre(5, 5, 4));
  EXPECT_THAT(PatchAndVerify(users.data() + 1, 4).message(),
              HasSubstr("kernel 3 lists kernel 4 as user 1 of register 5, "
                        "expected kernel 5 (used-by lists are in scheduling "
                        "order)"));
  // Moving a user from result 0 to result 1 keeps the record's size.
  const uint32_t* counts = Main().kernel(2).num_used_by().data();
  ASSERT_EQ(counts[0], 1u);
  ASSERT_EQ(counts[1], 0u);
  std::vector<uint8_t> copy = bytes_;
  PatchWord(copy, OffsetOf(*file_, counts), 0);
  PatchWord(copy, OffsetOf(*file_, counts + 1), 1);
  EXPECT_THAT(Verify(copy).message(),
              HasSubstr("register 3 use count 1, expected 0"));
  // With matching use counts the list itself is found short.
  const uint32_t* use_counts = Main().register_use_counts().data();
  PatchWord(copy, OffsetOf(*file_, use_counts + 3), 0);
  PatchWord(copy, OffsetOf(*file_, use_counts + 4), 1);
  EXPECT_THAT(Verify(copy).message(),
              HasSubstr("kernel 3: operand 0 uses register 3, whose used-by "
                        "list (kernel 2) has fewer entries than uses"));
  // A count that disagrees with the use count is caught first.
  EXPECT_THAT(
      PatchAndVerify(Main().kernel(3).num_used_by().data(), 2).message(),
      HasSubstr("register 5 use count 4, expected 3"));
  EXPECT_THAT(PatchAndVerify(Main().kernel(0).used_by(0).data(), 2).message(),
              HasSubstr("the start signal lists kernel 2, expected kernel 1"));
}

TEST_F(BefVerifierErrorTest, RegistersAreDefinedExactlyOnce) {
  EXPECT_THAT(PatchAndVerify(Main().kernel(3).results().data(), 3).message(),
              HasSubstr("kernel 3: result 0 register 3 is already defined by "
                        "kernel 2"));
  EXPECT_THAT(
      PatchAndVerify(Main().kernel(0).results().data(), 4).message(),
      HasSubstr("kernel 0: result 0 must be the start signal 0xffffffff"));
}

TEST_F(BefVerifierErrorTest, EachKernelHasItsOwnLocation) {
  const uint32_t other = Main().kernel(2).location();
  const uint32_t* loc = Main().kernel(3).operands().data() - 9 + 1;
  EXPECT_THAT(PatchAndVerify(loc, other).message(),
              HasSubstr("kernel 3: location 0 is already the location of "
                        "another kernel"));
  EXPECT_THAT(PatchAndVerify(loc, 12).message(),
              HasSubstr("location 12 out of range (12 locations)"));
}

TEST_F(BefVerifierErrorTest, AttributeRecordsAreChecked) {
  const KernelView all = Main().kernel(2);
  auto header = [&](size_t i) {
    return static_cast<const uint8_t*>(
               file_->attribute(all.attributes()[i]).payload()) -
           8;
  };
  EXPECT_THAT(PatchByteAndVerify(header(0), 99).message(),
              HasSubstr("unknown attribute kind 99"));
  EXPECT_THAT(PatchByteAndVerify(header(0) + 8, 2).message(),
              HasSubstr("i1 value 2 is neither 0 nor 1"));
  EXPECT_THAT(PatchByteAndVerify(header(3) + 1, 5).message(),
              HasSubstr("payload of 4 bytes for i64 (8 expected)"));
  EXPECT_THAT(PatchByteAndVerify(header(15) + 8, 24).message(),
              HasSubstr("payload is not one valid data type byte"));
  EXPECT_THAT(
      PatchByteAndVerify(header(17) + 8, 4).message(),
      HasSubstr("attribute 17 (array): 4 elements do not fit in 12 bytes"));
  EXPECT_THAT(PatchByteAndVerify(header(22) + 31, 0xFF).message(),
              HasSubstr("dimension 0 is negative"));
  EXPECT_THAT(PatchByteAndVerify(header(26) + 23, 0x80).message(),
              HasSubstr("dimension 0 is below -1"));
  EXPECT_THAT(PatchByteAndVerify(header(28) + 16, 0x04).message(),
              HasSubstr("element 0 (offset"));
  EXPECT_THAT(PatchByteAndVerify(header(29) + 16 + 8, 0x04).message(),
              HasSubstr("is not an earlier attribute record"));
}

TEST_F(BefVerifierErrorTest, MessagesCarryTheFileOffsetOfTheBadWord) {
  const uint32_t* operand = Main().kernel(3).operands().data();
  const absl::Status s = PatchAndVerify(operand, 99);
  EXPECT_THAT(s.message(), HasSubstr(absl::StrFormat(
                               "at offset 0x%x:", OffsetOf(*file_, operand))));
}

// --- Builder misuse and limits ----------------------------------------------

TEST(BefBuilderTest, MisuseIsReportedByFinish) {
  auto finish = [](auto&& build) {
    BefBuilder b;
    build(b);
    return b.Finish().status();
  };
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
                KernelSpec k;
                k.name = b.AddKernelName("k");
                k.operands = {3};
                b.DefineFunction(f)->AddKernel(k);
              }).message(),
              HasSubstr("function 0, kernel 1: operand register 3 is not "
                        "defined"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
              }).message(),
              HasSubstr("function 0 has no body"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kNative, "n", {}, {});
                b.DefineFunction(f)->SetResults({});
              }).message(),
              HasSubstr("native function 0 cannot have a body"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
                b.DefineFunction(f);
                b.DefineFunction(f);
              }).message(),
              HasSubstr("function 0 is defined twice"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t i32 = b.AddType("i32");
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kAsync, "f", {}, {i32});
                b.DefineFunction(f)->SetResults({});
              }).message(),
              HasSubstr("returns 0 values but declares 1 results"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint8_t two[] = {2};
                b.AddScalarAttribute(DType::kI1, two);
              }).message(),
              HasSubstr("i1 attribute value is neither 0 nor 1"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const int64_t shape[] = {3};
                b.AddDenseAttribute(DType::kI32, shape, {});
              }).message(),
              HasSubstr("dense attribute of 3 i32 has 0 bytes"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kAsync, "f", {}, {});
                FunctionBodyBuilder* body = b.DefineFunction(f);
                KernelSpec k;
                k.name = b.AddKernelName("k");
                k.location = b.AddUnknownLocation();
                body->AddKernel(k);
                body->AddKernel(k);
                body->SetResults({});
              }).message(),
              HasSubstr("location 0 is already the location of another "
                        "kernel"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                b.DeclareFunction(FunctionKind::kNative, "same", {}, {});
                b.DeclareFunction(FunctionKind::kNative, "same", {}, {});
              }).message(),
              HasSubstr("name 'same' is also function 0"));
  EXPECT_THAT(finish([](BefBuilder& b) {
                const uint32_t f =
                    b.DeclareFunction(FunctionKind::kAsync, "", {}, {});
                b.DefineFunction(f)->SetResults({});
              }).message(),
              HasSubstr("region function 0 is not the function operand of any "
                        "kernel"));
  BefBuilder twice;
  EXPECT_TRUE(twice.Finish().ok());
  EXPECT_EQ(twice.Finish().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(BefBuilderTest, SyncFunctionsMayNotReturnArgumentsOrDuplicates) {
  for (bool duplicate : {false, true}) {
    BefBuilder b;
    const uint32_t i32 = b.AddType("i32");
    const uint32_t f =
        b.DeclareFunction(FunctionKind::kSync, "s", {i32}, {i32, i32});
    FunctionBodyBuilder* body = b.DefineFunction(f);
    KernelSpec k;
    k.name = b.AddKernelName("k");
    k.num_results = 1;
    const uint32_t r = body->AddKernel(k)[0];
    body->SetResults({r, duplicate ? r : body->argument(0)});
    EXPECT_THAT(
        b.Finish().status().message(),
        HasSubstr(duplicate ? "return value 1 is duplicated in a sync function"
                            : "return value 1 is an argument in a sync "
                              "function"));
  }
}

TEST(BefBuilderTest, NestingDepthLimitsAreEnforced) {
  {  // Regions nested kMaxNestingDepth + 1 deep.
    BefBuilder b;
    const uint32_t name = b.AddKernelName("region.op");
    uint32_t inner = b.DeclareFunction(FunctionKind::kAsync, "", {}, {});
    b.DefineFunction(inner)->SetResults({});
    for (uint32_t d = 0; d < kMaxNestingDepth; ++d) {
      const uint32_t outer =
          b.DeclareFunction(FunctionKind::kAsync, "", {}, {});
      KernelSpec k;
      k.name = name;
      k.functions = {inner};
      FunctionBodyBuilder* body = b.DefineFunction(outer);
      body->AddKernel(k);
      body->SetResults({});
      inner = outer;
    }
    const uint32_t top = b.DeclareFunction(FunctionKind::kAsync, "top", {}, {});
    KernelSpec k;
    k.name = name;
    k.functions = {inner};
    FunctionBodyBuilder* body = b.DefineFunction(top);
    body->AddKernel(k);
    body->SetResults({});
    EXPECT_THAT(b.Finish().status().message(),
                HasSubstr("is nested 65 deep; the limit is 64"));
  }
  {  // Aggregates nested too deep.
    BefBuilder b;
    uint32_t a = b.AddScalar<int32_t>(1);
    for (uint32_t d = 0; d < kMaxNestingDepth; ++d)
      a = b.AddAggregateAttribute({a});
    EXPECT_THAT(b.Finish().status().message(),
                HasSubstr("nesting depth exceeds the limit 64"));
  }
  {  // Locations nested too deep.
    BefBuilder b;
    uint32_t l = b.AddUnknownLocation();
    for (uint32_t d = 0; d < kMaxNestingDepth; ++d)
      l = b.AddNameLocation("n", l);
    EXPECT_THAT(b.Finish().status().message(),
                HasSubstr("nesting depth exceeds the limit 64"));
  }
}

TEST(BefBuilderTest, SharedElementBombsAreRefused) {
  {  // [x, x] nested 40 deep: 2^40 elements in a few hundred bytes.
    BefBuilder b;
    uint32_t a = b.AddScalar<int32_t>(1);
    for (int d = 0; d < 40; ++d) a = b.AddAggregateAttribute({a, a});
    EXPECT_THAT(b.Finish().status().message(),
                HasSubstr("bytes in total (records shared too often)"));
  }
  {  // fused[x, x] nested 40 deep.
    BefBuilder b;
    uint32_t l = b.AddUnknownLocation();
    for (int d = 0; d < 40; ++d) l = b.AddFusedLocation({l, l});
    EXPECT_THAT(b.Finish().status().message(),
                HasSubstr("records in total (records shared too often)"));
  }
  {  // Moderate sharing is fine: [[s, s], [s, s]] with a 1 KiB string.
    BefBuilder b;
    const uint32_t str = b.AddStringAttribute(std::string(1024, 'x'));
    const uint32_t pair = b.AddAggregateAttribute({str, str});
    b.AddAggregateAttribute({pair, pair});
    std::unique_ptr<BefFile> file = MustLoad(Must(b.Finish()));
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->attribute_expanded_bytes(0), 8u + 8 + 1024);
    EXPECT_EQ(file->attribute_expanded_bytes(2),
              8u + 8 + 16 + 2 * (8 + 8 + 16 + 2 * (8 + 8 + 1024)));
  }
}

TEST(BefBuilderTest, ValueWithThreeHundredUsersRoundTrips) {
  BefBuilder b;
  const uint32_t i32 = b.AddType("i32");
  const uint32_t f = b.DeclareFunction(FunctionKind::kAsync, "f", {i32}, {});
  FunctionBodyBuilder* body = b.DefineFunction(f);
  KernelSpec k;
  k.name = b.AddKernelName("use");
  k.operands = {body->argument(0)};
  for (int i = 0; i < 300; ++i) body->AddKernel(k);
  body->SetResults({});
  std::unique_ptr<BefFile> file = MustLoad(Must(b.Finish()));
  ASSERT_NE(file, nullptr);
  const absl::Span<const uint32_t> users =
      file->function(0).body.kernel(0).used_by(1);
  ASSERT_EQ(users.size(), 300u);
  EXPECT_EQ(users.front(), 300u);
  EXPECT_EQ(users.back(), 1u);
  EXPECT_EQ(file->function(0).body.register_use_counts()[0], 300u);
}

TEST(BefBuilderTest, LargeProgramVerifiesAndKeepsItsShape) {
  std::unique_ptr<BefFile> file =
      MustLoad(Must(testing::LargeDagProgram(10000, 7)));
  ASSERT_NE(file, nullptr);
  const FunctionBody& body = file->function(0).body;
  EXPECT_EQ(body.num_kernels(), 10001u);
  EXPECT_EQ(body.num_registers(), 10001u);
  EXPECT_EQ(file->num_locations(), 10000u);
  uint64_t edges = 0, users = 0;
  for (uint32_t k = 1; k < body.num_kernels(); ++k) {
    edges += body.kernel(k).operands().size();
    users += body.kernel(k).all_used_by().size();
  }
  users += body.kernel(0).all_used_by().size();
  EXPECT_EQ(edges, users);  // Every operand position has one used-by entry.
}

}  // namespace
}  // namespace bef
}  // namespace rill
