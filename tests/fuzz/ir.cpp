// SPDX-License-Identifier: MIT
// Names of the scalar IR's functions and the registers each instruction touches.

#include <algorithm>

#include "scalar_ir.hpp"

namespace fuzz {

const char* fn_name(Fn f) {
  static constexpr const char* kNames[kFnCount] = {
      "-",     "sqrt",   "cbrt",   "exp",        "expm1",   "log",     "log1p",    "log2",
      "log10", "square", "sin",    "cos",        "tan",     "asin",    "acos",     "atan",
      "sinh",  "cosh",   "tanh",   "asinh",      "acosh",   "atanh",   "abs",      "fabs",
      "erf",   "erfc",   "lgamma", "tgamma",     "digamma", "sigmoid", "softplus", "log_sigmoid",
      "logit", "",       "+",      "-",          "*",       "/",       "pow",      "atan2",
      "hypot", "min",    "max",    "log_sum_exp"};
  return kNames[static_cast<int>(f)];
}

const char* cmp_name(Cmp c) {
  static constexpr const char* kNames[] = {"<", "<=", ">", ">=", "==", "!="};
  return kNames[static_cast<int>(c)];
}

std::vector<Event> events(const Instr& in) {
  std::vector<Event> ev;
  auto read = [&](int r) {
    if (r >= 0) ev.push_back({Use::Read, r, -1});
  };
  auto move = [&](int r, Form f) {
    if (r >= 0 && f == Form::Move) ev.push_back({Use::Move, r, -1});
  };
  auto write = [&](int r) { ev.push_back({Use::Write, r, -1}); };
  switch (in.kind) {
    case Kind::Unary:
    case Kind::PowInt:
    case Kind::Chain:
      read(in.a), move(in.a, in.fa), write(in.d);
      break;
    case Kind::Binary:
      read(in.a), read(in.b), move(in.a, in.fa), move(in.b, in.fb), write(in.d);
      break;
    case Kind::Scaled:
      read(in.a), move(in.a, in.fa), read(in.b), write(in.d);
      break;
    case Kind::Compound:
      read(in.d);
      if (in.variant != 3) read(in.a);
      if (in.variant == 1) move(in.a, Form::Move);
      write(in.d);
      break;
    case Kind::Copy:
      read(in.a), write(in.d);
      break;
    case Kind::Vector:
      read(in.a), read(in.b);
      if (in.variant == 2) move(in.b, Form::Move);
      if (in.variant == 1) move(in.a, Form::Move), write(in.e);
      write(in.d);
      break;
    case Kind::Lambda:
      if (in.variant == 3) {
        read(in.d), read(in.b), write(in.d);
      } else {
        read(in.a);
        if (in.variant == 2) move(in.a, Form::Move), write(in.e);
        read(in.b), write(in.d);
      }
      break;
    case Kind::Swap:
      ev.push_back({Use::Swap, in.a, in.b});
      break;
    case Kind::Branch:
    case Kind::Ternary:
      read(in.a), read(in.b), read(in.c), read(in.e), write(in.d);
      break;
    case Kind::LseList:
      for (int r : in.list) read(r);
      write(in.d);
      break;
    case Kind::Local:
      read(in.a);
      if (in.variant >= 2) read(in.b);
      write(in.d);
      break;
  }
  return ev;
}

bool uses_moved(const Program& p) {
  std::vector<char> moved(static_cast<std::size_t>(p.nregs), 0);
  for (const Instr& in : p.code) {
    for (const Event& e : events(in)) {
      switch (e.use) {
        case Use::Read:
          if (moved[e.reg]) return true;
          break;
        case Use::Move:
          moved[e.reg] = 1;
          break;
        case Use::Write:
          moved[e.reg] = 0;
          break;
        case Use::Swap:
          std::swap(moved[e.reg], moved[e.reg2]);
          break;
      }
    }
  }
  return std::any_of(p.outs.begin(), p.outs.end(), [&](int r) { return moved[r] != 0; });
}

}  // namespace fuzz
