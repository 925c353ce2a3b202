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

// An op's value and partials at T = double. `b` is the second operand of a two-operand op, the
// constant of a constant op, unused otherwise; p1 is 0 but for two-operand ops.
struct Evaluated {
  double z, p0, p1;
};
template <class Op>
SLOPE_INLINE Evaluated evaluate(double a, double b) {
  if constexpr (Op::arity == ops::Arity::unary) {
    (void)b;
    if constexpr (requires { Op::value_and_slope(a); }) {
      const ops::Pair<double> zp = Op::value_and_slope(a);
      return {zp.a, zp.b, 0};
    } else {
      const double z = Op::f(a);
      return {z, Op::df(a, z), 0};
    }
  } else if constexpr (Op::arity == ops::Arity::constant) {
    const double z = Op::f(a, b);
    return {z, Op::df(a, b, z), 0};
  } else {
    const double z = Op::f(a, b);
    const ops::Pair<double> p = Op::df(a, b, z);
    return {z, p.a, p.b};
  }
}

// One node at T = double: value into val[i] (and returned), partials into the node. A constant
// op keeps its constant in p1; a one-operand op's p1 stays 0.
template <class Op>
SLOPE_INLINE double replay_node(Node& n, double* val, std::size_t i, double prev) {
  const double a = operand(n.a(), i, prev, val);
  double b = 0;
  if constexpr (Op::arity == ops::Arity::constant) b = n.p1;
  if constexpr (Op::arity == ops::Arity::binary) b = operand(n.b(), i, prev, val);
  const Evaluated e = evaluate<Op>(a, b);
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
  Dual z, p0, p1(0);
  if constexpr (Op::arity == ops::Arity::unary) {
    z = ops::call<Op>(a);
    p0 = Op::df(a, z);
  } else if constexpr (Op::arity == ops::Arity::constant) {
    const double c = n.p1;
    z = ops::call<Op>(a, c);
    p0 = Op::df(a, c, z);
  } else {
    const Dual b(val[n.b()], tan[n.b()].t);
    z = ops::call<Op>(a, b);
    const ops::Pair<Dual> p = Op::df(a, b, z);
    p0 = p.a;
    p1 = p.b;
    n.p1 = p1.v;
  }
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
    const Evaluated e = evaluate<Op>(fa.v, fb.v);
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
// times the folded nodes' partials.
template <int kFolds, int kSquares, class Operands, class Partials>
void linear_folds(const Partials* c, const std::uint32_t* node, const Operands* ab,
                  const Operands* fold, Partials* p, double* val, std::uint32_t begin,
                  std::uint32_t end) {
  for (std::uint32_t k = begin; k < end; ++k) {
    Folded fa{val[ab[k].a], 1.0}, fb{val[ab[k].b], 1.0};
    if constexpr ((kFolds & 1) != 0)
      fa = folded_operand<(kSquares & 1) != 0>(fa.v, fold[k].a, p, val);
    if constexpr ((kFolds & 2) != 0)
      fb = folded_operand<(kSquares & 2) != 0>(fb.v, fold[k].b, p, val);
    val[node[k]] = c[k].p0 * fa.v + c[k].p1 * fb.v;
    p[k].p0 = (kFolds & 1) != 0 ? adjoint_share(fa.p, c[k].p0) : c[k].p0;
    p[k].p1 = (kFolds & 2) != 0 ? adjoint_share(fb.p, c[k].p1) : c[k].p1;
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

[[noreturn]] void throw_gradient_only() {
  throw Error(
      "slope::Tape::replay: the recording folded ops for a gradient only (Mode::gradient) "
      "and cannot be replayed; record with Mode::replay");
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
      throw_gradient_only();
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
                          fold + g.begin, p + g.begin, p, val, count, ops::OpList{},
                          std::make_index_sequence<ops::OpList::size>{});
    } else if (g.op == ops::kLinearCode && g.folds == 0) {
      for (std::uint32_t k = g.begin; k < g.end; ++k)
        val[node[k]] = p[k].p0 * val[ab[k].a] + p[k].p1 * val[ab[k].b];
    } else if (g.op == ops::kLinearCode) {  // the recorded constants times the folded partials
      if (g.folds == 1)
        linear_squares<1>(g.squares, c, node, ab, fold, p, val, g.begin, g.end);
      else if (g.folds == 2)
        linear_squares<2>(g.squares, c, node, ab, fold, p, val, g.begin, g.end);
      else
        linear_squares<3>(g.squares, c, node, ab, fold, p, val, g.begin, g.end);
    } else {
      throw_gradient_only();  // inputs among the ops and tensor nodes are not planned
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
      throw_gradient_only();
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
  if (t_.open_) throw Error("slope::Tape::replay: the recording is still open");
  if (t_.mode_ != Mode::replay)
    throw Error("slope::Tape::replay: the tape was recorded for a gradient only (Mode::gradient)");
  if (x.size() != t_.inputs_.size())
    throw Error("slope::Tape::replay: x has length " + std::to_string(x.size()) +
                ", the recording has " + std::to_string(t_.inputs_.size()) + " inputs");
  // Allocated once per tape: a warm replay allocates nothing.
  if (values_capacity_ < t_.capacity_) {  // the tape grew since (a pooled tape's new recording)
    values_ = std::make_unique_for_overwrite<double[]>(t_.capacity_);
    values_capacity_ = t_.capacity_;
  }
  if (dual && !t_.tangents_) t_.tangents_ = std::make_unique_for_overwrite<Tangent[]>(t_.capacity_);
  // A block of inputs is read from its slots (copied there below, or set by its input nodes in
  // the dual sweep): a second copy into t_.inputs_ was a large part of a replay of Rosenbrock
  // n = 1000 when x and t_.inputs_ sat at nearly the same offset in a 4 KiB page (loads waited on the
  // stores of the copy).
  t_.inputs_in_values_ = t_.floor_ > 1 && t_.inputs_.size() + 1 == t_.floor_;
  if (!t_.inputs_in_values_) std::copy(x.begin(), x.end(), t_.inputs_.begin());
  t_.dual_ = dual;
  values_[0] = 0;
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

void Replay::forward_sweep(std::span<const double> x, std::span<const double> v, bool dual) {
  // First order: the level schedule (built once); dual: node by node in recorded order.
  if (!dual && segment_groups_.empty()) build_schedule();
  if (!dual && t_.floor_ > 1) std::copy(x.begin(), x.end(), values_.get() + 1);  // the block
  plan_swept_ = !dual && planned_;
  if (plan_swept_) {
    forward_plan();
    t_.swept_ = true;
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
  if (dual) t_.ops_clean_ = t_.tangents_clean_ = true;
  t_.swept_ = true;  // tensor adjoints of the previous sweep are released by the next one
}

// ---- the tape's side of its compiled replay ----

void detail::ReplayDeleter::operator()(Replay* replay) const { delete replay; }

Replay& Tape::compiled() {
  if (!replay_) replay_.reset(new Replay(*this));
  return *replay_;
}

bool Tape::plan_gradient() const { return replay_ && replay_->plan_gradient_; }

double Tape::adjoint(std::uint32_t slot) const {
  return plan_gradient() ? replay_->plan_adjoints_[slot] : base_[slot].adj;
}

double Tape::replayed_value(std::uint32_t slot) const { return replay_->values_[slot]; }

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

void Replay::forget() {
  replaying_ = false;
  replay_error_.reset();
  reached_ = tensors_reached_ = kNoSlot;
  segment_groups_.clear();
  planned_ = plan_swept_ = plan_gradient_ = false;
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
