// SPDX-License-Identifier: MIT
#pragma once

// Derivative checks that name the coordinate that is wrong.
//   slope::CheckReport rep = slope::check_gradient(f, x);  // AD vs finite differences
//   rep = slope::check_gradient(f, x, my_grad);            // also your hand-derived gradient
//   rep = slope::check_hvp(f, x, v);                       // AD H·v vs differences of AD gradients
//   rep = slope::check_gradient(f, x, {.step = 1e-5});     // your own finite-difference step
//   rep = slope::check_gradient(F, x);                     // a recorded Function, at its data
//   if (!rep.ok) std::cerr << rep;                         // table, worst coordinate first
//   (an optim::Objective is checked by the overloads in <slope/models/check.hpp>)
//
// Finite differences. Gradient: per coordinate, f at x + k·h·e_i for k = −4..4, with h =
// (ε/168)^(1/7) ≈ 2.8e-3 or CheckOptions::step, both absolute and rounded so that x_i + h is a
// double. The sixth-order central difference (k = ±1..3) is the "finite diff"; its error bound
// e_FD is h⁶|f⁽⁷⁾|/140 (f⁽⁷⁾ from the seventh difference, k = ±1..4) plus rounding: a few ulps
// of the largest f, and of x_i, amplified by 1/h. Where that difference is meaningless (below)
// the automatic step is widened 4× at a time, up to 256×: around a small slope a large f drowns
// a narrow difference in rounding. A given step is kept. HVP: fourth-order central difference of
// the AD gradient along v,
//   Hv ≈ [8(g(x + hv) − g(x − hv)) − (g(x + 2hv) − g(x − 2hv))] / 12h,
// h = ε^(1/5)/‖v‖∞ ≈ 7.4e-4/‖v‖∞, or step/‖v‖∞ (the largest coordinate moves by `step`), with
// e_FD = rounding (18ε·max|g|/12h) + |fourth-order − second-order difference|.
//
// When a pair passes. A value a against b (b a finite difference with bound e_FD, or AD):
//   |a − b| ≤ atol + rtol·max(|a|, |b|) + e_FD,
// and never when a or b is NaN or ±∞ (two equal infinities included: no difference can confirm
// an infinite slope), nor when |a − b| > atol + rtol·max(|a|, |b|) is excused only by an e_FD
// that is > atol and ≥ max(|a|, |b|) (the difference is no larger than its own error: "finite
// differences are meaningless here"), nor when |a − b| ≥ max(|a|, |b|) > atol (a relative error
// of 100 % or more). A coordinate passes when every pair does: AD vs FD and, with an analytic
// gradient, analytic vs AD and analytic vs FD.
//
// Kinks (gradient only). The third-order one-sided differences from x_i upward (right) and
// downward (left) are in every row. When they disagree by more than smooth truncation and
// rounding explain (the jump estimate δ⁶f/6h, which is O(h⁵) for a smooth f and the jump of f'
// at a kink, exceeds atol + rtol·max(|left|, |right|) + e_FD + rounding), the coordinate is "not
// smooth here": a central difference cannot check it, so it passes when AD equals the left, the
// right or the central difference (Slope's own convention at ties, abs'(0) = 0, is the central
// one) and, with an analytic gradient, the analytic value equals AD. check_hvp does not look
// for kinks.
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

class Function;

struct CheckOptions {
  double rtol = 1e-6;  // relative tolerance
  double atol = 1e-8;  // absolute tolerance
  /// Finite-difference step: 0 picks it (see above). > 0: the absolute step h in x_i of the
  /// gradient's differences, and for check_hvp the distance the largest coordinate moves along
  /// v (h = step/‖v‖∞). Negative, NaN or ∞: slope::Error.
  double step = 0;
};

struct CheckRow {
  std::size_t index;
  double ad;                       // automatic differentiation
  std::optional<double> analytic;  // the user's formula, when given
  double fd;                       // central finite difference
  double abs_error;  // largest |difference| among the pairs compared (at a kink: AD against the
                     // one-sided or central value it is closest to)
  double rel_error;  // abs_error / max(|ad|, |fd| or that one-sided value, |analytic|)
  bool ok;
  double fd_error = 0;         // e_FD, the finite difference's own error bound
  double step = 0;             // the step used: h in x_i (gradient, maybe widened) or along v (hvp)
  bool smooth = true;          // false: the one-sided derivatives disagree (a kink at or near x)
  bool fd_unreliable = false;  // only an e_FD as large as the values excused their gap: fails
  // The one-sided derivatives (gradient rows only): third-order differences of f(x − kh) and of
  // f(x + kh), k = 0..3.
  std::optional<double> left = std::nullopt;
  std::optional<double> right = std::nullopt;
};

struct CheckReport {
  bool ok = true;
  std::size_t worst_index = 0;  // coordinate furthest outside (or least inside) its tolerance
  double max_abs_error = 0;     // NaN when a row's is (a NaN or ∞ value), never hidden as 0
  double max_rel_error = 0;
  std::vector<CheckRow> rows;  // every coordinate, worst first
  std::string what;            // "gradient" or "hvp"
  CheckOptions options;
  bool smooth = true;          // every row smooth
  bool fd_unreliable = false;  // some row's finite difference is meaningless
};

/// Prints a one-line verdict, the per-coordinate table (worst rows first, every number intact:
/// shortest round-trip text, "nan", "inf") and a line per row that is not smooth here, has a
/// meaningless finite difference or a NaN/∞ value.
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
CheckReport check_function_gradient(Function& f, std::span<const double> x,
                                    const xt::xarray<double>* analytic, const CheckOptions& opt);
CheckReport check_function_hvp(Function& f, std::span<const double> x, std::span<const double> v,
                               const CheckOptions& opt);
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

/// A recorded Function's replayed gradient against finite differences of its replayed value, at
/// the data bound to its placeholders now. A guard that flips inside the stencil throws
/// slope::StaleRecording unless F.on_stale() is OnStale::record_again.
template <ParamVector X>
CheckReport check_gradient(Function& f, const X& x, const CheckOptions& opt = {}) {
  return detail::check_function_gradient(f, detail::as_span(x, "check_gradient", "x"), nullptr,
                                         opt);
}

/// The same, with your hand-derived gradient compared too.
template <ParamVector X, AnalyticGradient G>
CheckReport check_gradient(Function& f, const X& x, G&& analytic, const CheckOptions& opt = {}) {
  const auto xs = detail::as_span(x, "check_gradient", "x");
  const xt::xarray<double> an = detail::call_analytic(analytic, xs);
  return detail::check_function_gradient(f, xs, &an, opt);
}

/// A recorded Function's replayed H·v against differences of its replayed gradients along v.
template <ParamVector X, ParamVector V>
CheckReport check_hvp(Function& f, const X& x, const V& v, const CheckOptions& opt = {}) {
  return detail::check_function_hvp(f, detail::as_span(x, "check_hvp", "x"),
                                    detail::as_span(v, "check_hvp", "v"), opt);
}

}  // namespace slope
