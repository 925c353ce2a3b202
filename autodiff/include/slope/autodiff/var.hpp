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

#include <slope/autodiff/op_list.hpp>
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

// The functions of one and two operands, from the lists in op_list.hpp. Var operands are taken
// by value (the temporary mark, as for the operators); the other operand of a two-operand
// function may be an arithmetic constant on either side.
#define SLOPE_VAR_UNARY(name, Op, twin) \
  template <VarArg A>                   \
  SLOPE_INLINE Var name(A a) {          \
    return detail::unary<ops::Op>(a);   \
  }
#define SLOPE_VAR_BINARY(name, tensor_name, Op)                \
  template <class A, class B>                                  \
  requires VarOperands<A, B> SLOPE_INLINE Var name(A a, B b) { \
    return detail::binary<ops::Op>(a, b);                      \
  }
#define SLOPE_VAR_ONLY_BINARY(name, Op) SLOPE_VAR_BINARY(name, name, Op)
SLOPE_UNARY_OPS(SLOPE_VAR_UNARY)
SLOPE_UNARY_ALIASES(SLOPE_VAR_UNARY)
SLOPE_BINARY_OPS(SLOPE_VAR_BINARY)
SLOPE_VAR_BINARY_OPS(SLOPE_VAR_ONLY_BINARY)
#undef SLOPE_VAR_ONLY_BINARY
#undef SLOPE_VAR_BINARY
#undef SLOPE_VAR_UNARY

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

// The same functions on plain doubles where <cmath> has none (twin `slope` in op_list.hpp), so
// a loss written as a template over its number type compiles for double as well as for Var.
#define SLOPE_DOUBLE_std(name, Op)
#define SLOPE_DOUBLE_slope(name, Op) \
  inline double name(double a) { return ops::Op::f(a); }
#define SLOPE_DOUBLE_UNARY(name, Op, twin) SLOPE_DOUBLE_##twin(name, Op)
#define SLOPE_DOUBLE_BINARY(name, Op) \
  inline double name(double a, double b) { return ops::Op::f(a, b); }
SLOPE_UNARY_OPS(SLOPE_DOUBLE_UNARY)
SLOPE_UNARY_ALIASES(SLOPE_DOUBLE_UNARY)
SLOPE_VAR_BINARY_OPS(SLOPE_DOUBLE_BINARY)
#undef SLOPE_DOUBLE_BINARY
#undef SLOPE_DOUBLE_UNARY
#undef SLOPE_DOUBLE_slope
#undef SLOPE_DOUBLE_std

}  // namespace slope
