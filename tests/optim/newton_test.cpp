// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <slope/optim/newton.hpp>
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

/// f = x⁴/4 − x²/2 + y²: a saddle at the origin, minima −1/4 at (±1, 0); the Hessian
/// diag(3x² − 1, 2) is indefinite for |x| < 1/√3.
struct DoubleWell : Objective {
  std::size_t dimension() const override { return 2; }
  double value_and_grad(Span p, MutSpan g, Batch) override {
    const double x = p[0], y = p[1];
    g[0] = x * x * x - x;
    g[1] = 2.0 * y;
    return 0.25 * x * x * x * x - 0.5 * x * x + y * y;
  }
  void hvp(Span p, Span v, MutSpan hv, Batch) override {
    hv[0] = (3.0 * p[0] * p[0] - 1.0) * v[0];
    hv[1] = 2.0 * v[1];
  }
  bool has_hvp() const override { return true; }
};

/// f = x − log x (minimum 1 at x = 1): NaN for x < 0 and +∞ at 0. Counts non-finite values.
struct LogBarrier : Objective {
  std::size_t non_finite = 0;
  std::size_t dimension() const override { return 1; }
  double value_and_grad(Span x, MutSpan g, Batch) override {
    const double v = x[0] - std::log(x[0]);
    g[0] = 1.0 - 1.0 / x[0];
    if (!std::isfinite(v)) ++non_finite;
    return v;
  }
  void hvp(Span x, Span v, MutSpan hv, Batch) override { hv[0] = v[0] / (x[0] * x[0]); }
  bool has_hvp() const override { return true; }
};

Stop tolerance(double gradient_tolerance) {
  Stop s;
  s.gradient_tolerance = gradient_tolerance;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Newton

TEST(Newton, QuadraticInOneStep) {
  Quadratic q(50);
  const std::vector<double> x0(50, 0.0);
  const Result r = Newton().minimize(q, x0);
  const std::vector<double> x_star = q.solution();
  std::printf("[ Newton   ] quadratic n=50: %zu iteration(s), max |x - x*| = %.3g\n", r.iterations,
              max_abs_diff(r.x, x_star));
  EXPECT_EQ(r.iterations, 1u);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LT(max_abs_diff(r.x, x_star), 1e-12);
  EXPECT_EQ(r.history[1].step, 1.0);
  EXPECT_EQ(r.evaluations.hvps, 50u);  // one dense Hessian from 50 HVPs
  EXPECT_EQ(r.evaluations.values, 2u);
}

TEST(Newton, SeedInOneStep) {
  Cars f;
  const std::vector<double> x0 = {0.0, 0.0};
  const Result r = Newton().minimize(f, x0);
  ASSERT_GE(r.history.size(), 2u);
  const Record& one = r.history[1];
  ASSERT_EQ(one.x.size(), 2u);
  EXPECT_NEAR(one.x[0], test::kOptimumW, 1e-4);
  EXPECT_NEAR(one.x[1], test::kOptimumB, 1e-4);
  EXPECT_NEAR(one.loss, test::kOptimumMse, 1e-4);
  EXPECT_EQ(one.step, 1.0);
  EXPECT_EQ(r.iterations, 1u);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], test::kOptimumW, 1e-4);
  EXPECT_NEAR(r.x[1], test::kOptimumB, 1e-4);
  EXPECT_NEAR(r.value, test::kOptimumMse, 1e-4);
}

TEST(Newton, RosenbrockWithin30Iterations) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  Newton::Options o;
  o.stop = tolerance(1e-8);
  const Result r = Newton(o).minimize(f, x0);
  std::printf("[ Newton   ] Rosenbrock from (-1.2, 1): %zu iterations, %zu values, %zu hvps\n",
              r.iterations, r.evaluations.values, r.evaluations.hvps);
  RecordProperty("rosenbrock_iterations", static_cast<int>(r.iterations));
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LE(r.iterations, 30u);
  EXPECT_LT(r.gradient_norm, 1e-8);
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
  // One Hessian (n = 2 HVPs) per iteration, at least one trial per iteration.
  EXPECT_EQ(r.evaluations.hvps, 2 * r.iterations);
  EXPECT_GE(r.evaluations.values, r.iterations + 1);
  EXPECT_EQ(r.evaluations.values, r.evaluations.gradients);
  for (std::size_t k = 1; k < r.history.size(); ++k)
    EXPECT_LT(r.history[k].loss, r.history[k - 1].loss) << "iteration " << k;
}

TEST(Newton, IndefiniteHessianIsDamped) {
  DoubleWell f;
  const std::vector<double> x0 = {0.1, 1.0};
  ASSERT_LT(3.0 * x0[0] * x0[0] - 1.0, 0.0);  // H(x0) is indefinite
  const Result r = Newton().minimize(f, x0);
  ASSERT_GE(r.history.size(), 2u);
  // The undamped Newton step heads for the saddle (x → −0.002); the damped one must descend,
  // which along x means away from 0.
  EXPECT_LT(r.history[1].loss, r.history[0].loss);
  EXPECT_GT(r.history[1].x[0], x0[0]);
  for (std::size_t k = 1; k < r.history.size(); ++k)
    EXPECT_LT(r.history[k].loss, r.history[k - 1].loss) << "iteration " << k;
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
  EXPECT_NEAR(r.x[1], 0.0, 1e-8);
  EXPECT_NEAR(r.value, -0.25, 1e-12);
}

TEST(Newton, NonFiniteTrialIsAStepTooLong) {
  // From x = 3 the Newton step is −6: α = 1 lands at −3 (NaN), α = 1/2 at 0 (+∞), α = 1/4 at 1.5.
  LogBarrier f;
  const std::vector<double> x0 = {3.0};
  const Result r = Newton().minimize(f, x0);
  EXPECT_EQ(f.non_finite, 2u);
  ASSERT_GE(r.history.size(), 2u);
  EXPECT_EQ(r.history[1].step, 0.25);
  EXPECT_DOUBLE_EQ(r.history[1].x[0], 1.5);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
}

TEST(Newton, LineSearchFailureKeepsTheLastIterate) {
  // A gradient with the wrong sign: the "descent" direction climbs.
  FunctionObjective f(
      1,
      [](Span x, MutSpan g) {
        g[0] = -2.0 * x[0];
        return x[0] * x[0];
      },
      [](Span, Span v, MutSpan hv) { hv[0] = 2.0 * v[0]; });
  Newton::Options o;
  o.max_backtracks = 5;
  const std::vector<double> x0 = {1.0};
  const Result r = Newton(o).minimize(f, x0);
  EXPECT_EQ(r.reason, StopReason::line_search_failed);
  EXPECT_EQ(r.iterations, 0u);
  EXPECT_EQ(r.x, x0);
  EXPECT_EQ(r.evaluations.values, 1u + 6u);  // x0, then α = 1, 1/2, …, 1/32
}

TEST(Newton, ObjectiveWithoutHvpIsAClearError) {
  FunctionObjective f(1, [](Span x, MutSpan g) {
    g[0] = 2.0 * x[0];
    return x[0] * x[0];
  });
  const std::vector<double> x0 = {1.0};
  const std::string m = error_of([&] { Newton().minimize(f, x0); });
  EXPECT_TRUE(mentions(m, "slope::optim::Newton: the objective provides no Hessian-vector product"))
      << m;
}

TEST(Newton, OverriddenHessianNeedsNoHvp) {
  // has_hvp() is false, but the dense Hessian is provided directly.
  struct Bowl : Objective {
    std::size_t dimension() const override { return 2; }
    double value_and_grad(Span x, MutSpan g, Batch) override {
      g[0] = 2.0 * (x[0] - 1.0);
      g[1] = 8.0 * (x[1] + 2.0);
      return (x[0] - 1.0) * (x[0] - 1.0) + 4.0 * (x[1] + 2.0) * (x[1] + 2.0);
    }
    void hessian(Span, MutSpan h, Batch) override {
      h[0] = 2.0;
      h[1] = h[2] = 0.0;
      h[3] = 8.0;
    }
  } f;
  const std::vector<double> x0 = {5.0, 5.0};
  const Result r = Newton().minimize(f, x0);
  EXPECT_EQ(r.iterations, 1u);
  EXPECT_EQ(r.evaluations.hvps, 2u);  // the overridden Hessian still counts as n HVPs
  EXPECT_NEAR(r.x[0], 1.0, 1e-14);
  EXPECT_NEAR(r.x[1], -2.0, 1e-14);
}

TEST(Newton, InvalidOptionsNameTheOption) {
  const auto message = [](Newton::Options o) { return error_of([&] { Newton n(o); }); };
  Newton::Options o;
  o.damping = 0.0;
  EXPECT_TRUE(mentions(message(o), "slope::optim::Newton: damping must be > 0")) << message(o);
  o.damping = -1.0;
  EXPECT_TRUE(mentions(message(o), "damping must be > 0 and finite, got -1")) << message(o);
  o.damping = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(mentions(message(o), "damping")) << message(o);

  o = {};
  o.c1 = 1.5;
  EXPECT_EQ(message(o), "slope::optim::Newton: c1 must be in (0, 1), got 1.5");
  o.c1 = 0.0;
  EXPECT_TRUE(mentions(message(o), "c1 must be in (0, 1), got 0")) << message(o);

  o = {};
  o.backtrack = 1.0;
  EXPECT_TRUE(mentions(message(o), "backtrack must be in (0, 1), got 1")) << message(o);
  o.backtrack = 0.0;
  EXPECT_TRUE(mentions(message(o), "backtrack must be in (0, 1), got 0")) << message(o);

  o = {};
  o.stop.gradient_tolerance = -1e-3;
  EXPECT_TRUE(mentions(message(o), "Newton: stop.gradient_tolerance must be >= 0")) << message(o);

  EXPECT_EQ(message(Newton::Options{}), "<no exception>");
}

TEST(Newton, BadStartIsAnError) {
  Rosenbrock f;
  const std::vector<double> one = {1.0};
  const std::string m = error_of([&] { Newton().minimize(f, one); });
  EXPECT_TRUE(mentions(m, "slope::optim::Newton: x0 has length 1")) << m;
}

TEST(Newton, RunsAreBitIdentical) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  const Result a = Newton().minimize(f, x0), b = Newton().minimize(f, x0);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.iterations, b.iterations);
  DoubleWell w;
  const std::vector<double> w0 = {0.1, 1.0};
  EXPECT_EQ(Newton().minimize(w, w0).x, Newton().minimize(w, w0).x);
}

// ---------------------------------------------------------------------------------------------
// NewtonCG

TEST(NewtonCG, QuadraticWithinDimensionCgIterations) {
  Quadratic q(50);
  const std::vector<double> x0(50, 0.0);
  NewtonCG::Options o;
  o.cg_tolerance = 1e-12;
  const Result r = NewtonCG(o).minimize(q, x0);
  std::printf(
      "[ NewtonCG ] quadratic n=50, cg_tolerance 1e-12: %zu iteration(s), %zu CG iterations\n",
      r.iterations, r.evaluations.hvps);
  RecordProperty("quadratic_cg_iterations", static_cast<int>(r.evaluations.hvps));
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_EQ(r.iterations, 1u);
  EXPECT_LE(r.evaluations.hvps, 50u);
  EXPECT_GT(r.evaluations.hvps, 0u);
  EXPECT_LT(max_abs_diff(r.x, q.solution()), 1e-10);
}

TEST(NewtonCG, QuadraticWithTheDefaultForcingTerm) {
  Quadratic q(50);
  const std::vector<double> x0(50, 0.0);
  const Result r = NewtonCG().minimize(q, x0);
  std::printf("[ NewtonCG ] quadratic n=50, default tolerance: %zu iterations, %zu CG iterations\n",
              r.iterations, r.evaluations.hvps);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LT(max_abs_diff(r.x, q.solution()), 1e-8);
  EXPECT_LE(r.evaluations.hvps, 100u);
}

TEST(NewtonCG, RosenbrockConverges) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  NewtonCG::Options o;
  o.stop = tolerance(1e-8);
  const Result r = NewtonCG(o).minimize(f, x0);
  std::printf("[ NewtonCG ] Rosenbrock from (-1.2, 1): %zu iterations, %zu values, %zu hvps\n",
              r.iterations, r.evaluations.values, r.evaluations.hvps);
  RecordProperty("rosenbrock_iterations", static_cast<int>(r.iterations));
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  // Slower than Newton: where the valley's Hessian is indefinite, CG stops at its first iterate
  // (a Cauchy step) while Newton's damping still bends the step along the valley.
  EXPECT_LE(r.iterations, 80u);
  EXPECT_LT(r.gradient_norm, 1e-8);
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
  // At least one and at most n = 2 CG iterations per outer iteration.
  EXPECT_GE(r.evaluations.hvps, r.iterations);
  EXPECT_LE(r.evaluations.hvps, 2 * r.iterations);
}

TEST(NewtonCG, NegativeCurvatureOnTheFirstCgIterationTakesMinusG) {
  // At (0.1, 0) the gradient points along x, where the curvature is −0.97.
  DoubleWell f;
  const std::vector<double> x0 = {0.1, 0.0};
  std::size_t hvps_after_first = 0;
  const Result r = NewtonCG().minimize(f, x0, {[&](const State& s) {
                                         if (s.iteration == 1)
                                           hvps_after_first = s.evaluations->hvps;
                                         return false;
                                       }});
  EXPECT_EQ(hvps_after_first, 1u);
  ASSERT_GE(r.history.size(), 2u);
  const double g0 = x0[0] * x0[0] * x0[0] - x0[0];
  EXPECT_EQ(r.history[1].step, 1.0);
  EXPECT_DOUBLE_EQ(r.history[1].x[0], x0[0] - g0);
  EXPECT_EQ(r.history[1].x[1], 0.0);
  EXPECT_LT(r.history[1].loss, r.history[0].loss);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
  EXPECT_NEAR(r.value, -0.25, 1e-12);
}

TEST(NewtonCG, NegativeCurvatureLaterKeepsTheCgIterate) {
  // From (0.1, 1) the first CG direction −g has positive curvature (y dominates); the second is
  // almost along x, where the curvature is negative, so the direction is the first CG iterate
  // z₁ = (‖g‖² / gᵀHg)·(−g). A tight tolerance keeps CG from stopping after z₁ on its own.
  DoubleWell f;
  const std::vector<double> x0 = {0.1, 1.0};
  NewtonCG::Options o;
  o.cg_tolerance = 1e-6;
  std::size_t hvps_after_first = 0;
  const Result r = NewtonCG(o).minimize(f, x0, {[&](const State& s) {
                                          if (s.iteration == 1)
                                            hvps_after_first = s.evaluations->hvps;
                                          return false;
                                        }});
  EXPECT_EQ(hvps_after_first, 2u);
  const double gx = x0[0] * x0[0] * x0[0] - x0[0], gy = 2.0 * x0[1];
  const double gHg = (3.0 * x0[0] * x0[0] - 1.0) * gx * gx + 2.0 * gy * gy;
  const double scale = (gx * gx + gy * gy) / gHg;
  ASSERT_GE(r.history.size(), 2u);
  EXPECT_EQ(r.history[1].step, 1.0);
  EXPECT_NEAR(r.history[1].x[0], x0[0] - scale * gx, 1e-14);
  EXPECT_NEAR(r.history[1].x[1], x0[1] - scale * gy, 1e-14);
  EXPECT_LT(r.history[1].loss, r.history[0].loss);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.value, -0.25, 1e-12);
}

TEST(NewtonCG, MaxCgIterationsCapsEachSolve) {
  Quadratic q(50);
  const std::vector<double> x0(50, 0.0);
  NewtonCG::Options o;
  o.max_cg_iterations = 1;
  o.cg_tolerance = 1e-12;
  o.stop.max_iterations = 5;
  const Result r = NewtonCG(o).minimize(q, x0);
  EXPECT_EQ(r.reason, StopReason::max_iterations);
  EXPECT_EQ(r.iterations, 5u);
  EXPECT_EQ(r.evaluations.hvps, 5u);
  for (std::size_t k = 1; k < r.history.size(); ++k)
    EXPECT_LT(r.history[k].loss, r.history[k - 1].loss);
}

TEST(NewtonCG, ObjectiveWithoutHvpIsAClearError) {
  FunctionObjective f(1, [](Span x, MutSpan g) {
    g[0] = 2.0 * x[0];
    return x[0] * x[0];
  });
  const std::vector<double> x0 = {1.0};
  const std::string m = error_of([&] { NewtonCG().minimize(f, x0); });
  EXPECT_EQ(m, "slope::optim::NewtonCG: the objective provides no Hessian-vector product");
}

TEST(NewtonCG, InvalidOptionsNameTheOption) {
  const auto message = [](NewtonCG::Options o) { return error_of([&] { NewtonCG n(o); }); };
  NewtonCG::Options o;
  o.cg_tolerance = -1.0;
  EXPECT_EQ(message(o), "slope::optim::NewtonCG: cg_tolerance must be in [0, 1), got -1");
  o.cg_tolerance = 1.0;
  EXPECT_TRUE(mentions(message(o), "cg_tolerance must be in [0, 1), got 1")) << message(o);

  o = {};
  o.c1 = 1.0;
  EXPECT_TRUE(mentions(message(o), "c1 must be in (0, 1), got 1")) << message(o);

  o = {};
  o.backtrack = 2.0;
  EXPECT_TRUE(mentions(message(o), "backtrack must be in (0, 1), got 2")) << message(o);
  o.backtrack = -0.5;
  EXPECT_TRUE(mentions(message(o), "backtrack must be in (0, 1)")) << message(o);

  o = {};
  o.stop.gradient_tolerance = -1.0;
  EXPECT_TRUE(mentions(message(o), "NewtonCG: stop.gradient_tolerance must be >= 0, got -1"))
      << message(o);

  EXPECT_EQ(message(NewtonCG::Options{}), "<no exception>");
}

TEST(NewtonCG, BadStartIsAnError) {
  Quadratic q(4);
  const std::vector<double> two = {1.0, 2.0};
  const std::string m = error_of([&] { NewtonCG().minimize(q, two); });
  EXPECT_TRUE(mentions(m, "slope::optim::NewtonCG: x0 has length 2")) << m;
}

TEST(NewtonCG, RunsAreBitIdentical) {
  Rosenbrock f;
  const std::vector<double> x0 = {-1.2, 1.0};
  const Result a = NewtonCG().minimize(f, x0), b = NewtonCG().minimize(f, x0);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_EQ(a.evaluations.hvps, b.evaluations.hvps);
}

}  // namespace
}  // namespace slope::optim
