// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include <slope/autodiff/ops/elementary.hpp>

namespace slope::ops {

struct Cos;

// sin(a + h) ≈ sin(a) + cos(a) h
struct Sin {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "sin";
  static constexpr Domain domain = {-10, 10};
  static double f(double a) { return std::sin(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Cos>(a);
  }
};

// cos(a + h) ≈ cos(a) − sin(a) h
struct Cos {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "cos";
  static constexpr Domain domain = {-10, 10};
  static double f(double a) { return std::cos(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return -call<Sin>(a);
  }
};

// tan(a + h) ≈ tan(a) + (1 + tan²a) h
struct Tan {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "tan";
  static constexpr Domain domain = {-1.5, 1.5};
  static double f(double a) { return std::tan(a); }
  template <class T>
  static T df(const T&, const T& z) {
    return T(1) + z * z;
  }
};

// asin(a + h) ≈ asin(a) + h / √(1 − a²)
struct Asin {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "asin";
  static constexpr Domain domain = {-0.99, 0.99};
  static double f(double a) { return std::asin(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / call<Sqrt>((T(1) - a) * (T(1) + a));
  }
};

// acos(a + h) ≈ acos(a) − h / √(1 − a²)
struct Acos {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "acos";
  static constexpr Domain domain = {-0.99, 0.99};
  static double f(double a) { return std::acos(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(-1) / call<Sqrt>((T(1) - a) * (T(1) + a));
  }
};

// atan(a + h) ≈ atan(a) + h / (1 + a²)
struct Atan {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "atan";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return std::atan(a); }
  // Beyond |a| = 1 as r²/(1 + r²) with r = 1/a: a² overflows from 1.3e154, and the tangent of
  // 1/(1 + a²) became ∞/∞ = NaN where it is −2aȧ/(1 + a²)² ≈ 0.
  template <class T>
  static T df(const T& a, const T&) {
    if (std::fabs(value_of(a)) > 1) {
      const T r = T(1) / a, r2 = r * r;
      return r2 / (T(1) + r2);
    }
    return T(1) / (T(1) + a * a);
  }
};

// atan2(a + h, b + k) ≈ atan2(a, b) + (b h − a k) / (a² + b²)
struct Atan2 {
  static constexpr Arity arity = Arity::binary;
  static constexpr const char* name = "atan2";
  static constexpr Domain domain = {-1e3, 1e3, false}, domain_b = {-1e3, 1e3, false};
  static double f(double a, double b) { return std::atan2(a, b); }
  // a² + b² overflows beyond 1e154 and underflows below 1e-154 (atan2'(1e-200, 1e-200) came out
  // ∞, not 5e199): there both are divided by s = max(|a|, |b|) first.
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
    const double s = std::fmax(std::fabs(value_of(a)), std::fabs(value_of(b)));
    if ((s > 1e150 || s < 1e-150) && s > 0 && std::isfinite(s)) [[unlikely]] {
      const T x = a / T(s), y = b / T(s), r2 = x * x + y * y;
      return {y / r2 / T(s), -x / r2 / T(s)};
    }
    const T r2 = a * a + b * b;
    return {b / r2, -a / r2};
  }
};

struct Cosh;

// sinh(a + h) ≈ sinh(a) + cosh(a) h
struct Sinh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "sinh";
  static constexpr Domain domain = {-20, 20};
  static double f(double a) { return std::sinh(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Cosh>(a);
  }
};

// cosh(a + h) ≈ cosh(a) + sinh(a) h
struct Cosh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "cosh";
  static constexpr Domain domain = {-20, 20};
  static double f(double a) { return std::cosh(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return call<Sinh>(a);
  }
};

// tanh(a + h) ≈ tanh(a) + (1 − tanh²a) h
struct Tanh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "tanh";
  static constexpr Domain domain = {-20, 20};
  static double f(double a) { return value_and_slope(a).a; }
  // Value and slope from one transcendental (std::tanh is one too): with e = exp(−2|a|),
  // tanh|a| = (1 − e)/(1 + e) and sech²a = 4e/(1 + e)². Near 0, 1 − e cancels, so there
  // t = expm1(−2|a|) = e − 1 is used instead: tanh|a| = −t/(2 + t), sech²a = 4(1 + t)/(2 + t)².
  static Pair<double> value_and_slope(double a) {
    const double m = std::fabs(a);
    double z, s;
    if (m < 0.5) {
      const double t = std::expm1(-2 * m), p = 2 + t;
      z = -t / p, s = 4 * (1 + t) / (p * p);
    } else {
      const double e = std::exp(-2 * m), p = 1 + e;
      z = (1 - e) / p, s = 4 * e / (p * p);
    }
    return {std::copysign(z, a), s};
  }
  // (1 − z)(1 + z) while |a| ≤ 1; beyond, 1 − |z| cancels (it is 0 from |a| ≈ 19, where
  // sech²a = 1e-16), so there sech²a = 4e/(1 + e)² with e = exp(−2|a|): one exp, only there.
  template <class T>
  static T df(const T& a, const T& z) {
    const double v = value_of(a);
    if (v >= -1 && v <= 1) return (T(1) - z) * (T(1) + z);
    const T e = call<Exp>(T(2) * (v < 0 ? a : -a));
    const T p = T(1) + e;
    return T(4) * e / (p * p);
  }
};

// asinh(a + h) ≈ asinh(a) + h / √(a² + 1)
struct Asinh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "asinh";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return std::asinh(a); }
  // Beyond |a| = 1e8, a² + 1 rounds to a² (and a² overflows from 1.3e154): 1/|a| there.
  template <class T>
  static T df(const T& a, const T&) {
    const double v = value_of(a);
    if (v > 1e8 || v < -1e8) return T(1) / (v < 0 ? -a : a);
    return T(1) / call<Sqrt>(a * a + T(1));
  }
};

// acosh(a + h) ≈ acosh(a) + h / √((a − 1)(a + 1))   (a > 1)
struct Acosh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "acosh";
  static constexpr Domain domain = {1.01, 1e3, false};
  static double f(double a) { return std::acosh(a); }
  // Beyond a = 1e8, a² − 1 rounds to a² (and a² overflows from 1.3e154): 1/a there.
  template <class T>
  static T df(const T& a, const T&) {
    if (value_of(a) > 1e8) return T(1) / a;
    return T(1) / call<Sqrt>((a - T(1)) * (a + T(1)));
  }
};

// atanh(a + h) ≈ atanh(a) + h / (1 − a²)
struct Atanh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "atanh";
  static constexpr Domain domain = {-0.99, 0.99};
  static double f(double a) { return std::atanh(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / ((T(1) - a) * (T(1) + a));
  }
};

// hypot(a + h, b + k) ≈ hypot(a, b) + (a h + b k) / hypot(a, b); at the origin the
// subgradient (0, 0) is used.
struct Hypot {
  static constexpr Arity arity = Arity::binary;
  static constexpr bool commutative = true;
  static constexpr const char* name = "hypot";
  static constexpr Domain domain = {-1e3, 1e3, false}, domain_b = {-1e3, 1e3, false};
  static double f(double a, double b) { return std::hypot(a, b); }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T& z) {
    if (value_of(z) == 0) return {T(0), T(0)};
    return {a / z, b / z};
  }
};

}  // namespace slope::ops
