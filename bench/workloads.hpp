// SPDX-License-Identifier: MIT
#pragma once

// The scalar benchmark workloads. Each loss is written once as a template over its number type:
// loss<double>(std::vector<double>) is the plain function, loss<slope::Var>(slope::Tensor) the
// taped one, so both time exactly the same arithmetic. `gradient` is the analytic gradient written
// by hand, the baseline Slope is measured against.

#include <slope/autodiff.hpp>
#include <cstddef>
#include <random>
#include <vector>

namespace bench {

struct Data {
  std::size_t n = 0;    // examples (W1, W3) or parameters (W2)
  std::size_t dim = 0;  // features per example
  std::vector<double> X, y;
};

// What a benchmark needs: the data, a start point and a direction for the HVP.
struct Problem {
  Data data;
  std::vector<double> x0, v;
};

// Fixed seeds: every run times the same problem.
inline std::vector<double> normal(std::mt19937_64& rng, std::size_t n, double sd) {
  std::normal_distribution<double> dist(0.0, sd);
  std::vector<double> out(n);
  for (double& x : out) x = dist(rng);
  return out;
}

// Features ~ N(0, 1) and a hidden linear model z = X w* + b*, returned as z.
inline std::vector<double> linear_data(std::mt19937_64& rng, Data& d, std::size_t n,
                                       std::size_t dim) {
  d.n = n;
  d.dim = dim;
  d.X = normal(rng, n * dim, 1.0);
  const std::vector<double> w = normal(rng, dim, 1.0);
  std::vector<double> z(n, 0.5);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < dim; ++j) z[i] += w[j] * d.X[i * dim + j];
  return z;
}

/// W1: mean squared error of a linear model, params (w_0..w_{D-1}, b).
struct W1 {
  static constexpr const char* name = "W1";
  static constexpr const char* what = "linear MSE, N=1000, D=8";

  template <class T, class P>
  static T loss(const P& p, const Data& d) {
    const std::size_t N = d.n, D = d.dim;
    T sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      T pred = p[D];
      for (std::size_t j = 0; j < D; ++j) pred += p[j] * d.X[i * D + j];
      T r = pred - d.y[i];
      sum += r * r;
    }
    return sum / static_cast<double>(N);
  }

  static double gradient(const std::vector<double>& p, const Data& d, std::vector<double>& g) {
    const std::size_t N = d.n, D = d.dim;
    g.assign(D + 1, 0.0);
    double sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      const double* x = &d.X[i * D];
      double pred = p[D];
      for (std::size_t j = 0; j < D; ++j) pred += p[j] * x[j];
      const double r = pred - d.y[i];
      sum += r * r;
      for (std::size_t j = 0; j < D; ++j) g[j] += r * x[j];
      g[D] += r;
    }
    for (double& gj : g) gj *= 2.0 / static_cast<double>(N);
    return sum / static_cast<double>(N);
  }

  static Problem problem() {
    std::mt19937_64 rng(1);
    Problem pr;
    std::vector<double> z = linear_data(rng, pr.data, 1000, 8);
    std::normal_distribution<double> noise(0.0, 0.1);
    for (double& zi : z) zi += noise(rng);
    pr.data.y = std::move(z);
    pr.x0 = normal(rng, 9, 0.1);
    pr.v = normal(rng, 9, 1.0);
    return pr;
  }
};

/// W2: extended Rosenbrock (Moré, Garbow & Hillstrom), n independent pairs.
struct W2 {
  static constexpr const char* name = "W2";
  static constexpr const char* what = "extended Rosenbrock, n=1000";

  template <class T, class P>
  static T loss(const P& p, const Data& d) {
    T s = 0.0;
    for (std::size_t i = 0; i < d.n / 2; ++i) {
      T a = p[2 * i], b = p[2 * i + 1];
      T t = b - a * a;
      T u = 1.0 - a;
      s += 100.0 * (t * t) + u * u;
    }
    return s;
  }

  static double gradient(const std::vector<double>& p, const Data& d, std::vector<double>& g) {
    g.resize(d.n);
    double s = 0.0;
    for (std::size_t i = 0; i < d.n / 2; ++i) {
      const double a = p[2 * i], b = p[2 * i + 1];
      const double t = b - a * a, u = 1.0 - a;
      s += 100.0 * (t * t) + u * u;
      g[2 * i] = -400.0 * a * t - 2.0 * u;
      g[2 * i + 1] = 200.0 * t;
    }
    return s;
  }

  static Problem problem(std::size_t n = 1000) {
    std::mt19937_64 rng(2);
    Problem pr;
    pr.data.n = n;
    // The standard start (-1.2, 1, -1.2, 1, ...), jittered so the pairs are not all identical.
    pr.x0 = normal(rng, pr.data.n, 0.01);
    for (std::size_t i = 0; i < pr.data.n; ++i) pr.x0[i] += i % 2 == 0 ? -1.2 : 1.0;
    pr.v = normal(rng, pr.data.n, 1.0);
    return pr;
  }
};

/// W3: mean negative log-likelihood of logistic regression, params (w_0..w_{D-1}, b).
struct W3 {
  static constexpr const char* name = "W3";
  static constexpr const char* what = "logistic NLL, N=1000, D=20";

  template <class T, class P>
  static T loss(const P& p, const Data& d) {
    using slope::softplus;  // the double overload; Var's is also found by ADL
    const std::size_t N = d.n, D = d.dim;
    T sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      T z = p[D];
      for (std::size_t j = 0; j < D; ++j) z += p[j] * d.X[i * D + j];
      sum += softplus(z) - d.y[i] * z;
    }
    return sum / static_cast<double>(N);
  }

  static double gradient(const std::vector<double>& p, const Data& d, std::vector<double>& g) {
    const std::size_t N = d.n, D = d.dim;
    g.assign(D + 1, 0.0);
    double sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      const double* x = &d.X[i * D];
      double z = p[D];
      for (std::size_t j = 0; j < D; ++j) z += p[j] * x[j];
      sum += slope::softplus(z) - d.y[i] * z;
      const double r = slope::sigmoid(z) - d.y[i];
      for (std::size_t j = 0; j < D; ++j) g[j] += r * x[j];
      g[D] += r;
    }
    for (double& gj : g) gj /= static_cast<double>(N);
    return sum / static_cast<double>(N);
  }

  static Problem problem() {
    std::mt19937_64 rng(3);
    Problem pr;
    const std::vector<double> z = linear_data(rng, pr.data, 1000, 20);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    pr.data.y.resize(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) pr.data.y[i] = u(rng) < slope::sigmoid(z[i]);
    pr.x0 = normal(rng, 21, 0.1);
    pr.v = normal(rng, 21, 1.0);
    return pr;
  }
};

}  // namespace bench
