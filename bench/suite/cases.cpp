// SPDX-License-Identifier: MIT
#include "cases.hpp"

#include <cblas.h>

#include <cmath>
#include <memory>
#include <random>
#include <xtensor/xarray.hpp>

#include "../linear_kernels.hpp"
#include "../workloads.hpp"

namespace suite {

namespace {

using Array = xt::xarray<double>;

// Standard normals from a fixed seed through std::normal_distribution (bench data only needs to
// be the same from run to run on one machine).
Array randn(std::mt19937_64& rng, std::vector<std::size_t> shape, double sd = 1.0) {
  Array a = Array::from_shape(shape);
  std::normal_distribution<double> dist(0.0, sd);
  for (double& x : a) x = dist(rng);
  return a;
}

Vec to_vec(const Array& a) { return Vec(a.begin(), a.end()); }

// The scalar workloads of workloads.hpp, taken over as they are.
template <class W>
Case scalar_case(std::string id, std::string what, const bench::Problem& pr, bool hessian) {
  auto data = std::make_shared<bench::Data>(pr.data);
  Case c;
  c.id = std::move(id);
  c.what = std::move(what);
  c.x0 = pr.x0;
  c.v = pr.v;
  c.plain = [data](const Vec& x) { return W::template loss<double>(x, *data); };
  c.hand = [data](const Vec& x, Vec& g) { return W::gradient(x, *data, g); };
  c.taped = [data](const slope::Tensor& p) { return W::template loss<slope::Var>(p, *data); };
  c.dense_hessian = hessian;
  return c;
}

struct LinearData {
  Array X, y;  // X (N, D); y real targets or 0/1 labels
  std::size_t n, d;
  mutable Vec z;  // scratch of the hand-written code
  bench::linear::Problem problem() const { return {X.data(), y.data(), n, d}; }
};

std::shared_ptr<LinearData> linear_data(std::size_t n, std::size_t d, bool labels,
                                        std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto a = std::make_shared<LinearData>();
  a->n = n;
  a->d = d;
  a->X = randn(rng, {n, d});
  a->y = randn(rng, {n});
  if (labels)
    for (double& y : a->y) y = y > 0 ? 1.0 : 0.0;
  a->z.resize(n);
  return a;
}

// A case over (w, b) for D features: its id, description, point and direction.
Case linear_case(std::string id, const std::string& loss, std::size_t n, std::size_t d,
                 std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c;
  c.id = std::move(id);
  c.what = loss + ", tensors, N = " + std::to_string(n) + ", D = " + std::to_string(d);
  c.x0 = to_vec(randn(rng, {d + 1}, 0.1));
  c.v = to_vec(randn(rng, {d + 1}));
  return c;
}

Case tensor_mse(std::string id, std::size_t n, std::size_t d) {
  auto a = linear_data(n, d, false, 11);
  Case c = linear_case(std::move(id), "linear-model MSE", n, d, 12);
  c.plain = [a](const Vec& x) { return bench::linear::mse(a->problem(), x.data(), a->z.data()); };
  c.hand = [a](const Vec& x, Vec& g) {
    g.resize(a->d + 1);
    return bench::linear::mse_gradient(a->problem(), x.data(), a->z.data(), g.data());
  };
  c.taped = [a](const slope::Tensor& p) {
    return slope::mean(slope::square(slope::matmul(a->X, p.slice(0, a->d)) + p[a->d] - a->y));
  };
  return c;
}

Case tensor_logistic(std::string id, std::size_t n, std::size_t d, bool hessian) {
  auto a = linear_data(n, d, true, 21);
  Case c = linear_case(std::move(id), "logistic NLL", n, d, 22);
  c.plain = [a](const Vec& x) {
    return bench::linear::logistic(a->problem(), x.data(), a->z.data());
  };
  c.hand = [a](const Vec& x, Vec& g) {
    g.resize(a->d + 1);
    return bench::linear::logistic_gradient(a->problem(), x.data(), a->z.data(), g.data());
  };
  c.taped = [a](const slope::Tensor& p) {
    const slope::Tensor z = slope::matmul(a->X, p.slice(0, a->d)) + p[a->d];
    return slope::mean(slope::softplus(z) - a->y * z);
  };
  c.dense_hessian = hessian;
  return c;
}

// W4: p = (W1 (F×H) row-major, b1 (H), W2 (H×K), b2 (K)).
struct Net {
  std::size_t f = 32, h = 64, k = 10, b = 256;
  Array X, Y;  // X (B, F), Y one-hot (B, K)
  mutable Array A, P, dA;
  std::size_t size() const { return f * h + h + h * k + k; }
};

void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const double* a,
          std::size_t lda, const double* b, std::size_t ldb, double beta, double* c) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(n));
}

// Forward pass into net.A (tanh activations) and net.P (softmax); returns the mean NLL.
double forward(const Net& net, const double* p) {
  const double *W1 = p, *b1 = W1 + net.f * net.h, *W2 = b1 + net.h, *b2 = W2 + net.h * net.k;
  double* A = net.A.data();
  for (std::size_t i = 0; i < net.b; ++i)
    for (std::size_t j = 0; j < net.h; ++j) A[i * net.h + j] = b1[j];
  gemm(false, false, net.b, net.h, net.f, net.X.data(), net.f, W1, net.h, 1.0, A);
  for (std::size_t i = 0; i < net.b * net.h; ++i) A[i] = std::tanh(A[i]);
  double* P = net.P.data();
  for (std::size_t i = 0; i < net.b; ++i)
    for (std::size_t j = 0; j < net.k; ++j) P[i * net.k + j] = b2[j];
  gemm(false, false, net.b, net.k, net.h, A, net.h, W2, net.k, 1.0, P);
  double loss = 0;
  for (std::size_t i = 0; i < net.b; ++i) {
    double* row = P + i * net.k;
    double top = row[0];
    for (std::size_t j = 1; j < net.k; ++j) top = std::max(top, row[j]);
    double z = 0;
    for (std::size_t j = 0; j < net.k; ++j) z += std::exp(row[j] - top);
    const double lse = top + std::log(z);
    for (std::size_t j = 0; j < net.k; ++j) {
      loss -= net.Y(i, j) * (row[j] - lse);
      row[j] = std::exp(row[j] - lse);
    }
  }
  return loss / static_cast<double>(net.b);
}

Case network(std::string id, std::size_t batch, bool hessian) {
  auto net = std::make_shared<Net>();
  net->b = batch;
  std::mt19937_64 rng(31);
  net->X = randn(rng, {net->b, net->f});
  net->Y = Array::from_shape({net->b, net->k});
  net->Y.fill(0.0);
  std::uniform_int_distribution<std::size_t> cls(0, net->k - 1);
  for (std::size_t i = 0; i < net->b; ++i) net->Y(i, cls(rng)) = 1.0;
  net->A = Array::from_shape({net->b, net->h});
  net->P = Array::from_shape({net->b, net->k});
  net->dA = Array::from_shape({net->b, net->h});
  Case c;
  c.id = std::move(id);
  c.what = "tanh network 32-64-10, softmax cross-entropy, batch " + std::to_string(batch);
  c.x0 = to_vec(randn(rng, {net->size()}, 0.2));
  c.v = to_vec(randn(rng, {net->size()}));
  c.plain = [net](const Vec& x) { return forward(*net, x.data()); };
  c.hand = [net](const Vec& x, Vec& g) {
    const Net& n = *net;
    g.assign(n.size(), 0.0);
    const double loss = forward(n, x.data());
    const double* W2 = x.data() + n.f * n.h + n.h;
    double *gW1 = g.data(), *gb1 = gW1 + n.f * n.h, *gW2 = gb1 + n.h, *gb2 = gW2 + n.h * n.k;
    // dZ2 = (P − Y)/B, in place in P.
    double* D = n.P.data();
    const double inv = 1.0 / static_cast<double>(n.b);
    for (std::size_t i = 0; i < n.b; ++i)
      for (std::size_t j = 0; j < n.k; ++j) {
        double& d = D[i * n.k + j];
        d = (d - n.Y(i, j)) * inv;
        gb2[j] += d;
      }
    gemm(true, false, n.h, n.k, n.b, n.A.data(), n.h, D, n.k, 0.0, gW2);
    // dZ1 = (dZ2 W2ᵀ) ⊙ (1 − A²).
    double* dA = n.dA.data();
    gemm(false, true, n.b, n.h, n.k, D, n.k, W2, n.k, 0.0, dA);
    for (std::size_t i = 0; i < n.b; ++i)
      for (std::size_t j = 0; j < n.h; ++j) {
        const double a = n.A(i, j);
        double& d = dA[i * n.h + j];
        d *= 1 - a * a;
        gb1[j] += d;
      }
    gemm(true, false, n.f, n.h, n.b, n.X.data(), n.f, dA, n.h, 0.0, gW1);
    return loss;
  };
  c.taped = [net](const slope::Tensor& p) {
    const Net& n = *net;
    const std::size_t w1 = n.f * n.h, b1 = w1 + n.h, w2 = b1 + n.h * n.k;
    const slope::Tensor A =
        slope::tanh(slope::matmul(n.X, p.slice(0, w1).reshape({n.f, n.h})) + p.slice(w1, b1));
    const slope::Tensor Z =
        slope::matmul(A, p.slice(b1, w2).reshape({n.h, n.k})) + p.slice(w2, w2 + n.k);
    return -slope::sum(n.Y * slope::log_softmax(Z, 1)) / static_cast<double>(n.b);
  };
  c.dense_hessian = hessian;
  return c;
}

}  // namespace

std::vector<std::string> case_ids() {
  return {"W1-small", "W1-large", "W2-small", "W2-large",
          "W3-small", "W3-large", "W4-small", "W4-large"};
}

Case make_case(const std::string& id) {
  if (id == "W1-small")
    return scalar_case<bench::W1>(id, "linear-model MSE, scalar code, N = 1 000, D = 8",
                                  bench::W1::problem(), true);
  if (id == "W1-large") return tensor_mse(id, 100000, 100);
  if (id == "W2-small")
    return scalar_case<bench::W2>(id, "extended Rosenbrock, n = 100", bench::W2::problem(100),
                                  true);
  if (id == "W2-large")
    return scalar_case<bench::W2>(id, "extended Rosenbrock, n = 10 000", bench::W2::problem(10000),
                                  false);
  if (id == "W3-small") return tensor_logistic(id, 1000, 20, true);
  if (id == "W3-large") return tensor_logistic(id, 100000, 100, false);
  if (id == "W4-small") return network(id, 256, true);
  if (id == "W4-large") return network(id, 4096, false);
  return {};
}

}  // namespace suite
