// SPDX-License-Identifier: MIT
// Record once, replay many times: the two usage examples of <slope/autodiff/function.hpp>, run
// as written there: a linear model's mean squared error recorded on training data and replayed
// on a batch of another size, and a Huber loss whose branch flips, recorded again with
// OnStale::record_again. Both are checked against derivatives worked out by hand.
// Exits non-zero when a result is wrong.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <vector>

#include <slope/autodiff.hpp>

#include "expect.hpp"

namespace {

// mean (Xw + b − y)² and its gradient (2Xᵀr / N, 2Σr / N) for p = (w₁, w₂, w₃, b).
double mse_by_hand(const xt::xarray<double>& X, const xt::xarray<double>& y,
                   const std::vector<double>& p, std::vector<double>& g) {
  const std::size_t n = X.shape()[0];
  double f = 0;
  g.assign(4, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double r = X(i, 0) * p[0] + X(i, 1) * p[1] + X(i, 2) * p[2] + p[3] - y(i);
    f += r * r / double(n);
    for (std::size_t j = 0; j < 3; ++j) g[j] += 2 * r * X(i, j) / double(n);
    g[3] += 2 * r / double(n);
  }
  return f;
}

void record_and_bind() {
  const xt::xarray<double> X_train{
      {1.0, 0.5, -1.0}, {0.2, -0.3, 2.0}, {-1.5, 1.0, 0.0}, {0.7, 0.7, 0.7}, {2.0, -1.0, 0.5}};
  const xt::xarray<double> y_train{1.0, 2.0, -1.0, 0.5, 3.0};
  const xt::xarray<double> X_batch{{0.1, 0.2, 0.3}, {-0.4, 0.5, -0.6}, {1.0, -1.0, 2.0}};
  const xt::xarray<double> y_batch{0.5, -0.5, 1.5};
  const std::vector<double> x0{0.0, 0.0, 0.0, 0.0};
  const std::vector<double> x{0.5, -1.0, 0.25, 2.0};
  std::vector<double> g_out(4);

  // clang-format off
  // --- <slope/autodiff/function.hpp>
  slope::Placeholder X("X", X_train), y("y", y_train);   // data that changes between calls
  auto loss = [](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
    return slope::mean(slope::square(slope::matmul(X, p.slice(0, 3)) + p[3] - y));
  };
  slope::Function F = slope::record(loss, x0, X, y);
  F.bind("X", X_batch);                  // any number of rows; other extents are checked
  F.bind("y", y_batch);
  auto [fx, g] = F.value_and_grad(x);    // replayed, not recorded
  double f = F.value_and_grad(x, g_out); // into a buffer: no heap allocation once warm
  // clang-format on

  std::vector<double> want;
  const double f_want = mse_by_hand(X_batch, y_batch, x, want);
  std::printf("function.hpp: on the batch f = %.12f, grad = (%.12f, %.12f, %.12f, %.12f)\n", fx,
              g(0), g(1), g(2), g(3));
  examples::near("replayed value", fx, f_want);
  examples::near("replayed value into a buffer", f, f_want);
  for (std::size_t j = 0; j < 4; ++j) {
    examples::near("replayed gradient", g(j), want[j]);
    examples::near("replayed gradient into a buffer", g_out[j], want[j]);
  }
  examples::that("bound shape is the batch's",
                 F.bound_shape("X") == std::vector<std::size_t>{3, 3});

  // Bound back to the training data, the same recording gives the training loss.
  F.bind("X", X_train);
  F.bind("y", y_train);
  const double f_train = mse_by_hand(X_train, y_train, x, want);
  const auto [ft, gt] = F.value_and_grad(x);
  examples::near("replayed training value", ft, f_train);
  for (std::size_t j = 0; j < 4; ++j) examples::near("replayed training gradient", gt(j), want[j]);

  // "other extents are checked": a batch with 2 columns instead of 3 is a slope::Error.
  bool threw = false;
  try {
    F.bind("X", xt::xarray<double>{{1.0, 2.0}});
  } catch (const slope::Error& e) {
    threw = true;
    std::printf("function.hpp: binding a (1, 2) X: %s\n", e.what());
  }
  examples::that("bind checks the other extents", threw);
}

// Huber's loss of the residual r = p₀ − 2 with δ = 1: r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond. The
// comparison of Vars is a guard of the recording.
slope::Var huber(const slope::Tensor& p) {
  const double delta = 1.0;
  const slope::Var r = p[0] - 2.0;
  if (abs(r) <= delta) return 0.5 * r * r;
  return delta * (abs(r) - 0.5 * delta);
}

void branches() {
  const std::vector<double> x0{2.5};  // r = 0.5: recorded on the quadratic branch
  const std::vector<double> x{5.0};   // r = 3: the linear branch
  // clang-format off
  // --- <slope/autodiff/function.hpp>, Branches
  slope::Function H = slope::record(huber, x0);
  H.on_stale(slope::OnStale::record_again);
  auto [fh, gh] = H.value_and_grad(x);  // any x: records again when a branch flips
  std::size_t n = H.recordings();       // 1 + the times it recorded again
  // clang-format on
  std::printf("function.hpp: Huber at r = 3: f = %g, f' = %g after %zu recordings\n", fh, gh(0), n);
  examples::near("record_again: value on the other branch", fh, 2.5);     // δ(|r| − δ/2)
  examples::near("record_again: slope on the other branch", gh(0), 1.0);  // δ·sign(r)
  examples::that("record_again: recorded twice", n == 2);
  // Back on the quadratic branch it records again once more: f = r²/2, f' = r at r = −0.5.
  const auto [fq, gq] = H.value_and_grad(std::vector<double>{1.5});
  examples::near("record_again: back on the first branch", fq, 0.125);
  examples::near("record_again: back on the first branch", gq(0), -0.5);
  examples::that("record_again: recorded three times", H.recordings() == 3);

  // By default (OnStale::raise) a replay across the branch throws slope::StaleRecording.
  slope::Function G = slope::record(huber, x0);
  bool stale = false;
  try {
    G.value_and_grad(x);
  } catch (const slope::StaleRecording& e) {
    stale = true;
    std::printf("function.hpp: OnStale::raise: %s\n", e.what());
  }
  examples::that("OnStale::raise throws StaleRecording", stale && G.recordings() == 1);
  examples::near("OnStale::raise: same branch still replays", G.value(std::vector<double>{2.25}),
                 0.03125);
}

}  // namespace

int main() {
  record_and_bind();
  branches();
  return examples::failures();
}
