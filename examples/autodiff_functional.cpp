// SPDX-License-Identifier: MIT
// Derivatives of a function of a parameter vector: the usage examples of <slope/autodiff.hpp>,
// <slope/autodiff/functional.hpp> and <slope/autodiff/check.hpp>, and the README's "What you can
// write", each run as written there and checked against derivatives worked out by hand.
// Exits non-zero when a result is wrong.

#include <cmath>
#include <iostream>
#include <vector>

#include <slope/autodiff.hpp>

#include "expect.hpp"

// clang-format off
// --- README, "What you can write" (the function; its calls are in readme_derivatives below)
slope::Var rosenbrock(const slope::Tensor& p) {  // p[i] is a slope::Var on the tape
  slope::Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2)
    s += 100.0 * square(p[i + 1] - p[i] * p[i]) + square(1.0 - p[i]);
  return s;
}
// clang-format on

namespace {

// Rosenbrock f(x) = 100(x₁ − x₀²)² + (1 − x₀)² at x = (−1.2, 1), by hand:
//   f = 100·0.44² + 2.2² = 24.2
//   ∇f = (−400x₀(x₁ − x₀²) − 2(1 − x₀), 200(x₁ − x₀²)) = (−215.6, −88)
//   H = [[1200x₀² − 400x₁ + 2, −400x₀], [−400x₀, 200]] = [[1330, 480], [480, 200]]
constexpr double kF = 24.2;
constexpr double kG[2] = {-215.6, -88.0};
constexpr double kH[2][2] = {{1330.0, 480.0}, {480.0, 200.0}};

template <class G, class HV, class H>
void check_rosenbrock(const char* who, double fx, const G& g, const HV& hv, const H& hess) {
  std::cout << who << ": f = " << fx << ", grad = (" << g(0) << ", " << g(1) << "), H·(1, 0) = ("
            << hv(0) << ", " << hv(1) << ")\n";
  examples::near("f(x)", fx, kF);
  for (std::size_t i = 0; i < 2; ++i) {
    examples::near("gradient", g(i), kG[i]);
    examples::near("H·(1, 0)", hv(i), kH[i][0]);
    for (std::size_t j = 0; j < 2; ++j) examples::near("Hessian", hess(i, j), kH[i][j]);
  }
}

void autodiff_header() {
  // clang-format off
  // --- <slope/autodiff.hpp>
  auto f = [](const slope::Tensor& p) { return exp(p[0]) * sin(p[1]); };
  auto [fx, g] = slope::value_and_grad(f, std::vector<double>{0.5, 1.0});
  // clang-format on
  // f = e^x₀ sin x₁, ∇f = (e^x₀ sin x₁, e^x₀ cos x₁)
  examples::near("autodiff.hpp: f", fx, std::exp(0.5) * std::sin(1.0));
  examples::near("autodiff.hpp: df/dx0", g(0), std::exp(0.5) * std::sin(1.0));
  examples::near("autodiff.hpp: df/dx1", g(1), std::exp(0.5) * std::cos(1.0));
}

void functional_header() {
  // clang-format off
  // --- <slope/autodiff/functional.hpp>
  auto f = [](const slope::Tensor& p) {
    return 100 * square(p[1] - square(p[0])) + square(1 - p[0]);
  };
  std::vector<double> x{-1.2, 1.0}, v{1.0, 0.0};  // or xt::xarray<double>
  auto [fx, g] = slope::value_and_grad(f, x);      // f(x) and ∇f(x)
  auto hv = slope::hvp(f, x, v);                   // H(x)·v, forward over reverse
  auto H = slope::hessian(f, x);                   // n × n, symmetric
  // clang-format on
  check_rosenbrock("functional.hpp", fx, g, hv, H);

  // "or xt::xarray<double>": the same calls on xarrays give the same numbers.
  const xt::xarray<double> xa{-1.2, 1.0}, va{1.0, 0.0};
  auto [fa, ga] = slope::value_and_grad(f, xa);
  check_rosenbrock("functional.hpp, xarray", fa, ga, slope::hvp(f, xa, va), slope::hessian(f, xa));
}

void readme_derivatives() {
  // clang-format off
  // --- README, "What you can write"
  std::vector<double> x{-1.2, 1.0};
  auto [fx, g] = slope::value_and_grad(rosenbrock, x);               // 24.2, (-215.6, -88)
  auto hv = slope::hvp(rosenbrock, x, std::vector<double>{1, 0});    // (1330, 480)
  auto H = slope::hessian(rosenbrock, x);                            // [[1330, 480], [480, 200]]
  std::cout << slope::check_gradient(rosenbrock, x);                 // worst coordinate first
  // clang-format on
  check_rosenbrock("README", fx, g, hv, H);
}

void check_header() {
  auto f = [](const slope::Tensor& p) {
    return 100 * square(p[1] - square(p[0])) + square(1 - p[0]);
  };
  std::vector<double> x{-1.2, 1.0}, v{1.0, 0.0};
  slope::Function F = slope::record(f, x);
  auto my_grad = [](const std::vector<double>& p) {  // the gradient by hand
    return std::vector<double>{-400 * p[0] * (p[1] - p[0] * p[0]) - 2 * (1 - p[0]),
                               200 * (p[1] - p[0] * p[0])};
  };

  // clang-format off
  // --- <slope/autodiff/check.hpp>
  slope::CheckReport rep = slope::check_gradient(f, x);  // AD vs finite differences
  rep = slope::check_gradient(f, x, my_grad);            // also your hand-derived gradient
  rep = slope::check_hvp(f, x, v);                       // AD H·v vs differences of AD gradients
  examples::that("check.hpp: check_hvp passes", rep.ok && rep.what == "hvp");
  rep = slope::check_gradient(f, x, {.step = 1e-5});     // your own finite-difference step
  examples::that("check.hpp: check_gradient with a step passes", rep.ok);
  rep = slope::check_gradient(F, x);                     // a recorded Function, at its data
  if (!rep.ok) std::cerr << rep;                         // table, worst coordinate first
  // clang-format on
  examples::that("check.hpp: check_gradient of a Function passes", rep.ok && rep.rows.size() == 2);
  for (const slope::CheckRow& row : rep.rows)
    examples::near("check.hpp: the Function's gradient", row.ad, row.index == 0 ? -215.6 : -88.0,
                   1e-12);
  examples::that("check.hpp: check_gradient passes", slope::check_gradient(f, x).ok);
  examples::that("check.hpp: check_gradient with my_grad passes",
                 slope::check_gradient(f, x, my_grad).ok);

  // A check that can fail: a hand-derived gradient with a wrong second coordinate (the factor
  // 200 written as 2) fails and the report names coordinate 1 first.
  auto wrong_grad = [&my_grad](const std::vector<double>& p) {
    auto g = my_grad(p);
    g[1] /= 100;
    return g;
  };
  rep = slope::check_gradient(f, x, wrong_grad);
  std::cout << rep;
  examples::that("check.hpp: a wrong gradient fails", !rep.ok);
  examples::that(
      "check.hpp: the report names coordinate 1",
      rep.worst_index == 1 && !rep.rows.empty() && rep.rows[0].index == 1 && !rep.rows[0].ok);
}

}  // namespace

int main() {
  autodiff_header();
  functional_header();
  readme_derivatives();
  check_header();
  return examples::failures();
}
