// SPDX-License-Identifier: MIT
// Replay: the forward sweep of a recording made with Mode::replay. Every node's rule, dispatched
// on its op code, runs again at T = double (new values and partials, written over the recorded
// ones) or at T = Dual (values with tangents, partials with their directional derivatives);
// tensor nodes run their ops' forward between the scalar segments, in recorded order. The reverse
// sweeps are then exactly those of a fresh recording.

#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <utility>

#include <slope/autodiff/functional.hpp>
#include <slope/autodiff/op_list.hpp>
#include <slope/autodiff/tape.hpp>
#include <slope/core/hessian.hpp>

#include "replay.hpp"
#include "tensor_list.hpp"

namespace slope {

using detail::Replay;

namespace {

// An operand's value: the node just computed travels in a register (`prev`), so a chain of ops
// does not wait on a store and a reload per node; the branch follows the chain predictably.
SLOPE_INLINE double operand(std::uint32_t slot, std::size_t i, double prev, const double* val) {
  if (slot + 1 == i) return prev;
  return val[slot];
}

// One node at T = double: value into val[i] (and returned), partials into the node. A constant
// op keeps its constant in p1; a one-operand op's p1 stays 0.
template <class Op>
SLOPE_INLINE double replay_node(Node& n, double* val, std::size_t i, double prev) {
  const double a = operand(n.a(), i, prev, val);
  double b = 0;
  if constexpr (Op::arity == ops::Arity::constant) b = n.p1;
  if constexpr (Op::arity == ops::Arity::binary) b = operand(n.b(), i, prev, val);
  const ops::Evaluated<double> e = ops::evaluate<Op>(a, b);
  n.p0 = e.p0;
  if constexpr (Op::arity == ops::Arity::binary) n.p1 = e.p1;
  val[i] = e.z;
  return e.z;
}

// The same in dual numbers: the partials' tangents go to the node's Tangent entry.
template <class Op>
SLOPE_INLINE void replay_node_dual(Node& n, Tangent& t, double* val, const Tangent* tan,
                                   std::size_t i) {
  const Dual a(val[n.a()], tan[n.a()].t);
  Dual b = 0;
  if constexpr (Op::arity == ops::Arity::constant) b = n.p1;
  if constexpr (Op::arity == ops::Arity::binary) b = Dual(val[n.b()], tan[n.b()].t);
  const ops::Evaluated<Dual> e = [&] {
    if constexpr (Op::arity == ops::Arity::constant)
      return ops::evaluate<Op>(a, b.v);
    else
      return ops::evaluate<Op>(a, b);
  }();
  const Dual z = e.z, p0 = e.p0, p1 = e.p1;
  if constexpr (Op::arity == ops::Arity::binary) n.p1 = p1.v;
  val[i] = z.v;
  n.p0 = p0.v;
  n.adj = 0;
  t = Tangent{z.d, p0.d, p1.d, 0};
}

// One comparison per op code against a constant: GCC turns the chain into a jump table with
// every rule inlined (an indirect call per node cost more than the rule itself for + and *).
template <bool kDual, class... Ops, std::size_t... I>
SLOPE_INLINE double dispatch(std::uint8_t code, Node& n, Tangent* tan, double* val, std::size_t i,
                             double prev, ops::TypeList<Ops...>, std::index_sequence<I...>) {
  double z = 0;
  if constexpr (kDual)
    (void)((code == ops::kFirstOpCode + I
                ? (replay_node_dual<Ops>(n, tan[i], val, tan, i), z = val[i], true)
                : false) ||
           ...);
  else
    (void)((code == ops::kFirstOpCode + I ? (z = replay_node<Ops>(n, val, i, prev), true)
                                          : false) ||
           ...);
  return z;
}

// A group of independent nodes of one op: no dispatch per node, and no node waits on another.
template <class Op>
void replay_group(Node* nodes, double* val, const std::uint32_t* idx, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t i = idx[k];
    replay_node<Op>(nodes[i], val, i, val[i - 1]);
  }
}

template <class... Ops, std::size_t... I>
void dispatch_group(std::uint8_t code, Node* nodes, double* val, const std::uint32_t* idx,
                    std::size_t count, ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I ? (replay_group<Ops>(nodes, val, idx, count), true)
                                        : false) ||
         ...);
}

template <bool kDual>
void forward_nodes(Node* nodes, Tangent* tan, double* val, std::size_t lo, std::size_t hi,
                   std::span<const double> x, std::span<const double> v) {
  double prev = val[lo - 1];
  for (std::size_t i = lo; i < hi; ++i) {
    Node& n = nodes[i];
    const std::uint8_t op = n.op();
    if (op >= ops::kFirstOpCode) [[likely]] {
      prev = dispatch<kDual>(op, n, tan, val, i, prev, ops::OpList{},
                             std::make_index_sequence<ops::OpList::size>{});
      continue;
    }
    if constexpr (kDual) n.adj = 0;
    if (op == ops::kLinearCode) {
      val[i] = prev = n.p0 * operand(n.a(), i, prev, val) + n.p1 * operand(n.b(), i, prev, val);
      if constexpr (kDual) tan[i] = Tangent{n.p0 * tan[n.a()].t + n.p1 * tan[n.b()].t, 0, 0, 0};
    } else if (op == ops::kInputCode) {
      const auto k = static_cast<std::size_t>(n.p1);
      val[i] = prev = x[k];
      if constexpr (kDual) tan[i] = Tangent{v[k], 0, 0, 0};
    } else if (op == ops::kTensorCode) {
      // Its value comes from the tensor node recorded right after it.
      prev = val[i];
      if constexpr (kDual) tan[i] = Tangent{0, 0, 0, 0};
    } else {
      Replay::throw_gradient_only();
    }
  }
}

}  // namespace

void Replay::forward_segment(std::size_t lo, std::size_t hi, std::span<const double> x,
                             std::span<const double> v, bool dual) {
  if (dual)
    forward_nodes<true>(t_.base_, t_.tangents_.get(), values_.get(), lo, hi, x, v);
  else
    forward_nodes<false>(t_.base_, nullptr, values_.get(), lo, hi, x, v);
}

void Replay::forward_groups(std::size_t seg, std::span<const double> x) {
  const std::uint32_t first = seg == 0 ? 0 : segment_groups_[seg - 1];
  double* val = values_.get();
  for (std::uint32_t k = first; k < segment_groups_[seg]; ++k) {
    const Group& g = groups_[k];
    const std::uint32_t* idx = order_.data() + g.begin;
    const std::size_t count = g.end - g.begin;
    if (g.op >= ops::kFirstOpCode) {
      dispatch_group(g.op, t_.base_, val, idx, count, ops::OpList{},
                     std::make_index_sequence<ops::OpList::size>{});
    } else if (g.op == ops::kLinearCode) {
      for (std::size_t j = 0; j < count; ++j) {
        const Node& n = t_.base_[idx[j]];
        val[idx[j]] = n.p0 * val[n.a()] + n.p1 * val[n.b()];
      }
    } else if (g.op == ops::kInputCode) {
      for (std::size_t j = 0; j < count; ++j)
        val[idx[j]] = x[static_cast<std::size_t>(t_.base_[idx[j]].p1)];
    } else {
      Replay::throw_gradient_only();
    }
  }
}

void Tape::replay(std::span<const double> x) {
  sweep(x);
  check_replay("slope::Tape::", "replay");
}

void Tape::replay(std::span<const double> x, std::span<const double> v) {
  sweep(x, v);
  check_replay("slope::Tape::", "replay");
}

void Tape::sweep(std::span<const double> x) { compiled().sweep(x, {}, false); }

void Tape::sweep(std::span<const double> x, std::span<const double> v) {
  if (v.size() != x.size())
    throw Error("slope::Tape::replay: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  compiled().sweep(x, v, true);
}

void Replay::sweep(std::span<const double> x, std::span<const double> v, bool dual) {
  if (t_.stage_ == Tape::Stage::recording)
    throw Error("slope::Tape::replay: the recording is still open");
  if (t_.mode_ != Mode::replay)
    throw Error("slope::Tape::replay: the tape was recorded for a gradient only (Mode::gradient)");
  if (x.size() != t_.inputs_.size())
    throw Error("slope::Tape::replay: x has length " + std::to_string(x.size()) +
                ", the recording has " + std::to_string(t_.inputs_.size()) + " inputs");
  if (dual && !t_.tangents_) t_.tangents_ = std::make_unique_for_overwrite<Tangent[]>(t_.capacity_);
  // A block of inputs is read from its slots (copied there below, or set by its input nodes in
  // the dual sweep): a second copy into t_.inputs_ was a large part of a replay of Rosenbrock
  // n = 1000 when x and t_.inputs_ sat at nearly the same offset in a 4 KiB page (loads waited on the
  // stores of the copy).
  t_.inputs_in_values_ = t_.floor_ > 1 && t_.inputs_.size() + 1 == t_.floor_;
  if (!t_.inputs_in_values_) std::copy(x.begin(), x.end(), t_.inputs_.begin());
  t_.dual_ = dual;
  t_.base_[0].adj = 0;
  if (dual) t_.tangents_[0] = Tangent{0, 0, 0, 0};
  replaying_ = true;
  struct Done {
    Replay& r;
    ~Done() { r.replaying_ = false; }
  } done{*this};
  replay_error_.reset();
  error_slot_ = error_tensor_ = kNoSlot;
  reached_ = t_.size_;
  tensors_reached_ = static_cast<std::uint32_t>(t_.tensor_count());
  // The fast sweeps run whole (a try block costs nothing until something throws); should a rule
  // or a tensor op throw, the sweep runs again node by node to find which, and what the guards
  // compare is computed as far as it can be.
  try {
    forward_sweep(x, v, dual);
  } catch (...) {
    forward_one_by_one(x, v, dual, std::current_exception());
  }
}

// Allocated once per tape: a warm replay allocates nothing. Grown when a pooled tape records
// more, or when a compact replay goes node by node (forward_one_by_one: values by slot).
void Replay::reserve_values(std::uint32_t entries) {
  if (values_capacity_ >= entries) return;
  values_ = std::make_unique_for_overwrite<double[]>(entries);
  values_capacity_ = entries;
}

void Replay::forward_sweep(std::span<const double> x, std::span<const double> v, bool dual) {
  // The level schedule, built once; dual sweeps run by it in the compact format, else node by
  // node in recorded order.
  if (segment_groups_.empty()) {
    build_schedule();
    reserve_values(value_entries());
    t_.note_peak();
  }
  values_[0] = 0;  // the sink
  compact_dual_ = dual && format_ == ReplayFormat::compact;
  if (compact_dual_) {
    plan_swept_ = true;
    forward_compact_dual(x, v);
    t_.forward_swept(false);
    return;
  }
  if (!dual && t_.floor_ > 1) std::copy(x.begin(), x.end(), values_.get() + 1);  // the block
  plan_swept_ = !dual && planned_;
  if (plan_swept_) {
    if (format_ == ReplayFormat::compact)
      forward_compact();
    else
      forward_plan();
    t_.forward_swept(false);
    return;
  }
  std::size_t lo = 1, seg = 0;
  auto scalars = [&](std::size_t hi) {
    if (dual && hi > lo)
      forward_segment(lo, hi, x, v, true);
    else if (!dual)
      forward_groups(seg, x);
    ++seg;
    lo = std::max(lo, hi);
  };
  if (t_.tensors_) {
    detail::TensorList& list = *t_.tensors_;
    list.use_pool();
    // Room for every array of the recording, twice: the adjoints a sweep returns to the pool
    // and the temporaries of the next one.
    list.pool.limit = std::max(list.pool.limit, 2 * list.footprint());
    list.pool.slots = std::max(list.pool.slots, 4 * list.nodes.size());
    for (detail::TensorNode& n : list.nodes) {
      scalars(n.mark);
      if (n.varies()) n.op->forward(t_, list, n);
    }
  }
  scalars(t_.size_);
  // The first-order forward sweep leaves adjoints alone (the last sweep left them zero, or the
  // next one clears them); the dual one zeroes them and their tangents.
  t_.forward_swept(dual);  // tensor adjoints of the previous sweep are released by the next one
}

// ---- the tape's side of its compiled replay ----

void detail::ReplayDeleter::operator()(Replay* replay) const { delete replay; }

Replay& Tape::compiled() {
  if (!replay_) replay_.reset(new Replay(*this));
  return *replay_;
}

bool Tape::plan_gradient() const { return replay_ && replay_->plan_gradient_; }

double Tape::adjoint(std::uint32_t slot) const {
  // The compact format's inputs' adjoints are zero in its array until a reverse sweep fills them.
  // The dense arrays are by position and keep no intermediate adjoint (inputs are below the
  // floor in both formats that have them).
  if (plan_gradient() || (replay_ && replay_->by_position()))
    return slot < floor_ ? replay_->plan_adjoints_[slot] : 0.0;
  return base_[slot].adj;
}

double Tape::replayed_value(std::uint32_t slot) const { return replay_->value(slot); }

double Tape::hvp_adjoint(std::uint32_t slot) const {
  // After a compact dual sweep the inputs' adjoint tangents are in its array: zero until a
  // reverse sweep fills them (a constant output has none).
  if (replay_ && replay_->compact_dual_)
    return slot < floor_ ? replay_->compact_adj_dot_[slot] : 0.0;
  return tangents_[slot].adj;
}

std::size_t Tape::tensors_replayed() const {
  return replay_ ? replay_->tensors_reached_ : tensor_count();
}

std::span<const double> Tape::input_values() const {
  if (inputs_in_values_) return {replay_->values_.get() + 1, inputs_.size()};
  return inputs_;
}

void Tape::check_replay(const char* scope, const char* call) const {
  if (replay_) replay_->check_replay(scope, call);
}

void Replay::throw_gradient_only() {
  throw Error(
      "slope::Tape::replay: the recording folded ops for a gradient only (Mode::gradient) "
      "and cannot be replayed; record with Mode::replay");
}

void Replay::forget() {
  replaying_ = false;
  replay_error_.reset();
  reached_ = tensors_reached_ = kNoSlot;
  segment_groups_.clear();
  planned_ = plan_swept_ = plan_gradient_ = compact_dual_ = false;
  format_ = ReplayFormat::nodes;
}

namespace detail {

xt::xarray<double> finish_hessian(Tape& tape, const Var& y, const Tensor& p, const char* call) {
  check_output(tape, y, call);
  tape.close();
  const std::size_t n = p.size();
  const std::vector<double> x(tape.input_values().begin(), tape.input_values().end());
  xt::xarray<double> h = xt::xarray<double>::from_shape({n, n});
  std::vector<double> e(n), col(n);
  core::hessian_from_hvps(n, {h.data(), h.size()}, e, col,
                          [&](std::span<const double> u, std::span<double> c) {
                            tape.replay(x, u);
                            if (y.is_active()) tape.reverse_dual_replayed(y.slot());
                            for (std::size_t i = 0; i < n; ++i)
                              c[i] = tape.hvp_adjoint(p.first_slot() + i);
                          });
  return h;
}

}  // namespace detail
}  // namespace slope
