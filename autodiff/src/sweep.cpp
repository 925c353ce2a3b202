// SPDX-License-Identifier: MIT
// The reverse sweeps of a Tape: first order and in dual numbers, node by node or (replays with a
// plan) by schedule position, with tensor nodes' rules between scalar segments; the second sweep
// that skips zero adjoints when the first one left a NaN at the inputs; and reading the adjoints.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <string>

#include <slope/autodiff/functional.hpp>
#include <slope/autodiff/tape.hpp>
#include <slope/autodiff/var.hpp>

#include "replay.hpp"
#include "rethrow.hpp"
#include "tensor_list.hpp"

namespace slope {

namespace {
// Accumulations make chains: an operand of node i is node i − 1, whose adjoint the next step
// reads straight back. That share travels in a register (`carry`) instead of through memory,
// where each step would wait on the previous one's store; its store goes to node i's own,
// already consumed, adjoint instead. Inputs registered among the ops need their complete
// adjoint written back (`kWriteBack`); their partials are 0 and k (their index) and their
// operands the sink 0, so only an input at slot 1 (k = 0) can look chained: it adds 0.
// kSkipZeros: each share by adjoint_share (the second sweep of Tape::sweep_from).
template <bool kWriteBack, bool kSkipZeros>
void sweep_first_order(Node* nodes, std::size_t out, std::size_t floor) {
  double carry = 0;
  for (std::size_t i = out; i >= floor; --i) {
    Node& n = nodes[i];
    const double g = n.adj + carry;
    const std::uint32_t a = n.a(), b = n.b();
    const double da = kSkipZeros ? adjoint_share(n.p0, g) : n.p0 * g;
    const double db = kSkipZeros ? adjoint_share(n.p1, g) : n.p1 * g;
    const bool ca = a + 1 == i, cb = b + 1 == i;
    carry = (ca ? da : 0.0) + (cb ? db : 0.0);
    nodes[ca ? i : a].adj += da;
    nodes[cb ? i : b].adj += db;
    if constexpr (kWriteBack) n.adj = g;
    // Leaves the adjoint zero for the next sweep of these nodes (a replay's forward sweep then
    // need not touch it); the chained shares above went to this, already consumed, slot.
    if constexpr (!kWriteBack) n.adj = 0;
  }
  nodes[floor - 1].adj += carry;  // the last step's share, when its operand is below the floor
}

// The same in dual numbers: (ā, ǡ) += (p, ṗ)·(z̄, ż̄) = (p z̄, ṗ z̄ + p ż̄), carrying both along
// chains (kSkipZeros: each product by adjoint_share). Adjoints are always written back (Hessian
// columns read them).
template <bool kSkipZeros>
void sweep_dual(Node* nodes, Tangent* tan, std::size_t out, std::size_t floor) {
  double carry = 0, carry_d = 0;
  for (std::size_t i = out; i >= floor; --i) {
    Node& n = nodes[i];
    Tangent& t = tan[i];
    const double g = n.adj + carry, gd = t.adj + carry_d;
    n.adj = g;
    t.adj = gd;
    const std::uint32_t a = n.a(), b = n.b();
    double da, dda, db, ddb;
    if constexpr (kSkipZeros) {
      const Dual sa = adjoint_share(Dual(n.p0, t.dp0), Dual(g, gd));
      const Dual sb = adjoint_share(Dual(n.p1, t.dp1), Dual(g, gd));
      da = sa.v, dda = sa.d, db = sb.v, ddb = sb.d;
    } else {
      da = n.p0 * g, dda = t.dp0 * g + n.p0 * gd;
      db = n.p1 * g, ddb = t.dp1 * g + n.p1 * gd;
    }
    const bool ca = a + 1 == i, cb = b + 1 == i;
    carry = (ca ? da : 0.0) + (cb ? db : 0.0);
    carry_d = (ca ? dda : 0.0) + (cb ? ddb : 0.0);
    const auto self = static_cast<std::uint32_t>(i);
    nodes[ca ? self : a].adj += da;
    tan[ca ? self : a].adj += dda;
    nodes[cb ? self : b].adj += db;
    tan[cb ? self : b].adj += ddb;
  }
  nodes[floor - 1].adj += carry;
  tan[floor - 1].adj += carry_d;
}
}  // namespace

void Tape::reverse_dual(const Var& y) {
  if (!dual_)
    throw Error("slope::Tape::reverse_dual: the recording has no tangents (use inputs(x, v))");
  if (begin_sweep(y, "reverse_dual")) sweep_from(y.slot(), true);
}

void Tape::reverse_replayed(std::uint32_t out) {
  if (replay_ && replay_->plan_swept_) {
    // The plan's sweep reads only the seed from the nodes: their adjoints may stay as a dual
    // sweep left them (zeroing them cost a pass over every 32-byte node whenever gradients and
    // HVPs of one Function alternate).
    replay_->clear_plan_gradient(floor_);
  } else {
    clear_adjoints();
  }
  base_[out].adj = 1.0;
  sweep_from(out, false);
}

void Tape::reverse_dual_replayed(std::uint32_t out) {
  if (!dual_) throw Error("slope::Tape::reverse_dual_replayed: the replay had no tangents");
  clear_adjoints();
  base_[out].adj = 1.0;
  sweep_from(out, true);
}

namespace {
template <bool kSkipZeros>
void sweep_scalars(Node* nodes, Tangent* tan, std::size_t out, std::size_t floor, bool dual,
                   bool write_back) {
  if (dual)
    sweep_dual<kSkipZeros>(nodes, tan, out, floor);
  else if (write_back)
    sweep_first_order<true, kSkipZeros>(nodes, out, floor);
  else
    sweep_first_order<false, kSkipZeros>(nodes, out, floor);
}
}  // namespace

void Tape::sweep_from(std::size_t out, bool dual) {
  zeros_ = ZeroAdjoints::multiplied;
  sweep_once(out, dual);
  if (!gradient_has_nan(dual)) [[likely]]
    return;
  // A NaN reached the inputs: from 0·∞ at a node whose adjoint is zero (recorded but unused, the
  // branch `where` did not take, a use scaled by 0) or from a real NaN on the way. Again, with
  // zero adjoints passing nothing on; a real NaN comes out again.
  clear_adjoints();
  base_[out].adj = 1.0;
  zeros_ = ZeroAdjoints::skipped;
  sweep_once(out, dual);
  zeros_ = ZeroAdjoints::multiplied;
}

void Tape::sweep_once(std::size_t out, bool dual) {
  const bool skip = zeros_ == ZeroAdjoints::skipped;
  if (dual && replay_ && replay_->compact_dual_) {
    replay_->reverse_compact_dual(static_cast<std::uint32_t>(out));
    return;
  }
  if (!dual && replay_ && replay_->plan_swept_) {
    // The nodes' adjoints are as they were (the seed's aside, which reverse_plan takes back).
    if (replay_->format_ == detail::ReplayFormat::compact)
      replay_->reverse_compact(static_cast<std::uint32_t>(out));
    else
      replay_->reverse_plan(static_cast<std::uint32_t>(out));
    return;
  }
  if (tensor_count() > 0)
    reverse_segmented(out, dual);
  else if (skip)
    sweep_scalars<true>(base_, tangents_.get(), out, floor_, dual, inputs_among_ops_);
  else
    sweep_scalars<false>(base_, tangents_.get(), out, floor_, dual, inputs_among_ops_);
  adjoints_ = !dual && !inputs_among_ops_ ? Adjoints::zero_from_floor : Adjoints::dirty;
}

namespace {
// False when some value is NaN or ±∞ (its exponent bits all ones). Flags in four independent
// lanes, ORed: a search with an exit per element, or one running minimum, waits on the previous
// element (a visible share of W2-small's replayed gradient, for its 100 inputs against 200 nodes).
template <std::size_t kStride>
bool all_finite(const double* first, std::size_t count) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ull;
  auto bad = [first](std::size_t i) {
    std::uint64_t bits;
    std::memcpy(&bits, first + i * kStride, sizeof bits);
    return (bits & kExponent) == kExponent;
  };
  bool b0 = false, b1 = false, b2 = false, b3 = false;
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) b0 |= bad(i), b1 |= bad(i + 1), b2 |= bad(i + 2), b3 |= bad(i + 3);
  for (; i < count; ++i) b0 |= bad(i);
  return !(b0 | b1 | b2 | b3);
}
}  // namespace

// A NaN (or ±∞: then the second sweep is spare, and gives the same) among the inputs' adjoints.
bool Tape::gradient_has_nan(bool dual) const {
  if (plan_gradient())
    return !all_finite<1>(replay_->plan_adjoints_.get(), floor_) ||
           (dual && !all_finite<1>(replay_->compact_adj_dot_.get(), floor_));
  // Inputs among the ops: their adjoints are anywhere on the tape (a write-back sweep kept all).
  const std::size_t end = inputs_among_ops_ ? size_ : std::min<std::size_t>(floor_, size_);
  if (end <= 1) return false;
  constexpr std::size_t kNode = sizeof(Node) / sizeof(double),
                        kTangent = sizeof(Tangent) / sizeof(double);
  static_assert(sizeof(Node) % sizeof(double) == 0 && sizeof(Tangent) % sizeof(double) == 0);
  if (!all_finite<kNode>(&base_[1].adj, end - 1)) return true;
  return dual && !all_finite<kTangent>(&tangents_[1].adj, end - 1);
}

void Tape::reverse_segmented(std::size_t out, bool dual) {
  // Scalar nodes [mark, hi] were recorded after tensor node k: sweep them, then run k's rule.
  detail::TensorList& list = *tensors_;
  list.use_pool();
  std::size_t hi = out;
  auto sweep_down_to = [&](std::size_t lo) {
    if (hi < lo) return;
    if (zeros_ == ZeroAdjoints::skipped)
      sweep_scalars<true>(base_, tangents_.get(), hi, lo, dual, inputs_among_ops_);
    else
      sweep_scalars<false>(base_, tangents_.get(), hi, lo, dual, inputs_among_ops_);
    hi = lo - 1;
  };
  for (std::size_t k = list.nodes.size(); k-- > 0;) {
    detail::TensorNode& n = list.nodes[k];
    if (!n.active()) continue;
    sweep_down_to(std::max<std::size_t>(n.mark, floor_));
    try {
      n.op->backward(*this, list, n);
    } catch (const std::exception&) {
      detail::rethrow_as_error("slope: the reverse rule of tensor op #" + std::to_string(k) +
                               " threw");
    }
  }
  sweep_down_to(floor_);
}

void Tape::forward_swept(bool dual) {
  // A dual forward sweep zeroes every adjoint and its tangent; a first-order one leaves them as
  // the last sweep did (after a recording: all zero).
  if (dual)
    adjoints_ = Adjoints::all_zero;
  else if (adjoints_ == Adjoints::untouched)
    adjoints_ = Adjoints::zero_from_floor;
}

void Tape::clear_adjoints() {
  if (plan_gradient() || (replay_ && replay_->compact_dual_)) {
    // The plan's sweep left adjoints only at the inputs, in its own array; the nodes' are not
    // read again before a dual forward sweep zeroes them (they may hold what a dual reverse
    // sweep left, hence dirty): no 32-byte node line needs touching.
    replay_->clear_plan_gradient(floor_);
    adjoints_ = Adjoints::dirty;  // until a sweep completes
    return;
  }
  // Recording and the dual forward sweep zero each node's adjoint, and a completed first-order
  // sweep leaves the adjoints of the nodes it swept zero: then only the inputs below the floor
  // (the gradient just read) need clearing.
  const bool swept = adjoints_ != Adjoints::untouched;
  if (swept) {
    const bool ops_clean = adjoints_ != Adjoints::dirty;
    const std::uint32_t end = ops_clean ? std::min<std::uint32_t>(floor_, size_) : size_;
    for (std::uint32_t i = 0; i < end; ++i) base_[i].adj = 0;
    if (dual_ && adjoints_ != Adjoints::all_zero)
      for (std::uint32_t i = 0; i < size_; ++i) tangents_[i].adj = 0;
  }
  if (swept && tensors_) {
    tensors_->use_pool();
    for (detail::TensorNode& n : tensors_->nodes) {
      if (n.has_adj) detail::recycle(std::move(n.adj));
      if (n.has_adj_tan) detail::recycle(std::move(n.adj_tan));
      n.has_adj = n.has_adj_tan = false;
    }
  }
  adjoints_ = Adjoints::dirty;  // until a sweep completes
}

bool Tape::begin_sweep(const Var& y, const char* call) {
  clear_adjoints();
  if (!y.is_active()) return false;
  if (y.tag_ != tag_ || y.slot() >= size())
    throw Error(std::string("slope::Tape::") + call + ": the output Var (value " +
                core::number(y.value_) + ") is not from this recording (recording #" +
                std::to_string(y.tag_) + ", tape is at #" + std::to_string(tag_) + ")");
  base_[y.slot()].adj = 1.0;
  return true;
}

void Tape::reverse(const Var& y) {
  if (begin_sweep(y, "reverse")) sweep_from(y.slot(), false);
}

void Tape::adjoints(std::uint32_t first, std::span<double> out) const {
  if (plan_gradient() || (replay_ && replay_->by_position())) {
    std::copy_n(replay_->plan_adjoints_.get() + first, out.size(), out.begin());
    return;
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = base_[first + k].adj;
}

double Tape::adjoint(const Var& x) const {
  if (x.is_active() && (x.tag_ != tag_ || x.slot() >= size()))
    throw Error("slope::Tape::adjoint: the Var (value " + core::number(x.value_) +
                ") is not from this recording");
  return x.is_active() ? adjoint(x.slot()) : 0.0;
}

}  // namespace slope
