// SPDX-License-Identifier: MIT
// The generic op test: walks the op list, so every op is checked at first and second order
// against finite differences, at random points inside its domain and at edge points, both as a
// node of its own and with a temporary folded into it. Second order runs through hvp (tangents
// recorded with the ops); the Hessian tests cover the replayed sweeps.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "derivative_check.hpp"

namespace {

using slope::Tape;
using slope::Tensor;
using slope::Var;
using slope::ops::Arity;
using slope::ops::Domain;

using slope::testing::AsGtestTypes;

struct OpName {
  template <class Op>
  static std::string GetName(int i) {
    const char* kind = Op::arity == Arity::unary ? "" : Op::arity == Arity::binary ? "_xy" : "_c";
    return std::to_string(i) + "_" + Op::name + kind;
  }
};

using slope::testing::sample;

template <class Op>
class OpTest : public ::testing::Test {};
TYPED_TEST_SUITE(OpTest, AsGtestTypes<slope::ops::OpList>::type, OpName);

// Abs, min and max have kinks: their HVP is only compared where a difference cannot straddle one.
template <class Op>
bool smooth_at(double x) {
  return !(std::is_same_v<Op, slope::ops::Abs> && std::fabs(x) < 0.05);
}

TYPED_TEST(OpTest, ValueGradientAndHvpMatchFiniteDifferences) {
  using Op = TypeParam;
  std::mt19937_64 rng(42);
  const std::vector<double> as = sample(Op::domain, rng);
  if constexpr (Op::arity == Arity::unary) {
    auto f = [](const Tensor& p) { return Tape::unary<Op>(p[0]); };
    // 0.5 * (2 * x) is exactly x and leaves a folded temporary for Op to absorb.
    auto folded = [](const Tensor& p) { return Tape::unary<Op>(0.5 * (2.0 * p[0])); };
    for (double a : as) {
      EXPECT_EQ(slope::value_and_grad(f, std::vector<double>{a}).value, Op::f(a));
      slope::testing::expect_derivatives(f, {a}, rng, smooth_at<Op>(a));
      slope::testing::expect_derivatives(folded, {a}, rng, smooth_at<Op>(a));
    }
  } else if constexpr (Op::arity == Arity::constant) {
    const std::vector<double> cs = sample(Op::domain_c, rng);
    for (std::size_t i = 0; i < as.size(); ++i) {
      const double c = cs[(i * 7) % cs.size()];
      if (std::fabs(as[i] - c) < 0.05) continue;  // kinks of min/max at a tie
      auto f = [c](const Tensor& p) { return Tape::constant<Op>(p[0], c); };
      auto folded = [c](const Tensor& p) {
        return Tape::constant<Op>(0.5 * (2.0 * p[0]), c);
      };
      EXPECT_EQ(slope::value_and_grad(f, std::vector<double>{as[i]}).value, Op::f(as[i], c));
      slope::testing::expect_derivatives(f, {as[i]}, rng);
      slope::testing::expect_derivatives(folded, {as[i]}, rng);
    }
  } else {
    const std::vector<double> bs = sample(Op::domain_b, rng);
    for (std::size_t i = 0; i < as.size(); ++i) {
      const double a = as[i], b = bs[(i * 7 + 3) % bs.size()];
      if (std::fabs(a - b) < 0.05) continue;  // min/max ties are the subgradient test's business
      auto f = [](const Tensor& p) { return Tape::binary<Op>(p[0], p[1]); };
      auto fold_a = [](const Tensor& p) {
        return Tape::binary<Op>(0.5 * (2.0 * p[0]), p[1]);
      };
      auto fold_b = [](const Tensor& p) {
        return Tape::binary<Op>(p[0], 0.5 * (2.0 * p[1]));
      };
      EXPECT_EQ(slope::value_and_grad(f, std::vector<double>{a, b}).value, Op::f(a, b));
      slope::testing::expect_derivatives(f, {a, b}, rng);
      slope::testing::expect_derivatives(fold_a, {a, b}, rng);
      slope::testing::expect_derivatives(fold_b, {a, b}, rng);
    }
  }
}

TEST(Subgradients, AbsMinMaxAtKinksFollowTheDocumentedConvention) {
  auto abs0 = slope::grad([](const Tensor& p) { return abs(p[0]); }, std::vector<double>{0.0});
  EXPECT_EQ(abs0(0), 0.0);
  auto mn = slope::grad([](const Tensor& p) { return min(p[0], p[1]); }, std::vector<double>{2, 2});
  auto mx = slope::grad([](const Tensor& p) { return max(p[0], p[1]); }, std::vector<double>{2, 2});
  EXPECT_EQ(mn(0), 0.5);
  EXPECT_EQ(mn(1), 0.5);
  EXPECT_EQ(mx(0), 0.5);
  EXPECT_EQ(mx(1), 0.5);
  auto mc = slope::grad([](const Tensor& p) { return max(p[0], 2.0); }, std::vector<double>{2.0});
  EXPECT_EQ(mc(0), 0.5);
}

TEST(Pow, IntegerExponentsWorkForNegativeBasesAndAtZero) {
  std::mt19937_64 rng(1);
  auto cube = [](const Tensor& p) { return pow(p[0], 3); };
  slope::testing::expect_derivatives(cube, {-1.7}, rng);
  EXPECT_DOUBLE_EQ(slope::grad(cube, std::vector<double>{-2.0})(0), 12.0);
  EXPECT_EQ(slope::grad(cube, std::vector<double>{0.0})(0), 0.0);
  EXPECT_EQ(slope::hessian(cube, std::vector<double>{0.0})(0, 0), 0.0);
  auto sq = [](const Tensor& p) { return pow(p[0], 2.0); };
  EXPECT_EQ(slope::hessian(sq, std::vector<double>{-3.0})(0, 0), 2.0);
  auto zero_power = [](const Tensor& p) { return pow(p[0], 0); };
  EXPECT_EQ(slope::grad(zero_power, std::vector<double>{0.0})(0), 0.0);
}

TEST(LogSumExp, NaryIsStableAndItsGradientIsTheSoftmax) {
  std::mt19937_64 rng(3);
  auto f = [](const Tensor& p) { return slope::log_sum_exp({p[0], p[1], p[2], p[3]}); };
  const std::vector<double> x{1000.0, 999.0, -5.0, 998.5};
  const auto [fx, g] = slope::value_and_grad(f, x);
  const double m = 1000.0;
  double s = 0;
  for (double xi : x) s += std::exp(xi - m);
  EXPECT_NEAR(fx, m + std::log(s), 1e-12);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(g(i), std::exp(x[i] - m) / s, 1e-14);
  slope::testing::expect_derivatives(f, {0.3, -1.2, 2.0, 0.7}, rng);
  auto variadic = [](const Tensor& p) { return log_sum_exp(p[0], p[1], p[2], p[3]); };
  EXPECT_EQ(slope::grad(variadic, x), g);
}

TEST(Stable, SigmoidAndSoftplusStayFiniteAtLargeMagnitudes) {
  for (double x : {-800.0, -40.0, 40.0, 800.0}) {
    const auto [s, ds] = slope::value_and_grad([](const Tensor& p) { return sigmoid(p[0]); },
                                               std::vector<double>{x});
    const auto [sp, dsp] = slope::value_and_grad([](const Tensor& p) { return softplus(p[0]); },
                                                 std::vector<double>{x});
    EXPECT_TRUE(std::isfinite(s) && std::isfinite(ds(0)) && std::isfinite(sp) &&
                std::isfinite(dsp(0)));
    EXPECT_NEAR(sp, x > 0 ? x : 0.0, 1e-12 * std::fabs(x));
    EXPECT_NEAR(dsp(0), x > 0 ? 1.0 : 0.0, 1e-15);
  }
}

// log σ(x) = −softplus(−x) on both sides of 0 and far out, where log(sigmoid(x)) would give
// log 0 = −∞ (x = −800) or 0 (x = 40, where the answer is −4.2e-18); its slope σ(−x) does not
// cancel to 0 at x = 40 as 1 − σ(x) would. Var, Tensor and double agree.
TEST(Stable, LogSigmoidIsMinusSoftplusOfMinusXFarOutInBothTails) {
  using slope::ops::Sigmoid;
  for (double x : {-800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0}) {
    auto f = [](const Tensor& p) { return log_sigmoid(p[0]); };
    const auto [v, g] = slope::value_and_grad(f, std::vector<double>{x});
    EXPECT_DOUBLE_EQ(v, -slope::softplus(-x)) << x;
    EXPECT_DOUBLE_EQ(g(0), Sigmoid::f(-x)) << x;
    EXPECT_DOUBLE_EQ(slope::hessian(f, std::vector<double>{x})(0, 0),
                     -Sigmoid::f(x) * Sigmoid::f(-x))
        << x;
    EXPECT_EQ(slope::log_sigmoid(x), v) << x;
    // The same zero too: 1 / log σ(800) is −∞ wherever it is computed (the record path once gave
    // +0, its double twin −0).
    EXPECT_EQ(std::signbit(slope::log_sigmoid(x)), std::signbit(v)) << x;
    const auto [tv, tg] = slope::value_and_grad([](const Tensor& p) { return sum(log_sigmoid(p)); },
                                                std::vector<double>{x});
    EXPECT_EQ(tv, v) << x;
    EXPECT_EQ(tg(0), g(0)) << x;
  }
  EXPECT_EQ(slope::log_sigmoid(-800.0), -800.0);
  EXPECT_TRUE(std::signbit(slope::value_and_grad([](const Tensor& p) { return log_sigmoid(p[0]); },
                                                 std::vector<double>{800.0})
                               .value));
  EXPECT_NEAR(slope::log_sigmoid(40.0), -std::exp(-40.0), 1e-32);
  EXPECT_NEAR(
      slope::grad([](const Tensor& p) { return log_sigmoid(p[0]); }, std::vector<double>{40.0})(0),
      std::exp(-40.0), 1e-32);
}

// logit undoes sigmoid: logit(σ(x)) = x, with slope 1/(p(1 − p)) = 1/σ'(x) and curvature
// (2p − 1)/(p(1 − p))²; outside (0, 1) it is NaN, which the NaN check reports.
TEST(Stable, LogitIsTheInverseOfSigmoid) {
  using slope::ops::Sigmoid;
  for (double x : {-30.0, -5.0, -0.5, 0.0, 0.5, 5.0, 30.0}) {
    const double p = Sigmoid::f(x);
    auto f = [](const Tensor& q) { return logit(q[0]); };
    const auto [v, g] = slope::value_and_grad(f, std::vector<double>{p});
    EXPECT_NEAR(v, x, 1e-15 * (1 + std::fabs(x)) / (1 - p)) << x;
    EXPECT_NEAR(g(0), 1 / (p * (1 - p)), 1e-14 / (p * (1 - p))) << x;
    const double h = slope::hessian(f, std::vector<double>{p})(0, 0);
    EXPECT_NEAR(h, (2 * p - 1) / std::pow(p * (1 - p), 2), 1e-13 / std::pow(p * (1 - p), 2)) << x;
    EXPECT_EQ(slope::logit(p), v) << x;
  }
  EXPECT_EQ(slope::logit(0.5), 0.0);
  auto outside = [] {
    return slope::value_and_grad([](const Tensor& q) { return logit(q[0]); },
                                 std::vector<double>{1.5});
  };
  EXPECT_TRUE(std::isnan(outside().value));  // NaN propagates, as for log(-1)
  slope::set_nan_check(true);
  EXPECT_THROW((void)outside(), slope::Error);
  slope::set_nan_check(false);
}

}  // namespace
