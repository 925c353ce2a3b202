// SPDX-License-Identifier: MIT
// The generic op test for tensors: every op of the op list applied elementwise (with
// broadcasting for two operands), then reductions, softmax, products and shape ops, each at first
// and second order against finite differences.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xrandom.hpp>

#include "derivative_check.hpp"

namespace {

using slope::Tensor;
using slope::Var;
using slope::ops::Arity;
using Array = xt::xarray<double>;

using slope::testing::AsGtestTypes;

struct OpName {
  template <class Op>
  static std::string GetName(int i) {
    return std::to_string(i) + "_" + Op::name;
  }
};

template <class Op>
class TensorOpTest : public ::testing::Test {};
TYPED_TEST_SUITE(TensorOpTest, AsGtestTypes<slope::ops::OpList>::type, OpName);

// Weights make every element's share of the loss different, so a mixed-up index shows.
const Array kWeights = {{0.7, -1.3, 0.4}, {1.1, 0.9, -0.6}};

bool near_kink(double a, double b) { return std::fabs(a - b) < 0.05; }

TYPED_TEST(TensorOpTest, ElementwiseMatchesTheScalarOpAndFiniteDifferences) {
  using Op = TypeParam;
  std::mt19937_64 rng(7);
  const std::vector<double> as = slope::testing::sample(Op::domain, rng);
  if constexpr (Op::arity == Arity::unary) {
    for (std::size_t s = 0; s + 6 <= as.size(); s += 5) {
      std::vector<double> x(as.begin() + s, as.begin() + s + 6);
      auto f = [](const Tensor& p) {
        return sum(kWeights * slope::detail::map<Op>(p.reshape({2, 3})));
      };
      double want = 0;
      for (std::size_t i = 0; i < 6; ++i) want += kWeights.flat(i) * Op::f(x[i]);
      EXPECT_NEAR(slope::value_and_grad(f, x).value, want, 1e-12 * (1 + std::fabs(want)));
      bool smooth = true;
      for (double xi : x)
        smooth = smooth && !(std::is_same_v<Op, slope::ops::Abs> && std::fabs(xi) < 0.05);
      slope::testing::expect_derivatives(f, x, rng, smooth);
    }
  } else if constexpr (Op::arity == Arity::constant) {
    const std::vector<double> cs = slope::testing::sample(Op::domain_c, rng);
    for (std::size_t s = 0; s + 6 <= as.size(); s += 5) {
      std::vector<double> x(as.begin() + s, as.begin() + s + 6);
      const double c = cs[s % cs.size()];
      bool tie = false;
      for (double xi : x) tie = tie || near_kink(xi, c);
      if (tie) continue;
      auto f = [c](const Tensor& p) {
        return sum(kWeights *
                   slope::detail::tensor_bound(slope::ops::op_code<Op>,
                                               slope::detail::node_of(p.reshape({2, 3}), "t"), c));
      };
      slope::testing::expect_derivatives(f, x, rng);
    }
  } else {
    const std::vector<double> bs = slope::testing::sample(Op::domain_b, rng);
    for (std::size_t s = 0; s < 3; ++s) {
      // x = (a0, a1, a2, b0, ..., b5): a from the first operand's domain, b from the second's.
      std::vector<double> x;
      for (std::size_t i = 0; i < 3; ++i) x.push_back(as[(s * 3 + i) % as.size()]);
      for (std::size_t i = 0; i < 6; ++i) x.push_back(bs[(s * 5 + i + 1) % bs.size()]);
      auto tie = [&](std::size_t a_end, std::size_t b_end) {
        for (std::size_t i = 0; i < a_end; ++i)
          for (std::size_t j = 3; j < 3 + b_end; ++j)
            if (near_kink(x[i], x[j])) return true;
        return false;
      };
      // (2,1) ∘ (1,3) -> (2,3): both operands broadcast.
      auto f = [](const Tensor& p) {
        return sum(kWeights * slope::detail::zip<Op>(p.slice(0, 2).reshape({2, 1}),
                                                     p.slice(3, 6).reshape({1, 3})));
      };
      // Var ∘ (3,), and (3,) ∘ (2,3).
      auto g = [](const Tensor& p) {
        return sum(kWeights.flat(1) * slope::detail::zip<Op>(p[0], p.slice(3, 6)));
      };
      auto h = [](const Tensor& p) {
        return sum(kWeights * slope::detail::zip<Op>(p.slice(0, 3), p.slice(3, 9).reshape({2, 3})));
      };
      if (!tie(2, 3)) {
        double want = 0;
        for (std::size_t i = 0; i < 2; ++i)
          for (std::size_t j = 0; j < 3; ++j) want += kWeights(i, j) * Op::f(x[i], x[3 + j]);
        EXPECT_NEAR(slope::value_and_grad(f, x).value, want, 1e-12 * (1 + std::fabs(want)));
        slope::testing::expect_derivatives(f, x, rng);
      }
      if (!tie(1, 3)) slope::testing::expect_derivatives(g, x, rng);
      if (!tie(3, 6)) slope::testing::expect_derivatives(h, x, rng);
    }
  }
}

// ---- broadcasting shapes named by the issue ----

TEST(TensorBroadcast, ColumnPlusRowScalarPlusTensorAndVectorPlusMatrix) {
  std::mt19937_64 rng(11);
  const std::vector<double> x = slope::testing::random_direction(12, rng);
  auto col_row = [](const Tensor& p) {
    Tensor z = p.slice(0, 3).reshape({3, 1}) + p.slice(3, 7).reshape({1, 4});
    return sum(square(z) * xt::xarray<double>{{1.0, 2.0, 3.0, 4.0}});
  };
  auto scalar = [](const Tensor& p) { return sum(sin(p[0] * p.slice(1, 5) + 2.0)); };
  auto vec_mat = [](const Tensor& p) {
    return sum(exp(0.3 * (p.slice(0, 3) + p.slice(3, 9).reshape({2, 3}))));
  };
  slope::testing::expect_derivatives(col_row, x, rng);
  slope::testing::expect_derivatives(scalar, x, rng);
  slope::testing::expect_derivatives(vec_mat, x, rng);
  const auto [v, g] = slope::value_and_grad(col_row, x);
  double want = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) want += (j + 1) * std::pow(x[i] + x[3 + j], 2);
  EXPECT_NEAR(v, want, 1e-12 * want);
}

// An operand with the output's trailing shape (a bias row, or a (2,3) block under (2,2,3)) is
// read in place and its adjoint share summed per block; on either side of the op.
TEST(TensorBroadcast, TrailingShapeOperandsOnEitherSide) {
  std::mt19937_64 rng(12);
  const std::vector<double> x = slope::testing::random_direction(18, rng);
  auto bias_right = [](const Tensor& p) {
    return sum(tanh(p.slice(0, 12).reshape({4, 3}) / p.slice(12, 15).reshape({1, 3})));
  };
  auto block_left = [](const Tensor& p) {
    return sum(square(p.slice(12, 18).reshape({2, 3}) * p.slice(0, 12).reshape({2, 2, 3})));
  };
  // Both operands trail the output (1, 2, 3): the (2, 3) one holds all of it, the other repeats.
  auto both_trail = [](const Tensor& p) {
    return sum(exp(0.5 * p.slice(0, 6).reshape({2, 3}) * p.slice(6, 9).reshape({1, 1, 3})));
  };
  slope::testing::expect_derivatives(bias_right, x, rng);
  slope::testing::expect_derivatives(block_left, x, rng);
  slope::testing::expect_derivatives(both_trail, x, rng);
  const auto [v, g] = slope::value_and_grad(block_left, x);
  double want = 0;
  std::vector<double> want_g(18, 0.0);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 6; ++j) {
      const double a = x[12 + j], b = x[6 * k + j];
      want += a * a * b * b;
      want_g[12 + j] += 2 * a * b * b;
      want_g[6 * k + j] = 2 * a * a * b;
    }
  EXPECT_NEAR(v, want, 1e-12 * want);
  for (std::size_t i = 0; i < 18; ++i) EXPECT_NEAR(g[i], want_g[i], 1e-12) << "coordinate " << i;
}

TEST(TensorBroadcast, MixedOperandFormsAreTensors) {
  const Array y = {1.0, 2.0};
  auto f = [&](const Tensor& p) {
    static_assert(std::is_same_v<decltype(p - y), Tensor>);
    static_assert(std::is_same_v<decltype(y - p), Tensor>);
    static_assert(std::is_same_v<decltype(p * 2.0), Tensor>);
    static_assert(std::is_same_v<decltype(2 / p), Tensor>);
    static_assert(std::is_same_v<decltype(p[0] * p), Tensor>);
    static_assert(std::is_same_v<decltype(p + p[1]), Tensor>);
    static_assert(std::is_same_v<decltype(p + 2.0 * y), Tensor>);
    static_assert(std::is_same_v<decltype(p[0] * y), Tensor>);
    static_assert(std::is_same_v<decltype(y - p[1]), Tensor>);
    static_assert(std::is_same_v<decltype(pow(p, 2)), Tensor>);
    static_assert(std::is_same_v<decltype(pow(y, p)), Tensor>);
    return sum((p - y) * (y - p) + p * 2.0 + 2 / p + p[0] * p + (p + p[1]) + (p + 2.0 * y)) +
           sum(p[0] * y - (y - p[1]));
  };
  std::mt19937_64 rng(2);
  slope::testing::expect_derivatives(f, {0.8, -1.5}, rng);
  const std::vector<double> x{0.8, -1.5};
  double want = 0;
  for (int i = 0; i < 2; ++i) {
    const double p = x[i];
    want += -(p - y(i)) * (p - y(i)) + 2 * p + 2 / p + x[0] * p + (p + x[1]) + p + 2 * y(i) +
            x[0] * y(i) - (y(i) - x[1]);
  }
  EXPECT_NEAR(slope::value_and_grad(f, x).value, want, 1e-12);
}

// ---- reductions and softmax ----

TEST(TensorReductions, AllAndAlongAnAxisMatchFiniteDifferences) {
  std::mt19937_64 rng(5);
  const std::vector<double> x = slope::testing::random_direction(6, rng);
  auto m = [](const Tensor& p) { return p.reshape({2, 3}); };
  const std::vector<std::function<Var(const Tensor&)>> fs = {
      [&](const Tensor& p) { return sum(m(p)) * mean(m(p)); },
      [&](const Tensor& p) { return max(m(p)) + 2.0 * min(m(p)); },
      [&](const Tensor& p) { return norm2(m(p)) + log_sum_exp(m(p)); },
      [&](const Tensor& p) {
        return sum(kWeights.flat(0) * square(sum(m(p), 0))) + sum(exp(mean(m(p), 1)));
      },
      [&](const Tensor& p) { return sum(square(max(m(p), 1)) + min(m(p), -1)); },
      [&](const Tensor& p) { return sum(norm2(m(p), 0) * log_sum_exp(m(p), 0)); },
      [&](const Tensor& p) {
        return sum(kWeights * softmax(m(p))) + sum(kWeights * log_softmax(m(p), 0));
      },
      [&](const Tensor& p) { return sum(square(softmax(m(p), 0))); },
  };
  for (std::size_t k = 0; k < fs.size(); ++k) {
    SCOPED_TRACE("function " + std::to_string(k));
    slope::testing::expect_derivatives(fs[k], x, rng);
  }
}

TEST(TensorReductions, ValuesAreStableAndExact) {
  const std::vector<double> x{1000.0, 999.0, -5.0, 998.5};
  const auto [v, g] =
      slope::value_and_grad([](const Tensor& p) { return log_sum_exp(p.reshape({4})); }, x);
  double s = 0;
  for (double xi : x) s += std::exp(xi - 1000.0);
  EXPECT_NEAR(v, 1000.0 + std::log(s), 1e-12);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(g(i), std::exp(x[i] - 1000.0) / s, 1e-14);
  const auto gm = slope::grad([](const Tensor& p) { return max(p.reshape({4})); },
                              std::vector<double>{1, 3, 3, 2});
  EXPECT_EQ(gm, (Array{0, 1, 0, 0}));  // the first maximal element
  const auto gn =
      slope::grad([](const Tensor& p) { return norm2(p.reshape({2})); }, std::vector<double>{0, 0});
  EXPECT_EQ(gn, (Array{0, 0}));
  const auto gs = slope::grad([](const Tensor& p) { return sum(softmax(p.reshape({3}))); },
                              std::vector<double>{1, 2, 3});
  for (double gi : gs) EXPECT_NEAR(gi, 0.0, 1e-15);
}

// ---- products ----

TEST(TensorMatmul, EveryShapeCombinationMatchesFiniteDifferences) {
  std::mt19937_64 rng(9);
  const std::vector<double> x = slope::testing::random_direction(20, rng);
  const Array c = {{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}};  // (2,3) data
  auto a23 = [](const Tensor& p) { return p.slice(0, 6).reshape({2, 3}); };
  auto b34 = [](const Tensor& p) { return p.slice(6, 18).reshape({3, 4}); };
  const std::vector<std::function<Var(const Tensor&)>> fs = {
      [&](const Tensor& p) { return sum(square(matmul(a23(p), b34(p)))); },         // (2,3)x(3,4)
      [&](const Tensor& p) { return sum(sin(matmul(a23(p), p.slice(6, 9)))); },     // (2,3)x(3,)
      [&](const Tensor& p) { return sum(cos(matmul(p.slice(0, 3), b34(p)))); },     // (3,)x(3,4)
      [&](const Tensor& p) { return square(dot(p.slice(0, 3), p.slice(3, 6))); },   // (3,)·(3,)
      [&](const Tensor& p) { return sum(matmul(c, b34(p)) * matmul(c, b34(p))); },  // data x tensor
      [&](const Tensor& p) { return sum(square(matmul(transpose(a23(p)), c))); },   // tensor x data
      [&](const Tensor& p) { return matmul(p.slice(0, 3), p.slice(3, 6)).item() * p[7]; },
  };
  for (std::size_t k = 0; k < fs.size(); ++k) {
    SCOPED_TRACE("function " + std::to_string(k));
    slope::testing::expect_derivatives(fs[k], x, rng);
  }
  const auto [v, g] = slope::value_and_grad(fs[3], x);
  const double d = x[0] * x[3] + x[1] * x[4] + x[2] * x[5];
  EXPECT_NEAR(v, d * d, 1e-12 * (1 + d * d));
  EXPECT_NEAR(g(0), 2 * d * x[3], 1e-12 * (1 + std::fabs(d)));
}

TEST(TensorMatmul, LargeConstantMatrixTakesTheBlockedDualPathCorrectly) {
  // 3000 x 100 is above the size where the HVP reads X once in row blocks.
  std::mt19937_64 rng(4);
  xt::random::seed(4);
  const Array X = xt::random::randn<double>({3000, 100});
  const std::vector<double> w = slope::testing::random_direction(100, rng);
  const std::vector<double> v = slope::testing::random_direction(100, rng);
  auto f = [&](const Tensor& p) { return 0.5 * sum(square(matmul(X, p))); };
  const Array hv = slope::hvp(f, w, v);
  const Array Xv = xt::linalg::dot(X, xt::adapt(v));
  const Array want = xt::linalg::dot(xt::transpose(X), Xv);
  for (std::size_t i = 0; i < 100; ++i)
    EXPECT_NEAR(hv(i), want(i), 1e-9 * (1 + std::fabs(want(i))));
}

// ---- shape ops ----

TEST(TensorShapeOps, SliceGatherConcatenateStackWhereTranspose) {
  std::mt19937_64 rng(13);
  const std::vector<double> x = slope::testing::random_direction(12, rng);
  const xt::xarray<bool> mask = {{true, false, true}, {false, false, true}};
  auto m = [](const Tensor& p) { return p.reshape({4, 3}); };
  const std::vector<std::function<Var(const Tensor&)>> fs = {
      [&](const Tensor& p) { return sum(kWeights * square(slice(m(p), 1, 3))); },
      [&](const Tensor& p) {
        return sum(exp(0.5 * gather_rows(m(p), {3, 0, 3})));
      },
      [&](const Tensor& p) {
        return sum(square(slope::concatenate({m(p), slice(m(p), 0, 2)}, 0)));
      },
      [&](const Tensor& p) {
        return sum(sin(slope::concatenate({p.reshape({4, 3}), p.slice(0, 4).reshape({4, 1})}, 1)));
      },
      [&](const Tensor& p) {
        return sum(square(slope::stack({p[0] * p[1], p[2], 3.0})));
      },
      [&](const Tensor& p) {
        return sum(square(where(mask, slice(m(p), 0, 2), 2.0 * slice(m(p), 2, 4))));
      },
      [&](const Tensor& p) {
        return sum(kWeights * transpose(p.slice(0, 6).reshape({3, 2})) * p[0]);
      },
      [&](const Tensor& p) { return slice(m(p), 2, 3).reshape({3})[1] * p.slice(4, 8)[2]; },
  };
  for (std::size_t k = 0; k < fs.size(); ++k) {
    SCOPED_TRACE("function " + std::to_string(k));
    slope::testing::expect_derivatives(fs[k], x, rng);
  }
  // gather_rows repeats a row: its gradient adds up.
  const auto g = slope::grad(
      [](const Tensor& p) {
        return sum(gather_rows(p.reshape({2, 2}), {1, 1, 0}));
      },
      std::vector<double>{1, 2, 3, 4});
  EXPECT_EQ(g, (Array{1, 1, 2, 2}));
  const xt::xarray<int> idx = {1, 1, 0};
  const auto gi = slope::grad(
      [&](const Tensor& p) {
        return sum(gather_rows(p.reshape({2, 2}), idx));
      },
      std::vector<double>{1, 2, 3, 4});
  EXPECT_EQ(gi, g);
  slope::grad(
      [](const Tensor& p) {
        const Tensor m = p.reshape({2, 2}) * 3.0;
        EXPECT_EQ(m.value(), (Array{{3, 6}, {9, 12}}));
        return sum(m);
      },
      std::vector<double>{1, 2, 3, 4});
}

TEST(TensorShapeOps, ParameterSlicesStayInputsAndReshapeInfersOneExtent) {
  auto f = [](const Tensor& p) {
    const Tensor w = p.slice(1, 3);
    EXPECT_EQ(w.first_slot(), p.first_slot() + 1);
    EXPECT_EQ(p.reshape({-1, 2}).shape(), (std::vector<std::size_t>{2, 2}));
    return w[0] * w[1] + sum(p.reshape({2, -1}));
  };
  const auto g = slope::grad(f, std::vector<double>{1, 2, 3, 4});
  EXPECT_EQ(g, (Array{1, 4, 3, 1}));
}

}  // namespace
