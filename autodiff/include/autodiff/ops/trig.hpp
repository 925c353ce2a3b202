// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include <autodiff/ops/elementary.hpp>

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
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / (T(1) + a * a);
  }
};

// atan2(a + h, b + k) ≈ atan2(a, b) + (b h − a k) / (a² + b²)
struct Atan2 {
  static constexpr Arity arity = Arity::binary;
  static constexpr const char* name = "atan2";
  static constexpr Domain domain = {-1e3, 1e3, false}, domain_b = {-1e3, 1e3, false};
  static double f(double a, double b) { return std::atan2(a, b); }
  template <class T>
  static Pair<T> df(const T& a, const T& b, const T&) {
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
  static double f(double a) { return std::tanh(a); }
  template <class T>
  static T df(const T&, const T& z) {
    return (T(1) - z) * (T(1) + z);
  }
};

// asinh(a + h) ≈ asinh(a) + h / √(a² + 1)
struct Asinh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "asinh";
  static constexpr Domain domain = everywhere;
  static double f(double a) { return std::asinh(a); }
  template <class T>
  static T df(const T& a, const T&) {
    return T(1) / call<Sqrt>(a * a + T(1));
  }
};

// acosh(a + h) ≈ acosh(a) + h / √((a − 1)(a + 1))   (a > 1)
struct Acosh {
  static constexpr Arity arity = Arity::unary;
  static constexpr const char* name = "acosh";
  static constexpr Domain domain = {1.01, 1e3, false};
  static double f(double a) { return std::acosh(a); }
  template <class T>
  static T df(const T& a, const T&) {
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
