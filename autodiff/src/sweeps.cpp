// SPDX-License-Identifier: MIT
// The replayed sweeps. A forward sweep re-runs every node's rule, dispatched on its op code, at
// T = double (new values and partials) or T = Dual (values, tangents and the partials'
// directional derivatives); the reverse sweep is the same accumulation ā += p·z̄ in T.

#include <string>
#include <utility>

#include <autodiff/functional.hpp>
#include <autodiff/op_list.hpp>
#include <autodiff/tape.hpp>

namespace slope::detail {

namespace {

template <class T, class Op>
SLOPE_INLINE void eval_node(const Node& n, const T* val, T& z, T& q0, T& q1) {
  const T& a = val[n.a()];
  if constexpr (Op::arity == ops::Arity::unary) {
    z = ops::call<Op>(a);
    q0 = Op::df(a, z);
    q1 = T(0);
  } else if constexpr (Op::arity == ops::Arity::constant) {
    const double c = n.p1;
    z = ops::call<Op>(a, c);
    q0 = Op::df(a, c, z);
    q1 = T(0);
  } else {
    const T& b = val[n.b()];
    z = ops::call<Op>(a, b);
    const ops::Pair<T> p = Op::df(a, b, z);
    q0 = p.a;
    q1 = p.b;
  }
}

// One comparison per op code against a constant: GCC turns the chain into a jump table with
// every rule inlined (an indirect call per node cost more than the rule itself for + and *).
template <class T, class... Ops, std::size_t... I>
SLOPE_INLINE void dispatch(std::uint8_t code, const Node& n, const T* val, T& z, T& q0, T& q1,
                           ops::TypeList<Ops...>, std::index_sequence<I...>) {
  (void)((code == ops::kFirstOpCode + I ? (eval_node<T, Ops>(n, val, z, q0, q1), true) : false) ||
         ...);
}

struct Work {
  std::vector<Dual> val, q0, q1, adj;
};
thread_local Work work;

// Forward sweep in T over nodes [1, end): val, q0, q1 get every node's value and partials.
template <class T>
void forward(const Tape& tape, std::size_t end, const T* x, T* val, T* q0, T* q1,
             const char* call) {
  const Node* nodes = tape.nodes();
  val[0] = q0[0] = q1[0] = T(0);
  for (std::size_t i = 1; i < end; ++i) {
    const Node& n = nodes[i];
    const std::uint8_t op = n.op();
    if (op == ops::kInputCode) {
      val[i] = x[static_cast<std::size_t>(n.p1)];
      q0[i] = q1[i] = T(0);
    } else if (op == ops::kTensorCode) [[unlikely]] {
      throw Error(std::string("slope::") + call +
                  ": recordings with tensor ops cannot be replayed yet");
    } else if (op == ops::kFusedCode) [[unlikely]] {
      throw Error(std::string("slope::") + call +
                  ": the recording folded ops for a gradient only and cannot be replayed");
    } else {
      dispatch<T>(op, n, val, val[i], q0[i], q1[i], ops::OpList{},
                  std::make_index_sequence<ops::OpList::size>{});
    }
  }
}

template <class T>
void reverse(const Tape& tape, std::size_t out, const T* q0, const T* q1, T* adj) {
  const Node* nodes = tape.nodes();
  adj[out] = T(1);
  for (std::size_t i = out; i >= tape.sweep_floor(); --i) {
    const T g = adj[i];
    adj[nodes[i].a()] += q0[i] * g;
    adj[nodes[i].b()] += q1[i] * g;
  }
}

// One HVP sweep pair; the adjoint of input k is (∂f/∂x_k, (Hv)_k).
void hvp_sweeps(const Tape& tape, const Var& y, std::span<const double> x,
                std::span<const double> v, const char* call) {
  const std::size_t end = y.is_active() ? y.slot() + 1 : 1;
  Work& w = work;
  w.val.resize(end);
  w.q0.resize(end);
  w.q1.resize(end);
  w.adj.assign(tape.size(), Dual(0));
  std::vector<Dual> xd(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) xd[k] = Dual(x[k], v[k]);
  forward<Dual>(tape, end, xd.data(), w.val.data(), w.q0.data(), w.q1.data(), call);
  if (y.is_active()) reverse<Dual>(tape, y.slot(), w.q0.data(), w.q1.data(), w.adj.data());
}

}  // namespace

xt::xarray<double> finish_hessian(Tape& tape, const Var& y, const Tensor& p, const char* call) {
  check_output(tape, y, call);
  const std::size_t n = p.size();
  xt::xarray<double> h = xt::zeros<double>({n, n});
  std::vector<double> e(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    e[j] = 1.0;
    hvp_sweeps(tape, y, tape.input_values(), e, call);
    for (std::size_t i = 0; i < n; ++i) h(i, j) = work.adj[p.first_slot() + i].d;
    e[j] = 0.0;
  }
  return symmetrize(std::move(h));
}

xt::xarray<double> symmetrize(xt::xarray<double> h) {
  // Forward-over-reverse columns agree with their transposes only to rounding; average them.
  const std::size_t n = h.shape()[0];
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) h(i, j) = h(j, i) = 0.5 * (h(i, j) + h(j, i));
  return h;
}

}  // namespace slope::detail
