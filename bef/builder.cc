#include "bef/builder.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bef/bef_file.h"
#include "bef/container.h"
#include "bef/internal/byte_io.h"
#include "bef/stream_analysis.h"

namespace rill {
namespace bef {

using internal::AppendLe;
using internal::AppendVbr;
using internal::PadTo;

struct BefBuilder::Function {
  FunctionKind kind;
  uint32_t name;  // String index.
  std::vector<uint32_t> argument_types, result_types;
  std::unique_ptr<FunctionBodyBuilder> body;
};

BefBuilder::BefBuilder(std::string producer) : producer_(std::move(producer)) {}
BefBuilder::~BefBuilder() = default;

void BefBuilder::Fail(std::string message) {
  if (status_.ok())
    status_ =
        absl::InvalidArgumentError(absl::StrCat("bef builder: ", message));
}

uint32_t BefBuilder::AddString(absl::string_view text) {
  auto [it, inserted] = string_index_.try_emplace(
      std::string(text), static_cast<uint32_t>(strings_.size()));
  if (inserted) strings_.emplace_back(text);
  return it->second;
}

uint32_t BefBuilder::AddType(absl::string_view mlir_spelling) {
  if (mlir_spelling.empty()) Fail("empty type name");
  const uint32_t s = AddString(mlir_spelling);
  auto [it, inserted] =
      type_index_.try_emplace(s, static_cast<uint32_t>(types_.size()));
  if (inserted) types_.push_back(s);
  return it->second;
}

uint32_t BefBuilder::AddKernelName(absl::string_view name) {
  if (name.empty()) Fail("empty kernel name");
  const uint32_t s = AddString(name);
  auto [it, inserted] = kernel_name_index_.try_emplace(
      s, static_cast<uint32_t>(kernel_names_.size()));
  if (inserted) kernel_names_.push_back(s);
  return it->second;
}

// Records are interned by their full content (kind, dtype, payload, element
// references), so equal attributes share one record and one kernel pointer.
uint32_t BefBuilder::AddRecord(uint8_t kind, uint8_t dtype,
                               std::vector<uint8_t> payload,
                               std::vector<uint32_t> element_refs) {
  std::string key;
  key.reserve(2 + payload.size() + 4 * element_refs.size());
  key.push_back(static_cast<char>(kind));
  key.push_back(static_cast<char>(dtype));
  key.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  key.append(reinterpret_cast<const char*>(element_refs.data()),
             4 * element_refs.size());
  auto [it, inserted] =
      record_index_.try_emplace(std::move(key), records_.size());
  if (inserted)
    records_.push_back(
        Record{kind, dtype, std::move(payload), std::move(element_refs)});
  return it->second;
}

uint32_t BefBuilder::AddScalarAttribute(DType dtype,
                                        absl::Span<const uint8_t> bytes) {
  const uint8_t d = static_cast<uint8_t>(dtype);
  if (!IsScalarDType(d)) {
    Fail(
        absl::StrCat("scalar attribute of non-scalar type ", DTypeMlirName(d)));
  } else if (bytes.size() != DTypeSize(d)) {
    Fail(absl::StrCat("scalar attribute of type ", DTypeMlirName(d), " has ",
                      bytes.size(), " bytes, expected ", DTypeSize(d)));
  } else if (dtype == DType::kI1 && bytes[0] > 1) {
    Fail("i1 attribute value is neither 0 nor 1");
  }
  return AddRecord(static_cast<uint8_t>(AttributeKind::kScalar), d,
                   std::vector<uint8_t>(bytes.begin(), bytes.end()), {});
}

uint32_t BefBuilder::AddStringAttribute(absl::string_view value) {
  std::vector<uint8_t> payload;
  AppendLe<uint64_t>(payload, value.size());
  payload.insert(payload.end(), value.begin(), value.end());
  return AddRecord(static_cast<uint8_t>(AttributeKind::kString), 0,
                   std::move(payload), {});
}

uint32_t BefBuilder::AddTypeAttribute(DType dtype) {
  if (!IsValidDType(static_cast<uint8_t>(dtype)))
    Fail(absl::StrCat("type attribute of invalid data type ",
                      static_cast<int>(dtype)));
  return AddRecord(static_cast<uint8_t>(AttributeKind::kType), 0,
                   {static_cast<uint8_t>(dtype)}, {});
}

uint32_t BefBuilder::AddArrayAttribute(uint8_t element,
                                       absl::Span<const uint8_t> bytes,
                                       uint64_t count) {
  const size_t size = element == kTypeElements ? 1 : DTypeSize(element);
  if (element == 0) {
    if (count != 0) Fail("an array without element type must be empty");
  } else if (element != kTypeElements && !IsScalarDType(element)) {
    Fail(absl::StrCat("array of non-scalar type ", DTypeMlirName(element)));
  } else if (bytes.size() != count * size) {
    Fail(absl::StrCat("array of ", count, " ", DTypeMlirName(element), " has ",
                      bytes.size(), " bytes"));
  } else {
    for (uint8_t b : bytes) {
      if (element == kTypeElements && !IsValidDType(b))
        Fail("type array element is not a data type");
      if (element == static_cast<uint8_t>(DType::kI1) && b > 1)
        Fail("i1 array element is neither 0 nor 1");
    }
  }
  std::vector<uint8_t> payload;
  AppendLe<uint64_t>(payload, count);
  payload.insert(payload.end(), bytes.begin(), bytes.end());
  return AddRecord(static_cast<uint8_t>(AttributeKind::kArray), element,
                   std::move(payload), {});
}

uint32_t BefBuilder::AddTypeArrayAttribute(absl::Span<const DType> types) {
  return AddArrayAttribute(kTypeElements, AsBytes(types.data(), types.size()),
                           types.size());
}

uint32_t BefBuilder::AddDenseAttribute(DType element,
                                       absl::Span<const int64_t> shape,
                                       absl::Span<const uint8_t> elements) {
  const uint8_t d = static_cast<uint8_t>(element);
  uint64_t count = 1;
  bool ok = IsDenseElementDType(d) && shape.size() <= kMaxDenseRank;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim != 0 && count > std::numeric_limits<uint32_t>::max() /
                                            static_cast<uint64_t>(dim))) {
      ok = false;
      break;
    }
    count *= static_cast<uint64_t>(dim);
  }
  if (!ok) {
    Fail(absl::StrCat("dense attribute of type ", DTypeMlirName(d),
                      " and rank ", shape.size(),
                      " has an invalid type or shape"));
  } else if (elements.size() != count * DTypeSize(d)) {
    Fail(absl::StrCat("dense attribute of ", count, " ", DTypeMlirName(d),
                      " has ", elements.size(), " bytes"));
  } else if (element == DType::kI1) {
    for (uint8_t b : elements)
      if (b > 1) Fail("dense i1 element is neither 0 nor 1");
  }
  std::vector<uint8_t> payload;
  AppendLe<uint64_t>(payload, shape.size());
  AppendLe<uint64_t>(payload, count);
  for (int64_t dim : shape) AppendLe<int64_t>(payload, dim);
  payload.insert(payload.end(), elements.begin(), elements.end());
  return AddRecord(static_cast<uint8_t>(AttributeKind::kDense), d,
                   std::move(payload), {});
}

uint32_t BefBuilder::AddShapeAttribute(absl::Span<const int64_t> dims) {
  if (dims.size() > kMaxShapeRank)
    Fail(absl::StrCat("shape of rank ", dims.size(), " exceeds the limit ",
                      kMaxShapeRank));
  std::vector<uint8_t> payload;
  AppendLe<int64_t>(payload, static_cast<int64_t>(dims.size()));
  for (int64_t dim : dims) {
    if (dim < -1) Fail(absl::StrCat("shape dimension ", dim, " is below -1"));
    AppendLe<int64_t>(payload, dim);
  }
  return AddRecord(static_cast<uint8_t>(AttributeKind::kShape), 0,
                   std::move(payload), {});
}

uint32_t BefBuilder::AddUnrankedShapeAttribute() {
  std::vector<uint8_t> payload;
  AppendLe<int64_t>(payload, -1);
  return AddRecord(static_cast<uint8_t>(AttributeKind::kShape), 0,
                   std::move(payload), {});
}

uint32_t BefBuilder::AddAggregateAttribute(
    absl::Span<const uint32_t> elements) {
  for (uint32_t e : elements)
    if (e >= records_.size())
      Fail(absl::StrCat("aggregate element ", e, " is not an attribute"));
  std::vector<uint8_t> payload;
  AppendLe<uint64_t>(payload, elements.size());
  payload.resize(payload.size() + 8 * elements.size());
  return AddRecord(static_cast<uint8_t>(AttributeKind::kAggregate), 0,
                   std::move(payload),
                   std::vector<uint32_t>(elements.begin(), elements.end()));
}

uint32_t BefBuilder::AddSymbolRefAttribute(
    absl::string_view module_text, absl::string_view root,
    absl::Span<const std::string> nested) {
  std::vector<uint32_t> elements = {AddStringAttribute(module_text),
                                    AddStringAttribute(root)};
  for (const std::string& name : nested)
    elements.push_back(AddStringAttribute(name));
  std::vector<uint8_t> payload;
  AppendLe<uint64_t>(payload, elements.size());
  payload.resize(payload.size() + 8 * elements.size());
  return AddRecord(static_cast<uint8_t>(AttributeKind::kSymbolRef), 0,
                   std::move(payload), std::move(elements));
}

uint32_t BefBuilder::AddLocationRecord(std::vector<uint8_t> record) {
  locations_.push_back(std::move(record));
  return static_cast<uint32_t>(locations_.size() - 1);
}

void BefBuilder::AddCompiledModule(absl::string_view name,
                                   absl::string_view text) {
  if (name.empty()) return Fail("AddCompiledModule: empty module name");
  const uint32_t name_index = AddString(name);
  for (const auto& module : compiled_modules_)
    if (module.first == name_index)
      return Fail(
          absl::StrCat("AddCompiledModule: module @", name, " added twice"));
  compiled_modules_.push_back({name_index, AddString(text)});
}

uint32_t BefBuilder::AddUnknownLocation() {
  return AddLocationRecord({static_cast<uint8_t>(LocationTag::kUnknown)});
}

uint32_t BefBuilder::AddFileLocation(absl::string_view file, uint32_t line,
                                     uint32_t column) {
  std::vector<uint8_t> r = {static_cast<uint8_t>(LocationTag::kFile)};
  AppendVbr(r, AddString(file));
  AppendVbr(r, line);
  AppendVbr(r, column);
  return AddLocationRecord(std::move(r));
}

uint32_t BefBuilder::AddNameLocation(absl::string_view name, uint32_t child) {
  if (child >= locations_.size())
    Fail(absl::StrCat("name location child ", child, " is not a location"));
  std::vector<uint8_t> r = {static_cast<uint8_t>(LocationTag::kName)};
  AppendVbr(r, AddString(name));
  AppendVbr(r, child);
  return AddLocationRecord(std::move(r));
}

uint32_t BefBuilder::AddCallSiteLocation(uint32_t callee, uint32_t caller) {
  if (callee >= locations_.size() || caller >= locations_.size())
    Fail("call site location refers to a location that does not exist");
  std::vector<uint8_t> r = {static_cast<uint8_t>(LocationTag::kCallSite)};
  AppendVbr(r, callee);
  AppendVbr(r, caller);
  return AddLocationRecord(std::move(r));
}

uint32_t BefBuilder::AddFusedLocation(absl::Span<const uint32_t> parts) {
  std::vector<uint8_t> r = {static_cast<uint8_t>(LocationTag::kFused)};
  AppendVbr(r, static_cast<uint32_t>(parts.size()));
  for (uint32_t p : parts) {
    if (p >= locations_.size())
      Fail(absl::StrCat("fused location part ", p, " is not a location"));
    AppendVbr(r, p);
  }
  return AddLocationRecord(std::move(r));
}

uint32_t BefBuilder::DeclareFunction(FunctionKind kind, absl::string_view name,
                                     absl::Span<const uint32_t> argument_types,
                                     absl::Span<const uint32_t> result_types) {
  auto f = std::make_unique<Function>();
  f->kind = kind;
  f->name = AddString(name);
  f->argument_types.assign(argument_types.begin(), argument_types.end());
  f->result_types.assign(result_types.begin(), result_types.end());
  for (uint32_t t : f->argument_types)
    if (t >= types_.size()) Fail(absl::StrCat("argument type ", t, " unknown"));
  for (uint32_t t : f->result_types)
    if (t >= types_.size()) Fail(absl::StrCat("result type ", t, " unknown"));
  if (kind == FunctionKind::kNative && name.empty())
    Fail("a native function needs a name");
  functions_.push_back(std::move(f));
  return static_cast<uint32_t>(functions_.size() - 1);
}

FunctionBodyBuilder* BefBuilder::DefineFunction(uint32_t function) {
  if (function >= functions_.size()) {
    Fail(absl::StrCat("function ", function, " is not declared"));
  } else if (functions_[function]->kind == FunctionKind::kNative) {
    Fail(absl::StrCat("native function ", function, " cannot have a body"));
  } else if (functions_[function]->body != nullptr) {
    Fail(absl::StrCat("function ", function, " is defined twice"));
  } else {
    Function& f = *functions_[function];
    f.body.reset(
        new FunctionBodyBuilder(this, function, f.argument_types.size()));
    return f.body.get();
  }
  // Misuse still gets a usable body builder so callers need no null checks;
  // Finish reports the error.
  scratch_bodies_.emplace_back(new FunctionBodyBuilder(this, function, 0));
  return scratch_bodies_.back().get();
}

std::vector<uint32_t> FunctionBodyBuilder::AddKernel(const KernelSpec& kernel) {
  const std::string where =
      absl::StrCat("function ", function_, ", kernel ", kernels_.size() + 1);
  for (uint32_t r : kernel.operands)
    if (r >= num_registers_)
      builder_->Fail(
          absl::StrCat(where, ": operand register ", r, " is not defined"));
  auto check_names = [&](const std::vector<uint32_t>& names, size_t expected,
                         absl::string_view what) {
    if (!names.empty() && names.size() != expected)
      builder_->Fail(absl::StrCat(where, ": ", names.size(), " ", what, " for ",
                                  expected));
  };
  check_names(kernel.attribute_names, kernel.attributes.size(),
              "attribute names");
  check_names(kernel.function_names, kernel.functions.size(), "function names");
  check_names(kernel.result_types, kernel.num_results, "result types");
  if (uint64_t{num_registers_} + kernel.num_results >= kStartSignalRegister) {
    builder_->Fail(absl::StrCat(where, ": too many registers"));
    return std::vector<uint32_t>(kernel.num_results, 0);
  }
  kernels_.push_back(kernel);
  first_result_.push_back(num_registers_);
  std::vector<uint32_t> results(kernel.num_results);
  for (uint32_t& r : results) r = num_registers_++;
  return results;
}

void FunctionBodyBuilder::SetResults(absl::Span<const uint32_t> registers) {
  for (uint32_t r : registers)
    if (r >= num_registers_)
      builder_->Fail(absl::StrCat("function ", function_, ": result register ",
                                  r, " is not defined"));
  results_.emplace(registers.begin(), registers.end());
}

absl::Status BefBuilder::BuildBody(const Function& function,
                                   std::vector<uint8_t>& out) {
  const FunctionBodyBuilder& b = *function.body;
  const std::vector<KernelSpec>& kernels = b.kernels_;
  const uint32_t num_registers = b.num_registers_;
  const uint32_t num_kernels = static_cast<uint32_t>(kernels.size() + 1);
  const std::vector<uint32_t> results =
      b.results_.value_or(std::vector<uint32_t>());
  const std::string where = absl::StrCat("function ", b.function_);
  if (results.size() != function.result_types.size())
    return absl::InvalidArgumentError(absl::StrCat(
        "bef builder: ", where, " returns ", results.size(),
        " values but declares ", function.result_types.size(), " results"));
  if (function.kind == FunctionKind::kSync) {
    std::vector<bool> seen(num_registers);
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i] < b.num_arguments_)
        return absl::InvalidArgumentError(
            absl::StrCat("bef builder: ", where, ": return value ", i,
                         " is an argument in a sync function"));
      if (seen[results[i]])
        return absl::InvalidArgumentError(
            absl::StrCat("bef builder: ", where, ": return value ", i,
                         " is duplicated in a sync function"));
      seen[results[i]] = true;
    }
  }

  // Producer op of each register for the stream analysis (-1: argument).
  std::vector<int32_t> producer(num_registers, -1);
  std::vector<uint32_t> use_count(num_registers, 0);
  for (size_t k = 0; k < kernels.size(); ++k) {
    for (uint32_t r : kernels[k].operands) ++use_count[r];
    for (uint32_t i = 0; i < kernels[k].num_results; ++i)
      producer[b.first_result_[k] + i] = static_cast<int32_t>(k);
  }
  std::vector<uint32_t> operand_uses = use_count;  // Without return uses.
  for (uint32_t r : results) ++use_count[r];

  // User lists in scheduling order: newest (kernel, operand) first.
  std::vector<uint32_t> user_begin(num_registers + 1, 0);
  for (uint32_t r = 0; r < num_registers; ++r)
    user_begin[r + 1] = user_begin[r] + operand_uses[r];
  std::vector<uint32_t> users(user_begin[num_registers]);
  std::vector<uint32_t> fill(user_begin.begin(), user_begin.end() - 1);
  for (size_t k = kernels.size(); k-- > 0;) {
    const auto& ops = kernels[k].operands;
    for (size_t i = ops.size(); i-- > 0;)
      users[fill[ops[i]]++] = static_cast<uint32_t>(k + 1);
  }
  std::vector<uint32_t> start_users;
  for (size_t k = 0; k < kernels.size(); ++k)
    if (kernels[k].operands.empty())
      start_users.push_back(static_cast<uint32_t>(k + 1));

  std::vector<StreamOp> ops(kernels.size() + 1);
  for (size_t k = 0; k < kernels.size(); ++k) {
    for (uint32_t r : kernels[k].operands)
      ops[k].operand_producers.push_back(producer[r]);
    ops[k].cost = kernels[k].cost;
  }
  for (uint32_t r : results)
    ops.back().operand_producers.push_back(producer[r]);
  ops.back().is_return = true;
  const StreamAssignment streams = AnalyzeStreams(ops, b.cost_threshold_);

  // Kernel records.
  std::vector<uint32_t> area;
  std::vector<uint32_t> offsets;
  auto user_span = [&](uint32_t r) {
    return absl::MakeConstSpan(users.data() + user_begin[r],
                               user_begin[r + 1] - user_begin[r]);
  };
  // Entry kernel: results are the start signal and the arguments.
  offsets.push_back(0);
  const uint32_t num_args = static_cast<uint32_t>(b.num_arguments_);
  area.insert(area.end(),
              {kEntryKernelCode, kNoLocation, 0, 0, 0, 0, 0, num_args + 1});
  area.push_back(static_cast<uint32_t>(start_users.size()));
  for (uint32_t a = 0; a < num_args; ++a) area.push_back(operand_uses[a]);
  area.push_back(kStartSignalRegister);
  for (uint32_t a = 0; a < num_args; ++a) area.push_back(a);
  area.insert(area.end(), start_users.begin(), start_users.end());
  for (uint32_t a = 0; a < num_args; ++a) {
    auto u = user_span(a);
    area.insert(area.end(), u.begin(), u.end());
  }
  for (size_t k = 0; k < kernels.size(); ++k) {
    const KernelSpec& spec = kernels[k];
    offsets.push_back(static_cast<uint32_t>(area.size()));
    uint32_t flags = spec.flags & ~kKernelFlagHasCost;
    uint32_t cost = 0;
    if (spec.cost.has_value()) {
      flags |= kKernelFlagHasCost;
      cost = static_cast<uint32_t>(std::clamp<int64_t>(
          *spec.cost, 0, std::numeric_limits<uint32_t>::max()));
    }
    area.insert(area.end(), {spec.name, spec.location, flags, cost,
                             static_cast<uint32_t>(spec.operands.size()),
                             static_cast<uint32_t>(spec.attributes.size()),
                             static_cast<uint32_t>(spec.functions.size()),
                             spec.num_results});
    for (uint32_t i = 0; i < spec.num_results; ++i)
      area.push_back(operand_uses[b.first_result_[k] + i]);
    area.insert(area.end(), spec.operands.begin(), spec.operands.end());
    area.insert(area.end(), spec.attributes.begin(), spec.attributes.end());
    area.insert(area.end(), spec.functions.begin(), spec.functions.end());
    for (uint32_t i = 0; i < spec.num_results; ++i)
      area.push_back(b.first_result_[k] + i);
    for (uint32_t i = 0; i < spec.num_results; ++i) {
      auto u = user_span(b.first_result_[k] + i);
      area.insert(area.end(), u.begin(), u.end());
    }
  }

  auto word = [&](uint32_t w) { AppendLe<uint32_t>(out, w); };
  word(num_registers);
  word(num_kernels);
  word(static_cast<uint32_t>(results.size()));
  word(static_cast<uint32_t>(area.size()));
  for (uint32_t c : use_count) word(c);
  for (uint32_t r : results) word(r);
  word(0);  // Entry kernel: offset, ready count, stream.
  word(0);
  word(streams.root_stream);
  for (size_t k = 0; k < kernels.size(); ++k) {
    word(offsets[k + 1]);
    word(std::max<uint32_t>(1,
                            static_cast<uint32_t>(kernels[k].operands.size())));
    word(streams.op_streams[k]);
  }
  for (uint32_t w : area) word(w);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> BefBuilder::Finish() {
  if (finished_)
    return absl::FailedPreconditionError("bef builder: Finish called twice");
  finished_ = true;
  if (!status_.ok()) return status_;

  // Cross-references the Add* calls could not check yet.
  std::vector<bool> location_used(locations_.size());
  for (size_t f = 0; f < functions_.size(); ++f) {
    const Function& fn = *functions_[f];
    if (fn.kind != FunctionKind::kNative && fn.body == nullptr)
      return absl::InvalidArgumentError(
          absl::StrCat("bef builder: function ", f, " has no body"));
    if (fn.body == nullptr) continue;
    for (size_t k = 0; k < fn.body->kernels_.size(); ++k) {
      const KernelSpec& spec = fn.body->kernels_[k];
      const std::string where =
          absl::StrCat("bef builder: function ", f, ", kernel ", k + 1, ": ");
      if (spec.name >= kernel_names_.size())
        return absl::InvalidArgumentError(
            absl::StrCat(where, "kernel name ", spec.name, " unknown"));
      for (uint32_t a : spec.attributes)
        if (a >= records_.size())
          return absl::InvalidArgumentError(
              absl::StrCat(where, "attribute ", a, " unknown"));
      for (uint32_t g : spec.functions)
        if (g >= functions_.size())
          return absl::InvalidArgumentError(
              absl::StrCat(where, "function ", g, " unknown"));
      for (uint32_t t : spec.result_types)
        if (t >= types_.size())
          return absl::InvalidArgumentError(
              absl::StrCat(where, "result type ", t, " unknown"));
      for (const auto* names : {&spec.attribute_names, &spec.function_names})
        for (uint32_t s : *names)
          if (s >= strings_.size())
            return absl::InvalidArgumentError(
                absl::StrCat(where, "name string ", s, " unknown"));
      if (spec.location == kNoLocation) continue;
      if (spec.location >= locations_.size())
        return absl::InvalidArgumentError(
            absl::StrCat(where, "location ", spec.location, " unknown"));
      if (location_used[spec.location])
        return absl::InvalidArgumentError(
            absl::StrCat(where, "location ", spec.location,
                         " is already the location of another kernel"));
      location_used[spec.location] = true;
    }
  }

  std::vector<uint8_t> strings;
  AppendLe<uint32_t>(strings, static_cast<uint32_t>(strings_.size()));
  uint64_t end = 0;
  for (const std::string& s : strings_) {
    end += s.size();
    if (end > std::numeric_limits<uint32_t>::max())
      return absl::InvalidArgumentError("bef builder: strings exceed 4 GiB");
    AppendLe<uint32_t>(strings, static_cast<uint32_t>(end));
  }
  for (const std::string& s : strings_)
    strings.insert(strings.end(), s.begin(), s.end());

  std::vector<uint8_t> attributes;
  AppendLe<uint32_t>(attributes, static_cast<uint32_t>(records_.size()));
  AppendLe<uint32_t>(attributes, 0);
  const size_t table_at = attributes.size();
  attributes.resize(table_at + 4 * records_.size());
  PadTo(attributes, 8);
  std::vector<uint64_t> record_at(records_.size());
  for (size_t i = 0; i < records_.size(); ++i) {
    const Record& r = records_[i];
    record_at[i] = attributes.size();
    attributes.push_back(r.kind);
    attributes.push_back(r.dtype);
    AppendLe<uint16_t>(attributes, 0);
    AppendLe<uint32_t>(attributes, static_cast<uint32_t>(r.payload.size()));
    attributes.insert(attributes.end(), r.payload.begin(), r.payload.end());
    PadTo(attributes, 8);
    // Element references: offsets from this payload to each element's header.
    for (size_t e = 0; e < r.element_refs.size(); ++e) {
      const int64_t rel = static_cast<int64_t>(record_at[r.element_refs[e]]) -
                          static_cast<int64_t>(record_at[i] + 8);
      std::memcpy(attributes.data() + record_at[i] + 16 + 8 * e, &rel, 8);
    }
  }
  if (attributes.size() > std::numeric_limits<uint32_t>::max())
    return absl::InvalidArgumentError("bef builder: attributes exceed 4 GiB");
  for (size_t i = 0; i < records_.size(); ++i) {
    const uint32_t at = static_cast<uint32_t>(record_at[i]);
    std::memcpy(attributes.data() + table_at + 4 * i, &at, 4);
  }

  std::vector<uint8_t> types, kernel_names;
  AppendVbr(types, static_cast<uint32_t>(types_.size()));
  for (uint32_t s : types_) AppendVbr(types, s);
  AppendVbr(kernel_names, static_cast<uint32_t>(kernel_names_.size()));
  for (uint32_t s : kernel_names_) AppendVbr(kernel_names, s);

  std::vector<uint8_t> bodies, index;
  AppendVbr(index, static_cast<uint32_t>(functions_.size()));
  for (const auto& fn : functions_) {
    uint32_t body_at = 0;
    if (fn->body != nullptr) {
      body_at = static_cast<uint32_t>(bodies.size());
      if (absl::Status s = BuildBody(*fn, bodies); !s.ok()) return s;
      if (bodies.size() > std::numeric_limits<uint32_t>::max())
        return absl::InvalidArgumentError(
            "bef builder: function bodies exceed 4 GiB");
    }
    index.push_back(static_cast<uint8_t>(fn->kind));
    AppendVbr(index, fn->name);
    AppendVbr(index, body_at);
    AppendVbr(index, static_cast<uint32_t>(fn->argument_types.size()));
    for (uint32_t t : fn->argument_types) AppendVbr(index, t);
    AppendVbr(index, static_cast<uint32_t>(fn->result_types.size()));
    for (uint32_t t : fn->result_types) AppendVbr(index, t);
  }

  std::vector<uint8_t> locations;
  AppendLe<uint32_t>(locations, static_cast<uint32_t>(locations_.size()));
  const size_t loc_table_at = locations.size();
  locations.resize(loc_table_at + 4 * locations_.size());
  for (size_t i = 0; i < locations_.size(); ++i) {
    const uint32_t at = static_cast<uint32_t>(locations.size());
    std::memcpy(locations.data() + loc_table_at + 4 * i, &at, 4);
    locations.insert(locations.end(), locations_[i].begin(),
                     locations_[i].end());
  }

  BefContainerWriter writer(producer_);
  writer.AddSection(static_cast<uint16_t>(SectionId::kStrings), strings,
                    kStringsAlignment);
  writer.AddSection(static_cast<uint16_t>(SectionId::kAttributes), attributes,
                    kAttributesAlignment);
  writer.AddSection(static_cast<uint16_t>(SectionId::kTypes), types, 1);
  writer.AddSection(static_cast<uint16_t>(SectionId::kKernelNames),
                    kernel_names, 1);
  writer.AddSection(static_cast<uint16_t>(SectionId::kFunctionIndex), index, 1);
  writer.AddSection(static_cast<uint16_t>(SectionId::kFunctions), bodies,
                    kFunctionsAlignment);
  writer.AddSection(static_cast<uint16_t>(SectionId::kLocations), locations,
                    kLocationsAlignment);

  if (emit_debug_names_) {
    std::vector<uint8_t> debug;
    AppendVbr(debug, static_cast<uint32_t>(functions_.size()));
    for (const auto& fn : functions_) {
      if (fn->body == nullptr) {
        AppendVbr(debug, 0);
        AppendVbr(debug, 0);
        continue;
      }
      const FunctionBodyBuilder& b = *fn->body;
      // Register types, written as type index + 1 (0: unknown).
      std::vector<uint32_t> reg_types(b.num_registers_, 0);
      for (size_t a = 0; a < fn->argument_types.size(); ++a)
        reg_types[a] = fn->argument_types[a] + 1;
      for (size_t k = 0; k < b.kernels_.size(); ++k)
        for (size_t i = 0; i < b.kernels_[k].result_types.size(); ++i)
          reg_types[b.first_result_[k] + i] = b.kernels_[k].result_types[i] + 1;
      AppendVbr(debug, b.num_registers_);
      for (uint32_t t : reg_types) AppendVbr(debug, t);
      AppendVbr(debug, static_cast<uint32_t>(b.kernels_.size() + 1));
      AppendVbr(debug, 0);  // Entry kernel: no attributes, no functions.
      AppendVbr(debug, 0);
      for (const KernelSpec& k : b.kernels_) {
        AppendVbr(debug, static_cast<uint32_t>(k.attribute_names.size()));
        for (uint32_t s : k.attribute_names) AppendVbr(debug, s);
        AppendVbr(debug, static_cast<uint32_t>(k.function_names.size()));
        for (uint32_t s : k.function_names) AppendVbr(debug, s);
      }
    }
    writer.AddSection(static_cast<uint16_t>(SectionId::kDebugNames), debug, 1,
                      /*optional=*/true);
  }
  if (emit_debug_names_ && !compiled_modules_.empty()) {
    std::vector<uint8_t> modules;
    AppendVbr(modules, static_cast<uint32_t>(compiled_modules_.size()));
    for (const auto& [name, text] : compiled_modules_) {
      AppendVbr(modules, name);
      AppendVbr(modules, text);
    }
    writer.AddSection(static_cast<uint16_t>(SectionId::kCompiledModules),
                      modules, 1, /*optional=*/true);
  }

  absl::StatusOr<std::vector<uint8_t>> bytes = writer.Finish();
  if (!bytes.ok()) return bytes.status();
  // The builder's output must pass the reader's verifier; a failure here is
  // a builder bug or a program the format cannot hold (reported, not written).
  absl::StatusOr<std::unique_ptr<BefFile>> check = BefFile::FromCopy(*bytes);
  if (!check.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("bef builder: the program does not verify: ",
                     check.status().message()));
  return bytes;
}

}  // namespace bef
}  // namespace rill
