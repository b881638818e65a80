#include "bef/dump.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rill {
namespace bef {
namespace {

constexpr size_t kMaxDenseElementsShown = 16;
// Per-kernel lines print at most this much of any one name or attribute, so
// the dump stays linear in the file however often kernels share them.
constexpr uint64_t kMaxInlineBytes = 256;

std::string Short(absl::string_view s) {
  if (s.size() <= kMaxInlineBytes) return std::string(s);
  return absl::StrCat(s.substr(0, kMaxInlineBytes), "...(", s.size(),
                      " bytes)");
}

float HalfToFloat(uint16_t h) {
  const int sign = (h >> 15) ? -1 : 1;
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(float(mantissa), -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(float(mantissa | 0x400), exponent - 25);
}

float Bf16ToFloat(uint16_t b) {
  const uint32_t bits = uint32_t{b} << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string Float(double v) { return absl::StrFormat("%.6e", v); }

// One element of a scalar or dense dtype, without its type.
std::string Element(uint8_t dtype, const uint8_t* p) {
  switch (static_cast<DType>(dtype)) {
    case DType::kI1:
      return p[0] ? "true" : "false";
    case DType::kI8:
      return absl::StrCat(Load<int8_t>(p));
    case DType::kI16:
      return absl::StrCat(Load<int16_t>(p));
    case DType::kI32:
      return absl::StrCat(Load<int32_t>(p));
    case DType::kI64:
      return absl::StrCat(Load<int64_t>(p));
    case DType::kUI8:
      return absl::StrCat(Load<uint8_t>(p));
    case DType::kUI16:
      return absl::StrCat(Load<uint16_t>(p));
    case DType::kUI32:
      return absl::StrCat(Load<uint32_t>(p));
    case DType::kUI64:
      return absl::StrCat(Load<uint64_t>(p));
    case DType::kF16:
      return Float(HalfToFloat(Load<uint16_t>(p)));
    case DType::kBF16:
      return Float(Bf16ToFloat(Load<uint16_t>(p)));
    case DType::kF32:
      return Float(Load<float>(p));
    case DType::kF64:
      return Float(Load<double>(p));
    case DType::kComplex64:
      return absl::StrCat("(", Float(Load<float>(p)), ",",
                          Float(Load<float>(p + 4)), ")");
    case DType::kComplex128:
      return absl::StrCat("(", Float(Load<double>(p)), ",",
                          Float(Load<double>(p + 8)), ")");
    default:
      return "?";
  }
}

std::string Quote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, absl::StrFormat("\\%02X", c));
    }
  }
  out.push_back('"');
  return out;
}

std::string Typed(uint8_t dtype, const uint8_t* p) {
  if (dtype == static_cast<uint8_t>(DType::kI1)) return Element(dtype, p);
  return absl::StrCat(Element(dtype, p), " : ", DTypeMlirName(dtype));
}

std::string Register(uint32_t r) {
  return r == kStartSignalRegister ? "start" : absl::StrCat("%", r);
}

}  // namespace

std::string FormatAttribute(const BefFile& file, AttributeView a) {
  const uint8_t dtype = a.dtype();
  switch (a.kind()) {
    case AttributeKind::kScalar:
      return Typed(dtype, a.scalar_bytes().data());
    case AttributeKind::kString:
      return Quote(a.string_value());
    case AttributeKind::kType:
      return std::string(DTypeMlirName(a.type_value()));
    case AttributeKind::kArray: {
      std::vector<std::string> parts;
      const auto bytes = a.array_bytes();
      for (uint64_t i = 0; i < a.array_size(); ++i) {
        if (dtype == kTypeElements) {
          parts.emplace_back(DTypeMlirName(bytes[i]));
        } else {
          parts.push_back(Typed(dtype, bytes.data() + i * DTypeSize(dtype)));
        }
      }
      return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
    }
    case AttributeKind::kDense: {
      std::vector<std::string> parts;
      const auto elements = a.dense_elements();
      const size_t n = static_cast<size_t>(a.dense_num_elements());
      for (size_t i = 0; i < n && i < kMaxDenseElementsShown; ++i)
        parts.push_back(Element(dtype, elements.data() + i * DTypeSize(dtype)));
      if (n > kMaxDenseElementsShown)
        parts.push_back(
            absl::StrCat("... ", n - kMaxDenseElementsShown, " more"));
      std::string shape;
      for (int64_t d : a.dense_shape()) absl::StrAppend(&shape, d, "x");
      return absl::StrCat("dense<[", absl::StrJoin(parts, ", "), "]> : tensor<",
                          shape, DTypeMlirName(dtype), ">");
    }
    case AttributeKind::kShape: {
      if (!a.shape_is_ranked()) return "#corert.shape<*>";
      std::vector<std::string> dims;
      for (int64_t d : a.shape_dims())
        dims.push_back(d < 0 ? "?" : absl::StrCat(d));
      return absl::StrCat("#corert.shape<", absl::StrJoin(dims, "x"), ">");
    }
    case AttributeKind::kAggregate: {
      std::vector<std::string> parts;
      for (uint64_t i = 0; i < a.num_elements(); ++i)
        parts.push_back(FormatAttribute(file, a.element(i)));
      return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
    }
    case AttributeKind::kSymbolRef: {
      std::string out;
      for (uint64_t i = 1; i < a.num_elements(); ++i)
        absl::StrAppend(&out, i > 1 ? "::" : "", "@",
                        a.element(i).string_value());
      return absl::StrCat(out, " (compiled module, ",
                          a.element(0).string_value().size(), " bytes)");
    }
  }
  return "<invalid>";
}

std::string FormatLocation(const BefFile& file, uint32_t index) {
  if (index == kNoLocation) return "none";
  const LocationRecord rec = file.location(index);
  switch (rec.tag) {
    case LocationTag::kUnknown:
      return "unknown";
    case LocationTag::kFile:
      return absl::StrCat(Quote(Short(file.string(rec.string))), ":", rec.line,
                          ":", rec.column);
    case LocationTag::kName:
      return absl::StrCat(Quote(Short(file.string(rec.string))), "(",
                          FormatLocation(file, rec.children[0]), ")");
    case LocationTag::kCallSite:
      return absl::StrCat("callsite(", FormatLocation(file, rec.children[0]),
                          " at ", FormatLocation(file, rec.children[1]), ")");
    case LocationTag::kFused: {
      std::vector<std::string> parts;
      for (uint32_t c : rec.children) parts.push_back(FormatLocation(file, c));
      return absl::StrCat("fused[", absl::StrJoin(parts, ", "), "]");
    }
  }
  return "unknown";
}

std::string DumpBef(const BefFile& file) {
  std::string out;
  const BefContainer& c = file.container();
  absl::StrAppend(&out, "BEF ", c.major_version(), ".", c.minor_version(),
                  ", producer ", Quote(c.producer()), ", ", file.bytes().size(),
                  " bytes\n");
  absl::StrAppend(&out, "sections:\n");
  auto section_line = [&](const Section& s, absl::string_view note) {
    absl::StrAppend(
        &out,
        absl::StrFormat("  %-5d %-16s offset 0x%06x  size %8d  "
                        "align %4d%s%s\n",
                        s.id, SectionName(s.id), s.offset, s.bytes.size(),
                        s.alignment, s.optional ? "  optional" : "", note));
  };
  for (const Section& s : c.sections()) section_line(s, "");
  for (const Section& s : c.skipped_sections()) section_line(s, "  skipped");

  absl::StrAppend(&out, "strings: ", file.num_strings(), "\n");
  absl::StrAppend(&out, "types: ", file.num_types(), "\n");
  for (uint32_t i = 0; i < file.num_types(); ++i)
    absl::StrAppend(&out, "  type ", i, ": ", file.type_name(i), "\n");
  absl::StrAppend(&out, "kernel names: ", file.num_kernel_names(), "\n");
  for (uint32_t i = 0; i < file.num_kernel_names(); ++i)
    absl::StrAppend(&out, "  kernel name ", i, ": ", file.kernel_name(i), "\n");
  absl::StrAppend(&out, "attributes: ", file.num_attributes(), "\n");
  for (uint32_t i = 0; i < file.num_attributes(); ++i)
    absl::StrAppend(&out, "  attribute ", i, ": ",
                    FormatAttribute(file, file.attribute(i)), "\n");
  absl::StrAppend(&out, "locations: ", file.num_locations(), "\n");
  for (uint32_t i = 0; i < file.num_locations(); ++i)
    absl::StrAppend(&out, "  location ", i, ": ", FormatLocation(file, i),
                    "\n");
  if (!file.compiled_modules().empty()) {
    absl::StrAppend(&out, "compiled modules: ", file.compiled_modules().size(),
                    "\n");
    for (const BefFile::CompiledModule& m : file.compiled_modules())
      absl::StrAppend(&out, "  module @", Short(m.name), ": ", m.text.size(),
                      " bytes of MLIR\n");
  }

  const std::vector<FunctionDebugNames>* debug = file.debug_names();
  auto types = [&](const std::vector<uint32_t>& list) {
    std::vector<std::string> names;
    for (uint32_t t : list) names.push_back(Short(file.type_name(t)));
    return absl::StrCat("(", absl::StrJoin(names, ", "), ")");
  };
  absl::StrAppend(&out, "functions: ", file.num_functions(), "\n");
  for (uint32_t fi = 0; fi < file.num_functions(); ++fi) {
    const FunctionInfo& fn = file.function(fi);
    absl::StrAppend(&out, "  function ", fi, " ",
                    fn.name.empty() ? "<region>" : absl::StrCat("@", fn.name),
                    " ", FunctionKindName(static_cast<uint8_t>(fn.kind)), " ",
                    types(fn.argument_types), " -> ", types(fn.result_types));
    if (fn.parent_function != FunctionInfo::kNoParent)
      absl::StrAppend(&out, " region of function ", fn.parent_function,
                      " kernel ", fn.parent_kernel);
    absl::StrAppend(&out, "\n");
    if (fn.kind == FunctionKind::kNative) continue;
    const FunctionBody& body = fn.body;
    const FunctionDebugNames* names = debug ? &(*debug)[fi] : nullptr;
    auto reg = [&](uint32_t r) {
      std::string s = Register(r);
      if (names != nullptr && r != kStartSignalRegister &&
          names->register_types[r] != FunctionDebugNames::kUnknownType)
        absl::StrAppend(&s, ": ",
                        Short(file.type_name(names->register_types[r])));
      return s;
    };
    std::vector<std::string> results;
    for (uint32_t r : body.result_registers()) results.push_back(Register(r));
    absl::StrAppend(&out, "    registers ", body.num_registers(), ", kernels ",
                    body.num_kernels(), ", returns (",
                    absl::StrJoin(results, ", "), ")\n");
    std::vector<std::string> use_counts;
    for (uint32_t u : body.register_use_counts())
      use_counts.push_back(absl::StrCat(u));
    absl::StrAppend(&out, "    use counts [", absl::StrJoin(use_counts, ", "),
                    "]\n");
    for (uint32_t k = 0; k < body.num_kernels(); ++k) {
      const KernelView kv = body.kernel(k);
      if (kv.is_entry()) {
        absl::StrAppend(&out, "    kernel 0 <entry> stream ", body.stream_id(0),
                        "\n");
      } else {
        absl::StrAppend(&out, "    kernel ", k, " ",
                        Short(file.kernel_name(kv.code())), " ready ",
                        body.ready_count(k), " stream ", body.stream_id(k),
                        " loc ", FormatLocation(file, kv.location()));
        if (kv.flags() & kKernelFlagNonStrict)
          absl::StrAppend(&out, " non-strict");
        if (kv.flags() & kKernelFlagHasCost)
          absl::StrAppend(&out, " cost ", kv.cost());
        absl::StrAppend(&out, "\n");
        std::vector<std::string> parts;
        for (uint32_t r : kv.operands()) parts.push_back(Register(r));
        absl::StrAppend(&out, "      operands (", absl::StrJoin(parts, ", "),
                        ")\n");
        parts.clear();
        for (size_t i = 0; i < kv.attributes().size(); ++i) {
          std::string name;
          if (names != nullptr && !names->attribute_names[k].empty())
            name = absl::StrCat(
                Short(file.string(names->attribute_names[k][i])), " = ");
          // Large aggregates are printed once, in the attribute table; a
          // kernel line refers to them, which keeps the dump linear in the
          // file however often kernels share them.
          const uint32_t a = kv.attributes()[i];
          parts.push_back(absl::StrCat(
              name, file.attribute_expanded_bytes(a) > kMaxInlineBytes
                        ? absl::StrCat("attribute #", a)
                        : FormatAttribute(file, file.attribute(a))));
        }
        if (!parts.empty())
          absl::StrAppend(&out, "      attributes {",
                          absl::StrJoin(parts, ", "), "}\n");
        parts.clear();
        for (size_t i = 0; i < kv.functions().size(); ++i) {
          const uint32_t g = kv.functions()[i];
          std::string name;
          if (names != nullptr && !names->function_names[k].empty() &&
              !file.string(names->function_names[k][i]).empty())
            name = absl::StrCat(Short(file.string(names->function_names[k][i])),
                                " = ");
          const FunctionInfo& callee = file.function(g);
          parts.push_back(
              absl::StrCat(name, callee.name.empty()
                                     ? absl::StrCat("region function ", g)
                                     : absl::StrCat("@", Short(callee.name))));
        }
        if (!parts.empty())
          absl::StrAppend(&out, "      functions [", absl::StrJoin(parts, ", "),
                          "]\n");
      }
      // One walk over the concatenated lists: used_by(j) would rescan the
      // counts before j, quadratic in a kernel's result count.
      const absl::Span<const uint32_t> all_users = kv.all_used_by();
      size_t next_user = 0;
      for (size_t j = 0; j < kv.results().size(); ++j) {
        std::vector<std::string> users;
        for (uint32_t n = 0; n < kv.num_used_by()[j]; ++n)
          users.push_back(absl::StrCat(all_users[next_user++]));
        absl::StrAppend(&out, "      result ", reg(kv.results()[j]), " users [",
                        absl::StrJoin(users, ", "), "]\n");
      }
    }
  }
  return out;
}

}  // namespace bef
}  // namespace rill
