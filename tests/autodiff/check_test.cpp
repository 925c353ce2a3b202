// SPDX-License-Identifier: MIT
// The derivative checks find the wrong coordinate and say so.

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

Var f(const Tensor& p) { return exp(p[0]) * sin(p[1]) + p[2] * p[2] * p[0]; }

xt::xarray<double> right(const xt::xarray<double>& x) {
  return {std::exp(x(0)) * std::sin(x(1)) + x(2) * x(2), std::exp(x(0)) * std::cos(x(1)),
          2 * x(2) * x(0)};
}

xt::xarray<double> wrong_in_2(const xt::xarray<double>& x) {
  auto g = right(x);
  g(2) = x(2) * x(0);  // forgot the factor 2
  return g;
}

const std::vector<double> kX{0.4, -1.1, 2.5};

TEST(CheckGradient, PassesOnACorrectGradient) {
  const auto rep = slope::check_gradient(f, kX);
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_EQ(rep.rows.size(), 3u);
  EXPECT_LT(rep.max_rel_error, 1e-9);
  EXPECT_EQ(rep.what, "gradient");
  const auto with_analytic = slope::check_gradient(f, kX, right);
  EXPECT_TRUE(with_analytic.ok) << with_analytic;
  ASSERT_TRUE(with_analytic.rows[0].analytic.has_value());
}

TEST(CheckGradient, NamesTheWrongCoordinateOfAnAnalyticGradient) {
  const auto rep = slope::check_gradient(f, kX, wrong_in_2);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.worst_index, 2u);
  EXPECT_EQ(rep.rows.front().index, 2u);  // worst row first
  EXPECT_FALSE(rep.rows.front().ok);
  EXPECT_TRUE(rep.rows[1].ok && rep.rows[2].ok);
  EXPECT_NEAR(rep.max_abs_error, 2.5 * 0.4, 1e-9);
  EXPECT_NEAR(rep.rows.front().rel_error, 0.5, 1e-9);
  std::ostringstream out;
  out << rep;
  const std::string table = out.str();
  EXPECT_NE(table.find("FAILED"), std::string::npos) << table;
  EXPECT_NE(table.find("analytic"), std::string::npos) << table;
  EXPECT_NE(table.find("NO"), std::string::npos) << table;
}

TEST(CheckGradient, CatchesAWrongAdRuleThroughFiniteDifferences) {
  // A "loss" whose recorded gradient is deliberately wrong: its value uses floor-like steps
  // the tape cannot see, so AD and finite differences disagree in coordinate 1.
  auto g = [](const Tensor& p) { return p[0] + Var(3.0 * slope::value(p[1])); };
  const auto rep = slope::check_gradient(g, std::vector<double>{1.0, 2.0});
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.worst_index, 1u);
  EXPECT_NEAR(rep.rows.front().fd, 3.0, 1e-8);
  EXPECT_EQ(rep.rows.front().ad, 0.0);
}

TEST(CheckGradient, AcceptsAnAnalyticGradientOverStdVector) {
  auto as_vector = [](const std::vector<double>& x) {
    const auto g = right(xt::xarray<double>(xt::adapt(x)));
    return std::vector<double>(g.begin(), g.end());
  };
  const auto rep = slope::check_gradient(f, kX, as_vector);
  EXPECT_TRUE(rep.ok) << rep;
  ASSERT_TRUE(rep.rows.front().analytic.has_value());
}

TEST(CheckGradient, TolerancesCanBeSet) {
  const auto loose = slope::check_gradient(f, kX, wrong_in_2, slope::CheckOptions{0.6, 0.0});
  EXPECT_TRUE(loose.ok) << loose;
  const auto strict = slope::check_gradient(f, kX, slope::CheckOptions{0.0, 0.0});
  EXPECT_EQ(strict.options.rtol, 0.0);
}

TEST(CheckHvp, PassesOnSmoothFunctionsAndReportsPerCoordinate) {
  const auto rep = slope::check_hvp(f, kX, std::vector<double>{0.3, 1.0, -0.5});
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_EQ(rep.what, "hvp");
  EXPECT_EQ(rep.rows.size(), 3u);
  EXPECT_LT(rep.max_rel_error, 1e-7) << rep;
}

TEST(CheckHvp, CatchesAGradientThatIsNotDifferentiatedConsistently) {
  // The HVP of p0 * value(p1)-as-constant ignores the p1 dependence the gradient has in FD.
  auto g = [](const Tensor& p) { return p[0] * Var(slope::value(p[1])) * p[1]; };
  const auto rep =
      slope::check_hvp(g, std::vector<double>{1.0, 2.0}, std::vector<double>{0.0, 1.0});
  EXPECT_FALSE(rep.ok) << rep;
}

}  // namespace

