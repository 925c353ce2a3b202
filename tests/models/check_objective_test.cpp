// SPDX-License-Identifier: MIT
// The derivative checks of an optimizer objective find the wrong coordinate and say so.

#include <gtest/gtest.h>

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
