// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <slope/optim/lbfgs.hpp>
#include <string>
#include <vector>

#include "problems.hpp"

namespace slope::optim {
namespace {

using test::Cars;
using test::error_of;
using test::max_abs_diff;
using test::mentions;
using test::Quadratic;
using test::Rosenbrock;

LBFGS::Options with_tolerance(double tolerance) {
  LBFGS::Options o;
  o.stop.gradient_tolerance = tolerance;
  return o;
}

TEST(LBFGS, QuadraticReachesTheSolution) {
  Quadratic q(50);
  const std::vector<double> x0(50, 0.0);
  const Result r = LBFGS().minimize(q, x0);
  std::printf("[ LBFGS    ] quadratic n=50: %zu iterations, %zu evaluations\n", r.iterations,
              r.evaluations.values);
  RecordProperty("quadratic_iterations", static_cast<int>(r.iterations));
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LE(r.gradient_norm, 1e-8);
  // λ_min(A) = 1, so ‖x − x*‖ ≤ ‖g‖.
  EXPECT_LT(max_abs_diff(r.x, q.solution()), 1e-8);
  // Memory 10 on a condition-10 quadratic: far fewer iterations than the dimension.
  EXPECT_LE(r.iterations, 40u);
}

TEST(LBFGS, RosenbrockWithin60Iterations) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  const Result r = LBFGS(with_tolerance(1e-8)).minimize(f, x0);
  std::printf("[ LBFGS    ] Rosenbrock from (-1.2, 1): %zu iterations, %zu values, %zu gradients\n",
              r.iterations, r.evaluations.values, r.evaluations.gradients);
  RecordProperty("rosenbrock_iterations", static_cast<int>(r.iterations));
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LE(r.iterations, 60u);
  EXPECT_LT(r.gradient_norm, 1e-8);
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
  EXPECT_LT(r.value, 1e-12);
}

TEST(LBFGS, EvaluationCountsAndHistoryArePlausible) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  const Result r = LBFGS(with_tolerance(1e-8)).minimize(f, x0);
  EXPECT_GE(r.evaluations.values, r.evaluations.gradients);
  // x0 plus at least one trial per iteration.
  EXPECT_GE(r.evaluations.gradients, r.iterations + 1);
  EXPECT_EQ(r.evaluations.hvps, 0u);
  ASSERT_EQ(r.history.size(), r.iterations + 1);
  EXPECT_EQ(r.history[0].step, 0.0);
  for (std::size_t k = 1; k < r.history.size(); ++k) {
    EXPECT_EQ(r.history[k].iteration, k);
    EXPECT_GT(r.history[k].step, 0.0);
    // Every accepted step satisfies sufficient decrease.
    EXPECT_LT(r.history[k].loss, r.history[k - 1].loss) << "iteration " << k;
  }
  EXPECT_EQ(r.history.back().x, r.x);
}

TEST(LBFGS, SeedReachesTheLeastSquaresLine) {
  Cars f;
  const std::vector<double> x0 = {0.0, 0.0};
  const Result r = LBFGS().minimize(f, x0);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], test::kOptimumW, 1e-4);
  EXPECT_NEAR(r.x[1], test::kOptimumB, 1e-4);
  EXPECT_NEAR(r.value, test::kOptimumMse, 1e-4);
}

TEST(LBFGS, MemoryOfOnePairStillConverges) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  LBFGS::Options o = with_tolerance(1e-8);
  o.memory = 1;
  const Result r = LBFGS(o).minimize(f, x0);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
}

TEST(LBFGS, NonFiniteTrialIsAStepTooLong) {
  // f = x − log x is undefined for x ≤ 0; the second step's quasi-Newton guess lands far past 0.
  std::size_t non_finite = 0;
  FunctionObjective f(1, [&](Span x, MutSpan g) {
    const double v = x[0] - std::log(x[0]);
    g[0] = 1.0 - 1.0 / x[0];
    if (!std::isfinite(v)) ++non_finite;
    return v;
  });
  const std::vector<double> x0 = {10.0};
  const Result r = LBFGS().minimize(f, x0);
  EXPECT_GT(non_finite, 0u);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  for (const Record& row : r.history) EXPECT_TRUE(std::isfinite(row.loss));
}

TEST(LBFGS, LineSearchFailureKeepsTheLastIterate) {
  // A gradient with the wrong sign: every step along −g increases f.
  FunctionObjective f(1, [](Span x, MutSpan g) {
    g[0] = -2.0 * x[0];
    return x[0] * x[0];
  });
  const std::vector<double> x0 = {1.0};
  LBFGS::Options o;
  o.max_line_search = 7;
  const Result r = LBFGS(o).minimize(f, x0);
  EXPECT_EQ(r.reason, StopReason::line_search_failed);
  EXPECT_EQ(r.iterations, 0u);
  EXPECT_EQ(r.x, x0);
  EXPECT_EQ(r.value, 1.0);
  EXPECT_EQ(r.evaluations.values, 1u + 7u);  // x0, then the whole line-search budget
}

TEST(LBFGS, CallbacksSeeEveryIterationAndCanStop) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  std::vector<std::size_t> seen;
  const Result r = LBFGS().minimize(f, x0, {[&](const State& s) {
                                      seen.push_back(s.iteration);
                                      return s.iteration == 3;
                                    }});
  EXPECT_EQ(r.reason, StopReason::callback);
  EXPECT_EQ(r.iterations, 3u);
  EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(LBFGS, DivergentStartIsReported) {
  FunctionObjective f(1, [](Span, MutSpan g) {
    g[0] = std::numeric_limits<double>::quiet_NaN();
    return 1.0;
  });
  const std::vector<double> x0 = {0.5};
  const Result r = LBFGS().minimize(f, x0);
  EXPECT_EQ(r.reason, StopReason::diverged);
  EXPECT_EQ(r.x, x0);
}

TEST(LBFGS, InvalidOptionsNameTheOption) {
  const auto message = [](LBFGS::Options o) { return error_of([&] { LBFGS l(o); }); };
  LBFGS::Options o;
  o.memory = 0;
  EXPECT_EQ(message(o), "slope::optim::LBFGS: memory must be >= 1, got 0");

  o = {};
  o.c1 = 0.0;
  EXPECT_TRUE(mentions(message(o), "c1 must be in (0, 1), got 0")) << message(o);
  o.c1 = -1e-4;
  EXPECT_TRUE(mentions(message(o), "c1 must be in (0, 1)")) << message(o);
  o.c1 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(mentions(message(o), "c1 must be in (0, 1)")) << message(o);

  o = {};
  o.c2 = 1.0;
  EXPECT_TRUE(mentions(message(o), "c2 must be in (0, 1), got 1")) << message(o);

  o = {};
  o.c1 = 0.9;
  o.c2 = 0.9;
  EXPECT_TRUE(mentions(message(o), "c1 must be < c2, got c1 = 0.9, c2 = 0.9")) << message(o);
  o.c1 = 0.5;
  o.c2 = 0.1;
  EXPECT_TRUE(mentions(message(o), "c1 must be < c2")) << message(o);

  o = {};
  o.max_line_search = 0;
  EXPECT_TRUE(mentions(message(o), "max_line_search must be >= 1, got 0")) << message(o);

  o = {};
  o.stop.gradient_tolerance = -1.0;
  EXPECT_EQ(message(o), "slope::optim::LBFGS: stop.gradient_tolerance must be >= 0, got -1");

  EXPECT_EQ(message(LBFGS::Options{}), "<no exception>");
}

TEST(LBFGS, BadStartIsAnError) {
  Rosenbrock f;
  LBFGS lbfgs;
  const std::vector<double> three = {1.0, 2.0, 3.0};
  const std::string wrong = error_of([&] { lbfgs.minimize(f, three); });
  EXPECT_TRUE(mentions(wrong, "slope::optim::LBFGS: x0 has length 3")) << wrong;
  const std::vector<double> nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  const std::string bad = error_of([&] { lbfgs.minimize(f, nan); });
  EXPECT_TRUE(mentions(bad, "slope::optim::LBFGS: x0[1]")) << bad;
}

TEST(LBFGS, RunsAreBitIdentical) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  const Result a = LBFGS().minimize(f, x0), b = LBFGS().minimize(f, x0);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.iterations, b.iterations);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (std::size_t k = 0; k < a.history.size(); ++k)
    EXPECT_EQ(a.history[k].loss, b.history[k].loss);

  Quadratic q(50);
  const std::vector<double> z(50, 0.0);
  EXPECT_EQ(LBFGS().minimize(q, z).x, LBFGS().minimize(q, z).x);
}

}  // namespace
}  // namespace slope::optim
