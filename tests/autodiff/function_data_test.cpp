// SPDX-License-Identifier: MIT
// Recorded Functions of tensors and placeholder data: replays on batches of other sizes, owned and
// row bindings, shape errors, placeholders pinned by scalar reads; clones and parallel shards.

#include <gtest/gtest.h>

#include <cmath>
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
