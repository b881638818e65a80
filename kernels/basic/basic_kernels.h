// Declares RegisterBasicKernels: the `tfrt` dialect's basic kernels of
// host_dialect.md §11.1-§11.5 — constants, chains and `merge.chains`,
// integer, float and boolean arithmetic and comparisons, casts, and prints
// with the spec's exact line formats. They are also registered statically
// (link `//kernels/basic`, which is alwayslink).
//
// Thread-safety: the kernels are pure functions of their arguments; prints
// write each line with one write(2) (§7.3), so concurrent prints never mix.

#ifndef RILL_KERNELS_BASIC_BASIC_KERNELS_H_
#define RILL_KERNELS_BASIC_BASIC_KERNELS_H_

#include "absl/status/status.h"
#include "host_runtime/kernel_registry.h"

namespace rill {

absl::Status RegisterBasicKernels(KernelRegistry* registry);

}  // namespace rill

#endif  // RILL_KERNELS_BASIC_BASIC_KERNELS_H_
