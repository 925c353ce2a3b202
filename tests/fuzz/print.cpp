// SPDX-License-Identifier: MIT
// Prints a scalar program as the C++ the interpreter executes for slope::Var.

#include <cmath>
#include <cstdio>
#include <sstream>

#include "print.hpp"

namespace fuzz {
namespace {

std::string reg(int r) { return "r" + std::to_string(r); }

std::string operand(int r, Form f, double k) {
  if (r < 0) return num(k);
  return f == Form::Move ? "std::move(" + reg(r) + ")" : reg(r);
}

std::string call1(Fn f, const std::string& x) {
  if (f == Fn::Copy) return x;
  if (f == Fn::Neg) return "-" + x;
  return std::string(fn_name(f)) + "(" + x + ")";
}

std::string call2(Fn f, const std::string& x, const std::string& y) {
  if (static_cast<int>(f) <= static_cast<int>(Fn::Div)) return x + " " + fn_name(f) + " " + y;
  return std::string(fn_name(f)) + "(" + x + ", " + y + ")";
}

std::string statement(const Instr& in) {
  const std::string d = reg(in.d), a = operand(in.a, in.fa, in.k), b = operand(in.b, in.fb, in.k);
  switch (in.kind) {
    case Kind::Unary:
      return d + " = " + call1(in.fn, a) + ";";
    case Kind::Binary:
      return d + " = " + call2(in.fn, a, b) + ";";
    case Kind::PowInt:
      return d + " = pow(" + a + ", " + std::to_string(static_cast<int>(in.k)) + ");";
    case Kind::Chain:
      return d + " = " + call1(in.fn, call1(in.fn2, a)) + ";";
    case Kind::Scaled: {
      const std::string rb = reg(in.b);
      switch (in.variant) {
        case 0:
          return d + " = " + a + " * " + num(in.k) + " + " + rb + ";";
        case 1:
          return d + " = " + rb + " - " + a + " / " + num(in.k) + ";";
        case 2:
          return d + " = -" + a + " + " + rb + ";";
        case 3:
          return d + " = " + num(in.k) + " * " + a + " - " + rb + " * " + num(in.k2) + ";";
        default:
          return "{ slope::Var s = " + a + " * " + num(in.k) + "; " + d + " = std::move(s) + " +
                 rb + "; }";
      }
    }
    case Kind::Compound: {
      std::string rhs = in.variant == 0   ? reg(in.a)
                        : in.variant == 1 ? "std::move(" + reg(in.a) + ")"
                        : in.variant == 2 ? call1(in.fn2, reg(in.a))
                                          : num(in.k);
      return d + " " + fn_name(in.fn) + "= " + rhs + ";";
    }
    case Kind::Copy:
      return d + " = " + reg(in.a) + ";";
    case Kind::Vector: {
      std::string s = "{ std::vector<slope::Var> v";
      if (in.variant == 2)
        s += "; v.push_back(" + reg(in.a) + "); v.push_back(std::move(" + reg(in.b) + "));";
      else
        s += "{" + reg(in.a) + ", " + reg(in.b) + "};";
      if (in.variant == 1)
        s += " " + reg(in.e) + " = " + call1(in.fn2, "std::move(" + reg(in.a) + ")") + ";";
      return s + " " + d + " = " + call2(in.fn, "v[0]", "v[1]") + "; }";
    }
    case Kind::Lambda: {
      if (in.variant == 3)
        return "{ auto acc = [&c = " + d +
               "](const slope::Var& y) { c = " + call2(in.fn, "c", "y") + "; }; acc(" + reg(in.b) +
               "); }";
      std::string s = "{ auto f = [" + std::string(in.variant == 1 ? "&" : "") +
                      "c = " + reg(in.a) + "](const slope::Var& y) { return " +
                      call2(in.fn, "c", "y") + "; };";
      if (in.variant == 2)
        s += " " + reg(in.e) + " = " + call1(in.fn2, "std::move(" + reg(in.a) + ")") + ";";
      return s + " " + d + " = f(" + reg(in.b) + "); }";
    }
    case Kind::Swap:
      return "std::swap(" + reg(in.a) + ", " + reg(in.b) + ");";
    case Kind::Branch:
    case Kind::Ternary: {
      const std::string cond = operand(in.a, Form::Lvalue, in.k) + " " + cmp_name(in.cmp) + " " +
                               operand(in.b, Form::Lvalue, in.k);
      const std::string x = call1(in.fn, reg(in.c)), y = call1(in.fn2, reg(in.e));
      if (in.kind == Kind::Ternary)
        return d + " = (" + cond + ") ? slope::Var(" + x + ") : slope::Var(" + y + ");";
      return "if (" + cond + ") " + d + " = " + x + "; else " + d + " = " + y + ";";
    }
    case Kind::Local: {
      const std::string la = reg(in.a), lb = reg(in.b), k = num(in.k);
      switch (in.variant) {
        case 0:
          return "{ slope::Var t = sin(" + la + "); slope::Var c = t; " + d +
                 " = exp(std::move(t)) + c; }";
        case 1:
          return std::string(
                     "{ std::vector<slope::Var> keep; auto make = [&keep](const "
                     "slope::Var& x) { slope::Var t = sin(x); keep.push_back(t); return "
                     "t; }; slope::Var y = exp(make(") +
                 la + ")); " + d + " = std::move(y) + keep[0]; }";
        case 2:
          return d + " = exp(sin(" + la + ")) - cos(sin(" + lb + ") * " + k + ");";
        default:
          return "{ slope::Var t = " + la + " * " + k + "; slope::Var c = t; " + d + " = (" + lb +
                 " + std::move(t)) * c; }";
      }
    }
    case Kind::LseList: {
      std::string items;
      for (std::size_t i = 0; i < in.list.size(); ++i) items += (i ? ", " : "") + reg(in.list[i]);
      switch (in.variant) {
        case 0:
          return "{ std::vector<slope::Var> v{" + items + "}; " + d +
                 " = log_sum_exp(std::span<const slope::Var>(v)); }";
        case 1:
          return "{ std::vector<slope::Var> v{" + items + "}; " + d + " = log_sum_exp(v); }";
        case 2:
          if (in.list.size() <= 3) return d + " = log_sum_exp({" + items + "});";
          return "{ std::vector<slope::Var> v{" + items + "}; " + d + " = log_sum_exp(v); }";
        default:
          if (in.list.size() == 3 || in.list.size() == 4)
            return d + " = log_sum_exp(" + items + ");";
          return "{ std::vector<slope::Var> v{" + items + "}; " + d + " = log_sum_exp(v); }";
      }
    }
  }
  return "";
}

}  // namespace

std::string num(double v) {
  if (std::isnan(v)) return "std::numeric_limits<double>::quiet_NaN()";
  if (std::isinf(v)) return v > 0 ? "HUGE_VAL" : "-HUGE_VAL";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string to_cpp(const std::vector<double>& x) {
  std::string s = "{";
  for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + num(x[i]);
  return s + "}";
}

std::string to_cpp(const Program& p) {
  std::ostringstream o;
  o << "[](const slope::Tensor& p) {\n  using namespace slope;\n  Var";
  for (int r = 0; r < p.nregs; ++r)
    o << (r ? ", " : " ") << reg(r) << (r < p.n ? " = p[" + std::to_string(r) + "]" : "");
  o << ";\n";
  for (const Instr& in : p.code) o << "  " << statement(in) << "\n";
  o << "  return ";
  for (std::size_t i = 0; i < p.outs.size(); ++i) o << (i ? " + " : "") << reg(p.outs[i]);
  o << ";\n}";
  return o.str();
}

}  // namespace fuzz
