// SPDX-License-Identifier: MIT
#pragma once

// The hand-written baselines of the tensor linear-model workloads (MSE and logistic NLL over
// p = (w, b)), shared by tensor_bench and the derivative-cost suite: what a careful person writes
// by hand — one BLAS call per pass over X, one loop over the rows between them.

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace bench::linear {

/// X (n × d, row-major) and the targets y (n): real values for MSE, 0/1 labels for logistic.
struct Problem {
  const double* X;
  const double* y;
  std::size_t n, d;
};

/// z = X w + b (one BLAS call).
inline void affine(const Problem& a, const double* w, double b, double* z) {
  std::fill(z, z + a.n, b);
  cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(a.n), static_cast<int>(a.d), 1.0, a.X,
              static_cast<int>(a.d), w, 1, 1.0, z, 1);
}
/// g = s · Xᵀ r (one BLAS call).
inline void backproject(const Problem& a, const double* r, double s, double* g) {
  cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(a.n), static_cast<int>(a.d), s, a.X,
              static_cast<int>(a.d), r, 1, 0.0, g, 1);
}
/// z = X w + b and u = X v + c, reading X once: rows in cache-sized blocks.
inline void affine_pair(const Problem& a, const double* w, double b, const double* v, double c,
                        double* z, double* u) {
  constexpr std::size_t kBlock = 80;
  const int d = static_cast<int>(a.d);
  for (std::size_t r0 = 0; r0 < a.n; r0 += kBlock) {
    const int rows = static_cast<int>(std::min(kBlock, a.n - r0));
    const double* x = a.X + r0 * a.d;
    std::fill(z + r0, z + r0 + rows, b);
    std::fill(u + r0, u + r0 + rows, c);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, rows, d, 1.0, x, d, w, 1, 1.0, z + r0, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, rows, d, 1.0, x, d, v, 1, 1.0, u + r0, 1);
  }
}

inline double softplus(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}
inline double sigmoid(double z) {
  return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
}

// p = (w (d), b); z, r, u: scratch of n; g, hv: d + 1 entries.

/// mean (X w + b − y)².
inline double mse(const Problem& a, const double* p, double* z) {
  affine(a, p, p[a.d], z);
  double s = 0;
  for (std::size_t i = 0; i < a.n; ++i) s += (z[i] - a.y[i]) * (z[i] - a.y[i]);
  return s / static_cast<double>(a.n);
}
/// ∇ = (2/n) (Xᵀ r, Σ r), r = X w + b − y; returns the loss.
inline double mse_gradient(const Problem& a, const double* p, double* r, double* g) {
  affine(a, p, p[a.d], r);
  double s = 0, sr = 0;
  for (std::size_t i = 0; i < a.n; ++i) {
    r[i] -= a.y[i];
    s += r[i] * r[i];
    sr += r[i];
  }
  const double n = static_cast<double>(a.n);
  backproject(a, r, 2.0 / n, g);
  g[a.d] = 2.0 * sr / n;
  return s / n;
}
/// H v = (2/n) (Xᵀ u, Σ u), u = X v_w + v_b: the Hessian does not depend on p.
inline void mse_hvp(const Problem& a, const double* v, double* u, double* hv) {
  affine(a, v, v[a.d], u);
  double su = 0;
  for (std::size_t i = 0; i < a.n; ++i) su += u[i];
  const double n = static_cast<double>(a.n);
  backproject(a, u, 2.0 / n, hv);
  hv[a.d] = 2.0 * su / n;
}

/// mean softplus(z) − y z, z = X w + b.
inline double logistic(const Problem& a, const double* p, double* z) {
  affine(a, p, p[a.d], z);
  double s = 0;
  for (std::size_t i = 0; i < a.n; ++i) s += softplus(z[i]) - a.y[i] * z[i];
  return s / static_cast<double>(a.n);
}
/// ∇ = (Xᵀ (σ(z) − y), Σ (σ(z) − y)) / n; returns the loss.
inline double logistic_gradient(const Problem& a, const double* p, double* r, double* g) {
  affine(a, p, p[a.d], r);
  double s = 0, sr = 0;
  for (std::size_t i = 0; i < a.n; ++i) {
    const double z = r[i];
    s += softplus(z) - a.y[i] * z;
    r[i] = sigmoid(z) - a.y[i];
    sr += r[i];
  }
  const double n = static_cast<double>(a.n);
  backproject(a, r, 1.0 / n, g);
  g[a.d] = sr / n;
  return s / n;
}
/// H v = (Xᵀ (σ(1−σ) u), Σ σ(1−σ) u) / n, u = X v_w + v_b; z and u from one pass over X.
inline void logistic_hvp(const Problem& a, const double* p, const double* v, double* u, double* z,
                         double* hv) {
  affine_pair(a, p, p[a.d], v, v[a.d], z, u);
  double su = 0;
  for (std::size_t i = 0; i < a.n; ++i) {
    const double s = sigmoid(z[i]);
    u[i] *= s * (1 - s);
    su += u[i];
  }
  const double n = static_cast<double>(a.n);
  backproject(a, u, 1.0 / n, hv);
  hv[a.d] = su / n;
}

}  // namespace bench::linear
