// SPDX-License-Identifier: MIT
// The reduction node and the lane maps softmax and log_softmax. A reduction along an axis works
// on lanes: the elements that differ only in that axis; a reduction over all elements is one
// lane. The reductions themselves (sum, mean, max, min, norm2, log_sum_exp) are structs in
// reductions.hpp, each rule written once over the number type T (double, or Dual in recordings
// with tangents); ReduceOp<R> runs R's rule, and reduce_all / reduce_axis find R by its code.
//
// Empty lanes: sum and norm2 of no elements are 0; mean, max, min, log_sum_exp, softmax and
// log_softmax of no elements are an Error naming the op and the shape. A lane is only ever empty
// when the axis has length 0: (0, 3) along axis 0 is three empty lanes (sum gives (3,) zeros,
// mean throws), along axis 1 it is no lane at all (every op gives an empty result).

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>

#include <slope/autodiff/reductions.hpp>
#include <slope/autodiff/tensor_ops.hpp>

#include "tensor_list.hpp"

namespace slope::detail {
namespace {

// Element j of lane l is at l.base + j * l.stride.
struct Lanes {
  std::size_t outer = 1, len = 1, inner = 1;
  std::size_t count() const { return outer * inner; }
  template <class F>
  void each(F f) const {  // f(base, stride, lane index)
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) f(o * len * inner + i, inner, o * inner + i);
  }
};

Lanes lanes_along(const Shape& s, std::size_t axis) {
  Lanes l;
  for (std::size_t d = 0; d < axis; ++d) l.outer *= s[d];
  l.len = s[axis];
  for (std::size_t d = axis + 1; d < s.size(); ++d) l.inner *= s[d];
  return l;
}

using reductions::Lane;

template <class T>
T exp_of(const T& x) {
  return ops::call<ops::Exp>(x);
}

template <class R, class T>
void reduce_lanes(const Lanes& ls, const TensorNode& x, double* z, double* zt) {
  const double* xt = x.tangent();
  ls.each([&](std::size_t base, std::size_t stride, std::size_t out) {
    store<T>(z, zt, out, R::f(Lane<T>{x.value().data(), xt, base, stride, ls.len}));
  });
}

// The lanes along `axis` (all elements when there is none) and the shape of the result.
Lanes lanes_of(const Shape& s, std::optional<std::ptrdiff_t> axis, const char* name, Shape& out) {
  out.resize(0);
  if (!axis) {
    Lanes ls;
    ls.len = size_of(s);
    return ls;
  }
  const std::size_t k = normalize_axis(*axis, s.size(), name, s);
  for (std::size_t d = 0; d < s.size(); ++d)
    if (d != k) out.push_back(s[d]);
  return lanes_along(s, k);
}

// A reduction node: R's rule (reductions.hpp) over the lanes of its operand.
template <class R>
struct ReduceOp final : OpBase<ReduceOp<R>> {
  std::uint32_t src;
  std::optional<std::ptrdiff_t> axis;
  Lanes ls;  // of the current forward
  ReduceOp(std::uint32_t s, std::optional<std::ptrdiff_t> a) : src(s), axis(a) {}
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode&) const override {
    if (flow[src] != RowFlow::rows) return RowFlow::mixed;
    if (!axis) {
      if (R::over_rows == reductions::OverRows::sum) return RowFlow::sum;
      return R::over_rows == reductions::OverRows::mean ? RowFlow::mean : RowFlow::mixed;
    }
    const Shape& s = list.nodes[src].value().shape();
    return normalize_axis(*axis, s.size(), R::name, s) > 0 ? RowFlow::rows : RowFlow::mixed;
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const TensorNode& x = list[src];
    const Shape& s = x.value().shape();
    Shape out;
    ls = lanes_of(s, axis, R::name, out);
    if (ls.len == 0 && ls.count() > 0 && !R::empty_is_zero)
      throw Error(std::string("slope: ") + R::name + ": reduces zero elements (shape " +
                  core::shape(s) + (axis ? ", axis " + std::to_string(*axis) : std::string()) +
                  ")");
    const Out o = output(tape, self, out);
    if (o.t != nullptr)
      reduce_lanes<R, Dual>(ls, x, o.v, o.t);
    else
      reduce_lanes<R, double>(ls, x, o.v, nullptr);
  }
  template <class T>
  void vjp(const TensorNode& x, const TensorNode& self, double* g, double* gt) const {
    const double* xt = x.tangent();
    const double* zt = self.tangent();
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    ls.each([&](std::size_t base, std::size_t stride, std::size_t out) {
      const Lane<T> a{x.value().data(), xt, base, stride, ls.len};
      const T z = load<T>(self.own.data(), zt, out);
      const T gz = load<T>(self.adj.data(), gzt, out);
      std::size_t k = 0;
      if constexpr (requires { R::pick(a, z); }) k = R::pick(a, z);
      for (std::size_t j = 0; j < ls.len; ++j)
        store<T>(g, gt, base + j * stride, R::df(a, j, z, k) * gz);
    });
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[src];
    accumulate_vjp(tape, x, x.value().shape(),
                   [&](auto t, double* g, double* gt) { vjp<decltype(t)>(x, self, g, gt); });
  }
};

template <class R>
Tensor reduce_node(const Tensor& a, std::optional<std::ptrdiff_t> axis) {
  Tape& tape = TensorAccess::active(R::name);
  const std::uint32_t ia = node_index(tape, a, R::name);
  return TensorAccess::record(tape, std::make_unique<ReduceOp<R>>(ia, axis), {ia}, R::name);
}

template <class R>
Var reduce_all_of(const Tensor& a) {
  const Tensor z = reduce_node<R>(a, std::nullopt);
  return element_of(TensorAccess::active(R::name), z.node(), 0, false);
}

template <class R>
Tensor reduce_along(const Tensor& a, std::ptrdiff_t axis) {
  return reduce_node<R>(a, axis);
}

// Both forms of every reduction of the list, by code.
struct Reducer {
  Var (*all)(const Tensor&);
  Tensor (*along)(const Tensor&, std::ptrdiff_t);
};
template <class... Rs>
constexpr std::array<Reducer, sizeof...(Rs)> reducers(ops::TypeList<Rs...>) {
  return {Reducer{&reduce_all_of<Rs>, &reduce_along<Rs>}...};
}
constexpr auto kReducers = reducers(reductions::ReductionList{});

// ---- softmax and log_softmax along an axis ----

// A lane whose log_sum_exp is infinite (all −∞: a masked row) takes LogSumExp::f's limit:
// the k elements equal to it get log_softmax −log k (softmax 1/k), the others −∞ (softmax 0).
template <class T>
void softmax_lane(const Lane<T>& a, bool log, double* z, double* zt) {
  const T lse = reductions::LogSumExp::f(a);
  const double m = value_of(lse);
  const bool tied = std::isinf(m);
  const double log_k = tied ? std::log(static_cast<double>(a.count(m))) : 0.0;
  for (std::size_t j = 0; j < a.len; ++j) {
    const T y = !tied             ? a(j) - lse
                : a.value(j) == m ? tangent_part(a(j)) - tangent_part(lse) - T(log_k)
                                  : T(-HUGE_VAL);
    store<T>(z, zt, a.base + j * a.stride, log ? y : exp_of<T>(y));
  }
}

struct SoftmaxOp final : OpBase<SoftmaxOp> {
  bool log;
  std::uint32_t src;
  std::ptrdiff_t axis;
  Lanes ls;  // of the current forward
  SoftmaxOp(bool l, std::uint32_t s, std::ptrdiff_t a) : log(l), src(s), axis(a) {}
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode&) const override {
    const Shape& s = list.nodes[src].value().shape();
    return flow[src] == RowFlow::rows && normalize_axis(axis, s.size(), "softmax", s) > 0
               ? RowFlow::rows
               : RowFlow::mixed;
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const char* name = log ? "log_softmax" : "softmax";
    const TensorNode& x = list[src];
    const Shape& s = x.value().shape();
    if (s.empty())
      throw Error(std::string("slope: ") + name + ": needs at least one axis, got a 0-d tensor");
    ls = lanes_along(s, normalize_axis(axis, s.size(), name, s));
    if (ls.len == 0 && ls.count() > 0)
      throw Error(std::string("slope: ") + name + ": normalizes zero elements (shape " +
                  core::shape(s) + ", axis " + std::to_string(axis) + ")");
    const Out o = output(tape, self, s);
    ls.each([&](std::size_t base, std::size_t stride, std::size_t) {
      if (o.t != nullptr)
        softmax_lane(Lane<Dual>{x.value().data(), x.tangent(), base, stride, ls.len}, log, o.v,
                     o.t);
      else
        softmax_lane(Lane<double>{x.value().data(), nullptr, base, stride, ls.len}, log, o.v,
                     nullptr);
    });
  }
  template <class T>
  void vjp(const TensorNode& self, double* g, double* gt) const {
    const double* zt = self.tangent();
    const double* gzt = self.has_adj_tan ? self.adj_tan.data() : nullptr;
    ls.each([&](std::size_t base, std::size_t stride, std::size_t) {
      const Lane<T> z{self.own.data(), zt, base, stride, ls.len};
      const Lane<T> gz{self.adj.data(), gzt, base, stride, ls.len};
      // softmax: ā_j = s_j (ḡ_j − Σ s_k ḡ_k); log_softmax: ā_j = ḡ_j − exp(z_j) Σ ḡ_k.
      T acc = T(0);
      for (std::size_t k = 0; k < ls.len; ++k) acc += log ? gz(k) : z(k) * gz(k);
      for (std::size_t j = 0; j < ls.len; ++j)
        store<T>(g, gt, base + j * stride,
                 log ? gz(j) - exp_of<T>(z(j)) * acc : z(j) * (gz(j) - acc));
    });
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    accumulate_vjp(tape, list[src], self.own.shape(),
                   [&](auto t, double* g, double* gt) { vjp<decltype(t)>(self, g, gt); });
  }
};

Tensor softmax_node(const Tensor& a, std::ptrdiff_t axis, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  Tape& tape = TensorAccess::active(name);
  const std::uint32_t ia = node_index(tape, a, name);
  return TensorAccess::record(tape, std::make_unique<SoftmaxOp>(log, ia, axis), {ia}, name);
}

}  // namespace

Var reduce_all(std::uint8_t code, const Tensor& a) { return kReducers[code].all(a); }

Tensor reduce_axis(std::uint8_t code, const Tensor& a, std::ptrdiff_t axis) {
  return kReducers[code].along(a, axis);
}

}  // namespace slope::detail

namespace slope {
Tensor softmax(const Tensor& a, std::ptrdiff_t axis) {
  return detail::softmax_node(a, axis, false);
}
Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis) {
  return detail::softmax_node(a, axis, true);
}
}  // namespace slope
