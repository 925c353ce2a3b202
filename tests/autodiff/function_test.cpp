// SPDX-License-Identifier: MIT
// Recorded Functions: replay at new points and on new data equals a fresh recording; guards
// catch flipped branches; placeholders check their shapes; clones and parallel shards agree.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xview.hpp>

#include <slope/autodiff.hpp>

#include "function_fixtures.hpp"

namespace {

using slope::Function;
using slope::Placeholder;
using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;

using function_fixtures::expect_close;
using function_fixtures::Regression;
using function_fixtures::regression;

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

// ---- tensors and placeholders ----

// Mean squared error of a linear model with bias: p = (w, b).
auto mse = [](const Tensor& p, const Tensor& X, const Tensor& y) {
  const std::size_t d = p.size() - 1;
  return slope::mean(slope::square(slope::matmul(X, p.slice(0, d)) + p[d] - y));
};

TEST(Function, TensorLossReplaysOnBatchesOfOtherSizes) {
  const Regression all = regression(200, 4, 3);
  const std::vector<double> x0{0.1, -0.2, 0.3, 0.4, 0.5};
  Placeholder X("X", all.X), y("y", all.y);
  Function F = slope::record(mse, x0, X, y);
  EXPECT_EQ(F.placeholders(), (std::vector<std::string>{"X", "y"}));
  for (std::size_t rows : {17u, 64u, 200u, 1u}) {
    const Regression batch = regression(rows, 4, 10 + rows);
    F.bind("X", batch.X);
    F.bind("y", batch.y);
    EXPECT_EQ(F.bound_shape("X"), (std::vector<std::size_t>{rows, 4}));
    const std::vector<double> x{0.5, 0.1, -0.7, 0.2, -0.3}, v{1, -1, 0.5, 2, 0.25};
    auto fresh_f = [&](const Tensor& p) {
      const std::size_t d = 4;
      return slope::mean(slope::square(slope::matmul(batch.X, p.slice(0, d)) + p[d] - batch.y));
    };
    const auto want = slope::value_and_grad(fresh_f, x);
    const auto got = F.value_and_grad(x);
    EXPECT_NEAR(got.value, want.value, 1e-12 * want.value) << rows << " rows";
    expect_close(got.grad, want.grad, 1e-12, "gradient");
    // The analytic gradient: (2/N) [Xᵀr, Σr] with r = Xw + b − y.
    const Array w = {0.5, 0.1, -0.7, 0.2};
    const Array r = xt::linalg::dot(batch.X, w) + (-0.3) - batch.y;
    const Array gw = 2.0 / static_cast<double>(rows) * xt::linalg::dot(xt::transpose(batch.X), r);
    for (std::size_t j = 0; j < 4; ++j)
      EXPECT_NEAR(got.grad(j), gw(j), 1e-12 * (1 + std::fabs(gw(j))));
    expect_close(F.hvp(x, v), slope::hvp(fresh_f, x, v), 1e-11, "hvp");
    expect_close(F.hessian(x), slope::hessian(fresh_f, x), 1e-11, "hessian");
  }
}

// Softplus keeps the slopes of its forward sweep for the reverse one; replays that change the
// batch length, or run a value-only or dual sweep in between, must never use stale ones.
TEST(Function, SoftplusReplaysMatchFreshRecordingsAcrossSizesAndSweepKinds) {
  const Regression all = regression(64, 3, 5);
  const Array labels = xt::cast<double>(all.y > 0.0);
  auto nll = [](const Tensor& p, const auto& X, const auto& y) {
    const Tensor z = slope::matmul(X, p.slice(0, 3)) + p[3];
    return slope::mean(slope::softplus(z) - y * z);
  };
  const std::vector<double> x0{0.1, -0.2, 0.3, 0.4}, v{1, -1, 0.5, 2};
  auto taped = [&](const Tensor& p, const Tensor& X, const Tensor& y) { return nll(p, X, y); };
  Function F = slope::record(taped, x0, Placeholder("X", all.X), Placeholder("y", labels));
  std::vector<double> x = x0;
  for (std::size_t rows : {64u, 9u, 64u, 1u, 9u}) {
    const Array X = xt::view(all.X, xt::range(0, rows), xt::all());
    const Array y = xt::view(labels, xt::range(0, rows));
    F.bind("X", X);
    F.bind("y", y);
    for (double& xi : x) xi = -xi + 0.05 * static_cast<double>(rows);
    auto fresh_f = [&](const Tensor& p) { return nll(p, X, y); };
    (void)F.value(x0);  // a value-only sweep at another point first
    expect_close(F.hvp(x, v), slope::hvp(fresh_f, x, v), 1e-12, "hvp");
    const auto want = slope::value_and_grad(fresh_f, x);
    const auto got = F.value_and_grad(x);
    EXPECT_NEAR(got.value, want.value, 1e-12 * std::fabs(want.value)) << rows << " rows";
    expect_close(got.grad, want.grad, 1e-12, "gradient");
    // The analytic gradient: (1/N) [Xᵀ(σ(z) − y), Σ(σ(z) − y)].
    const Array w = {x[0], x[1], x[2]};
    const Array r = 1.0 / (1.0 + xt::exp(-(xt::linalg::dot(X, w) + x[3]))) - y;
    const Array gw = xt::linalg::dot(xt::transpose(X), r) / static_cast<double>(rows);
    for (std::size_t j = 0; j < 3; ++j)
      EXPECT_NEAR(got.grad(j), gw(j), 1e-12 * (1 + std::fabs(gw(j)))) << rows << " rows";
    EXPECT_NEAR(got.grad(3), xt::sum(r)() / static_cast<double>(rows), 1e-12);
  }
}

TEST(Function, OwnedAndRowBindings) {
  const Regression all = regression(50, 3, 5);
  const std::vector<double> x{0.2, 0.1, -0.4, 1.0};
  Function F = slope::record(mse, x, Placeholder("X", all.X), Placeholder("y", all.y));
  const double full = F.value(x);
  F.bind_rows("X", all.X, 10, 30);
  F.bind_rows("y", all.y, 10, 30);
  const double rows = F.value(x);
  F.bind("X", Array(xt::view(all.X, xt::range(10, 30), xt::all())));  // owned by F
  F.bind("y", Array(xt::view(all.y, xt::range(10, 30))));
  EXPECT_EQ(F.value(x), rows);
  F.bind("X", all.X);
  F.bind("y", all.y);
  EXPECT_EQ(F.value(x), full);
  EXPECT_THROW(F.bind_rows("X", all.X, 30, 60), slope::Error);
}

TEST(Function, PlaceholderShapeErrorsNameThePlaceholderAndBothShapes) {
  const Regression all = regression(20, 3, 6);
  Function F = slope::record(mse, std::vector<double>{0, 0, 0, 0}, Placeholder("X", all.X),
                             Placeholder("y", all.y));
  auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const slope::StaleRecording& e) {
      return std::string("stale: ") + e.what();
    } catch (const slope::Error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string wrong_width = message([&] { F.bind("X", Array(xt::zeros<double>({20, 4}))); });
  EXPECT_NE(wrong_width.find("'X'"), std::string::npos) << wrong_width;
  EXPECT_NE(wrong_width.find("(20,3)"), std::string::npos) << wrong_width;
  EXPECT_NE(wrong_width.find("(20,4)"), std::string::npos) << wrong_width;
  const std::string wrong_rank = message([&] { F.bind("y", Array(xt::zeros<double>({20, 1}))); });
  EXPECT_NE(wrong_rank.find("'y'"), std::string::npos) << wrong_rank;
  EXPECT_NE(wrong_rank.find("(20,)"), std::string::npos) << wrong_rank;
  EXPECT_NE(wrong_rank.find("(20,1)"), std::string::npos) << wrong_rank;
  const std::string unknown = message([&] { F.bind("Z", all.X); });
  EXPECT_NE(unknown.find("'Z'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("'X'"), std::string::npos) << unknown;
  // X and y with different row counts fail in the op that joins them, naming both shapes.
  F.bind("X", Array(xt::zeros<double>({7, 3})));
  const std::string mismatch = message([&] { F.value(std::vector<double>{0, 0, 0, 0}); });
  EXPECT_NE(mismatch.find("(7,)"), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("(20,)"), std::string::npos) << mismatch;
  EXPECT_THROW(slope::record(mse, std::vector<double>{0, 0, 0, 0}, Placeholder("X", all.X),
                             Placeholder("X", all.y)),
               slope::Error);
}

TEST(Function, ScalarReadsOfPlaceholderDataPinTheRowCount) {
  const Regression all = regression(12, 2, 7);
  // The loop bound comes from the data's shape: the recording is only valid for 12 rows.
  auto loop = [](const Tensor& p, const Tensor& X, const Tensor& y) {
    Var s = 0.0;
    const std::size_t n = y.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Var r = p[0] * X[i * 2] + p[1] * X[i * 2 + 1] - y[i];
      s += r * r;
    }
    return s / static_cast<double>(n);
  };
  auto flat = [](Tensor X) { return X.reshape({-1}); };
  auto f = [&](const Tensor& p, const Tensor& X, const Tensor& y) { return loop(p, flat(X), y); };
  const std::vector<double> x{0.3, -0.6};
  Function F = slope::record(f, x, Placeholder("X", all.X), Placeholder("y", all.y));
  // New data of the same shape: the elements are re-read on replay.
  const Regression other = regression(12, 2, 8);
  F.bind("X", other.X);
  F.bind("y", other.y);
  auto fresh = [&](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i < 12; ++i) {
      const Var r = p[0] * other.X(i, 0) + p[1] * other.X(i, 1) - other.y(i);
      s += r * r;
    }
    return s / 12.0;
  };
  expect_close(F.value_and_grad(x).grad, slope::grad(fresh, x), 1e-12, "re-read elements");
  // Another row count would silently drop or miss rows: refused.
  const Regression fewer = regression(5, 2, 9);
  EXPECT_THROW(F.bind("X", fewer.X), slope::StaleRecording);
  // AutoFunction records again at the next call.
  slope::AutoFunction A(f, x, Placeholder("X", all.X), Placeholder("y", all.y));
  A.bind("X", fewer.X);
  A.bind("y", fewer.y);
  auto fresh5 = [&](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i < 5; ++i) {
      const Var r = p[0] * fewer.X(i, 0) + p[1] * fewer.X(i, 1) - fewer.y(i);
      s += r * r;
    }
    return s / 5.0;
  };
  expect_close(A.value_and_grad(x).grad, slope::grad(fresh5, x), 1e-12, "re-recorded");
  EXPECT_EQ(A.recordings(), 2u);
}

// ---- guards ----

// Huber loss of the residuals p_i − t_i, written with a branch.
Var huber(const Tensor& p, double delta) {
  Var s = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Var r = p[i] - 0.1 * static_cast<double>(i);
    if (abs(r) <= delta)
      s += 0.5 * r * r;
    else
      s += delta * (abs(r) - 0.5 * delta);
  }
  return s;
}

TEST(Function, HuberReplayAcrossBranchFlipsNeverReturnsAWrongGradient) {
  const double delta = 1.0;
  auto f = [&](const Tensor& p) { return huber(p, delta); };
  const std::vector<double> x0{0.2, 0.3, 2.5};
  Function F = slope::record(f, x0);
  slope::AutoFunction A(f, x0);
  EXPECT_EQ(F.guard_count(), 3u);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-3.0, 3.0);
  int stale = 0, replayed = 0;
  for (int k = 0; k < 1000; ++k) {
    const std::vector<double> x{u(rng), u(rng), u(rng)};
    const auto want = slope::value_and_grad(f, x);
    try {
      const auto got = F.value_and_grad(x);
      ++replayed;
      EXPECT_EQ(got.value, want.value);
      for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(got.grad(i), want.grad(i)) << "at point " << k;
    } catch (const slope::StaleRecording&) {
      ++stale;
    }
    const auto automatic = A.value_and_grad(x);
    EXPECT_EQ(automatic.value, want.value);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(automatic.grad(i), want.grad(i));
  }
  // Both kinds of point occur: the test exercises the guards in both directions.
  EXPECT_GT(stale, 100);
  EXPECT_GT(replayed, 10);
  EXPECT_GT(A.recordings(), 100u);
}

TEST(Function, StaleRecordingSaysWhichComparisonFlipped) {
  auto f = [](const Tensor& p) { return p[0] > 1.0 ? p[0] * p[0] : p[0]; };
  Function F = slope::record(f, std::vector<double>{2.0});
  EXPECT_EQ(F.value(std::vector<double>{3.0}), 9.0);
  try {
    F.value(std::vector<double>{0.5});
    FAIL() << "no StaleRecording";
  } catch (const slope::StaleRecording& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("2 > 1 was true"), std::string::npos) << m;
    EXPECT_NE(m.find("0.5 > 1 is false"), std::string::npos) << m;
  }
}

TEST(Function, KinksInsideOpsAreExactOnReplayWithoutGuards) {
  auto f = [](const Tensor& p) { return max(p[0], p[1]) + abs(p[0]) + slope::sum(slope::abs(p)); };
  Function F = slope::record(f, std::vector<double>{1.0, -2.0});
  EXPECT_EQ(F.guard_count(), 0u);
  for (const std::vector<double>& x : {std::vector<double>{-1.0, 2.0}, {3.0, 1.0}, {-4.0, -5.0}})
    expect_close(F.grad(x), slope::grad(f, x), 0, "kinks");
}

TEST(Function, ReadingATensorValueWhileRecordingGuardsIt) {
  auto f = [](const Tensor& p) {
    const Tensor sq = slope::square(p);
    // Control flow on a value read out of the tape: the recording is valid only where it holds.
    return sq.value(0) > 1.0 ? slope::sum(sq) : slope::sum(p);
  };
  Function F = slope::record(f, std::vector<double>{2.0, 1.0});
  EXPECT_EQ(F.value(std::vector<double>{2.0, 1.0}), 5.0);
  EXPECT_THROW(F.value(std::vector<double>{0.5, 1.0}), slope::StaleRecording);
  slope::AutoFunction A(f, std::vector<double>{2.0, 1.0});
  EXPECT_EQ(A.value(std::vector<double>{0.5, 1.0}), 1.5);
}

// ---- clones and threads ----

TEST(Function, CloneIsIndependent) {
  const Regression a = regression(30, 2, 12), b = regression(40, 2, 13);
  const std::vector<double> x{0.5, -0.5, 0.1};
  Function F = slope::record(mse, x, Placeholder("X", a.X), Placeholder("y", a.y));
  Function G = F.clone();
  G.bind("X", b.X);
  G.bind("y", b.y);
  const double fa = F.value(x), fb = G.value(x);
  Function H = slope::record(mse, x, Placeholder("X", b.X), Placeholder("y", b.y));
  EXPECT_EQ(fb, H.value(x));
  EXPECT_NE(fa, fb);
  EXPECT_EQ(F.value(x), fa);
}

TEST(Function, ParallelShardsEqualOneThread) {
  const Regression d = regression(1001, 5, 14);
  const std::vector<double> x{0.3, -0.1, 0.2, 0.5, -0.4, 0.05};
  Function F = slope::record(mse, x, Placeholder("X", d.X), Placeholder("y", d.y));
  const auto one = F.value_and_grad(x);
  for (std::size_t threads : {1u, 2u, 3u, 4u}) {
    const auto par = slope::parallel_value_and_grad(F, x, {{"X", d.X}, {"y", d.y}}, threads);
    EXPECT_NEAR(par.value, one.value, 1e-12 * one.value) << threads << " threads";
    expect_close(par.grad, one.grad, 1e-12, "parallel gradient");
  }
  // F is bound to all rows again afterwards.
  EXPECT_EQ(F.bound_shape("X"), (std::vector<std::size_t>{1001, 5}));
  // A sum loss adds the shards.
  auto sse = [](const Tensor& p, const Tensor& X, const Tensor& y) {
    return slope::sum(slope::square(slope::matmul(X, p.slice(0, 5)) + p[5] - y));
  };
  Function S = slope::record(sse, x, Placeholder("X", d.X), Placeholder("y", d.y));
  const auto s1 = S.value_and_grad(x);
  const auto s3 =
      slope::parallel_value_and_grad(S, x, {{"X", d.X}, {"y", d.y}}, 3, slope::Combine::sum);
  EXPECT_NEAR(s3.value, s1.value, 1e-12 * s1.value);
  expect_close(s3.grad, s1.grad, 1e-12, "summed shards");
  // Large enough that each thread walks its rows in several cache-sized chunks, the last short.
  const Regression big = regression(12001, 5, 15);
  Function B = slope::record(mse, x, Placeholder("X", big.X), Placeholder("y", big.y));
  const auto b1 = B.value_and_grad(x);
  for (std::size_t threads : {1u, 2u}) {
    const auto bp = slope::parallel_value_and_grad(B, x, {{"X", big.X}, {"y", big.y}}, threads);
    EXPECT_NEAR(bp.value, b1.value, 1e-12 * b1.value) << threads << " threads, chunked";
    expect_close(bp.grad, b1.grad, 1e-12, "chunked parallel gradient");
  }
  EXPECT_THROW(slope::parallel_value_and_grad(F, x, {{"X", d.X}}, 0), slope::Error);
  const Array short_y = xt::zeros<double>({10});
  EXPECT_THROW(slope::parallel_value_and_grad(F, x, {{"X", d.X}, {"y", short_y}}, 2), slope::Error);
}

}  // namespace

namespace {

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
