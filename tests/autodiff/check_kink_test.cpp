// SPDX-License-Identifier: MIT
// Kinks: where a residual is exactly zero the one-sided derivatives differ, the report says
// "not smooth here", and AD is checked against the side (or the tie convention) it takes.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

// Three rows; at p = (0.5, 0.25) the residuals X p − y are (0, 1.25, 0.75): row 0 sits on its
// kink, and the others are far from theirs.
const xt::xarray<double> kX{{1.0, 2.0}, {3.0, -1.0}, {0.5, 4.0}};
const xt::xarray<double> kY{1.0, 0.0, 0.5};
const std::vector<double> kAt{0.5, 0.25};
constexpr double tau = 0.3;  // the pinball loss's quantile

Var mae(const Tensor& p) { return slope::mean(slope::abs(slope::matmul(kX, p) - kY)); }

// Xᵀ sign(r) / N, with sign(0) given: 0 is Slope's abs'(0), 1 takes the right-hand side.
xt::xarray<double> mae_gradient(const xt::xarray<double>& p, double sign_at_zero) {
  xt::xarray<double> g{0.0, 0.0};
  for (std::size_t i = 0; i < 3; ++i) {
    const double r = kX(i, 0) * p(0) + kX(i, 1) * p(1) - kY(i);
    const double s = r > 0 ? 1.0 : r < 0 ? -1.0 : sign_at_zero;
    g(0) += s * kX(i, 0) / 3;
    g(1) += s * kX(i, 1) / 3;
  }
  return g;
}

std::string text(const slope::CheckReport& r) {
  std::ostringstream out;
  out << r;
  return out.str();
}

TEST(CheckKink, MeanAbsoluteErrorOnAZeroResidual) {
  const auto rep = slope::check_gradient(
      mae, kAt, [](const xt::xarray<double>& p) { return mae_gradient(p, 0); });
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_FALSE(rep.smooth);
  ASSERT_EQ(rep.rows.size(), 2u);
  for (const auto& row : rep.rows) {
    EXPECT_FALSE(row.smooth);
    ASSERT_TRUE(row.left && row.right);
    // Away from row 0's kink the slopes are (3.5, 3)/3; crossing it adds ±(1, 2)/3.
    const double base = row.index == 0 ? 3.5 / 3 : 1.0;
    const double jump = row.index == 0 ? 1.0 / 3 : 2.0 / 3;
    EXPECT_NEAR(*row.left, base - jump, 1e-9);
    EXPECT_NEAR(*row.right, base + jump, 1e-9);
    EXPECT_NEAR(row.ad, base, 1e-12);  // abs'(0) = 0: the central value
    EXPECT_NEAR(row.fd, base, 1e-9);
  }
  const std::string t = text(rep);
  EXPECT_NE(t.find("coordinate 0: the function is not smooth here: one-sided derivatives left 0.83333"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("move the point"), std::string::npos) << t;
}

TEST(CheckKink, AWrongAnalyticGradientStillFailsAtTheKink) {
  // sign(0) = 1 is the right-hand derivative: a valid one-sided value, but not what AD gives.
  auto one_sided = [](const xt::xarray<double>& p) { return mae_gradient(p, 1); };
  const auto rep = slope::check_gradient(mae, kAt, one_sided);
  EXPECT_FALSE(rep.ok) << rep;
  EXPECT_FALSE(rep.smooth);
  EXPECT_EQ(rep.worst_index, 1u);  // off by 2/3 there, by 1/3 in coordinate 0
  EXPECT_NEAR(rep.max_abs_error, 2.0 / 3, 1e-9);
  // Forgetting the 1/N fails too.
  auto no_mean = [](const xt::xarray<double>& p) {
    return xt::xarray<double>(3 * mae_gradient(p, 0));
  };
  EXPECT_FALSE(slope::check_gradient(mae, kAt, no_mean).ok);
}

TEST(CheckKink, AdTakingOneSideOfTheKinkPasses) {
  // A pinball (quantile) loss through where(): at r = 0 the mask says r ≥ 0, so AD takes the
  // right-hand slope τ·x, not the central one.
  auto pinball = [](const Tensor& p) {
    const Tensor r = slope::matmul(kX, p) - kY;
    return slope::mean(slope::where(slope::value(r) >= 0.0, tau * r, (tau - 1) * r));
  };
  const auto rep = slope::check_gradient(pinball, kAt);
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_FALSE(rep.smooth);
  for (const auto& row : rep.rows) {
    // Rows 1 and 2 have r > 0 (slope τ); row 0 adds τ·X(0, j) from the right, (τ − 1)·X(0, j)
    // from the left.
    const double rest = tau * (kX(1, row.index) + kX(2, row.index));
    EXPECT_NEAR(row.ad, (rest + tau * kX(0, row.index)) / 3, 1e-12);
    EXPECT_NEAR(*row.right, row.ad, 1e-9);
    EXPECT_NEAR(*row.left, (rest + (tau - 1) * kX(0, row.index)) / 3, 1e-9);
  }
  // A rule that took neither side would fail: here AD ignores row 0 altogether.
  auto neither = [](const Tensor& p) {
    const Tensor r = slope::matmul(kX, p) - kY;
    return slope::mean(slope::where(slope::value(r) > 0.0, tau * r, 0.0 * r) +
                       slope::where(slope::value(r) < 0.0, (tau - 1) * r, 0.0 * r));
  };
  EXPECT_FALSE(slope::check_gradient(neither, kAt).ok);
}

TEST(CheckKink, AKinkInsideTheStencilIsSeenAndASmallerStepAvoidsIt) {
  // |p − 0.001| at p = 0: the kink is 0.001 away, inside the default stencil (h ≈ 2.8e-3).
  auto f = [](const Tensor& p) { return slope::abs(p[0] - 0.001); };
  const std::vector<double> x{0.0};
  const auto near = slope::check_gradient(f, x);
  EXPECT_FALSE(near.smooth) << near;
  EXPECT_TRUE(near.ok) << near;  // AD = −1 is the left-hand derivative
  EXPECT_NEAR(*near.rows[0].left, -1.0, 1e-9);
  const auto small = slope::check_gradient(f, x, {.step = 1e-4});
  EXPECT_TRUE(small.smooth) << small;
  EXPECT_TRUE(small.ok) << small;
  EXPECT_NEAR(small.rows[0].fd, -1.0, 1e-9);
}

TEST(CheckKink, SmoothFunctionsNeverHaveOne) {
  auto sine = [](const Tensor& p) { return sin(p[0]); };
  auto expo = [](const Tensor& p) { return exp(p[0]); };
  auto square = [](const Tensor& p) { return p[0] * p[0]; };
  auto mixed = [](const Tensor& p) { return cos(p[0]) * p[0] * p[0] + exp(1e-7 * p[0]); };
  const std::vector<double> points{
      -1e8, -1e6, -1234.5, -30.0, -3.0, -0.7, 0.0, 1e-8, 0.5, std::numbers::pi / 2,
      2.0,  10.0, 30.0,    700.0, 1e6,  1e8};
  for (double at : points) {
    const std::vector<double> x{at};
    for (const auto& rep : {slope::check_gradient(sine, x), slope::check_gradient(square, x),
                            slope::check_gradient(mixed, x)}) {
      EXPECT_TRUE(rep.smooth) << "at " << at << "\n" << rep;
      EXPECT_TRUE(rep.ok) << "at " << at << "\n" << rep;
    }
    if (at <= 700) {  // exp overflows beyond
      const auto rep = slope::check_gradient(expo, x);
      EXPECT_TRUE(rep.smooth) << "at " << at << "\n" << rep;
      EXPECT_TRUE(rep.ok) << "at " << at << "\n" << rep;
    }
  }
}

}  // namespace
