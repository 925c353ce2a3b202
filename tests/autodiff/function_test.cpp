// SPDX-License-Identifier: MIT
// Recorded Functions of scalar code: replay at new points equals a fresh recording or the
// analytic derivatives, into caller buffers too, through the replay schedule's windows, folded
// chains and merged steps, and in any order of sweep kinds. Placeholders, clones and threads:
// function_data_test.cpp; guards: function_guards_test.cpp; OnStale: on_stale_test.cpp.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <slope/autodiff.hpp>

#include "function_fixtures.hpp"

namespace {

using slope::Function;
using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;

using function_fixtures::expect_close;

// Extended Rosenbrock, written as scalar code.
Var rosenbrock(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
    Var t = p[i + 1] - p[i] * p[i];
    Var u = 1.0 - p[i];
    s += 100.0 * (t * t) + u * u;
  }
  return s;
}

TEST(Function, ScalarReplayAtNewPointsEqualsFreshRecordings) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::vector<double> x0(10);
  for (double& v : x0) v = normal(rng);
  Function F = slope::record(rosenbrock, x0);
  EXPECT_EQ(F.dimension(), 10u);
  EXPECT_EQ(F.guard_count(), 0u);
  for (int k = 0; k < 5; ++k) {
    std::vector<double> x(10), v(10);
    for (double& e : x) e = normal(rng);
    for (double& e : v) e = normal(rng);
    const auto fresh = slope::value_and_grad(rosenbrock, x);
    const auto replayed = F.value_and_grad(x);
    EXPECT_NEAR(replayed.value, fresh.value, 1e-13 * fresh.value);
    expect_close(replayed.grad, fresh.grad, 1e-13, "gradient");
    EXPECT_NEAR(F.value(x), fresh.value, 1e-13 * fresh.value);
    expect_close(F.hvp(x, v), slope::hvp(rosenbrock, x, v), 1e-12, "hvp");
    expect_close(F.hessian(x), slope::hessian(rosenbrock, x), 1e-12, "hessian");
  }
}

TEST(Function, RosenbrockGradientAtTheMinimumIsZeroAndHessianIsAnalytic) {
  Function F = slope::record(rosenbrock, std::vector<double>{-1.2, 1.0});
  const auto at_min = F.value_and_grad(std::vector<double>{1.0, 1.0});
  EXPECT_EQ(at_min.value, 0.0);
  EXPECT_EQ(at_min.grad(0), 0.0);
  EXPECT_EQ(at_min.grad(1), 0.0);
  // H(1, 1) = [[802, -400], [-400, 200]].
  const Array h = F.hessian(std::vector<double>{1.0, 1.0});
  EXPECT_DOUBLE_EQ(h(0, 0), 802.0);
  EXPECT_DOUBLE_EQ(h(0, 1), -400.0);
  EXPECT_DOUBLE_EQ(h(1, 1), 200.0);
}

TEST(Function, ResultsIntoCallerBuffers) {
  Function F = slope::record(rosenbrock, std::vector<double>{-1.2, 1.0, 0.5, 0.5});
  const std::vector<double> x{0.3, -0.2, 1.5, 2.0}, v{1.0, 0.0, -1.0, 2.0};
  std::vector<double> g(4), hv(4);
  const double fx = F.value_and_grad(x, g);
  const auto want = slope::value_and_grad(rosenbrock, x);
  EXPECT_DOUBLE_EQ(fx, want.value);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(g[i], want.grad(i), 1e-12);
  EXPECT_DOUBLE_EQ(F.hvp(x, v, hv), want.value);
  const auto hv_want = slope::hvp(rosenbrock, x, v);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(hv[i], hv_want(i), 1e-10);
  std::vector<double> short_buffer(3);
  EXPECT_THROW(F.value_and_grad(x, short_buffer), slope::Error);
  EXPECT_THROW(F.value(std::vector<double>{1.0}), slope::Error);
  EXPECT_THROW(F.hvp(x, std::vector<double>{1.0}), slope::Error);
}

TEST(Function, ConstantOutputHasZeroGradient) {
  Function F = slope::record([](const Tensor&) { return Var(3.5); }, std::vector<double>{1, 2});
  const auto r = F.value_and_grad(std::vector<double>{4, 5});
  EXPECT_EQ(r.value, 3.5);
  EXPECT_EQ(r.grad(0), 0.0);
  EXPECT_EQ(r.grad(1), 0.0);
}

// The first-order replay schedules a long tape in windows of nodes; a chain that runs through
// many windows (a running sum over 3000 pairs, ~21 000 nodes) must still see every operand
// computed before it is used.
TEST(Function, LongTapeReplayAcrossScheduleWindowsMatchesTheAnalyticGradient) {
  const std::size_t n = 6000;
  auto rosenbrock = [n](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i < n / 2; ++i) {
      const Var t = p[2 * i + 1] - p[2 * i] * p[2 * i];
      s += 100.0 * t * t + (1.0 - p[2 * i]) * (1.0 - p[2 * i]);
    }
    return s;
  };
  std::vector<double> x0(n, 0.5), x(n);
  Function F = slope::record(rosenbrock, x0);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (double& xi : x) xi = u(rng);
  std::vector<double> g(n);
  const double value = F.value_and_grad(x, g);
  double expected = 0, worst = 0;
  for (std::size_t i = 0; i < n / 2; ++i) {
    const double a = x[2 * i], b = x[2 * i + 1], t = b - a * a;
    expected += 100 * t * t + (1 - a) * (1 - a);
    worst = std::max(worst, std::fabs(g[2 * i] - (-400 * a * t - 2 * (1 - a))));
    worst = std::max(worst, std::fabs(g[2 * i + 1] - 200 * t));
  }
  EXPECT_NEAR(value, expected, 1e-9 * expected);
  EXPECT_LT(worst, 1e-10);
}

// First-order replays of scalar recordings fold one-operand nodes used once into their
// consumers (their partials multiplied in the forward sweep) and skip them in the reverse one.
// Chains of such nodes, constant ops, linear nodes and both operands of a binary op folded,
// against the analytic gradient.
TEST(Function, FoldedChainsOfOneOperandOpsGiveTheAnalyticGradient) {
  auto f = [](const Tensor& p) {
    const Var a = p[0], b = p[1];
    // sin(exp(a)) · log(1 + b²) + 3·tanh(2 − a) − sqrt(b² + 1) / 4
    return sin(exp(a)) * log(1.0 + square(b)) + 3.0 * tanh(2.0 - a) - sqrt(square(b) + 1.0) / 4.0;
  };
  auto grad = [](double a, double b) {
    const double s = std::sin(std::exp(a)), c = std::cos(std::exp(a)), l = std::log(1 + b * b);
    const double th = std::tanh(2 - a), r = std::sqrt(b * b + 1);
    return std::vector<double>{c * std::exp(a) * l - 3 * (1 - th * th),
                               s * 2 * b / (1 + b * b) - b / (4 * r)};
  };
  Function F = slope::record(f, std::vector<double>{0.3, -0.7});
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  std::vector<double> g(2);
  for (int k = 0; k < 50; ++k) {
    const std::vector<double> x{u(rng), u(rng)};
    F.value_and_grad(x, g);
    const std::vector<double> want = grad(x[0], x[1]);
    EXPECT_NEAR(g[0], want[0], 1e-13 * (1 + std::fabs(want[0])));
    EXPECT_NEAR(g[1], want[1], 1e-13 * (1 + std::fabs(want[1])));
  }
}

// Steps merged into their only reader: c = t + x after t = x·y reads x and y itself, with the
// chained partials; chains of such merges, a one-operand reader used twice, t = x·x, and running
// sums carried through a or b. Each against a fresh recording (no replay) at new points.
TEST(Function, MergedStepsGiveTheGradientOfAFreshRecording) {
  auto f = [](const Tensor& p) {
    const Var x = p[0], y = p[1], z = p[2];
    const Var chain = ((x * y + x) * y - x) / (y + 3.0);  // merges into merges (shared x, y)
    const Var e = exp(x * z);                             // read twice: e's step stays, x·z merges
    const Var sq = x * x + x;                             // t with a == b, merged with shared a
    Var s = e * e + e;
    for (int k = 0; k < 4; ++k) s = s + chain * sq;  // carried through a
    Var r = y;
    for (int k = 0; k < 4; ++k) r = (z * y - y) + r;  // carried through b; z·y merges (shared y)
    return s * r + hypot(x, y) * (x - z);
  };
  Function F = slope::record(f, std::vector<double>{0.3, -0.7, 0.5});
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> g(3);
  for (int k = 0; k < 50; ++k) {
    const std::vector<double> x{u(rng), u(rng), u(rng)};
    const double value = F.value_and_grad(x, g);
    const auto fresh = slope::value_and_grad(f, x);
    EXPECT_NEAR(value, fresh.value, 1e-13 * (1 + std::fabs(fresh.value)));
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(g[i], fresh.grad(i), 1e-12 * (1 + std::fabs(fresh.grad(i)))) << "x" << i;
  }
}

// The output need not be the last node: nodes recorded after it are not part of it, even when
// the output is a one-operand node whose only use comes after it (and so is folded there).
TEST(Function, AnOutputRecordedBeforeOtherNodesHasItsOwnGradient) {
  auto folded_output = [](const Tensor& p) {
    const Var y = exp(p[0] * p[1]);
    const Var after = sin(y) + p[0];  // uses y once, after it
    (void)after;
    return y;
  };
  auto earlier_output = [](const Tensor& p) {
    const Var y = p[0] * p[1] + square(p[0]);
    const Var after = y * y + p[1];  // y used twice: not folded
    (void)after;
    return y;
  };
  // A folded square of an operand not folded is computed by its consumer, with no partial of
  // its own until an output needs it.
  auto squared_output = [](const Tensor& p) {
    const Var y = square(p[0] - p[1]);
    const Var after = 3.0 * y + p[1];  // uses y once, after it
    (void)after;
    return y;
  };
  Function F = slope::record(folded_output, std::vector<double>{0.5, 0.25});
  Function G = slope::record(earlier_output, std::vector<double>{0.5, 0.25});
  Function S = slope::record(squared_output, std::vector<double>{0.5, 0.25});
  std::vector<double> g(2);
  for (const std::vector<double>& x : {std::vector<double>{0.5, 0.25}, {-1.25, 0.75}}) {
    const double d = x[0] - x[1];
    EXPECT_DOUBLE_EQ(S.value_and_grad(x, g), d * d);
    EXPECT_DOUBLE_EQ(g[0], 2 * d);
    EXPECT_DOUBLE_EQ(g[1], -2 * d);
    const double e = std::exp(x[0] * x[1]);
    EXPECT_DOUBLE_EQ(F.value_and_grad(x, g), e);
    EXPECT_NEAR(g[0], e * x[1], 1e-14 * e);
    EXPECT_NEAR(g[1], e * x[0], 1e-14 * e);
    EXPECT_DOUBLE_EQ(G.value_and_grad(x, g), x[0] * x[1] + x[0] * x[0]);
    EXPECT_DOUBLE_EQ(g[0], x[1] + 2 * x[0]);
    EXPECT_DOUBLE_EQ(g[1], x[0]);
  }
}

// Gradients, HVPs and Hessians of one Function in any order: each sweep kind leaves the next
// one a clean slate (the first-order sweeps keep their adjoints apart from the nodes').
TEST(Function, GradientsStayExactBetweenHvpsAndHessians) {
  std::vector<double> x0{0.5, -1.0, 1.5, 0.25};
  Function F = slope::record(rosenbrock, x0);
  std::mt19937_64 rng(12);
  std::normal_distribution<double> normal;
  for (int k = 0; k < 6; ++k) {
    std::vector<double> x(4), v(4);
    for (double& e : x) e = normal(rng);
    for (double& e : v) e = normal(rng);
    const auto fresh = slope::value_and_grad(rosenbrock, x);
    expect_close(F.value_and_grad(x).grad, fresh.grad, 1e-13, "gradient");
    if (k % 3 == 0) expect_close(F.hvp(x, v), slope::hvp(rosenbrock, x, v), 1e-12, "hvp");
    if (k % 3 == 1) expect_close(F.hessian(x), slope::hessian(rosenbrock, x), 1e-12, "hessian");
    expect_close(F.value_and_grad(x).grad, fresh.grad, 1e-13, "gradient after");
  }
}

}  // namespace
