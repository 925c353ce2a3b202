// SPDX-License-Identifier: MIT
// The first-order replay's schedule and plan, built at a recording's first replay: nodes ordered
// by dependency level and op code in groups of one op; for recordings without tensor nodes the
// dense arrays the plan sweeps (operands, partials), folded and squared one-operand nodes, merged
// reverse steps and carry runs (see tape.hpp). The sweeps themselves are in replay.cpp.

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>
#include <vector>

#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/tape.hpp>

#include "tensor_list.hpp"

namespace slope {

using detail::Replay;

namespace {

template <class... Ops, std::size_t... I>
constexpr std::array<bool, 256> one_operand_codes(ops::TypeList<Ops...>,
                                                  std::index_sequence<I...>) {
  std::array<bool, 256> one{};
  ((one[ops::kFirstOpCode + I] = Ops::arity != ops::Arity::binary), ...);
  return one;
}
// Op codes of one-operand ops (their b is their own slot, not an operand).
constexpr std::array<bool, 256> kOneOperand =
    one_operand_codes(ops::OpList{}, std::make_index_sequence<ops::OpList::size>{});

std::atomic<detail::ReplayFormat> format_on{detail::ReplayFormat::automatic};

}  // namespace

void detail::set_replay_format(ReplayFormat format) {
  format_on.store(format, std::memory_order_relaxed);
}
void detail::set_replay_plan(bool on) {
  set_replay_format(on ? ReplayFormat::automatic : ReplayFormat::nodes);
}

void Replay::build_schedule() {
  order_.clear();
  groups_.clear();
  segment_groups_.clear();
  position_.clear();  // the compact format's, should an earlier recording have used it
  named_positions_.clear();
  compact_folds_.clear();
  compact_constants_.clear();
  compact_dot_.reset();  // sized for this recording at its first compact dual replay
  compact_adj_dot_.reset();
  format_ = format_on.load(std::memory_order_relaxed);
  if (t_.tensor_count() != 0 || t_.inputs_among_ops_) format_ = ReplayFormat::nodes;
  // The compact format, measured against the plan in one process (scaling_bench --formats, the
  // peers' harness): gradients within a few per cent of it while the arrays stay in cache and
  // faster beyond, HVPs faster at every size (the plan has no dual sweeps).
  if (format_ == ReplayFormat::automatic) format_ = ReplayFormat::compact;
  planned_ = format_ != ReplayFormat::nodes;
  const FoldMarks m = mark_folds(format_);
  order_nodes(m, order_, &groups_, &segment_groups_);
  if (format_ == ReplayFormat::plan) build_plan(m.folded, m.squared);
  if (format_ == ReplayFormat::compact) build_compact(m.squared);
}

Replay::FoldMarks Replay::mark_folds(ReplayFormat format) const {
  // The plan folds a one-operand op node used by exactly one operand of one node (see
  // tape.hpp); its consumer's group says which operands are folded. The compact format folds
  // products (see replay.hpp): its consumer multiplies the factors in both sweeps, as the plan's
  // consumers of squares do in their forward sweep. `squared` marks what a consumer computes
  // (the plan's squares, the compact format's products), `squares` a consumer's such operands.
  FoldMarks m;
  m.folding = format == ReplayFormat::plan;
  m.squaring = format == ReplayFormat::compact;
  m.window = format == ReplayFormat::compact ? kCompactWindow : kPlanWindow;
  if (!m.folding && !m.squaring) return m;
  if (m.folding) {
    m.folded.assign(t_.size_, 0);
    m.folds.assign(t_.size_, 0);
  }
  m.squared.assign(t_.size_, 0);
  m.squares.assign(t_.size_, 0);
  std::vector<std::uint32_t> uses(t_.size_, 0);
  for (std::size_t i = t_.floor_; i < t_.size_; ++i) {
    const Node& n = t_.base_[i];
    ++uses[n.a()];
    if (!kOneOperand[n.op()]) ++uses[n.b()];
  }
  // The compact format folds products (x·y, and squares x·x) used once, of operands not folded.
  for (std::size_t i = t_.floor_; i < t_.size_ && m.squaring; ++i) {
    const Node& n = t_.base_[i];
    const bool square = n.op() == ops::op_code<ops::Square>;
    const bool product = square || n.op() == ops::op_code<ops::Mul>;
    m.squared[i] =
        product && uses[i] == 1 && m.squared[n.a()] == 0 && (square || m.squared[n.b()] == 0);
    m.squares[i] = static_cast<std::uint8_t>(m.squared[n.a()] |
                                             (kOneOperand[n.op()] ? 0 : m.squared[n.b()] << 1));
  }
  for (std::size_t i = t_.floor_; i < t_.size_ && m.folding; ++i) {
    const Node& n = t_.base_[i];
    m.folded[i] = n.op() >= ops::kFirstOpCode && kOneOperand[n.op()] && uses[i] == 1;
    m.folds[i] = static_cast<std::uint8_t>(m.folded[n.a()] |
                                           (kOneOperand[n.op()] ? 0 : m.folded[n.b()] << 1));
    // A folded square of an operand not folded: its consumer computes it (see tape.hpp).
    m.squared[i] = m.folded[i] && n.op() == ops::op_code<ops::Square> && m.folds[i] == 0;
    m.squares[i] = static_cast<std::uint8_t>(m.squared[n.a()] |
                                             (kOneOperand[n.op()] ? 0 : m.squared[n.b()] << 1));
  }
  return m;
}

void Replay::order_nodes(const FoldMarks& m, std::vector<std::uint32_t>& order,
                         std::vector<Group>* groups, std::vector<std::uint32_t>* segments) const {
  const bool marked = m.folding || m.squaring;
  std::vector<std::uint32_t> level(t_.size_, 0);
  std::vector<std::uint64_t> keys;
  bool fresh = true;  // the next node starts a group (a segment's first)
  // Levels are formed within windows of the segment (kPlanWindow, kCompactWindow: see
  // replay.hpp): operands before the window are complete when it starts.
  auto window = [&](std::size_t lo, std::size_t hi) {
    // Level: 1 + the operands' levels within the window; nodes of one level depend on none of
    // each other. Key: level | squares (2 bits) | folds (2 bits) | op (8 bits) | node. A square
    // its consumer computes has a level but no place in the schedule.
    keys.clear();
    for (std::size_t i = lo; i < hi; ++i) {
      const Node& n = t_.base_[i];
      // Set by the tensor node after the segment, or the parameter block (copied in at once).
      if (n.op() == ops::kTensorCode || i < t_.floor_) continue;
      const std::uint32_t a = n.a(), b = n.b();
      const std::uint32_t la = a >= lo && a < i ? level[a] : 0,
                          lb = b >= lo && b < i ? level[b] : 0;
      level[i] = 1 + std::max(la, lb);
      if (marked && m.squared[i]) continue;
      const std::uint64_t f = m.folding    ? m.folds[i] | m.squares[i] << 2
                              : m.squaring ? m.squares[i] << 2
                                           : 0;
      keys.push_back(std::uint64_t{level[i]} << 44 | f << 40 | std::uint64_t{n.op()} << 32 | i);
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const auto i = static_cast<std::uint32_t>(keys[k]);
      const auto pos = static_cast<std::uint32_t>(order.size());
      order.push_back(i);
      if (groups == nullptr) continue;
      const auto op = static_cast<std::uint8_t>(keys[k] >> 32);
      const auto f = static_cast<std::uint8_t>(keys[k] >> 40 & 3);
      const auto sq = static_cast<std::uint8_t>(keys[k] >> 42 & 3);
      // Consecutive groups of one kind run as one: still in dependency order, and a chain of
      // single-node levels (a running sum: one add per level) costs one dispatch, not one each.
      if (fresh || groups->back().op != op || groups->back().folds != f ||
          groups->back().squares != sq)
        groups->push_back(Group{pos, pos, op, f, sq});
      else if (k == 0 || keys[k] >> 44 != keys[k - 1] >> 44)
        groups->back().chain = true;
      fresh = false;
      groups->back().end = pos + 1;
    }
  };
  auto segment = [&](std::size_t lo, std::size_t hi) {
    fresh = true;
    for (std::size_t w = lo; w < hi; w += m.window) window(w, std::min(hi, w + m.window));
    if (segments != nullptr) segments->push_back(static_cast<std::uint32_t>(groups->size()));
  };
  // One segment per tensor node (possibly empty) and the last one, as replay_sweep walks them.
  std::size_t lo = 1;
  auto up_to = [&](std::size_t hi) {
    segment(lo, std::max(lo, hi));
    lo = std::max(lo, hi);
  };
  if (t_.tensors_)
    for (const detail::TensorNode& n : t_.tensors_->nodes) up_to(n.mark);
  up_to(t_.size_);
}

void Replay::build_plan(const std::vector<std::uint8_t>& folded,
                        const std::vector<std::uint8_t>& squared) {
  const std::size_t count = order_.size();
  compact_constants_.clear();
  plan_operands_.resize(count);
  std::vector<Operands> folds_at(count, Operands{0, 0});  // by position; kept for fold groups
  plan_partials_.resize(count);
  plan_reverse_.steps.clear();
  plan_folded_.clear();
  std::vector<std::uint32_t> pos_of(t_.size_, 0), reverse_operand(t_.size_, 0);
  // A square its consumer computes (no position): its reverse operand is its own operand.
  for (std::uint32_t i = t_.floor_; i < t_.size_; ++i)
    if (squared[i]) {
      reverse_operand[i] = t_.base_[i].a();
      plan_folded_.push_back(ReverseStep{i, t_.base_[i].a(), t_.base_[i].b(), kSquaredInPlace});
    }
  for (std::size_t pos = 0; pos < count; ++pos) {
    const std::uint32_t i = order_[pos];
    const Node& n = t_.base_[i];
    pos_of[i] = static_cast<std::uint32_t>(pos);
    // One-operand ops keep b at their own slot (see push1): the sweep adds their p1 (a constant
    // op's constant, else 0) to their own adjoint, which it then zeroes.
    const std::uint32_t a = n.a(), b = n.b();
    plan_partials_[pos] = Partials{n.p0, n.p1};
    // An operand folded earlier (its position precedes this one) stands for its own operand. A
    // square computed here is read through its operand, and its node gets the value.
    const bool fa = folded[a] != 0, fb = !kOneOperand[n.op()] && folded[b] != 0;
    const bool sa = fa && squared[a] != 0, sb = fb && squared[b] != 0;
    plan_operands_[pos] = Operands{sa ? t_.base_[a].a() : a, sb ? t_.base_[b].a() : b};
    folds_at[pos] = Operands{sa ? a : fa ? pos_of[a] : 0, sb ? b : fb ? pos_of[b] : 0};
    const ReverseStep step{i, fa ? reverse_operand[a] : a, fb ? reverse_operand[b] : b,
                           static_cast<std::uint32_t>(pos)};
    if (folded[i]) {
      reverse_operand[i] = step.a;
      plan_folded_.push_back(step);
    } else {
      plan_reverse_.steps.push_back(step);
    }
  }
  plan_folds_.clear();
  plan_constants_.clear();
  for (Group& g : groups_) {
    if (g.folds == 0) continue;
    g.fold_first = static_cast<std::uint32_t>(plan_folds_.size());
    plan_folds_.insert(plan_folds_.end(), folds_at.begin() + g.begin, folds_at.begin() + g.end);
    if (g.op != ops::kLinearCode) continue;
    g.constants = static_cast<std::uint32_t>(plan_constants_.size());
    for (std::uint32_t pos = g.begin; pos < g.end; ++pos) {
      const Node& n = t_.base_[order_[pos]];
      plan_constants_.push_back(Partials{n.p0, n.p1});
    }
  }
  std::sort(plan_folded_.begin(), plan_folded_.end(),
            [](const ReverseStep& x, const ReverseStep& y) { return x.node < y.node; });
  merge_steps();
  mark_carries(plan_reverse_);
  mark_carries(plan_merged_);
  plan_adjoints_ = std::make_unique<double[]>(t_.size_);
  adjoint_entries_ = t_.size_;
}

void Replay::merge_steps() {
  plan_merged_.steps = plan_reverse_.steps;
  std::vector<ReverseStep>& steps = plan_merged_.steps;
  plan_merges_.clear();
  // How many step operands read each node's adjoint, and each node's step.
  std::vector<std::uint32_t> reads(t_.size_, 0);
  std::vector<std::int32_t> step_of(t_.size_, -1);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const ReverseStep& s = steps[k];
    step_of[s.node] = static_cast<std::int32_t>(k);
    ++reads[s.a];
    if (s.b != s.node) ++reads[s.b];
  }
  std::vector<std::uint8_t> gone(steps.size(), 0);
  auto next_pos = static_cast<std::uint32_t>(plan_partials_.size());
  constexpr std::uint32_t kNone = ~0u;  // c's other operand adds nothing (set below)
  // In schedule order: a step t merged into c has its own merges done, and its partials (at its
  // position, or at its merged one) are final when c's merge reads them.
  for (ReverseStep& c : steps) {
    for (bool merged = true; merged;) {
      merged = false;
      for (std::uint32_t slot = 0; slot < 2 && !merged; ++slot) {
        const bool one_operand = c.b == c.node;
        if (slot == 1 && one_operand) break;
        const std::uint32_t x = slot == 0 ? c.a : c.b, other = slot == 0 ? c.b : c.a;
        if (x == other || reads[x] != 1 || step_of[x] < 0) continue;
        const ReverseStep& t = steps[static_cast<std::size_t>(step_of[x])];
        if (t.b == t.node) continue;  // a one-operand t: used once, it was folded
        // c's partial for its other operand adds to t's operand that is the same node; c's
        // other operand must be one of t's (a step has two operands), unless c has one.
        std::uint32_t add_a = kNone, add_b = kNone;
        if (!one_operand) {
          if (other == t.a)
            add_a = 2 * c.pos + 1 - slot;
          else if (other == t.b)
            add_b = 2 * c.pos + 1 - slot;
          else
            continue;
          --reads[other];
        }
        reads[x] = 0;
        gone[static_cast<std::size_t>(step_of[x])] = 1;
        plan_merges_.push_back(Merge{2 * c.pos + slot, 2 * t.pos, add_a, add_b, 2 * next_pos});
        c.a = t.a;
        c.b = t.b;
        c.pos = next_pos++;
        merged = true;
      }
    }
  }
  if (plan_merges_.empty()) {
    steps.clear();
    return;
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < steps.size(); ++k)
    if (!gone[k]) steps[kept++] = steps[k];
  steps.resize(kept);
  // One more entry, zero, for the merges where c's other operand adds nothing.
  plan_partials_.resize(next_pos + 1, Partials{0, 0});
  for (Merge& m : plan_merges_) {
    if (m.add_a == kNone) m.add_a = 2 * next_pos;
    if (m.add_b == kNone) m.add_b = 2 * next_pos;
  }
}

void Replay::mark_carries(SweepSteps& sweep) {
  // The carried operand becomes the step's own slot, zeroed after the step: one slot shared by
  // all such stores would chain every step to the one before it through memory.
  std::vector<ReverseStep>& steps = sweep.steps;
  sweep.runs.clear();
  for (std::size_t k = 0; k < steps.size(); ++k) {
    ReverseStep& s = steps[k];
    const std::uint32_t next = k > 0 ? steps[k - 1].node : 0;  // the step after it in the sweep
    std::uint32_t carry = 0;
    if (k > 0 && s.a == next) {
      s.a = s.node;
      carry = 1;
    } else if (k > 0 && s.b == next) {
      s.b = s.node;
      carry = 2;
    }
    if (sweep.runs.empty() || sweep.runs.back().carry != carry)
      sweep.runs.push_back(StepRun{0, carry});
    sweep.runs.back().end = static_cast<std::uint32_t>(k + 1);
  }
}

}  // namespace slope
