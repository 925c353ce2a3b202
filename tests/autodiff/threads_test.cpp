// SPDX-License-Identifier: MIT
// Each thread records on its own tape: derivatives computed on four threads at once equal the
// single-threaded ones exactly. Labelled tsan, so ThreadSanitizer runs it too.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <autodiff/autodiff.hpp>

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

}  // namespace
