// SPDX-License-Identifier: MIT
#pragma once

#include <slope/autodiff/ops/rule.hpp>

namespace slope::ops {

// (a + h) + (b + k) = (a + b) + h + k
struct Add {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr bool linear = true;
  static constexpr const char* name = "add";
  static constexpr Domain domain = everywhere, domain_b = everywhere;
  static double f(double a, double b) { return a + b; }
  template <class T>
  static Pair<T> df(const T&, const T&, const T&) {
    return {T(1), T(1)};
  }
};

// (a + h) − (b + k) = (a − b) + h − k
struct Sub {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool linear = true;
  static constexpr const char* name = "sub";
  static constexpr Domain domain = everywhere, domain_b = everywhere;
  static double f(double a, double b) { return a - b; }
  template <class T>
  static Pair<T> df(const T&, const T&, const T&) {
    return {T(1), T(-1)};
  }
};

// (a + h)(b + k) ≈ ab + b h + a k
struct Square;

struct Mul {
  using same_operand = Square;  // x * x records one square node
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr bool bound_right_scales = true;
  static constexpr const char* name = "mul";
  static constexpr Domain domain = everywhere, domain_b = everywhere;
  static double f(double a, double b) { return a * b; }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    return {b, a};
  }
};

// (a + h)/(b + k) ≈ a/b + h/b − (a/b²) k
struct Div {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool bound_right_scales = true;
  static constexpr const char* name = "div";
  static constexpr Domain domain = everywhere, domain_b = {-1e3, 1e3, false};
  static double f(double a, double b) { return a / b; }
  template <class T>
  static Pair<T> df(const T&, const T& b, const T& z) {
    return {T(1) / b, -z / b};
  }
};

// −(a + h) = −a − h
struct Neg {
  static constexpr Arity arity = Arity::unary;
  static constexpr bool scales = true;
  static constexpr const char* name = "neg";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return -a; }
  template <class T>
  static T df(const T&, const T&) {
    return T(-1);
  }
};

// (a + h)² ≈ a² + 2a h   (x * x is recorded as one square node)
struct Square {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "square";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return a * a; }
  template <class T>
  static T df(const T& a, const T&) {
    return T(2) * a;
  }
};

}  // namespace slope::ops
