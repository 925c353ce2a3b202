// SPDX-License-Identifier: MIT
// The replay plan and the compact format are optional passes: a recording compiled with either or
// neither replays the same numbers, for every op in the list. The function around each op is shaped to give the plan all
// its work: one-operand nodes folded into their consumers, squares computed in place, linear
// nodes, and merged steps (the Rosenbrock shape c = 100·t² + (1 − a)², t = b − a²).

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

#include "derivative_check.hpp"

namespace {

using slope::Tape;
using slope::Tensor;
using slope::Var;
using slope::ops::Arity;

struct OpName {
  template <class Op>
  static std::string GetName(int i) {
    return std::to_string(i) + "_" + Op::name;
  }
};

template <class Op>
class ReplayPlanTest : public ::testing::Test {};
TYPED_TEST_SUITE(ReplayPlanTest, slope::testing::AsGtestTypes<slope::ops::OpList>::type, OpName);

// Equal to rounding: the plan multiplies a folded node's partial into its consumer's before the
// sweep, so a product may associate differently.
void expect_same(double planned, double unplanned, const std::string& what) {
  if (!std::isfinite(planned) || !std::isfinite(unplanned)) {
    EXPECT_EQ(std::isnan(planned), std::isnan(unplanned)) << what;
    if (!std::isnan(planned)) {
      EXPECT_EQ(planned, unplanned) << what;
    }
    return;
  }
  const double scale = std::max({1.0, std::fabs(planned), std::fabs(unplanned)});
  EXPECT_LE(std::fabs(planned - unplanned), 1e-11 * scale)
      << what << ": with the plan " << planned << ", without " << unplanned;
}

// The format is chosen when a replay is first compiled; this restores it for the other tests.
struct FormatIs {
  explicit FormatIs(slope::detail::ReplayFormat f) { slope::detail::set_replay_format(f); }
  ~FormatIs() { slope::detail::set_replay_format(slope::detail::ReplayFormat::automatic); }
};

slope::Function compiled(const std::function<Var(const Tensor&)>& f, const std::vector<double>& x0,
                         slope::detail::ReplayFormat format) {
  FormatIs is(format);
  slope::Function F = slope::record(f, x0);
  (void)F.value(x0);  // compiled now, in that format
  return F;
}

// Around the op under test, y: every kind of work the plan does. Not a template: compiled once.
Var around(const Tensor& p, const Var& y) {
  return 100.0 * square(p[2] - square(y)) + square(1.0 - y) + y * p[1] - 2.0 * p[2];
}

using Fn = std::function<Var(const Tensor&)>;

void expect_plan_changes_nothing(const Fn& f, const std::vector<double>& as,
                                 const std::vector<double>& bs) {
  using slope::detail::ReplayFormat;
  const std::vector<double> x0{as[0], bs[0], 0.3};
  slope::Function planned = compiled(f, x0, ReplayFormat::plan);
  slope::Function compact = compiled(f, x0, ReplayFormat::compact);
  slope::Function unplanned = compiled(f, x0, ReplayFormat::nodes);
  for (std::size_t i = 0; i < as.size(); ++i) {
    const std::vector<double> x{as[i], bs[(i * 7 + 3) % bs.size()], 0.3 + 0.1 * double(i % 5)};
    const auto with = planned.value_and_grad(x);
    const auto without = unplanned.value_and_grad(x);
    const std::string at = "at (" + std::to_string(x[0]) + ", " + std::to_string(x[1]) + ", " +
                           std::to_string(x[2]) + ")";
    expect_same(with.value, without.value, "value " + at);
    for (std::size_t k = 0; k < 3; ++k)
      expect_same(with.grad(k), without.grad(k), "gradient " + std::to_string(k) + " " + at);
    // The compact format recomputes the partials the nodes hold: the same numbers.
    const auto recomputed = compact.value_and_grad(x);
    expect_same(recomputed.value, without.value, "compact value " + at);
    for (std::size_t k = 0; k < 3; ++k)
      expect_same(recomputed.grad(k), without.grad(k),
                  "compact gradient " + std::to_string(k) + " " + at);
    // The compact format's HVP replay (dual sweeps by its schedule) against the nodes'.
    const std::vector<double> v{0.3, -0.7, 1.1};
    const auto hv = compact.hvp(x, v);
    const auto hv_nodes = unplanned.hvp(x, v);
    for (std::size_t k = 0; k < 3; ++k)
      expect_same(hv[k], hv_nodes[k], "compact H·v " + std::to_string(k) + " " + at);
    // And both against a fresh recording at the point (no replay at all).
    const auto fresh = slope::value_and_grad(f, x);
    expect_same(with.value, fresh.value, "fresh value " + at);
    for (std::size_t k = 0; k < 3; ++k)
      expect_same(with.grad(k), fresh.grad(k), "fresh gradient " + std::to_string(k) + " " + at);
  }
}

TYPED_TEST(ReplayPlanTest, SameNumbersWithAndWithoutThePlan) {
  using Op = TypeParam;
  std::mt19937_64 rng(7);
  const std::vector<double> as = slope::testing::sample(Op::domain, rng);
  if constexpr (Op::arity == Arity::unary) {
    expect_plan_changes_nothing([](const Tensor& p) { return around(p, Tape::unary<Op>(p[0])); },
                                as, {0.5, 0.25});
  } else if constexpr (Op::arity == Arity::constant) {
    const double c = slope::testing::sample(Op::domain_c, rng)[1];
    expect_plan_changes_nothing(
        [c](const Tensor& p) { return around(p, Tape::constant<Op>(p[0], c)); }, as, {0.5, 0.25});
  } else {
    expect_plan_changes_nothing(
        [](const Tensor& p) { return around(p, Tape::binary<Op>(p[0], p[1])); }, as,
        slope::testing::sample(Op::domain_b, rng));
  }
}

}  // namespace
