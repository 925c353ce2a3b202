// SPDX-License-Identifier: MIT
// The compact format's HVP sweeps: its schedule in dual numbers, each node's value with its
// tangent going forward, each adjoint with its tangent going back, partials and their tangents
// recomputed from the op's df at Dual; folded products as in the first-order sweeps.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <slope/autodiff/dual.hpp>
#include <slope/autodiff/op_list.hpp>

#include "compact_rules.hpp"
#include "replay.hpp"

namespace slope {

using detail::Replay;

namespace {

using namespace detail::compact;

template <class Op, int kSquares>
void forward_group_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                        const double* constants, const DualArrays& d, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t* fa = F::of_a(fold, k);
    const Dual da = dual_operand<F::a>(d, ab[k].a, fa);
    Dual db = 0.0;
    if constexpr (Op::arity == ops::Arity::constant) db = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) {
      const std::uint32_t* fb = F::of_b(fold, k);
      db = dual_operand<F::b>(d, ab[k].b, fb);
    }
    const Dual z = dual_value_of<Op>(da, db);
    d.val[node[k]] = z.v;
    d.dot[node[k]] = z.d;
  }
}

template <class Op, int kSquares, bool kSkipZeros>
void reverse_group_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                        const double* constants, const DualArrays& d, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    const Dual g = take_adjoint(d, i);
    const std::uint32_t* fa = F::of_a(fold, k);
    const std::uint32_t* fb = F::of_b(fold, k);
    Dual b = 0.0;
    if constexpr (Op::arity == ops::Arity::constant) b = constants[ab[k].b];
    if constexpr (Op::arity == ops::Arity::binary) b = dual_operand<F::b>(d, ab[k].b, fb);
    const ops::Pair<Dual> p =
        dual_partials_of<Op>(dual_operand<F::a>(d, ab[k].a, fa), b, Dual(d.val[i], d.dot[i]));
    pass_dual_share<F::a, kSkipZeros>(d, ab[k].a, fa, p.a, g);
    if constexpr (Op::arity == ops::Arity::binary)
      pass_dual_share<F::b, kSkipZeros>(d, ab[k].b, fb, p.b, g);
  }
}

template <int kSquares>
void forward_linear_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                         const Replay::Partials* c, const DualArrays& d, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t* fa = F::of_a(fold, k);
    const std::uint32_t* fb = F::of_b(fold, k);
    const Dual a = dual_operand<F::a>(d, ab[k].a, fa);
    const Dual b = dual_operand<F::b>(d, ab[k].b, fb);
    d.val[node[k]] = c[k].p0 * a.v + c[k].p1 * b.v;
    d.dot[node[k]] = c[k].p0 * a.d + c[k].p1 * b.d;
  }
}

template <int kSquares, bool kSkipZeros>
void reverse_linear_dual(Positions node, const Operands* ab, const std::uint32_t* fold,
                         const Replay::Partials* c, const DualArrays& d, std::size_t count) {
  using F = Folded<kSquares>;
  for (std::size_t k = count; k-- > 0;) {
    const std::uint32_t i = node[k];
    const Dual g = take_adjoint(d, i);
    pass_dual_share<F::a, kSkipZeros>(d, ab[k].a, F::of_a(fold, k), Dual(c[k].p0), g);
    pass_dual_share<F::b, kSkipZeros>(d, ab[k].b, F::of_b(fold, k), Dual(c[k].p1), g);
  }
}

template <class Op>
void forward_op_dual(int squares, Positions node, const Operands* ab, const std::uint32_t* fold,
                     const double* constants, const DualArrays& d, std::size_t count) {
  with_squares<Op::arity == ops::Arity::binary>(squares, [&](auto sq) {
    forward_group_dual<Op, decltype(sq)::value>(node, ab, fold, constants, d, count);
  });
}

template <class Op, bool kSkipZeros>
void reverse_op_dual(int squares, Positions node, const Operands* ab, const std::uint32_t* fold,
                     const double* constants, const DualArrays& d, std::size_t count) {
  with_squares<Op::arity == ops::Arity::binary>(squares, [&](auto sq) {
    reverse_group_dual<Op, decltype(sq)::value, kSkipZeros>(node, ab, fold, constants, d, count);
  });
}

// By op code, in tables, as the first-order sweeps.
constexpr auto kForwardOps = by_op_code(
    ops::OpList{}, [](auto op) { return &forward_op_dual<typename decltype(op)::type>; });
template <bool kSkipZeros>
constexpr auto kReverseOps = by_op_code(ops::OpList{}, [](auto op) {
  return &reverse_op_dual<typename decltype(op)::type, kSkipZeros>;
});

}  // namespace

void Replay::forward_compact_dual(std::span<const double> x, std::span<const double> v) {
  if (!compact_dot_) {  // by position, as the values: none for the folded products
    compact_dot_ = std::make_unique_for_overwrite<double[]>(compact_scheduled_);
    compact_adj_dot_ = std::make_unique<double[]>(compact_scheduled_);
  }
  const DualArrays d{values_.get(), compact_dot_.get(), plan_adjoints_.get(),
                     compact_adj_dot_.get()};
  d.dot[0] = 0;                              // the sink
  std::copy(x.begin(), x.end(), d.val + 1);  // the block of inputs
  std::copy(v.begin(), v.end(), d.dot + 1);
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  for_each_group<false>(
      groups_, t_.floor_,
      [&](const Group& g, Positions first, std::size_t count) {
        kForwardOps[g.op - ops::kFirstOpCode](g.squares, first, ab + g.begin,
                                              compact_folds_.data() + g.fold_first, constants, d,
                                              count);
      },
      [&](const Group& g, Positions first, std::size_t count, auto sq) {
        forward_linear_dual<decltype(sq)::value>(first, ab + g.begin,
                                                 compact_folds_.data() + g.fold_first,
                                                 plan_constants_.data() + g.constants, d, count);
      });
}

void Replay::reverse_compact_dual(std::uint32_t out) {
  const DualArrays d{values_.get(), compact_dot_.get(), plan_adjoints_.get(),
                     compact_adj_dot_.get()};
  const std::uint32_t at = position_of(out);
  // The seed, set on the node by the caller (its tangent is zero).
  const Dual seed(t_.base_[out].adj);
  t_.base_[out].adj = 0;
  const Operands* ab = plan_operands_.data();
  const double* constants = compact_constants_.data();
  with_skip_zeros(t_.zeros_ == Tape::ZeroAdjoints::skipped, [&](auto zeros) {
    constexpr bool kSkipZeros = decltype(zeros)::value;
    if (at < compact_scheduled_) {
      d.adj[at] += seed.v;
    } else {  // a folded product, as in reverse_compact
      const auto [x, y] = factors_of(out);
      pass_dual_share<true, kSkipZeros>(d, x, &y, Dual(1.0), seed);
    }
    for_each_group<true>(
        groups_, t_.floor_,
        [&](const Group& g, Positions first, std::size_t count) {
          kReverseOps<kSkipZeros>[g.op - ops::kFirstOpCode](g.squares, first, ab + g.begin,
                                                            compact_folds_.data() + g.fold_first,
                                                            constants, d, count);
        },
        [&](const Group& g, Positions first, std::size_t count, auto sq) {
          reverse_linear_dual<decltype(sq)::value, kSkipZeros>(
              first, ab + g.begin, compact_folds_.data() + g.fold_first,
              plan_constants_.data() + g.constants, d, count);
        },
        at);
  });
  plan_gradient_ = true;  // the inputs' adjoints and their tangents stay in the compact arrays
}

}  // namespace slope
