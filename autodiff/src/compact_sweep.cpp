// SPDX-License-Identifier: MIT
// The compact format's first-order sweeps (see replay.hpp): the forward sweep computes values
// only; the reverse sweep walks the schedule backwards, one group of one op at a time, and
// recomputes each node's partials from its operands' values and its own. Nodes are numbered by
// schedule position, so both write and read a group's values and adjoints in order.

#include <cstdint>
#include <utility>
#include <vector>

#include <slope/autodiff/op_list.hpp>

#include "compact_rules.hpp"
#include "replay.hpp"

namespace slope {

using detail::Replay;

namespace {

using namespace detail::compact;

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

}  // namespace

void Replay::forward_compact() {
  double* val = values_.get();
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  for_each_group<false>(
      groups_, t_.floor_,
      [&](const Group& g, Positions first, std::size_t count) {
        dispatch_forward(g.op, g.squares, g.chain, first, ab + g.begin,
                         compact_folds_.data() + g.fold_first, constants, val, count, ops::OpList{},
                         std::make_index_sequence<ops::OpList::size>{});
      },
      [&](const Group& g, Positions first, std::size_t count, auto sq) {
        forward_linear<decltype(sq)::value>(first, ab + g.begin,
                                            compact_folds_.data() + g.fold_first,
                                            plan_constants_.data() + g.constants, val, count);
      });
}

void Replay::reverse_compact(std::uint32_t out) {
  double* adj = plan_adjoints_.get();
  const double* val = values_.get();
  const std::uint32_t at = position_of(out);
  const bool skip_zeros = t_.zeros_ == Tape::ZeroAdjoints::skipped;
  // The seed, set on the node by the caller: every node's adjoint stays zero.
  adj[at] += t_.base_[out].adj;
  t_.base_[out].adj = 0;
  // An output that is a folded square (no step of its own: its consumer, after it, is not
  // reached) passes its share to its operand first.
  if (at >= compact_scheduled_) {
    const std::uint32_t a = position_of(t_.base_[out].a());
    const double x = val[a];
    adj[a] += skip_zeros ? adjoint_share(x + x, adj[at]) : (x + x) * adj[at];
    adj[at] = 0;
  }
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  with_reverse_kind(skip_zeros, at + 1 == compact_scheduled_, [&](auto skip, auto zeros) {
    constexpr bool kSkip = decltype(skip)::value, kSkipZeros = decltype(zeros)::value;
    for_each_group<true>(
        groups_, t_.floor_,
        [&](const Group& g, Positions first, std::size_t count) {
          dispatch_reverse<kSkip, kSkipZeros>(g.op, g.squares, first, ab + g.begin, constants, val,
                                              adj, count, at, ops::OpList{},
                                              std::make_index_sequence<ops::OpList::size>{});
        },
        [&](const Group& g, Positions first, std::size_t count, auto sq) {
          reverse_linear<decltype(sq)::value, kSkip, kSkipZeros>(
              first, ab + g.begin, plan_constants_.data() + g.constants, val, adj, count, at);
        });
  });
  // The inputs' adjoints stay where they are (their positions are their slots).
  plan_gradient_ = true;
}

}  // namespace slope
