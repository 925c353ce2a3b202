// SPDX-License-Identifier: MIT
// A derivative check never passes on NaN, on an infinite value, on a finite difference that is
// no larger than its own error bound, or on a relative error of 100 %; and its report never
// hides such an error as 0.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

#include "seven_cars.hpp"

namespace {

using slope::Tensor;
using slope::Var;

using seven_cars::mse;

std::string text(const slope::CheckReport& r) {
  std::ostringstream out;
  out << r;
  return out.str();
}

// At w = 1e200 the loss overflows to inf, so every finite difference is NaN. The check used to
// say FAILED with "max abs error 0, max rel error 0".
TEST(CheckNeverPasses, NanFiniteDifferencesMakeNanErrors) {
  const std::vector<double> x{1e200, 0.0};
  const auto rep = slope::check_gradient(mse, x);
  EXPECT_FALSE(rep.ok);
  EXPECT_TRUE(std::isnan(rep.max_abs_error)) << rep;
  EXPECT_TRUE(std::isnan(rep.max_rel_error)) << rep;
  ASSERT_EQ(rep.rows.size(), 2u);
  for (const auto& row : rep.rows) {
    EXPECT_FALSE(row.ok);
    EXPECT_TRUE(std::isnan(row.fd));
    EXPECT_TRUE(std::isnan(row.abs_error));
  }
  const std::string t = text(rep);
  EXPECT_NE(t.find("max abs error nan, max rel error nan"), std::string::npos) << t;
  EXPECT_NE(t.find("NaN or infinite values"), std::string::npos) << t;
}

// The Hessian is constant (26.701 and 7.197 along v = (1, 0)), but at w = 1e200 a step of 7e-4
// moves nothing: both gradients are equal, the difference is 0 and its rounding bound ~1e189.
// That bound used to count as tolerance, so AD 26.701 "agreed" with FD 0.
TEST(CheckNeverPasses, HvpWhoseDifferenceIsAllRounding) {
  const auto rep =
      slope::check_hvp(mse, std::vector<double>{1e200, 0.0}, std::vector<double>{1.0, 0.0});
  EXPECT_FALSE(rep.ok) << rep;
  EXPECT_TRUE(rep.fd_unreliable);
  ASSERT_EQ(rep.rows.size(), 2u);
  for (const auto& row : rep.rows) {
    EXPECT_FALSE(row.ok);
    EXPECT_TRUE(row.fd_unreliable);
    EXPECT_EQ(row.fd, 0.0);
    EXPECT_GT(row.fd_error, 1e180);
    EXPECT_NEAR(row.ad, row.index == 0 ? 26.701 : 7.1971428571428575, 1e-9);
  }
  const std::string t = text(rep);
  EXPECT_NE(t.find("finite differences are meaningless here"), std::string::npos) << t;
  // At a sane point the same check passes: the failure is the point's, not the HVP's.
  const auto sane =
      slope::check_hvp(mse, std::vector<double>{1.2, 0.34}, std::vector<double>{1.0, 0.0});
  EXPECT_TRUE(sane.ok) << sane;
  EXPECT_FALSE(sane.fd_unreliable);
}

TEST(CheckNeverPasses, ADifferenceDrownedInRoundingIsMeaningless) {
  // f = 1e13 + 0.7·x: f rounds to ulp(1e13)/2 ≈ 1e-3, so at h = 1e-3 the difference reads 1.27
  // and its own bound (16) exceeds the slope. That bound may not excuse AD 0.7 against FD 1.27.
  const slope::detail::ValueFn f = [](std::span<const double> x) { return 1e13 + 0.7 * x[0]; };
  const std::vector<double> x{0.3};
  const xt::xarray<double> ad{0.7};
  const auto narrow = slope::detail::compare_gradient(f, x, ad, nullptr, {.step = 1e-3});
  EXPECT_FALSE(narrow.ok) << narrow;
  EXPECT_TRUE(narrow.rows[0].fd_unreliable);
  EXPECT_NEAR(narrow.rows[0].fd, 1.27, 0.01);
  EXPECT_GT(narrow.rows[0].fd_error, 10.0);
  EXPECT_LT(narrow.rows[0].rel_error, 0.5);  // not the 100 % rule: the meaningless one
  // The automatic step widens until rounding no longer swamps the difference, then passes.
  const auto automatic = slope::detail::compare_gradient(f, x, ad, nullptr, {});
  EXPECT_TRUE(automatic.ok) << automatic;
  EXPECT_FALSE(automatic.fd_unreliable);
  EXPECT_GT(automatic.rows[0].step, 0.04);
  EXPECT_LT(automatic.rows[0].fd_error, 0.7);
}

TEST(CheckNeverPasses, InfiniteValuesFailEvenWhenEqual) {
  // exp(1000) overflows: AD and the analytic value are both +inf, the differences NaN.
  auto f = [](const Tensor& p) { return exp(p[0]); };
  auto inf_grad = [](const std::vector<double>&) {
    return std::vector<double>{std::numeric_limits<double>::infinity()};
  };
  const auto rep = slope::check_gradient(f, std::vector<double>{1000.0}, inf_grad);
  EXPECT_FALSE(rep.ok) << rep;
  EXPECT_EQ(rep.rows[0].ad, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(rep.max_abs_error));
}

TEST(CheckNeverPasses, ARelativeErrorOfOneFailsAtAnyTolerance) {
  auto f = [](const Tensor& p) { return 3.0 * p[0] + p[1] * p[1]; };
  const std::vector<double> x{0.5, 2.0};
  // rtol = 2 would accept a gradient of the wrong sign or a zero one by the tolerance alone.
  const slope::CheckOptions loose{.rtol = 2.0};
  auto wrong_sign = [](const std::vector<double>& p) {
    return std::vector<double>{-3.0, 2 * p[1]};
  };
  const auto neg = slope::check_gradient(f, x, wrong_sign, loose);
  EXPECT_FALSE(neg.ok) << neg;
  EXPECT_EQ(neg.worst_index, 0u);
  EXPECT_NEAR(neg.rows.front().rel_error, 2.0, 1e-9);
  auto zero = [](const std::vector<double>& p) { return std::vector<double>{0.0, 2 * p[1]}; };
  const auto z = slope::check_gradient(f, x, zero, loose);
  EXPECT_FALSE(z.ok) << z;
  EXPECT_NEAR(z.rows.front().rel_error, 1.0, 1e-9);
  // A 40 % error is within rtol = 2 and passes: the rule is about 100 %, not about rtol.
  auto off = [](const std::vector<double>& p) { return std::vector<double>{1.8, 2 * p[1]}; };
  EXPECT_TRUE(slope::check_gradient(f, x, off, loose).ok);
}

TEST(CheckNeverPasses, TheRulesHoldForAnyValueFunction) {
  // detail::compare_gradient with a hand-made "AD": the value function is exact, AD is NaN in
  // coordinate 1 and of the wrong sign (a relative error of 200 %) in coordinate 0.
  const slope::detail::ValueFn f = [](std::span<const double> x) { return 2 * x[0] - x[1]; };
  const std::vector<double> x{1.0, 1.0};
  const xt::xarray<double> ad{-2.0, std::numeric_limits<double>::quiet_NaN()};
  const auto rep = slope::detail::compare_gradient(f, x, ad, nullptr, {.rtol = 3.0});
  EXPECT_FALSE(rep.ok);
  EXPECT_TRUE(std::isnan(rep.max_abs_error));
  EXPECT_EQ(rep.rows[0].index, 1u);  // the NaN row is worst
  EXPECT_FALSE(rep.rows[1].ok);      // -2 against 2: within rtol = 3 by the tolerance alone
  EXPECT_NEAR(rep.rows[1].rel_error, 2.0, 1e-10);
  EXPECT_NEAR(rep.rows[1].fd, 2.0, 1e-10);
}

}  // namespace
