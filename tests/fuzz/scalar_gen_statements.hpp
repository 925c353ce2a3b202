// SPDX-License-Identifier: MIT
#pragma once

// The generator's statements (included by scalar_gen.cpp only): plain ops, the C++ forms, and
// the two sequences behind known classes of bugs: a copy of a temporary whose original is then
// moved into an op, and a guard on a scaled temporary that is then moved into + or -.

namespace fuzz {
namespace {

void Generator::statement() {
  const double u = real(0, 1);
  if (u < 0.25)
    plain_unary();
  else if (u < 0.30)
    local();
  else if (u < 0.55)
    plain_binary();
  else if (u < 0.65)
    copy_then_move();
  else if (u < 0.72)
    guard_then_move();
  else
    other();
}

// Named locals and prvalue chains, written out (Kind::Local).
void Generator::local() {
  Instr in;
  in.kind = Kind::Local, in.variant = static_cast<std::uint8_t>(uniform(0, 3));
  in.a = operand(), in.b = operand(in.a), in.k = chance(0.5) ? 2.0 : -0.75;
  in.d = dest();
  emit(in);
}

void Generator::plain_unary() {
  const Fn f = static_cast<Fn>(uniform(0, kUnaryCount - 1));
  const int a = guarded(domain_of(f), operand());
  unary(f, a, form());
}

void Generator::plain_binary() {
  const Fn f = static_cast<Fn>(uniform(kFirstBinary, kFnCount - 1));
  Instr in;
  in.kind = Kind::Binary, in.fn = f;
  const int shape = uniform(0, 4);  // Var∘Var mostly, Var∘double, double∘Var
  int a = operand(), b = shape >= 3 ? -1 : operand(a);
  if (shape == 4) std::swap(a, b);
  static constexpr double kConsts[] = {0.5, 2.0, 3.0, -1.5, 0.1, 1.0, 2.5, -0.25};
  in.k = pick_of(kConsts);
  if (f == Fn::Div && b >= 0) b = guarded(Domain::NonZero, b);
  if (f == Fn::Div && b < 0 && in.k == 0) in.k = 2.0;
  if (f == Fn::Pow) {
    if (a >= 0)
      a = guarded(Domain::Positive, a);
    else
      in.k = std::fabs(in.k) + 0.5;  // double^Var: a positive base
    if (b >= 0) b = guarded(Domain::Small, b), b = guarded(Domain::Unit, b);
  }
  in.a = a, in.b = b;
  in.fa = a >= 0 && a != b ? form() : Form::Lvalue;
  in.fb = b >= 0 && a != b ? form() : Form::Lvalue;
  in.d = dest();
  emit(in);
}

// t = f(x) (a temporary of a one-operand op); a copy of t; then t moved into an op; the copy is
// used next. Through a plain copy, a std::vector, or a lambda capture.
void Generator::copy_then_move() {
  static constexpr Fn kSafe[] = {Fn::Sin,     Fn::Tanh,   Fn::Cos,       Fn::Atan,
                                 Fn::Sigmoid, Fn::Square, Fn::Neg,       Fn::Softplus,
                                 Fn::Erf,     Fn::Asinh,  Fn::LogSigmoid};
  const int t = unary(pick_of(kSafe), operand());
  Instr in;
  const int style = uniform(0, 2);
  if (style == 0) {
    const int c = dest();
    in.kind = Kind::Copy, in.a = t, in.d = c;
    emit(in);
    Instr mv;
    if (chance(0.5)) {
      mv.kind = Kind::Unary, mv.fn = pick_of(kSafe), mv.a = t, mv.fa = Form::Move;
    } else {
      mv.kind = Kind::Binary, mv.fn = chance(0.5) ? Fn::Mul : Fn::Add, mv.a = t;
      mv.fa = Form::Move, mv.b = operand(t);
    }
    mv.d = dest();
    emit(mv);
    recent_.push_back(c);
  } else {
    in.kind = style == 1 ? Kind::Vector : Kind::Lambda;
    in.variant = style == 1 ? 1 : 2;
    in.fn = static_cast<Fn>(uniform(static_cast<int>(Fn::Add), static_cast<int>(Fn::Mul)));
    in.fn2 = pick_of(kSafe);
    in.a = t, in.b = operand(t), in.e = dest(), in.d = dest();
    emit(in);
  }
}

// s = x * k (a scaled temporary); if (s < y) ...; then s moved into + or -.
void Generator::guard_then_move() {
  const int x = operand();
  int s;
  if (chance(0.25))
    s = unary(Fn::Neg, x);
  else
    s = with_const(chance(0.7) ? Fn::Mul : Fn::Div, x, chance(0.5) ? 3.0 : -0.5, Form::Lvalue);
  Instr br;
  br.kind = chance(0.5) ? Kind::Branch : Kind::Ternary;
  br.cmp = static_cast<Cmp>(uniform(0, 3));
  br.a = s, br.b = chance(0.8) ? operand(s) : -1, br.k = real(-1, 1);
  br.fn = br.fn2 = Fn::Copy;  // arms that record nothing: s stays the last node
  br.c = operand(s), br.e = operand(s), br.d = dest();
  if (chance(0.5)) std::swap(br.a, br.b), br.cmp = static_cast<Cmp>(uniform(0, 3));
  if (br.a < 0 && br.b < 0) br.a = s;
  emit(br);
  Instr mv;
  mv.kind = Kind::Binary, mv.fn = chance(0.5) ? Fn::Add : Fn::Sub;
  mv.a = s, mv.fa = Form::Move, mv.b = operand(s);
  if (chance(0.4)) std::swap(mv.a, mv.b), std::swap(mv.fa, mv.fb);
  mv.d = dest();
  emit(mv);
}

void Generator::other() {
  Instr in;
  const int kind = uniform(0, 10);
  static constexpr Fn kArith[] = {Fn::Add, Fn::Sub, Fn::Mul, Fn::Div};
  static constexpr Fn kSafe[] = {Fn::Sin,    Fn::Tanh, Fn::Atan,      Fn::Sigmoid,
                                 Fn::Square, Fn::Neg,  Fn::Softplus,  Fn::Erf,
                                 Fn::Copy,   Fn::Abs,  Fn::LogSigmoid};
  switch (kind) {
    case 0:
      in.kind = Kind::PowInt, in.a = operand(), in.fa = form();
      in.k = uniform(-3, 4);
      if (in.k <= 0) in.a = guarded(Domain::NonZero, in.a);
      break;
    case 1: {
      in.kind = Kind::Chain, in.fn = static_cast<Fn>(uniform(0, kUnaryCount - 1));
      in.fn2 = pick_of(kSafe);
      in.a = operand(), in.fa = form();
      if (in.fn2 == Fn::Copy) in.fn2 = Fn::Tanh;
      // The inner function's range: keep the outer one's domain through a wrapper on a.
      const double inner = apply1<double>(in.fn2, value(in.a));
      if (!inside(domain_of(in.fn), inner)) in.fn = Fn::Atan;
      break;
    }
    case 2:
      in.kind = Kind::Scaled, in.variant = static_cast<std::uint8_t>(uniform(0, 4));
      in.a = operand(), in.b = operand(in.a), in.fa = form();
      in.k = chance(0.5) ? 2.0 : -0.75, in.k2 = 1.5;
      break;
    case 3: {
      in.kind = Kind::Compound, in.fn = pick_of(kArith);
      in.variant = static_cast<std::uint8_t>(uniform(0, 3));
      in.d = operand(), in.a = operand(in.d), in.fn2 = pick_of(kSafe), in.k = 1.25;
      if (in.fn == Fn::Div && in.variant != 3) in.a = guarded(Domain::NonZero, in.a);
      if (in.fn == Fn::Div && in.variant == 2) in.fn2 = Fn::Copy;
      if (in.fn2 == Fn::Copy) in.fn2 = Fn::Tanh;
      emit(in);
      return;
    }
    case 4:
      in.kind = Kind::Copy, in.a = operand();
      break;
    case 5:
      in.kind = Kind::Vector, in.variant = static_cast<std::uint8_t>(uniform(0, 2));
      in.fn = pick_of(kArith), in.fn2 = pick_of(kSafe);
      in.a = operand(), in.b = operand(in.a);
      if (in.fn == Fn::Div) in.b = guarded(Domain::NonZero, in.b);
      if (in.fn2 == Fn::Copy) in.fn2 = Fn::Sin;
      if (in.variant == 1) in.e = dest();
      break;
    case 6:
      in.kind = Kind::Lambda, in.variant = static_cast<std::uint8_t>(uniform(0, 3));
      in.fn = static_cast<Fn>(uniform(static_cast<int>(Fn::Add), static_cast<int>(Fn::Mul)));
      in.fn2 = pick_of(kSafe);
      if (in.fn2 == Fn::Copy) in.fn2 = Fn::Tanh;
      in.a = operand(), in.b = operand(in.a);
      if (in.variant == 2) in.e = dest();
      if (in.variant == 3) {
        in.d = operand(in.b);
        emit(in);
        return;
      }
      break;
    case 7:
      in.kind = Kind::Swap, in.a = operand(), in.b = operand(in.a);
      emit(in);
      return;
    case 8:
    case 9:
      in.kind = kind == 8 ? Kind::Branch : Kind::Ternary;
      in.cmp = static_cast<Cmp>(chance(0.9) ? uniform(0, 3) : uniform(4, 5));
      in.a = operand(), in.b = chance(0.8) ? operand(in.a) : -1, in.k = real(-1, 1);
      if (chance(0.2) && in.b >= 0) std::swap(in.a, in.b);
      in.fn = pick_of(kSafe), in.fn2 = pick_of(kSafe);
      in.c = operand(), in.e = operand();
      break;
    default: {
      in.kind = Kind::LseList, in.variant = static_cast<std::uint8_t>(uniform(0, 3));
      const int size = in.variant == 3 ? uniform(3, 4) : uniform(1, 5);
      for (int i = 0; i < size; ++i) in.list.push_back(operand());
      break;
    }
  }
  in.d = dest();
  emit(in);
}

// The result: the sum of the registers nothing read after they were written (at most six), so
// that most of the program reaches the output.
void Generator::finish() {
  std::vector<int> outs;
  for (int r = p_.nregs - 1; r >= 0 && outs.size() < 6; --r)
    if (written_[r] && !moved_[r] && !read_[r] && r >= p_.n) outs.push_back(r);
  if (outs.empty())
    for (int r = p_.nregs - 1; r >= 0 && outs.empty(); --r)
      if (written_[r] && !moved_[r]) outs.push_back(r);
  p_.outs = outs;
}

}  // namespace
}  // namespace fuzz
