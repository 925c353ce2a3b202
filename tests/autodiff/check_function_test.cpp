// SPDX-License-Identifier: MIT
// Checking a recorded Function at its bound data, and data as a constant Tensor so that a loss
// of (p, X, y) goes straight into check_gradient.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <xtensor/xmath.hpp>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

const xt::xarray<double> kX{{1.0, 2.0}, {0.5, -1.0}, {3.0, 0.25}, {-2.0, 1.5}};
const xt::xarray<double> kY{1.0, 0.0, 2.0, -1.0};
const std::vector<double> kP{0.3, -0.4};

Var mse(const Tensor& p, const Tensor& X, const Tensor& y) {
  return slope::mean(slope::square(slope::matmul(X, p) - y));
}

// 2/N Xᵀ(Xp − y), by hand.
xt::xarray<double> mse_gradient(const xt::xarray<double>& X, const xt::xarray<double>& y,
                                const std::vector<double>& p) {
  const std::size_t n = X.shape()[0];
  xt::xarray<double> g{0.0, 0.0};
  for (std::size_t i = 0; i < n; ++i) {
    const double r = X(i, 0) * p[0] + X(i, 1) * p[1] - y(i);
    g(0) += 2 * X(i, 0) * r / static_cast<double>(n);
    g(1) += 2 * X(i, 1) * r / static_cast<double>(n);
  }
  return g;
}

TEST(CheckConstant, ALossOfDataGoesStraightIntoCheckGradient) {
  auto f = [](const Tensor& p) { return mse(p, slope::constant(kX), slope::constant(kY)); };
  const auto want = mse_gradient(kX, kY, kP);
  const auto g = slope::grad(f, kP);
  EXPECT_NEAR(g(0), want(0), 1e-13);
  EXPECT_NEAR(g(1), want(1), 1e-13);
  const auto rep = slope::check_gradient(f, kP);
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_LT(rep.max_rel_error, 1e-9) << rep;
  EXPECT_TRUE(slope::check_gradient(f, kP, [](const std::vector<double>& p) {
                return mse_gradient(kX, kY, p);
              }).ok);
}

TEST(CheckConstant, TemporariesAndExpressionsAreOwned) {
  // 2X as an expression and y + 1 as a temporary: evaluated into copies the tape owns.
  auto f = [](const Tensor& p) {
    return mse(p, slope::constant(2.0 * kX), slope::constant(xt::xarray<double>(kY + 1.0)));
  };
  const xt::xarray<double> X2 = 2.0 * kX, y1 = kY + 1.0;
  const auto want = mse_gradient(X2, y1, kP);
  const auto g = slope::grad(f, kP);
  EXPECT_NEAR(g(0), want(0), 1e-12);
  EXPECT_NEAR(g(1), want(1), 1e-12);
}

TEST(CheckConstant, IsAnErrorOutsideARecording) {
  try {
    slope::constant(kX);
    ADD_FAILURE() << "no error";
  } catch (const slope::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("constant: no recording is active"), std::string::npos) << what;
  }
}

TEST(CheckRecordedFunction, ChecksAtTheBoundData) {
  slope::Placeholder X("X", kX), y("y", kY);
  slope::Function F = slope::record(mse, kP, X, y);
  auto right = [](const std::vector<double>& p) { return mse_gradient(kX, kY, p); };
  const auto rep = slope::check_gradient(F, kP, right);
  EXPECT_TRUE(rep.ok) << rep;
  EXPECT_NEAR(rep.rows[0].ad, mse_gradient(kX, kY, kP)(rep.rows[0].index), 1e-13);

  // Wrong in coordinate 1 only.
  auto wrong = [&right](const std::vector<double>& p) {
    auto g = right(p);
    g(1) *= 0.5;
    return g;
  };
  const auto bad = slope::check_gradient(F, kP, wrong);
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.worst_index, 1u);
  EXPECT_TRUE(bad.rows[1].ok);

  // Other rows bound: the check follows them, so the gradient of the first data fails.
  const xt::xarray<double> X2{{1.0, -1.0}, {2.0, 0.5}};
  const xt::xarray<double> y2{0.5, 3.0};
  F.bind("X", X2);
  F.bind("y", y2);
  const auto rebound = slope::check_gradient(F, kP);
  EXPECT_TRUE(rebound.ok) << rebound;
  const auto want = mse_gradient(X2, y2, kP);
  for (const auto& row : rebound.rows) EXPECT_NEAR(row.ad, want(row.index), 1e-13);
  EXPECT_FALSE(slope::check_gradient(F, kP, right).ok);
}

TEST(CheckRecordedFunction, ConstantsAreReplayed) {
  slope::Function F = slope::record(
      [](const Tensor& p) { return mse(p, slope::constant(kX), slope::constant(kY)); }, kP);
  const std::vector<double> at{-1.5, 2.0};
  const auto rep = slope::check_gradient(F, at);
  EXPECT_TRUE(rep.ok) << rep;
  const auto want = mse_gradient(kX, kY, at);
  for (const auto& row : rep.rows) EXPECT_NEAR(row.ad, want(row.index), 1e-12);
}

TEST(CheckRecordedFunction, ChecksTheHvp) {
  slope::Placeholder X("X", kX), y("y", kY);
  slope::Function F = slope::record(mse, kP, X, y);
  const std::vector<double> v{1.0, -0.5};
  const auto rep = slope::check_hvp(F, kP, v);
  EXPECT_TRUE(rep.ok) << rep;
  // H = 2/N XᵀX, so Hv by hand.
  for (const auto& row : rep.rows) {
    double want = 0;
    for (std::size_t i = 0; i < 4; ++i)
      want += 2 * kX(i, row.index) * (kX(i, 0) * v[0] + kX(i, 1) * v[1]) / 4;
    EXPECT_NEAR(row.ad, want, 1e-12);
    EXPECT_NEAR(row.fd, want, 1e-7);
  }
}

TEST(CheckRecordedFunction, WrongLengthsAreErrorsNamingThem) {
  slope::Placeholder X("X", kX), y("y", kY);
  slope::Function F = slope::record(mse, kP, X, y);
  const std::vector<double> three{1.0, 2.0, 3.0};
  try {
    slope::check_gradient(F, three);
    ADD_FAILURE() << "no error";
  } catch (const slope::Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "slope::check_gradient: x has length 3, the Function's dimension is 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(slope::check_hvp(F, kP, three), slope::Error);
}

}  // namespace
