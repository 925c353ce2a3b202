// SPDX-License-Identifier: MIT
// A zero adjoint contributes zero, even through an infinite partial: a node recorded but never
// used (sqrt(0) computed and dropped), a branch `where` did not take, or a use scaled by an exact
// 0 must not turn ∞·0 into a NaN gradient at its operands. Live infinite partials still reach
// the gradient. Each case through every sweep: fresh gradient, HVP, Hessian, a recorded Function
// replayed, and AutoFunction; and the rules whose dual tangents overflowed into NaN (atan, erf).

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

using Fn = std::function<Var(const Tensor&)>;

// Gradient and H·v of f at x by every entry point, each equal to the expected values exactly
// (the expected numbers are small integers and exact zeros).
void expect_everywhere(const Fn& f, const std::vector<double>& x, const std::vector<double>& v,
                       const std::vector<double>& g, const std::vector<double>& hv) {
  auto same = [](const auto& got, const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(got(i), want[i]) << what << " [" << i << "]";
  };
  same(slope::grad(f, x), g, "grad");
  same(slope::hvp(f, x, v), hv, "hvp");
  const xt::xarray<double> h = slope::hessian(f, x);
  xt::xarray<double> hv_from_h = xt::zeros<double>({x.size()});
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j) hv_from_h(i) += h(i, j) * v[j];
  same(hv_from_h, hv, "hessian · v");
  // Recorded away from the singular point, replayed at it.
  std::vector<double> x1 = x;
  for (double& xi : x1) xi += 1.0;
  slope::Function F = slope::record(f, x1);
  same(F.value_and_grad(x).grad, g, "replayed grad");
  same(F.hvp(x, v), hv, "replayed hvp");
  // The dual sweep leaves the nodes' adjoints set; the plan's gradient sweep reads its own.
  same(F.value_and_grad(x).grad, g, "replayed grad after an hvp");
  slope::AutoFunction A(f, x1);
  same(A.value_and_grad(x).grad, g, "AutoFunction grad");
  same(A.hvp(x, v), hv, "AutoFunction hvp");
}

TEST(ZeroAdjoint, AnUnusedNodeWithAnInfinitePartialLeavesTheGradientAlone) {
  // sqrt'(0) = ∞ on a node nothing reads: the gradient is that of 2·p0 + p1.
  expect_everywhere(
      [](const Tensor& p) {
        Var unused = sqrt(p[0]);
        return p[0] * 2.0 + p[1];
      },
      {0.0, 1.0}, {1.0, 1.0}, {2.0, 1.0}, {0.0, 0.0});
}

TEST(ZeroAdjoint, AUseScaledByAnExactZeroContributesNothing) {
  // d/dp0 (0·sqrt(p0) + p0·p1) at p0 = 0: the sqrt term's adjoint is exactly 0.
  expect_everywhere([](const Tensor& p) { return sqrt(p[0]) * 0.0 + p[0] * p[1]; }, {0.0, 3.0},
                    {1.0, 1.0}, {3.0, 0.0}, {1.0, 1.0});
}

TEST(ZeroAdjoint, LiveInfinitePartialsStillReachTheGradient) {
  const std::vector<double> x{0.0};
  EXPECT_EQ(slope::grad([](const Tensor& p) { return sqrt(p[0]); }, x)(0),
            std::numeric_limits<double>::infinity());
  EXPECT_TRUE(
      std::isnan(slope::grad([](const Tensor& p) { return sqrt(p[0]) - sqrt(p[0]); }, x)(0)));
}

TEST(ZeroAdjoint, ADeadNodeWhoseDualTangentOverflowsLeavesTheHvpFinite) {
  // cosh(500 p0²) ≈ 1e217: atan's second-order partial there is 0, its tangent overflowed.
  const Fn f = [](const Tensor& p) {
    Var unused = atan(cosh(square(p[0]) * 500.0));
    return p[0] * p[1];
  };
  const std::vector<double> x{1.0, 2.0}, v{1.0, -1.0};
  const xt::xarray<double> hv = slope::hvp(f, x, v);
  EXPECT_EQ(hv(0), -1.0);
  EXPECT_EQ(hv(1), 1.0);
}

TEST(ZeroAdjoint, WhereDropsTheBranchItDidNotTake) {
  // where(p > 0, sqrt(p), 0): at p = 0 the untaken sqrt has slope ∞ and adjoint 0.
  const Fn f = [](const Tensor& p) {
    const xt::xarray<bool> mask{false, true, true};
    return sum(where(mask, sqrt(p), 0.0));
  };
  const std::vector<double> x{0.0, 4.0, 1.0};
  const xt::xarray<double> g = slope::grad(f, x);
  EXPECT_EQ(g(0), 0.0);
  EXPECT_EQ(g(1), 0.25);
  EXPECT_EQ(g(2), 0.5);
  const xt::xarray<double> hv = slope::hvp(f, x, std::vector<double>{1.0, 1.0, 1.0});
  EXPECT_EQ(hv(0), 0.0);
  EXPECT_DOUBLE_EQ(hv(1), -1.0 / 32);
  EXPECT_DOUBLE_EQ(hv(2), -0.25);
  // An element read from an elementwise op: the others' adjoints are 0.
  const Fn pick = [](const Tensor& p) { return log(p)[1]; };
  const xt::xarray<double> gp = slope::grad(pick, x);
  EXPECT_EQ(gp(0), 0.0);
  EXPECT_EQ(gp(1), 0.25);
  EXPECT_EQ(gp(2), 0.0);
}

TEST(ZeroAdjoint, AtanAndErfSecondOrderFarOut) {
  for (double a : {1e200, -1e200, 1e100}) {
    const std::vector<double> x{a};
    for (const Fn& f : {Fn([](const Tensor& p) { return atan(p[0]); }),
                        Fn([](const Tensor& p) { return sum(atan(p)); })}) {
      // 1/a² and −2/a³ (0 beyond 1e154, where the NaN came from).
      EXPECT_DOUBLE_EQ(slope::grad(f, x)(0), 1 / a / a);
      EXPECT_DOUBLE_EQ(slope::hvp(f, x, std::vector<double>{1.0})(0), -2 / a / a / a);
    }
    for (const Fn& f : {Fn([](const Tensor& p) { return erf(p[0]); }),
                        Fn([](const Tensor& p) { return erfc(p[0]); })}) {
      EXPECT_EQ(slope::grad(f, x)(0), 0.0);
      EXPECT_EQ(slope::hvp(f, x, std::vector<double>{1.0})(0), 0.0);
    }
  }
  // Where the branch begins: atan'(a) = 1/(1 + a²), atan''(a) = −2a/(1 + a²)².
  for (double a : {1.5, -3.0, 1e3}) {
    const long double d1 = 1 / (1 + static_cast<long double>(a) * a), d2 = -2 * a * d1 * d1;
    const std::vector<double> x{a};
    const Fn f = [](const Tensor& p) { return atan(p[0]); };
    EXPECT_NEAR(slope::grad(f, x)(0), static_cast<double>(d1), 1e-15 * static_cast<double>(d1));
    EXPECT_NEAR(slope::hvp(f, x, std::vector<double>{1.0})(0), static_cast<double>(d2),
                1e-14 * std::fabs(static_cast<double>(d2)));
  }
}

}  // namespace
