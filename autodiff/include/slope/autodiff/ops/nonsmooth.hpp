// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include <slope/autodiff/ops/rule.hpp>

// Subgradient convention at kinks: the value the symmetric (central) difference gives.
//   abs'(0) = 0;   at a tie a == b, min and max pass half of the adjoint to each operand.
// Away from kinks these are the ordinary derivatives; second derivatives are 0 everywhere.

namespace slope::ops {

// |a + h| ≈ |a| + sign(a) h
struct Abs {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "abs";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return std::fabs(a); }
  template <class T>
  static T df(const T& a, const T&) {
    const double v = value_of(a);
    return T(v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
  }
};

// min(a + h, b + k) ≈ min(a, b) + [a < b] h + [b < a] k
struct Min {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr const char* name = "min";
  static constexpr Domain domain = everywhere, domain_b = everywhere;
  static double f(double a, double b) { return b < a ? b : a; }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    const double x = value_of(a), y = value_of(b);
    const double da = x < y ? 1.0 : x > y ? 0.0 : 0.5;
    return {T(da), T(1.0 - da)};
  }
};

// max(a + h, b + k) ≈ max(a, b) + [a > b] h + [b > a] k
struct Max {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr const char* name = "max";
  static constexpr Domain domain = everywhere, domain_b = everywhere;
  static double f(double a, double b) { return a < b ? b : a; }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    const double x = value_of(a), y = value_of(b);
    const double da = x > y ? 1.0 : x < y ? 0.0 : 0.5;
    return {T(da), T(1.0 - da)};
  }
};

}  // namespace slope::ops
