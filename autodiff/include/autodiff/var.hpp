// SPDX-License-Identifier: MIT
#pragma once

// The scalar ops on Var: each overload forwards to its rule in ops/ through the tape.
//   slope::Var y = sigmoid(w * x + b) - log1p(exp(-x)) + pow(x, 3);
// A temporary passed straight into another op may be folded into it (see var_handle.hpp);
// a Var you std::move into an expression must not be used again.

#include <concepts>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include <autodiff/tape.hpp>

namespace slope {

template <class T>
concept VarArg = std::same_as<std::remove_cvref_t<T>, Var>;
template <class T>
concept ScalarArg = std::is_arithmetic_v<std::remove_cvref_t<T>>;
/// Operands of a scalar op: at least one Var, the other a Var or an arithmetic constant.
template <class A, class B>
concept VarOperands = (VarArg<A> && (VarArg<B> || ScalarArg<B>)) || (ScalarArg<A> && VarArg<B>);

namespace detail {
template <class T>
inline constexpr bool is_rvalue = VarArg<T> && !std::is_lvalue_reference_v<T>;

template <class Op, class A>
SLOPE_INLINE Var unary(const Var& a) {
  return Tape::unary<Op>(a, is_rvalue<A>);
}
template <class Op, class A, class B>
SLOPE_INLINE Var binary(const A& a, const B& b) {
  if constexpr (VarArg<A> && VarArg<B>)
    return Tape::binary<Op>(a, b, is_rvalue<A>, is_rvalue<B>);
  else if constexpr (VarArg<A>)
    return Tape::right_constant<Op>(a, static_cast<double>(b), is_rvalue<A>);
  else
    return Tape::left_constant<Op>(static_cast<double>(a), b, is_rvalue<B>);
}
}  // namespace detail

// Arithmetic: Var∘Var, Var∘double, double∘Var.
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator+(A&& a, B&& b) {
  return detail::binary<ops::Add, A, B>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator-(A&& a, B&& b) {
  return detail::binary<ops::Sub, A, B>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator*(A&& a, B&& b) {
  return detail::binary<ops::Mul, A, B>(a, b);
}
template <class A, class B>
requires VarOperands<A, B> SLOPE_INLINE Var operator/(A&& a, B&& b) {
  return detail::binary<ops::Div, A, B>(a, b);
}
template <VarArg A>
SLOPE_INLINE Var operator-(A&& a) {
  return detail::unary<ops::Neg, A>(a);
}
inline Var operator+(const Var& a) { return a; }

SLOPE_INLINE Var& Var::operator+=(const Var& b) {
  return *this = Tape::binary<ops::Add>(*this, b, false, false);
}
SLOPE_INLINE Var& Var::operator-=(const Var& b) {
  return *this = Tape::binary<ops::Sub>(*this, b, false, false);
}
SLOPE_INLINE Var& Var::operator*=(const Var& b) {
  return *this = Tape::binary<ops::Mul>(*this, b, false, false);
}
SLOPE_INLINE Var& Var::operator/=(const Var& b) {
  return *this = Tape::binary<ops::Div>(*this, b, false, false);
}
SLOPE_INLINE Var& Var::operator+=(Var&& b) {
  return *this = Tape::binary<ops::Add>(*this, b, false, true);
}
SLOPE_INLINE Var& Var::operator-=(Var&& b) {
  return *this = Tape::binary<ops::Sub>(*this, b, false, true);
}
SLOPE_INLINE Var& Var::operator*=(Var&& b) {
  return *this = Tape::binary<ops::Mul>(*this, b, false, true);
}
SLOPE_INLINE Var& Var::operator/=(Var&& b) {
  return *this = Tape::binary<ops::Div>(*this, b, false, true);
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
template <VarArg A> SLOPE_INLINE Var sqrt(A&& a) { return detail::unary<ops::Sqrt, A>(a); }
template <VarArg A> SLOPE_INLINE Var cbrt(A&& a) { return detail::unary<ops::Cbrt, A>(a); }
template <VarArg A> SLOPE_INLINE Var exp(A&& a) { return detail::unary<ops::Exp, A>(a); }
template <VarArg A> SLOPE_INLINE Var expm1(A&& a) { return detail::unary<ops::Expm1, A>(a); }
template <VarArg A> SLOPE_INLINE Var log(A&& a) { return detail::unary<ops::Log, A>(a); }
template <VarArg A> SLOPE_INLINE Var log1p(A&& a) { return detail::unary<ops::Log1p, A>(a); }
template <VarArg A> SLOPE_INLINE Var log2(A&& a) { return detail::unary<ops::Log2, A>(a); }
template <VarArg A> SLOPE_INLINE Var log10(A&& a) { return detail::unary<ops::Log10, A>(a); }
template <VarArg A> SLOPE_INLINE Var square(A&& a) { return detail::unary<ops::Square, A>(a); }
template <VarArg A> SLOPE_INLINE Var sin(A&& a) { return detail::unary<ops::Sin, A>(a); }
template <VarArg A> SLOPE_INLINE Var cos(A&& a) { return detail::unary<ops::Cos, A>(a); }
template <VarArg A> SLOPE_INLINE Var tan(A&& a) { return detail::unary<ops::Tan, A>(a); }
template <VarArg A> SLOPE_INLINE Var asin(A&& a) { return detail::unary<ops::Asin, A>(a); }
template <VarArg A> SLOPE_INLINE Var acos(A&& a) { return detail::unary<ops::Acos, A>(a); }
template <VarArg A> SLOPE_INLINE Var atan(A&& a) { return detail::unary<ops::Atan, A>(a); }
template <VarArg A> SLOPE_INLINE Var sinh(A&& a) { return detail::unary<ops::Sinh, A>(a); }
template <VarArg A> SLOPE_INLINE Var cosh(A&& a) { return detail::unary<ops::Cosh, A>(a); }
template <VarArg A> SLOPE_INLINE Var tanh(A&& a) { return detail::unary<ops::Tanh, A>(a); }
template <VarArg A> SLOPE_INLINE Var asinh(A&& a) { return detail::unary<ops::Asinh, A>(a); }
template <VarArg A> SLOPE_INLINE Var acosh(A&& a) { return detail::unary<ops::Acosh, A>(a); }
template <VarArg A> SLOPE_INLINE Var atanh(A&& a) { return detail::unary<ops::Atanh, A>(a); }
template <VarArg A> SLOPE_INLINE Var abs(A&& a) { return detail::unary<ops::Abs, A>(a); }
template <VarArg A> SLOPE_INLINE Var fabs(A&& a) { return detail::unary<ops::Abs, A>(a); }
template <VarArg A> SLOPE_INLINE Var erf(A&& a) { return detail::unary<ops::Erf, A>(a); }
template <VarArg A> SLOPE_INLINE Var erfc(A&& a) { return detail::unary<ops::Erfc, A>(a); }
template <VarArg A> SLOPE_INLINE Var lgamma(A&& a) { return detail::unary<ops::Lgamma, A>(a); }
template <VarArg A> SLOPE_INLINE Var tgamma(A&& a) { return detail::unary<ops::Tgamma, A>(a); }
template <VarArg A> SLOPE_INLINE Var digamma(A&& a) { return detail::unary<ops::Digamma, A>(a); }
template <VarArg A> SLOPE_INLINE Var sigmoid(A&& a) { return detail::unary<ops::Sigmoid, A>(a); }
template <VarArg A> SLOPE_INLINE Var softplus(A&& a) { return detail::unary<ops::Softplus, A>(a); }

// Two-operand functions: Var or constant on either side. pow(Var, int) and pow(Var, double)
// use the x^c rule, which is defined for negative x when c is an integer.
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var pow(A&& a, B&& b) { return detail::binary<ops::Pow, A, B>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var atan2(A&& a, B&& b) { return detail::binary<ops::Atan2, A, B>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var hypot(A&& a, B&& b) { return detail::binary<ops::Hypot, A, B>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var min(A&& a, B&& b) { return detail::binary<ops::Min, A, B>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var max(A&& a, B&& b) { return detail::binary<ops::Max, A, B>(a, b); }
template <class A, class B> requires VarOperands<A, B> SLOPE_INLINE Var log_sum_exp(A&& a, B&& b) { return detail::binary<ops::LogSumExp2, A, B>(a, b); }
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
