#include "bef/stream_analysis.h"

#include <cassert>

namespace rill {
namespace bef {
namespace {

struct Stream {
  int64_t cost = 0;
  bool has_return = false;
  int32_t merged_into = -1;  // The stream that took this one's ops.
};

class Analysis {
 public:
  Analysis(absl::Span<const StreamOp> ops, std::optional<int64_t> threshold)
      : ops_(ops),
        auto_mode_(!threshold.has_value() || *threshold <= 0),
        threshold_(auto_mode_ ? 0 : *threshold) {}

  StreamAssignment Run() {
    ForwardPass();
    BackwardPass();
    StreamAssignment result;
    result.op_streams.reserve(ops_.size());
    for (size_t i = 0; i < ops_.size(); ++i)
      result.op_streams.push_back(static_cast<uint32_t>(Find(node_stream_[i])));
    result.root_stream = static_cast<uint32_t>(Find(node_stream_[Root()]));
    return result;
  }

 private:
  // Nodes 0..n-1 are the ops; node n is the root.
  size_t Root() const { return ops_.size(); }

  int64_t OpCost(size_t i) const {
    if (ops_[i].is_return) return 1;
    if (ops_[i].cost.has_value()) return *ops_[i].cost;
    return auto_mode_ ? 1 : threshold_;
  }

  // Step A: parents, costs from root, children lists in program order.
  void ForwardPass() {
    const size_t n = ops_.size();
    cost_.resize(n + 1);
    cfr_.resize(n + 1);
    children_.resize(n + 1);
    cost_[Root()] = 1;
    cfr_[Root()] = 1;
    int64_t max_cfr = 0;
    for (size_t i = 0; i < n; ++i) {
      cost_[i] = OpCost(i);
      size_t parent = Root();
      if (ops_[i].operand_producers.empty()) {
        cfr_[i] = cost_[i];
      } else {
        bool first = true;
        for (int32_t producer : ops_[i].operand_producers) {
          const size_t p =
              producer < 0 ? Root() : static_cast<size_t>(producer);
          assert(producer < 0 || p < i);
          if (first || cfr_[p] > cfr_[parent]) parent = p;  // Ties: first.
          first = false;
        }
        cfr_[i] = cost_[i] + cfr_[parent];
      }
      children_[parent].push_back(i);
      if (cfr_[i] > max_cfr) max_cfr = cfr_[i];
    }
    if (auto_mode_) threshold_ = max_cfr < 1 ? 1 : max_cfr;
  }

  int32_t NewStream(int64_t cost, bool has_return) {
    streams_.push_back(Stream{cost, has_return, -1});
    return static_cast<int32_t>(streams_.size() - 1);
  }

  int32_t Find(int32_t s) {
    while (streams_[s].merged_into >= 0) {
      const int32_t next = streams_[s].merged_into;
      if (streams_[next].merged_into >= 0)
        streams_[s].merged_into = streams_[next].merged_into;  // Halving.
      s = next;
    }
    return s;
  }

  void Merge(int32_t from, int32_t into) {
    streams_[into].cost += streams_[from].cost;
    streams_[into].has_return |= streams_[from].has_return;
    streams_[from].merged_into = into;
  }

  bool Big(size_t x, int32_t s, int32_t t) const {
    if (auto_mode_) {
      const int64_t t_cost = t < 0 ? 0 : streams_[t].cost;
      return cfr_[x] + streams_[s].cost + t_cost >= threshold_;
    }
    return streams_[s].cost >= threshold_;
  }

  // Step B: ops in reverse program order, then the root.
  void BackwardPass() {
    node_stream_.assign(ops_.size() + 1, -1);
    for (size_t i = ops_.size(); i-- > 0;) Visit(i);
    Visit(Root());
  }

  void Visit(size_t x) {
    const bool is_return = x != Root() && ops_[x].is_return;
    if (children_[x].empty()) {
      node_stream_[x] = NewStream(cost_[x], is_return);
      return;
    }
    std::vector<int32_t> merge_targets;
    int32_t best = -1, ret = -1;
    int64_t best_cost = 0;
    for (size_t child : children_[x]) {
      const int32_t s = Find(node_stream_[child]);
      if (Big(x, s, -1)) {
        if (streams_[s].cost > best_cost)
          best = s, best_cost = streams_[s].cost;
        if (streams_[s].has_return) ret = s;
        continue;
      }
      if (merge_targets.empty() || Big(x, merge_targets.back(), s)) {
        merge_targets.push_back(s);
      } else {
        Merge(s, merge_targets.back());
      }
      const int32_t m = merge_targets.back();
      if (streams_[m].cost > best_cost) best = m, best_cost = streams_[m].cost;
      if (streams_[m].has_return) ret = m;
    }
    // Costs below 1 (a `_tfrt_cost` of 0 or less) can leave no best stream;
    // the first child's stream is then the deterministic choice.
    int32_t joined = ret >= 0 ? ret : best;
    if (joined < 0) joined = Find(node_stream_[children_[x].front()]);
    streams_[joined].cost += cost_[x];
    if (is_return) streams_[joined].has_return = true;
    node_stream_[x] = joined;
    if (!auto_mode_ && !merge_targets.empty()) {
      const int32_t last = Find(merge_targets.back());
      if (streams_[last].cost < threshold_ && last != joined)
        Merge(last, joined);
    }
  }

  absl::Span<const StreamOp> ops_;
  const bool auto_mode_;
  int64_t threshold_;
  std::vector<int64_t> cost_, cfr_;
  std::vector<std::vector<size_t>> children_;
  std::vector<Stream> streams_;
  std::vector<int32_t> node_stream_;
};

}  // namespace

StreamAssignment AnalyzeStreams(absl::Span<const StreamOp> ops,
                                std::optional<int64_t> cost_threshold) {
  return Analysis(ops, cost_threshold).Run();
}

}  // namespace bef
}  // namespace rill
