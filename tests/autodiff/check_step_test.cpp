// SPDX-License-Identifier: MIT
// CheckOptions::step: the finite differences' own step, for functions the automatic one does
// not suit; a bad step is an error that names it.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>
#include <slope/core/format.hpp>

namespace {

using slope::Tensor;

// sin(1000 p) turns 2.8 radians over the automatic step h ≈ 2.8e-3: no difference of that
// width sees its slope 1000·cos(300) = −22.0966...
auto fast = [](const Tensor& p) { return sin(1000.0 * p[0]); };
const std::vector<double> kX{0.3};
constexpr double kSlope = -22.096619278683942;  // 1000·cos(300)

TEST(CheckStep, ASmallStepChecksWhatTheAutomaticOneCannot) {
  const auto automatic = slope::check_gradient(fast, kX);
  EXPECT_FALSE(automatic.ok) << automatic;
  EXPECT_NEAR(automatic.rows[0].ad, kSlope, 1e-9);
  EXPECT_NEAR(automatic.rows[0].step, 2.8e-3, 1e-4);
  EXPECT_GT(std::fabs(automatic.rows[0].fd - kSlope), 1.0) << automatic;

  const auto small = slope::check_gradient(fast, kX, {.step = 1e-5});
  EXPECT_TRUE(small.ok) << small;
  EXPECT_TRUE(small.smooth);
  EXPECT_NEAR(small.rows[0].step, 1e-5, 1e-15);  // rounded so that 0.3 + h is a double
  EXPECT_NEAR(small.rows[0].fd, kSlope, 1e-7);
  EXPECT_LT(small.max_rel_error, 1e-8) << small;
  EXPECT_EQ(small.options.step, 1e-5);
}

TEST(CheckStep, AStepTooSmallForRoundingIsNoCheck) {
  // exp at 1 with h = 1e-13: rounding in f, amplified by 1/h, is ~1e-2 of the slope, and the
  // error bound says so (with the automatic step it is below 1e-9).
  auto f = [](const Tensor& p) { return exp(p[0]); };
  const auto rep = slope::check_gradient(f, std::vector<double>{1.0}, {.step = 1e-13});
  EXPECT_GT(rep.rows[0].fd_error, 1e-4 * std::exp(1.0)) << rep;
  EXPECT_LT(slope::check_gradient(f, std::vector<double>{1.0}).rows[0].fd_error, 1e-9);
}

TEST(CheckStep, HvpStepMovesTheLargestCoordinateOfV) {
  // H = diag(−1e6·sin(1000 p0), 2); along v = (2, 0) the step h = step/‖v‖∞.
  auto f = [](const Tensor& p) { return sin(1000.0 * p[0]) + p[1] * p[1]; };
  const std::vector<double> x{0.3, 1.0}, v{2.0, 0.0};
  const double want = -2e6 * std::sin(300.0);
  const auto automatic = slope::check_hvp(f, x, v);
  EXPECT_NEAR(automatic.rows[0].step, std::pow(std::numeric_limits<double>::epsilon(), 0.2) / 2,
              1e-12);
  const auto small = slope::check_hvp(f, x, v, {.step = 1e-6});
  EXPECT_TRUE(small.ok) << small;
  EXPECT_EQ(small.rows[0].step, 5e-7);
  const auto& row0 = small.rows[0].index == 0 ? small.rows[0] : small.rows[1];
  EXPECT_NEAR(row0.ad, want, 1e-6 * std::fabs(want));
  EXPECT_NEAR(row0.fd, want, 1e-6 * std::fabs(want));
  // With the automatic step (7.4e-4/2: 0.74 rad of the sine along v) the fourth-order
  // difference is off by ~1 %; with the small one by far less.
  EXPECT_LT(small.max_rel_error, 1e-7) << small;
  EXPECT_GT(automatic.max_rel_error, 1e-4) << automatic;
}

TEST(CheckStep, ABadStepIsAnErrorNamingIt) {
  auto f = [](const Tensor& p) { return p[0] * p[0]; };
  const std::vector<double> x{1.0};
  for (double bad :
       {-1e-3, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    try {
      slope::check_gradient(f, x, {.step = bad});
      ADD_FAILURE() << "no error for step " << bad;
    } catch (const slope::Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("slope::check_gradient: step"), std::string::npos) << what;
      EXPECT_NE(what.find("got step " + slope::core::number(bad)), std::string::npos) << what;
    }
    EXPECT_THROW(slope::check_hvp(f, x, x, {.step = bad}), slope::Error);
  }
}

}  // namespace
