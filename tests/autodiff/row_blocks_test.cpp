// SPDX-License-Identifier: MIT
// Gradients by blocks of rows: a Function that is a mean or sum over the rows of its data replays
// blocks of rows and adds their gradients, which equal one sweep over all rows; any other
// function sweeps all rows at once.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

// A function replayed by blocks of rows gives the gradient of one sweep over all rows: the
// fresh recording's, to rounding. `f` takes (p, X, y) with X and y Tensors (placeholders) or
// arrays (the fresh recording).
template <class Loss>
void expect_blocks_equal_one_sweep(Loss f, const Array& X, const Array& y,
                                   std::size_t blocks_wanted, const char* what) {
  const std::size_t d = X.shape()[1] + 1;
  std::vector<double> x(d);
  for (std::size_t j = 0; j < d; ++j) x[j] = 0.3 * std::sin(1.0 + static_cast<double>(j));
  auto taped = [&](const Tensor& p, const Tensor& Xp, const Tensor& yp) { return f(p, Xp, yp); };
  Function F = slope::record(taped, x, Placeholder("X", X), Placeholder("y", y));
  if (blocks_wanted == 0) {
    EXPECT_EQ(F.block_rows(), 0u) << what;
  } else {
    ASSERT_GT(F.block_rows(), 0u) << what;
    EXPECT_EQ((X.shape()[0] + F.block_rows() - 1) / F.block_rows(), blocks_wanted) << what;
  }
  for (int k = 0; k < 3; ++k) {
    for (double& xi : x) xi = 0.8 * xi + 0.05 * k;
    const auto want = slope::value_and_grad([&](const Tensor& p) { return f(p, X, y); }, x);
    const auto got = F.value_and_grad(x);
    EXPECT_NEAR(got.value, want.value, 1e-12 * (1 + std::fabs(want.value))) << what;
    expect_close(got.grad, want.grad, 1e-12, what);
  }
}

TEST(Function, MeansAndSumsOverRowsReplayByBlocksWithTheWholeGradient) {
  // 9 000 rows of 7 columns and a label: 64 bytes a row, blocks of 4 096 rows, the last short.
  const Regression r = regression(9000, 7, 21);
  const Array labels = xt::cast<double>(r.y > 0.0);
  auto w = [](const Tensor& p) { return p.slice(0, 7); };
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::mean(slope::square(slope::matmul(X, w(p)) + p[7] - y));
      },
      r.X, r.y, 3, "mse");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Tensor z = slope::matmul(X, w(p)) + p[7];
        return slope::mean(slope::softplus(z) - y * z);
      },
      r.X, labels, 3, "logistic");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::sum(slope::square(slope::matmul(X, w(p)) + p[7] - y));
      },
      r.X, r.y, 3, "sum of squares");
  // Row-wise work along axis 1: a per-row norm, a softmax over the columns, scaled columns.
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Tensor A = X * w(p);
        const Tensor S = slope::softmax(A, 1);
        return slope::mean(slope::sum(S * slope::tanh(A), 1) * y + slope::mean(A * A, 1) * p[7]);
      },
      r.X, r.y, 3, "softmax along the columns");
}

TEST(Function, FunctionsThatAreNotOneMeanOverRowsSweepAllRowsAtOnce) {
  const Regression r = regression(9000, 7, 22);
  auto w = [](const Tensor& p) { return p.slice(0, 7); };
  auto z = [&](const Tensor& p, const auto& X) { return slope::matmul(X, w(p)) + p[7]; };
  // The output is computed further from the mean.
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::log(slope::mean(slope::square(z(p, X) - y)));
      },
      r.X, r.y, 0, "log of a mean");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::mean(slope::square(z(p, X) - y)) + 0.1 * slope::sum(slope::square(p));
      },
      r.X, r.y, 0, "mean plus a penalty");
  // A row's term reads the whole data (a mean inside the mean, a mean along axis 0, Xᵀ·z, the
  // largest element, a constant with one entry per row).
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Tensor e = z(p, X) - y;
        return slope::mean(e * slope::mean(e));
      },
      r.X, r.y, 0, "mean inside the mean");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Tensor A = X * w(p);
        return slope::mean(slope::square(slope::sum(A - slope::mean(A, 0), 1) + p[7] - y));
      },
      r.X, r.y, 0, "centred columns");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Tensor A = X * w(p);
        return slope::mean(slope::tanh(slope::matmul(slope::transpose(A), z(p, X) - y)));
      },
      r.X, r.y, 0, "X transposed");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::max(slope::square(z(p, X) - y));
      },
      r.X, r.y, 0, "largest residual");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto&) {
        return slope::mean(slope::tanh(slope::sum(X * w(p), 0)));
      },
      r.X, r.y, 0, "a sum along the rows");
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::mean(slope::sum(slope::softmax(X * w(p), 0), 1) * y);
      },
      r.X, r.y, 0, "a softmax along the rows");
  // Square data: X·X has row i of X but all of X too.
  const Regression sq = regression(300, 300, 23);
  expect_blocks_equal_one_sweep(
      [](const Tensor& p, const auto& X, const auto&) {
        return slope::mean(slope::tanh(slope::matmul(X * p.slice(0, 300), X)));
      },
      sq.X, sq.y, 0, "X times X");
  const Array weights = xt::linspace<double>(0.5, 1.5, 9000);
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::mean(weights * slope::square(z(p, X) - y));
      },
      r.X, r.y, 0, "weights with one entry per row, not a placeholder");
  const Array row_of_weights = xt::reshape_view(weights, {std::size_t{1}, std::size_t{9000}});
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        return slope::mean(row_of_weights * slope::square(z(p, X) - y));
      },
      r.X, r.y, 0, "residuals along the columns of a (1, N) constant");
  // A guard on the mean: a block's own mean would take the other branch (the first block's
  // targets are ten times larger), so blocks would throw StaleRecording.
  Array y = r.y;
  xt::view(y, xt::range(0, 3000)) *= 10.0;
  expect_blocks_equal_one_sweep(
      [&](const Tensor& p, const auto& X, const auto& y) {
        const Var m = slope::mean(slope::square(z(p, X) - y));
        if (m > 2.0) return m;
        return m;
      },
      r.X, y, 0, "a guard on the mean");
}

}  // namespace
