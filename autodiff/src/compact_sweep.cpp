// SPDX-License-Identifier: MIT
// The compact replay format (see replay.hpp): built from the level schedule without folds, its
// forward sweep computes values only, and its reverse sweep recomputes each node's partials from
// the values of its operands and its own, one group of one op at a time, walking the schedule
// backwards. Per node it keeps two operand slots, and reads and writes a value and an adjoint.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>
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
// of the group's folded squares, one or two per node, a's first).
template <class Op, int kSquares, bool kChain>
void forward_group(Positions node, const Operands* ab, const std::uint32_t* fold,
                   const double* constants, double* val, std::size_t count) {
  constexpr std::size_t kStride = kSquares == 3 ? 2 : 1;
  double z = 0;
  std::uint32_t last = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const double a =
        operand_value<(kSquares & 1) != 0>(kChain && ab[k].a == last ? z : val[ab[k].a]);
    if constexpr ((kSquares & 1) != 0) val[fold[kStride * k]] = a;
    double b = 0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      b = operand_value<(kSquares & 2) != 0>(kChain && ab[k].b == last ? z : val[ab[k].b]);
      if constexpr ((kSquares & 2) != 0) val[fold[kStride * k + kStride - 1]] = b;
    }
    z = value_of<Op>(a, b);
    last = node[k];
    val[last] = z;
  }
}

// A group's reverse sweep, last node first. kSkip: nodes recorded after the output are not
// swept; kSkipZeros: shares by adjoint_share (the second sweep of Tape::sweep_from).
template <class Op, int kSquares, bool kSkip, bool kSkipZeros>
void reverse_group(Positions node, const Operands* ab, const double* constants, const double* val,
                   double* adj, std::size_t count, std::uint32_t out) {
  constexpr bool kSa = (kSquares & 1) != 0, kSb = (kSquares & 2) != 0;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    if (kSkip && i > out) continue;
    const double g = adj[i];
    adj[i] = 0;
    const std::uint32_t a = ab[k].a;
    const double xa = val[a];
    double xb = 0, b = 0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      xb = val[ab[k].b];
      b = operand_value<kSb>(xb);
    }
    const ops::Pair<double> p = partials_of<Op>(operand_value<kSa>(xa), b, val[i]);
    adj[a] += share<kSa, kSkipZeros>(p.a, g, xa);
    if constexpr (Op::arity == ops::Arity::binary)
      adj[ab[k].b] += share<kSb, kSkipZeros>(p.b, g, xb);
  }
}

template <int kSquares>
void forward_linear(Positions node, const Operands* ab, const std::uint32_t* fold,
                    const Replay::Partials* c, double* val, std::size_t count) {
  constexpr std::size_t kStride = kSquares == 3 ? 2 : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const double a = operand_value<(kSquares & 1) != 0>(val[ab[k].a]);
    const double b = operand_value<(kSquares & 2) != 0>(val[ab[k].b]);
    if constexpr ((kSquares & 1) != 0) val[fold[kStride * k]] = a;
    if constexpr ((kSquares & 2) != 0) val[fold[kStride * k + kStride - 1]] = b;
    val[node[k]] = c[k].p0 * a + c[k].p1 * b;
  }
}

template <int kSquares, bool kSkip, bool kSkipZeros>
void reverse_linear(Positions node, const Operands* ab, const Replay::Partials* c,
                    const double* val, double* adj, std::size_t count, std::uint32_t out) {
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    if (kSkip && i > out) continue;
    const double g = adj[i];
    adj[i] = 0;
    double xa = 0, xb = 0;
    if constexpr ((kSquares & 1) != 0) xa = val[ab[k].a];
    if constexpr ((kSquares & 2) != 0) xb = val[ab[k].b];
    adj[ab[k].a] += share<(kSquares & 1) != 0, kSkipZeros>(c[k].p0, g, xa);
    adj[ab[k].b] += share<(kSquares & 2) != 0, kSkipZeros>(c[k].p1, g, xb);
  }
}

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

template <class Op>
void forward_op(int squares, bool chain, Positions node, const Operands* ab,
                const std::uint32_t* fold, const double* constants, double* val,
                std::size_t count) {
  // Groups with folded squares check for chains whether or not they hold one (fewer copies).
  if (squares == 0 && !chain)
    return forward_group<Op, 0, false>(node, ab, fold, constants, val, count);
  with_squares<Op::arity == ops::Arity::binary>(squares, [&](auto sq) {
    forward_group<Op, decltype(sq)::value, true>(node, ab, fold, constants, val, count);
  });
}

template <class... Ops, std::size_t... I>
void dispatch_forward(std::uint8_t code, int squares, bool chain, Positions node,
                      const Operands* ab, const std::uint32_t* fold, const double* constants,
                      double* val, std::size_t count, ops::TypeList<Ops...>,
                      std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I
              ? (forward_op<Ops>(squares, chain, node, ab, fold, constants, val, count), true)
              : false) ||
         ...);
}

template <bool kSkip, bool kSkipZeros, class... Ops, std::size_t... I>
void dispatch_reverse(std::uint8_t code, int squares, Positions node, const Operands* ab,
                      const double* constants, const double* val, double* adj, std::size_t count,
                      std::uint32_t out, ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I
              ? (with_squares<Ops::arity == ops::Arity::binary>(
                     squares,
                     [&](auto sq) {
                       reverse_group<Ops, decltype(sq)::value, kSkip, kSkipZeros>(
                           node, ab, constants, val, adj, count, out);
                     }),
                 true)
              : false) ||
         ...);
}

template <bool kSkip, bool kSkipZeros>
void reverse_groups(const std::vector<Replay::Group>& groups, std::uint32_t base,
                    const Operands* ab, const Replay::Partials* linear, const double* constants,
                    const double* val, double* adj, std::uint32_t out) {
  for (std::size_t k = groups.size(); k-- > 0;) {
    const Replay::Group& g = groups[k];
    const std::size_t count = g.end - g.begin;
    if (g.op >= ops::kFirstOpCode)
      dispatch_reverse<kSkip, kSkipZeros>(g.op, g.squares, Positions{base + g.begin}, ab + g.begin,
                                          constants, val, adj, count, out, ops::OpList{},
                                          std::make_index_sequence<ops::OpList::size>{});
    else  // linear (build_compact admits nothing else)
      with_squares<true>(g.squares, [&](auto sq) {
        reverse_linear<decltype(sq)::value, kSkip, kSkipZeros>(
            Positions{base + g.begin}, ab + g.begin, linear + g.constants, val, adj, count, out);
      });
  }
}

// ---- the same in dual numbers (HVP replays) ----

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

struct DualArrays {
  double* val;
  double* dot;
  double* adj;
  double* adj_dot;
};

template <class Op, int kSquares>
void forward_group_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                        const double* constants, const DualArrays& d, std::size_t count) {
  constexpr std::size_t kStride = kSquares == 3 ? 2 : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t a = ab[k].a;
    const Dual da = dual_operand<(kSquares & 1) != 0>(d.val[a], d.dot[a]);
    if constexpr ((kSquares & 1) != 0) d.val[fold[kStride * k]] = da.v;
    Dual db = 0.0;
    if constexpr (Op::arity == ops::Arity::constant) db = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      const std::uint32_t b = ab[k].b;
      db = dual_operand<(kSquares & 2) != 0>(d.val[b], d.dot[b]);
      if constexpr ((kSquares & 2) != 0) d.val[fold[kStride * k + kStride - 1]] = db.v;
    }
    const Dual z = dual_value_of<Op>(da, db);
    d.val[node[k]] = z.v;
    d.dot[node[k]] = z.d;
  }
}

template <class Op, int kSquares, bool kSkip, bool kSkipZeros>
void reverse_group_dual(Positions node, const Operands* ab, const double* constants,
                        const DualArrays& d, std::size_t count, std::uint32_t out) {
  constexpr bool kSa = (kSquares & 1) != 0, kSb = (kSquares & 2) != 0;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    if (kSkip && i > out) continue;
    const Dual g(d.adj[i], d.adj_dot[i]);
    d.adj[i] = 0;
    d.adj_dot[i] = 0;
    const std::uint32_t a = ab[k].a;
    const double xa = d.val[a], dxa = d.dot[a];
    double xb = 0, dxb = 0;
    Dual b = 0.0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      xb = d.val[ab[k].b];
      dxb = d.dot[ab[k].b];
      b = dual_operand<kSb>(xb, dxb);
    }
    const ops::Pair<Dual> p =
        dual_partials_of<Op>(dual_operand<kSa>(xa, dxa), b, Dual(d.val[i], d.dot[i]));
    const Dual sa = dual_share<kSa, kSkipZeros>(p.a, g, xa, dxa);
    d.adj[a] += sa.v;
    d.adj_dot[a] += sa.d;
    if constexpr (Op::arity == ops::Arity::binary) {
      const Dual sb = dual_share<kSb, kSkipZeros>(p.b, g, xb, dxb);
      d.adj[ab[k].b] += sb.v;
      d.adj_dot[ab[k].b] += sb.d;
    }
  }
}

template <int kSquares>
void forward_linear_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                         const Replay::Partials* c, const DualArrays& d, std::size_t count) {
  constexpr std::size_t kStride = kSquares == 3 ? 2 : 1;
  for (std::size_t k = 0; k < count; ++k) {
    const Dual a = dual_operand<(kSquares & 1) != 0>(d.val[ab[k].a], d.dot[ab[k].a]);
    const Dual b = dual_operand<(kSquares & 2) != 0>(d.val[ab[k].b], d.dot[ab[k].b]);
    if constexpr ((kSquares & 1) != 0) d.val[fold[kStride * k]] = a.v;
    if constexpr ((kSquares & 2) != 0) d.val[fold[kStride * k + kStride - 1]] = b.v;
    d.val[node[k]] = c[k].p0 * a.v + c[k].p1 * b.v;
    d.dot[node[k]] = c[k].p0 * a.d + c[k].p1 * b.d;
  }
}

template <int kSquares, bool kSkip, bool kSkipZeros>
void reverse_linear_dual(Positions node, const Operands* ab, const Replay::Partials* c,
                         const DualArrays& d, std::size_t count, std::uint32_t out) {
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    if (kSkip && i > out) continue;
    const Dual g(d.adj[i], d.adj_dot[i]);
    d.adj[i] = 0;
    d.adj_dot[i] = 0;
    const std::uint32_t a = ab[k].a, b = ab[k].b;
    const Dual sa =
        dual_share<(kSquares & 1) != 0, kSkipZeros>(Dual(c[k].p0), g, d.val[a], d.dot[a]);
    const Dual sb =
        dual_share<(kSquares & 2) != 0, kSkipZeros>(Dual(c[k].p1), g, d.val[b], d.dot[b]);
    d.adj[a] += sa.v;
    d.adj_dot[a] += sa.d;
    d.adj[b] += sb.v;
    d.adj_dot[b] += sb.d;
  }
}

template <class... Ops, std::size_t... I>
void dispatch_forward_dual(std::uint8_t code, int squares, Positions node, const Operands* ab,
                           const std::uint32_t* fold, const double* constants, const DualArrays& d,
                           std::size_t count, ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I ? (with_squares<Ops::arity == ops::Arity::binary>(
                                               squares,
                                               [&](auto sq) {
                                                 forward_group_dual<Ops, decltype(sq)::value>(
                                                     node, ab, fold, constants, d, count);
                                               }),
                                           true)
                                        : false) ||
         ...);
}

template <bool kSkip, bool kSkipZeros, class... Ops, std::size_t... I>
void dispatch_reverse_dual(std::uint8_t code, int squares, Positions node, const Operands* ab,
                           const double* constants, const DualArrays& d, std::size_t count,
                           std::uint32_t out, ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I
              ? (with_squares<Ops::arity == ops::Arity::binary>(
                     squares,
                     [&](auto sq) {
                       reverse_group_dual<Ops, decltype(sq)::value, kSkip, kSkipZeros>(
                           node, ab, constants, d, count, out);
                     }),
                 true)
              : false) ||
         ...);
}

template <bool kSkip, bool kSkipZeros>
void reverse_groups_dual(const std::vector<Replay::Group>& groups, std::uint32_t base,
                         const Operands* ab, const Replay::Partials* linear,
                         const double* constants, const DualArrays& d, std::uint32_t out) {
  for (std::size_t k = groups.size(); k-- > 0;) {
    const Replay::Group& g = groups[k];
    const std::size_t count = g.end - g.begin;
    if (g.op >= ops::kFirstOpCode)
      dispatch_reverse_dual<kSkip, kSkipZeros>(
          g.op, g.squares, Positions{base + g.begin}, ab + g.begin, constants, d, count, out,
          ops::OpList{}, std::make_index_sequence<ops::OpList::size>{});
    else
      with_squares<true>(g.squares, [&](auto sq) {
        reverse_linear_dual<decltype(sq)::value, kSkip, kSkipZeros>(
            Positions{base + g.begin}, ab + g.begin, linear + g.constants, d, count, out);
      });
  }
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
  // Positions: the inputs (and the sink) keep their slots, the scheduled nodes follow in schedule
  // order, then the folded squares (their consumers store their values there).
  position_.assign(t_.size_, 0);
  for (std::uint32_t i = 0; i < t_.floor_; ++i) position_[i] = i;
  for (std::size_t k = 0; k < count; ++k)
    position_[order_[k]] = t_.floor_ + static_cast<std::uint32_t>(k);
  compact_scheduled_ = t_.floor_ + static_cast<std::uint32_t>(count);
  std::uint32_t next = compact_scheduled_;
  for (std::uint32_t i = t_.floor_; i < t_.size_; ++i)
    if (squared[i]) position_[i] = next++;
  if (next != t_.size_) throw_gradient_only();  // a node neither scheduled nor folded
  // A constant op's constant is stored once per distinct value (by its bits: -0 and NaNs kept).
  std::unordered_map<std::uint64_t, std::uint32_t> index;
  std::vector<Operands> folds_at(count, Operands{0, 0});  // the squares' positions
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
        folds_at[pos].b = position_[b];
        b = t_.base_[b].a();
      }
      b = position_[b];
    }
    if (squared[a]) {
      folds_at[pos].a = position_[a];
      a = t_.base_[a].a();
    }
    plan_operands_[pos] = Operands{position_[a], b};
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
  order_.clear();  // the positions replace it
  compact_constants_.shrink_to_fit();
  plan_constants_.shrink_to_fit();
  compact_folds_.shrink_to_fit();
  compact_dot_.reset();  // sized for this recording at its first dual replay
  compact_adj_dot_.reset();
  plan_adjoints_ = std::make_unique<double[]>(t_.size_);
}

void Replay::forward_compact() {
  double* val = values_.get();
  const std::uint32_t base = t_.floor_;
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  for (const Group& g : groups_) {
    const std::size_t count = g.end - g.begin;
    const std::uint32_t* fold = compact_folds_.data() + g.fold_first;
    if (g.op >= ops::kFirstOpCode) {
      dispatch_forward(g.op, g.squares, g.chain, Positions{base + g.begin}, ab + g.begin, fold,
                       constants, val, count, ops::OpList{},
                       std::make_index_sequence<ops::OpList::size>{});
    } else {  // linear
      with_squares<true>(g.squares, [&](auto sq) {
        forward_linear<decltype(sq)::value>(Positions{base + g.begin}, ab + g.begin, fold,
                                            plan_constants_.data() + g.constants, val, count);
      });
    }
  }
}

void Replay::reverse_compact(std::uint32_t out) {
  double* adj = plan_adjoints_.get();
  const double* val = values_.get();
  const std::uint32_t at = position_[out];
  const bool skip_zeros = t_.zeros_ == Tape::ZeroAdjoints::skipped;
  // The seed, set on the node by the caller: every node's adjoint stays zero.
  adj[at] += t_.base_[out].adj;
  t_.base_[out].adj = 0;
  // An output that is a folded square (no step of its own: its consumer, after it, is not
  // reached) passes its share to its operand first.
  if (at >= compact_scheduled_) {
    const std::uint32_t a = position_[t_.base_[out].a()];
    const double x = val[a];
    adj[a] += skip_zeros ? adjoint_share(x + x, adj[at]) : (x + x) * adj[at];
    adj[at] = 0;
  }
  const Partials* linear = plan_constants_.data();
  const double* constants = compact_constants_.data();
  if (skip_zeros)
    reverse_groups<true, true>(groups_, t_.floor_, plan_operands_.data(), linear, constants, val,
                               adj, at);
  else if (at + 1 == compact_scheduled_)
    reverse_groups<false, false>(groups_, t_.floor_, plan_operands_.data(), linear, constants, val,
                                 adj, at);
  else
    reverse_groups<true, false>(groups_, t_.floor_, plan_operands_.data(), linear, constants, val,
                                adj, at);
  // The inputs' adjoints stay where they are (their positions are their slots).
  plan_gradient_ = true;
}

}  // namespace slope

namespace slope {

void Replay::forward_compact_dual(std::span<const double> x, std::span<const double> v) {
  if (!compact_dot_) {
    compact_dot_ = std::make_unique_for_overwrite<double[]>(t_.size_);
    compact_adj_dot_ = std::make_unique<double[]>(t_.size_);
  }
  const DualArrays d{values_.get(), compact_dot_.get(), plan_adjoints_.get(),
                     compact_adj_dot_.get()};
  d.dot[0] = 0;                              // the sink
  std::copy(x.begin(), x.end(), d.val + 1);  // the block of inputs
  std::copy(v.begin(), v.end(), d.dot + 1);
  const std::uint32_t base = t_.floor_;
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  for (const Group& g : groups_) {
    const std::size_t count = g.end - g.begin;
    const std::uint32_t* fold = compact_folds_.data() + g.fold_first;
    if (g.op >= ops::kFirstOpCode) {
      dispatch_forward_dual(g.op, g.squares, Positions{base + g.begin}, ab + g.begin, fold,
                            constants, d, count, ops::OpList{},
                            std::make_index_sequence<ops::OpList::size>{});
    } else {
      with_squares<true>(g.squares, [&](auto sq) {
        forward_linear_dual<decltype(sq)::value>(Positions{base + g.begin}, ab + g.begin, fold,
                                                 plan_constants_.data() + g.constants, d, count);
      });
    }
  }
}

void Replay::reverse_compact_dual(std::uint32_t out) {
  const DualArrays d{values_.get(), compact_dot_.get(), plan_adjoints_.get(),
                     compact_adj_dot_.get()};
  const std::uint32_t at = position_[out];
  // The seed, set on the node by the caller (its tangent is zero).
  d.adj[at] += t_.base_[out].adj;
  t_.base_[out].adj = 0;
  const bool skip_zeros = t_.zeros_ == Tape::ZeroAdjoints::skipped;
  if (at >= compact_scheduled_) {  // a folded square, as in reverse_compact
    const std::uint32_t a = position_[t_.base_[out].a()];
    const Dual g(d.adj[at], d.adj_dot[at]);
    const Dual s = skip_zeros ? dual_share<true, true>(Dual(1.0), g, d.val[a], d.dot[a])
                              : dual_share<true, false>(Dual(1.0), g, d.val[a], d.dot[a]);
    d.adj[a] += s.v;
    d.adj_dot[a] += s.d;
    d.adj[at] = d.adj_dot[at] = 0;
  }
  const Partials* linear = plan_constants_.data();
  const double* constants = compact_constants_.data();
  if (skip_zeros)
    reverse_groups_dual<true, true>(groups_, t_.floor_, plan_operands_.data(), linear, constants, d,
                                    at);
  else if (at + 1 == compact_scheduled_)
    reverse_groups_dual<false, false>(groups_, t_.floor_, plan_operands_.data(), linear, constants,
                                      d, at);
  else
    reverse_groups_dual<true, false>(groups_, t_.floor_, plan_operands_.data(), linear, constants,
                                     d, at);
  plan_gradient_ = true;  // the inputs' adjoints and their tangents stay in the compact arrays
}

}  // namespace slope
