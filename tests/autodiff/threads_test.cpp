// SPDX-License-Identifier: MIT
// Each thread records on its own tape: derivatives computed on four threads at once equal the
// single-threaded ones exactly. Labelled tsan, so ThreadSanitizer runs it too.

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

Var loss(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2)
    s += 100.0 * square(p[i + 1] - p[i] * p[i]) + log1p(square(1.0 - p[i]));
  return s;
}

TEST(Threads, TapesArePerThreadAndResultsAreIdentical) {
  const std::vector<double> x{-1.2, 1.0, 0.5, 0.3, 2.0, -0.7}, v{1, 0, -1, 2, 0.5, 0};
  const auto [f0, g0] = slope::value_and_grad(loss, x);
  const auto hv0 = slope::hvp(loss, x, v);
  constexpr int kThreads = 4, kRepeats = 300;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      for (int r = 0; r < kRepeats; ++r) {
        const auto [f, g] = slope::value_and_grad(loss, x);
        const auto hv = slope::hvp(loss, x, v);
        mismatches[t] += (f != f0) + (g != g0) + (hv != hv0);
      }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(Threads, AVarCannotCrossToAnotherThreadsRecording) {
  Var leaked;
  std::thread([&] {
    slope::grad([&](const Tensor& p) { return leaked = p[0] * 2.0; }, std::vector<double>{1.0});
  }).join();
  EXPECT_THROW(
      slope::grad([&](const Tensor& p) { return p[0] + leaked; }, std::vector<double>{1.0}),
      slope::Error);
}

// Recorded Functions: one clone per thread, each replayed 1000 times on its own block of rows
// at its own points, against results computed on one thread beforehand.
TEST(Threads, ClonedFunctionsReplayIndependently) {
  constexpr std::size_t kThreads = 4, kRepeats = 1000, kRows = 64, kDims = 3;
  xt::xarray<double> X = xt::xarray<double>::from_shape({kThreads * kRows, kDims});
  xt::xarray<double> y = xt::xarray<double>::from_shape({kThreads * kRows});
  for (std::size_t i = 0; i < X.size(); ++i) X.flat(i) = std::sin(0.37 * static_cast<double>(i));
  for (std::size_t i = 0; i < y.size(); ++i) y.flat(i) = std::cos(0.11 * static_cast<double>(i));
  auto mse = [](const Tensor& p, const Tensor& Xb, const Tensor& yb) {
    return slope::mean(slope::square(slope::matmul(Xb, p.slice(0, 3)) + p[3] - yb));
  };
  auto point = [](std::size_t t, std::size_t r) {
    const double s = 0.001 * static_cast<double>(r) + 0.1 * static_cast<double>(t);
    return std::vector<double>{s, -s, 0.5 * s, 1.0 - s};
  };
  slope::Function F =
      slope::record(mse, point(0, 0), slope::Placeholder("X", X), slope::Placeholder("y", y));
  // Expected values, serially.
  std::vector<std::vector<double>> want(kThreads, std::vector<double>(kRepeats));
  for (std::size_t t = 0; t < kThreads; ++t) {
    F.bind_rows("X", X, t * kRows, (t + 1) * kRows);
    F.bind_rows("y", y, t * kRows, (t + 1) * kRows);
    for (std::size_t r = 0; r < kRepeats; ++r) want[t][r] = F.value(point(t, r));
  }
  std::vector<slope::Function> clones;
  for (std::size_t t = 0; t < kThreads; ++t) clones.push_back(F.clone());
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      slope::Function& G = clones[t];
      G.bind_rows("X", X, t * kRows, (t + 1) * kRows);
      G.bind_rows("y", y, t * kRows, (t + 1) * kRows);
      std::vector<double> g(4);
      for (std::size_t r = 0; r < kRepeats; ++r)
        mismatches[t] += G.value_and_grad(point(t, r), g) != want[t][r];
    });
  for (auto& th : pool) th.join();
  for (std::size_t t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  // parallel_value_and_grad over all rows equals one thread.
  F.bind("X", X);
  F.bind("y", y);
  const auto one = F.value_and_grad(point(0, 7));
  for (int k = 0; k < 20; ++k) {
    const auto par = slope::parallel_value_and_grad(F, point(0, 7), {{"X", X}, {"y", y}}, 4);
    EXPECT_NEAR(par.value, one.value, 1e-12 * std::fabs(one.value));
    for (std::size_t j = 0; j < 4; ++j)
      EXPECT_NEAR(par.grad(j), one.grad(j), 1e-12 * (1 + std::fabs(one.grad(j))));
  }
}

}  // namespace
