// SPDX-License-Identifier: MIT
// Reductions (sum, mean, max, min, norm2, log_sum_exp) and the lane maps softmax and
// log_softmax. A reduction along an axis works on lanes: the elements that differ only in that
// axis; a reduction over all elements is one lane. Each rule is written once over the number
// type T (double, or Dual in recordings with tangents), from the scalar ops' own functions.
//
// Empty lanes: sum and norm2 of no elements are 0; mean, max, min, log_sum_exp, softmax and
// log_softmax of no elements are an Error naming the op and the shape. A lane is only ever empty
// when the axis has length 0: (0, 3) along axis 0 is three empty lanes (sum gives (3,) zeros,
// mean throws), along axis 1 it is no lane at all (every op gives an empty result).

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

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

template <class T>
struct Lane {
  const double* v;
  const double* t;
  std::size_t base, stride, len;
  T operator()(std::size_t j) const { return load<T>(v, t, base + j * stride); }
  double value(std::size_t j) const { return v[base + j * stride]; }
  std::size_t arg(bool largest) const {  // first maximal (minimal) element
    std::size_t k = 0;
    for (std::size_t j = 1; j < len; ++j)
      if (largest ? value(j) > value(k) : value(j) < value(k)) k = j;
    return k;
  }
};

template <class T>
T exp_of(const T& x) {
  return ops::call<ops::Exp>(x);
}

// How many elements of the lane equal m.
template <class T>
std::size_t count_of(const Lane<T>& a, double m) {
  std::size_t k = 0;
  for (std::size_t j = 0; j < a.len; ++j) k += a.value(j) == m ? 1 : 0;
  return k;
}

// At an infinite maximum m (every element −∞, or some +∞) the value is m, with the limit along the
// diagonal: equal weights 1/k on the k elements equal to m (so 1/n each when all are −∞); its
// tangent is their mean tangent.
template <class T>
T lane_log_sum_exp(const Lane<T>& a) {
  const double m = a.value(a.arg(true));
  if (std::isinf(m)) {
    T t = T(0);
    for (std::size_t j = 0; j < a.len; ++j)
      if (a.value(j) == m) t += tangent_part(a(j));
    return T(m) + t / T(static_cast<double>(count_of(a, m)));
  }
  if (!std::isfinite(m)) return T(m);
  T s = T(0);
  for (std::size_t j = 0; j < a.len; ++j) s += exp_of<T>(a(j) - T(m));
  return T(m) + ops::call<ops::Log>(s);
}

// √Σa². When the sum of squares over- or underflows (elements of 1e200 or 1e-200, whose norm is
// representable) the elements are divided by the largest |a_j| first; only then a second pass.
template <class T>
T lane_norm2(const Lane<T>& a) {
  T s = T(0);
  for (std::size_t j = 0; j < a.len; ++j) s += a(j) * a(j);
  const double sv = value_of(s);
  if (sv > 1e-280 && sv < 1e300) return ops::call<ops::Sqrt>(s);
  double m = 0;
  for (std::size_t j = 0; j < a.len; ++j) m = std::fmax(m, std::fabs(a.value(j)));
  if (m == 0) return T(0);
  if (!std::isfinite(m) || std::isnan(sv)) return ops::call<ops::Sqrt>(s);
  T q = T(0);
  for (std::size_t j = 0; j < a.len; ++j) {
    const T x = a(j) / T(m);
    q += x * x;
  }
  return T(m) * ops::call<ops::Sqrt>(q);
}

template <class T>
T reduce(Reduction r, const Lane<T>& a) {
  T s = T(0);
  switch (r) {
    case Reduction::sum:
    case Reduction::mean:
      for (std::size_t j = 0; j < a.len; ++j) s += a(j);
      return r == Reduction::sum ? s : s / T(static_cast<double>(a.len));
    case Reduction::max:
      return a(a.arg(true));
    case Reduction::min:
      return a(a.arg(false));
    case Reduction::norm2:
      return lane_norm2(a);
    case Reduction::log_sum_exp:
      return lane_log_sum_exp(a);
  }
  return s;
}

// ∂z/∂a_j: the weight by which the lane result's adjoint reaches element j. k is the maximal
// (minimal) element for max (min), and for log_sum_exp at an infinite z the number of elements
// equal to z.
template <class T>
T weight(Reduction r, const Lane<T>& a, std::size_t j, const T& z, std::size_t k) {
  switch (r) {
    case Reduction::sum:
      return T(1);
    case Reduction::mean:
      return T(1.0 / static_cast<double>(a.len));
    case Reduction::max:
    case Reduction::min:
      return T(j == k ? 1.0 : 0.0);
    case Reduction::norm2:
      return value_of(z) == 0 ? T(0) : a(j) / z;
    case Reduction::log_sum_exp:
      if (std::isinf(value_of(z)))  // a_j − z is ∞ − ∞: the diagonal limit of lane_log_sum_exp
        return a.value(j) == value_of(z)
                   ? exp_of<T>(tangent_part(a(j)) - tangent_part(z)) / T(static_cast<double>(k))
                   : T(0);
      return exp_of<T>(a(j) - z);
  }
  return T(0);
}

const char* name_of(Reduction r) {
  switch (r) {
    case Reduction::sum:
      return "sum";
    case Reduction::mean:
      return "mean";
    case Reduction::max:
      return "max";
    case Reduction::min:
      return "min";
    case Reduction::norm2:
      return "norm2";
    case Reduction::log_sum_exp:
      return "log_sum_exp";
  }
  return "reduce";
}

template <class T>
void reduce_lanes(Reduction r, const Lanes& ls, const TensorNode& x, double* z, double* zt) {
  const double* xt = x.tangent();
  ls.each([&](std::size_t base, std::size_t stride, std::size_t out) {
    store<T>(z, zt, out, reduce<T>(r, Lane<T>{x.value().data(), xt, base, stride, ls.len}));
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

struct ReduceOp final : OpBase<ReduceOp> {
  Reduction r;
  std::uint32_t src;
  std::optional<std::ptrdiff_t> axis;
  Lanes ls;  // of the current forward
  ReduceOp(Reduction k, std::uint32_t s, std::optional<std::ptrdiff_t> a) : r(k), src(s), axis(a) {}
  RowFlow row_flow(const TensorList& list, std::span<const RowFlow> flow,
                   const TensorNode&) const override {
    if (flow[src] != RowFlow::rows) return RowFlow::mixed;
    if (!axis) {
      if (r == Reduction::sum) return RowFlow::sum;
      return r == Reduction::mean ? RowFlow::mean : RowFlow::mixed;
    }
    const Shape& s = list.nodes[src].value().shape();
    return normalize_axis(*axis, s.size(), name_of(r), s) > 0 ? RowFlow::rows : RowFlow::mixed;
  }
  void forward(Tape& tape, TensorList& list, TensorNode& self) override {
    const char* name = name_of(r);
    const TensorNode& x = list[src];
    const Shape& s = x.value().shape();
    Shape out;
    ls = lanes_of(s, axis, name, out);
    if (ls.len == 0 && ls.count() > 0 && r != Reduction::sum && r != Reduction::norm2)
      throw Error(std::string("slope: ") + name + ": reduces zero elements (shape " + core::shape(s) +
                  (axis ? ", axis " + std::to_string(*axis) : std::string()) + ")");
    const Out o = output(tape, self, out);
    if (o.t != nullptr)
      reduce_lanes<Dual>(r, ls, x, o.v, o.t);
    else
      reduce_lanes<double>(r, ls, x, o.v, nullptr);
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
      if (r == Reduction::max || r == Reduction::min)
        k = a.arg(r == Reduction::max);
      else if (r == Reduction::log_sum_exp && std::isinf(value_of(z)))
        k = count_of(a, value_of(z));
      for (std::size_t j = 0; j < ls.len; ++j)
        store<T>(g, gt, base + j * stride, weight<T>(r, a, j, z, k) * gz);
    });
  }
  void backward(Tape& tape, TensorList& list, TensorNode& self) override {
    if (!self.has_adj) return;
    TensorNode& x = list[src];
    accumulate_vjp(tape, x, x.value().shape(),
                   [&](auto t, double* g, double* gt) { vjp<decltype(t)>(x, self, g, gt); });
  }
};

Tensor reduce_node(Reduction r, const Tensor& a, std::optional<std::ptrdiff_t> axis) {
  const char* name = name_of(r);
  Tape& tape = TensorAccess::active(name);
  const std::uint32_t ia = node_index(tape, a, name);
  return TensorAccess::record(tape, std::make_unique<ReduceOp>(r, ia, axis), {ia}, name);
}

// ---- softmax and log_softmax along an axis ----

// A lane whose log_sum_exp is infinite (all −∞: a masked row) takes lane_log_sum_exp's limit:
// the k elements equal to it get log_softmax −log k (softmax 1/k), the others −∞ (softmax 0).
template <class T>
void softmax_lane(const Lane<T>& a, bool log, double* z, double* zt) {
  const T lse = lane_log_sum_exp(a);
  const double m = value_of(lse);
  const bool tied = std::isinf(m);
  const double log_k = tied ? std::log(static_cast<double>(count_of(a, m))) : 0.0;
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

Var reduce_all(Reduction r, const Tensor& a) {
  const Tensor z = reduce_node(r, a, std::nullopt);
  return element_of(TensorAccess::active(name_of(r)), z.node(), 0, false);
}

Tensor reduce_axis(Reduction r, const Tensor& a, std::ptrdiff_t axis) {
  return reduce_node(r, a, axis);
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
