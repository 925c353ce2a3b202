// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include <autodiff/ops/rule.hpp>

// Losses built from exp and log overflow when written naively; these ops are evaluated in the
// form that never forms exp of a large positive number.

namespace slope::ops {

// σ(a + h) ≈ σ(a) + σ(a)(1 − σ(a)) h,   σ(a) = 1 / (1 + exp(−a))
struct Sigmoid {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "sigmoid";
  static constexpr Domain domain = {-40, 40};
  static double f(double a) {
    if (a >= 0) return 1.0 / (1.0 + std::exp(-a));
    const double e = std::exp(a);
    return e / (1.0 + e);
  }
  template <class T>
  static T df(const T&, const T& z) {
    return z * (T(1) - z);
  }
};

// softplus(a + h) ≈ softplus(a) + σ(a) h,   softplus(a) = log(1 + exp(a)) = max(a, 0) +
// log1p(exp(−|a|))
struct Softplus {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "softplus";
  static constexpr Domain domain = {-40, 40};
  static double f(double a) { return (a > 0 ? a : 0.0) + std::log1p(std::exp(-std::fabs(a))); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Sigmoid>(a);
  }
  // One exp for both: e = exp(−|a|) gives log1p(e) and σ(a) exactly as Sigmoid::f computes it.
  static Pair<double> value_and_slope(double a) {
    const double e = std::exp(-std::fabs(a));
    return {(a > 0 ? a : 0.0) + std::log1p(e), a >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)};
  }
};

// lse(a + h, b + k) ≈ lse(a, b) + σ(a − b) h + σ(b − a) k,   lse(a, b) = log(exp(a) + exp(b))
// The n-ary log_sum_exp is a left fold of this op: each step is stable, so the whole is.
struct LogSumExp2 {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr const char* name = "log_sum_exp";
  static constexpr Domain domain = {-50, 50}, domain_b = {-50, 50};
  static double f(double a, double b) {
    const double m = a < b ? b : a;
    return m + std::log1p(std::exp(-std::fabs(a - b)));
  }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    return {call<Sigmoid>(a - b), call<Sigmoid>(b - a)};
  }
};

}  // namespace slope::ops
