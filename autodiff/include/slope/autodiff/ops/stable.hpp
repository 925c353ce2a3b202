// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <numbers>

#include <slope/autodiff/ops/rule.hpp>

// Losses built from exp and log overflow when written naively; these ops are evaluated in the
// form that never forms exp of a large positive number.

namespace slope::ops {

// σ(a + h) ≈ σ(a) + σ(a)σ(−a) h,   σ(a) = 1 / (1 + exp(−a))
struct Sigmoid {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "sigmoid";
  static constexpr Domain domain = {-40, 40};
  static double f(double a) {
    if (a >= 0) return 1.0 / (1.0 + std::exp(-a));
    const double e = std::exp(a);
    return e / (1.0 + e);
  }
  // σ' = z(1 − z) while 1 − z ≥ 0.12 (a ≤ 2); beyond, 1 − z cancels (σ'(40) = 4.2e-18 came out
  // 0), so there σ' = e/(1 + e)² with e = exp(−a): one exp, only on that side.
  template <class T>
  static T df(const T& a, const T& z) {
    if (value_of(a) <= 2) return z * (T(1) - z);
    const T e = call<Exp>(-a);
    const T p = T(1) + e;
    return e / (p * p);
  }
  // One exp for both, e = exp(−|a|): σ(a) as f computes it and σ'(a) = e/(1 + e)², exact for any a.
  static Pair<double> value_and_slope(double a) {
    const double e = std::exp(-std::fabs(a));
    const double p = 1.0 + e;
    return {a >= 0 ? 1.0 / p : e / p, e / (p * p)};
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

// log σ(a + h) ≈ log σ(a) + σ(−a) h,   log σ(a) = −softplus(−a) = min(a, 0) − log1p(exp(−|a|))
struct LogSigmoid {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "log_sigmoid";
  static constexpr Domain domain = {-40, 40};
  static double f(double a) {
    if (a >= 0) return -std::log1p(std::exp(-a));
    return a - std::log1p(std::exp(a));
  }
  // σ(−a) = 1 − σ(a), taken as σ(−a): 1 − σ(a) cancels for a ≫ 0, where σ(−a) ≈ exp(−a) is tiny.
  template <class T>
  static T df(const T& a, const T&) {
    return call<Sigmoid>(-a);
  }
  // One exp for both: e = exp(−|a|) gives f(a) as f computes it and σ(−a) as Sigmoid::f(−a) does.
  static Pair<double> value_and_slope(double a) {
    const double e = std::exp(-std::fabs(a));
    // −log1p(e), not 0 − log1p(e): −0 where e underflows, as f gives (log σ(a) < 0).
    return {a >= 0 ? -std::log1p(e) : a - std::log1p(e), a > 0 ? e / (1.0 + e) : 1.0 / (1.0 + e)};
  }
};

// logit(a + h) ≈ logit(a) + h / (a(1 − a)),   logit(a) = log(a / (1 − a)), the inverse of σ
// Written log(a) − log1p(−a), not log(a / (1 − a)): one rounding fewer, and for a < 1/2 no
// 1 − a formed at all.
struct Logit {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "logit";
  static constexpr Domain domain = {0.02, 0.98, false};
  static double f(double a) { return std::log(a) - std::log1p(-a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / (a * (T(1) - a));
  }
};

// lse(a + h, b + k) ≈ lse(a, b) + σ(a − b) h + σ(b − a) k,   lse(a, b) = log(exp(a) + exp(b))
// The n-ary log_sum_exp is a left fold of this op: each step is stable, so the whole is.
// At a = b = ±∞ the value is a and the weights are 1/2 each: the limit along the diagonal a = b
// (where a − b is NaN, the rule uses the difference of the tangents alone).
struct LogSumExp2 {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr const char* name = "log_sum_exp";
  static constexpr Domain domain = {-50, 50}, domain_b = {-50, 50};
  static double f(double a, double b) {
    if (a == b) return a + std::numbers::ln2;  // also at ±∞, where a − b is NaN
    const double m = a < b ? b : a;
    return m + std::log1p(std::exp(-std::fabs(a - b)));
  }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    const T d = value_of(a) == value_of(b) ? tangent_part(a) - tangent_part(b) : a - b;
    return {call<Sigmoid>(d), call<Sigmoid>(-d)};
  }
};

}  // namespace slope::ops
