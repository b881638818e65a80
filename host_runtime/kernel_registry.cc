#include "host_runtime/kernel_registry.h"

#include <algorithm>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "llvm/ADT/StringRef.h"

namespace rill {
namespace {

std::mutex& StaticRegistrationsMutex() {
  static std::mutex mu;
  return mu;
}

std::vector<KernelRegistration>& StaticRegistrations() {
  static auto* registrations = new std::vector<KernelRegistration>();
  return *registrations;
}

}  // namespace

absl::Status KernelRegistry::AddKernel(absl::string_view name,
                                       KernelDefinition kernel) {
  if (name.empty())
    return absl::InvalidArgumentError(
        "cannot register a kernel with an empty name");
  if (kernel.kernel == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel '", name, "' has no implementation"));
  }
  if ((kernel.direct == nullptr) != (kernel.direct_fresh == nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kernel '", name, "' has one of its two direct entries only"));
  }
  if (!kernels_.emplace(std::string(name), kernel).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("kernel '", name, "' is already registered"));
  }
  return absl::OkStatus();
}

absl::Status KernelRegistry::AddKernels(absl::Span<const Entry> entries) {
  for (const Entry& entry : entries) {
    if (absl::Status status = AddKernel(entry.name, entry.kernel); !status.ok())
      return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<AsyncKernelImplementation> KernelRegistry::GetKernel(
    absl::string_view name) const {
  absl::StatusOr<KernelDefinition> definition = GetKernelDefinition(name);
  if (!definition.ok()) return definition.status();
  return definition->kernel;
}

absl::StatusOr<KernelDefinition> KernelRegistry::GetKernelDefinition(
    absl::string_view name) const {
  if (auto it = kernels_.find(name); it != kernels_.end()) return it->second;
  // Error path only: suggest the closest name, as compilers do for misspelled
  // identifiers.
  const llvm::StringRef wanted(name.data(), name.size());
  const unsigned threshold = std::max<unsigned>(2, name.size() / 4);
  const std::string* best = nullptr;
  unsigned best_distance = threshold + 1;
  for (const auto& [candidate, unused] : kernels_) {
    const unsigned d =
        wanted.edit_distance(candidate, /*AllowReplacements=*/true, threshold);
    if (d < best_distance ||
        (d == best_distance && best != nullptr && candidate < *best)) {
      best_distance = d;
      best = &candidate;
    }
  }
  std::string message = absl::StrCat("unknown kernel '", name, "'");
  if (best != nullptr)
    absl::StrAppend(&message, "; did you mean '", *best, "'?");
  return absl::NotFoundError(message);
}

std::vector<std::string> KernelRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(kernels_.size());
  for (const auto& [name, unused] : kernels_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

bool AddStaticKernelRegistration(KernelRegistration registration) {
  std::lock_guard<std::mutex> lock(StaticRegistrationsMutex());
  StaticRegistrations().push_back(registration);
  return true;
}

absl::Status RegisterStaticKernels(KernelRegistry* registry) {
  std::vector<KernelRegistration> registrations;
  {
    std::lock_guard<std::mutex> lock(StaticRegistrationsMutex());
    registrations = StaticRegistrations();
  }
  for (KernelRegistration registration : registrations) {
    if (absl::Status status = registration(registry); !status.ok())
      return status;
  }
  return absl::OkStatus();
}

}  // namespace rill
