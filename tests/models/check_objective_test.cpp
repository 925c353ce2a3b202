// SPDX-License-Identifier: MIT
// The derivative checks of an optimizer objective find the wrong coordinate and say so.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include <slope/autodiff.hpp>
#include <slope/models.hpp>
#include <slope/optim.hpp>

namespace {

using slope::Tensor;
using slope::Var;

// An objective with hand-written derivatives: f = x0²·x1 + 3·x1; the gradient can be made
// wrong in coordinate 1 and the HVP wrong in coordinate 0.
slope::optim::FunctionObjective hand_objective(bool wrong_grad, bool wrong_hvp) {
  return slope::optim::FunctionObjective(
      2,
      [wrong_grad](slope::optim::Span x, slope::optim::MutSpan g) {
        g[0] = 2 * x[0] * x[1];
        g[1] = x[0] * x[0] + (wrong_grad ? 0.0 : 3.0);
        return x[0] * x[0] * x[1] + 3 * x[1];
      },
      [wrong_hvp](slope::optim::Span x, slope::optim::Span v, slope::optim::MutSpan hv) {
        hv[0] = (wrong_hvp ? 1.0 : 2.0) * x[1] * v[0] + 2 * x[0] * v[1];
        hv[1] = 2 * x[0] * v[0];
      });
}

}  // namespace

TEST(CheckObjective, PassesAndNamesTheWrongCoordinate) {
  const std::vector<double> x{1.5, -0.7}, v{0.3, 1.1};
  auto good = hand_objective(false, false);
  EXPECT_TRUE(slope::check_gradient(good, x).ok);
  EXPECT_TRUE(slope::check_hvp(good, x, v).ok);

  auto bad_grad = hand_objective(true, false);
  const auto g = slope::check_gradient(bad_grad, x);
  EXPECT_FALSE(g.ok);
  EXPECT_EQ(g.worst_index, 1u);
  EXPECT_NEAR(g.rows.front().fd, 1.5 * 1.5 + 3.0, 1e-8);

  auto bad_hvp = hand_objective(false, true);
  const auto h = slope::check_hvp(bad_hvp, x, v);
  EXPECT_FALSE(h.ok);
  EXPECT_EQ(h.worst_index, 0u);
  EXPECT_NEAR(h.rows.front().fd, 2 * -0.7 * 0.3 + 2 * 1.5 * 1.1, 1e-7);
}

TEST(CheckObjective, ChecksARecordedObjective) {
  const xt::xarray<double> X{{1.0, 2.0}, {0.5, -1.0}, {3.0, 0.25}};
  const xt::xarray<double> y{1.0, 0.0, 2.0};
  auto obj = slope::as_objective(
      [](const Tensor& p, const Tensor& A, const Tensor& t) {
        return slope::mean(slope::square(slope::tanh(slope::matmul(A, p)) - t));
      },
      std::vector<double>{0.1, 0.2}, slope::Placeholder("X", X), slope::Placeholder("y", y));
  const std::vector<double> at{0.3, -0.4}, v{1.0, 0.5};
  EXPECT_TRUE(slope::check_gradient(obj, at).ok);
  EXPECT_TRUE(slope::check_hvp(obj, at, v).ok);
}

TEST(CheckObjective, RejectsWrongLengthsAndMissingHvp) {
  auto no_hvp =
      slope::optim::FunctionObjective(1, [](slope::optim::Span x, slope::optim::MutSpan g) {
        g[0] = 2 * x[0];
        return x[0] * x[0];
      });
  const std::vector<double> one{1.0}, two{1.0, 2.0};
  EXPECT_THROW(slope::check_gradient(no_hvp, two), slope::Error);
  EXPECT_THROW(slope::check_hvp(no_hvp, one, one), slope::Error);
  auto obj = hand_objective(false, false);
  EXPECT_THROW(slope::check_hvp(obj, two, one), slope::Error);
}

namespace {

// The seven cars' MSE gradient by hand, in the LinearRegression(1) order p = (w, b).
std::vector<double> cars_gradient(const std::vector<double>& p) {
  const auto cars = slope::models::cars7();
  const std::size_t n = cars.size();
  std::vector<double> g{0.0, 0.0};
  for (std::size_t i = 0; i < n; ++i) {
    const double r = p[0] * cars.X(i, 0) + p[1] - cars.y(i);
    g[0] += 2 * cars.X(i, 0) * r / static_cast<double>(n);
    g[1] += 2 * r / static_cast<double>(n);
  }
  return g;
}

}  // namespace

TEST(CheckObjective, ComparesTheUsersAnalyticGradient) {
  auto obj = slope::models::objective(slope::models::LinearRegression(1), slope::models::mse(),
                                      slope::models::cars7());
  const std::vector<double> x{1.2, 0.34};
  const auto good = slope::check_gradient(obj, x, cars_gradient);
  EXPECT_TRUE(good.ok) << good;
  ASSERT_TRUE(good.rows[0].analytic.has_value());
  // At (1.2, 0.34): ∂/∂w = (2/7) Σ x(wx + b − y) = −85.228914285714...
  const auto& w_row = good.rows[0].index == 0 ? good.rows[0] : good.rows[1];
  EXPECT_NEAR(*w_row.analytic, -85.22891428571428, 1e-12);
  EXPECT_NEAR(w_row.ad, -85.22891428571428, 1e-12);
  EXPECT_NEAR(w_row.fd, -85.22891428571428, 1e-8);

  auto forgot_the_two_in_b = [](const std::vector<double>& p) {
    auto g = cars_gradient(p);
    g[1] /= 2;
    return g;
  };
  const auto bad = slope::check_gradient(obj, x, forgot_the_two_in_b);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.worst_index, 1u);
  EXPECT_NEAR(bad.rows.front().rel_error, 0.5, 1e-9);
}

TEST(CheckObjective, NeverPassesOnNanOrMeaninglessDifferences) {
  // At w = 1e200 the loss overflows (every finite difference NaN) and a step along v moves
  // nothing (the HVP's difference is 0 ± 1e189 against AD 26.701).
  auto obj = slope::models::objective(slope::models::LinearRegression(1), slope::models::mse(),
                                      slope::models::cars7());
  const std::vector<double> x{1e200, 0.0}, v{1.0, 0.0};
  const auto g = slope::check_gradient(obj, x);
  EXPECT_FALSE(g.ok);
  EXPECT_TRUE(std::isnan(g.max_abs_error)) << g;
  EXPECT_TRUE(std::isnan(g.max_rel_error)) << g;
  const auto h = slope::check_hvp(obj, x, v);
  EXPECT_FALSE(h.ok) << h;
  EXPECT_TRUE(h.fd_unreliable);
  const auto& w_row = h.rows[0].index == 0 ? h.rows[0] : h.rows[1];
  EXPECT_NEAR(w_row.ad, 26.701, 1e-9);
  EXPECT_EQ(w_row.fd, 0.0);
  std::ostringstream out;
  out << h;
  EXPECT_NE(out.str().find("finite differences are meaningless here"), std::string::npos)
      << out.str();
}
