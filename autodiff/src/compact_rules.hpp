// SPDX-License-Identifier: MIT
#pragma once

// What the compact format's sweeps share (compact_sweep.cpp at doubles, compact_dual.cpp in dual
// numbers): an op's value and partials as ops::evaluate gives them, recomputed from operand values
// and the node's own value; folded products (squares among them); the positions of a group's
// nodes; and the switch from a group's folded-operand bits to a template argument.

#include <algorithm>
#include <array>
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

// The value, tangent, adjoint and adjoint-tangent arrays of a dual sweep, by position.
struct DualArrays {
  double* val;
  double* dot;
  double* adj;
  double* adj_dot;
};

// An operand as the sweeps read it: x, the value at its position; a folded product's consumer
// reads the product's factors x (its operand) and y (`*f`, the group's fold for the operand)
// and uses x·y (a square's y is x: Square's f and Mul's, as their own nodes compute them).
template <bool kFolded>
SLOPE_INLINE double operand_value(const double* val, std::uint32_t x, const std::uint32_t* f) {
  if constexpr (kFolded)
    return val[x] * val[*f];
  else
    return val[x];
}
// Passes the share for an operand, g times the consumer's partial p: to its position, or for a
// folded product to its factors, times the other factor (a square's 2x): the two steps the
// unfolded sweep takes.
template <bool kFolded, bool kSkipZeros>
SLOPE_INLINE void pass_share(double* adj, const double* val, std::uint32_t x,
                             const std::uint32_t* f, double p, double g) {
  const double s = kSkipZeros ? adjoint_share(p, g) : p * g;
  if constexpr (!kFolded) {
    adj[x] += s;
  } else {
    const std::uint32_t y = *f;
    const double vx = val[x], vy = val[y];
    if (x == y) {
      adj[x] += kSkipZeros ? adjoint_share(vx + vx, s) : (vx + vx) * s;
    } else {
      adj[x] += kSkipZeros ? adjoint_share(vy, s) : vy * s;
      adj[y] += kSkipZeros ? adjoint_share(vx, s) : vx * s;
    }
  }
}

// A group's folded-operand bits (bit 0: a, bit 1: b) and where node k's folds are in the
// group's: one or two per node, a's first.
template <int kSquares>
struct Folded {
  static constexpr bool a = (kSquares & 1) != 0, b = (kSquares & 2) != 0;
  static constexpr std::size_t stride = kSquares == 3 ? 2 : 1;
  static const std::uint32_t* of_a(const std::uint32_t* fold, std::size_t k) {
    return fold + stride * k;
  }
  static const std::uint32_t* of_b(const std::uint32_t* fold, std::size_t k) {
    return fold + stride * k + stride - 1;
  }
};

// A node's adjoint as a reverse sweep takes it: read, and left zero for the next sweep.
SLOPE_INLINE double take_adjoint(double* adj, std::uint32_t i) {
  const double g = adj[i];
  adj[i] = 0;
  return g;
}
SLOPE_INLINE Dual take_adjoint(const DualArrays& d, std::uint32_t i) {
  const Dual g(d.adj[i], d.adj_dot[i]);
  d.adj[i] = 0;
  d.adj_dot[i] = 0;
  return g;
}

// One entry per op of the list, indexed by op code − kFirstOpCode: make(std::type_identity<Op>).
template <class... Ops, class Make>
constexpr auto by_op_code(ops::TypeList<Ops...>, Make make) {
  return std::array{make(std::type_identity<Ops>{})...};
}

// Which operands are folded products, as template arguments (one-operand ops fold only a).
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

// An operand in dual numbers: its value and tangent, or a folded product's (xy, ẋy + xẏ; a
// square's (x², 2xẋ) is the same to the last bit).
template <bool kFolded>
SLOPE_INLINE Dual dual_operand(const DualArrays& d, std::uint32_t x, const std::uint32_t* f) {
  if constexpr (kFolded) {
    const std::uint32_t y = *f;
    return {d.val[x] * d.val[y], d.dot[x] * d.val[y] + d.val[x] * d.dot[y]};
  } else {
    return {d.val[x], d.dot[x]};
  }
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

// (p, ṗ)·(g, ġ) passed to the operand, or for a folded product to its factors, times the other
// factor and its tangent (a square's (2x, 2ẋ)): the shares the unfolded dual sweep passes on,
// in the same order.
template <bool kFolded, bool kSkipZeros>
SLOPE_INLINE void pass_dual_share(const DualArrays& d, std::uint32_t x, const std::uint32_t* f,
                                  const Dual& p, const Dual& g) {
  const Dual s = kSkipZeros ? adjoint_share(p, g) : Dual(p.v * g.v, p.d * g.v + p.v * g.d);
  auto add = [&](std::uint32_t to, const Dual& q) {
    const Dual t = kSkipZeros ? adjoint_share(q, s) : Dual(q.v * s.v, q.d * s.v + q.v * s.d);
    d.adj[to] += t.v;
    d.adj_dot[to] += t.d;
  };
  if constexpr (!kFolded) {
    d.adj[x] += s.v;
    d.adj_dot[x] += s.d;
  } else if (const std::uint32_t y = *f; x == y) {
    add(x, Dual(d.val[x] + d.val[x], d.dot[x] + d.dot[x]));
  } else {
    add(x, Dual(d.val[y], d.dot[y]));
    add(y, Dual(d.val[x], d.dot[x]));
  }
}

// Every group of the schedule, in order (or last first, kBackwards): op_group(g, first, count)
// for a group of one op, linear_group(g, first, count, squares) for a linear one (the compact
// format admits nothing else), with `first` the position of its first node and `squares` its
// folded-product bits as a template argument. Nodes past position `last` are left out: a reverse
// sweep from an output before the last node (positions follow the schedule, so a group's nodes
// past it are its last ones) need not look at each node's position.
template <bool kBackwards, class OpGroup, class LinearGroup>
void for_each_group(const std::vector<Replay::Group>& groups, std::uint32_t base,
                    OpGroup&& op_group, LinearGroup&& linear_group,
                    std::uint32_t last = ~std::uint32_t{0}) {
  auto visit = [&](const Replay::Group& g) {
    const Positions first{base + g.begin};
    if (first.first > last) return;
    const std::size_t count =
        std::min<std::size_t>(g.end - g.begin, std::size_t{last} - first.first + 1);
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

// Whether a reverse sweep skips zero adjoints (the second sweep of Tape::sweep_from), as a
// template argument.
template <class F>
void with_skip_zeros(bool skip_zeros, F&& f) {
  if (skip_zeros)
    f(std::true_type{});
  else
    f(std::false_type{});
}

}  // namespace slope::detail::compact
