// SPDX-License-Identifier: MIT
#pragma once

// The scalar fuzzer's program: straight-line instructions over numbered registers r0, r1, ...
// (r0..r{n-1} start as the parameters p[0..n-1]). Each instruction is one C++ statement (or a
// few) of a user's loss; the interpreter (scalar_interp.hpp) executes it as that C++ for
// slope::Var and as plain values for double and the oracle's dual numbers.

#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

/// The functions: one-operand ones first, then two-operand ones. Copy is the identity.
enum class Fn : std::uint8_t {
  Neg,
  Sqrt,
  Cbrt,
  Exp,
  Expm1,
  Log,
  Log1p,
  Log2,
  Log10,
  Square,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Sinh,
  Cosh,
  Tanh,
  Asinh,
  Acosh,
  Atanh,
  Abs,
  Fabs,
  Erf,
  Erfc,
  Lgamma,
  Tgamma,
  Digamma,
  Sigmoid,
  Softplus,
  LogSigmoid,
  Logit,
  Copy,
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Atan2,
  Hypot,
  Min,
  Max,
  Lse,
};
inline constexpr int kUnaryCount = static_cast<int>(Fn::Copy);  // Neg..Logit
inline constexpr int kFirstBinary = static_cast<int>(Fn::Add);
inline constexpr int kFnCount = static_cast<int>(Fn::Lse) + 1;
inline bool is_binary(Fn f) { return static_cast<int>(f) >= kFirstBinary; }
const char* fn_name(Fn f);  // the C++ spelling: "sqrt", "+", "log_sum_exp", ...

enum class Cmp : std::uint8_t { Lt, Le, Gt, Ge, Eq, Ne };
const char* cmp_name(Cmp c);

/// How an operand register reaches an op: as a named lvalue or through std::move.
enum class Form : std::uint8_t { Lvalue, Move };

enum class Kind : std::uint8_t {
  Unary,     // r[d] = fn(A)
  Binary,    // r[d] = fn(A, B); A or B may be the constant k (a < 0 or b < 0)
  PowInt,    // r[d] = pow(A, int(k))
  Chain,     // r[d] = fn(fn2(A))                      nested prvalues
  Scaled,    // r[d] = A*k + B | B - A/k | -A + B | k*A - B*k2   (variant)
  Compound,  // r[d] op= A | std::move(A) | fn2(A) | k   (fn in + - * /, variant picks the rhs)
  Copy,      // r[d] = r[a]                            (Var c = r)
  Vector,    // std::vector v{r[a], r[b]}; [r[e] = fn2(std::move(r[a]));] r[d] = fn(v[0], v[1])
  Lambda,    // auto f = [c = r[a]] / [&c = r[a]] (const T& y) { return fn(c, y); }; ... r[d] =
             // f(r[b])
  Swap,      // std::swap(r[a], r[b])
  Branch,    // if (A cmp B) r[d] = fn(r[c]); else r[d] = fn2(r[e]);
  Ternary,   // r[d] = (A cmp B) ? fn(r[c]) : fn2(r[e]);
  LseList,   // r[d] = log_sum_exp(list of r[list...]) as span / vector / init-list / variadic
  Local,     // named locals and prvalue chains written out (variant):
             //   { Var t = sin(A); Var c = t; r[d] = exp(std::move(t)) + c; }
             //   a helper returning a temporary it kept a copy of, straight into exp
             //   r[d] = exp(sin(A)) - cos(sin(B) * k)
             //   { Var t = A * k; Var c = t; r[d] = (B + std::move(t)) * c; }
};

struct Instr {
  Kind kind = Kind::Unary;
  Fn fn = Fn::Copy, fn2 = Fn::Copy;
  Cmp cmp = Cmp::Lt;
  Form fa = Form::Lvalue, fb = Form::Lvalue;
  std::uint8_t variant = 0;
  int d = 0, a = 0, b = 0, c = 0, e = 0;  // registers; a or b < 0 means the constant k
  double k = 1.0, k2 = 1.0;
  std::vector<int> list;  // LseList operands
};

struct Program {
  int n = 0;      // parameters
  int nregs = 0;  // registers, the parameters included
  std::vector<Instr> code;
  std::vector<int> outs;  // the result is the sum of these registers
};

/// What an instruction does to registers, in execution order (for the use-after-move rule).
enum class Use : std::uint8_t { Read, Move, Write, Swap };
struct Event {
  Use use;
  int reg, reg2;  // reg2: the other register of a Swap
};
std::vector<Event> events(const Instr& in);
/// True when some instruction reads a register moved from earlier and not written since (Slope
/// documents that as not allowed: "a Var you std::move into an expression must not be used
/// again").
bool uses_moved(const Program& p);

}  // namespace fuzz
