// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <numbers>

#include <slope/autodiff/ops/elementary.hpp>

namespace slope::special {
// Boost.Math evaluations, compiled once in src/special.cpp so Boost stays out of user TUs.
// Poles and domain errors give ±Inf/NaN (the NaN check reports them), never an exception.
double erf(double x);
double erfc(double x);
double lgamma(double x);
double tgamma(double x);
double digamma(double x);
double trigamma(double x);
double polygamma(int n, double x);
}  // namespace slope::special

namespace slope::ops {

// Beyond |a| = 40, exp(−a²) and its tangent −2aȧ·exp(−a²) are 0 in double for any finite ȧ; the
// rule returns 0 there, where a² overflowing (|a| > 1.3e154) made the tangent 0·∞ = NaN.

// erf(a + h) ≈ erf(a) + (2/√π) exp(−a²) h
struct Erf {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "erf";
  static constexpr Domain domain = {-5, 5};
  static double f(double a) { return special::erf(a); }
  template <class T>
  static T df(const T& a, const T&) {
    if (std::fabs(value_of(a)) > 40) return T(0);  // exp(−a²) is 0
    return T(2 * std::numbers::inv_sqrtpi) * call<Exp>(-(a * a));
  }
};

// erfc(a + h) ≈ erfc(a) − (2/√π) exp(−a²) h
struct Erfc {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "erfc";
  static constexpr Domain domain = {-5, 5};
  static double f(double a) { return special::erfc(a); }
  template <class T>
  static T df(const T& a, const T&) {
    if (std::fabs(value_of(a)) > 40) return T(0);  // exp(−a²) is 0
    return T(-2 * std::numbers::inv_sqrtpi) * call<Exp>(-(a * a));
  }
};

// Not in the public op list: trigamma is here so digamma's rule can be lifted to Dual.
// ψ₁(a + h) ≈ ψ₁(a) + ψ₂(a) h
struct Trigamma {
  static constexpr const char* name = "trigamma";
  static double f(double a) { return special::trigamma(a); }
  static double df(double a, double) { return special::polygamma(2, a); }
};

// ψ(a + h) ≈ ψ(a) + ψ₁(a) h
struct Digamma {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "digamma";
  static constexpr Domain domain = {0.05, 20, false};
  static double f(double a) { return special::digamma(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Trigamma>(a);
  }
};

// lnΓ(a + h) ≈ lnΓ(a) + ψ(a) h
struct Lgamma {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "lgamma";
  static constexpr Domain domain = {0.05, 50, false};
  static double f(double a) { return special::lgamma(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Digamma>(a);
  }
};

// Γ(a + h) ≈ Γ(a) + Γ(a) ψ(a) h
struct Tgamma {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "tgamma";
  static constexpr Domain domain = {0.05, 8, false};
  static double f(double a) { return special::tgamma(a); }
  template <class T>
  static T df(const T& a, const T& z) {
    return z * call<Digamma>(a);
  }
};

}  // namespace slope::ops
