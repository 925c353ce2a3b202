// SPDX-License-Identifier: MIT
// Scalar code on the tape: the usage examples of <slope/autodiff/tape.hpp> (a recording driven
// by hand), <slope/autodiff/var.hpp> (the scalar ops) and the Var class comment in
// <slope/autodiff/var_handle.hpp>, each run as written there and checked against derivatives
// worked out by hand. Exits non-zero when a result is wrong.

#include <cmath>
#include <cstdio>

#include <slope/autodiff.hpp>

#include "expect.hpp"

namespace {

void tape_header() {
  // clang-format off
  // --- <slope/autodiff/tape.hpp>
  slope::Recording rec;                 // activates a tape for this thread
  slope::Var x = rec.tape().input(2.0);
  slope::Var y = sin(x) * x;
  rec.tape().reverse(y);
  double dydx = rec.tape().adjoint(x);
  // clang-format on
  // y = x sin x, dy/dx = sin x + x cos x
  std::printf("tape.hpp: y(2) = %.12f, dy/dx = %.12f\n", y.value(), dydx);
  examples::near("tape.hpp: y", y.value(), 2.0 * std::sin(2.0));
  examples::near("tape.hpp: dy/dx", dydx, std::sin(2.0) + 2.0 * std::cos(2.0));
}

void var_header() {
  slope::Recording rec;
  slope::Var w = rec.tape().input(0.7), x = rec.tape().input(-1.3), b = rec.tape().input(0.4);
  // clang-format off
  // --- <slope/autodiff/var.hpp>
  slope::Var y = sigmoid(w * x + b) - log1p(exp(-x)) + pow(x, 3);
  // clang-format on
  rec.tape().reverse(y);

  // y = σ(wx + b) − log(1 + e^−x) + x³, with σ' = σ(1 − σ):
  //   ∂y/∂w = σ'·x,  ∂y/∂b = σ',  ∂y/∂x = σ'·w + e^−x / (1 + e^−x) + 3x²
  const double wv = 0.7, xv = -1.3, bv = 0.4;
  const double s = 1.0 / (1.0 + std::exp(-(wv * xv + bv))), ds = s * (1.0 - s);
  std::printf("var.hpp: y = %.12f, grad (w, x, b) = (%.12f, %.12f, %.12f)\n", y.value(),
              rec.tape().adjoint(w), rec.tape().adjoint(x), rec.tape().adjoint(b));
  examples::near("var.hpp: y", y.value(), s - std::log1p(std::exp(-xv)) + xv * xv * xv);
  examples::near("var.hpp: dy/dw", rec.tape().adjoint(w), ds * xv);
  examples::near("var.hpp: dy/db", rec.tape().adjoint(b), ds);
  examples::near("var.hpp: dy/dx", rec.tape().adjoint(x),
                 ds * wv + std::exp(-xv) / (1.0 + std::exp(-xv)) + 3.0 * xv * xv);
}

void var_handle_header() {
  slope::Recording rec;
  slope::Var x = rec.tape().input(3.0);
  // clang-format off
  // --- <slope/autodiff/var_handle.hpp>, class Var
  slope::Var y = x * x + 1.0;   double v = slope::value(y);
  // clang-format on
  rec.tape().reverse(y);
  examples::near("var_handle.hpp: value", v, 10.0);
  examples::near("var_handle.hpp: dy/dx", rec.tape().adjoint(x), 6.0);
  // "A Var built from a double is a passive constant: it needs no tape and records nothing."
  const slope::Var c = 2.5;
  examples::that("var_handle.hpp: a constant is passive", !c.is_active() && x.is_active());
}

}  // namespace

int main() {
  tape_header();
  var_header();
  var_handle_header();
  return examples::failures();
}
