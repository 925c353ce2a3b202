// SPDX-License-Identifier: MIT
// A warm replay allocates nothing: this binary replaces the global operator new to count every
// heap allocation C++ code makes (xtensor's arrays, std::vector, std::map nodes...) and checks
// the count stays zero across replayed gradients and HVPs, scalar and tensor, once each shape
// has been seen.

#include <gtest/gtest.h>

#include <vector>

#include <xtensor/xrandom.hpp>

#include <slope/autodiff.hpp>

// alloc_counter.cpp (a file of its own, so the replaced operators are never inlined here).
std::size_t allocation_count();

namespace {

using slope::Placeholder;
using slope::Tensor;
using slope::Var;
using Array = xt::xarray<double>;

// Heap allocations made by `work`.
template <class F>
std::size_t allocations_in(F&& work) {
  const std::size_t before = allocation_count();
  work();
  return allocation_count() - before;
}

TEST(ReplayAllocations, CounterSeesAllocations) {
  // The hook works: a vector allocates.
  EXPECT_GE(allocations_in([] {
              std::vector<double> v(100);
              (void)v;
            }),
            1u);
}

TEST(ReplayAllocations, ScalarGradientAndHvpAllocateNothingOnceWarm) {
  auto rosenbrock = [](const Tensor& p) {
    Var s = 0.0;
    for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
      Var t = p[i + 1] - p[i] * p[i];
      Var u = 1.0 - p[i];
      s += 100.0 * (t * t) + u * u;
    }
    return s;
  };
  std::vector<double> x(200, 0.5), v(200, 1.0), g(200), hv(200);
  slope::Function F = slope::record(rosenbrock, x);
  F.value_and_grad(x, g);
  F.hvp(x, v, hv);
  EXPECT_EQ(allocations_in([&] {
              for (int k = 0; k < 10; ++k) {
                x[k] += 0.01;
                F.value_and_grad(x, g);
                F.hvp(x, v, hv);
                F.value(x);
              }
            }),
            0u);
}

TEST(ReplayAllocations, TensorLossesAllocateNothingOnceWarmAtEachBatchSize) {
  xt::random::seed(1);
  const Array X = xt::random::randn<double>({300, 6});
  const Array y = xt::random::randn<double>({300});
  const Array labels = xt::cast<double>(xt::random::randint<int>({300}, 0, 2));
  // Standardised features (a (N,D) − (D,) broadcast and its reverse), bias broadcast, tanh,
  // softplus, matmul, transpose and reductions.
  auto loss = [](const Tensor& p, const Tensor& X, const Tensor& y) {
    const Tensor w = p.slice(0, 6);
    const Tensor Z = (X - slope::mean(X, 0)) * p.slice(6, 12);
    const Tensor z = slope::matmul(Z, w) + p[12];
    const Tensor h = slope::tanh(slope::matmul(slope::transpose(Z), z));
    return slope::mean(slope::softplus(z) - y * z) + 1e-3 * slope::sum(slope::square(h));
  };
  std::vector<double> x(13, 0.1), v(13, 1.0), g(13), hv(13);
  slope::Function F = slope::record(loss, x, Placeholder("X", X), Placeholder("y", labels));
  // Warm both batch sizes the loop alternates between.
  for (std::size_t rows : {32u, 17u}) {
    F.bind_rows("X", X, 0, rows);
    F.bind_rows("y", labels, 0, rows);
    F.value_and_grad(x, g);
    F.hvp(x, v, hv);
  }
  EXPECT_EQ(allocations_in([&] {
              for (int k = 0; k < 10; ++k) {
                const std::size_t rows = k % 2 == 0 ? 32 : 17, begin = 10 * k;
                F.bind_rows("X", X, begin, begin + rows);
                F.bind_rows("y", labels, begin, begin + rows);
                x[k] += 0.01;
                F.value_and_grad(x, g);
                F.hvp(x, v, hv);
              }
            }),
            0u);
  (void)y;
}

// A mean over many rows replays by blocks of rows (the last one shorter): the blocks reuse their
// arrays as well.
TEST(ReplayAllocations, GradientsByBlocksOfRowsAllocateNothingOnceWarm) {
  xt::random::seed(2);
  const Array X = xt::random::randn<double>({20000, 6});
  const Array labels = xt::cast<double>(xt::random::randint<int>({20000}, 0, 2));
  auto nll = [](const Tensor& p, const Tensor& X, const Tensor& y) {
    const Tensor z = slope::matmul(X, p.slice(0, 6)) + p[6];
    return slope::mean(slope::softplus(z) - y * z);
  };
  std::vector<double> x(7, 0.1), g(7);
  slope::Function F = slope::record(nll, x, Placeholder("X", X), Placeholder("y", labels));
  ASSERT_GT(F.block_rows(), 0u);
  ASSERT_NE(20000 % F.block_rows(), 0u);
  F.value_and_grad(x, g);
  EXPECT_EQ(allocations_in([&] {
              for (int k = 0; k < 10; ++k) {
                x[k % 7] += 0.01;
                F.value_and_grad(x, g);
              }
            }),
            0u);
}

}  // namespace
