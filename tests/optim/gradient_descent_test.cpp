// SPDX-License-Identifier: MIT
// Gradient descent: the seed's iterates, its optimum, the textbook rate on a quadratic, divergence.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <slope/optim.hpp>

#include "problems.hpp"

namespace {

using namespace slope::optim;
using test::Cars;
using test::Quadratic;

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

TEST(GradientDescent, SeedIteratesFromZero) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 2;
  const Result r = GradientDescent({.learning_rate = 0.01, .stop = stop})
                       .minimize(cars, std::vector<double>{0, 0});
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_NEAR(r.history[0].loss, 303.714286, 1e-6);
  EXPECT_NEAR(r.history[1].x[0], 1.19717, 1e-3);
  EXPECT_NEAR(r.history[1].x[1], 0.34286, 1e-3);
  EXPECT_NEAR(r.history[1].loss, 170.84, 1e-2);
  EXPECT_NEAR(r.history[2].x[0], 2.05, 1e-3);
  EXPECT_NEAR(r.history[2].x[1], 0.593, 1e-3);
  EXPECT_NEAR(r.history[2].loss, 103.17, 1e-2);
  EXPECT_EQ(r.history[1].step, 0.01);
  EXPECT_EQ(r.iterations, 2u);
  EXPECT_EQ(r.reason, StopReason::max_iterations);
  EXPECT_EQ(r.x, r.history[2].x);
  EXPECT_EQ(r.evaluations.gradients, 3u);
}

TEST(GradientDescent, SeedConvergesToLeastSquares) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 100000;
  stop.gradient_tolerance = 1e-9;
  const Result r = GradientDescent({.learning_rate = 0.01, .stop = stop})
                       .minimize(cars, std::vector<double>{0, 0});
  EXPECT_NEAR(r.x[0], test::kOptimumW, 1e-4);
  EXPECT_NEAR(r.x[1], test::kOptimumB, 1e-4);
  EXPECT_NEAR(r.value, test::kOptimumMse, 1e-4);
  std::printf("gradient descent on the seed: %zu iterations, w = %.6f, b = %.6f, MSE = %.6f (%s)\n",
              r.iterations, r.x[0], r.x[1], r.value, to_string(r.reason).c_str());
}

TEST(GradientDescent, ContractsAtTheTextbookRateOnAQuadratic) {
  // Eigenvalues of A span [1, 10]: with η = 1/L the error shrinks by at most 1 − μ/L = 0.9 per
  // step, and asymptotically by exactly that (the direction of the smallest eigenvalue).
  Quadratic q(50, 10.0);
  const std::vector<double> xs = q.solution();
  std::vector<double> errors;
  Stop stop;
  stop.max_iterations = 150;
  stop.gradient_tolerance = 0;
  GradientDescent gd({.learning_rate = 0.1, .stop = stop});
  gd.minimize(q, std::vector<double>(50, 1.0), {[&](const State& s) {
                errors.push_back(distance({s.x.begin(), s.x.end()}, xs));
                return false;
              }});
  ASSERT_EQ(errors.size(), 151u);
  for (std::size_t k = 1; k < errors.size(); ++k)
    EXPECT_LE(errors[k], 0.9 * errors[k - 1] * (1 + 1e-9));
  EXPECT_NEAR(errors[150] / errors[149], 0.9, 1e-3);
}

TEST(GradientDescent, DivergenceStopsWithTheLastFiniteIterate) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 100000;
  const Result r = GradientDescent({.learning_rate = 10.0, .stop = stop})
                       .minimize(cars, std::vector<double>{0, 0});
  EXPECT_EQ(r.reason, StopReason::diverged);
  EXPECT_EQ(to_string(r.reason), "diverged");
  ASSERT_EQ(r.x.size(), 2u);
  EXPECT_TRUE(std::isfinite(r.x[0]) && std::isfinite(r.x[1]));
  EXPECT_TRUE(std::isfinite(r.value));
  EXPECT_LT(r.iterations, 1000u);
  EXPECT_EQ(r.x, r.history.back().x);
}

TEST(GradientDescent, StopsWhenTheLossStopsChanging) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 1000000;
  stop.gradient_tolerance = 0;
  stop.loss_tolerance = 1e-10;
  stop.loss_window = 10;
  const Result r = GradientDescent({.learning_rate = 0.01, .stop = stop})
                       .minimize(cars, std::vector<double>{0, 0});
  EXPECT_EQ(r.reason, StopReason::loss_stalled);
  const auto& h = r.history;
  ASSERT_GT(h.size(), 11u);
  const double before = h[h.size() - 11].loss, now = h.back().loss;
  EXPECT_LE(std::abs(before - now), 1e-10 * before);
  // One iteration earlier the rule had not fired.
  const double before1 = h[h.size() - 12].loss, now1 = h[h.size() - 2].loss;
  EXPECT_GT(std::abs(before1 - now1), 1e-10 * before1);
}

TEST(GradientDescent, ScheduleSetsEachStep) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 5;
  const Result r =
      GradientDescent({.learning_rate = Schedule::exponential(0.01, 0.5), .stop = stop})
          .minimize(cars, std::vector<double>{0, 0});
  for (std::size_t k = 1; k <= 5; ++k)
    EXPECT_DOUBLE_EQ(r.history[k].step, 0.01 * std::pow(0.5, k - 1));
}

}  // namespace
