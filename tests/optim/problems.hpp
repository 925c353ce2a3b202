// SPDX-License-Identifier: MIT
#pragma once

// Shared optimizer test problems with hand-written derivatives: a quadratic ½xᵀAx − bᵀx, the 2-D
// Rosenbrock function, and the seed's seven cars (MSE of a line, per-example batches).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <slope/core/error.hpp>
#include <slope/optim/objective.hpp>
#include <random>
#include <string>
#include <vector>

namespace slope::optim::test {

/// ½xᵀAx − bᵀx with A symmetric positive definite (eigenvalues in [1, cond]), seeded.
struct Quadratic : Objective {
  std::size_t n;
  std::vector<double> A, b;
  Quadratic(std::size_t n_, double cond = 10.0, unsigned seed = 3) : n(n_), A(n_ * n_, 0.0), b(n_) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z;
    // A = Q diag(λ) Qᵀ with Q from Gram–Schmidt on a random matrix.
    std::vector<double> q(n * n);
    for (double& v : q) v = z(rng);
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < j; ++k) {
        double d = 0;
        for (std::size_t i = 0; i < n; ++i) d += q[i * n + j] * q[i * n + k];
        for (std::size_t i = 0; i < n; ++i) q[i * n + j] -= d * q[i * n + k];
      }
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) s += q[i * n + j] * q[i * n + j];
      for (std::size_t i = 0; i < n; ++i) q[i * n + j] /= std::sqrt(s);
    }
    for (std::size_t k = 0; k < n; ++k) {
      const double lambda =
          n == 1 ? 1.0 : 1.0 + (cond - 1.0) * static_cast<double>(k) / static_cast<double>(n - 1);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) A[i * n + j] += lambda * q[i * n + k] * q[j * n + k];
    }
    for (double& v : b) v = z(rng);
  }
  std::size_t dimension() const override { return n; }
  double value_and_grad(Span x, MutSpan g, Batch) override {
    double f = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double ax = 0;
      for (std::size_t j = 0; j < n; ++j) ax += A[i * n + j] * x[j];
      g[i] = ax - b[i];
      f += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return f;
  }
  void hvp(Span, Span v, MutSpan hv, Batch) override {
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::size_t j = 0; j < n; ++j) s += A[i * n + j] * v[j];
      hv[i] = s;
    }
  }
  bool has_hvp() const override { return true; }
  /// The minimiser A⁻¹b, by Gaussian elimination.
  std::vector<double> solution() const {
    std::vector<double> m = A, x = b;
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t i = k + 1; i < n; ++i) {
        const double r = m[i * n + k] / m[k * n + k];
        for (std::size_t j = k; j < n; ++j) m[i * n + j] -= r * m[k * n + j];
        x[i] -= r * x[k];
      }
    for (std::size_t k = n; k-- > 0;) {
      for (std::size_t j = k + 1; j < n; ++j) x[k] -= m[k * n + j] * x[j];
      x[k] /= m[k * n + k];
    }
    return x;
  }
};

/// f(x, y) = 100(y − x²)² + (1 − x)², minimum 0 at (1, 1).
struct Rosenbrock : Objective {
  std::size_t dimension() const override { return 2; }
  double value_and_grad(Span p, MutSpan g, Batch) override {
    const double x = p[0], y = p[1], t = y - x * x;
    g[0] = -400.0 * x * t - 2.0 * (1.0 - x);
    g[1] = 200.0 * t;
    return 100.0 * t * t + (1.0 - x) * (1.0 - x);
  }
  void hvp(Span p, Span v, MutSpan hv, Batch) override {
    const double x = p[0], y = p[1];
    const double hxx = 1200.0 * x * x - 400.0 * y + 2.0, hxy = -400.0 * x, hyy = 200.0;
    hv[0] = hxx * v[0] + hxy * v[1];
    hv[1] = hxy * v[0] + hyy * v[1];
  }
  bool has_hvp() const override { return true; }
};

/// The seed: MSE of mpg ≈ w·weight + b over the seven cars; p = (w, b); a batch averages its
/// examples.
inline constexpr std::array<double, 7> kPounds = {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37};
inline constexpr std::array<double, 7> kMpg = {18, 15, 18, 16, 15, 14, 24};

struct Cars : Objective {
  std::size_t dimension() const override { return 2; }
  std::size_t examples() const override { return kPounds.size(); }
  template <class F>
  static void each(Batch batch, F f) {
    if (batch.empty())
      for (std::size_t i = 0; i < kPounds.size(); ++i) f(i);
    else
      for (std::size_t i : batch) f(i);
  }
  double value_and_grad(Span p, MutSpan g, Batch batch) override {
    double s = 0, gw = 0, gb = 0;
    std::size_t m = 0;
    each(batch, [&](std::size_t i) {
      const double r = p[0] * kPounds[i] + p[1] - kMpg[i];
      s += r * r;
      gw += 2.0 * kPounds[i] * r;
      gb += 2.0 * r;
      ++m;
    });
    g[0] = gw / static_cast<double>(m);
    g[1] = gb / static_cast<double>(m);
    return s / static_cast<double>(m);
  }
  void hvp(Span, Span v, MutSpan hv, Batch batch) override {
    double hww = 0, hwb = 0, hbb = 0;
    std::size_t m = 0;
    each(batch, [&](std::size_t i) {
      hww += 2.0 * kPounds[i] * kPounds[i];
      hwb += 2.0 * kPounds[i];
      hbb += 2.0;
      ++m;
    });
    const double M = static_cast<double>(m);
    hv[0] = (hww * v[0] + hwb * v[1]) / M;
    hv[1] = (hwb * v[0] + hbb * v[1]) / M;
  }
  bool has_hvp() const override { return true; }
};

inline double max_abs_diff(Span a, Span b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

// The message of the slope::Error that f throws, or a marker that fails any substring check.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const slope::Error& e) {
    return e.what();
  } catch (...) {
    return "<an exception other than slope::Error>";
  }
  return "<no exception>";
}

inline bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

/// The least-squares line through the seven cars.
inline constexpr double kOptimumW = -4.5691, kOptimumB = 33.5851, kOptimumMse = 1.46967;

}  // namespace slope::optim::test
