// SPDX-License-Identifier: MIT
// value_and_grad, grad, hvp and hessian against hand-derived formulas.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include <xtensor/xarray.hpp>

#include "derivative_check.hpp"

namespace {

using slope::Tensor;
using slope::Var;

// Extended Rosenbrock (Moré, Garbow, Hillstrom): Σ 100 (x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)².
Var rosenbrock(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
    const Var a = p[i], b = p[i + 1];
    s += 100.0 * square(b - a * a) + square(1.0 - a);
  }
  return s;
}

xt::xarray<double> rosenbrock_grad(const std::vector<double>& x) {
  xt::xarray<double> g = xt::zeros<double>({x.size()});
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const double a = x[i], b = x[i + 1];
    g(i) = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
    g(i + 1) = 200.0 * (b - a * a);
  }
  return g;
}

xt::xarray<double> rosenbrock_hessian(const std::vector<double>& x) {
  const std::size_t n = x.size();
  xt::xarray<double> h = xt::zeros<double>({n, n});
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    const double a = x[i], b = x[i + 1];
    h(i, i) = 1200.0 * a * a - 400.0 * b + 2.0;
    h(i, i + 1) = h(i + 1, i) = -400.0 * a;
    h(i + 1, i + 1) = 200.0;
  }
  return h;
}

std::vector<double> random_point(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  std::vector<double> x(n);
  for (double& xi : x) xi = u(rng);
  return x;
}

class RosenbrockTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RosenbrockTest, GradientAndHessianEqualTheHandDerivedFormulas) {
  const std::size_t n = GetParam();
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<double> x = random_point(n, seed);
    const auto [fx, g] = slope::value_and_grad(rosenbrock, x);
    const auto g_ref = rosenbrock_grad(x);
    const auto h = slope::hessian(rosenbrock, x);
    const auto h_ref = rosenbrock_hessian(x);
    double f_ref = 0;
    for (std::size_t i = 0; i < n; i += 2)
      f_ref += 100 * (x[i + 1] - x[i] * x[i]) * (x[i + 1] - x[i] * x[i]) + (1 - x[i]) * (1 - x[i]);
    EXPECT_NEAR(fx, f_ref, 1e-12 * f_ref);
    ASSERT_EQ(g.shape(), g_ref.shape());
    ASSERT_EQ(h.shape(), h_ref.shape());
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(g(i), g_ref(i), 1e-12 * (1 + std::fabs(g_ref(i))));
      for (std::size_t j = 0; j < n; ++j) {
        EXPECT_NEAR(h(i, j), h_ref(i, j), 1e-12 * (1 + std::fabs(h_ref(i, j))));
        EXPECT_NEAR(h(i, j), h(j, i), 1e-12 * (1 + std::fabs(h(i, j))));
      }
    }
    EXPECT_EQ(slope::grad(rosenbrock, x), g);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, RosenbrockTest, ::testing::Values(2, 10));

// The Hessian replays a pooled tape; the next, larger recording on that tape must not replay
// into the smaller one's buffers (values, schedule), whichever order the sizes come in.
TEST(Functional, HessiansOfGrowingAndShrinkingRecordingsOnOneThread) {
  for (std::size_t n : {4u, 600u, 10u, 1200u, 6u}) {
    const std::vector<double> x = random_point(n, n);
    const auto h = slope::hessian(rosenbrock, x);
    const auto h_ref = rosenbrock_hessian(x);
    ASSERT_EQ(h.shape(), h_ref.shape());
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i > 2 ? i - 2 : 0; j < std::min(n, i + 3); ++j)
        ASSERT_NEAR(h(i, j), h_ref(i, j), 1e-12 * (1 + std::fabs(h_ref(i, j)))) << n;
    EXPECT_EQ(slope::hvp(rosenbrock, x, x), slope::hvp(rosenbrock, x, x)) << n;
  }
}

TEST(Hvp, EqualsTheHessianTimesVAndReturnsTheGradientSweepToo) {
  const std::vector<double> x = random_point(10, 7);
  std::mt19937_64 rng(8);
  const std::vector<double> v = slope::testing::random_direction(10, rng);
  const auto hv = slope::hvp(rosenbrock, x, v);
  const auto h = rosenbrock_hessian(x);
  for (std::size_t i = 0; i < 10; ++i) {
    double ref = 0;
    for (std::size_t j = 0; j < 10; ++j) ref += h(i, j) * v[j];
    EXPECT_NEAR(hv(i), ref, 1e-11 * (1 + std::fabs(ref)));
  }
}

TEST(Functional, AcceptsXarrayAndVectorAlike) {
  const xt::xarray<double> xa = {0.5, -1.5, 2.0, 0.25};
  const std::vector<double> xv(xa.begin(), xa.end());
  EXPECT_EQ(slope::grad(rosenbrock, xa), slope::grad(rosenbrock, xv));
  EXPECT_EQ(slope::hvp(rosenbrock, xa, xa), slope::hvp(rosenbrock, xv, xv));
  EXPECT_EQ(slope::hessian(rosenbrock, xa), slope::hessian(rosenbrock, xv));
}

TEST(Functional, AConstantResultHasAZeroGradient) {
  const auto [fx, g] =
      slope::value_and_grad([](const Tensor&) { return Var(3.5); }, std::vector<double>{1, 2});
  EXPECT_EQ(fx, 3.5);
  EXPECT_EQ(g, (xt::xarray<double>{0, 0}));
  EXPECT_EQ(slope::hessian([](const Tensor&) { return Var(1.0); }, std::vector<double>{1}),
            xt::xarray<double>(xt::zeros<double>({1, 1})));
}

TEST(Functional, MixedScalarCodeMatchesFiniteDifferences) {
  // A loss a user might write: control flow, constants on both sides, every kind of op.
  auto f = [](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      Var t = p[i];
      t *= 1.5;
      t -= 0.25;
      s += (i % 2 ? exp(-t) : log1p(t * t)) / (2.0 + cos(p[i]));
      if (s > 1.0) s = sqrt(s);
    }
    return s * s + 3.0 / (1.0 + square(p[0])) - atan2(p[1], 2.0) + pow(2.0, p[2]) +
           hypot(p[0], p[1]);
  };
  std::mt19937_64 rng(5);
  slope::testing::expect_derivatives(f, {0.3, -0.8, 1.1, 0.05}, rng);
  slope::testing::expect_derivatives(f, {-1.3, 0.4, -0.6, 2.0}, rng);
}

TEST(Functional, NestedCallsUseTheirOwnTape) {
  // An inner derivative inside an outer recording: independent tapes, no interference.
  auto outer = [](const Tensor& p) {
    const double inner = slope::grad([](const Tensor& q) { return q[0] * q[0] * q[0]; },
                                     std::vector<double>{2.0})(0);
    return inner * p[0];
  };
  EXPECT_EQ(slope::grad(outer, std::vector<double>{1.0})(0), 12.0);
}

}  // namespace
