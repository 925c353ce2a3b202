// SPDX-License-Identifier: MIT
// Tensor code on the tape: the usage examples of <slope/autodiff/tensor.hpp> (a linear model's
// mean squared error) and <slope/autodiff/tensor_ops.hpp> (a logistic model's negative
// log-likelihood), each run as written there on small data and checked against the gradients
// worked out by hand. Exits non-zero when a result is wrong.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <vector>

#include <slope/autodiff.hpp>

#include "expect.hpp"

namespace {

constexpr std::size_t kRows = 6;

// Deterministic, well-spread data: X (rows, cols), entries in [−1, 1].
xt::xarray<double> features(std::size_t cols) {
  xt::xarray<double> X = xt::xarray<double>::from_shape({kRows, cols});
  for (std::size_t i = 0; i < kRows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      X(i, j) = std::sin(1.0 + 3.0 * double(i) + 0.7 * double(j));
  return X;
}

// Xw + b for p = (w, b).
std::vector<double> linear(const xt::xarray<double>& X, const std::vector<double>& p) {
  const std::size_t d = X.shape()[1];
  std::vector<double> z(kRows, p[d]);
  for (std::size_t i = 0; i < kRows; ++i)
    for (std::size_t j = 0; j < d; ++j) z[i] += X(i, j) * p[j];
  return z;
}

// (Xᵀr / N, Σr / N): the gradient of a mean over rows whose row i has derivative r_i along z_i.
std::vector<double> back(const xt::xarray<double>& X, const std::vector<double>& r) {
  const std::size_t d = X.shape()[1];
  std::vector<double> g(d + 1, 0.0);
  for (std::size_t i = 0; i < kRows; ++i) {
    for (std::size_t j = 0; j < d; ++j) g[j] += X(i, j) * r[i] / kRows;
    g[d] += r[i] / kRows;
  }
  return g;
}

void tensor_header() {
  const xt::xarray<double> X = features(8);
  const xt::xarray<double> y{1.0, -2.0, 0.5, 3.0, 0.0, -1.0};
  std::vector<double> x{0.3, -0.2, 0.1, 0.5, -0.4, 0.2, 0.0, 0.6, 1.5};  // (w₁…w₈, b)

  // clang-format off
  // --- <slope/autodiff/tensor.hpp>
  auto loss = [&](const slope::Tensor& p) {          // p: the 1-D parameter vector
    slope::Tensor w = p.slice(0, 8);                  // a view on the tape, no copy of x
    slope::Var b = p[8];
    return slope::mean(slope::square(slope::matmul(X, w) + b - y));
  };
  // clang-format on
  auto [fx, g] = slope::value_and_grad(loss, x);

  // f = mean r², r = Xw + b − y;  ∇f = (2Xᵀr / N, 2Σr / N)
  std::vector<double> r = linear(X, x);
  double f = 0;
  for (std::size_t i = 0; i < kRows; ++i) {
    r[i] -= y(i);
    f += r[i] * r[i] / kRows;
    r[i] *= 2;
  }
  const std::vector<double> want = back(X, r);
  std::printf("tensor.hpp: mse = %.12f, df/db = %.12f\n", fx, g(8));
  examples::near("tensor.hpp: loss", fx, f);
  for (std::size_t j = 0; j < want.size(); ++j)
    examples::near("tensor.hpp: gradient", g(j), want[j]);
}

void tensor_ops_header() {
  constexpr std::size_t D = 3;
  const xt::xarray<double> X = features(D);
  const xt::xarray<double> y{1.0, 0.0, 0.0, 1.0, 1.0, 0.0};  // labels in {0, 1}
  const std::vector<double> x{0.8, -1.1, 0.4, 0.2};          // (w₁, w₂, w₃, b)

  auto nll = [&](const slope::Tensor& p) {
    slope::Tensor w = p.slice(0, D);
    slope::Var b = p[D];
    // clang-format off
    // --- <slope/autodiff/tensor_ops.hpp>
    slope::Tensor z = slope::matmul(X, w) + b;           // X: xt::xarray<double> (N, D)
    slope::Var loss = slope::mean(slope::softplus(z) - y * z);
    // clang-format on
    return loss;
  };
  auto [fx, g] = slope::value_and_grad(nll, x);

  // f = mean log(1 + e^z) − y·z;  ∇f = (Xᵀ(σ(z) − y) / N, Σ(σ(z) − y) / N)
  std::vector<double> z = linear(X, x), r(kRows);
  double f = 0;
  for (std::size_t i = 0; i < kRows; ++i) {
    f += (std::log1p(std::exp(z[i])) - y(i) * z[i]) / kRows;
    r[i] = 1.0 / (1.0 + std::exp(-z[i])) - y(i);
  }
  const std::vector<double> want = back(X, r);
  std::printf("tensor_ops.hpp: nll = %.12f, df/db = %.12f\n", fx, g(D));
  examples::near("tensor_ops.hpp: loss", fx, f);
  for (std::size_t j = 0; j < want.size(); ++j)
    examples::near("tensor_ops.hpp: gradient", g(j), want[j]);
  // H = X̃ᵀ diag(σ(z)(1 − σ(z))) X̃ / N, with X̃ = [X 1] (the bias column).
  const auto H = slope::hessian(nll, x);
  for (std::size_t j = 0; j <= D; ++j)
    for (std::size_t k = 0; k <= D; ++k) {
      double h = 0;
      for (std::size_t i = 0; i < kRows; ++i) {
        const double s = 1.0 / (1.0 + std::exp(-z[i]));
        h += (j < D ? X(i, j) : 1.0) * (k < D ? X(i, k) : 1.0) * s * (1.0 - s) / kRows;
      }
      examples::near("tensor_ops.hpp: Hessian", H(j, k), h);
    }
}

}  // namespace

int main() {
  tensor_header();
  tensor_ops_header();
  return examples::failures();
}
