// SPDX-License-Identifier: MIT
// Building the compact format from the level schedule (see replay.hpp): positions, operands by
// position, the table of distinct constants, the folded products' second factors by group, the
// linear nodes' constants and the positions of what is read by slot.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include <slope/autodiff/op_list.hpp>

#include "replay.hpp"

namespace slope {

using detail::Replay;

namespace {

template <class... Ops, std::size_t... I>
constexpr std::array<bool, 256> constant_codes(ops::TypeList<Ops...>, std::index_sequence<I...>) {
  std::array<bool, 256> constant{};
  ((constant[ops::kFirstOpCode + I] = Ops::arity == ops::Arity::constant), ...);
  return constant;
}
// Op codes of ops with a constant operand (x ∘ c, c ∘ x).
constexpr std::array<bool, 256> kConstantOp =
    constant_codes(ops::OpList{}, std::make_index_sequence<ops::OpList::size>{});

// A folded product's second factor: Mul's b, a square's own operand.
std::uint32_t second_factor(const Node& n) {
  return n.op() == ops::op_code<ops::Square> ? n.a() : n.b();
}

}  // namespace

void Replay::build_compact(const std::vector<std::uint8_t>& squared) {
  const std::size_t count = order_.size();
  plan_operands_.resize(count);
  plan_constants_.clear();
  compact_constants_.clear();
  // The plan's arrays (a pooled tape's earlier recording may have left them) are not used.
  plan_partials_.clear();
  plan_reverse_ = {};
  plan_folded_.clear();
  plan_merged_ = {};
  plan_merges_.clear();
  plan_folds_.clear();
  const std::vector<std::uint32_t> position = compact_positions(order_, squared);
  compact_scheduled_ = t_.floor_ + static_cast<std::uint32_t>(count);
  // A constant op's constant is stored once per distinct value (by its bits: -0 and NaNs kept).
  std::unordered_map<std::uint64_t, std::uint32_t> index;
  // The folded operands' second factors, by position of their consumers.
  std::vector<Operands> folds_at(count, Operands{0, 0});
  auto second = [&](std::uint32_t slot) { return position[second_factor(t_.base_[slot])]; };
  for (std::size_t pos = 0; pos < count; ++pos) {
    const Node& n = t_.base_[order_[pos]];
    std::uint32_t a = n.a(), b = n.b();
    if (kConstantOp[n.op()]) {
      std::uint64_t bits;
      std::memcpy(&bits, &n.p1, sizeof bits);
      const auto [at, added] =
          index.try_emplace(bits, static_cast<std::uint32_t>(compact_constants_.size()));
      if (added) compact_constants_.push_back(n.p1);
      b = at->second;
    } else if (b != order_[pos]) {  // a second operand (a one-operand op names its own slot)
      if (squared[b]) {
        folds_at[pos].b = second(b);
        b = t_.base_[b].a();
      }
      b = position[b];
    }
    if (squared[a]) {
      folds_at[pos].a = second(a);
      a = t_.base_[a].a();
    }
    plan_operands_[pos] = Operands{position[a], b};
  }
  compact_folds_.clear();
  for (Group& g : groups_) {
    if (g.squares != 0) {
      g.fold_first = static_cast<std::uint32_t>(compact_folds_.size());
      for (std::uint32_t pos = g.begin; pos < g.end; ++pos) {
        if ((g.squares & 1) != 0) compact_folds_.push_back(folds_at[pos].a);
        if ((g.squares & 2) != 0) compact_folds_.push_back(folds_at[pos].b);
      }
    }
    if (g.op >= ops::kFirstOpCode) continue;
    if (g.op != ops::kLinearCode) throw_gradient_only();  // inputs and tensors are not planned
    g.constants = static_cast<std::uint32_t>(plan_constants_.size());
    for (std::uint32_t pos = g.begin; pos < g.end; ++pos) {
      const Node& n = t_.base_[order_[pos]];
      plan_constants_.push_back(Partials{n.p0, n.p1});
    }
  }
  // What is read by slot at every replay: the guards' operands and the last node (the output,
  // unless the recording went on past it), and the factors of those that are folded products.
  named_positions_.clear();
  auto named = [&](std::uint32_t slot) {
    if (slot >= t_.floor_ && slot < t_.size_) named_positions_.emplace_back(slot, position[slot]);
  };
  auto name = [&](std::uint32_t slot) {
    named(slot);
    if (slot < t_.size_ && squared[slot]) {  // a folded product's value is its factors'
      named(t_.base_[slot].a());
      named(t_.base_[slot].b());
    }
  };
  for (const Guard& g : t_.guards_) name(g.a), name(g.b);
  name(t_.size_ - 1);
  std::sort(named_positions_.begin(), named_positions_.end());
  named_positions_.erase(std::unique(named_positions_.begin(), named_positions_.end()),
                         named_positions_.end());
  named_positions_.shrink_to_fit();
  order_.clear();  // the positions replace it
  order_.shrink_to_fit();
  compact_constants_.shrink_to_fit();
  plan_constants_.shrink_to_fit();
  compact_folds_.shrink_to_fit();
  // By position, as the values: a folded product has neither (its share goes to its factors).
  plan_adjoints_ = std::make_unique<double[]>(compact_scheduled_);
  adjoint_entries_ = compact_scheduled_;
}

std::vector<std::uint32_t> Replay::compact_positions(
    const std::vector<std::uint32_t>& order, const std::vector<std::uint8_t>& squared) const {
  // The inputs (and the sink) keep their slots, the scheduled nodes follow in schedule order,
  // then the folded products (no value is stored there: Replay::value multiplies their factors).
  std::vector<std::uint32_t> position(t_.size_, 0);
  for (std::uint32_t i = 0; i < t_.floor_; ++i) position[i] = i;
  for (std::size_t k = 0; k < order.size(); ++k)
    position[order[k]] = t_.floor_ + static_cast<std::uint32_t>(k);
  auto next = t_.floor_ + static_cast<std::uint32_t>(order.size());
  for (std::uint32_t i = t_.floor_; i < t_.size_; ++i)
    if (squared[i]) position[i] = next++;
  if (next != t_.size_) throw_gradient_only();  // a node neither scheduled nor folded
  return position;
}

std::pair<std::uint32_t, std::uint32_t> Replay::factors_of(std::uint32_t slot) const {
  const Node& n = t_.base_[slot];
  return {position_of(n.a()), position_of(second_factor(n))};
}

double Replay::folded_value(std::uint32_t slot) const {
  const auto [x, y] = factors_of(slot);
  return values_[x] * values_[y];  // Mul's f and Square's, as the consumer computed it
}

std::uint32_t Replay::position_of(std::uint32_t slot) const {
  if (slot < t_.floor_) return slot;
  const auto named = std::lower_bound(named_positions_.begin(), named_positions_.end(),
                                      std::pair<std::uint32_t, std::uint32_t>{slot, 0});
  if (named != named_positions_.end() && named->first == slot) return named->second;
  if (position_.empty()) {
    std::vector<std::uint32_t> order;
    const FoldMarks m = mark_folds(ReplayFormat::compact);
    order_nodes(m, order, nullptr, nullptr);
    position_ = compact_positions(order, m.squared);
  }
  return position_[slot];
}

}  // namespace slope
