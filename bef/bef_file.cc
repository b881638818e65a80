#include "bef/bef_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bef/internal/byte_io.h"

namespace rill {
namespace bef {

using internal::ByteReader;
using internal::LoadLe;

// ---------------------------------------------------------------------------
// Views.

uint32_t AttributeView::payload_size() const {
  return LoadLe<uint32_t>(header_ + 4);
}

absl::Span<const uint8_t> AttributeView::scalar_bytes() const {
  return {header_ + 8, payload_size()};
}

absl::string_view AttributeView::string_value() const {
  return {reinterpret_cast<const char*>(header_ + 16),
          static_cast<size_t>(Word64(0))};
}

absl::Span<const uint8_t> AttributeView::array_bytes() const {
  return {header_ + 16, payload_size() - size_t{8}};
}

absl::Span<const int64_t> AttributeView::dense_shape() const {
  return {reinterpret_cast<const int64_t*>(header_ + 24),
          static_cast<size_t>(Word64(0))};
}

absl::Span<const uint8_t> AttributeView::dense_elements() const {
  const size_t at = 16 + 8 * static_cast<size_t>(Word64(0));
  return {header_ + 8 + at, payload_size() - at};
}

absl::Span<const int64_t> AttributeView::shape_dims() const {
  if (!shape_is_ranked()) return {};
  return {reinterpret_cast<const int64_t*>(header_ + 16),
          static_cast<size_t>(Word64(0))};
}

AttributeView AttributeView::element(size_t i) const {
  int64_t rel;
  std::memcpy(&rel, header_ + 16 + 8 * i, 8);
  return AttributeView(header_ + 8 + rel);
}

absl::Span<const uint32_t> KernelView::all_used_by() const {
  size_t total = 0;
  for (uint32_t n : num_used_by()) total += n;
  return {words_ + ResultsAt() + words_[7], total};
}

absl::Span<const uint32_t> KernelView::used_by(size_t i) const {
  size_t at = ResultsAt() + words_[7];
  const uint32_t* counts = words_ + kKernelHeaderWords;
  for (size_t j = 0; j < i; ++j) at += counts[j];
  return {words_ + at, counts[i]};
}

// ---------------------------------------------------------------------------
// Verification.

namespace {

std::string Hex(uint64_t v) { return absl::StrFormat("0x%x", v); }

constexpr uint32_t kUndefined = 0xFFFFFFFFu;

}  // namespace

class Verifier {
 public:
  explicit Verifier(BefFile& file) : f_(file) {}

  absl::Status Run() {
    for (uint16_t id = 1; id <= 7; ++id)
      if (f_.container_.Find(static_cast<SectionId>(id)) == nullptr)
        return absl::InvalidArgumentError(
            absl::StrCat("bef: required section '", SectionName(id), "' (id ",
                         id, ") is missing"));
    if (absl::Status s = Strings(); !s.ok()) return s;
    if (absl::Status s = NameTable(SectionId::kTypes, f_.types_); !s.ok())
      return s;
    if (absl::Status s = NameTable(SectionId::kKernelNames, f_.kernel_names_);
        !s.ok())
      return s;
    if (absl::Status s = Attributes(); !s.ok()) return s;
    if (absl::Status s = Locations(); !s.ok()) return s;
    if (absl::Status s = FunctionIndex(); !s.ok()) return s;
    if (absl::Status s = Bodies(); !s.ok()) return s;
    if (absl::Status s = RegionTree(); !s.ok()) return s;
    if (absl::Status s = DebugNames(); !s.ok()) return s;
    return CompiledModules();
  }

 private:
  const Section& Get(SectionId id) { return *f_.container_.Find(id); }

  template <typename... Args>
  static absl::Status Invalid(const Section& s, uint64_t local,
                              const Args&... args) {
    return absl::InvalidArgumentError(
        absl::StrCat("bef: ", SectionName(s.id), " section at offset ",
                     Hex(s.offset + local), ": ", args...));
  }

  static absl::Status Aligned(const Section& s, uint32_t alignment) {
    if (s.offset % alignment == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "bef: ", SectionName(s.id), " section at offset ", Hex(s.offset),
        " is not aligned to ", alignment, " bytes"));
  }

  // A u32 array of `count` entries at `local` inside section `s` (aligned).
  static absl::Span<const uint32_t> Words(const Section& s, uint64_t local,
                                          uint64_t count) {
    return {reinterpret_cast<const uint32_t*>(s.bytes.data() + local),
            static_cast<size_t>(count)};
  }

  // The common start of the strings, attributes and locations sections: the
  // section's alignment, a u32 count, and a table of `count` u32 words at
  // `table_at` that must fit in the section.
  static absl::StatusOr<uint32_t> CountedTable(const Section& s,
                                               uint32_t alignment,
                                               uint64_t table_at,
                                               absl::string_view what) {
    if (absl::Status st = Aligned(s, alignment); !st.ok()) return st;
    const uint64_t size = s.bytes.size();
    if (size < table_at)
      return Invalid(s, 0, "section of ", size, " bytes has no ", what,
                     " count");
    const uint32_t count = LoadLe<uint32_t>(s.bytes.data());
    if ((size - table_at) / 4 < count)
      return Invalid(s, 0, what, " count ", count,
                     " needs a table larger than the section (", size,
                     " bytes)");
    return count;
  }

  absl::Status Strings() {
    const Section& s = Get(SectionId::kStrings);
    absl::StatusOr<uint32_t> counted =
        CountedTable(s, kStringsAlignment, 4, "string");
    if (!counted.ok()) return counted.status();
    const uint32_t count = *counted;
    const uint64_t size = s.bytes.size();
    const uint64_t blob_at = 4 + uint64_t{4} * count;
    const uint64_t blob_size = size - blob_at;
    f_.string_ends_ = Words(s, 4, count);
    uint32_t prev = 0;
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t end = f_.string_ends_[i];
      if (end < prev || end > blob_size)
        return Invalid(s, 4 + 4 * uint64_t{i}, "string ", i, " ends at ", end,
                       ", outside [", prev, ", ", blob_size, "]");
      prev = end;
    }
    if (prev != blob_size)
      return Invalid(s, blob_at + prev, blob_size - prev,
                     " byte(s) after the last string");
    f_.string_blob_ = reinterpret_cast<const char*>(s.bytes.data() + blob_at);
    return absl::OkStatus();
  }

  absl::Status NameTable(SectionId id, std::vector<uint32_t>& out) {
    const Section& s = Get(id);
    ByteReader r(s.bytes, s.offset);
    uint32_t count;
    if (!r.ReadVbr(&count)) return Invalid(s, 0, "bad or missing count");
    if (count > r.remaining())
      return Invalid(s, 0, "count ", count, " exceeds the section's ",
                     r.remaining(), " remaining bytes");
    out.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t at = r.position();
      if (!r.ReadVbr(&out[i]))
        return Invalid(s, at, "entry ", i, ": bad or truncated integer");
      if (out[i] >= f_.num_strings())
        return Invalid(s, at, "entry ", i, ": string ", out[i],
                       " out of range (", f_.num_strings(), " strings)");
      if (f_.string(out[i]).empty())
        return Invalid(s, at, "entry ", i, ": empty name");
    }
    if (!r.at_end())
      return Invalid(s, r.position(), r.remaining(),
                     " byte(s) after the last entry");
    return absl::OkStatus();
  }

  absl::Status Attributes() {
    const Section& s = Get(SectionId::kAttributes);
    absl::StatusOr<uint32_t> counted =
        CountedTable(s, kAttributesAlignment, 8, "attribute");
    if (!counted.ok()) return counted.status();
    const uint32_t count = *counted;
    const uint64_t size = s.bytes.size();
    f_.attributes_ = s.bytes;
    f_.attribute_offsets_ = Words(s, 8, count);
    const absl::Span<const uint32_t> offsets = f_.attribute_offsets_;
    uint64_t end = (8 + uint64_t{4} * count + 7) / 8 * 8;
    attribute_depth_.assign(count, 1);
    f_.attribute_sizes_.assign(count, 0);
    // Aggregates may share earlier records, so a small section can describe
    // a huge tree; bounding the total expanded bytes keeps everything that
    // walks attributes (printing, -bef-to-mlir) linear in the file. A tree
    // without sharing never reaches the bound: nesting is <= 64, so no byte
    // is counted more than 64 times.
    const uint64_t max_total = 64 * size + (uint64_t{1} << 20);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t at = offsets[i];
      const uint64_t entry = 8 + 4 * uint64_t{i};
      if (at % 8 != 0 || at < end)
        return Invalid(s, entry, "attribute ", i, " at ", Hex(at),
                       (at % 8 != 0 ? " is not aligned to 8"
                                    : " overlaps the previous record or the "
                                      "offset table"));
      if (size - at < 8 || at > size)
        return Invalid(s, entry, "attribute ", i, " at ", Hex(at),
                       " has no room for its header");
      const uint32_t payload = LoadLe<uint32_t>(s.bytes.data() + at + 4);
      if (payload > size - at - 8)
        return Invalid(s, at + 4, "attribute ", i, ": payload of ", payload,
                       " bytes runs past the section end");
      f_.attribute_sizes_[i] = 8 + uint64_t{payload};
      if (absl::Status st = Attribute(s, i, at, payload); !st.ok()) return st;
      total += f_.attribute_sizes_[i];
      if (total > max_total)
        return Invalid(s, at, "attribute ", i,
                       ": attributes expand to more "
                       "than ",
                       max_total, " bytes in total (records shared too often)");
      end = (at + 8 + payload + 7) / 8 * 8;
    }
    if (end != size)
      return Invalid(s, std::min(end, size), "section has ",
                     size > end ? size - end : end - size,
                     " byte(s) after the last attribute");
    return absl::OkStatus();
  }

  absl::Status Attribute(const Section& s, uint32_t index, uint64_t at,
                         uint32_t payload) {
    const uint8_t* h = s.bytes.data() + at;
    const uint8_t kind = h[0];
    const uint8_t dtype = h[1];
    const uint8_t* p = h + 8;
    auto bad = [&](const auto&... args) {
      return Invalid(s, at, "attribute ", index, " (", AttributeKindName(kind),
                     "): ", args...);
    };
    auto word = [&](size_t i) { return LoadLe<uint64_t>(p + 8 * i); };
    auto check_bools = [&](const uint8_t* data, uint64_t n) -> bool {
      for (uint64_t i = 0; i < n; ++i)
        if (data[i] > 1) return false;
      return true;
    };
    if (kind == 0 || kind > kLastAttributeKind)
      return bad("unknown attribute kind ", int{kind});
    if (kind != static_cast<uint8_t>(AttributeKind::kScalar) &&
        kind != static_cast<uint8_t>(AttributeKind::kArray) &&
        kind != static_cast<uint8_t>(AttributeKind::kDense) && dtype != 0)
      return bad("dtype byte ", int{dtype}, " must be 0 for this kind");
    switch (static_cast<AttributeKind>(kind)) {
      case AttributeKind::kScalar:
        if (!IsScalarDType(dtype))
          return bad("dtype ", int{dtype}, " is not a scalar type");
        if (payload != DTypeSize(dtype))
          return bad("payload of ", payload, " bytes for ",
                     DTypeMlirName(dtype), " (", DTypeSize(dtype),
                     " expected)");
        if (dtype == static_cast<uint8_t>(DType::kI1) && !check_bools(p, 1))
          return bad("i1 value ", int{p[0]}, " is neither 0 nor 1");
        return absl::OkStatus();
      case AttributeKind::kString:
        if (payload < 8 || word(0) != payload - 8)
          return bad("payload of ", payload,
                     " bytes does not match its length field");
        return absl::OkStatus();
      case AttributeKind::kType:
        if (payload != 1 || !IsValidDType(p[0]))
          return bad("payload is not one valid data type byte");
        return absl::OkStatus();
      case AttributeKind::kArray: {
        if (payload < 8) return bad("payload has no element count");
        const uint64_t n = word(0);
        const size_t element_size =
            dtype == kTypeElements ? 1 : DTypeSize(dtype);
        if (dtype == 0 ? n != 0
                       : dtype != kTypeElements && !IsScalarDType(dtype))
          return bad("element type ", int{dtype}, " with ", n,
                     " element(s) is invalid");
        if (dtype != 0 && n > (payload - 8) / element_size)
          return bad(n, " elements do not fit in ", payload - 8, " bytes");
        if (8 + n * element_size != payload)
          return bad("payload of ", payload, " bytes for ", n, " elements");
        if (dtype == static_cast<uint8_t>(DType::kI1) && !check_bools(p + 8, n))
          return bad("i1 element is neither 0 nor 1");
        if (dtype == kTypeElements)
          for (uint64_t i = 0; i < n; ++i)
            if (!IsValidDType(p[8 + i]))
              return bad("element ", i, " is not a data type");
        return absl::OkStatus();
      }
      case AttributeKind::kDense: {
        if (!IsDenseElementDType(dtype))
          return bad("element type ", int{dtype}, " is invalid");
        if (payload < 16) return bad("payload has no rank and count");
        const uint64_t rank = word(0), n = word(1);
        if (rank > kMaxDenseRank)
          return bad("rank ", rank, " exceeds the limit ", kMaxDenseRank);
        if (payload < 16 + 8 * rank)
          return bad("payload of ", payload, " bytes has no room for ", rank,
                     " dimensions");
        uint64_t product = 1;
        for (uint64_t d = 0; d < rank; ++d) {
          const int64_t dim = static_cast<int64_t>(word(2 + d));
          if (dim < 0) return bad("dimension ", d, " is negative (", dim, ")");
          if (dim != 0 && product > (uint64_t{1} << 40) / uint64_t(dim))
            return bad("element count overflows");
          product *= static_cast<uint64_t>(dim);
        }
        if (product != n)
          return bad("element count ", n, " does not match the shape (",
                     product, ")");
        const uint64_t data_at = 16 + 8 * rank;
        if ((payload - data_at) / DTypeSize(dtype) != n ||
            (payload - data_at) % DTypeSize(dtype) != 0)
          return bad("payload of ", payload, " bytes for ", n, " elements of ",
                     DTypeMlirName(dtype));
        if (dtype == static_cast<uint8_t>(DType::kI1) &&
            !check_bools(p + data_at, n))
          return bad("i1 element is neither 0 nor 1");
        return absl::OkStatus();
      }
      case AttributeKind::kShape: {
        if (payload < 8) return bad("payload has no rank");
        const int64_t rank = static_cast<int64_t>(word(0));
        if (rank == -1) {
          if (payload != 8) return bad("unranked shape with dimensions");
          return absl::OkStatus();
        }
        if (rank < 0 || rank > kMaxShapeRank)
          return bad("rank ", rank, " is invalid (limit ", kMaxShapeRank, ")");
        if (payload != 8 + 8 * static_cast<uint64_t>(rank))
          return bad("payload of ", payload, " bytes for rank ", rank);
        for (int64_t d = 0; d < rank; ++d)
          if (static_cast<int64_t>(word(1 + d)) < -1)
            return bad("dimension ", d, " is below -1");
        return absl::OkStatus();
      }
      case AttributeKind::kAggregate:
      case AttributeKind::kSymbolRef: {
        if (payload < 8) return bad("payload has no element count");
        const uint64_t n = word(0);
        if (n > (payload - 8) / 8 || 8 + 8 * n != payload)
          return bad("payload of ", payload, " bytes for ", n, " elements");
        const bool symbol =
            kind == static_cast<uint8_t>(AttributeKind::kSymbolRef);
        if (symbol && n < 2)
          return bad("needs the module text and a root symbol");
        uint32_t depth = 1;
        for (uint64_t e = 0; e < n; ++e) {
          const int64_t rel = static_cast<int64_t>(word(1 + e));
          // Unsigned arithmetic: a hostile offset wraps instead of
          // overflowing, and then matches no record.
          const uint64_t target = at + 8 + static_cast<uint64_t>(rel);
          // Elements are earlier records: the offsets before `index` are
          // sorted, so a binary search finds the one that starts at target.
          const auto begin = f_.attribute_offsets_.begin();
          const auto it = std::lower_bound(
              begin, begin + index, target,
              [](uint32_t off, uint64_t t) { return uint64_t{off} < t; });
          if (it == begin + index || uint64_t{*it} != target)
            return bad("element ", e, " (offset ", rel,
                       ") is not an earlier attribute record");
          const uint32_t element = static_cast<uint32_t>(it - begin);
          if (symbol && f_.attribute(element).kind() != AttributeKind::kString)
            return bad("element ", e, " is not a string");
          depth = std::max(depth, attribute_depth_[element] + 1);
          // Saturates well below overflow; the caller checks the total.
          f_.attribute_sizes_[index] = std::min<uint64_t>(
              f_.attribute_sizes_[index] + f_.attribute_sizes_[element],
              uint64_t{1} << 40);
        }
        if (depth > kMaxNestingDepth)
          return bad("nesting depth exceeds the limit ", kMaxNestingDepth);
        attribute_depth_[index] = depth;
        return absl::OkStatus();
      }
    }
    return bad("unknown attribute kind ", int{kind});
  }

  absl::Status Locations() {
    const Section& s = Get(SectionId::kLocations);
    absl::StatusOr<uint32_t> counted =
        CountedTable(s, kLocationsAlignment, 4, "location");
    if (!counted.ok()) return counted.status();
    const uint32_t count = *counted;
    const uint64_t size = s.bytes.size();
    f_.locations_ = s.bytes;
    f_.location_offsets_ = Words(s, 4, count);
    std::vector<uint8_t> depth(count, 1);  // Capped at 64 + 1.
    // Fused and call-site records may share children: bound the total
    // expansion, as for attributes (a record takes >= 5 bytes, depth <= 64).
    std::vector<uint64_t> expansion(count, 1);
    const uint64_t max_total = 16 * size + 65536;
    uint64_t total = 0;
    uint64_t prev_end = 4 + uint64_t{4} * count;
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t at = f_.location_offsets_[i];
      const uint64_t end = i + 1 < count ? f_.location_offsets_[i + 1] : size;
      if (at != prev_end || end <= at || end > size)
        return Invalid(s, 4 + 4 * uint64_t{i}, "location ", i, " spans [",
                       Hex(at), ", ", Hex(end),
                       "), which does not follow the previous record");
      prev_end = end;
      // Fast path for the common record, a file location: on any doubt the
      // general path below re-reads it and names the problem.
      if (s.bytes[at] == static_cast<uint8_t>(LocationTag::kFile)) {
        ByteReader fast(s.bytes.subspan(at + 1, end - at - 1), 0);
        uint32_t file, line, column;
        if (fast.ReadVbr(&file) && fast.ReadVbr(&line) &&
            fast.ReadVbr(&column) && fast.at_end() && file < f_.num_strings()) {
          ++total;
          continue;
        }
      }
      ByteReader r(s.bytes.subspan(at, end - at), s.offset + at);
      auto bad = [&](const auto&... args) {
        return Invalid(s, r.offset() - s.offset, "location ", i, ": ", args...);
      };
      auto child = [&](uint32_t* c) -> absl::Status {
        if (!r.ReadVbr(c)) return bad("bad or truncated integer");
        if (*c >= i) return bad("child ", *c, " is not an earlier location");
        depth[i] = static_cast<uint8_t>(std::max<int>(depth[i], depth[*c] + 1));
        expansion[i] =
            std::min<uint64_t>(expansion[i] + expansion[*c], uint64_t{1} << 40);
        return absl::OkStatus();
      };
      uint8_t tag;
      uint32_t a, b, c;
      r.ReadU8(&tag);
      switch (static_cast<LocationTag>(tag)) {
        case LocationTag::kUnknown:
          break;
        case LocationTag::kFile:
          if (!r.ReadVbr(&a) || !r.ReadVbr(&b) || !r.ReadVbr(&c))
            return bad("bad or truncated file location");
          if (a >= f_.num_strings())
            return bad("file string ", a, " out of range");
          break;
        case LocationTag::kName:
          if (!r.ReadVbr(&a)) return bad("bad or truncated name");
          if (a >= f_.num_strings())
            return bad("name string ", a, " out of range");
          if (absl::Status st = child(&b); !st.ok()) return st;
          break;
        case LocationTag::kCallSite:
          if (absl::Status st = child(&a); !st.ok()) return st;
          if (absl::Status st = child(&b); !st.ok()) return st;
          break;
        case LocationTag::kFused:
          if (!r.ReadVbr(&a)) return bad("bad or truncated part count");
          if (a > r.remaining())
            return bad(a, " parts do not fit in the record");
          for (uint32_t p = 0; p < a; ++p)
            if (absl::Status st = child(&b); !st.ok()) return st;
          break;
        default:
          return Invalid(s, at, "location ", i, ": unknown tag ", int{tag});
      }
      if (!r.at_end()) return bad(r.remaining(), " byte(s) after the record");
      if (depth[i] > kMaxNestingDepth)
        return bad("nesting depth exceeds the limit ", kMaxNestingDepth);
      total += expansion[i];
      if (total > max_total)
        return bad("locations expand to more than ", max_total,
                   " records in total (records shared too often)");
    }
    if (prev_end != size)
      return Invalid(s, prev_end, "bytes after the last location");
    location_used_.assign(count, false);
    return absl::OkStatus();
  }

  absl::Status FunctionIndex() {
    const Section& s = Get(SectionId::kFunctionIndex);
    ByteReader r(s.bytes, s.offset);
    uint32_t count;
    if (!r.ReadVbr(&count)) return Invalid(s, 0, "bad or missing count");
    // Each entry takes at least 5 bytes; this bounds the allocation.
    if (count > r.remaining() / 5)
      return Invalid(s, 0, "function count ", count, " exceeds what the ",
                     r.remaining(), " remaining bytes can hold");
    f_.functions_.resize(count);
    body_offsets_.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
      FunctionInfo& fn = f_.functions_[i];
      const uint64_t at = r.position();
      auto bad = [&](const auto&... args) {
        return Invalid(s, at, "function ", i, ": ", args...);
      };
      uint8_t kind;
      uint32_t name, n;
      if (!r.ReadU8(&kind) || !r.ReadVbr(&name) ||
          !r.ReadVbr(&body_offsets_[i]))
        return bad("truncated entry");
      if (kind > static_cast<uint8_t>(FunctionKind::kNative))
        return bad("unknown kind ", int{kind});
      fn.kind = static_cast<FunctionKind>(kind);
      if (name >= f_.num_strings())
        return bad("name string ", name, " out of range");
      fn.name = f_.string(name);
      if (fn.kind == FunctionKind::kNative) {
        if (fn.name.empty()) return bad("native function without a name");
        if (body_offsets_[i] != 0) return bad("native function with a body");
      }
      for (auto* types : {&fn.argument_types, &fn.result_types}) {
        if (!r.ReadVbr(&n) || n > r.remaining()) return bad("bad type count");
        types->resize(n);
        for (uint32_t& t : *types) {
          if (!r.ReadVbr(&t)) return bad("truncated type list");
          if (t >= f_.num_types()) return bad("type ", t, " out of range");
        }
      }
      if (!fn.name.empty() &&
          !f_.function_by_name_.try_emplace(fn.name, i).second)
        return bad("name '", fn.name, "' is also function ",
                   f_.function_by_name_[fn.name]);
    }
    if (!r.at_end())
      return Invalid(s, r.position(), r.remaining(),
                     " byte(s) after the last function");
    return absl::OkStatus();
  }

  absl::Status Bodies() {
    const Section& s = Get(SectionId::kFunctions);
    if (absl::Status st = Aligned(s, kFunctionsAlignment); !st.ok()) return st;
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < f_.functions_.size(); ++i) {
      FunctionInfo& fn = f_.functions_[i];
      if (fn.kind == FunctionKind::kNative) continue;
      const uint64_t at = body_offsets_[i];
      if (at % 4 != 0 || at < prev_end || at > s.bytes.size() ||
          s.bytes.size() - at < 4 * kBodyHeaderWords)
        return Invalid(s, std::min<uint64_t>(at, s.bytes.size()), "function ",
                       i, ": body offset ", Hex(at),
                       " is unaligned, overlaps the previous body or leaves "
                       "no room for a header");
      const uint32_t* w =
          reinterpret_cast<const uint32_t*>(s.bytes.data() + at);
      const uint64_t words = uint64_t{kBodyHeaderWords} + w[0] + w[2] +
                             uint64_t{kKernelTableEntryWords} * w[1] + w[3];
      if (words > (s.bytes.size() - at) / 4)
        return Invalid(s, at, "function ", i, ": body of ", words,
                       " words runs past the section end");
      fn.body = FunctionBody(w);
      if (absl::Status st = Body(s, i, at, w); !st.ok()) return st;
      prev_end = at + 4 * words;
    }
    if (prev_end != s.bytes.size())
      return Invalid(s, prev_end, s.bytes.size() - prev_end,
                     " byte(s) after the last body");
    return absl::OkStatus();
  }

  std::string FunctionName(uint32_t i) const {
    const FunctionInfo& fn = f_.functions_[i];
    return fn.name.empty() ? absl::StrCat("function ", i, " (region)")
                           : absl::StrCat("function ", i, " (@", fn.name, ")");
  }

  absl::Status Body(const Section& s, uint32_t fi, uint64_t at,
                    const uint32_t* w) {
    const FunctionInfo& fn = f_.functions_[fi];
    const uint32_t num_registers = w[0], num_kernels = w[1], num_results = w[2],
                   area_words = w[3];
    const uint32_t* use_counts = w + kBodyHeaderWords;
    const uint32_t* results = use_counts + num_registers;
    const uint32_t* table = results + num_results;
    const uint32_t* area =
        table + uint64_t{kKernelTableEntryWords} * num_kernels;
    auto word_at = [&](const uint32_t* p) {
      return at + 4 * static_cast<uint64_t>(p - w);
    };
    auto bad = [&](const uint32_t* p, const auto&... args) {
      return Invalid(s, word_at(p), FunctionName(fi), ": ", args...);
    };
    if (num_kernels == 0) return bad(w + 1, "no entry kernel");
    if (num_results != fn.result_types.size())
      return bad(w + 2, num_results, " result registers for ",
                 fn.result_types.size(), " declared results");
    for (uint32_t i = 0; i < num_results; ++i)
      if (results[i] >= num_registers)
        return bad(results + i, "result ", i, " register ", results[i],
                   " out of range (", num_registers, " registers)");

    // One forward pass over the kernels checks everything, including the
    // used-by lists (host_dialect.md §6.1): a register's list holds its uses
    // newest first, so visiting uses in ascending (kernel, operand) order
    // must consume the list exactly from its end backwards. The start
    // signal's list is in program order and is consumed from the front.
    regs_.assign(num_registers, Register{});
    for (uint32_t i = 0; i < num_results; ++i) ++regs_[results[i]].returns;
    uint64_t start_next = 0, start_end = 0;  // The start signal's list.
    uint64_t expected_at = 0;
    for (uint32_t k = 0; k < num_kernels; ++k) {
      const uint32_t* entry = table + uint64_t{kKernelTableEntryWords} * k;
      // Builds its message only on failure: the success path allocates
      // nothing per kernel.
      auto kbad = [&](const uint32_t* p, const auto&... args) {
        return bad(p, "kernel ", k, ": ", args...);
      };
      if (entry[0] != expected_at)
        return kbad(entry, "record offset ", entry[0], " words, expected ",
                    expected_at, " (records are contiguous)");
      if (area_words - expected_at < kKernelHeaderWords)
        return kbad(entry, "record header runs past the body end");
      const uint32_t* kw = area + expected_at;
      const uint32_t nops = kw[4], nattrs = kw[5], nfuncs = kw[6], nres = kw[7];
      const uint64_t room = area_words - expected_at - kKernelHeaderWords;
      const uint64_t fixed =
          uint64_t{nops} + nattrs + nfuncs + 2 * uint64_t{nres};
      if (fixed > room)
        return kbad(kw + 4, "counts (", nops, " operands, ", nattrs,
                    " attributes, ", nfuncs, " functions, ", nres,
                    " results) run past the body end");
      const uint32_t* num_used_by = kw + kKernelHeaderWords;
      uint64_t total_used_by = 0;
      for (uint32_t j = 0; j < nres; ++j) total_used_by += num_used_by[j];
      if (total_used_by > room - fixed)
        return kbad(num_used_by, "used-by lists run past the body end");
      const uint32_t* operands = num_used_by + nres;
      const uint32_t* attrs = operands + nops;
      const uint32_t* funcs = attrs + nattrs;
      const uint32_t* res = funcs + nfuncs;
      uint64_t list_at = expected_at + kKernelHeaderWords + fixed;
      expected_at += kKernelHeaderWords + fixed + total_used_by;
      Prefetch(area, area_words, expected_at, num_registers);

      if (k == 0) {
        if (kw[0] != kEntryKernelCode || kw[1] != kNoLocation || nops != 0 ||
            nattrs != 0 || nfuncs != 0)
          return kbad(kw,
                      "the entry kernel must have code and location "
                      "0xffffffff and no operands, attributes or "
                      "functions");
        if (nres != fn.argument_types.size() + 1)
          return kbad(kw + 7, nres, " results for ", fn.argument_types.size(),
                      " arguments (expected ", fn.argument_types.size() + 1,
                      ")");
        if (res[0] != kStartSignalRegister)
          return kbad(res, "result 0 must be the start signal 0xffffffff");
        if (entry[1] != 0)
          return kbad(entry + 1, "entry ready count must be 0");
        start_next = list_at;
        start_end = list_at + num_used_by[0];
        list_at = start_end;
      } else {
        if (kw[0] >= f_.num_kernel_names())
          return kbad(kw, "kernel name ", kw[0], " out of range (",
                      f_.num_kernel_names(), " names)");
        if (kw[1] != kNoLocation) {
          if (kw[1] >= f_.num_locations())
            return kbad(kw + 1, "location ", kw[1], " out of range (",
                        f_.num_locations(), " locations)");
          if (location_used_[kw[1]])
            return kbad(kw + 1, "location ", kw[1],
                        " is already the location of another kernel");
          location_used_[kw[1]] = true;
        }
        const uint32_t ready = std::max<uint32_t>(1, nops);
        if (entry[1] != ready)
          return kbad(entry + 1, "ready count ", entry[1], ", expected ",
                      ready);
        for (uint32_t i = 0; i < nops; ++i) {
          const uint32_t r = operands[i];
          if (r >= num_registers)
            return kbad(operands + i, "operand ", i, " register ", r,
                        " out of range (", num_registers, " registers)");
          Register& reg = regs_[r];
          if (reg.definer == kUndefined)
            return kbad(operands + i, "operand ", i, " register ", r,
                        " is used before it is defined");
          if (reg.next_user == reg.first_user)
            return kbad(operands + i, "operand ", i, " uses register ", r,
                        ", whose used-by list (kernel ", reg.definer,
                        ") has fewer entries than uses");
          const uint32_t* user = area + --reg.next_user;
          if (*user != k)
            return bad(user, "kernel ", reg.definer, " lists kernel ", *user,
                       " as user ", reg.next_user - reg.first_user,
                       " of register ", r, ", expected kernel ", k,
                       " (used-by lists are in scheduling order)");
        }
        if (nops == 0) {
          if (start_next == start_end)
            return kbad(kw + 4,
                        "has no operands but the start signal's "
                        "used-by list does not list it");
          const uint32_t* user = area + start_next++;
          if (*user != k)
            return bad(user, "the start signal lists kernel ", *user,
                       ", expected kernel ", k,
                       " (used-by lists are in scheduling order)");
        }
        for (uint32_t i = 0; i < nattrs; ++i)
          if (attrs[i] >= f_.num_attributes())
            return kbad(attrs + i, "attribute ", attrs[i], " out of range (",
                        f_.num_attributes(), " attributes)");
        for (uint32_t i = 0; i < nfuncs; ++i) {
          const uint32_t g = funcs[i];
          if (g >= f_.functions_.size())
            return kbad(funcs + i, "function operand ", g, " out of range (",
                        f_.functions_.size(), " functions)");
          FunctionInfo& callee = f_.functions_[g];
          if (!callee.name.empty()) continue;
          if (g >= fi)
            return kbad(funcs + i, "region function ", g,
                        " must come before the function that holds it");
          if (callee.parent_function != FunctionInfo::kNoParent)
            return kbad(funcs + i, "region function ", g,
                        " is already a region of function ",
                        callee.parent_function, " kernel ",
                        callee.parent_kernel);
          callee.parent_function = fi;
          callee.parent_kernel = k;
        }
      }
      if (entry[2] > num_kernels)
        return kbad(entry + 2, "stream id ", entry[2], " exceeds ", num_kernels,
                    " (the most streams a body can have)");
      for (uint32_t i = (k == 0 ? 1 : 0); i < nres; ++i) {
        const uint32_t r = res[i];
        if (r >= num_registers)
          return kbad(res + i, "result ", i, " register ", r, " out of range (",
                      num_registers, " registers)");
        Register& reg = regs_[r];
        if (reg.definer != kUndefined)
          return kbad(res + i, "result ", i, " register ", r,
                      " is already defined by kernel ", reg.definer);
        reg.definer = k;
        reg.first_user = static_cast<uint32_t>(list_at);
        list_at += num_used_by[i];
        reg.next_user = static_cast<uint32_t>(list_at);
        if (use_counts[r] != uint64_t{num_used_by[i]} + reg.returns)
          return bad(use_counts + r, "register ", r, " use count ",
                     use_counts[r], ", expected ",
                     uint64_t{num_used_by[i]} + reg.returns);
      }
    }
    if (expected_at != area_words)
      return bad(area + expected_at, area_words - expected_at,
                 " word(s) after the last kernel record");
    if (start_next != start_end)
      return bad(area + start_next, "the start signal lists kernel ",
                 area[start_next],
                 ", which is not an operand-less kernel "
                 "in program order");
    for (uint32_t r = 0; r < num_registers; ++r) {
      const Register& reg = regs_[r];
      if (reg.definer == kUndefined)
        return bad(w, "register ", r, " is never defined");
      if (reg.next_user != reg.first_user)
        return bad(area + reg.next_user - 1, "kernel ", reg.definer,
                   " lists kernel ", area[reg.next_user - 1], " as user ",
                   reg.next_user - 1 - reg.first_user, " of register ", r,
                   ", which has fewer uses");
    }
    if (fn.kind == FunctionKind::kSync) {
      std::vector<bool> returned(num_registers);
      for (uint32_t i = 0; i < num_results; ++i) {
        if (regs_[results[i]].definer == 0)
          return bad(results + i, "return value ", i,
                     " is an argument in a sync function");
        if (returned[results[i]])
          return bad(results + i, "return value ", i,
                     " is duplicated in a sync function");
        returned[results[i]] = true;
      }
    }
    return absl::OkStatus();
  }

  absl::Status RegionTree() {
    const size_t n = f_.functions_.size();
    std::vector<uint32_t> depth(n, 0);
    for (size_t i = n; i-- > 0;) {
      const FunctionInfo& fn = f_.functions_[i];
      if (!fn.name.empty()) continue;
      if (fn.parent_function == FunctionInfo::kNoParent)
        return absl::InvalidArgumentError(
            absl::StrCat("bef: function index: region function ", i,
                         " is not the function operand of any kernel"));
      depth[i] = depth[fn.parent_function] + 1;
      if (depth[i] > kMaxNestingDepth)
        return absl::InvalidArgumentError(absl::StrCat(
            "bef: function index: region function ", i, " is nested ", depth[i],
            " deep; the limit is ", kMaxNestingDepth));
    }
    return absl::OkStatus();
  }

  // Runs `parse(reader, bad)` over optional section `id` when the file has
  // it; `bad(...)` builds an error at the reader's position.
  template <typename Parse>
  absl::Status OptionalSection(SectionId id, Parse&& parse) {
    const Section* found = f_.container_.Find(id);
    if (found == nullptr) return absl::OkStatus();
    ByteReader r(found->bytes, found->offset);
    auto bad = [&](const auto&... args) {
      return Invalid(*found, r.position(), args...);
    };
    return parse(r, bad);
  }

  absl::Status DebugNames() {
    return OptionalSection(
        SectionId::kDebugNames,
        [&](ByteReader& r, auto& bad) { return ParseDebugNames(r, bad); });
  }

  template <typename Bad>
  absl::Status ParseDebugNames(ByteReader& r, Bad& bad) {
    uint32_t n;
    if (!r.ReadVbr(&n) || n != f_.functions_.size())
      return bad("function count does not match the function index (",
                 f_.functions_.size(), ")");
    std::vector<FunctionDebugNames> names(n);
    for (uint32_t i = 0; i < n; ++i) {
      const FunctionInfo& fn = f_.functions_[i];
      const bool native = fn.kind == FunctionKind::kNative;
      const uint32_t num_registers = native ? 0 : fn.body.num_registers();
      const uint32_t num_kernels = native ? 0 : fn.body.num_kernels();
      uint32_t count;
      if (!r.ReadVbr(&count) || count != num_registers)
        return bad("function ", i, ": register count does not match its body (",
                   num_registers, ")");
      names[i].register_types.resize(count);
      for (uint32_t& t : names[i].register_types) {
        if (!r.ReadVbr(&t) || t > f_.num_types())
          return bad("function ", i, ": bad register type");
        t = t == 0 ? FunctionDebugNames::kUnknownType : t - 1;
      }
      if (!r.ReadVbr(&count) || count != num_kernels)
        return bad("function ", i, ": kernel count does not match its body (",
                   num_kernels, ")");
      names[i].attribute_names.resize(count);
      names[i].function_names.resize(count);
      for (uint32_t k = 0; k < count; ++k) {
        const KernelView kv = fn.body.kernel(k);
        for (int list = 0; list < 2; ++list) {
          const size_t expected =
              list == 0 ? kv.attributes().size() : kv.functions().size();
          auto& out = list == 0 ? names[i].attribute_names[k]
                                : names[i].function_names[k];
          uint32_t m;
          if (!r.ReadVbr(&m) || (m != 0 && m != expected))
            return bad("function ", i, " kernel ", k, ": ",
                       list == 0 ? "attribute" : "function",
                       " name count is neither 0 nor ", expected);
          out.resize(m);
          for (uint32_t& str : out)
            if (!r.ReadVbr(&str) || str >= f_.num_strings())
              return bad("function ", i, " kernel ", k, ": bad name string");
        }
      }
    }
    if (!r.at_end()) return bad(r.remaining(), " byte(s) after the last entry");
    f_.debug_names_ = std::move(names);
    f_.has_debug_names_ = true;
    return absl::OkStatus();
  }

  absl::Status CompiledModules() {
    return OptionalSection(
        SectionId::kCompiledModules,
        [&](ByteReader& r, auto& bad) { return ParseCompiledModules(r, bad); });
  }

  template <typename Bad>
  absl::Status ParseCompiledModules(ByteReader& r, Bad& bad) {
    uint32_t n;
    // Each entry takes at least two bytes.
    if (!r.ReadVbr(&n) || n > r.remaining() / 2)
      return bad("module count exceeds the section");
    std::vector<BefFile::CompiledModule> modules;
    modules.reserve(n);
    absl::flat_hash_set<absl::string_view> names;
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t name, text;
      if (!r.ReadVbr(&name) || name >= f_.num_strings() || !r.ReadVbr(&text) ||
          text >= f_.num_strings())
        return bad("module ", i, ": bad string index");
      const absl::string_view module_name = f_.string(name);
      if (module_name.empty()) return bad("module ", i, ": empty name");
      if (!names.insert(module_name).second)
        return bad("module ", i, ": duplicate name @", module_name);
      modules.push_back({module_name, f_.string(text)});
    }
    if (!r.at_end()) return bad(r.remaining(), " byte(s) after the last entry");
    f_.compiled_modules_ = std::move(modules);
    return absl::OkStatus();
  }

  BefFile& f_;
  std::vector<uint32_t> attribute_depth_;
  std::vector<bool> location_used_;
  std::vector<uint32_t> body_offsets_;
  // Per-body scratch, reused across functions.
  // Long dataflow edges make the operand checks two dependent cache misses
  // (the register's state, then the producer's used-by word). Prefetching
  // the next kernel's operands while this one is checked overlaps them.
  void Prefetch(const uint32_t* area, uint64_t area_words, uint64_t next_at,
                uint32_t num_registers) const {
    if (area_words - next_at < kKernelHeaderWords) return;
    const uint32_t* kw = area + next_at;
    const uint64_t ops_at = next_at + kKernelHeaderWords + uint64_t{kw[7]};
    const uint64_t nops = std::min<uint64_t>(kw[4], 4);
    if (ops_at > area_words || area_words - ops_at < nops) return;
    for (uint64_t i = 0; i < nops; ++i) {
      const uint32_t r = area[ops_at + i];
      if (r >= num_registers) continue;
      const Register& reg = regs_[r];
      __builtin_prefetch(&reg);
      // Reads a possibly stale cursor; a wrong guess only wastes a prefetch.
      if (reg.next_user > 0 && reg.next_user <= area_words)
        __builtin_prefetch(area + reg.next_user - 1);
    }
  }

  struct Register {
    uint32_t definer = kUndefined;  // The kernel whose result it is.
    uint32_t first_user = 0;  // Its used-by list: area words [first, next).
    uint32_t next_user = 0;   // Entries not yet matched to a use.
    uint32_t returns = 0;     // Occurrences among the result registers.
  };
  std::vector<Register> regs_;
};

// ---------------------------------------------------------------------------
// BefFile.

absl::StatusOr<std::unique_ptr<BefFile>> BefFile::Create(
    std::unique_ptr<BefFile> file) {
  if (reinterpret_cast<uintptr_t>(file->bytes_.data()) % 8 != 0)
    return absl::InvalidArgumentError(
        "bef: the buffer is not aligned to 8 bytes");
  absl::StatusOr<BefContainer> container = BefContainer::Parse(file->bytes_);
  if (!container.ok()) return container.status();
  file->container_ = *std::move(container);
  if (absl::Status s = Verifier(*file).Run(); !s.ok()) return s;
  return file;
}

absl::StatusOr<std::unique_ptr<BefFile>> BefFile::FromBuffer(
    absl::Span<const uint8_t> bytes) {
  std::unique_ptr<BefFile> file(new BefFile());
  file->bytes_ = bytes;
  return Create(std::move(file));
}

absl::StatusOr<std::unique_ptr<BefFile>> BefFile::FromCopy(
    absl::Span<const uint8_t> bytes) {
  std::unique_ptr<BefFile> file(new BefFile());
  file->owned_.reset(new uint64_t[(bytes.size() + 7) / 8]);
  if (!bytes.empty())
    std::memcpy(file->owned_.get(), bytes.data(), bytes.size());
  file->bytes_ = {reinterpret_cast<const uint8_t*>(file->owned_.get()),
                  bytes.size()};
  return Create(std::move(file));
}

absl::StatusOr<std::unique_ptr<BefFile>> BefFile::Open(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::NotFoundError(
        absl::StrCat("bef: cannot open '", path, "': ", std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("bef: '", path, "' is not a regular file",
                     err != 0 ? absl::StrCat(": ", std::strerror(err)) : ""));
  }
  std::unique_ptr<BefFile> file(new BefFile());
  if (st.st_size > 0) {
    void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                       MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("bef: cannot map '", path, "': ", std::strerror(err)));
    }
    file->mapping_ = map;
    file->mapping_size_ = static_cast<size_t>(st.st_size);
    file->bytes_ = {static_cast<const uint8_t*>(map), file->mapping_size_};
  }
  ::close(fd);
  absl::StatusOr<std::unique_ptr<BefFile>> result = Create(std::move(file));
  if (!result.ok())
    return absl::Status(result.status().code(),
                        absl::StrCat(path, ": ", result.status().message()));
  return result;
}

BefFile::~BefFile() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_size_);
}

absl::string_view BefFile::string(uint32_t index) const {
  const uint32_t begin = index == 0 ? 0 : string_ends_[index - 1];
  return {string_blob_ + begin, string_ends_[index] - begin};
}

std::optional<uint32_t> BefFile::FindFunction(absl::string_view name) const {
  auto it = function_by_name_.find(name);
  if (it == function_by_name_.end()) return std::nullopt;
  return it->second;
}

LocationRecord BefFile::location(uint32_t index) const {
  const uint32_t at = location_offsets_[index];
  const uint32_t end = index + 1 < location_offsets_.size()
                           ? location_offsets_[index + 1]
                           : static_cast<uint32_t>(locations_.size());
  ByteReader r(locations_.subspan(at, end - at), 0);
  LocationRecord rec;
  uint8_t tag = 0;
  r.ReadU8(&tag);
  rec.tag = static_cast<LocationTag>(tag);
  uint32_t a = 0, b = 0;
  switch (rec.tag) {
    case LocationTag::kUnknown:
      break;
    case LocationTag::kFile:
      r.ReadVbr(&rec.string);
      r.ReadVbr(&rec.line);
      r.ReadVbr(&rec.column);
      break;
    case LocationTag::kName:
      r.ReadVbr(&rec.string);
      r.ReadVbr(&a);
      rec.children = {a};
      break;
    case LocationTag::kCallSite:
      r.ReadVbr(&a);
      r.ReadVbr(&b);
      rec.children = {a, b};
      break;
    case LocationTag::kFused:
      r.ReadVbr(&a);
      rec.children.resize(a);
      for (uint32_t& c : rec.children) r.ReadVbr(&c);
      break;
  }
  return rec;
}

std::string BefFile::LocationText(uint32_t index) const {
  const LocationRecord rec = location(index);
  switch (rec.tag) {
    case LocationTag::kUnknown:
      return "(unknown)";
    case LocationTag::kFile:
      return absl::StrCat(string(rec.string), ";", rec.line, ";", rec.column);
    case LocationTag::kName: {
      const LocationRecord child = location(rec.children[0]);
      if (child.tag == LocationTag::kUnknown)
        return std::string(string(rec.string));
      return absl::StrCat(LocationText(rec.children[0]), "(",
                          string(rec.string), ")");
    }
    case LocationTag::kCallSite:
      return absl::StrCat(LocationText(rec.children[0]), "<-",
                          LocationText(rec.children[1]));
    case LocationTag::kFused: {
      std::vector<std::string> parts;
      for (uint32_t c : rec.children) parts.push_back(LocationText(c));
      return absl::StrJoin(parts, ",");
    }
  }
  return "(unknown)";
}

std::optional<std::string> BefFile::LocationDebugInfo(uint32_t index) const {
  const LocationRecord rec = location(index);
  switch (rec.tag) {
    case LocationTag::kName:
      return std::string(string(rec.string));
    case LocationTag::kFused: {
      std::string names;
      for (uint32_t c : rec.children) {
        const LocationRecord child = location(c);
        if (child.tag == LocationTag::kName)
          absl::StrAppend(&names, string(child.string));
      }
      return names;
    }
    case LocationTag::kCallSite: {
      const LocationRecord callee = location(rec.children[0]);
      if (callee.tag == LocationTag::kName)
        return std::string(string(callee.string));
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace bef
}  // namespace rill
