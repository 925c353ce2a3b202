// SPDX-License-Identifier: MIT
#pragma once

// What the compact format's sweeps share (compact_sweep.cpp at doubles, compact_dual.cpp in dual
// numbers): an op's value and partials as ops::evaluate gives them, recomputed from operand values
// and the node's own value; folded squares; the positions of a group's nodes; and the switch
// from a group's folded-square bits to a template argument.

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include <slope/autodiff/dual.hpp>
#include <slope/autodiff/op_list.hpp>

#include "replay.hpp"

namespace slope::detail::compact {

// An op's value at doubles, as ops::evaluate computes it (the recording and the other replays):
// the same z, without the partials.
template <class Op>
SLOPE_INLINE double value_of(double a, double b) {
  if constexpr (Op::arity == ops::Arity::unary) {
    (void)b;
    if constexpr (requires { Op::value_and_slope(a); })
      return Op::value_and_slope(a).a;
    else
      return Op::f(a);
  } else {
    return Op::f(a, b);
  }
}

// Its partials from its operands and its value z, as ops::evaluate gives them (p1 is 0 for a
// one-operand op).
template <class Op>
SLOPE_INLINE ops::Pair<double> partials_of(double a, double b, double z) {
  if constexpr (Op::arity == ops::Arity::unary) {
    (void)b;
    if constexpr (requires { Op::value_and_slope(a); })
      return {Op::value_and_slope(a).b, 0.0};
    else
      return {Op::df(a, z), 0.0};
  } else if constexpr (Op::arity == ops::Arity::constant) {
    return {Op::df(a, b, z), 0.0};
  } else {
    return Op::df(a, b, z);
  }
}

using Operands = Replay::Operands;

// The positions of a group's nodes: consecutive, from its first (the format numbers the nodes by
// schedule position, so a sweep writes values and reads adjoints in order).
struct Positions {
  std::uint32_t first;
  std::uint32_t operator[](std::size_t k) const { return first + static_cast<std::uint32_t>(k); }
};

// An operand as the sweeps read it: x, the value at its slot; a folded square's consumer reads
// the square's operand x and uses x² (and, in reverse, passes its share on times 2x).
template <bool kSquare>
SLOPE_INLINE double operand_value(double x) {
  if constexpr (kSquare)
    return x * x;  // Square's f, as its own node computes it
  else
    return x;
}
// The share for an operand slot: g times the partial p, then times the square's 2x when the
// operand is a folded square of x (the two steps the unfolded sweep takes).
template <bool kSquare, bool kSkipZeros>
SLOPE_INLINE double share(double p, double g, double x) {
  const double s = kSkipZeros ? adjoint_share(p, g) : p * g;
  if constexpr (kSquare)
    return kSkipZeros ? adjoint_share(x + x, s) : (x + x) * s;
  else
    return s;
}

// A group's forward sweep. kChain: a node may read the one just before it, whose value travels
// in a register (as in the plan's groups). kSquares (bit 0: a, bit 1: b): the operand is a folded
// square, whose value is also stored at its own slot for guards and outputs (`fold`: the slots

// Which operands are folded squares, as template arguments (one-operand ops fold only a).
template <bool kBinary, class F>
SLOPE_INLINE void with_squares(int squares, F&& f) {
  switch (squares) {
    case 0:
      return f(std::integral_constant<int, 0>{});
    case 1:
      return f(std::integral_constant<int, 1>{});
  }
  if constexpr (kBinary) {
    if (squares == 2) return f(std::integral_constant<int, 2>{});
    return f(std::integral_constant<int, 3>{});
  }
}

// An operand in dual numbers: its value and tangent, or a folded square's (x², 2xẋ).
template <bool kSquare>
SLOPE_INLINE Dual dual_operand(double x, double dx) {
  if constexpr (kSquare)
    return {x * x, (x + x) * dx};  // Square's f and df at Dual, as its own node computes them
  else
    return {x, dx};
}

// An op's value and tangent, as ops::evaluate computes them at Dual.
template <class Op>
SLOPE_INLINE Dual dual_value_of(const Dual& a, const Dual& b) {
  if constexpr (Op::arity == ops::Arity::unary) {
    (void)b;
    return ops::call<Op>(a);
  } else if constexpr (Op::arity == ops::Arity::constant) {
    return ops::call<Op>(a, b.v);
  } else {
    return ops::call<Op>(a, b);
  }
}

// Its partials with their tangents, as ops::evaluate gives them at Dual.
template <class Op>
SLOPE_INLINE ops::Pair<Dual> dual_partials_of(const Dual& a, const Dual& b, const Dual& z) {
  if constexpr (Op::arity == ops::Arity::unary) {
    (void)b;
    return {Op::df(a, z), Dual(0.0)};
  } else if constexpr (Op::arity == ops::Arity::constant) {
    return {Op::df(a, b.v, z), Dual(0.0)};
  } else {
    return Op::df(a, b, z);
  }
}

// (p, ṗ)·(g, ġ), then, for a folded square of x, times (2x, 2ẋ): the shares the unfolded dual
// sweep passes on, in the same order.
template <bool kSquare, bool kSkipZeros>
SLOPE_INLINE Dual dual_share(const Dual& p, const Dual& g, double x, double dx) {
  const Dual s = kSkipZeros ? adjoint_share(p, g) : Dual(p.v * g.v, p.d * g.v + p.v * g.d);
  if constexpr (kSquare) {
    const Dual q(x + x, dx + dx);
    return kSkipZeros ? adjoint_share(q, s) : Dual(q.v * s.v, q.d * s.v + q.v * s.d);
  } else {
    return s;
  }
}

// Every group of the schedule, in order (or last first, kBackwards): op_group(g, first, count)
// for a group of one op, linear_group(g, first, count, squares) for a linear one (the compact
// format admits nothing else), with `first` the position of its first node and `squares` its
// folded-square bits as a template argument.
template <bool kBackwards, class OpGroup, class LinearGroup>
void for_each_group(const std::vector<Replay::Group>& groups, std::uint32_t base,
                    OpGroup&& op_group, LinearGroup&& linear_group) {
  auto visit = [&](const Replay::Group& g) {
    const Positions first{base + g.begin};
    const std::size_t count = g.end - g.begin;
    if (g.op >= ops::kFirstOpCode)
      op_group(g, first, count);
    else
      with_squares<true>(g.squares, [&](auto sq) { linear_group(g, first, count, sq); });
  };
  if constexpr (kBackwards) {
    for (std::size_t k = groups.size(); k-- > 0;) visit(groups[k]);
  } else {
    for (const Replay::Group& g : groups) visit(g);
  }
}

// A reverse sweep's kind as template arguments (kSkip, kSkipZeros): the second sweep of
// Tape::sweep_from skips zero adjoints; a sweep from the last scheduled node sweeps every node;
// one from an earlier output skips the nodes after it.
template <class F>
void with_reverse_kind(bool skip_zeros, bool from_last, F&& f) {
  if (skip_zeros)
    f(std::true_type{}, std::true_type{});
  else if (from_last)
    f(std::false_type{}, std::false_type{});
  else
    f(std::true_type{}, std::false_type{});
}

struct DualArrays {
  double* val;
  double* dot;
  double* adj;
  double* adj_dot;
};

}  // namespace slope::detail::compact
