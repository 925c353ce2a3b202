// SPDX-License-Identifier: MIT
#pragma once

// How an op is written. Each op is one struct holding its value and its local partials:
//
//   unary     static double f(double a);
//             template <class T> static T df(const T& a, const T& z);           // z = f(a)
//   binary    static double f(double a, double b);
//             template <class T> static Pair<T> df(const T& a, const T& b, const T& z);
//   constant  static double f(double a, double c);                              // a ∘ c, c fixed
//             template <class T> static T df(const T& a, double c, const T& z);
//
// `df` is a template over the number type: at T = double it gives the partials stored on the
// tape (the gradient), at T = Dual it also gives their directional derivatives (the HVP). Inside
// a rule, other ops are called as `call<Op>(x)`, which is Op::f for doubles and is lifted to
// Dual from Op's own rule, so a rule never needs a second-order twin.
//
// A unary op may also offer `static Pair<double> value_and_slope(double a)` = (f(a), f'(a)) when
// the two share work (softplus and its slope σ share one exp); call<Op> at Dual then uses it.
//
// `domain` (and `domain_b` for the second operand) tells the generic derivative test where to
// sample: open interval (lo, hi), and whether 0 itself is a valid point.
//
// Traits a recording reads off the struct (absent means false):
//   commutative          a ∘ b = b ∘ a, so c ∘ x records x ∘ c (no BindLeft form);
//   same_operand         the op that x ∘ x records instead (Mul: Square);
//   right_bound          the op that x ∘ c records instead of BindRight (Pow: PowC);
//   linear               constant partials ±1 (Add, Sub): a replay recording keeps chains of
//                        these and of ops that scale as one linear node;
//   scales               z = p·a with p fixed (Neg; BindRight of an op with bound_right_scales:
//                        x * c, x / c).

#include <type_traits>

#include <slope/autodiff/detail/inline.hpp>
#include <slope/autodiff/dual.hpp>

namespace slope::ops {

enum class Arity { unary, binary, constant };

struct Domain {
  double lo;
  double hi;
  bool zero_ok = true;
};
inline constexpr Domain everywhere{-1e3, 1e3};
inline constexpr Domain positive{0.0, 1e3, false};

template <class T>
struct Pair {
  T a;
  T b;
};

// call<Op>: the op's value as a generic function of the number type.
template <class Op>
double call(double a) {
  return Op::f(a);
}
template <class Op>
Dual call(const Dual& a) {
  if constexpr (requires { Op::value_and_slope(a.v); }) {
    const Pair<double> zp = Op::value_and_slope(a.v);
    return {zp.a, zp.b * a.d};
  } else {
    const double z = Op::f(a.v);
    return {z, Op::df(a.v, z) * a.d};
  }
}
template <class Op>
double call(double a, double b) {
  return Op::f(a, b);
}
template <class Op>
Dual call(const Dual& a, const Dual& b) {
  const double z = Op::f(a.v, b.v);
  const Pair<double> p = Op::df(a.v, b.v, z);
  return {z, p.a * a.d + p.b * b.d};
}
template <class Op>
Dual call(const Dual& a, double c) {
  const double z = Op::f(a.v, c);
  return {z, Op::df(a.v, c, z) * a.d};
}

/// An op's value z and local partials p0 = ∂z/∂a, p1 = ∂z/∂b at T = double or T = Dual: the one
/// evaluation every scalar forward path goes through (recording, recording with tangents, the
/// replays at double and Dual, the plan's groups). `b` is a binary op's second operand, a
/// constant op's constant (a double) and unused by a unary op; p1 is 0 unless the op is binary.
template <class T>
struct Evaluated {
  T z, p0, p1;
};
template <class Op, class T, class B>
SLOPE_INLINE Evaluated<T> evaluate(const T& a, const B& b) {
  if constexpr (Op::arity == Arity::unary) {
    (void)b;
    if constexpr (std::is_same_v<T, double> && requires { Op::value_and_slope(a); }) {
      const Pair<double> zp = Op::value_and_slope(a);
      return {zp.a, zp.b, 0};
    } else {
      const T z = call<Op>(a);
      return {z, Op::df(a, z), T(0)};
    }
  } else if constexpr (Op::arity == Arity::constant) {
    const T z = call<Op>(a, static_cast<double>(b));
    return {z, Op::df(a, static_cast<double>(b), z), T(0)};
  } else {
    const T z = call<Op>(a, b);
    const Pair<T> p = Op::df(a, b, z);
    return {z, p.a, p.b};
  }
}

// A binary op with its right operand held constant: x ∘ c.
template <class Op>
struct BindRight {
  static constexpr Arity arity = Arity::constant;
  static constexpr bool scales = requires { requires Op::bound_right_scales; };
  static constexpr const char* name = Op::name;
  static constexpr Domain domain = Op::domain;
  static constexpr Domain domain_c = Op::domain_b;
  static double f(double a, double c) { return Op::f(a, c); }
  template <class T>
  static T df(const T& a, double c, const T& z) {
    return Op::df(a, T(c), z).a;
  }
};

// A binary op with its left operand held constant: c ∘ x.
template <class Op>
struct BindLeft {
  static constexpr Arity arity = Arity::constant;
  static constexpr const char* name = Op::name;
  static constexpr Domain domain = Op::domain_b;
  static constexpr Domain domain_c = Op::domain;
  static double f(double a, double c) { return Op::f(c, a); }
  template <class T>
  static T df(const T& a, double c, const T& z) {
    return Op::df(T(c), a, z).b;
  }
};

// What x ∘ c and c ∘ x record for a binary op: its own right_bound if it has one, and
// BindRight for c ∘ x when the op is commutative.
template <class Op>
struct RightBoundOf {
  using type = BindRight<Op>;
};
template <class Op>
requires requires { typename Op::right_bound; }
struct RightBoundOf<Op> {
  using type = typename Op::right_bound;
};
template <class Op>
using RightBound = typename RightBoundOf<Op>::type;
template <class Op>
using LeftBound = std::conditional_t < requires {
  Op::commutative;
}
, BindRight<Op>, BindLeft < Op >> ;

}  // namespace slope::ops
