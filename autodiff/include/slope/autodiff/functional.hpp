// SPDX-License-Identifier: MIT
#pragma once

// Derivatives of a scalar function of a parameter vector, each call a fresh recording.
//   auto f = [](const slope::Tensor& p) {
//     return 100 * square(p[1] - square(p[0])) + square(1 - p[0]);
//   };
//   std::vector<double> x{-1.2, 1.0}, v{1.0, 0.0};  // or xt::xarray<double>
//   auto [fx, g] = slope::value_and_grad(f, x);      // f(x) and ∇f(x)
//   auto hv = slope::hvp(f, x, v);                   // H(x)·v, forward over reverse
//   auto H = slope::hessian(f, x);                   // n × n, symmetric
// (runs as examples/autodiff_functional.cpp)

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/autodiff/tape.hpp>
#include <slope/autodiff/tensor.hpp>

namespace slope {

struct ValueAndGrad {
  double value;
  xt::xarray<double> grad;
};

/// A contiguous vector of doubles: xt::xarray<double> (1-D), std::vector<double>, ...
template <class X>
concept ParamVector = requires(const X& x) {
  { x.data() } -> std::convertible_to<const double*>;
  { x.size() } -> std::convertible_to<std::size_t>;
};

namespace detail {

[[noreturn]] void throw_not_1d(const char* call, const char* arg, std::size_t dims);
[[noreturn]] void throw_non_scalar(const char* call, std::size_t size);

template <ParamVector X>
std::span<const double> as_span(const X& x, const char* call, const char* arg) {
  if constexpr (requires { x.dimension(); }) {
    if (x.dimension() != 1) throw_not_1d(call, arg, x.dimension());
  }
  return {x.data(), static_cast<std::size_t>(x.size())};
}

template <class R>
Var scalar_result(R&& r, const char* call) {
  using T = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<T, Tensor>) {
    if (r.size() != 1) throw_non_scalar(call, r.size());
    return r.item();
  } else {
    static_assert(std::is_convertible_v<T, Var>, "f must return slope::Var (or a number)");
    return Var(std::forward<R>(r));
  }
}

// Non-template halves: the sweeps and result assembly, compiled once in the library.
/// Throws unless y is a constant or a Var of this tape's recording.
void check_output(const Tape& tape, const Var& y, const char* call);
Tensor begin_recording(Tape& tape, std::span<const double> x, const char* call);
ValueAndGrad finish_gradient(Tape& tape, const Var& y, const Tensor& p, const char* call);
struct HvpResult {
  double value;
  xt::xarray<double> grad;
  xt::xarray<double> hv;
};
xt::xarray<double> finish_hessian(Tape& tape, const Var& y, const Tensor& p, const char* call);
Tensor begin_hvp_recording(Tape& tape, std::span<const double> x, std::span<const double> v,
                           const char* call);
HvpResult finish_dual_hvp(Tape& tape, const Var& y, const Tensor& p, const char* call);

template <class F>
Var call_f(F& f, const Tensor& p, const char* call) {
  return scalar_result(f(p), call);
}

}  // namespace detail

namespace detail {
template <class F, ParamVector X>
ValueAndGrad value_and_grad(F& f, const X& x, const char* call) {
  Recording rec(Mode::gradient);
  const Tensor p = begin_recording(rec.tape(), as_span(x, call, "x"), call);
  const Var y = call_f(f, p, call);
  return finish_gradient(rec.tape(), y, p, call);
}
}  // namespace detail

/// f(x) and ∇f(x) from one recording and one reverse sweep.
template <class F, ParamVector X>
ValueAndGrad value_and_grad(F&& f, const X& x) {
  return detail::value_and_grad(f, x, "value_and_grad");
}

/// ∇f(x).
template <class F, ParamVector X>
xt::xarray<double> grad(F&& f, const X& x) {
  return detail::value_and_grad(f, x, "grad").grad;
}

/// H(x)·v without forming H (forward over reverse): one recording that carries the tangent v
/// through every op's rule in dual numbers, then one reverse sweep in dual numbers.
template <class F, ParamVector X, ParamVector V>
xt::xarray<double> hvp(F&& f, const X& x, const V& v) {
  constexpr const char* call = "hvp";
  Recording rec(Mode::gradient);
  const Tensor p = detail::begin_hvp_recording(rec.tape(), detail::as_span(x, call, "x"),
                                               detail::as_span(v, call, "v"), call);
  const Var y = detail::call_f(f, p, call);
  return detail::finish_dual_hvp(rec.tape(), y, p, call).hv;
}

/// The dense n×n Hessian, symmetrised as (H + Hᵀ)/2: one recording replayed n times in dual
/// numbers (one HVP sweep pair per column).
template <class F, ParamVector X>
xt::xarray<double> hessian(F&& f, const X& x) {
  constexpr const char* call = "hessian";
  Recording rec(Mode::replay);
  const Tensor p = detail::begin_recording(rec.tape(), detail::as_span(x, call, "x"), call);
  const Var y = detail::call_f(f, p, call);
  return detail::finish_hessian(rec.tape(), y, p, call);
}

}  // namespace slope
