// Declares `Chain`, the payload of control-dependence values (`!tfrt.chain`):
// it carries no data and only orders side effects (spec §5.5). Thread-safety:
// stateless.

#ifndef RILL_HOST_RUNTIME_CHAIN_H_
#define RILL_HOST_RUNTIME_CHAIN_H_

namespace rill {

struct Chain {};

}  // namespace rill

#endif  // RILL_HOST_RUNTIME_CHAIN_H_
