// SPDX-License-Identifier: MIT
// Losses written with tensors against their scalar twins and their analytic derivatives: the
// seed's MSE on the seven cars, linear-regression MSE and logistic-regression NLL on random data.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xrandom.hpp>

#include "derivative_check.hpp"

namespace {

using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;

const Array kPounds = {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37};
const Array kMpg = {18, 15, 18, 16, 15, 14, 24};

Var scalar_mse(const Tensor& p) {
  Var s = 0.0;
  for (std::size_t i = 0; i < kPounds.size(); ++i) s += square(p[0] * kPounds(i) + p[1] - kMpg(i));
  return s / static_cast<double>(kPounds.size());
}

Var tensor_mse(const Tensor& p) { return slope::mean(slope::square(p[0] * kPounds + p[1] - kMpg)); }

void expect_close(const Array& got, const Array& want, double rel) {
  ASSERT_EQ(got.shape(), want.shape());
  // Relative to the largest entry, and never below 1: at an optimum the gradient is pure rounding.
  const double scale = std::max(1.0, xt::amax(xt::abs(want))());
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got.flat(i), want.flat(i), rel * scale) << "flat index " << i;
}

TEST(TensorSeed, MseOnTheSevenCarsEqualsTheScalarVersion) {
  for (const std::vector<double>& at :
       {std::vector<double>{0, 0}, {1.2, 0.34}, {-4.5691, 33.5851}}) {
    const auto [ls, gs] = slope::value_and_grad(scalar_mse, at);
    const auto [lt, gt] = slope::value_and_grad(tensor_mse, at);
    EXPECT_NEAR(lt, ls, 1e-12 * std::fabs(ls));
    expect_close(gt, gs, 1e-12);
    expect_close(slope::hessian(tensor_mse, at), slope::hessian(scalar_mse, at), 1e-12);
  }
  const auto [loss, g] = slope::value_and_grad(tensor_mse, std::vector<double>{0, 0});
  EXPECT_NEAR(loss, 303.714285714285714, 1e-9);
  EXPECT_NEAR(g(0), -119.717142857142857, 1e-9);
  EXPECT_NEAR(g(1), -34.285714285714286, 1e-9);
}

struct Data {
  Array X, y, w, v;
};

Data random_data(std::size_t n, std::size_t d, bool labels) {
  xt::random::seed(20261123);
  Data r;
  r.X = xt::random::randn<double>({n, d});
  r.w = 0.3 * xt::random::randn<double>({d});
  r.v = xt::random::randn<double>({d});
  if (labels)
    r.y = xt::cast<double>(xt::random::rand<double>({n}) < 0.5);
  else
    r.y = xt::random::randn<double>({n});
  return r;
}

TEST(TensorLinearRegression, GradientAndHessianAreTheNormalEquations) {
  const Data data = random_data(500, 20, false);
  const double n = 500;
  auto f = [&](const Tensor& w) {
    return slope::mean(slope::square(slope::matmul(data.X, w) - data.y));
  };
  const auto [loss, g] = slope::value_and_grad(f, data.w);
  const Array r = xt::linalg::dot(data.X, data.w) - data.y;
  EXPECT_NEAR(loss, xt::sum(r * r)() / n, 1e-12 * loss);
  expect_close(g, (2 / n) * xt::linalg::dot(xt::transpose(data.X), r), 1e-10);
  expect_close(slope::hessian(f, data.w), (2 / n) * xt::linalg::dot(xt::transpose(data.X), data.X),
               1e-10);
  expect_close(slope::hvp(f, data.w, data.v),
               (2 / n) * xt::linalg::dot(xt::transpose(data.X), xt::linalg::dot(data.X, data.v)),
               1e-10);
}

TEST(TensorLogisticRegression, GradientAndHvpAreTheTextbookFormulas) {
  const Data data = random_data(500, 20, true);
  const double n = 500;
  auto nll = [&](const Tensor& w) {
    const Tensor z = slope::matmul(data.X, w);
    return slope::mean(slope::softplus(z) - data.y * z);
  };
  const Array z = xt::linalg::dot(data.X, data.w);
  const Array s = 1.0 / (1.0 + xt::exp(-z));
  const auto [loss, g] = slope::value_and_grad(nll, data.w);
  EXPECT_NEAR(loss, xt::mean(xt::log1p(xt::exp(z)) - data.y * z)(), 1e-12 * loss);
  expect_close(g, xt::linalg::dot(xt::transpose(data.X), s - data.y) / n, 1e-10);
  const Array hv_want =
      xt::linalg::dot(xt::transpose(data.X), s * (1.0 - s) * xt::linalg::dot(data.X, data.v)) / n;
  expect_close(slope::hvp(nll, data.w, data.v), hv_want, 1e-10);
  std::mt19937_64 rng(1);
  slope::testing::expect_derivatives(nll, std::vector<double>(data.w.begin(), data.w.end()), rng);
}

TEST(TensorModels, WeightMatrixAndBiasCarvedFromOneParameterVector) {
  // A softmax classifier: W (3 features x 4 classes) and b (4,) from one vector of 16.
  xt::random::seed(3);
  const Array X = xt::random::randn<double>({10, 3});
  const Array onehot = xt::eye<double>({10, 4});
  auto loss = [&](const Tensor& p) {
    const Tensor W = p.slice(0, 12).reshape({3, 4});
    const Tensor b = p.slice(12, 16);
    return -slope::mean(slope::sum(onehot * slope::log_softmax(slope::matmul(X, W) + b, 1), 1));
  };
  std::mt19937_64 rng(4);
  slope::testing::expect_derivatives(loss, slope::testing::random_direction(16, rng), rng);
}

}  // namespace
