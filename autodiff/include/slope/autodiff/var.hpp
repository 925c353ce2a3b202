// SPDX-License-Identifier: MIT
#pragma once

// The scalar ops on Var: each overload forwards to its rule in ops/ through the tape.
//   slope::Var y = sigmoid(w * x + b) - log1p(exp(-x)) + pow(x, 3);
// A temporary passed straight into another op may be folded into it (see var_handle.hpp); a Var
// with a name, copied or moved, never is, so every handle keeps its derivative.
// (runs as examples/scalar_tape.cpp)

#include <concepts>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <slope/autodiff/tape.hpp>

namespace slope {

template <class T>
concept VarArg = std::same_as<std::remove_cvref_t<T>, Var>;
template <class T>
concept ScalarArg = std::is_arithmetic_v<std::remove_cvref_t<T>>;
/// Operands of a scalar op: at least one Var, the other a Var or an arithmetic constant.
template <class A, class B>
concept VarOperands = (VarArg<A> && (VarArg<B> || ScalarArg<B>)) || (ScalarArg<A> && VarArg<B>);

namespace detail {
template <class Op>
SLOPE_INLINE Var unary(const Var& a) {
  return Tape::unary<Op>(a);
}
template <class Op, class A, class B>
SLOPE_INLINE Var binary(const A& a, const B& b) {
  if constexpr (VarArg<A> && VarArg<B>)
    return Tape::binary<Op>(a, b);
  else if constexpr (VarArg<A>)
    return Tape::right_constant<Op>(a, static_cast<double>(b));
  else
    return Tape::left_constant<Op>(static_cast<double>(a), b);
}
}  // namespace detail

// Var operands are taken by value: see var_handle.hpp for why (the temporary mark).
// Arithmetic: Var∘Var, Var∘double, double∘Var.
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator+(A a, B b) {
  return detail::binary<ops::Add>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator-(A a, B b) {
  return detail::binary<ops::Sub>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator*(A a, B b) {
  return detail::binary<ops::Mul>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator/(A a, B b) {
  return detail::binary<ops::Div>(a, b);
}
template <VarArg A>
SLOPE_INLINE Var operator-(A a) {
  return detail::unary<ops::Neg>(a);
}
inline Var operator+(const Var& a) { return a; }

// The left operand, *this, is never folded (an accumulator is rarely the last node recorded),
// so it goes in as a handle the compiler knows is unmarked.
SLOPE_INLINE Var& Var::operator+=(Var b) {
  return *this = Tape::binary<ops::Add>(Tape::unmarked(*this), b);
}
SLOPE_INLINE Var& Var::operator-=(Var b) {
  return *this = Tape::binary<ops::Sub>(Tape::unmarked(*this), b);
}
SLOPE_INLINE Var& Var::operator*=(Var b) {
  return *this = Tape::binary<ops::Mul>(Tape::unmarked(*this), b);
}
SLOPE_INLINE Var& Var::operator/=(Var b) {
  return *this = Tape::binary<ops::Div>(Tape::unmarked(*this), b);
}

namespace detail {
// The comparison of two values; in a recording for replay (slope::record) it is kept as a guard.
template <class A, class B>
bool compared(Compare c, const A& a, const B& b) {
  const bool r = compare(c, value(a), value(b));
  if (Tape* t = Tape::active(); t != nullptr && t->mode() == Mode::replay)
    t->guard(c, Var(a), Var(b), r);
  return r;
}
}  // namespace detail

// Comparisons return bool from the values; while recording a slope::Function they are guards.
template <class A, class B>
requires VarOperands<A, B>
bool operator==(const A& a, const B& b) { return detail::compared(Compare::equal, a, b); }
template <class A, class B>
requires VarOperands<A, B>
bool operator!=(const A& a, const B& b) { return detail::compared(Compare::not_equal, a, b); }
template <class A, class B>
requires VarOperands<A, B>
bool operator<(const A& a, const B& b) { return detail::compared(Compare::less, a, b); }
template <class A, class B>
requires VarOperands<A, B>
bool operator<=(const A& a, const B& b) { return detail::compared(Compare::less_equal, a, b); }
template <class A, class B>
requires VarOperands<A, B>
bool operator>(const A& a, const B& b) { return detail::compared(Compare::greater, a, b); }
template <class A, class B>
requires VarOperands<A, B>
bool operator>=(const A& a, const B& b) { return detail::compared(Compare::greater_equal, a, b); }

// clang-format off
// Elementary functions. Each line: the public name and the op whose rule it records.
template <VarArg A> SLOPE_INLINE Var sqrt(A a) { return detail::unary<ops::Sqrt>(a); }
template <VarArg A> SLOPE_INLINE Var cbrt(A a) { return detail::unary<ops::Cbrt>(a); }
template <VarArg A> SLOPE_INLINE Var exp(A a) { return detail::unary<ops::Exp>(a); }
template <VarArg A> SLOPE_INLINE Var expm1(A a) { return detail::unary<ops::Expm1>(a); }
template <VarArg A> SLOPE_INLINE Var log(A a) { return detail::unary<ops::Log>(a); }
template <VarArg A> SLOPE_INLINE Var log1p(A a) { return detail::unary<ops::Log1p>(a); }
template <VarArg A> SLOPE_INLINE Var log2(A a) { return detail::unary<ops::Log2>(a); }
template <VarArg A> SLOPE_INLINE Var log10(A a) { return detail::unary<ops::Log10>(a); }
template <VarArg A> SLOPE_INLINE Var square(A a) { return detail::unary<ops::Square>(a); }
template <VarArg A> SLOPE_INLINE Var sin(A a) { return detail::unary<ops::Sin>(a); }
template <VarArg A> SLOPE_INLINE Var cos(A a) { return detail::unary<ops::Cos>(a); }
template <VarArg A> SLOPE_INLINE Var tan(A a) { return detail::unary<ops::Tan>(a); }
template <VarArg A> SLOPE_INLINE Var asin(A a) { return detail::unary<ops::Asin>(a); }
template <VarArg A> SLOPE_INLINE Var acos(A a) { return detail::unary<ops::Acos>(a); }
template <VarArg A> SLOPE_INLINE Var atan(A a) { return detail::unary<ops::Atan>(a); }
template <VarArg A> SLOPE_INLINE Var sinh(A a) { return detail::unary<ops::Sinh>(a); }
template <VarArg A> SLOPE_INLINE Var cosh(A a) { return detail::unary<ops::Cosh>(a); }
template <VarArg A> SLOPE_INLINE Var tanh(A a) { return detail::unary<ops::Tanh>(a); }
template <VarArg A> SLOPE_INLINE Var asinh(A a) { return detail::unary<ops::Asinh>(a); }
template <VarArg A> SLOPE_INLINE Var acosh(A a) { return detail::unary<ops::Acosh>(a); }
template <VarArg A> SLOPE_INLINE Var atanh(A a) { return detail::unary<ops::Atanh>(a); }
template <VarArg A> SLOPE_INLINE Var abs(A a) { return detail::unary<ops::Abs>(a); }
template <VarArg A> SLOPE_INLINE Var fabs(A a) { return detail::unary<ops::Abs>(a); }
template <VarArg A> SLOPE_INLINE Var erf(A a) { return detail::unary<ops::Erf>(a); }
template <VarArg A> SLOPE_INLINE Var erfc(A a) { return detail::unary<ops::Erfc>(a); }
template <VarArg A> SLOPE_INLINE Var lgamma(A a) { return detail::unary<ops::Lgamma>(a); }
template <VarArg A> SLOPE_INLINE Var tgamma(A a) { return detail::unary<ops::Tgamma>(a); }
template <VarArg A> SLOPE_INLINE Var digamma(A a) { return detail::unary<ops::Digamma>(a); }
template <VarArg A> SLOPE_INLINE Var sigmoid(A a) { return detail::unary<ops::Sigmoid>(a); }
template <VarArg A> SLOPE_INLINE Var softplus(A a) { return detail::unary<ops::Softplus>(a); }

// Two-operand functions: Var or constant on either side. pow(Var, int) and pow(Var, double)
// use the x^c rule, which is defined for negative x when c is an integer.
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var pow(A a, B b) { return detail::binary<ops::Pow>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var atan2(A a, B b) { return detail::binary<ops::Atan2>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var hypot(A a, B b) { return detail::binary<ops::Hypot>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var min(A a, B b) { return detail::binary<ops::Min>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var max(A a, B b) { return detail::binary<ops::Max>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var log_sum_exp(A a, B b) { return detail::binary<ops::LogSumExp2>(a, b); }
// clang-format on

/// log(Σ exp(xᵢ)), evaluated stably; throws slope::Error when xs is empty.
Var log_sum_exp(std::span<const Var> xs);
inline Var log_sum_exp(std::initializer_list<Var> xs) {
  return log_sum_exp(std::span<const Var>(xs.begin(), xs.size()));
}
inline Var log_sum_exp(const std::vector<Var>& xs) { return log_sum_exp(std::span<const Var>(xs)); }
/// log_sum_exp(a, b, c, ...) for three or more Vars.
template <VarArg... Rest>
Var log_sum_exp(const Var& a, const Var& b, const Var& c, const Rest&... rest) {
  return log_sum_exp({a, b, c, rest...});
}

// The same functions on plain doubles, so a loss written as a template over its number type
// compiles for double as well as for Var.
inline double square(double a) { return a * a; }
inline double sigmoid(double a) { return ops::Sigmoid::f(a); }
inline double softplus(double a) { return ops::Softplus::f(a); }
inline double digamma(double a) { return ops::Digamma::f(a); }
inline double log_sum_exp(double a, double b) { return ops::LogSumExp2::f(a, b); }

}  // namespace slope
