// SPDX-License-Identifier: MIT
// What a replay ran into. Should a rule or a tensor op throw during the fast sweeps (replay.cpp),
// the sweep runs again node by node here, keeping the first error; check_replay() then reports
// it, named after the node, and runs the NaN check over the replayed values.

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <utility>

#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/tape.hpp>

#include "replay.hpp"
#include "rethrow.hpp"
#include "tensor_list.hpp"

namespace slope {

using detail::Replay;

// Node by node in recorded order, each scalar rule and tensor op on its own: a scalar rule that
// throws leaves NaN for its value (what a quiet rule would give), so the guards after it still
// compare something; a tensor op that throws ends the sweep (the nodes after it could read a
// value of the wrong shape), and reached_ says where.
void Replay::forward_one_by_one(std::span<const double> x, std::span<const double> v, bool dual,
                                std::exception_ptr first) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  plan_swept_ = compact_dual_ = false;
  reserve_values(t_.capacity_);  // by slot, here in every format
  values_[0] = 0;
  // The first error stays should the sweep below not throw again.
  replay_error_ = std::make_unique<std::exception_ptr>(std::move(first));
  bool caught = false;
  auto note = [&](std::uint32_t slot, std::uint32_t tensor) {
    if (caught) return;
    caught = true;
    *replay_error_ = std::current_exception();
    error_slot_ = slot;
    error_tensor_ = tensor;
  };
  std::size_t lo = 1;
  auto scalars = [&](std::size_t hi) {
    for (; lo < hi; ++lo) {
      try {
        forward_segment(lo, lo + 1, x, v, dual);
      } catch (...) {
        note(static_cast<std::uint32_t>(lo), kNoSlot);
        values_[lo] = kNaN;
        if (dual) t_.tangents_[lo] = Tangent{kNaN, 0, 0, 0};
      }
    }
  };
  if (t_.tensors_) {
    detail::TensorList& list = *t_.tensors_;
    list.use_pool();
    for (std::size_t k = 0; k < list.nodes.size(); ++k) {
      detail::TensorNode& n = list.nodes[k];
      scalars(n.mark);
      if (!n.varies()) continue;
      try {
        n.op->forward(t_, list, n);
      } catch (...) {
        note(kNoSlot, static_cast<std::uint32_t>(k));
        reached_ = static_cast<std::uint32_t>(lo);
        tensors_reached_ = static_cast<std::uint32_t>(k);
        break;
      }
    }
  }
  if (reached_ == t_.size_) scalars(t_.size_);
  // Adjoints and tangents may be anywhere: the next sweep clears them all.
  t_.adjoints_ = Tape::Adjoints::dirty;
}

namespace {

template <class... Ops, std::size_t... I>
constexpr std::array<const char*, 256> op_names(ops::TypeList<Ops...>, std::index_sequence<I...>) {
  std::array<const char*, 256> names{};
  names.fill("op");
  names[ops::kInputCode] = "input";
  names[ops::kTensorCode] = "tensor element";
  names[ops::kLinearCode] = "linear";
  ((names[ops::kFirstOpCode + I] = Ops::name), ...);
  return names;
}
constexpr std::array<const char*, 256> kOpNames =
    op_names(ops::OpList{}, std::make_index_sequence<ops::OpList::size>{});

template <class... Ops, std::size_t... I>
constexpr std::array<int, 256> op_arities(ops::TypeList<Ops...>, std::index_sequence<I...>) {
  std::array<int, 256> arity{};
  arity[ops::kLinearCode] = 2;
  ((arity[ops::kFirstOpCode + I] = Ops::arity == ops::Arity::unary ? 1 : 2), ...);
  return arity;
}
constexpr std::array<int, 256> kArities =
    op_arities(ops::OpList{}, std::make_index_sequence<ops::OpList::size>{});

}  // namespace

// A node as the NaN check and the messages below name it: op(operands), at the replayed values.
std::string Replay::describe(std::uint32_t slot) const {
  const Node& n = t_.base_[slot];
  const double a = value(n.a());
  if (n.op() == ops::kLinearCode)
    return core::number(n.p0) + "·" + core::number(a) + " + " + core::number(n.p1) + "·" +
           core::number(value(n.b()));
  std::string s = std::string(kOpNames[n.op()]) + "(" + core::number(a);
  if (n.op() >= ops::kFirstOpCode && kArities[n.op()] == 2) {
    // A one-operand op with a constant keeps it in p1 (b is the node's own slot).
    const bool constant = n.b() == slot;
    s += ", " + core::number(constant ? n.p1 : value(n.b()));
  }
  return s + ")";
}

void Replay::throw_replay_error(const std::string& call) const {
  std::string where;
  if (error_slot_ != kNoSlot)
    where = describe(error_slot_);
  else if (error_tensor_ != kNoSlot)
    where = "tensor op #" + std::to_string(error_tensor_);
  try {
    std::rethrow_exception(*replay_error_);
  } catch (const std::exception&) {
    detail::rethrow_as_error(call + ": " + (where.empty() ? "the replay" : where) + " threw");
  } catch (...) {
    throw Error(call + ": " + (where.empty() ? "the replay" : where) +
                " threw an exception that is not a std::exception");
  }
}

void Replay::check_finite_values(const std::string& call) const {
  std::size_t lo = t_.floor_;
  auto scalars = [&](std::size_t hi) {
    for (; lo < hi; ++lo) {
      const double v = value(static_cast<std::uint32_t>(lo));
      if (!std::isfinite(v) && t_.base_[lo].op() != ops::kInputCode)
        throw Error(call + ": nan check: " + describe(static_cast<std::uint32_t>(lo)) + " = " +
                    core::number(v));
    }
  };
  if (t_.tensors_) {
    const detail::TensorList& list = *t_.tensors_;
    for (std::size_t k = 0; k < list.nodes.size(); ++k) {
      const detail::TensorNode& n = list.nodes[k];
      scalars(std::max<std::size_t>(lo, n.mark));
      if (!n.varies()) continue;
      const detail::ValueRef value = n.value();
      const double* bad =
          std::find_if(value.begin(), value.end(), [](double e) { return !std::isfinite(e); });
      if (bad != value.end())
        throw Error(call + ": nan check: tensor op #" + std::to_string(k) + " produced " +
                    core::number(*bad) + " at flat index " + std::to_string(bad - value.begin()) +
                    " of shape " + core::shape(value.shape()));
    }
  }
  scalars(t_.size_);
}

void Replay::check_replay(const char* scope, const char* call) const {
  if (replay_error_) [[unlikely]]
    throw_replay_error(std::string(scope) + call);
  if (nan_check()) [[unlikely]]
    check_finite_values(std::string(scope) + call);
}

}  // namespace slope
