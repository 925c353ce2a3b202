// SPDX-License-Identifier: MIT
// Tape::stats(): what a recording and its compiled replay cost (tape_stats.hpp).

#include <algorithm>
#include <vector>

#include <slope/autodiff/tape.hpp>

#include "replay.hpp"
#include "tensor_list.hpp"

namespace slope {

namespace {

template <class T>
std::size_t used(const std::vector<T>& v) {
  return v.size() * sizeof(T);
}
template <class T>
std::size_t held(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

// The compiled replay's arrays: in use (by the recording it was built for) or reserved.
std::size_t replay_bytes(const detail::Replay& r, std::size_t nodes, bool reserved) {
  const auto size = [&](const auto& v) { return reserved ? held(v) : used(v); };
  std::size_t b = 0;
  const bool replayed = r.replaying_ || r.reached_ != detail::Replay::kNoSlot;
  // In use: what the format keeps (the compact format no value for its folded products).
  if (reserved || replayed)
    b += (reserved ? r.values_capacity_ : std::min<std::size_t>(r.value_entries(), nodes)) *
         sizeof(double);
  if (!reserved && r.segment_groups_.empty()) return b;  // no schedule for this recording
  b += size(r.order_) + size(r.groups_) + size(r.segment_groups_);
  b += size(r.plan_operands_) + size(r.plan_folds_) + size(r.plan_partials_) +
       size(r.plan_constants_) + size(r.plan_reverse_.steps) + size(r.plan_reverse_.runs) +
       size(r.plan_folded_) + size(r.plan_merged_.steps) + size(r.plan_merged_.runs) +
       size(r.plan_merges_) + size(r.compact_constants_) + size(r.compact_folds_) +
       size(r.position_) + size(r.named_positions_);
  if (r.planned_ || (reserved && r.plan_adjoints_))
    b += std::size_t{r.adjoint_entries_} * sizeof(double);
  // The compact HVP's tangents, by position as its adjoints.
  if (r.compact_dot_) b += 2 * std::size_t{r.adjoint_entries_} * sizeof(double);
  return b;
}

// The tensor nodes' own arrays (referenced data is the caller's).
std::size_t tensor_bytes(const detail::TensorList& list) {
  std::size_t doubles = 0;
  for (const detail::TensorNode& n : list.nodes)
    doubles += n.own.size() + n.tan.size() + n.adj.size() + n.adj_tan.size();
  return doubles * sizeof(double);
}

}  // namespace

std::size_t Tape::note_peak() const {
  std::size_t b = bytes_reserved();
  if (tangents_) b += std::size_t{capacity_} * sizeof(Tangent);
  if (replay_) b += replay_bytes(*replay_, size_, true);
  if (tensors_) b += tensor_bytes(*tensors_);
  peak_ = std::max(peak_, b);
  return peak_;
}

TapeStats Tape::stats() const {
  TapeStats s;
  for (std::uint32_t i = 1; i < size_; ++i) {
    const Node& n = base_[i];
    if (n.op() == ops::kInputCode || n.op() == ops::kTensorCode) continue;
    s.entries += n.b() == i ? 1 : 2;  // a one-operand node names its own slot as b
  }
  s.nodes = size_ == 0 ? 0 : size_ - 1;
  s.bytes = std::size_t{size_} * sizeof(Node);
  if (dual_ && tangents_) s.bytes += std::size_t{size_} * sizeof(Tangent);
  if (replay_) s.replay_bytes = replay_bytes(*replay_, size_, false);
  s.bytes += s.replay_bytes;
  if (tensors_) s.bytes += tensor_bytes(*tensors_);
  s.peak = std::max(note_peak(), s.bytes);
  return s;
}

}  // namespace slope
