#include "host_runtime/native_function.h"

#include <string>

#include "absl/container/flat_hash_map.h"

namespace rill {
namespace {

// Function-local static: registrations run from other translation units'
// static initializers, so the map must be constructed on first use.
absl::flat_hash_map<std::string, NativeFunctionImplementation>& Registry() {
  static auto* registry =
      new absl::flat_hash_map<std::string, NativeFunctionImplementation>();
  return *registry;
}

}  // namespace

bool RegisterNativeFunction(absl::string_view name,
                            NativeFunctionImplementation fn) {
  return Registry().emplace(std::string(name), fn).second;
}

NativeFunctionImplementation LookupNativeFunction(absl::string_view name) {
  auto it = Registry().find(name);
  return it == Registry().end() ? nullptr : it->second;
}

}  // namespace rill
