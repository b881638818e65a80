// Declares the typed kernel adaptor: `RILL_KERNEL(fn)` turns a plain C++
// function into an AsyncKernelImplementation, so kernels are written as
//
//   int32_t AddI32(int32_t a, int32_t b) { return a + b; }
//   registry->AddKernel("tfrt.add.i32", RILL_KERNEL(AddI32));
//
// Parameter kinds, in this order: arguments, then results, then attributes;
// context parameters
// (`const ExecutionContext&`, `KernelErrorHandler`, `AsyncKernelFrame*`) may
// appear anywhere.
//   T, const T&          an argument's payload (the argument must be concrete
//   and of type T) Argument<T>          an argument as a borrowed async value
//   (may be unavailable) RemainingArguments   all remaining arguments Result<T>
//   a result slot RemainingResults     all remaining result slots Attribute<T>,
//   ArrayAttribute<T>, StringAttribute   attributes (attribute.h)
// Return types: void, T (one result, moved in exactly once), Chain,
// absl::Status (no result; an error is reported), absl::StatusOr<T>,
// AsyncValueRef<T>, RCReference<AsyncValue>, std::pair and std::tuple of those
// value kinds. A function may return results or take Result<> parameters, not
// both.
//
// The adaptor checks, before calling the function, that the frame has the
// numbers of arguments, results and attributes the signature needs (a kernel
// may be given one extra trailing Chain argument, TFRT's convention), and that
// each payload argument is a concrete T. A mismatch is reported as a kernel
// error, never undefined behaviour — programs name kernels by string, so a
// wrong arity is bad input, not a bug. If any argument is an error, the last
// one becomes every result without calling the function (spec §5.2).
//
// A function whose parameters are all payload arguments (T, const T&) or
// attributes and that returns one plain value T also gets a direct entry
// (KernelDefinition in kernel_registry.h): the executor calls it with the
// arguments and attribute storage alone, without a frame, when the kernel has
// exactly those. It runs the function only if every argument is a concrete
// value of its type, and returns null otherwise, so the frame entry reports
// the same errors.
//
// Thread-safety: the adaptor is stateless; kernels run on whatever thread the
// executor chooses.

#ifndef RILL_HOST_RUNTIME_KERNEL_UTILS_H_
#define RILL_HOST_RUNTIME_KERNEL_UTILS_H_

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "host_runtime/async_value.h"
#include "host_runtime/async_value_ref.h"
#include "host_runtime/attribute.h"
#include "host_runtime/chain.h"
#include "host_runtime/execution_context.h"
#include "host_runtime/kernel_frame.h"
#include "host_runtime/kernel_registry.h"

namespace rill {

// A borrowed (+0) argument. Use ValueRef() to keep it beyond the kernel call.
template <typename T>
class Argument {
 public:
  explicit Argument(AsyncValue* value) : value_(value) {}
  AsyncValue* value() const { return value_; }
  T& get() const { return value_->get<T>(); }
  T& operator*() const { return get(); }
  T* operator->() const { return &get(); }
  RCReference<AsyncValue> ValueRef() const { return FormRef(value_); }
  AsyncValueRef<T> AsyncRef() const {
    return AsyncValueRef<T>(FormRef(value_));
  }

 private:
  AsyncValue* value_;
};

// A result slot. Exactly one of Emplace, Allocate, AllocateIndirect or Set must
// be called.
template <typename T>
class Result {
 public:
  explicit Result(RCReference<AsyncValue>* slot) : slot_(slot) {}

  template <typename... Args>
  void Emplace(Args&&... args) {
    Set(MakeAvailableAsyncValueRef<T>(std::forward<Args>(args)...)
            .ReleaseRCRef());
  }
  AsyncValueRef<T> Allocate() {
    AsyncValueRef<T> value = MakeUnconstructedAsyncValueRef<T>();
    Set(value.CopyRCRef());
    return value;
  }
  RCReference<IndirectAsyncValue> AllocateIndirect() {
    RCReference<IndirectAsyncValue> value = MakeIndirectAsyncValue();
    Set(FormRef<AsyncValue>(value.get()));
    return value;
  }
  // Aliases an argument: the result is the same async value (+1), no copy.
  void Set(Argument<T> argument) { Set(argument.ValueRef()); }
  void Set(RCReference<AsyncValue> value) {
    assert(!*slot_ && "result set twice");
    *slot_ = std::move(value);
  }

 private:
  RCReference<AsyncValue>* slot_;
};

// All remaining (borrowed) arguments.
class RemainingArguments {
 public:
  explicit RemainingArguments(absl::Span<AsyncValue* const> values)
      : values_(values) {}
  size_t size() const { return values_.size(); }
  AsyncValue* operator[](size_t i) const { return values_[i]; }
  absl::Span<AsyncValue* const> values() const { return values_; }

 private:
  absl::Span<AsyncValue* const> values_;
};

// All remaining result slots.
class RemainingResults {
 public:
  explicit RemainingResults(absl::Span<RCReference<AsyncValue>> slots)
      : slots_(slots) {}
  size_t size() const { return slots_.size(); }
  RCReference<AsyncValue>& operator[](size_t i) const { return slots_[i]; }

  template <typename T, typename... Args>
  void EmplaceAt(size_t i, Args&&... args) {
    slots_[i] = MakeAvailableAsyncValueRef<T>(std::forward<Args>(args)...)
                    .ReleaseRCRef();
  }
  template <typename T>
  AsyncValueRef<T> AllocateAt(size_t i) {
    AsyncValueRef<T> value = MakeUnconstructedAsyncValueRef<T>();
    slots_[i] = value.CopyRCRef();
    return value;
  }
  RCReference<IndirectAsyncValue> AllocateIndirectResultAt(size_t i) {
    RCReference<IndirectAsyncValue> value = MakeIndirectAsyncValue();
    slots_[i] = FormRef<AsyncValue>(value.get());
    return value;
  }

 private:
  absl::Span<RCReference<AsyncValue>> slots_;
};

// Lets a kernel report an error (spec §5.3) without touching the frame.
class KernelErrorHandler {
 public:
  explicit KernelErrorHandler(AsyncKernelFrame* frame) : frame_(frame) {}
  void ReportError(absl::Status status) {
    frame_->ReportError(std::move(status));
  }
  template <typename... Args>
  void ReportError(const Args&... message) {
    frame_->ReportError(message...);
  }

 private:
  AsyncKernelFrame* frame_;
};

namespace internal {

template <typename T>
struct IsTuple : std::false_type {};
template <typename... Ts>
struct IsTuple<std::tuple<Ts...>> : std::true_type {};
template <typename A, typename B>
struct IsTuple<std::pair<A, B>> : std::true_type {};

// ---- Parameters
// ---------------------------------------------------------------------------------
// kArgs/kResults/kAttrs: how many frame entries of each kind the parameter
// consumes. kRemainingArgs/kRemainingResults: consumes all remaining ones.
// kCategory orders parameters (0 argument, 1 result, 2 attribute, -1 context).

template <typename P, typename Enable = void>
struct ParamTraits {
  // A plain payload argument: T or const T&.
  using T = std::remove_cv_t<std::remove_reference_t<P>>;
  static_assert(!std::is_pointer<T>::value,
                "pass arguments by value, const reference or Argument<T>");
  static_assert(!std::is_same<T, HostContext>::value,
                "kernels take const ExecutionContext&, not HostContext");
  static constexpr int kArgs = 1, kResults = 0, kAttrs = 0, kCategory = 0;
  static constexpr bool kRemainingArgs = false, kRemainingResults = false;
  static constexpr bool kNeedsConcreteArg = true;
  static bool HasType(AsyncValue* value) { return value->IsType<T>(); }
  static const T& Get(AsyncKernelFrame* frame, int arg, int, int) {
    return frame->GetArgAt(arg)->get<T>();
  }
};

// True for a plain payload argument (the parameters a direct entry takes).
template <typename P, typename = void>
struct IsPayloadParam : std::false_type {};
template <typename P>
struct IsPayloadParam<P,
                      std::void_t<decltype(ParamTraits<P>::kNeedsConcreteArg)>>
    : std::bool_constant<ParamTraits<P>::kNeedsConcreteArg> {};

// An attribute parameter (Attribute<T>, ArrayAttribute<T>, StringAttribute):
// a direct entry reads it from the attribute storage it is given.
template <typename P, typename = void>
struct IsAttributeParam : std::false_type {};
template <typename P>
struct IsAttributeParam<P, std::enable_if_t<ParamTraits<P>::kCategory == 2>>
    : std::true_type {};

template <typename T>
struct ParamTraits<Argument<T>> {
  static constexpr int kArgs = 1, kResults = 0, kAttrs = 0, kCategory = 0;
  static constexpr bool kRemainingArgs = false, kRemainingResults = false;
  static constexpr bool kNeedsConcreteArg = false;
  static bool HasType(AsyncValue* value) { return value->IsType<T>(); }
  static Argument<T> Get(AsyncKernelFrame* frame, int arg, int, int) {
    return Argument<T>(frame->GetArgAt(arg));
  }
};

template <>
struct ParamTraits<RemainingArguments> {
  static constexpr int kArgs = 0, kResults = 0, kAttrs = 0, kCategory = 0;
  static constexpr bool kRemainingArgs = true, kRemainingResults = false;
  static RemainingArguments Get(AsyncKernelFrame* frame, int arg, int, int) {
    return RemainingArguments(frame->GetArguments().subspan(arg));
  }
};

template <typename T>
struct ParamTraits<Result<T>> {
  static constexpr int kArgs = 0, kResults = 1, kAttrs = 0, kCategory = 1;
  static constexpr bool kRemainingArgs = false, kRemainingResults = false;
  static Result<T> Get(AsyncKernelFrame* frame, int, int result, int) {
    return Result<T>(&frame->GetResults()[result]);
  }
};

template <>
struct ParamTraits<RemainingResults> {
  static constexpr int kArgs = 0, kResults = 0, kAttrs = 0, kCategory = 1;
  static constexpr bool kRemainingArgs = false, kRemainingResults = true;
  static RemainingResults Get(AsyncKernelFrame* frame, int, int result, int) {
    return RemainingResults(frame->GetResults().subspan(result));
  }
};

template <typename AttrView>
struct AttributeParamTraits {
  static constexpr int kArgs = 0, kResults = 0, kAttrs = 1, kCategory = 2;
  static constexpr bool kRemainingArgs = false, kRemainingResults = false;
  static AttrView Get(AsyncKernelFrame* frame, int, int, int attr) {
    return AttrView(frame->GetAttributeAt(attr));
  }
};
template <typename T>
struct ParamTraits<Attribute<T>> : AttributeParamTraits<Attribute<T>> {};
template <typename T>
struct ParamTraits<ArrayAttribute<T>>
    : AttributeParamTraits<ArrayAttribute<T>> {};
template <>
struct ParamTraits<StringAttribute> : AttributeParamTraits<StringAttribute> {};

struct ContextParamTraits {
  static constexpr int kArgs = 0, kResults = 0, kAttrs = 0, kCategory = -1;
  static constexpr bool kRemainingArgs = false, kRemainingResults = false;
};
template <>
struct ParamTraits<const ExecutionContext&> : ContextParamTraits {
  static const ExecutionContext& Get(AsyncKernelFrame* frame, int, int, int) {
    return frame->GetExecutionContext();
  }
};
template <>
struct ParamTraits<KernelErrorHandler> : ContextParamTraits {
  static KernelErrorHandler Get(AsyncKernelFrame* frame, int, int, int) {
    return KernelErrorHandler(frame);
  }
};
template <>
struct ParamTraits<AsyncKernelFrame*> : ContextParamTraits {
  static AsyncKernelFrame* Get(AsyncKernelFrame* frame, int, int, int) {
    return frame;
  }
};

template <typename P, typename = void>
struct ArgTypeCheck {
  static constexpr bool kChecked = false;
};
template <typename P>
struct ArgTypeCheck<P,
                    std::void_t<decltype(ParamTraits<P>::HasType(nullptr))>> {
  static constexpr bool kChecked = true;
};

// ---- Returns
// ------------------------------------------------------------------------------------

template <typename R, typename Enable = void>
struct ReturnTraits {
  // A plain value: one available result, moved in exactly once.
  static constexpr int kNumResults = 1;
  static constexpr bool kPlainValue = true;
  __attribute__((always_inline)) static void Store(AsyncKernelFrame* frame,
                                                   int index, R&& value) {
    frame->EmplaceResultAt<R>(index, std::move(value));
  }
};

template <>
struct ReturnTraits<void> {
  static constexpr int kNumResults = 0;
  static constexpr bool kPlainValue = false;
};

template <>
struct ReturnTraits<absl::Status> {
  static constexpr int kNumResults = 0;
  static constexpr bool kPlainValue = false;
  static void Store(AsyncKernelFrame* frame, int, absl::Status&& status) {
    if (!status.ok()) frame->ReportError(std::move(status));
  }
};

template <typename T>
struct ReturnTraits<absl::StatusOr<T>> {
  static constexpr int kNumResults = 1;
  static constexpr bool kPlainValue = false;
  static void Store(AsyncKernelFrame* frame, int index,
                    absl::StatusOr<T>&& value) {
    if (value.ok()) {
      ReturnTraits<T>::Store(frame, index, *std::move(value));
    } else {
      frame->ReportError(std::move(value).status());
    }
  }
};

template <typename T>
struct ReturnTraits<AsyncValueRef<T>> {
  static constexpr int kNumResults = 1;
  static constexpr bool kPlainValue = false;
  static void Store(AsyncKernelFrame* frame, int index,
                    AsyncValueRef<T>&& value) {
    frame->SetResultAt(index, value.ReleaseRCRef());
  }
};

template <>
struct ReturnTraits<RCReference<AsyncValue>> {
  static constexpr int kNumResults = 1;
  static constexpr bool kPlainValue = false;
  static void Store(AsyncKernelFrame* frame, int index,
                    RCReference<AsyncValue>&& value) {
    frame->SetResultAt(index, std::move(value));
  }
};

template <typename R>
struct ReturnTraits<R, std::enable_if_t<IsTuple<R>::value>> {
  static constexpr int kNumResults = std::tuple_size<R>::value;
  static constexpr bool kPlainValue = false;
  static void Store(AsyncKernelFrame* frame, int index, R&& values) {
    StoreEach(frame, index, std::move(values),
              std::make_index_sequence<kNumResults>{});
  }

 private:
  template <size_t... I>
  static void StoreEach(AsyncKernelFrame* frame, int index, R&& values,
                        std::index_sequence<I...>) {
    (ReturnTraits<std::tuple_element_t<I, R>>::Store(
         frame, index + static_cast<int>(I), std::get<I>(std::move(values))),
     ...);
  }
};

// ---- The adaptor
// ----------------------------------------------------------------------------------

template <typename F, F f>
struct KernelImpl;

template <typename Return, typename... Params, Return (*impl)(Params...)>
struct KernelImpl<Return (*)(Params...), impl> {
  using Traits = std::tuple<ParamTraits<Params>...>;
  static constexpr size_t kNumParams = sizeof...(Params);
  static constexpr int kArgCounts[] = {ParamTraits<Params>::kArgs..., 0};
  static constexpr int kResultCounts[] = {ParamTraits<Params>::kResults..., 0};
  static constexpr int kAttrCounts[] = {ParamTraits<Params>::kAttrs..., 0};
  static constexpr int kCategories[] = {ParamTraits<Params>::kCategory..., 3};

  static constexpr int kNumArgs = (0 + ... + ParamTraits<Params>::kArgs);
  static constexpr int kNumResultParams =
      (0 + ... + ParamTraits<Params>::kResults);
  static constexpr int kNumAttrs = (0 + ... + ParamTraits<Params>::kAttrs);
  static constexpr bool kRemainingArgs =
      (false || ... || ParamTraits<Params>::kRemainingArgs);
  static constexpr bool kRemainingResults =
      (false || ... || ParamTraits<Params>::kRemainingResults);
  static constexpr int kNumReturned = ReturnTraits<Return>::kNumResults;
  static constexpr int kNumResults = kNumResultParams + kNumReturned;

  static constexpr bool OrderedParams() {
    int last = 0;
    for (size_t i = 0; i < kNumParams; ++i) {
      if (kCategories[i] < 0) continue;
      if (kCategories[i] < last) return false;
      last = kCategories[i];
    }
    return true;
  }
  static_assert(
      OrderedParams(),
      "kernel parameters must be arguments, then results, then attributes");
  static_assert(kNumReturned == 0 ||
                    (kNumResultParams == 0 && !kRemainingResults),
                "a kernel either returns its results or takes Result<> "
                "parameters, not both");

  template <size_t I>
  static constexpr int Prefix(const int (&counts)[kNumParams + 1]) {
    int sum = 0;
    for (size_t i = 0; i < I; ++i) sum += counts[i];
    return sum;
  }

  // Payload arguments and attributes only, one plain returned value: a
  // direct entry.
  static constexpr bool kHasDirect =
      ReturnTraits<Return>::kPlainValue &&
      (true && ... &&
       (IsPayloadParam<Params>::value || IsAttributeParam<Params>::value));

  static void Invoke(AsyncKernelFrame* frame) {
    if (!CheckArity(frame)) return;
    if (!CheckArguments(frame, std::index_sequence_for<Params...>{})) return;
    Call(frame, std::index_sequence_for<Params...>{});
  }

  // The direct entry (DirectKernelImplementation): `args` has kNumArgs
  // values, `attributes` kNumAttrs.
  static AsyncValue* Direct(AsyncValue* const* args, AsyncValue* reusable,
                            const void* const* attributes) {
    static_assert(kHasDirect, "no direct entry for this signature");
    return CallDirect(args, reusable, attributes,
                      std::index_sequence_for<Params...>{});
  }
  // The same, never reusing a block (KernelDefinition::direct_fresh).
  static AsyncValue* DirectFresh(AsyncValue* const* args, AsyncValue*,
                                 const void* const* attributes) {
    static_assert(kHasDirect, "no direct entry for this signature");
    return CallDirect(args, nullptr, attributes,
                      std::index_sequence_for<Params...>{});
  }

  static constexpr KernelDefinition Definition() {
    if constexpr (kHasDirect) {
      if constexpr (ConcreteAsyncValue<Return>::CanReuse()) {
        return KernelDefinition(&Invoke, &Direct, &DirectFresh, kNumArgs,
                                kNumAttrs);
      } else {
        return KernelDefinition(&Invoke, &Direct, &Direct, kNumArgs, kNumAttrs);
      }
    } else {
      return KernelDefinition(&Invoke);
    }
  }

 private:
  // The checks are forced inline and their error paths kept out of line, so
  // a well-formed call costs a few compares (the executor's hot path).
  __attribute__((always_inline)) static bool CheckArity(
      AsyncKernelFrame* frame) {
    const int args = frame->GetNumArgs();
    const int results = frame->GetNumResults();
    const int attrs = frame->GetNumAttributes();
    // One extra trailing chain argument is tolerated (TFRT's convention).
    const bool args_ok = kRemainingArgs
                             ? args >= kNumArgs
                             : (args == kNumArgs ||
                                (args == kNumArgs + 1 &&
                                 frame->GetArgAt(args - 1)->IsType<Chain>()));
    const bool results_ok =
        kRemainingResults ? results >= kNumResults : results == kNumResults;
    const bool attrs_ok = attrs == kNumAttrs;
    if (__builtin_expect(args_ok && results_ok && attrs_ok, 1)) return true;
    ReportArity(frame);
    return false;
  }

  [[gnu::cold, gnu::noinline]] static void ReportArity(
      AsyncKernelFrame* frame) {
    frame->ReportError(absl::InvalidArgumentError(absl::StrCat(
        "kernel called with ", frame->GetNumArgs(), " argument(s), ",
        frame->GetNumResults(), " result(s) and ", frame->GetNumAttributes(),
        " attribute(s); it takes ", kNumArgs, kRemainingArgs ? " or more" : "",
        " argument(s), ", kNumResults, kRemainingResults ? " or more" : "",
        " result(s) and ", kNumAttrs, " attribute(s)")));
  }

  template <size_t... I>
  __attribute__((always_inline)) static bool CheckArguments(
      AsyncKernelFrame* frame, std::index_sequence<I...>) {
    // Spec §5.2: if any argument is an error, every result becomes the last
    // error argument and the function is not called (nothing is reported: the
    // producer already did).
    AsyncValue* last_error = nullptr;
    if (!frame->arguments_error_free()) {
      for (AsyncValue* value : frame->GetArguments()) {
        if (value->IsError()) last_error = value;
      }
    }
    if (__builtin_expect(last_error != nullptr, 0)) {
      for (RCReference<AsyncValue>& slot : frame->GetResults()) {
        if (!slot) slot = FormRef(last_error);
      }
      return false;
    }
    bool ok = true;
    (CheckArgument<I, std::tuple_element_t<I, Traits>, Params>(frame, ok), ...);
    return ok;
  }

  template <size_t I, typename PT, typename P>
  __attribute__((always_inline)) static void CheckArgument(
      AsyncKernelFrame* frame, bool& ok) {
    if constexpr (ArgTypeCheck<P>::kChecked) {
      if (!ok) return;
      constexpr int index = Prefix<I>(kArgCounts);
      AsyncValue* value = frame->GetArgAt(index);
      // One read of the state: it is atomic, so a second IsConcrete would
      // load it again.
      const bool concrete = value->IsConcrete();
      if constexpr (PT::kNeedsConcreteArg) {
        if (__builtin_expect(!concrete, 0)) {
          ReportArgument(frame, index, /*unavailable=*/true);
          ok = false;
          return;
        }
      }
      if (__builtin_expect(concrete && !PT::HasType(value), 0)) {
        ReportArgument(frame, index, /*unavailable=*/false);
        ok = false;
      }
    }
  }

  [[gnu::cold, gnu::noinline]] static void ReportArgument(
      AsyncKernelFrame* frame, int index, bool unavailable) {
    if (unavailable) {
      frame->ReportError(absl::InternalError(
          absl::StrCat("kernel argument ", index, " is not available")));
    } else {
      frame->ReportError(absl::InvalidArgumentError(
          absl::StrCat("kernel argument ", index, " has the wrong type")));
    }
  }

  // Parameter I of a direct entry: an argument, checked to be a concrete
  // value of its type (one read of its state, as in CheckArgument), or an
  // attribute, read from its storage.
  template <size_t I>
  __attribute__((always_inline)) static bool DirectArgumentOk(
      AsyncValue* const* args) {
    using P = std::tuple_element_t<I, std::tuple<Params...>>;
    if constexpr (IsAttributeParam<P>::value) {
      return true;
    } else {
      return args[Prefix<I>(kArgCounts)]
          ->template IsConcreteOf<typename ParamTraits<P>::T>();
    }
  }
  template <size_t I>
  __attribute__((always_inline)) static decltype(auto) DirectParam(
      [[maybe_unused]] AsyncValue* const* args,
      [[maybe_unused]] const void* const* attributes) {
    using P = std::tuple_element_t<I, std::tuple<Params...>>;
    if constexpr (IsAttributeParam<P>::value) {
      return P(attributes[Prefix<I>(kAttrCounts)]);
    } else {
      return args[Prefix<I>(kArgCounts)]
          ->template get<typename ParamTraits<P>::T>();
    }
  }

  template <size_t... I>
  // A signature without arguments or attributes leaves `args` or
  // `attributes` unread.
  __attribute__((always_inline)) static AsyncValue* CallDirect(
      [[maybe_unused]] AsyncValue* const* args, AsyncValue* reusable,
      [[maybe_unused]] const void* const* attributes,
      std::index_sequence<I...>) {
    // No call on the way to a reused or pooled block (IsConcreteOf, Reuse,
    // TryNewFromPool), so the entry runs without a stack frame.
    if (!(true && ... && DirectArgumentOk<I>(args))) {
      return nullptr;  // The frame entry reports it.
    }
    // Every argument is read before an offered block may change.
    Return value = impl(DirectParam<I>(args, attributes)...);
    if constexpr (ConcreteAsyncValue<Return>::CanReuse()) {
      if (reusable != nullptr) {
        if (AsyncValue* result =
                ConcreteAsyncValue<Return>::Reuse(reusable, std::move(value))) {
          return result;
        }
      }
      if (AsyncValue* result =
              ConcreteAsyncValue<Return>::TryNewFromPool(std::move(value))) {
        return result;
      }
    }
    return NewResult<Return>(std::move(value));
  }
  // Out of line, so that only this path pays for the allocator's registers
  // (a tail call from the entry). A trivially copyable value is passed in
  // registers; any other by reference, so it is moved exactly once, as a
  // kernel's result is on the frame path (observable: tfrt/lifetimes.mlir).
  template <typename R>
  using NewResultParam =
      std::conditional_t<std::is_trivially_copyable<R>::value, R, R&&>;
  template <typename R>
  [[gnu::noinline]] static AsyncValue* NewResult(NewResultParam<R> value) {
    return internal::AllocateConcrete<R>(
        typename ConcreteAsyncValue<R>::ConcretePayload{}, std::move(value));
  }

  template <size_t... I>
  __attribute__((always_inline)) static void Call(AsyncKernelFrame* frame,
                                                  std::index_sequence<I...>) {
    if constexpr (std::is_void<Return>::value) {
      impl(std::tuple_element_t<I, Traits>::Get(frame, Prefix<I>(kArgCounts),
                                                Prefix<I>(kResultCounts),
                                                Prefix<I>(kAttrCounts))...);
    } else {
      ReturnTraits<Return>::Store(
          frame, kNumResultParams,
          impl(std::tuple_element_t<I, Traits>::Get(
              frame, Prefix<I>(kArgCounts), Prefix<I>(kResultCounts),
              Prefix<I>(kAttrCounts))...));
    }
  }
};

}  // namespace internal
}  // namespace rill

// Adapts a plain C++ function to a KernelDefinition: its frame entry (it
// converts to an AsyncKernelImplementation) and, when the signature allows,
// its direct entry (see the file comment). Parenthesized, so it can be a
// macro argument.
#define RILL_KERNEL(...)                                \
  (::rill::internal::KernelImpl<decltype(&__VA_ARGS__), \
                                &__VA_ARGS__>::Definition())

#endif  // RILL_HOST_RUNTIME_KERNEL_UTILS_H_
