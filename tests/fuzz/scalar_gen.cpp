// SPDX-License-Identifier: MIT
// The scalar program generator. It runs each instruction in double as it emits it, so it knows
// every register's value at the recording point and can keep operands in their op's domain
// (feeding log a softplus(x) + 0.1, asin a tanh(x) * 0.9, ...), except sometimes on purpose.

#include <algorithm>
#include <cmath>
#include <iterator>

#include "scalar_gen.hpp"
#include "scalar_interp.hpp"

namespace fuzz {
namespace {

enum class Domain {
  Any,
  Positive,
  AboveMinusOne,
  AboveOne,
  Unit,
  Probability,
  Gamma,
  Small,
  Tan,
  NonZero
};

Domain domain_of(Fn f) {
  switch (f) {
    case Fn::Sqrt:
    case Fn::Log:
    case Fn::Log2:
    case Fn::Log10:
      return Domain::Positive;
    case Fn::Log1p:
      return Domain::AboveMinusOne;
    case Fn::Acosh:
      return Domain::AboveOne;
    case Fn::Asin:
    case Fn::Acos:
    case Fn::Atanh:
      return Domain::Unit;
    case Fn::Logit:
      return Domain::Probability;
    case Fn::Lgamma:
    case Fn::Digamma:
    case Fn::Tgamma:
      return Domain::Gamma;
    case Fn::Exp:
    case Fn::Expm1:
    case Fn::Sinh:
    case Fn::Cosh:
      return Domain::Small;
    case Fn::Tan:
      return Domain::Tan;
    case Fn::Cbrt:
    case Fn::Div:
      return Domain::NonZero;
    default:
      return Domain::Any;
  }
}

bool inside(Domain d, double v) {
  switch (d) {
    case Domain::Any:
      return std::fabs(v) < 1e6;
    case Domain::Positive:
      return v > 0.05 && v < 1e6;
    case Domain::AboveMinusOne:
      return v > -0.95 && v < 1e6;
    case Domain::AboveOne:
      return v > 1.05 && v < 1e6;
    case Domain::Unit:
      return std::fabs(v) < 0.95;
    case Domain::Probability:
      return v > 0.05 && v < 0.95;
    case Domain::Gamma:
      return v > 0.1 && v < 15;
    case Domain::Small:
      return std::fabs(v) < 30;
    case Domain::Tan:
      return std::fabs(std::cos(v)) > 0.1 && std::fabs(v) < 1e3;
    case Domain::NonZero:
      return std::fabs(v) > 0.05 && std::fabs(v) < 1e6;
  }
  return true;
}

class Generator {
 public:
  Generator(std::mt19937_64& rng, const GenOptions& opt) : rng_(rng), opt_(opt), it_(m_) {}

  ScalarCase run() {
    ScalarCase c;
    const int n = uniform(2, 20);
    c.program.n = n;
    for (int i = 0; i < n; ++i) {
      double xi = real(-2, 2);
      if (chance(0.03)) xi = static_cast<double>(uniform(-1, 1));  // kinks and poles
      c.x.push_back(xi);
      c.v.push_back(real(-1, 1));
    }
    p_.n = n;
    for (int i = 0; i < n; ++i) {
      const int r = fresh();
      m_.r[r] = c.x[i];
      written_[r] = 1;
    }
    const double u = real(0, 1);
    const int length = 5 + static_cast<int>(195 * u * u * u);
    while (static_cast<int>(p_.code.size()) < length) statement();
    finish();
    c.program = p_;
    return c;
  }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double q) { return real(0, 1) < q; }
  template <class C>
  auto pick_of(const C& c) {
    return c[static_cast<std::size_t>(uniform(0, static_cast<int>(std::size(c)) - 1))];
  }

  int fresh() {
    const int r = p_.nregs++;
    m_.r.push_back(0.0);
    moved_.push_back(0);
    written_.push_back(0);
    read_.push_back(0);
    return r;
  }
  // A destination: usually a new register, sometimes a moved-from one (reassigned).
  int dest() {
    std::vector<int> dead;
    for (int r = 0; r < p_.nregs; ++r)
      if (moved_[r]) dead.push_back(r);
    if (!dead.empty() && chance(0.3)) return pick_of(dead);
    return fresh();
  }
  bool usable(int r) const { return written_[r] && (opt_.moved_reuse || !moved_[r]); }
  // An operand: most often one of the last few registers written (deep chains, shared use).
  int operand(int avoid = -1) {
    std::vector<int> ok;
    for (int r = 0; r < p_.nregs; ++r)
      if (usable(r) && r != avoid) ok.push_back(r);
    if (ok.empty()) return avoid;
    if (chance(0.6)) {
      for (auto it = recent_.rbegin(); it != recent_.rend() && it - recent_.rbegin() < 4; ++it)
        if (usable(*it) && *it != avoid && chance(0.5)) return *it;
    }
    return pick_of(ok);
  }
  Form form() { return chance(0.25) ? Form::Move : Form::Lvalue; }
  double value(int r) const { return m_.r[r]; }

  void emit(Instr in) {
    it_.step(in);
    for (const Event& e : events(in)) {
      if (e.use == Use::Read) read_[e.reg] = 1;
      if (e.use == Use::Move) moved_[e.reg] = 1;
      if (e.use == Use::Write)
        moved_[e.reg] = 0, written_[e.reg] = 1, read_[e.reg] = 0, recent_.push_back(e.reg);
      if (e.use == Use::Swap) {
        std::swap(moved_[e.reg], moved_[e.reg2]);
        std::swap(written_[e.reg], written_[e.reg2]);
      }
    }
    p_.code.push_back(std::move(in));
  }
  int unary(Fn f, int a, Form fa = Form::Lvalue) {
    Instr in;
    in.kind = Kind::Unary, in.fn = f, in.a = a, in.fa = fa, in.d = dest();
    emit(in);
    return in.d;
  }
  int with_const(Fn f, int a, double k, Form fa) {
    Instr in;
    in.kind = Kind::Binary, in.fn = f, in.a = a, in.b = -1, in.k = k, in.fa = fa, in.d = dest();
    emit(in);
    return in.d;
  }
  // A register whose value is inside d: a as it is, or a wrapper of other ops around it.
  int guarded(Domain d, int a) {
    if (inside(d, value(a)) || chance(opt_.unguarded)) return a;
    const Form f = chance(0.5) ? Form::Move : Form::Lvalue;  // the wrapper's own temporary
    switch (d) {
      case Domain::Positive:
      case Domain::AboveMinusOne:
      case Domain::NonZero:
        if (chance(0.5)) return with_const(Fn::Add, unary(Fn::Softplus, a), 0.1, f);
        if (chance(0.5)) {
          Instr in;
          in.kind = Kind::Chain, in.fn = Fn::Exp, in.fn2 = Fn::Tanh, in.a = a, in.d = dest();
          emit(in);
          return in.d;
        }
        return with_const(Fn::Add, unary(Fn::Square, a), 0.5, f);
      case Domain::AboveOne:
        return with_const(Fn::Add, unary(Fn::Softplus, a), 1.1, f);
      case Domain::Unit:
        return with_const(Fn::Mul, unary(chance(0.5) ? Fn::Tanh : Fn::Sin, a), 0.9, f);
      case Domain::Probability:
        return with_const(Fn::Add, with_const(Fn::Mul, unary(Fn::Sigmoid, a), 0.9, f), 0.05, f);
      case Domain::Gamma:
        return with_const(Fn::Add, with_const(Fn::Mul, unary(Fn::Sigmoid, a), 6.0, f), 0.2, f);
      case Domain::Tan:
        return with_const(Fn::Mul, unary(Fn::Tanh, a), 1.2, f);
      default:
        return with_const(Fn::Mul, unary(Fn::Tanh, a), 3.0, f);
    }
  }

  void statement();
  void plain_unary();
  void plain_binary();
  void copy_then_move();
  void guard_then_move();
  void other();
  void local();
  void finish();

  std::mt19937_64& rng_;
  GenOptions opt_;
  Program p_;
  Machine<double> m_;
  Interpreter<double> it_;
  std::vector<char> moved_, written_, read_;
  std::vector<int> recent_;
};

}  // namespace
}  // namespace fuzz

#include "scalar_gen_statements.hpp"

namespace fuzz {
ScalarCase generate_scalar(std::mt19937_64& rng, const GenOptions& opt) {
  return Generator(rng, opt).run();
}
}  // namespace fuzz
