// SPDX-License-Identifier: MIT
#pragma once

// Interpreter<T>::step: one case per instruction kind, each the C++ a user would write (see the
// comments on Kind in scalar_ir.hpp, and print.cpp, which prints the same statements).

#include "scalar_interp.hpp"

namespace fuzz {

template <class T>
void Interpreter<T>::step(const Instr& in) {
  current_ = &in;
  auto& r = m_.r;
  switch (in.kind) {
    case Kind::Unary:
      with(in.a, in.fa, in.k, [&](auto&& x) { r[in.d] = apply1<T>(in.fn, FUZZ_FWD(x)); });
      break;
    case Kind::Binary:
      if (in.a < 0)
        with(in.b, in.fb, 0, [&](auto&& y) { r[in.d] = apply2<T>(in.fn, in.k, FUZZ_FWD(y)); });
      else if (in.b < 0)
        with(in.a, in.fa, 0, [&](auto&& x) { r[in.d] = apply2<T>(in.fn, FUZZ_FWD(x), in.k); });
      else
        with(in.a, in.fa, 0, [&](auto&& x) {
          with(in.b, in.fb, 0,
               [&](auto&& y) { r[in.d] = apply2<T>(in.fn, FUZZ_FWD(x), FUZZ_FWD(y)); });
        });
      break;
    case Kind::PowInt:
      with(in.a, in.fa, 0, [&](auto&& x) {
        using std::pow;
        if constexpr (kIsVar<T>)
          r[in.d] = pow(FUZZ_FWD(x), static_cast<int>(in.k));
        else
          r[in.d] = pow(FUZZ_FWD(x), static_cast<double>(static_cast<int>(in.k)));
      });
      break;
    case Kind::Chain:
      with(in.a, in.fa, 0,
           [&](auto&& x) { r[in.d] = apply1<T>(in.fn, apply1<T>(in.fn2, FUZZ_FWD(x))); });
      break;
    case Kind::Scaled:
      with(in.a, in.fa, 0, [&](auto&& x) {
        switch (in.variant) {
          case 0:
            r[in.d] = FUZZ_FWD(x) * in.k + r[in.b];
            break;
          case 1:
            r[in.d] = r[in.b] - FUZZ_FWD(x) / in.k;
            break;
          case 2:
            r[in.d] = -FUZZ_FWD(x) + r[in.b];
            break;
          case 3:
            r[in.d] = in.k * FUZZ_FWD(x) - r[in.b] * in.k2;
            break;
          default: {
            T s = FUZZ_FWD(x) * in.k;  // a named scaled temporary, moved into +
            r[in.d] = std::move(s) + r[in.b];
          }
        }
      });
      break;
    case Kind::Compound:
      switch (in.variant) {
        case 0:
          compound(in.fn, r[in.a]);
          break;
        case 1:
          compound(in.fn, std::move(r[in.a]));
          break;
        case 2:
          compound(in.fn, apply1<T>(in.fn2, r[in.a]));
          break;
        default:
          compound(in.fn, in.k);
          break;
      }
      break;
    case Kind::Copy:
      r[in.d] = r[in.a];
      break;
    case Kind::Vector: {
      std::vector<T> v;
      if (in.variant == 2) {
        v.push_back(r[in.a]);
        v.push_back(std::move(r[in.b]));
      } else {
        v = {r[in.a], r[in.b]};
      }
      if (in.variant == 1) r[in.e] = apply1<T>(in.fn2, std::move(r[in.a]));
      r[in.d] = apply2<T>(in.fn, v[0], v[1]);
      break;
    }
    case Kind::Lambda:
      if (in.variant == 1) {
        auto f = [&c = r[in.a], fn = in.fn](const T& y) { return apply2<T>(fn, c, y); };
        r[in.d] = f(r[in.b]);
      } else if (in.variant == 3) {
        auto acc = [&c = r[in.d], fn = in.fn](const T& y) { c = apply2<T>(fn, c, y); };
        acc(r[in.b]);
      } else {
        auto f = [c = r[in.a], fn = in.fn](const T& y) { return apply2<T>(fn, c, y); };
        if (in.variant == 2) r[in.e] = apply1<T>(in.fn2, std::move(r[in.a]));
        r[in.d] = f(r[in.b]);
      }
      break;
    case Kind::Swap:
      std::swap(r[in.a], r[in.b]);
      break;
    case Kind::Branch:
      if (test(in))
        r[in.d] = arm(in.fn, in.c);
      else
        r[in.d] = arm(in.fn2, in.e);
      break;
    case Kind::Ternary:
      r[in.d] = test(in) ? arm(in.fn, in.c) : arm(in.fn2, in.e);
      break;
    case Kind::LseList:
      lse_list(in);
      break;
    case Kind::Local:
      local(in);
      break;
  }
}

// Written out, not through apply1, whose parameter turns a prvalue into a named object: these
// are the forms in which Slope folds a node (a prvalue straight into an op) and the ones in
// which it must not (a named Var, copied or moved).
template <class T>
void Interpreter<T>::local(const Instr& in) {
  using std::cos, std::exp, std::sin;
  auto& r = m_.r;
  switch (in.variant) {
    case 0: {
      T t = sin(r[in.a]);
      T c = t;
      r[in.d] = exp(std::move(t)) + c;
      break;
    }
    case 1: {
      std::vector<T> keep;
      auto make = [&keep](const T& x) {
        T t = sin(x);
        keep.push_back(t);
        return t;
      };
      T y = exp(make(r[in.a]));  // before keep[0] is read: the operands of + are unsequenced
      r[in.d] = std::move(y) + keep[0];
      break;
    }
    case 2:
      r[in.d] = exp(sin(r[in.a])) - cos(sin(r[in.b]) * in.k);
      break;
    default: {
      T t = r[in.a] * in.k;
      T c = t;
      r[in.d] = (r[in.b] + std::move(t)) * c;
      break;
    }
  }
}

template <class T>
void Interpreter<T>::lse_list(const Instr& in) {
  auto& r = m_.r;
  const auto& l = in.list;
  std::vector<T> v;
  for (int i : l) v.push_back(r[i]);
  if constexpr (!kIsVar<T>) {
    r[in.d] = lse_fold(v);
  } else {
    using slope::log_sum_exp;
    switch (in.variant) {
      case 0:
        r[in.d] = log_sum_exp(std::span<const T>(v));
        break;
      case 1:
        r[in.d] = log_sum_exp(v);
        break;
      case 2:
        if (l.size() == 1)
          r[in.d] = log_sum_exp({r[l[0]]});
        else if (l.size() == 2)
          r[in.d] = log_sum_exp({r[l[0]], r[l[1]]});
        else if (l.size() == 3)
          r[in.d] = log_sum_exp({r[l[0]], r[l[1]], r[l[2]]});
        else
          r[in.d] = log_sum_exp(v);
        break;
      default:
        if (l.size() == 3)
          r[in.d] = log_sum_exp(r[l[0]], r[l[1]], r[l[2]]);
        else if (l.size() == 4)
          r[in.d] = log_sum_exp(r[l[0]], r[l[1]], r[l[2]], r[l[3]]);
        else
          r[in.d] = log_sum_exp(v);
        break;
    }
  }
}

}  // namespace fuzz
