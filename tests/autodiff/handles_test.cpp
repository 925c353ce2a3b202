// SPDX-License-Identifier: MIT
// A node is folded into its consumer only when no other live handle names it, whatever the user
// does with copies and moves. Each function below is legal C++ that once got a silently wrong
// gradient (the three reproducers of the correctness issue first); each is checked against its
// analytic value, gradient and Hessian, fresh, through the dual recording (HVP, Hessian), as a
// recorded Function at the recording point and at a new one, and through AutoFunction.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <numbers>
#include <utility>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

// The analytic side: value, gradient and Hessian of a function of two parameters.
struct Exact {
  double value;
  std::array<double, 2> grad;
  std::array<std::array<double, 2>, 2> hessian;
};
using Analytic = std::function<Exact(double, double)>;

void expect_close(double got, double want, const char* what, std::size_t i = 0) {
  EXPECT_NEAR(got, want, 1e-12 * (1 + std::fabs(want))) << what << " " << i;
}

template <class Fn>
void expect_exact(Fn f, const Analytic& exact, std::vector<double> x, std::vector<double> x2) {
  const std::vector<double> v{0.3, -1.1};
  for (const auto& at : {x, x2}) {
    SCOPED_TRACE(::testing::Message() << "at (" << at[0] << ", " << at[1] << ")");
    const Exact e = exact(at[0], at[1]);
    const auto [fx, g] = slope::value_and_grad(f, at);
    expect_close(fx, e.value, "value");
    for (std::size_t i = 0; i < 2; ++i) expect_close(g(i), e.grad[i], "gradient", i);
    const auto hv = slope::hvp(f, at, v);
    const auto h = slope::hessian(f, at);
    for (std::size_t i = 0; i < 2; ++i) {
      expect_close(hv(i), e.hessian[i][0] * v[0] + e.hessian[i][1] * v[1], "HVP", i);
      for (std::size_t j = 0; j < 2; ++j) expect_close(h(i, j), e.hessian[i][j], "Hessian", i);
    }
  }
  // Recorded at x, replayed at x and at x2 (the branch taken, if any, is the same at both).
  slope::Function F = slope::record(f, x);
  slope::AutoFunction A(f, x);
  for (const auto& at : {x, x2}) {
    SCOPED_TRACE(::testing::Message() << "replayed at (" << at[0] << ", " << at[1] << ")");
    const Exact e = exact(at[0], at[1]);
    for (const slope::ValueAndGrad& r : {F.value_and_grad(at), A.value_and_grad(at)}) {
      expect_close(r.value, e.value, "replayed value");
      for (std::size_t i = 0; i < 2; ++i)
        expect_close(r.grad(i), e.grad[i], "replayed gradient", i);
    }
    expect_close(F.value(at), e.value, "replayed value()");
    const auto hv = F.hvp(at, v);
    const auto h = F.hessian(at);
    for (std::size_t i = 0; i < 2; ++i) {
      expect_close(hv(i), e.hessian[i][0] * v[0] + e.hessian[i][1] * v[1], "replayed HVP", i);
      for (std::size_t j = 0; j < 2; ++j)
        expect_close(h(i, j), e.hessian[i][j], "replayed Hessian", i);
    }
  }
  EXPECT_EQ(A.recordings(), 1u);
}

// y = sin(e^a) + e^a in the first parameter.
Exact sin_exp_plus_exp(double a, double) {
  const double t = std::exp(a);
  const double d2 = -std::sin(t) * t * t + std::cos(t) * t + t;
  return {std::sin(t) + t, {std::cos(t) * t + t, 0}, {{{d2, 0}, {0, 0}}}};
}

// The reproducers of the correctness issue, verbatim.

TEST(Handles, CopyKeptWhileTheOriginalIsMovedIntoAnOp) {
  // clang-format off: the reproducer as the issue wrote it
  auto f1 = [](const slope::Tensor& p) {  // gradient recording
    slope::Var t = exp(p[0]);
    slope::Var c = t;                  // a copy the user keeps
    slope::Var y = sin(std::move(t));  // t itself is not used again
    return y + c;
  };
  // clang-format on
  const auto [fx, g] = slope::value_and_grad(f1, std::vector<double>{0.7, -0.3});
  EXPECT_NEAR(g(0), 1.150633346, 1e-9);
  expect_exact(f1, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
}

TEST(Handles, CopyOfAScaledTemporaryMovedIntoALinearFold) {
  // clang-format off: the reproducer as the issue wrote it
  auto f2 = [](const slope::Tensor& p) {  // replay recording: linear fold
    slope::Var t = p[0] * 3.0;
    slope::Var c = t;
    slope::Var s = p[1] + std::move(t);
    return s * c;
  };
  // clang-format on
  const std::vector<double> x{0.7, -0.3};
  const auto r = slope::record(f2, x).value_and_grad(x);
  EXPECT_NEAR(r.value, 3.78, 1e-12);
  EXPECT_NEAR(r.grad(0), 11.7, 1e-12);
  EXPECT_NEAR(r.grad(1), 2.1, 1e-12);
  const auto h = slope::hessian(f2, x);
  EXPECT_NEAR(h(0, 0), 18, 1e-12);
  EXPECT_NEAR(h(0, 1), 3, 1e-12);
  EXPECT_NEAR(h(1, 0), 3, 1e-12);
  EXPECT_NEAR(h(1, 1), 0, 1e-12);
  // y = (b + 3a)·3a = 3ab + 9a².
  expect_exact(f2,
               [](double a, double b) {
                 return Exact{3 * a * b + 9 * a * a, {3 * b + 18 * a, 3 * a}, {{{18, 3}, {3, 0}}}};
               },
               x, {1.5, 2.0});
}

// y = erfc(e^b − 1) + e^b − 1 in the second parameter.
Exact erfc_expm1_plus_expm1(double, double b) {
  const double a = std::expm1(b), da = std::exp(b);
  const double k = 2 / std::sqrt(std::numbers::pi), gauss = std::exp(-a * a);
  const double g = (1 - k * gauss) * da;
  const double h = (1 - k * gauss) * da + k * 2 * a * gauss * da * da;
  return {std::erfc(a) + a, {0, g}, {{{0, 0}, {0, h}}}};
}

TEST(Handles, LogSumExpOfOneVarSharesItsHandle) {
  // clang-format off: the reproducer as the issue wrote it
  auto f3 = [](const slope::Tensor& p) {
    slope::Var a = expm1(p[1]);
    slope::Var l = log_sum_exp(std::vector<slope::Var>{a});  // the same slot as a
    slope::Var b = erfc(std::move(a));
    return b + l;
  };
  // clang-format on
  const auto [fx, g] = slope::value_and_grad(f3, std::vector<double>{0.7, -0.3});
  EXPECT_NEAR(g(1), -0.04079680272, 1e-10);
  expect_exact(f3, erfc_expm1_plus_expm1, {0.7, -0.3}, {0.2, 0.4});
}

TEST(Handles, GuardOnAScaledTemporaryLaterMovedIntoASubtraction) {
  // clang-format off: the reproducer as the issue wrote it
  auto f = [](const slope::Tensor& p) {
    slope::Var t = p[0] * 2.0;
    bool small = t < 1.0;  // guard on t
    slope::Var s = p[1] - std::move(t);
    return small ? s * 3.0 : s;
  };
  // clang-format on
  std::vector<double> x{0.2, 5.0};
  const auto r = slope::record(f, x).value_and_grad(x);
  EXPECT_NEAR(r.value, 13.8, 1e-12);
  EXPECT_NEAR(r.grad(0), -6, 1e-12);
  EXPECT_NEAR(r.grad(1), 3, 1e-12);
  expect_exact(f,
               [](double a, double b) {
                 return Exact{3 * (b - 2 * a), {-6, 3}, {}};
               },
               x, {0.3, -1.0});
  // Across the branch: the Function refuses, AutoFunction records again.
  slope::Function F = slope::record(f, x);
  EXPECT_THROW(F.value_and_grad(std::vector<double>{0.6, 5.0}), slope::StaleRecording);
  slope::AutoFunction A(f, x);
  const auto far = A.value_and_grad(std::vector<double>{0.6, 5.0});
  EXPECT_NEAR(far.value, 3.8, 1e-12);
  EXPECT_NEAR(far.grad(0), -2, 1e-12);
  EXPECT_NEAR(far.grad(1), 1, 1e-12);
  EXPECT_EQ(A.recordings(), 2u);
}

// Guards on every kind of node a replay recording folds (scaled operands: x·c, x/c, −x), each
// moved into + and into −.
TEST(Handles, GuardsOnEveryFoldableNodeSurviveTheFold) {
  for (int kind = 0; kind < 3; ++kind) {
    for (bool add : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "kind " << kind << (add ? " into +" : " into -"));
      auto f = [kind, add](const Tensor& p) {
        Var t = kind == 0 ? p[0] * 2.0 : kind == 1 ? p[0] / 0.5 : -(p[0] * 2.0);
        const bool big = kind == 2 ? t < -1.0 : t > 1.0;
        Var s = add ? p[1] + std::move(t) : p[1] - std::move(t);
        return big ? s * s : s;
      };
      const double sign = (add ? 1.0 : -1.0) * (kind == 2 ? -1.0 : 1.0);
      auto exact = [sign](double a, double b) {
        const double s = b + sign * 2 * a;  // |2a| > 1 at both points below
        return Exact{s * s, {4 * sign * s, 2 * s}, {{{8, 4 * sign}, {4 * sign, 2}}}};
      };
      expect_exact(f, exact, {0.8, 0.5}, {0.9, -0.25});
    }
  }
}

// Variants: copies through containers, lambdas capturing Vars, std::swap, moved-from handles used
// again and reassigned, a copy made inside a helper that returns the temporary.
TEST(Handles, CopiesInContainersLambdasAndSwapsKeepTheirNodes) {
  auto in_vector = [](const Tensor& p) {
    Var t = exp(p[0]);
    std::vector<Var> kept;
    kept.push_back(t);
    Var y = sin(std::move(t));
    return y + kept[0];
  };
  auto in_lambda = [](const Tensor& p) {
    Var t = exp(p[0]);
    auto later = [t] { return t; };
    Var y = sin(std::move(t));
    return y + later();
  };
  auto by_reference = [](const Tensor& p) {
    Var t = exp(p[0]);
    auto later = [&t] { return sin(std::move(t)); };
    Var y = later();
    return y + t;  // a moved-from handle still names its node
  };
  auto swapped = [](const Tensor& p) {
    Var t = exp(p[0]), u = p[1] * 0.0;
    std::swap(t, u);
    Var c = u;
    Var y = sin(std::move(u));
    return y + c + t;
  };
  auto used_again = [](const Tensor& p) {
    Var t = exp(p[0]);
    Var y = sin(std::move(t));
    return y + t;
  };
  auto move_constructed = [](const Tensor& p) {
    Var t = exp(p[0]);
    Var u = std::move(t);
    Var y = sin(std::move(u));
    return y + t;
  };
  auto compound = [](const Tensor& p) {
    Var t = exp(p[0]);
    Var c = t;
    Var y = 0.0;
    y += sin(std::move(t));
    y += c;
    return y;
  };
  auto helper = [](const Tensor& p) {
    std::vector<Var> kept;
    auto make = [&kept](const Var& x) {
      Var t = exp(x);
      kept.push_back(t);
      return t;  // the caller's prvalue: its copy in kept must keep it from being folded
    };
    Var y = sin(make(p[0]));
    return y + kept[0];
  };
  expect_exact(in_vector, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(in_lambda, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(by_reference, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(swapped, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(used_again, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(move_constructed, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(compound, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
  expect_exact(helper, sin_exp_plus_exp, {0.7, -0.3}, {-0.4, 1.2});
}

TEST(Handles, MovedFromHandlesReassignedStartAfresh) {
  auto f = [](const Tensor& p) {
    Var t = exp(p[0]);
    Var c = t;
    Var y = sin(std::move(t));
    t = exp(p[1]);  // reassigned: a new node, the only handle of it
    return y + c + sin(std::move(t));
  };
  auto exact = [](double a, double b) {
    Exact e = sin_exp_plus_exp(a, b);
    const double u = std::exp(b);
    e.value += std::sin(u);
    e.grad[1] = std::cos(u) * u;
    e.hessian[1][1] = -std::sin(u) * u * u + std::cos(u) * u;
    return e;
  };
  expect_exact(f, exact, {0.7, -0.3}, {-0.4, 1.2});
}

// Folding itself stays: a temporary nobody else names is still absorbed by its consumer, so the
// fix costs no nodes where it need not.
TEST(Handles, UnsharedTemporariesAreStillFolded) {
  auto nodes = [](auto f) {
    slope::Recording rec;
    const Var x = rec.tape().input(0.5);
    const Var y = f(x);
    EXPECT_TRUE(y.is_active());
    return rec.tape().size();
  };
  const std::size_t folded = nodes([](const Var& x) { return sin(exp(x)); });
  const std::size_t named = nodes([](const Var& x) {
    Var t = exp(x);
    return sin(t);
  });
  const std::size_t moved = nodes([](const Var& x) {
    Var t = exp(x);
    return sin(std::move(t));
  });
  EXPECT_EQ(folded + 1, named);
  EXPECT_EQ(moved, named);
  // In a replay recording a scaled operand is folded into + as one linear node.
  auto linear = [](const Tensor& p) { return p[1] + p[0] * 3.0; };
  auto kept = [](const Tensor& p) {
    Var t = p[0] * 3.0;
    return p[1] + t;
  };
  const std::vector<double> x{0.7, -0.3};
  EXPECT_EQ(slope::record(linear, x).node_count() + 1, slope::record(kept, x).node_count());
}

}  // namespace
