// SPDX-License-Identifier: MIT
#pragma once

// Derivative checks that name the coordinate that is wrong.
//   slope::CheckReport rep = slope::check_gradient(f, x);  // AD vs finite differences
//   rep = slope::check_gradient(f, x, my_grad);            // also your hand-derived gradient
//   rep = slope::check_hvp(f, x, v);                       // AD H·v vs differences of AD gradients
//   if (!rep.ok) std::cerr << rep;                         // table, worst coordinate first
//   (an optim::Objective is checked by the overloads in <slope/models/check.hpp>)
//
// Finite differences. Gradient: Boost.Math's sixth-order central difference per coordinate,
// step h = (ε/168)^(1/7) ≈ 2.8e-3 (absolute), with Boost's bound e_FD on its own error. HVP:
// fourth-order central difference of the AD gradient along v,
//   Hv ≈ [8(g(x + hv) − g(x − hv)) − (g(x + 2hv) − g(x − 2hv))] / 12h,
// h = ε^(1/5)/‖v‖∞ ≈ 7.4e-4/‖v‖∞, with e_FD = rounding (18ε·max|g|/12h) + |fourth-order −
// second-order difference|. A coordinate passes when |a − b| ≤ atol + rtol·max(|a|, |b|) (+ e_FD
// when b is a finite difference) for every pair compared: AD vs FD, and with an analytic gradient
// also analytic vs AD and analytic vs FD.
// (runs as examples/autodiff_functional.cpp)

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <slope/autodiff/functional.hpp>

namespace slope {

struct CheckOptions {
  double rtol = 1e-6;  // relative tolerance
  double atol = 1e-8;  // absolute tolerance
};

struct CheckRow {
  std::size_t index;
  double ad;                       // automatic differentiation
  std::optional<double> analytic;  // the user's formula, when given
  double fd;                       // finite difference
  double abs_error;                // largest |difference| among the pairs compared
  double rel_error;                // abs_error / max(|ad|, |fd|, |analytic|)
  bool ok;
};

struct CheckReport {
  bool ok = true;
  std::size_t worst_index = 0;  // coordinate furthest outside (or least inside) its tolerance
  double max_abs_error = 0;
  double max_rel_error = 0;
  std::vector<CheckRow> rows;  // every coordinate, worst first
  std::string what;            // "gradient" or "hvp"
  CheckOptions options;
};

/// Prints a one-line verdict and the per-coordinate table, worst rows first.
std::ostream& operator<<(std::ostream& os, const CheckReport& r);

/// A hand-derived gradient: called with x as an xt::xarray<double> or, failing that, as a
/// std::vector<double>; returns xt::xarray<double>, std::vector<double> or another ParamVector.
template <class G>
concept AnalyticGradient = requires(G g, const xt::xarray<double>& x) {
  { g(x) } -> std::convertible_to<xt::xarray<double>>;
}
|| requires(G g, const std::vector<double>& x) {
  { g(x) } -> ParamVector;
};

/// A callable loss taken by check_gradient / check_hvp: f(p) with p a slope::Tensor. (An
/// optim::Objective is not one: models/check.hpp checks those without recording them.)
template <class F>
concept CheckedFunction = std::invocable<F&, const Tensor&>;

namespace detail {
using ValueFn = std::function<double(std::span<const double>)>;
using GradFn = std::function<xt::xarray<double>(std::span<const double>)>;
CheckReport compare_gradient(const ValueFn& f, std::span<const double> x,
                             const xt::xarray<double>& ad, const xt::xarray<double>* analytic,
                             const CheckOptions& opt);
CheckReport compare_hvp(const GradFn& g, std::span<const double> x, std::span<const double> v,
                        const xt::xarray<double>& ad, const CheckOptions& opt);
xt::xarray<double> to_xarray(std::span<const double> x);

template <class G>
xt::xarray<double> call_analytic(G& g, std::span<const double> x) {
  if constexpr (requires {
                  { g(to_xarray(x)) } -> std::convertible_to<xt::xarray<double>>;
                }) {
    return g(to_xarray(x));
  } else {
    const auto r = g(std::vector<double>(x.begin(), x.end()));
    return to_xarray(std::span<const double>(r.data(), r.size()));
  }
}

template <class F>
ValueFn value_fn(F& f) {
  return [&f](std::span<const double> xs) {
    Recording rec(Mode::gradient);
    const Tensor p = begin_recording(rec.tape(), xs, "check_gradient");
    return call_f(f, p, "check_gradient").value();
  };
}
}  // namespace detail

template <CheckedFunction F, ParamVector X>
CheckReport check_gradient(F&& f, const X& x, const CheckOptions& opt = {}) {
  const auto xs = detail::as_span(x, "check_gradient", "x");
  const auto ad = value_and_grad(f, xs).grad;
  return detail::compare_gradient(detail::value_fn(f), xs, ad, nullptr, opt);
}

template <CheckedFunction F, ParamVector X, AnalyticGradient G>
CheckReport check_gradient(F&& f, const X& x, G&& analytic, const CheckOptions& opt = {}) {
  const auto xs = detail::as_span(x, "check_gradient", "x");
  const auto ad = value_and_grad(f, xs).grad;
  const xt::xarray<double> an = detail::call_analytic(analytic, xs);
  return detail::compare_gradient(detail::value_fn(f), xs, ad, &an, opt);
}

template <CheckedFunction F, ParamVector X, ParamVector V>
CheckReport check_hvp(F&& f, const X& x, const V& v, const CheckOptions& opt = {}) {
  const auto xs = detail::as_span(x, "check_hvp", "x");
  const auto vs = detail::as_span(v, "check_hvp", "v");
  const auto ad = hvp(f, xs, vs);
  return detail::compare_hvp([&f](std::span<const double> at) { return grad(f, at); }, xs, vs, ad,
                             opt);
}

}  // namespace slope
