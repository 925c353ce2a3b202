// SPDX-License-Identifier: MIT
// TapeStats: what a recording and its compiled replay cost, counted node by node.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Function;
using slope::Mode;
using slope::Recording;
using slope::TapeStats;
using slope::Tensor;
using slope::Var;

constexpr std::size_t kNode = 32;  // a node with its adjoint
constexpr std::size_t kTangent = 32;

TEST(TapeStats, CountsNodesAndTheirJacobianEntries) {
  Recording rec(Mode::replay);  // one node per op
  const Tensor p = rec.tape().inputs(std::vector<double>{1.0, 2.0});
  const Var y = sin(p[0]) * p[1] + p[0] * 3.0;
  const TapeStats s = rec.tape().stats();
  // Two inputs (no partials), sin (one), mul (two), x·3 (one: the 3 is a constant), add (two).
  EXPECT_EQ(s.nodes, 6u);
  EXPECT_EQ(s.entries, 6u);
  EXPECT_EQ(s.bytes, (s.nodes + 1) * kNode);  // and the sink's
  EXPECT_DOUBLE_EQ(s.bytes_per_node(), 7.0 * kNode / 6.0);
  EXPECT_GE(s.peak, s.bytes);
  EXPECT_DOUBLE_EQ(y.value(), std::sin(1.0) * 2.0 + 3.0);
}

TEST(TapeStats, ARecordingWithADirectionCountsItsTangents) {
  Recording rec(Mode::replay);
  const Tensor p = rec.tape().inputs(std::vector<double>{1.0, 2.0}, std::vector<double>{1.0, 0.0});
  const Var y = exp(p[0]) * p[1];
  const TapeStats s = rec.tape().stats();
  EXPECT_EQ(s.nodes, 4u);
  EXPECT_EQ(s.entries, 3u);
  EXPECT_EQ(s.bytes, 5 * (kNode + kTangent));
  rec.tape().reverse_dual(y);
  EXPECT_DOUBLE_EQ(rec.tape().hvp_adjoint(p.first_slot()), 2.0 * std::exp(1.0));
}

TEST(TapeStats, AnEmptyTapeCostsNothingPerNode) {
  Recording rec(Mode::replay);
  const TapeStats s = rec.tape().stats();
  EXPECT_EQ(s.nodes, 0u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes_per_node(), 0.0);
}

Var rosenbrock(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    const Var t = p[i + 1] - p[i] * p[i];
    const Var u = 1.0 - p[i];
    s += 100.0 * (t * t) + u * u;
  }
  return s;
}

TEST(TapeStats, AFunctionCountsItsCompiledReplayOnceItHasReplayed) {
  const std::vector<double> x0{-1.2, 1.0, 0.5, 2.0};
  Function F = slope::record(rosenbrock, x0);
  const TapeStats recorded = F.stats();
  EXPECT_EQ(recorded.nodes + 1, F.node_count());
  EXPECT_GT(recorded.entries, recorded.nodes);  // mostly two-operand nodes
  EXPECT_LT(recorded.entries, 2 * recorded.nodes);

  const auto r = F.value_and_grad(std::vector<double>{1.0, 1.0, 1.0, 1.0});
  EXPECT_EQ(r.value, 0.0);
  const TapeStats replayed = F.stats();
  EXPECT_EQ(replayed.nodes, recorded.nodes);
  EXPECT_EQ(replayed.entries, recorded.entries);
  // At least one value per node besides the node itself, and the schedule.
  EXPECT_GT(replayed.bytes, recorded.bytes + (recorded.nodes + 1) * sizeof(double));
  EXPECT_GE(replayed.peak, replayed.bytes);

  const auto hv = F.hvp(x0, std::vector<double>{1.0, 0.0, 0.0, 0.0});
  EXPECT_NEAR(hv[0], 1200.0 * 1.44 - 400.0 * 1.0 + 2.0, 1e-10);  // ∂²f/∂x₀² = 1200x₀² − 400x₁ + 2
  EXPECT_GE(F.stats().bytes, replayed.bytes + (recorded.nodes + 1) * kTangent);
}

TEST(TapeStats, TensorNodesCountTheirOwnArrays) {
  const std::vector<double> x(1000, 0.5);
  Function F = slope::record([](const Tensor& p) { return sum(p * p); }, x);
  EXPECT_GE(F.tensor_count(), 2u);
  const TapeStats s = F.stats();
  EXPECT_GE(s.bytes, x.size() * sizeof(double));  // p·p's value
  EXPECT_GE(s.peak, s.bytes);
}

}  // namespace
