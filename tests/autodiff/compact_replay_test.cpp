// SPDX-License-Identifier: MIT
// The compact replay format (large recordings replay in it by default): its gradients against
// the analytic ones and against the node-by-node replay, from an output that is not the last
// node, through a zero adjoint meeting an infinite partial, alternating with HVPs, and what it
// costs per node.

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Function;
using slope::Tensor;
using slope::Var;
using slope::detail::ReplayFormat;

struct FormatIs {
  explicit FormatIs(ReplayFormat f) { slope::detail::set_replay_format(f); }
  ~FormatIs() { slope::detail::set_replay_format(ReplayFormat::automatic); }
};

Function compiled(const std::function<Var(const Tensor&)>& f, const std::vector<double>& x0,
                  ReplayFormat format) {
  FormatIs is(format);
  Function F = slope::record(f, x0);
  (void)F.value(x0);  // compiled now, in that format
  return F;
}

// Chained Rosenbrock with a constant on each side of an op, a linear node (a + 2b) and a
// transcendental whose partial reads its own value (exp).
Var rosenbrock(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    const Var t = p[i + 1] - p[i] * p[i];
    s += 100.0 * (t * t) + square(1.0 - p[i]);
  }
  return s + 0.5 * exp(p[0] + 2.0 * p[1]);
}

std::vector<double> rosenbrock_gradient(const std::vector<double>& x) {
  std::vector<double> g(x.size(), 0.0);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double t = x[i + 1] - x[i] * x[i];
    g[i] += -400.0 * t * x[i] - 2.0 * (1.0 - x[i]);
    g[i + 1] += 200.0 * t;
  }
  const double e = 0.5 * std::exp(x[0] + 2.0 * x[1]);
  g[0] += e;
  g[1] += 2.0 * e;
  return g;
}

std::vector<double> point(std::size_t n, double shift) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 0.3 + 0.5 * std::sin(0.7 * double(i) + shift);
  return x;
}

TEST(CompactReplay, LargeRecordingsGetItsGradientsRightAtNewPoints) {
  constexpr std::size_t n = 20000;  // about 140 000 nodes: compact by default
  Function F = slope::record(rosenbrock, point(n, 0.0));
  Function nodes = compiled(rosenbrock, point(n, 0.0), ReplayFormat::nodes);
  for (double shift : {0.5, 1.5}) {
    const std::vector<double> x = point(n, shift);
    const auto r = F.value_and_grad(x);
    const auto by_nodes = nodes.value_and_grad(x);
    const std::vector<double> g = rosenbrock_gradient(x);
    EXPECT_EQ(r.value, by_nodes.value);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(r.grad(i), g[i], 1e-12 * std::max(1.0, std::fabs(g[i]))) << "coordinate " << i;
      // Shares reach an input in schedule order, not in recorded order: equal to rounding.
      ASSERT_NEAR(r.grad(i), by_nodes.grad(i), 1e-14 * std::max(1.0, std::fabs(g[i])))
          << "coordinate " << i;
    }
  }
}

TEST(CompactReplay, CostsAThirdOfThePlanPerNode) {
  const std::vector<double> x0 = point(2000, 0.0);
  Function compact = compiled(rosenbrock, x0, ReplayFormat::compact);
  Function plan = compiled(rosenbrock, x0, ReplayFormat::plan);
  (void)compact.value_and_grad(x0);
  (void)plan.value_and_grad(x0);
  const slope::TapeStats c = compact.stats(), p = plan.stats();
  std::printf("compact %.1f, plan %.1f replay bytes per node\n", c.replay_bytes_per_node(),
              p.replay_bytes_per_node());
  ASSERT_EQ(c.nodes, p.nodes);
  // Value and adjoint (16 bytes) and two operand positions (8) per node scheduled, the inputs'
  // value and adjoint, and a position (4) for each folded product (p[i]·p[i], t·t and the square
  // of 1 − p[i], three per term: no value, adjoint or operands); the few linear nodes add their
  // constants.
  EXPECT_LE(c.replay_bytes_per_node(), 18.0);
  EXPECT_GE(c.replay_bytes_per_node(), 15.0);
  EXPECT_LT(3 * c.replay_bytes, p.replay_bytes + c.replay_bytes);
  EXPECT_EQ(c.bytes, c.replay_bytes + (c.nodes + 1) * sizeof(slope::Node));
  // An HVP adds the values' and the adjoints' tangents: two doubles per node but the folded
  // products (the sink counted).
  std::vector<double> v(x0.size(), 0.0);
  v[0] = 1.0;
  (void)compact.hvp(x0, v);
  const std::size_t stored = c.nodes + 1 - 3 * (x0.size() - 1);
  EXPECT_EQ(compact.stats().replay_bytes, c.replay_bytes + 2 * stored * sizeof(double));
}

// y is not the last node: the ones after it are not swept.
Var before_the_end(const Tensor& p) {
  const Var y = p[0] * p[1] + sin(p[2]) / p[1];
  const Var after = exp(y) * p[0];  // recorded after the output, never part of it
  (void)after;
  return y;
}

TEST(CompactReplay, AnOutputBeforeTheLastNode) {
  const std::vector<double> x0{0.5, 2.0, 1.0};
  Function F = compiled(before_the_end, x0, ReplayFormat::compact);
  // Reading y by its slot maps every slot to its position (y is not among the slots the format
  // names when it is built): four bytes per node more than the same nodes with the last output.
  Function last = compiled(
      [](const Tensor& p) {
        const Var y = p[0] * p[1] + sin(p[2]) / p[1];
        return exp(y) * p[0];
      },
      x0, ReplayFormat::compact);
  const slope::TapeStats s = F.stats();
  ASSERT_EQ(s.nodes, last.stats().nodes);
  EXPECT_EQ(s.replay_bytes, last.stats().replay_bytes + (s.nodes + 1) * sizeof(std::uint32_t));
  for (double s : {1.0, 2.0, 3.0}) {
    const std::vector<double> x{0.5 * s, 2.0 + s, s};
    const auto r = F.value_and_grad(x);
    EXPECT_DOUBLE_EQ(r.value, x[0] * x[1] + std::sin(x[2]) / x[1]);
    EXPECT_DOUBLE_EQ(r.grad(0), x[1]);
    EXPECT_DOUBLE_EQ(r.grad(1), x[0] - std::sin(x[2]) / (x[1] * x[1]));
    EXPECT_DOUBLE_EQ(r.grad(2), std::cos(x[2]) / x[1]);
  }
}

// The output is a square its consumer folds (used once, by a node recorded after it).
Var a_folded_square(const Tensor& p) {
  const Var y = square(p[0] - p[1]);
  const Var after = 3.0 * y + p[1];
  (void)after;
  return y;
}

TEST(CompactReplay, AnOutputThatIsAFoldedSquare) {
  const std::vector<double> x0{0.5, 2.0};
  Function F = compiled(a_folded_square, x0, ReplayFormat::compact);
  for (double s : {1.0, 2.0}) {
    const std::vector<double> x{0.5 * s, 2.0 + s};
    const auto r = F.value_and_grad(x);
    const double d = x[0] - x[1];
    EXPECT_DOUBLE_EQ(r.value, d * d);
    EXPECT_DOUBLE_EQ(r.grad(0), 2.0 * d);
    EXPECT_DOUBLE_EQ(r.grad(1), -2.0 * d);
  }
}

// 0 · log(x₁) at x₁ = 0: the log's partial is infinite and its adjoint zero; the gradient for x₁
// is 0 (a zero adjoint passes nothing on), not NaN.
Var zero_times_infinite(const Tensor& p) { return square(p[0]) + 0.0 * log(p[1]) * p[0]; }

TEST(CompactReplay, AZeroAdjointPassesNothingThroughAnInfinitePartial) {
  const std::vector<double> x0{1.0, 1.0};
  Function F = compiled(zero_times_infinite, x0, ReplayFormat::compact);
  const auto r = F.value_and_grad(std::vector<double>{3.0, 0.0});
  EXPECT_TRUE(std::isnan(r.value));  // 0 · −∞
  EXPECT_EQ(r.grad(1), 0.0);
}

TEST(CompactReplay, GradientsAndHvpsAlternate) {
  const std::vector<double> x0 = point(50, 0.0);
  Function F = compiled(rosenbrock, x0, ReplayFormat::compact);
  std::vector<double> v(50, 0.0);
  v[3] = 1.0;
  for (double shift : {0.25, 0.75}) {
    const std::vector<double> x = point(50, shift);
    const std::vector<double> g = rosenbrock_gradient(x);
    const auto hv = F.hvp(x, v);
    // Column 3 of the Hessian: ∂²f/∂x₃², and its neighbours.
    EXPECT_NEAR(hv[3], 1200.0 * x[3] * x[3] - 400.0 * x[4] + 2.0 + 200.0, 1e-9);
    EXPECT_NEAR(hv[2], -400.0 * x[2], 1e-9);
    const auto r = F.value_and_grad(x);
    for (std::size_t i = 0; i < 50; ++i)
      EXPECT_NEAR(r.grad(i), g[i], 1e-12 * std::max(1.0, std::fabs(g[i]))) << i;
  }
}

// Products used once, folded into their consumers: a unary op, a constant op, both operands of a
// binary op, a linear node (0.5·xy + z), a square of a sum, a product compared by a guard, and
// the output itself once (a_folded_product). Gradient and H·v against the node-by-node replay.
Var products(const Tensor& p) {
  const Var q = p[0] * p[1];
  const Var guarded = q > 0.1 ? 2.0 * q : -q;  // the guard reads q, a folded product
  return exp(p[0] * p[2]) + pow(p[1] * p[2], 3) + (p[0] * p[1]) / (p[1] * p[2] + 1.0) +
         (0.5 * (p[0] * p[2]) + p[1]) + square(p[0] + p[2]) * p[1] + guarded;
}

Var a_folded_product(const Tensor& p) {
  const Var y = p[0] * p[1];
  const Var after = sin(y) + p[1];
  (void)after;
  return y;
}

void expect_near(double got, double want, const char* what, std::size_t k) {
  EXPECT_NEAR(got, want, 1e-13 * std::max(1.0, std::fabs(want))) << what << " " << k;
}

TEST(CompactReplay, FoldedProductsGiveTheNodesNumbers) {
  const std::vector<double> x0{0.7, 0.4, 0.9};
  Function F = compiled(products, x0, ReplayFormat::compact);
  Function nodes = compiled(products, x0, ReplayFormat::nodes);
  const std::vector<double> v{0.3, -0.7, 1.1};
  for (double s : {1.0, 1.5, 2.0}) {
    const std::vector<double> x{0.7 * s, 0.4 + 0.1 * s, 0.9 / s};
    const auto r = F.value_and_grad(x), want = nodes.value_and_grad(x);
    EXPECT_EQ(F.value(x), nodes.value(x));  // read by slot: the product's factors multiplied
    expect_near(r.value, want.value, "value", 0);
    const auto hv = F.hvp(x, v), hv_want = nodes.hvp(x, v);
    for (std::size_t k = 0; k < 3; ++k) {
      expect_near(r.grad(k), want.grad(k), "gradient", k);
      expect_near(hv[k], hv_want[k], "H·v", k);
    }
  }
  // Below 0.1 the guard on the folded product breaks.
  EXPECT_THROW((void)F.value_and_grad(std::vector<double>{0.1, 0.4, 0.9}), slope::StaleRecording);

  Function G = compiled(a_folded_product, {0.5, 2.0}, ReplayFormat::compact);
  for (double s : {1.0, 2.0}) {
    const std::vector<double> x{0.5 * s, 2.0 + s};
    const auto r = G.value_and_grad(x);
    EXPECT_EQ(r.value, x[0] * x[1]);
    EXPECT_EQ(r.grad(0), x[1]);
    EXPECT_EQ(r.grad(1), x[0]);
    const auto hv = G.hvp(x, std::vector<double>{1.0, -2.0});
    EXPECT_EQ(hv[0], -2.0);  // [[0, 1], [1, 0]] · (1, −2)
    EXPECT_EQ(hv[1], 1.0);
  }
}

// The format keeps a value and an adjoint per scheduled node and none for a folded product
// (x0·x1 into sin, x1·x1 into cos, and both terms into the sums): by slot, a folded product's
// value is its factors' product, and after the reverse sweeps only the inputs' adjoints are kept
// (an intermediate's reads 0, a folded one's too, though the format has no place for it: the
// last ones' slots are past its arrays).
TEST(CompactReplay, KeepsTheInputsAdjointsOnly) {
  FormatIs is(ReplayFormat::compact);
  slope::Recording rec(slope::Mode::replay);
  slope::Tape& tape = rec.tape();
  const Tensor p = tape.inputs(std::vector<double>{0.5, 2.0});
  const Var u = p[0] * p[1];
  const Var w = sin(u) * p[0];
  const Var r = cos(p[1] * p[1]) * p[1];
  const Var y = w + r + 3.0 * p[1];  // f = x0·sin(x0·x1) + x1·cos(x1²) + 3·x1
  const std::uint32_t x0 = p[0].slot(), x1 = p[1].slot();
  const std::vector<std::uint32_t> intermediates{u.slot(), w.slot(), r.slot()};
  tape.close();

  const double a = 0.25, b = 1.5, ab = a * b, bb = b * b;
  const double f1 = a * a * std::cos(ab) + std::cos(bb) - 2 * bb * std::sin(bb) + 3.0;
  tape.replay(std::vector<double>{a, b});
  EXPECT_EQ(tape.replayed_value(u.slot()), ab);
  EXPECT_EQ(tape.replayed_value(w.slot()), std::sin(ab) * a);
  EXPECT_EQ(tape.replayed_value(r.slot()), std::cos(bb) * b);
  EXPECT_NEAR(tape.replayed_value(y.slot()), std::sin(ab) * a + std::cos(bb) * b + 3.0 * b, 1e-15);
  tape.reverse_replayed(y.slot());
  EXPECT_NEAR(tape.adjoint(x0), std::sin(ab) + ab * std::cos(ab), 1e-15);
  EXPECT_NEAR(tape.adjoint(x1), f1, 1e-14);
  for (const std::uint32_t slot : intermediates) EXPECT_EQ(tape.adjoint(slot), 0.0) << slot;

  // H·(1, 0) = (f₀₀, f₀₁).
  tape.replay(std::vector<double>{a, b}, std::vector<double>{1.0, 0.0});
  tape.reverse_dual_replayed(y.slot());
  EXPECT_NEAR(tape.hvp_adjoint(x0), 2 * b * std::cos(ab) - a * bb * std::sin(ab), 1e-15);
  EXPECT_NEAR(tape.hvp_adjoint(x1), 2 * a * std::cos(ab) - a * ab * std::sin(ab), 1e-15);
  EXPECT_NEAR(tape.adjoint(x1), f1, 1e-14);
  for (const std::uint32_t slot : intermediates) {
    EXPECT_EQ(tape.adjoint(slot), 0.0) << slot;
    EXPECT_EQ(tape.hvp_adjoint(slot), 0.0) << slot;
  }
}

}  // namespace
