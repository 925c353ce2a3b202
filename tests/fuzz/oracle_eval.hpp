// SPDX-License-Identifier: MIT
#pragma once

// The independent oracle: Boost.Math forward-mode autodiff, included by oracle.cpp (long double
// and double) and oracle_exact.cpp (50 digits), the only TUs that include it: it is template
// heavy. Boost's fvar lacks cbrt, expm1, log1p, log2, log10, hypot, square, sigmoid, softplus,
// log_sigmoid, logit and log_sum_exp: they are written below from the ops it has, in the forms that are
// exact for derivatives (expm1 and log1p take their value from Boost.Math's, so small arguments
// keep full precision; sigmoid, softplus, log_sigmoid and log_sum_exp pick the branch that does
// not overflow, by the value only, so the derivatives are those of one smooth formula). digamma,
// lgamma, tgamma, erf, erfc, acosh, asinh, atanh are Boost's own fvar overloads.

#include <cmath>
#include <limits>

#include <boost/math/differentiation/autodiff.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/hypot.hpp>
#include <boost/math/special_functions/log1p.hpp>

namespace boost::math::differentiation::autodiff_v1::detail {

// Found by ADL from the interpreter's unqualified calls.
template <class R, std::size_t O>
using F = fvar<R, O>;
template <class R, std::size_t O>
auto root(const F<R, O>& x) {
  return static_cast<typename F<R, O>::root_type>(x);
}
template <class R, std::size_t O>
F<R, O> cbrt(const F<R, O>& x) {
  using T = typename F<R, O>::root_type;
  return root(x) < 0 ? -pow(-x, T(1) / 3) : pow(x, T(1) / 3);
}
template <class R, std::size_t O>
F<R, O> expm1(const F<R, O>& x) {
  F<R, O> y = exp(x);
  return y.set_root(boost::math::expm1(root(x)));
}
template <class R, std::size_t O>
F<R, O> log1p(const F<R, O>& x) {
  F<R, O> y = log(x + 1);
  return y.set_root(boost::math::log1p(root(x)));
}
template <class R, std::size_t O>
F<R, O> log2(const F<R, O>& x) {
  using std::log;
  F<R, O> y = log(x) / log(typename F<R, O>::root_type(2));
  return y.set_root(log(root(x)) / log(typename F<R, O>::root_type(2)));
}
template <class R, std::size_t O>
F<R, O> log10(const F<R, O>& x) {
  using std::log, std::log10;
  F<R, O> y = log(x) / log(typename F<R, O>::root_type(10));
  return y.set_root(log10(root(x)));
}
template <class R, std::size_t O>
F<R, O> square(const F<R, O>& x) {
  return x * x;
}
template <class R, std::size_t O>
F<R, O> hypot(const F<R, O>& x, const F<R, O>& y) {
  F<R, O> h = sqrt(x * x + y * y);
  return h.set_root(boost::math::hypot(root(x), root(y)));
}
template <class R, std::size_t O>
F<R, O> sigmoid(const F<R, O>& x) {
  if (root(x) >= 0) return 1 / (1 + exp(-x));
  const F<R, O> e = exp(x);
  return e / (1 + e);
}
template <class R, std::size_t O>
F<R, O> softplus(const F<R, O>& x) {
  if (root(x) > 0) return x + log1p(exp(-x));
  return log1p(exp(x));
}
template <class R, std::size_t O>
F<R, O> logit(const F<R, O>& x) {
  return log(x) - log1p(-x);
}
template <class R, std::size_t O>
F<R, O> log_sigmoid(const F<R, O>& x) {
  if (root(x) < 0) return x - log1p(exp(x));
  return -log1p(exp(-x));
}
// As hi + log1p(exp(lo − hi)): the derivatives of hi pass through exactly. The form
// m + log(exp(a − m) + exp(b − m)) forms the square of a's first derivatives and subtracts it
// again, which loses all of a second derivative 1e91 times smaller (sinh(cosh(6)) has ȧ ≈ 1e93).
template <class R, std::size_t O>
F<R, O> log_sum_exp(const F<R, O>& a, const F<R, O>& b) {
  const auto ra = root(a), rb = root(b);
  if ((boost::math::isinf(ra) && ra == rb) || boost::math::isnan(ra) || boost::math::isnan(rb))
    return log(exp(a) + exp(b));  // no derivative to compare (NaN or ∞ − ∞)
  const F<R, O>& hi = ra >= rb ? a : b;
  const F<R, O>& lo = ra >= rb ? b : a;
  return hi + log1p(exp(lo - hi));
}

}  // namespace boost::math::differentiation::autodiff_v1::detail

#include "oracle.hpp"
#include "scalar_interp.hpp"

namespace fuzz::oracle_detail {

template <class R>
OracleResult evaluate(const Program& p, std::span<const double> x, std::span<const double> v,
                      bool hessian) {
  using boost::math::differentiation::make_ftuple;
  const std::size_t n = x.size();
  OracleResult out;
  out.grad.assign(n, 0), out.hv.assign(n, 0);
  const long double nan = std::numeric_limits<long double>::quiet_NaN();
  // f(x + s·e_i + t·w): returns (value, ∂s, ∂t, ∂s∂t).
  auto pass = [&](std::size_t i, auto&& w, bool keep_trace) {
    const auto vars = make_ftuple<R, 1, 1>(R(0), R(0));
    using T = std::remove_cvref_t<decltype(std::get<0>(vars) * std::get<1>(vars))>;
    const T s(std::get<0>(vars)), t(std::get<1>(vars));
    std::vector<T> params;
    for (std::size_t j = 0; j < n; ++j)
      params.push_back(T(static_cast<R>(x[j])) + (j == i ? s : T(R(0))) + t * static_cast<R>(w(j)));
    std::array<long double, 4> d{nan, nan, nan, nan};
    try {
      Machine<T> m;
      const T y = run<T>(p, params, m);
      d = {static_cast<long double>(y.derivative(0, 0)),
           static_cast<long double>(y.derivative(1, 0)),
           static_cast<long double>(y.derivative(0, 1)),
           static_cast<long double>(y.derivative(1, 1))};
      if (keep_trace) out.trace = m.trace, out.gaps = m.gaps;
    } catch (const std::exception&) {  // Boost's policies throw at poles: no reference there
      out.threw = true;
    }
    return d;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const auto d = pass(
        i, [&](std::size_t j) { return v[j]; }, i == 0);
    if (i == 0) out.value = d[0];
    out.grad[i] = d[1], out.hv[i] = d[3];
  }
  if (hessian) {
    out.hess.assign(n * n, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i; j < n; ++j) {
        const auto d = pass(
            i, [&](std::size_t k) { return k == j ? 1.0 : 0.0; }, false);
        out.hess[i * n + j] = out.hess[j * n + i] = d[3];
      }
  }
  return out;
}

}  // namespace fuzz::oracle_detail
