// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <numbers>

#include <slope/autodiff/ops/rule.hpp>

namespace slope::ops {

// √(a + h) ≈ √a + h / (2√a)
struct Sqrt {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "sqrt";
  static constexpr Domain domain = positive;
  static double f(double a) { return std::sqrt(a); }
  template <class T>
  static T df(const T&, const T& z) {
    return T(0.5) / z;
  }
};

// ∛(a + h) ≈ ∛a + h / (3∛a²)
struct Cbrt {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "cbrt";
  static constexpr Domain domain = {-1e3, 1e3, false};
  static double f(double a) { return std::cbrt(a); }
  template <class T>
  static T df(const T&, const T& z) {
    return T(1) / (T(3) * z * z);
  }
};

// exp(a + h) ≈ exp(a) + exp(a) h
struct Exp {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "exp";
  static constexpr Domain domain = {-30, 30};
  static double f(double a) { return std::exp(a); }
  template <class T>
  static T df(const T&, const T& z) {
    return z;
  }
};

// expm1(a + h) ≈ expm1(a) + exp(a) h
struct Expm1 {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "expm1";
  static constexpr Domain domain = {-30, 30};
  static double f(double a) { return std::expm1(a); }
  // expm1(a) + 1 cancels for a < −1 (exp(−40) = 4.2e-18 came out 0): there exp(a) itself.
  template <class T>
  static T df(const T& a, const T& z) {
    if (value_of(a) < -1) return call<Exp>(a);
    return z + T(1);
  }
};

// log(a + h) ≈ log(a) + h / a
struct Log {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "log";
  static constexpr Domain domain = positive;
  static double f(double a) { return std::log(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / a;
  }
};

// log1p(a + h) ≈ log1p(a) + h / (1 + a)
struct Log1p {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "log1p";
  static constexpr Domain domain = {-0.999, 1e3};
  static double f(double a) { return std::log1p(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / (T(1) + a);
  }
};

// log2(a + h) ≈ log2(a) + h / (a ln 2)
struct Log2 {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "log2";
  static constexpr Domain domain = positive;
  static double f(double a) { return std::log2(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1.0 / std::numbers::ln2) / a;
  }
};

// log10(a + h) ≈ log10(a) + h / (a ln 10)
struct Log10 {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "log10";
  static constexpr Domain domain = positive;
  static double f(double a) { return std::log10(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1.0 / std::numbers::ln10) / a;
  }
};

// (a + h)^(b + k) ≈ a^b + b a^(b−1) h + a^b ln(a) k      (a > 0)
struct PowC;

struct Pow {
  static constexpr Arity arity = Arity::binary;
  using right_bound = PowC;  // x^c has its own rule: valid for negative x and at x = 0
  static constexpr const char* name = "pow";
  static constexpr Domain domain = {0.0, 20, false}, domain_b = {-5, 5};
  static double f(double a, double b) { return std::pow(a, b); }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T& z) {
    const double zv = value_of(z);
    if (zv == 0 || !std::isfinite(zv)) [[unlikely]]
      return at_edge(a, b, z);
    return {b * z / a, z * call<Log>(a)};
  }
  // Where b a^b / a is 0/0 (a = 0, b > 0), or a^b under- or overflowed (a = 1e300, b = 1.1):
  // b a^(b−1) from its own power (b = 0 gives 0), and a^b ln a → 0 as a → 0 (b > 0). At a = 0 the
  // second derivatives follow for b > 1 (∂²/∂a² = b(b−1)a^(b−2), the others 0); for b ≤ 1 they
  // diverge.
  template <class T>
  static Pair<T> at_edge(const T& a, const T& b, const T& z) {
    const T da = value_of(b) == 0 ? T(0) : b * call<Pow>(a, b - T(1));
    const T db = value_of(a) == 0 && value_of(z) == 0 ? T(0) : z * call<Log>(a);
    return {da, db};
  }
};

// (a + h)^c ≈ a^c + c a^(c−1) h   (any real a where a^c is real; c = 0 gives 0, also at a = 0)
struct PowC {
  static constexpr Arity arity = Arity::constant;
  static constexpr const char* name = "pow";
  static constexpr Domain domain = {0.0, 20, false}, domain_c = {-5, 5};
  static double f(double a, double c) { return std::pow(a, c); }
  template <class T>
  static T df(const T& a, double c, const T&) {
    if (c == 0) return T(0);
    return T(c) * call<PowC>(a, c - 1);
  }
};

}  // namespace slope::ops
