// Declares the stream analysis of host_dialect.md §6.2: it partitions the ops
// of one block into streams (sequences to run back to back on one thread) and
// numbers them. BefBuilder runs it to precompute each kernel's stream id; the
// executor only reads the ids.
//
// Thread-safety: a pure function.

#ifndef RILL_BEF_STREAM_ANALYSIS_H_
#define RILL_BEF_STREAM_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"

namespace rill {
namespace bef {

struct StreamOp {
  // For each operand, in order, the index of the op that produces it, or -1
  // when it is a block argument (produced by the virtual root). Producers come
  // before the op (SSA within one block).
  std::vector<int32_t> operand_producers;
  // The op's cost: nullopt for the default (the threshold, or 1 in auto mode);
  // the translator passes 1 for tfrt.merge.chains and the `_tfrt_cost` of
  // tfrt_test.test_cost. Ignored for the return op, which always costs 1.
  std::optional<int64_t> cost;
  bool is_return = false;
};

struct StreamAssignment {
  std::vector<uint32_t> op_streams;  // One per op, in program order.
  uint32_t root_stream = 0;          // The entry kernel's stream.
};

// `ops` are the block's ops in program order including the final return.
// `cost_threshold` is the function's (or module's) tfrt.cost_threshold;
// nullopt or <= 0 selects auto mode.
StreamAssignment AnalyzeStreams(absl::Span<const StreamOp> ops,
                                std::optional<int64_t> cost_threshold);

}  // namespace bef
}  // namespace rill

#endif  // RILL_BEF_STREAM_ANALYSIS_H_
