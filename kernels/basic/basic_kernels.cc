#include "kernels/basic/basic_kernels.h"

#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "absl/strings/str_format.h"
#include "host_runtime/chain.h"
#include "host_runtime/kernel_utils.h"
#include "host_runtime/logging.h"

namespace rill {
namespace {

// ---- §11.1 Constants: the `value` attribute, available at once.
template <typename T>
T Constant(Attribute<T> value) {
  return *value;
}

// i1 is stored as one byte; any non-zero byte is true.
bool ConstantI1(Attribute<uint8_t> value) { return *value != 0; }

// ---- §11.2 Chains. merge.chains is strict: the adaptor turns an error
// operand into the result before this runs.
Chain NewChain() { return Chain(); }
Chain MergeChains(RemainingArguments) { return Chain(); }

// ---- §11.3 Integer arithmetic: two's-complement wrapping, computed on the
// unsigned type so overflow is defined.
template <typename T>
T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T>
T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T>
T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

// Quotient truncated toward zero and remainder with the dividend's sign;
// both results become the error `Divide by zero` when b = 0. MIN / -1 wraps
// to MIN with remainder 0 (two's complement) instead of trapping.
template <typename T>
void DivInt(T a, T b, Result<T> quotient, Result<T> remainder,
            KernelErrorHandler handler) {
  if (b == 0) return handler.ReportError("Divide by zero");
  if (b == -1) {
    quotient.Emplace(WrapSub<T>(0, a));
    remainder.Emplace(0);
    return;
  }
  quotient.Emplace(a / b);
  remainder.Emplace(a % b);
}

template <typename T>
bool Equal(T a, T b) {
  return a == b;
}
template <typename T>
bool LessEqual(T a, T b) {
  return a <= b;
}
bool AndI1(bool a, bool b) { return a && b; }

// ---- §11.4 Floating point (IEEE, exactly as C++ float/double) and casts.
template <typename T>
T AddF(T a, T b) {
  return a + b;
}
template <typename T>
T MinimumF(T a, T b) {
  return b < a ? b : a;
}
template <typename T>
T MultiplyF(T a, T b) {
  return a * b;
}
template <typename T>
absl::StatusOr<T> DivF(T a, T b) {
  if (b == 0) return absl::InternalError("Divide by zero");
  return a / b;
}
template <typename To>
To CastI64ToFloat(int64_t value) {
  return static_cast<To>(value);
}
// Truncation toward zero (255.99997 -> 255). Out-of-range values saturate and
// NaN becomes 0: a plain cast would be undefined behaviour.
template <typename From>
int64_t CastFloatToI64(From value) {
  if (std::isnan(value)) return 0;
  if (value >= static_cast<From>(std::numeric_limits<int64_t>::max()))
    return std::numeric_limits<int64_t>::max();
  if (value <= static_cast<From>(std::numeric_limits<int64_t>::min()))
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

// ---- §11.5 Printing: one line per call, written atomically (§7.3). The
// trailing chain operand is the adaptor's tolerated extra argument; the
// result chain is available once the line is written.
Chain PrintI1(bool value) {
  PrintAtomically(value ? "int1 = 1\n" : "int1 = 0\n");
  return Chain();
}
Chain PrintI32(int32_t value) {
  PrintAtomically(absl::StrFormat("int32 = %d\n", value));
  return Chain();
}
Chain PrintI64(int64_t value) {
  PrintAtomically(absl::StrFormat("int64 = %d\n", value));
  return Chain();
}
Chain PrintF32(float value) {
  PrintAtomically(absl::StrFormat("f32 = %f\n", value));
  return Chain();
}
Chain PrintF64(double value) {
  PrintAtomically(absl::StrFormat("f64 = %f\n", value));
  return Chain();
}

absl::Status RegisterAll(KernelRegistry* registry) {
  const KernelRegistry::Entry entries[] = {
      {"tfrt.constant.i1", RILL_KERNEL(ConstantI1)},
      {"tfrt.constant.i32", RILL_KERNEL(Constant<int32_t>)},
      {"tfrt.constant.i64", RILL_KERNEL(Constant<int64_t>)},
      {"tfrt.constant.ui32", RILL_KERNEL(Constant<uint32_t>)},
      {"tfrt.constant.ui64", RILL_KERNEL(Constant<uint64_t>)},
      {"tfrt.constant.f32", RILL_KERNEL(Constant<float>)},
      {"tfrt.constant.f64", RILL_KERNEL(Constant<double>)},
      {"tfrt.new.chain", RILL_KERNEL(NewChain)},
      {"tfrt.merge.chains", RILL_KERNEL(MergeChains)},
      {"tfrt.add.i32", RILL_KERNEL(WrapAdd<int32_t>)},
      {"tfrt.add.i64", RILL_KERNEL(WrapAdd<int64_t>)},
      {"tfrt.minus.i32", RILL_KERNEL(WrapSub<int32_t>)},
      {"tfrt.minus.i64", RILL_KERNEL(WrapSub<int64_t>)},
      {"tfrt.mul.i32", RILL_KERNEL(WrapMul<int32_t>)},
      {"tfrt.mul.i64", RILL_KERNEL(WrapMul<int64_t>)},
      {"tfrt.div.i32", RILL_KERNEL(DivInt<int32_t>)},
      {"tfrt.div.i64", RILL_KERNEL(DivInt<int64_t>)},
      {"tfrt.equal.i32", RILL_KERNEL(Equal<int32_t>)},
      {"tfrt.equal.i64", RILL_KERNEL(Equal<int64_t>)},
      {"tfrt.lessequal.i32", RILL_KERNEL(LessEqual<int32_t>)},
      {"tfrt.lessequal.i64", RILL_KERNEL(LessEqual<int64_t>)},
      {"tfrt.and.i1", RILL_KERNEL(AndI1)},
      {"tfrt.add.f32", RILL_KERNEL(AddF<float>)},
      {"tfrt.add.f64", RILL_KERNEL(AddF<double>)},
      {"tfrt.minimum.f32", RILL_KERNEL(MinimumF<float>)},
      {"tfrt.minimum.f64", RILL_KERNEL(MinimumF<double>)},
      {"tfrt.multiply.f32", RILL_KERNEL(MultiplyF<float>)},
      {"tfrt.multiply.f64", RILL_KERNEL(MultiplyF<double>)},
      {"tfrt.div.f32", RILL_KERNEL(DivF<float>)},
      {"tfrt.div.f64", RILL_KERNEL(DivF<double>)},
      {"tfrt.cast.i64_to_f32", RILL_KERNEL(CastI64ToFloat<float>)},
      {"tfrt.cast.i64_to_f64", RILL_KERNEL(CastI64ToFloat<double>)},
      {"tfrt.cast.f32_to_i64", RILL_KERNEL(CastFloatToI64<float>)},
      {"tfrt.cast.f64_to_i64", RILL_KERNEL(CastFloatToI64<double>)},
      {"tfrt.print.i1", RILL_KERNEL(PrintI1)},
      {"tfrt.print.i32", RILL_KERNEL(PrintI32)},
      {"tfrt.print.i64", RILL_KERNEL(PrintI64)},
      {"tfrt.print.f32", RILL_KERNEL(PrintF32)},
      {"tfrt.print.f64", RILL_KERNEL(PrintF64)},
  };
  return registry->AddKernels(entries);
}

}  // namespace

absl::Status RegisterBasicKernels(KernelRegistry* registry) {
  return RegisterAll(registry);
}

RILL_STATIC_KERNEL_REGISTRATION(RegisterBasicKernels);

}  // namespace rill
