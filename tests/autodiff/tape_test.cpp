// SPDX-License-Identifier: MIT
// The tape itself: node layout, folding of temporaries, recordings and their lifetimes.

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "derivative_check.hpp"

namespace {

using slope::Mode;
using slope::Recording;
using slope::Tape;
using slope::Tensor;
using slope::Var;

TEST(Tape, ANodeWithItsAdjointCosts32Bytes) {
  EXPECT_EQ(sizeof(slope::Node), 32u);
  EXPECT_EQ(Tape::bytes_per_node(), 32u);
  Recording rec(Mode::replay);  // one node per op
  const Tensor p = rec.tape().inputs(std::vector<double>{1.0, 2.0});
  const Var y = sin(p[0]) * p[1];
  EXPECT_EQ(rec.tape().size(), 1u + 2u + 2u);  // sink, two inputs, sin, mul
  EXPECT_EQ(rec.tape().bytes_used(), 5u * 32u);
  rec.tape().reverse(y);
  EXPECT_DOUBLE_EQ(rec.tape().adjoint(p[0]), std::cos(1.0) * 2.0);
  EXPECT_DOUBLE_EQ(rec.tape().adjoint(p[1]), std::sin(1.0));
}

TEST(Tape, ConstantsRecordNothing) {
  Recording rec;
  Var a = 2.0, b = 3.0;
  const Var c = exp(a) * b + 1.0;
  EXPECT_FALSE(c.is_active());
  EXPECT_DOUBLE_EQ(c.value(), std::exp(2.0) * 3.0 + 1.0);
  EXPECT_EQ(rec.tape().size(), 1u);
}

TEST(Tape, SquareOfTheSameVarIsOneNode) {
  Recording rec;
  const Var x = rec.tape().input(3.0);
  const Var y = x * x;
  EXPECT_EQ(rec.tape().size(), 3u);
  EXPECT_EQ(rec.tape().nodes()[2].op(), slope::ops::op_code<slope::ops::Square>);
  rec.tape().reverse(y);
  EXPECT_EQ(rec.tape().adjoint(x), 6.0);
}

TEST(Tape, AGradientRecordingFoldsTemporariesIntoTheirConsumer) {
  // s += w * c is one node either way (for replay, a linear node its partials recompute);
  // exp(-s) is one node for a gradient, two for replay (exp needs its operand's value).
  auto count = [](Mode mode) {
    Recording rec(mode);
    const Var w = rec.tape().input(0.5);
    Var s = rec.tape().input(1.0);
    const std::size_t before = rec.tape().size();
    s += w * 3.0;
    s = exp(-s);  // neg folds into exp
    return rec.tape().size() - before;
  };
  EXPECT_EQ(count(Mode::gradient), 2u);
  EXPECT_EQ(count(Mode::replay), 3u);
}

TEST(Tape, ANamedOrCopiedTemporaryIsNeverFolded) {
  // t is held by the caller, so t + 1 must keep t's own node for the second use.
  auto f = [](const Tensor& p) {
    Var t = p[0] * 3.0;
    Var u = Var(t) + 1.0;
    std::vector<Var> kept{p[1] * 2.0};
    Var v = kept[0] * p[0];
    return u * t + v * kept[0];
  };
  std::mt19937_64 rng(1);
  slope::testing::expect_derivatives(f, {0.7, -1.3}, rng);
  const auto g = slope::grad(f, std::vector<double>{0.7, -1.3});
  // f = (3x+1)(3x) + 4 y² x  →  ∂x = 18x + 3 + 4y², ∂y = 8xy
  EXPECT_NEAR(g(0), 18 * 0.7 + 3 + 4 * 1.69, 1e-13);
  EXPECT_NEAR(g(1), 8 * 0.7 * -1.3, 1e-13);
}

TEST(Tape, FoldedAndUnfoldedRecordingsGiveTheSameGradient) {
  auto f = [](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
      s += 2.0 * sigmoid(-p[i] * 0.5) + log1p(square(p[i] - 1.0));
    return s;
  };
  const std::vector<double> x{0.3, -2.0, 1.7, 4.0};
  const auto g = slope::grad(f, x);
  Recording rec(Mode::replay);
  const Tensor p = rec.tape().inputs(x);
  rec.tape().reverse(f(p));
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(g(i), rec.tape().adjoint(p[i]), 1e-15);
}

TEST(Tape, CapacityIsKeptAcrossRecordings) {
  auto f = [](const Tensor& p) {
    Var s = 0.0;
    for (int k = 0; k < 5000; ++k) s += p[0] * static_cast<double>(k);
    return s;
  };
  slope::grad(f, std::vector<double>{1.0});
  std::size_t reserved = 0;
  {
    Recording rec;
    reserved = rec.tape().bytes_reserved();
  }
  EXPECT_GE(reserved, 5000u * sizeof(slope::Node));
  EXPECT_EQ(slope::grad(f, std::vector<double>{1.0})(0), 4999.0 * 5000.0 / 2.0);
}

TEST(Tape, RecordingsNestAndRestoreTheOuterTape) {
  Recording outer;
  const Var x = outer.tape().input(2.0);
  {
    Recording inner;
    const Var y = inner.tape().input(5.0);
    EXPECT_EQ(Tape::active(), &inner.tape());
    EXPECT_EQ((y * y).value(), 25.0);
  }
  EXPECT_EQ(Tape::active(), &outer.tape());
  const Var z = x * 3.0;
  outer.tape().reverse(z);
  EXPECT_EQ(outer.tape().adjoint(x), 3.0);
}

TEST(Tape, AFoldedRecordingCannotBeReplayed) {
  Recording rec(Mode::gradient);
  const Tensor p = rec.tape().inputs(std::vector<double>{1.0});
  const Var y = exp(2.0 * p[0]);
  EXPECT_EQ(rec.tape().nodes()[rec.tape().size() - 1].op(), slope::ops::kFusedCode);
  EXPECT_THROW(slope::detail::finish_hessian(rec.tape(), y, p, "hessian"), slope::Error);
}

}  // namespace

namespace {

TEST(Tape, InputsRegisteredAmongOpsGetEveryShareOfTheirAdjoint) {
  // x is registered after an op, so the sweep passes over it; each input is also the direct
  // predecessor of an op that uses it, the case the sweep's register carry must hand back.
  for (Mode mode : {Mode::gradient, Mode::replay}) {
    Recording rec(mode);
    const Var w = rec.tape().input(2.0);
    const Var t = w * 3.0;
    const Var x = rec.tape().input(5.0);
    Var s = x * t;  // operand x is the node just before this one
    const Var z = rec.tape().input(-1.0);
    s += z * 4.0;
    s = s * s;
    rec.tape().reverse(s);
    // s = (x·3w + 4z)², value 26 at (w, x, z) = (2, 5, −1): ∂w = 2·26·3x, ∂x = 2·26·3w, ∂z = 2·26·4
    EXPECT_DOUBLE_EQ(s.value(), 26.0 * 26.0);
    EXPECT_DOUBLE_EQ(rec.tape().adjoint(w), 2 * 26.0 * 15.0);
    EXPECT_DOUBLE_EQ(rec.tape().adjoint(x), 2 * 26.0 * 6.0);
    EXPECT_DOUBLE_EQ(rec.tape().adjoint(z), 2 * 26.0 * 4.0);
  }
}

TEST(Tape, ASecondSweepOfOneRecordingGivesTheSameAdjoints) {
  Recording rec;
  const Tensor p = rec.tape().inputs(std::vector<double>{0.5, -1.5});
  const Var y = exp(p[0] * p[1]) + square(p[1]);
  rec.tape().reverse(y);
  const double g0 = rec.tape().adjoint(p[0]), g1 = rec.tape().adjoint(p[1]);
  rec.tape().reverse(y);
  EXPECT_EQ(rec.tape().adjoint(p[0]), g0);
  EXPECT_EQ(rec.tape().adjoint(p[1]), g1);
  EXPECT_DOUBLE_EQ(g0, -1.5 * std::exp(-0.75));
}

TEST(Tape, ADualSweepNeedsTangents) {
  Recording rec;
  const Var x = rec.tape().input(1.0);
  EXPECT_THROW(rec.tape().reverse_dual(x * 2.0), slope::Error);
}

TEST(Tape, TangentsRecordedWithTheOpsGiveGradientAndHvpInOneSweep) {
  Recording rec;
  const std::vector<double> x{0.3, 0.8}, v{1.0, -2.0};
  const Tensor p = rec.tape().inputs(x, v);
  const Var y = sin(p[0]) * p[1] * p[1];  // H = [[−sin(a) b², 2b cos(a)], [2b cos(a), 2 sin(a)]]
  rec.tape().reverse_dual(y);
  const double a = x[0], b = x[1];
  EXPECT_NEAR(rec.tape().adjoint(p.first_slot()), std::cos(a) * b * b, 1e-15);
  EXPECT_NEAR(rec.tape().hvp_adjoint(p.first_slot()),
              -std::sin(a) * b * b * v[0] + 2 * b * std::cos(a) * v[1], 1e-15);
  EXPECT_NEAR(rec.tape().hvp_adjoint(p.first_slot() + 1),
              2 * b * std::cos(a) * v[0] + 2 * std::sin(a) * v[1], 1e-15);
}

}  // namespace
