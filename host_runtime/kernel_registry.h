// Declares `KernelRegistry` (kernel name -> implementation) and static kernel
// registration.
//
// A kernel implementation is a plain function pointer taking an
// AsyncKernelFrame (kernel_frame.h); kernels written as ordinary C++ functions
// are adapted with RILL_KERNEL (kernel_utils.h), which may also give a direct
// entry (KernelDefinition) that the executor calls without a frame.
//
// Thread-safety: registration (AddKernel) must complete before the registry is
// used for lookups; after that, any number of threads may call GetKernel
// concurrently. Registration happens while a HostContext is set up (and, later,
// when a plugin is loaded before any program runs).

#ifndef RILL_HOST_RUNTIME_KERNEL_REGISTRY_H_
#define RILL_HOST_RUNTIME_KERNEL_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rill {

class AsyncKernelFrame;
class AsyncValue;
class KernelRegistry;

using AsyncKernelImplementation = void (*)(AsyncKernelFrame* frame);

// A kernel's direct entry: takes exactly `arity` arguments (borrowed) and
// `num_attributes` attributes (pointers to their storage, as
// AsyncKernelFrame::GetAttributeAt gives them; docs/kernel_api.md), and
// returns its one result as an available value (+1), or null
// without having run the kernel when an argument is not a concrete value of
// the type it takes (an error, unavailable, or the wrong type). A caller that
// gets null calls the frame entry, which reports why; so a direct entry never
// fails and never reports, and a kernel's direct and frame entries must have
// the same effects. Lets the executor run a kernel such as `tfrt.add.i32`
// without setting up a frame (RILL_KERNEL derives it from the signature).
//
// `reusable` is null or one of `args` whose only reference the caller holds
// and would release right after the call, and that satisfies
// AsyncValue::IsSoleAndReusable(). Once it has read its arguments, the entry
// may build its result in that value's block (ConcreteAsyncValue<T>::Reuse)
// and return it; the caller then does not release it (the returned pointer
// equals `reusable`). Otherwise the caller releases every argument as usual.
using DirectKernelImplementation =
    AsyncValue* (*)(AsyncValue* const* args, AsyncValue* reusable,
                    const void* const* attributes);

// What a kernel name is bound to: the frame entry, which every kernel has,
// and optionally a direct entry. Converts from (and to) a plain frame entry,
// so kernels without a direct entry are registered as before.
struct KernelDefinition {
  constexpr KernelDefinition(AsyncKernelImplementation frame_entry)  // NOLINT
      : kernel(frame_entry) {}
  constexpr KernelDefinition(AsyncKernelImplementation frame_entry,
                             DirectKernelImplementation direct_entry,
                             uint32_t direct_arity)
      : kernel(frame_entry),
        direct(direct_entry),
        direct_fresh(direct_entry),
        arity(direct_arity) {}
  constexpr KernelDefinition(AsyncKernelImplementation frame_entry,
                             DirectKernelImplementation direct_entry,
                             DirectKernelImplementation direct_fresh_entry,
                             uint32_t direct_arity,
                             uint32_t direct_num_attributes = 0)
      : kernel(frame_entry),
        direct(direct_entry),
        direct_fresh(direct_fresh_entry),
        arity(direct_arity),
        num_attributes(direct_num_attributes) {}
  // Lets RILL_KERNEL(f) stand where a frame entry is expected (and be called
  // with a frame).
  constexpr operator AsyncKernelImplementation() const {  // NOLINT
    return kernel;
  }

  AsyncKernelImplementation kernel = nullptr;
  DirectKernelImplementation direct = nullptr;  // Null: frame entry only.
  // The direct entry for calls that never offer a block: it ignores
  // `reusable`, so it carries no code for it. The executor calls it for a
  // kernel none of whose operands can be sole-owned (a fan-out's leaves).
  // Set with `direct`; the same function when the kernel has only one.
  DirectKernelImplementation direct_fresh = nullptr;
  uint32_t arity = 0;           // The direct entries' number of arguments,
  uint32_t num_attributes = 0;  // and of attributes.
};

// A function that adds a library's kernels to a registry.
using KernelRegistration = absl::Status (*)(KernelRegistry* registry);

class KernelRegistry {
 public:
  KernelRegistry() = default;
  KernelRegistry(const KernelRegistry&) = delete;
  KernelRegistry& operator=(const KernelRegistry&) = delete;

  // Registers `kernel` under `name`. Registering a name twice is an
  // AlreadyExists error; an empty name, a null frame entry or one direct entry
  // without the other is InvalidArgument.
  absl::Status AddKernel(absl::string_view name, KernelDefinition kernel);

  // One row of a kernel library's registration table.
  struct Entry {
    const char* name;
    KernelDefinition kernel;
  };
  // Adds every entry; stops at (and returns) the first error.
  absl::Status AddKernels(absl::Span<const Entry> entries);

  // Looks up `name`'s frame entry. An unknown name is a NotFound error naming
  // it, with the closest registered name as a suggestion when one is close.
  absl::StatusOr<AsyncKernelImplementation> GetKernel(
      absl::string_view name) const;
  // The same lookup, with the direct entry when the kernel has one.
  absl::StatusOr<KernelDefinition> GetKernelDefinition(
      absl::string_view name) const;

  bool Contains(absl::string_view name) const {
    return kernels_.contains(name);
  }
  size_t size() const { return kernels_.size(); }
  // All registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  absl::flat_hash_map<std::string, KernelDefinition> kernels_;
};

// Adds `registration` to the process-wide list replayed by
// RegisterStaticKernels. Called from static initializers
// (RILL_STATIC_KERNEL_REGISTRATION); returns true so it can initialize a bool.
bool AddStaticKernelRegistration(KernelRegistration registration);

// Runs every static registration against `registry`; returns the first error.
absl::Status RegisterStaticKernels(KernelRegistry* registry);

}  // namespace rill

#define RILL_STATIC_KERNEL_REGISTRATION_CONCAT_INNER(a, b) a##b
#define RILL_STATIC_KERNEL_REGISTRATION_CONCAT(a, b) \
  RILL_STATIC_KERNEL_REGISTRATION_CONCAT_INNER(a, b)
// Registers `fn` (a KernelRegistration) at static-initialization time. The
// library defining it must be linked with alwayslink = True so the initializer
// is not dropped.
#define RILL_STATIC_KERNEL_REGISTRATION(fn)                                  \
  [[maybe_unused]] static const bool RILL_STATIC_KERNEL_REGISTRATION_CONCAT( \
      rill_static_kernel_registration_, __COUNTER__) =                       \
      ::rill::AddStaticKernelRegistration(fn)

#endif  // RILL_HOST_RUNTIME_KERNEL_REGISTRY_H_
