// SPDX-License-Identifier: MIT
// Guards of recorded Functions: a replay across a flipped branch never returns a wrong value or
// gradient (StaleRecording, or AutoFunction records again), the error names the comparison, kinks
// inside ops need no guard, and a tensor value read while recording is checked like a guard.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

#include "function_fixtures.hpp"

namespace {

using slope::Function;
using slope::Tensor;
using slope::Var;

using function_fixtures::expect_close;

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

}  // namespace
