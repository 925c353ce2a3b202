// SPDX-License-Identifier: MIT
// The worked example's numbers (README): MSE of a line through the seven cars at w = b = 0.

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "derivative_check.hpp"
#include "seven_cars.hpp"

namespace {

using slope::Tensor;
using slope::Var;

using seven_cars::kMpg;
using seven_cars::kPounds;
using seven_cars::mse;

// The worked example's hand-derived formulas: ∂/∂w = (1/M) Σ 2x(wx + b − y), ∂/∂b = (1/M) Σ 2(wx + b − y).
xt::xarray<double> hand_gradient(const xt::xarray<double>& p) {
  double gw = 0, gb = 0;
  for (std::size_t i = 0; i < kPounds.size(); ++i) {
    const double r = p(0) * kPounds[i] + p(1) - kMpg[i];
    gw += 2 * kPounds[i] * r / 7;
    gb += 2 * r / 7;
  }
  return {gw, gb};
}

void expect_rel(double got, double want) { EXPECT_NEAR(got, want, 1e-9 * std::fabs(want)); }

TEST(SevenCars, LossGradientAndHessianAtZero) {
  const std::vector<double> zero{0.0, 0.0};
  const auto [loss, g] = slope::value_and_grad(mse, zero);
  expect_rel(loss, 303.714285714285714);
  expect_rel(g(0), -119.717142857142857);
  expect_rel(g(1), -34.285714285714286);
  const auto h = slope::hessian(mse, zero);
  expect_rel(h(0, 0), 26.701);
  expect_rel(h(0, 1), 7.197142857142857);
  expect_rel(h(1, 0), 7.197142857142857);
  expect_rel(h(1, 1), 2.0);
}

TEST(SevenCars, GradientCheckAgreesWithTheHandDerivedFormulas) {
  for (const std::vector<double>& at : {std::vector<double>{0, 0}, {1.2, 0.34}, {-5.44, 35.94}}) {
    const auto rep = slope::check_gradient(mse, at, hand_gradient);
    EXPECT_TRUE(rep.ok) << rep;
    EXPECT_LT(rep.max_rel_error, 1e-9) << rep;
  }
}

}  // namespace
