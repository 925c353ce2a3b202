// SPDX-License-Identifier: MIT
// The plan's sweeps (the plan is built in replay_plan.cpp): a first-order replay of a recording
// without tensor nodes or inputs among its ops, from dense arrays by schedule position, with
// folded one-operand nodes computed by their consumers, and the reverse sweep over the steps
// that were not folded.

#include <algorithm>
#include <cstdint>
#include <utility>

#include <slope/autodiff/op_list.hpp>

#include "replay.hpp"

namespace slope {

using detail::Replay;

namespace {

// A folded operand's value and partial, from x, the value the consumer read for it. kSquare: the
// folded node is a square this consumer computes, x is the square's operand and `fold` the
// square's node (its value is stored there); else x is the folded node's value and `fold` the
// position of its partial.
struct Folded {
  double v, p;
};
template <bool kSquare, class Partials>
SLOPE_INLINE Folded folded_operand(double x, std::uint32_t fold, const Partials* all, double* val) {
  if constexpr (kSquare) {
    const double v = x * x;  // Square's f and df, as its own node would compute them
    val[fold] = v;
    return {v, x + x};
  } else {
    return {x, all[fold].p0};
  }
}

// The plan's forward sweep for a group of one op: operands and partials by position, streamed.
// kFolds (bit 0: a, bit 1: b): the operand is a folded node, whose partial (at its position in
// `all`, already a product if it folded a node in turn) multiplies this node's partial for it;
// kSquares (a subset): that folded node is a square computed here (folded_operand).
template <class Op, int kFolds, int kSquares, bool kChain, class Operands, class Partials>
void plan_group(const std::uint32_t* node, const Operands* ab, const Operands* fold, Partials* p,
                const Partials* all, double* val, std::size_t count) {
  // kChain: the value just computed travels in a register to a consumer at the next position
  // (a chain merged into one group), as in forward_nodes.
  double z = 0;
  std::uint32_t last = 0;
  for (std::size_t k = 0; k < count; ++k) {
    Folded fa{kChain && ab[k].a == last ? z : val[ab[k].a], 1.0}, fb{0, 1.0};
    if constexpr ((kFolds & 1) != 0)
      fa = folded_operand<(kSquares & 1) != 0>(fa.v, fold[k].a, all, val);
    if constexpr (Op::arity == ops::Arity::constant) fb.v = p[k].p1;
    if constexpr (Op::arity == ops::Arity::binary) {
      fb.v = kChain && ab[k].b == last ? z : val[ab[k].b];
      if constexpr ((kFolds & 2) != 0)
        fb = folded_operand<(kSquares & 2) != 0>(fb.v, fold[k].b, all, val);
    }
    const ops::Evaluated<double> e = ops::evaluate<Op>(fa.v, fb.v);
    z = e.z;
    double p0 = e.p0, p1 = e.p1;
    if constexpr ((kFolds & 1) != 0) p0 = adjoint_share(fa.p, p0);
    if constexpr ((kFolds & 2) != 0) p1 = adjoint_share(fb.p, p1);
    p[k].p0 = p0;
    if constexpr (Op::arity == ops::Arity::binary) p[k].p1 = p1;
    last = node[k];
    val[last] = z;
  }
}

// Groups with folds pass values along chains whether or not they hold one (fewer copies of
// the loop; the check costs a compare).
template <class Op, class Operands, class Partials>
void plan_group_folds(int folds, int squares, bool chain, const std::uint32_t* node,
                      const Operands* ab, const Operands* fold, Partials* p, const Partials* all,
                      double* val, std::size_t count) {
  // Which folded operands are squares computed here: folds · 4 + squares.
  switch (folds * 4 + squares) {
    case 0:
      if (!chain) return plan_group<Op, 0, 0, false>(node, ab, fold, p, all, val, count);
      return plan_group<Op, 0, 0, true>(node, ab, fold, p, all, val, count);
    case 4:
      return plan_group<Op, 1, 0, true>(node, ab, fold, p, all, val, count);
    case 5:
      return plan_group<Op, 1, 1, true>(node, ab, fold, p, all, val, count);
  }
  if constexpr (Op::arity == ops::Arity::binary) {  // one-operand ops fold only a
    switch (folds * 4 + squares) {
      case 8:
        return plan_group<Op, 2, 0, true>(node, ab, fold, p, all, val, count);
      case 10:
        return plan_group<Op, 2, 2, true>(node, ab, fold, p, all, val, count);
      case 12:
        return plan_group<Op, 3, 0, true>(node, ab, fold, p, all, val, count);
      case 13:
        return plan_group<Op, 3, 1, true>(node, ab, fold, p, all, val, count);
      case 14:
        return plan_group<Op, 3, 2, true>(node, ab, fold, p, all, val, count);
      case 15:
        return plan_group<Op, 3, 3, true>(node, ab, fold, p, all, val, count);
    }
  }
}

template <class Operands, class Partials, class... Ops, std::size_t... I>
void dispatch_plan_group(std::uint8_t code, int folds, int squares, bool chain,
                         const std::uint32_t* node, const Operands* ab, const Operands* fold,
                         Partials* p, const Partials* all, double* val, std::size_t count,
                         ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I
              ? (plan_group_folds<Ops>(folds, squares, chain, node, ab, fold, p, all, val, count),
                 true)
              : false) ||
         ...);
}

// The plan's reverse steps, last first. A share for the node of the step before (a chain: a
// running sum's adds) travels in a register, `carry`, not through a store and a reload of its
// adjoint; mark_carries made that operand the step's own slot, zeroed after it. One loop per
// kind of run, so neither a branch nor a mask per step picks the share to carry (a mask moved
// the carry through an integer register, which made each step on the chain slower than with
// branches). kSkip: the output is not the last node, and the nodes after it are not swept.
// kSkipZeros: each share by adjoint_share (the second sweep of Tape::sweep_from).
template <bool kSkip, bool kSkipZeros, int kCarry, class Step, class Partials>
double reverse_run(const Step* s, std::size_t begin, std::size_t end, const Partials* p,
                   double* adj, std::uint32_t out, double carry) {
  for (std::size_t k = end; k-- > begin;) {
    const std::uint32_t i = s[k].node;
    if (kSkip && i > out) continue;
    const double g = adj[i] + carry;
    const double p0 = p[s[k].pos].p0, p1 = p[s[k].pos].p1;
    const double da = kSkipZeros ? adjoint_share(p0, g) : p0 * g;
    const double db = kSkipZeros ? adjoint_share(p1, g) : p1 * g;
    adj[s[k].a] += da;
    adj[s[k].b] += db;
    adj[i] = 0;
    carry = kCarry == 1 ? da : kCarry == 2 ? db : 0.0;
  }
  return carry;
}

template <bool kSkip, bool kSkipZeros = false, class Sweep, class Partials>
void reverse_steps(const Sweep& sweep, const Partials* p, double* adj, std::uint32_t out) {
  double carry = 0;
  for (std::size_t r = sweep.runs.size(); r-- > 0;) {
    const std::size_t begin = r == 0 ? 0 : sweep.runs[r - 1].end, end = sweep.runs[r].end;
    const auto* s = sweep.steps.data();
    if (sweep.runs[r].carry == 1)
      carry = reverse_run<kSkip, kSkipZeros, 1>(s, begin, end, p, adj, out, carry);
    else if (sweep.runs[r].carry == 2)
      carry = reverse_run<kSkip, kSkipZeros, 2>(s, begin, end, p, adj, out, carry);
    else
      carry = reverse_run<kSkip, kSkipZeros, 0>(s, begin, end, p, adj, out, carry);
  }
}

// A group of linear nodes with folded operands: their partials are the recorded constants c
// (c[0] the group's first node's) times the folded nodes' partials (where: fold[0] the first's).
template <int kFolds, int kSquares, class Operands, class Partials>
void linear_folds(const Partials* c, const std::uint32_t* node, const Operands* ab,
                  const Operands* fold, Partials* p, double* val, std::uint32_t begin,
                  std::uint32_t end) {
  for (std::uint32_t k = begin; k < end; ++k) {
    Folded fa{val[ab[k].a], 1.0}, fb{val[ab[k].b], 1.0};
    if constexpr ((kFolds & 1) != 0)
      fa = folded_operand<(kSquares & 1) != 0>(fa.v, fold[k - begin].a, p, val);
    if constexpr ((kFolds & 2) != 0)
      fb = folded_operand<(kSquares & 2) != 0>(fb.v, fold[k - begin].b, p, val);
    const Partials& ck = c[k - begin];
    val[node[k]] = ck.p0 * fa.v + ck.p1 * fb.v;
    p[k].p0 = (kFolds & 1) != 0 ? adjoint_share(fa.p, ck.p0) : ck.p0;
    p[k].p1 = (kFolds & 2) != 0 ? adjoint_share(fb.p, ck.p1) : ck.p1;
  }
}

template <int kFolds, class Operands, class Partials>
void linear_squares(int squares, const Partials* c, const std::uint32_t* node, const Operands* ab,
                    const Operands* fold, Partials* p, double* val, std::uint32_t begin,
                    std::uint32_t end) {
  if (squares == 0) return linear_folds<kFolds, 0>(c, node, ab, fold, p, val, begin, end);
  if constexpr ((kFolds & 1) != 0)
    if (squares == 1) return linear_folds<kFolds, 1>(c, node, ab, fold, p, val, begin, end);
  if constexpr ((kFolds & 2) != 0)
    if (squares == 2) return linear_folds<kFolds, 2>(c, node, ab, fold, p, val, begin, end);
  if constexpr (kFolds == 3) return linear_folds<3, 3>(c, node, ab, fold, p, val, begin, end);
}

}  // namespace

void Replay::merge_partials() {
  double* d = &plan_partials_.data()->p0;
  for (const Merge& m : plan_merges_) {
    const double via = d[m.via];
    d[m.to] = via * d[m.t] + d[m.add_a];
    d[m.to + 1] = via * d[m.t + 1] + d[m.add_b];
  }
}

void Replay::forward_plan() {
  double* val = values_.get();
  const std::uint32_t* node = order_.data();
  const Operands* ab = plan_operands_.data();
  const Operands* fold = plan_folds_.data();
  Partials* p = plan_partials_.data();
  const Partials* c = plan_constants_.data();
  for (const Group& g : groups_) {
    const std::size_t count = g.end - g.begin;
    if (g.op >= ops::kFirstOpCode) {
      dispatch_plan_group(g.op, g.folds, g.squares, g.chain, node + g.begin, ab + g.begin,
                          fold + g.fold_first, p + g.begin, p, val, count, ops::OpList{},
                          std::make_index_sequence<ops::OpList::size>{});
    } else if (g.op == ops::kLinearCode && g.folds == 0) {
      for (std::uint32_t k = g.begin; k < g.end; ++k)
        val[node[k]] = p[k].p0 * val[ab[k].a] + p[k].p1 * val[ab[k].b];
    } else if (g.op == ops::kLinearCode) {  // the recorded constants times the folded partials
      const Partials* gc = c + g.constants;
      const Operands* gf = fold + g.fold_first;
      if (g.folds == 1)
        linear_squares<1>(g.squares, gc, node, ab, gf, p, val, g.begin, g.end);
      else if (g.folds == 2)
        linear_squares<2>(g.squares, gc, node, ab, gf, p, val, g.begin, g.end);
      else
        linear_squares<3>(g.squares, gc, node, ab, gf, p, val, g.begin, g.end);
    } else {
      Replay::throw_gradient_only();  // inputs among the ops and tensor nodes are not planned
    }
  }
}

void Replay::reverse_plan(std::uint32_t out) {
  double* adj = plan_adjoints_.get();
  const Partials* p = plan_partials_.data();
  // The seed, set on the node by the caller: every node's adjoint stays zero.
  adj[out] += t_.base_[out].adj;
  t_.base_[out].adj = 0;
  // An output folded into a node recorded after it (not swept) passes its share on first.
  const auto f =
      std::lower_bound(plan_folded_.begin(), plan_folded_.end(), out,
                       [](const ReverseStep& s, std::uint32_t node) { return s.node < node; });
  if (f != plan_folded_.end() && f->node == out) {
    // A square computed by its consumer has no partial of its own: 2x, as Square's df.
    const double x = values_[f->a];
    adj[f->a] += (f->pos == kSquaredInPlace ? x + x : p[f->pos].p0) * adj[out];
    adj[out] = 0;
  }
  // Backwards through the schedule: every consumer of a node comes after it. The merged steps
  // hold only for the last node as the output (a merged node's adjoint is never formed).
  if (t_.zeros_ == Tape::ZeroAdjoints::skipped) {
    // Unmerged: a merged partial is a product formed without adjoint_share.
    reverse_steps<true, true>(plan_reverse_, p, adj, out);
  } else if (out + 1 == t_.size_ && !plan_merged_.steps.empty()) {
    merge_partials();
    reverse_steps<false>(plan_merged_, p, adj, out);
  } else if (out + 1 == t_.size_)
    reverse_steps<false>(plan_reverse_, p, adj, out);
  else
    reverse_steps<true>(plan_reverse_, p, adj, out);
  // The inputs' adjoints stay where they are: adjoint() reads them there, and the next sweep's
  // t_.clear_adjoints() zeroes them (8 bytes each, not a 32-byte node line each).
  plan_gradient_ = true;
}

}  // namespace slope
