// SPDX-License-Identifier: MIT
#pragma once

// The inline record path of slope::Tape (included by tape.hpp; not a header to include alone).

#include <cmath>
#include <cstdint>

#include <slope/autodiff/tape.hpp>

namespace slope {

// Node appends and folds.

// Folds the last node into its consumer when `t` is that node and its one handle. The
// consumer's partial times the folded one is taken by adjoint_share, as the unfolded sweep
// would take it: a zero partial (a use scaled by 0) stays zero through an infinite one. Only
// results of one-operand ops carry the temporary mark (in a gradient recording, or scaled
// operands in a replay one), so no node needs inspecting beyond its operand and partial:
// returns (slot, scale) = (its operand, its partial).
SLOPE_INLINE bool Tape::absorb(const Var& t, std::uint32_t& slot, double& scale) {
  if (!t.is_temp() || t.slot() + 1 != size_) return false;
  const Node& last = base_[--size_];
  slot = last.a();
  scale = last.p0;
  return true;
}

// A one-operand node points its unused operand at its own slot: that adjoint has been read by
// the time the sweep adds p₁·z̄ to it, so no two nodes contend for one address (a shared sink
// serialised the sweep through a single store-to-load chain). Only its result can be folded.
// Both return a prvalue: the mark must not pass through a copy (which drops it).
SLOPE_INLINE Var Tape::push1(std::uint8_t op, std::uint32_t a, double p0, double p1, double z,
                       std::uint32_t mark) {
  return Var(z, push(op, a, size_, p0, p1) | mark, tag_);
}
SLOPE_INLINE Var Tape::push2(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0, double p1,
                       double z) {
  return Var(z, push(op, a, b, p0, p1), tag_);
}
SLOPE_INLINE std::uint32_t Tape::push(std::uint8_t op, std::uint32_t a, std::uint32_t b, double p0,
                                double p1) {
  if (size_ == capacity_) [[unlikely]]
    grow();
  const std::uint32_t slot = size_++;
  Node& n = base_[slot];
  n.word = Node::pack(op, a, b);
  n.p0 = p0;
  n.p1 = p1;
  n.adj = 0;
  return slot;
}

inline bool Tape::absorb_dual(const Var& t, std::uint32_t& slot, Dual& scale) {
  if (!absorb(t, slot, scale.v)) return false;
  scale.d = tangents_[size_].dp0;  // the folded node, just popped
  return true;
}
inline Dual Tape::tangent_of(const Var& a) const { return {a.value_, tangents_[a.slot()].t}; }

// Record path. Kept inline: in the prototype an outlined push made the gradient far slower. The
// one compare `a.tag == active tag` per operand decides everything on the hot path: a passive
// constant has tag 0, a stale handle an old tag, and with no recording the inert tape's tag
// matches nothing; all of those leave the hot path.

template <class Op>
SLOPE_INLINE Var Tape::unary(const Var& a) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_) [[unlikely]] {
    if (a.tag_ == t.tag_) {  // a recording with tangents or with the NaN check
      if (t.dual_) return t.dual_unary<Op>(raw(a));
      return t.record_unary<Op, true>(a);
    }
    if (a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    return Var(Op::f(a.value_));
  }
  return t.record_unary<Op, false>(a);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_unary(const Var& a) {
  const ops::Evaluated<double> e = ops::evaluate<Op>(a.value_, 0.0);
  const double z = e.z, p = e.p0;
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, 0, 1);
  std::uint32_t slot = a.slot();
  double scale;
  if (temp_mark_ != 0 && absorb(a, slot, scale))
    return push1(ops::kFusedCode, slot, adjoint_share(scale, p), 0, z, temp_mark_);
  return push1(ops::op_code<Op>, slot, p, 0, z,
               ops::kScales<Op> ? linear_mark_ | temp_mark_ : temp_mark_);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_constant(const Var& a, double c) {
  const ops::Evaluated<double> e = ops::evaluate<Op>(a.value_, c);
  const double z = e.z, p = e.p0;
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, c, 2);
  std::uint32_t slot = a.slot();
  double scale;
  if (temp_mark_ != 0 && absorb(a, slot, scale))
    return push1(ops::kFusedCode, slot, adjoint_share(scale, p), 0, z, temp_mark_);
  return push1(ops::op_code<Op>, slot, p, c, z,
               ops::kScales<Op> ? linear_mark_ | temp_mark_ : temp_mark_);
}

template <class Op>
SLOPE_INLINE Var Tape::constant(const Var& a, double c) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_) [[unlikely]] {
    if (a.tag_ == t.tag_) {
      if (t.dual_) return t.dual_constant<Op>(raw(a), c);
      return t.record_constant<Op, true>(a, c);
    }
    if (a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    return Var(Op::f(a.value_, c));
  }
  return t.record_constant<Op, false>(a, c);
}

template <class Op>
SLOPE_INLINE Var Tape::right_constant(const Var& a, double c) {
  return constant<ops::RightBound<Op>>(a, c);
}

template <class Op>
SLOPE_INLINE Var Tape::left_constant(double c, const Var& b) {
  return constant<ops::LeftBound<Op>>(b, c);
}

template <class Op>
SLOPE_INLINE Var Tape::binary(const Var& a, const Var& b) {
  Tape& t = *active_;
  if (a.tag_ != t.hot_tag_ || b.tag_ != t.hot_tag_) [[unlikely]] {
    const std::uint32_t tag = t.tag_;
    if (a.tag_ == tag && b.tag_ == tag) {  // a recording with tangents or with the NaN check
      if constexpr (requires { typename Op::same_operand; }) {
        if (a.slot() == b.slot()) return unary<typename Op::same_operand>(a);
      }
      if (t.dual_) return t.dual_binary<Op>(raw(a), raw(b));
      return t.record_binary<Op, true>(a, b);
    }
    if (a.tag_ == 0 && b.tag_ == 0) return Var(Op::f(a.value_, b.value_));
    if (a.tag_ == 0 && b.tag_ == tag) return left_constant<Op>(a.value_, b);
    if (b.tag_ == 0 && a.tag_ == tag) return right_constant<Op>(a, b.value_);
    if (a.tag_ != 0 && b.tag_ != 0 && a.tag_ != b.tag_)
      throw_mixed(a.value_, a.tag_, b.value_, b.tag_, Op::name);
    if (a.tag_ != tag && a.tag_ != 0) throw_stale(a.value_, a.tag_, Op::name);
    throw_stale(b.value_, b.tag_, Op::name);
  }
  if constexpr (requires { typename Op::same_operand; }) {
    if (a.slot() == b.slot()) return t.record_unary<typename Op::same_operand, false>(a);
  }
  return t.record_binary<Op, false>(a, b);
}

template <class Op, bool kCheck>
SLOPE_INLINE Var Tape::record_binary(const Var& a, const Var& b) {
  const ops::Evaluated<double> e = ops::evaluate<Op>(a.value_, b.value_);
  const double z = e.z;
  if constexpr (kCheck)
    if (!std::isfinite(z)) throw_not_finite(Op::name, z, a.value_, b.value_, 2);
  // Only the most recent node can be folded: try the later operand first, then the earlier one
  // (which is last once the later one is gone). Never fold a slot the other operand refers to.
  std::uint32_t sa = a.slot(), sb = b.slot();
  double pa = e.p0, pb = e.p1, scale;
  bool fused = false;
  // A replay recording folds only scaled operands into + and −: the result is a linear node
  // whose value its partials determine. A gradient recording folds any one-operand temporary.
  if (ops::kAddsOrSubtracts<Op> || temp_mark_ != 0) {
    if (sa > sb) {
      if (absorb(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
      if (sa != sb && absorb(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
    } else if (sb > sa) {
      if (absorb(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
      if (sa != sb && absorb(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
    }
  }
  const std::uint8_t code = !fused            ? ops::op_code<Op>
                            : temp_mark_ != 0 ? ops::kFusedCode
                                              : ops::kLinearCode;
  return push2(code, sa, sb, pa, pb, z);
}

// Dual record path: each op's rule at T = Dual gives value and tangent, and the partials with
// their tangents; a folded temporary multiplies in as a dual partial (chain rule on duals).

template <class Op>
SLOPE_INLINE Var Tape::dual_unary(Raw ra) {
  const Var a = var(ra);
  const Dual x = tangent_of(a);
  const ops::Evaluated<Dual> e = ops::evaluate<Op>(x, 0.0);
  const Dual z = e.z;
  Dual p = e.p0;
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, 0, 1);
  std::uint32_t slot = a.slot();
  Dual scale;
  const bool fused = temp_mark_ != 0 && absorb_dual(a, slot, scale);
  if (fused) p = adjoint_share(scale, p);
  const Var r = push1(fused ? ops::kFusedCode : ops::op_code<Op>, slot, p.v, 0, z.v, temp_mark_);
  tangents_[r.slot()] = {z.d, p.d, 0, 0};
  return var(raw(r));  // a prvalue: returning r would copy it and drop its mark
}

template <class Op>
SLOPE_INLINE Var Tape::dual_constant(Raw ra, double c) {
  const Var a = var(ra);
  const Dual x = tangent_of(a);
  const ops::Evaluated<Dual> e = ops::evaluate<Op>(x, c);
  const Dual z = e.z;
  Dual p = e.p0;
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, c, 2);
  std::uint32_t slot = a.slot();
  Dual scale;
  const bool fused = temp_mark_ != 0 && absorb_dual(a, slot, scale);
  if (fused) p = adjoint_share(scale, p);
  const Var r =
      push1(fused ? ops::kFusedCode : ops::op_code<Op>, slot, p.v, fused ? 0 : c, z.v, temp_mark_);
  tangents_[r.slot()] = {z.d, p.d, 0, 0};
  return var(raw(r));
}

template <class Op>
SLOPE_INLINE Var Tape::dual_binary(Raw ra, Raw rb) {
  const Var a = var(ra), b = var(rb);
  const Dual x = tangent_of(a), y = tangent_of(b);
  const ops::Evaluated<Dual> e = ops::evaluate<Op>(x, y);
  const Dual z = e.z;
  if (nan_check_ && !std::isfinite(z.v)) [[unlikely]]
    throw_not_finite(Op::name, z.v, x.v, y.v, 2);
  std::uint32_t sa = a.slot(), sb = b.slot();
  Dual pa = e.p0, pb = e.p1, scale;
  bool fused = false;
  if (ops::kAddsOrSubtracts<Op> || temp_mark_ != 0) {  // as record_binary
    if (sa > sb) {
      if (absorb_dual(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
      if (sa != sb && absorb_dual(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
    } else if (sb > sa) {
      if (absorb_dual(b, sb, scale)) pb = adjoint_share(scale, pb), fused = true;
      if (sa != sb && absorb_dual(a, sa, scale)) pa = adjoint_share(scale, pa), fused = true;
    }
  }
  const std::uint8_t code = !fused            ? ops::op_code<Op>
                            : temp_mark_ != 0 ? ops::kFusedCode
                                              : ops::kLinearCode;
  const Var r = push2(code, sa, sb, pa.v, pb.v, z.v);
  tangents_[r.slot()] = {z.d, pa.d, pb.d, 0};
  return var(raw(r));
}

}  // namespace slope
