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

// A group's forward sweep. kChain: a node may read the one just before it, whose value travels
// in a register (as in the plan's groups). kSquares (bit 0: a, bit 1: b): the operand is a folded
// product (a square among them) whose second factor is in `fold` (the group's, one or two per
// node, a's first). Its value is not stored: Replay::value computes it when asked.
template <class Op, int kSquares, bool kChain>
void forward_group(Positions node, const Operands* ab, const std::uint32_t* fold,
                   const double* constants, double* val, std::size_t count) {
  using F = Folded<kSquares>;
  double z = 0;
  std::uint32_t last = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t* fa = F::of_a(fold, k);
    const double a = !F::a && kChain && ab[k].a == last ? z : operand_value<F::a>(val, ab[k].a, fa);
    double b = 0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      const std::uint32_t* fb = F::of_b(fold, k);
      b = !F::b && kChain && ab[k].b == last ? z : operand_value<F::b>(val, ab[k].b, fb);
    }
    z = value_of<Op>(a, b);
    last = node[k];
    val[last] = z;
  }
}

// A group's reverse sweep, last node first. kSkipZeros: shares by adjoint_share (the second
// sweep of Tape::sweep_from).
template <class Op, int kSquares, bool kSkipZeros>
void reverse_group(Positions node, const Operands* ab, const std::uint32_t* fold,
                   const double* constants, const double* val, double* adj, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    const double g = take_adjoint(adj, i);
    const std::uint32_t* fa = F::of_a(fold, k);
    const std::uint32_t* fb = F::of_b(fold, k);
    double b = 0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) b = operand_value<F::b>(val, ab[k].b, fb);
    const ops::Pair<double> p = partials_of<Op>(operand_value<F::a>(val, ab[k].a, fa), b, val[i]);
    pass_share<F::a, kSkipZeros>(adj, val, ab[k].a, fa, p.a, g);
    if constexpr (Op::arity == ops::Arity::binary)
      pass_share<F::b, kSkipZeros>(adj, val, ab[k].b, fb, p.b, g);
  }
}

template <int kSquares>
void forward_linear(Positions node, const Operands* ab, const std::uint32_t* fold,
                    const Replay::Partials* c, double* val, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t* fa = F::of_a(fold, k);
    const std::uint32_t* fb = F::of_b(fold, k);
    const double a = operand_value<F::a>(val, ab[k].a, fa);
    const double b = operand_value<F::b>(val, ab[k].b, fb);
    val[node[k]] = c[k].p0 * a + c[k].p1 * b;
  }
}

template <int kSquares, bool kSkipZeros>
void reverse_linear(Positions node, const Operands* ab, const std::uint32_t* fold,
                    const Replay::Partials* c, const double* val, double* adj, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    const double g = take_adjoint(adj, i);
    pass_share<F::a, kSkipZeros>(adj, val, ab[k].a, F::of_a(fold, k), c[k].p0, g);
    pass_share<F::b, kSkipZeros>(adj, val, ab[k].b, F::of_b(fold, k), c[k].p1, g);
  }
}

template <class Op>
void forward_op(int squares, bool chain, Positions node, const Operands* ab,
                const std::uint32_t* fold, const double* constants, double* val,
                std::size_t count) {
  // Groups with folded products check for chains whether or not they hold one (fewer copies).
  if (squares == 0 && !chain)
    return forward_group<Op, 0, false>(node, ab, fold, constants, val, count);
  with_squares<Op::arity == ops::Arity::binary>(squares, [&](auto sq) {
    forward_group<Op, decltype(sq)::value, true>(node, ab, fold, constants, val, count);
  });
}

template <class Op, bool kSkipZeros>
void reverse_op(int squares, Positions node, const Operands* ab, const std::uint32_t* fold,
                const double* constants, const double* val, double* adj, std::size_t count) {
  with_squares<Op::arity == ops::Arity::binary>(squares, [&](auto sq) {
    reverse_group<Op, decltype(sq)::value, kSkipZeros>(node, ab, fold, constants, val, adj, count);
  });
}

// Each op's group sweeps by op code, in tables: one indirect call per group (a chain of
// compares over the op list cost up to one compare per op before it).
constexpr auto kForwardOps =
    by_op_code(ops::OpList{}, [](auto op) { return &forward_op<typename decltype(op)::type>; });
template <bool kSkipZeros>
constexpr auto kReverseOps = by_op_code(ops::OpList{}, [](auto op) {
  return &reverse_op<typename decltype(op)::type, kSkipZeros>;
});

}  // namespace

void Replay::forward_compact() {
  double* val = values_.get();
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  for_each_group<false>(
      groups_, t_.floor_,
      [&](const Group& g, Positions first, std::size_t count) {
        kForwardOps[g.op - ops::kFirstOpCode](g.squares, g.chain, first, ab + g.begin,
                                              compact_folds_.data() + g.fold_first, constants, val,
                                              count);
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
  // The seed, set on the node by the caller: every node's adjoint stays zero.
  const double seed = t_.base_[out].adj;
  t_.base_[out].adj = 0;
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  with_skip_zeros(t_.zeros_ == Tape::ZeroAdjoints::skipped, [&](auto zeros) {
    constexpr bool kSkipZeros = decltype(zeros)::value;
    if (at < compact_scheduled_) {
      adj[at] += seed;
    } else {
      // An output that is a folded product (no adjoint of its own, and no step: its consumer,
      // after it, is not reached) passes its share to its factors first.
      const auto [x, y] = factors_of(out);
      pass_share<true, kSkipZeros>(adj, val, x, &y, 1.0, seed);
    }
    for_each_group<true>(
        groups_, t_.floor_,
        [&](const Group& g, Positions first, std::size_t count) {
          kReverseOps<kSkipZeros>[g.op - ops::kFirstOpCode](g.squares, first, ab + g.begin,
                                                            compact_folds_.data() + g.fold_first,
                                                            constants, val, adj, count);
        },
        [&](const Group& g, Positions first, std::size_t count, auto sq) {
          reverse_linear<decltype(sq)::value, kSkipZeros>(
              first, ab + g.begin, compact_folds_.data() + g.fold_first,
              plan_constants_.data() + g.constants, val, adj, count);
        },
        at);
  });
  // The inputs' adjoints stay where they are (their positions are their slots).
  plan_gradient_ = true;
}

}  // namespace slope
