// SPDX-License-Identifier: MIT
#pragma once

// Runs a scalar Program over a number type T: slope::Var (each instruction is executed as the
// C++ it stands for: moves are std::move, copies are copies, lambdas capture, comparisons are
// `if`s), double, and the oracle's dual numbers (where the same code just computes values).
// Functions a type lacks (min, max and the list log_sum_exp for non-Var types) come from the
// generic helpers below; the oracle's TU adds the fvar overloads Boost lacks, found by ADL.

#include <cmath>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <slope/autodiff/var.hpp>

#include "scalar_ir.hpp"

namespace fuzz {

template <class T>
inline constexpr bool kIsVar = std::is_same_v<T, slope::Var>;

#define FUZZ_FWD(x) std::forward<decltype(x)>(x)

template <class T>
struct Machine {
  std::vector<T> r;
  std::vector<std::uint8_t> trace;  // outcomes of the comparisons
  std::vector<long double> gaps;    // a − b of each comparison (not for Var runs)
  double margin = std::numeric_limits<double>::infinity();  // closest comparison (double runs)
  bool all_finite = true;  // every value written was finite (double runs)
  bool pole = false;       // some function was applied at a pole of its derivative (double runs)
  bool cut = false;        // and some function on a branch cut (double runs)
};

template <class T>
bool nan_value(const T& x) {
  if constexpr (kIsVar<T>)
    return std::isnan(x.value());
  else
    return std::isnan(static_cast<double>(x));
}

// min and max for the value types: ties take the mean (Slope passes half the adjoint to each).
template <class T>
T tie_pick(bool max, const T& a, const T& b) {
  // NaN values only: Boost's fvar compares every derivative, so an operand whose value is fine but
  // whose derivatives are NaN (after pow(0, 3)) would count as NaN and pick the wrong operand.
  if (nan_value(a) || nan_value(b))
    return a;  // as Slope's: a < b ? b : a (max), b < a ? b : a (min)
  const bool b_wins = max ? a < b : b < a, a_wins = max ? b < a : a < b;
  if (a_wins) return a;
  if (b_wins) return b;
  return (a + b) * 0.5;
}

// Set by a double run whose min or max saw a NaN operand: which operand comes out is a matter of
// convention (Slope's returns the first), as fragile as a tie, so the run counts as one.
inline thread_local bool g_nan_choice = false;

// Boost's tanh of a dual number divides sinh by cosh, NaN once they overflow (|a| > 710): the
// oracle takes tanh|a| = (1 − e)/(1 + e) with e = exp(−2|a|) there instead.
template <class T>
T oracle_tanh(const T& a) {
  using std::exp, std::tanh;
  if (a < 20 && a > -20) return tanh(a);
  const bool negative = a < 0;
  const T e = exp(T(-2) * (negative ? T(-a) : a));
  const T z = (T(1) - e) / (T(1) + e);
  return negative ? T(-z) : z;
}

// Slope's min and max are commutative ops: a constant on the left is moved to the right, which
// decides which operand a NaN comparison returns.
template <class T, class X>
T min_or_max(bool max, const T& x, const T& y) {
  const bool swap = std::is_arithmetic_v<std::remove_cvref_t<X>>;
  const T& a = swap ? y : x;
  const T& b = swap ? x : y;
  if constexpr (std::is_same_v<T, double>) g_nan_choice |= a != a || b != b;
  return tie_pick<T>(max, a, b);
}

// Set by a double run that applies a function at a pole of its derivative (sqrt(0), asin(1),
// pow(0, y), x / 0, ...): there 0·∞ = NaN may reach a tape's derivatives legitimately.
inline thread_local bool g_pole = false;
// Set by a double run that applies atan2 on its branch cut (y = ±0, x < 0): the sign of a zero
// picks ±π there, and the oracle's dual numbers need not carry the sign of a zero as double does.
inline thread_local bool g_cut = false;
inline void note_pole(Fn f, double x, double y = 1) {
  switch (f) {
    case Fn::Sqrt:
    case Fn::Cbrt:
    case Fn::Log:
    case Fn::Log2:
    case Fn::Log10:
      g_pole |= x == 0;
      break;
    case Fn::Log1p:
      g_pole |= x == -1;
      break;
    case Fn::Asin:
    case Fn::Acos:
    case Fn::Atanh:
      g_pole |= std::fabs(x) == 1;
      break;
    case Fn::Acosh:
      g_pole |= x == 1;
      break;
    case Fn::Logit:
      g_pole |= x == 0 || x == 1;
      break;
    case Fn::Pow:
      g_pole |= x == 0;
      break;
    case Fn::Div:
      g_pole |= y == 0;
      break;
    case Fn::Hypot:
      g_pole |= x == 0 && y == 0;
      break;
    case Fn::Atan2:
      g_pole |= x == 0 && y == 0;
      g_cut |= x == 0 && y < 0;
      break;
    default:
      break;
  }
}

template <class T, class X>
T apply1(Fn f, X&& x) {
  if constexpr (std::is_same_v<T, double>) note_pole(f, x);
  using slope::digamma, slope::sigmoid, slope::softplus, slope::log_sigmoid, slope::logit;
  using slope::square;
  using std::lgamma, std::tgamma;
  using std::sin, std::cos, std::tan, std::asin, std::acos, std::atan, std::sinh, std::cosh;
  using std::sqrt, std::cbrt, std::exp, std::expm1, std::log, std::log1p, std::log2, std::log10;
  using std::tanh, std::asinh, std::acosh, std::atanh, std::abs, std::fabs, std::erf, std::erfc;
  switch (f) {
    case Fn::Neg:
      return -FUZZ_FWD(x);
    case Fn::Sqrt:
      return sqrt(FUZZ_FWD(x));
    case Fn::Cbrt:
      return cbrt(FUZZ_FWD(x));
    case Fn::Exp:
      return exp(FUZZ_FWD(x));
    case Fn::Expm1:
      return expm1(FUZZ_FWD(x));
    case Fn::Log:
      return log(FUZZ_FWD(x));
    case Fn::Log1p:
      return log1p(FUZZ_FWD(x));
    case Fn::Log2:
      return log2(FUZZ_FWD(x));
    case Fn::Log10:
      return log10(FUZZ_FWD(x));
    case Fn::Square:
      return square(FUZZ_FWD(x));
    case Fn::Sin:
      return sin(FUZZ_FWD(x));
    case Fn::Cos:
      return cos(FUZZ_FWD(x));
    case Fn::Tan:
      return tan(FUZZ_FWD(x));
    case Fn::Asin:
      return asin(FUZZ_FWD(x));
    case Fn::Acos:
      return acos(FUZZ_FWD(x));
    case Fn::Atan:
      return atan(FUZZ_FWD(x));
    case Fn::Sinh:
      return sinh(FUZZ_FWD(x));
    case Fn::Cosh:
      return cosh(FUZZ_FWD(x));
    case Fn::Tanh:
      if constexpr (!kIsVar<T> && !std::is_same_v<T, double>)
        return oracle_tanh<T>(T(x));
      else
        return tanh(FUZZ_FWD(x));
    case Fn::Asinh:
      return asinh(FUZZ_FWD(x));
    case Fn::Acosh:
      return acosh(FUZZ_FWD(x));
    case Fn::Atanh:
      return atanh(FUZZ_FWD(x));
    case Fn::Abs:
      return abs(FUZZ_FWD(x));
    case Fn::Fabs:
      return fabs(FUZZ_FWD(x));
    case Fn::Erf:
      return erf(FUZZ_FWD(x));
    case Fn::Erfc:
      return erfc(FUZZ_FWD(x));
    case Fn::Lgamma:
      return lgamma(FUZZ_FWD(x));
    case Fn::Tgamma:
      return tgamma(FUZZ_FWD(x));
    case Fn::Digamma:
      return digamma(FUZZ_FWD(x));
    case Fn::Sigmoid:
      return sigmoid(FUZZ_FWD(x));
    case Fn::Softplus:
      return softplus(FUZZ_FWD(x));
    case Fn::LogSigmoid:
      return log_sigmoid(FUZZ_FWD(x));
    case Fn::Logit:
      return logit(FUZZ_FWD(x));
    default:
      return T(FUZZ_FWD(x));  // Copy
  }
}

// Two operands, at most one a double constant.
template <class T, class X, class Y>
T apply2(Fn f, X&& x, Y&& y) {
  if constexpr (!kIsVar<T> && (!std::is_same_v<std::remove_cvref_t<X>, T> ||
                               !std::is_same_v<std::remove_cvref_t<Y>, T>)) {
    return apply2<T>(f, T(x), T(y));  // values: a constant is just a constant
  } else {
    using slope::log_sum_exp;
    using std::pow, std::atan2, std::hypot;
    if constexpr (std::is_same_v<T, double>) note_pole(f, x, y);
    switch (f) {
      case Fn::Add:
        return FUZZ_FWD(x) + FUZZ_FWD(y);
      case Fn::Sub:
        return FUZZ_FWD(x) - FUZZ_FWD(y);
      case Fn::Mul:
        return FUZZ_FWD(x) * FUZZ_FWD(y);
      case Fn::Div:
        return FUZZ_FWD(x) / FUZZ_FWD(y);
      case Fn::Pow:
        return pow(FUZZ_FWD(x), FUZZ_FWD(y));
      case Fn::Atan2:
        return atan2(FUZZ_FWD(x), FUZZ_FWD(y));
      case Fn::Hypot:
        return hypot(FUZZ_FWD(x), FUZZ_FWD(y));
      case Fn::Lse:
        return log_sum_exp(FUZZ_FWD(x), FUZZ_FWD(y));
      case Fn::Min:
        if constexpr (slope::VarArg<X> || slope::VarArg<Y>)
          return min(FUZZ_FWD(x), FUZZ_FWD(y));
        else
          return min_or_max<T, X>(false, T(x), T(y));
      case Fn::Max:
        if constexpr (slope::VarArg<X> || slope::VarArg<Y>)
          return max(FUZZ_FWD(x), FUZZ_FWD(y));
        else
          return min_or_max<T, X>(true, T(x), T(y));
      default:
        return apply1<T>(f, FUZZ_FWD(x));
    }
  }
}

template <class A, class B>
bool compare(Cmp c, const A& a, const B& b) {
  switch (c) {
    case Cmp::Lt:
      return a < b;
    case Cmp::Le:
      return a <= b;
    case Cmp::Gt:
      return a > b;
    case Cmp::Ge:
      return a >= b;
    case Cmp::Eq:
      return a == b;
    case Cmp::Ne:
      return a != b;
  }
  return false;
}

// log_sum_exp of a list for the value types: a left fold of the two-operand one.
template <class T>
T lse_fold(const std::vector<T>& v) {
  using slope::log_sum_exp;
  T s = v[0];
  for (std::size_t i = 1; i < v.size(); ++i) s = log_sum_exp(s, v[i]);
  return s;
}

template <class T>
class Interpreter {
 public:
  explicit Interpreter(Machine<T>& m) : m_(m) {}
  void step(const Instr& in);

 private:
  // Calls f with register `reg` as an lvalue or through std::move, or with the constant k.
  template <class F>
  void with(int reg, Form form, double k, F&& f) {
    if (reg < 0)
      f(k);
    else if (form == Form::Move)
      f(std::move(m_.r[reg]));
    else
      f(m_.r[reg]);
  }
  bool test(const Instr& in) {
    bool t = false;
    if (in.a < 0)
      t = compare(in.cmp, in.k, m_.r[in.b]);
    else if (in.b < 0)
      t = compare(in.cmp, m_.r[in.a], in.k);
    else
      t = compare(in.cmp, m_.r[in.a], m_.r[in.b]);
    if constexpr (!kIsVar<T>) {
      auto value = [&](int reg) { return reg < 0 ? in.k : static_cast<long double>(m_.r[reg]); };
      m_.gaps.push_back(value(in.a) - value(in.b));
    }
    if constexpr (std::is_same_v<T, double>) {
      const double a = in.a < 0 ? in.k : m_.r[in.a], b = in.b < 0 ? in.k : m_.r[in.b];
      const double gap = std::fabs(a - b) / (1 + std::fabs(a) + std::fabs(b));
      if (!(gap >= m_.margin)) m_.margin = std::isnan(gap) ? 0.0 : gap;  // NaN: as a tie
    }
    m_.trace.push_back(t ? 1 : 0);
    return t;
  }
  T arm(Fn f, int reg) { return f == Fn::Copy ? m_.r[reg] : apply1<T>(f, m_.r[reg]); }
  template <class R>
  void compound(Fn op, R&& rhs) {
    T& lhs = m_.r[current_->d];
    switch (op) {
      case Fn::Add:
        lhs += FUZZ_FWD(rhs);
        break;
      case Fn::Sub:
        lhs -= FUZZ_FWD(rhs);
        break;
      case Fn::Mul:
        lhs *= FUZZ_FWD(rhs);
        break;
      default:
        lhs /= FUZZ_FWD(rhs);
        break;
    }
  }
  void lse_list(const Instr& in);
  void local(const Instr& in);

  Machine<T>& m_;
  const Instr* current_ = nullptr;
};

/// The sum of the output registers.
template <class T>
T result(Machine<T>& m, const Program& p) {
  T y = m.r[p.outs[0]];
  for (std::size_t i = 1; i < p.outs.size(); ++i) y = y + m.r[p.outs[i]];
  return y;
}

/// Runs p on the parameters (T(p[i]) for each i) and returns the result.
template <class T, class P>
T run(const Program& p, const P& params, Machine<T>& m) {
  m.r.assign(static_cast<std::size_t>(p.nregs), T(0.0));
  for (int i = 0; i < p.n; ++i) m.r[i] = params[i];
  Interpreter<T> it(m);
  g_pole = g_cut = g_nan_choice = false;
  for (const Instr& in : p.code) {
    it.step(in);
    if constexpr (std::is_same_v<T, double>)
      for (const double v : m.r) m.all_finite = m.all_finite && std::isfinite(v);
  }
  if constexpr (std::is_same_v<T, double>) {
    m.pole = g_pole;
    m.cut = g_cut;
    if (g_nan_choice) m.margin = 0;
  }
  return result(m, p);
}

}  // namespace fuzz

#include "scalar_step.hpp"
