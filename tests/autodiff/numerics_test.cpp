// SPDX-License-Identifier: MIT
// Numerics of the op rules at their extreme points, against analytic values: no exception but
// slope::Error from a derivative call, empty lanes, limits at 0 and ±∞, and first and second
// derivatives that keep their relative precision where a naive formula cancels or overflows.
// Each case is checked on the scalar op and, where there is one, on its tensor twin.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Fn = std::function<Var(const Tensor&)>;

// Relative agreement with an analytic value (computed in long double or known in closed form).
void expect_rel(double got, long double want, double tol = 1e-14) {
  EXPECT_NEAR(got, static_cast<double>(want), tol * std::fabs(static_cast<double>(want)))
      << "want " << static_cast<double>(want);
}

// The first and second derivative of a one-input function at x: grad, hvp and hessian (the
// recorded-tangent and the replayed second-order paths).
struct D12 {
  double d1, d2_hvp, d2_hessian;
};
D12 derivatives(const Fn& f, double x) {
  const std::vector<double> p{x};
  return {slope::grad(f, p)(0), slope::hvp(f, p, std::vector<double>{1.0})(0),
          slope::hessian(f, p)(0, 0)};
}
void expect_d12(const Fn& f, double x, long double d1, long double d2, double tol = 1e-14) {
  SCOPED_TRACE("at x = " + std::to_string(x));
  const D12 d = derivatives(f, x);
  expect_rel(d.d1, d1, tol);
  expect_rel(d.d2_hvp, d2, tol);
  expect_rel(d.d2_hessian, d2, tol);
}

std::string message_of(const Fn& f, const std::vector<double>& x) {
  try {
    slope::grad(f, x);
  } catch (const slope::Error& e) {
    return e.what();
  }
  return "no error";
}

// ---- 1. Boost special functions: NaN / ±Inf at poles and outside the domain, never a throw ----

TEST(NumericsSpecial, DigammaSecondOrderAtNaNGivesNaNNotABoostException) {
  const Fn f = [](const Tensor& p) { return digamma(log(p[0])); };
  xt::xarray<double> hv, h;
  EXPECT_NO_THROW(hv = slope::hvp(f, std::vector<double>{-1}, std::vector<double>{1}));
  EXPECT_NO_THROW(h = slope::hessian(f, std::vector<double>{-1}));
  EXPECT_TRUE(std::isnan(hv(0)));
  EXPECT_TRUE(std::isnan(h(0, 0)));
  const Fn t = [](const Tensor& p) { return sum(digamma(log(p))); };
  EXPECT_NO_THROW(hv = slope::hvp(t, std::vector<double>{-1}, std::vector<double>{1}));
  EXPECT_TRUE(std::isnan(hv(0)));
  // The NaN check is what turns the NaN into an error.
  slope::set_nan_check(true);
  EXPECT_THROW(slope::hvp(f, std::vector<double>{-1}, std::vector<double>{1}), slope::Error);
  slope::set_nan_check(false);
}

TEST(NumericsSpecial, EveryBoostCallIsQuietAtNaNInfPolesAndHugeArguments) {
  const std::vector<double> points{kNaN, kInf,   -kInf, 0.0,    -0.0,   -1.0, -2.0,
                                   -1e6, -1e300, 1e300, 1e-300, 5e-324, -0.5, 171.7};
  const std::vector<std::pair<const char*, double (*)(double)>> fns{
      {"erf", slope::special::erf},         {"erfc", slope::special::erfc},
      {"lgamma", slope::special::lgamma},   {"tgamma", slope::special::tgamma},
      {"digamma", slope::special::digamma}, {"trigamma", slope::special::trigamma}};
  for (double x : points) {
    SCOPED_TRACE("at x = " + std::to_string(x));
    for (const auto& [name, fn] : fns) EXPECT_NO_THROW(fn(x)) << name;
    for (int n : {1, 2, 3}) EXPECT_NO_THROW(slope::special::polygamma(n, x)) << "polygamma " << n;
    // Each special op at first and second order, scalar and tensor.
    const std::vector<Fn> ops{[](const Tensor& p) { return erf(p[0]); },
                              [](const Tensor& p) { return erfc(p[0]); },
                              [](const Tensor& p) { return lgamma(p[0]); },
                              [](const Tensor& p) { return tgamma(p[0]); },
                              [](const Tensor& p) { return digamma(p[0]); },
                              [](const Tensor& p) { return sum(digamma(p)); },
                              [](const Tensor& p) { return sum(lgamma(p)); }};
    for (const Fn& f : ops) EXPECT_NO_THROW(derivatives(f, x));
  }
  // Known values at the extremes: ψ₂(+∞) = 0, ψ₁(1e300) = 1e-300, poles and NaN give NaN.
  EXPECT_EQ(slope::special::polygamma(2, kInf), 0.0);
  expect_rel(slope::special::trigamma(1e300), 1e-300L);
  for (double x : {kNaN, -kInf, 0.0, -1.0, -2.0, -1e300})
    EXPECT_TRUE(std::isnan(slope::special::polygamma(2, x))) << x;
  // ψ₂(x) ~ −1/x² for large x: digamma's second derivative at 1e10.
  expect_d12([](const Tensor& p) { return digamma(p[0]); }, 1e10, 1e-10L + 0.5e-20L, -1e-20L, 1e-9);
}

// ---- 2. Empty lanes ----

TEST(NumericsEmpty, SoftmaxOfNothingIsAnErrorNamingTheOpAndShape) {
  const std::vector<double> x{0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  for (const bool log : {false, true}) {
    const char* name = log ? "log_softmax" : "softmax";
    SCOPED_TRACE(name);
    const Fn all = [log](const Tensor& p) {
      const Tensor e = p.slice(2, 2);
      return sum(log ? slope::log_softmax(e) : slope::softmax(e)) + p[0];
    };
    std::string what = message_of(all, x);
    EXPECT_NE(what.find(std::string(name) + ": normalizes zero elements"), std::string::npos)
        << what;
    EXPECT_NE(what.find("(0,)"), std::string::npos) << what;
    // A (0, 3) tensor: along axis 0 three empty lanes (an error), along axis 1 no lane at all (an
    // empty result, not an error).
    const Fn axis0 = [log](const Tensor& p) {
      const Tensor e = p.slice(0, 0).reshape({0, 3});
      return sum(log ? slope::log_softmax(e, 0) : slope::softmax(e, 0)) + p[0];
    };
    what = message_of(axis0, x);
    EXPECT_NE(what.find("zero elements (shape (0,3), axis 0)"), std::string::npos) << what;
    const Fn axis1 = [log](const Tensor& p) {
      const Tensor e = p.slice(0, 0).reshape({0, 3});
      return sum(log ? slope::log_softmax(e, 1) : slope::softmax(e, 1)) + p[0];
    };
    const auto [v, g] = slope::value_and_grad(axis1, x);
    EXPECT_EQ(v, 0.1);
    EXPECT_EQ(g(0), 1.0);
  }
}

TEST(NumericsEmpty, ReductionsOfNothingAlongAnAxis) {
  const std::vector<double> x{0.1, 0.2, 0.3};
  auto empty = [](const Tensor& p) { return p.slice(0, 0).reshape({0, 3}); };
  // Sums (sum, norm2) of no elements are 0: along axis 0 a (3,) of zeros, over all elements 0.
  const Fn sums = [&](const Tensor& p) {
    return sum(sum(empty(p), 0)) + sum(norm2(empty(p), 0)) + norm2(empty(p)) + sum(empty(p)) +
           2.0 * p[1];
  };
  const auto [v, g] = slope::value_and_grad(sums, x);
  EXPECT_EQ(v, 0.4);
  EXPECT_EQ(g(1), 2.0);
  EXPECT_EQ(slope::value_and_grad(
                [&](const Tensor& p) { return sum(sum(empty(p), 0) + p.slice(0, 3)); }, x)
                .value,
            0.1 + 0.2 + 0.3);
  // mean, max, min and log_sum_exp of nothing are errors, along an axis and over all elements.
  const std::vector<std::pair<std::string, Fn>> errors{
      {"mean", [&](const Tensor& p) { return sum(mean(empty(p), 0)); }},
      {"max", [&](const Tensor& p) { return sum(max(empty(p), 0)); }},
      {"min", [&](const Tensor& p) { return sum(min(empty(p), 0)); }},
      {"log_sum_exp", [&](const Tensor& p) { return sum(log_sum_exp(empty(p), 0)); }}};
  for (const auto& [name, f] : errors) {
    const std::string what = message_of(f, x);
    EXPECT_NE(what.find(name + ": reduces zero elements (shape (0,3), axis 0)"), std::string::npos)
        << what;
  }
  EXPECT_NE(message_of([&](const Tensor& p) { return mean(empty(p)); }, x)
                .find("mean: reduces zero elements (shape (0,3))"),
            std::string::npos);
  // Along axis 1 there is no lane: every reduction gives an empty (0,) result.
  const Fn no_lane = [&](const Tensor& p) {
    return sum(mean(empty(p), 1)) + sum(max(empty(p), 1)) + sum(log_sum_exp(empty(p), 1)) + p[2];
  };
  EXPECT_EQ(slope::value_and_grad(no_lane, x).value, 0.3);
}

// ---- 3. pow at a = 0 ----

TEST(NumericsPow, VarPowVarAtZeroBase) {
  const Fn f = [](const Tensor& p) { return pow(p[0], p[1]); };
  const Fn t = [](const Tensor& p) { return sum(pow(p.slice(0, 1), p.slice(1, 2))); };
  for (const Fn& g : {f, t}) {
    // ∂/∂a = b a^(b−1), ∂/∂b = a^b ln a → 0; ∂²/∂a² = b(b−1)a^(b−2), the others 0 (b > 1).
    for (const auto& [b, da, daa] : std::vector<std::array<double, 3>>{
             {2.0, 0.0, 2.0}, {3.0, 0.0, 0.0}, {2.5, 0.0, 0.0}, {1.0, 1.0, 0.0}}) {
      SCOPED_TRACE("b = " + std::to_string(b));
      const std::vector<double> x{0.0, b};
      const auto d = slope::grad(g, x);
      EXPECT_EQ(d(0), da);
      EXPECT_EQ(d(1), 0.0);
      if (b == 1.0) continue;  // the mixed second derivative 1 + ln a diverges there
      const auto h = slope::hessian(g, x);
      EXPECT_EQ(h(0, 0), daa);
      EXPECT_EQ(h(0, 1), 0.0);
      EXPECT_EQ(h(1, 1), 0.0);
      const auto hv = slope::hvp(g, x, std::vector<double>{0.7, -1.3});
      EXPECT_EQ(hv(0), 0.7 * daa);
      EXPECT_EQ(hv(1), 0.0);
    }
  }
}

TEST(NumericsPow, ConstantBaseZeroAndConstantExponentAtZero) {
  // 0^y: derivative 0^y ln 0 → 0 for y > 0, second derivative 0^y ln² 0 → 0.
  for (double y : {0.5, 1.0, 2.0}) {
    const D12 d = derivatives([](const Tensor& p) { return pow(0.0, p[0]); }, y);
    EXPECT_EQ(d.d1, 0.0);
    EXPECT_EQ(d.d2_hvp, 0.0);
    EXPECT_EQ(d.d2_hessian, 0.0);
  }
  // x^c at x = 0: c x^(c−1) and c(c−1)x^(c−2).
  for (const auto& [c, d1, d2] : std::vector<std::array<double, 3>>{
           {2.0, 0.0, 2.0}, {2.5, 0.0, 0.0}, {3.0, 0.0, 0.0}, {1.0, 1.0, 0.0}}) {
    SCOPED_TRACE("c = " + std::to_string(c));
    for (const Fn& f : {Fn([c](const Tensor& p) { return pow(p[0], c); }),
                        Fn([c](const Tensor& p) { return sum(pow(p, c)); })}) {
      const D12 d = derivatives(f, 0.0);
      EXPECT_EQ(d.d1, d1);
      EXPECT_EQ(d.d2_hvp, d2);
      EXPECT_EQ(d.d2_hessian, d2);
    }
  }
}

TEST(NumericsPow, PowerThatOverflowsOrUnderflowsKeepsAFiniteSlope) {
  const Fn f = [](const Tensor& p) { return pow(p[0], p[1]); };
  // (1e300)^1.1 overflows, but ∂/∂a = b a^(b−1) ≈ 1.1e30.
  const long double a = 1e300, b = 1.1;  // the doubles, exactly
  expect_rel(slope::grad(f, std::vector<double>{1e300, 1.1})(0), b * std::pow(a, b - 1));
  // (1e-300)² underflows, but ∂/∂a = 2e-300.
  expect_rel(slope::grad(f, std::vector<double>{1e-300, 2.0})(0), 2e-300L);
}

// ---- 4. log_sum_exp at −∞ ----

TEST(NumericsLogSumExp, BothOperandsMinusInfinityTakeTheDiagonalLimit) {
  const Fn f = [](const Tensor& p) { return log_sum_exp(p[0], p[1]); };
  const std::vector<double> x{-kInf, -kInf};
  const auto [v, g] = slope::value_and_grad(f, x);
  EXPECT_EQ(v, -kInf);
  EXPECT_EQ(g(0), 0.5);
  EXPECT_EQ(g(1), 0.5);
  // σ'(0) = 1/4: H = [[1/4, −1/4], [−1/4, 1/4]].
  const auto h = slope::hessian(f, x);
  EXPECT_EQ(h(0, 0), 0.25);
  EXPECT_EQ(h(0, 1), -0.25);
  const auto hv = slope::hvp(f, x, std::vector<double>{1.0, 0.0});
  EXPECT_EQ(hv(0), 0.25);
  EXPECT_EQ(hv(1), -0.25);
  EXPECT_EQ(slope::log_sum_exp(-kInf, -kInf), -kInf);
  EXPECT_EQ(slope::log_sum_exp(kInf, kInf), kInf);
  // With a constant operand too.
  const auto gc = slope::grad([](const Tensor& p) { return log_sum_exp(p[0], -kInf); },
                              std::vector<double>{-kInf});
  EXPECT_EQ(gc(0), 0.5);
}

TEST(NumericsLogSumExp, TensorReductionOfAllMinusInfinityHasUniformWeights) {
  const std::vector<double> x{-kInf, -kInf, -kInf, -kInf};
  const Fn f = [](const Tensor& p) { return log_sum_exp(p); };
  const auto [v, g] = slope::value_and_grad(f, x);
  EXPECT_EQ(v, -kInf);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(g(i), 0.25);
  // The softmax Jacobian at uniform weights: δ_ij/n − 1/n².
  const auto h = slope::hessian(f, x);
  const auto hv = slope::hvp(f, x, std::vector<double>{1, 0, 0, 0});
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(h(i, 0), (i == 0 ? 0.25 : 0.0) - 0.0625);
    EXPECT_EQ(hv(i), (i == 0 ? 0.25 : 0.0) - 0.0625);
  }
  // Along an axis: a row of −∞ next to a finite row.
  const Fn rows = [](const Tensor& p) { return sum(log_sum_exp(p.reshape({2, 2}), 1)); };
  const auto gr = slope::grad(rows, std::vector<double>{-kInf, -kInf, 0.0, 0.0});
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(gr(i), 0.5);
  // softmax / log_softmax of a fully masked row: uniform, −log n.
  const Fn sm = [](const Tensor& p) {
    return sum(slope::softmax(p) * slope::softmax(p)) + slope::log_softmax(p)[1];
  };
  const auto [sv, sg] = slope::value_and_grad(sm, x);
  expect_rel(sv, 0.25L - std::log(4.0L));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(std::isfinite(sg(i)));
  EXPECT_NEAR(sg(1), 0.75, 1e-15);
}

// ---- 5. Rules that keep their relative precision at extreme points ----

long double sigmoid_l(long double a) { return 1 / (1 + std::exp(-a)); }

TEST(NumericsPrecision, SigmoidAndSoftplusFarOutInBothTails) {
  for (double a : {40.0, -40.0, 30.0, 600.0, -600.0}) {
    const long double s = sigmoid_l(a), d1 = s * sigmoid_l(-a), d2 = d1 * (1 - 2 * s);
    expect_d12([](const Tensor& p) { return sigmoid(p[0]); }, a, d1, d2);
    expect_d12([](const Tensor& p) { return sum(sigmoid(p)); }, a, d1, d2);
    expect_d12([](const Tensor& p) { return softplus(p[0]); }, a, s, d1);
    expect_d12([](const Tensor& p) { return sum(softplus(p)); }, a, s, d1);
  }
  EXPECT_EQ(
      slope::grad([](const Tensor& p) { return sigmoid(p[0]); }, std::vector<double>{40.0})(0),
      4.248354255291589e-18);
}

TEST(NumericsPrecision, TanhFarOut) {
  for (double a : {20.0, -20.0, 5.0, 300.0}) {
    const long double t = std::tanh(static_cast<long double>(a)),
                      e = std::exp(-2 * std::fabs(static_cast<long double>(a))),
                      sech2 = 4 * e / ((1 + e) * (1 + e));
    expect_d12([](const Tensor& p) { return tanh(p[0]); }, a, sech2, -2 * t * sech2);
    expect_d12([](const Tensor& p) { return sum(tanh(p)); }, a, sech2, -2 * t * sech2);
  }
}

TEST(NumericsPrecision, AsinhAndAcoshAtHugeArguments) {
  for (double a : {1e200, -1e200, 1e10}) {
    const long double x = a, d1 = 1 / std::sqrt(x * x + 1), d2 = -x * d1 * d1 * d1;
    expect_d12([](const Tensor& p) { return asinh(p[0]); }, a, d1, d2);
    expect_d12([](const Tensor& p) { return sum(asinh(p)); }, a, d1, d2);
  }
  for (double a : {1e200, 1e10}) {
    const long double x = a, d1 = 1 / std::sqrt(x * x - 1), d2 = -x * d1 * d1 * d1;
    expect_d12([](const Tensor& p) { return acosh(p[0]); }, a, d1, d2);
    expect_d12([](const Tensor& p) { return sum(acosh(p)); }, a, d1, d2);
  }
  EXPECT_EQ(slope::grad([](const Tensor& p) { return asinh(p[0]); }, std::vector<double>{1e200})(0),
            1e-200);
}

TEST(NumericsPrecision, Expm1FarIntoTheNegativeSide) {
  for (double a : {-40.0, -2.0, -700.0}) {
    const long double e = std::exp(static_cast<long double>(a));
    expect_d12([](const Tensor& p) { return expm1(p[0]); }, a, e, e);
    expect_d12([](const Tensor& p) { return sum(expm1(p)); }, a, e, e);
  }
}

TEST(NumericsPrecision, Atan2WithHugeAndTinyOperands) {
  for (double s : {1e-200, 1e200}) {
    for (const Fn& f :
         {Fn([](const Tensor& p) { return atan2(p[0], p[1]); }),
          Fn([](const Tensor& p) { return sum(atan2(p.slice(0, 1), p.slice(1, 2))); })}) {
      const std::vector<double> x{3 * s, 4 * s};
      // ∂/∂a = b/(a² + b²) = 4/(25 s), ∂/∂b = −3/(25 s), although a² + b² over- or underflows.
      const auto g = slope::grad(f, x);
      const long double ls = s;
      expect_rel(g(0), 4 / (25 * ls));
      expect_rel(g(1), -3 / (25 * ls));
      const auto hv = slope::hvp(f, x, std::vector<double>{1.0, 0.0});
      EXPECT_EQ(hv(0), s > 1 ? 0.0 : -kInf);  // −24/(625 s²): underflows, or overflows
    }
  }
}

TEST(NumericsPrecision, LogSumExpOfVeryDifferentOperandsAtSecondOrder) {
  // The Hessian of lse(a, b) is σ'(a − b)·[[1, −1], [−1, 1]]: at a − b = 40 that is 4.2e-18.
  const Fn f = [](const Tensor& p) { return log_sum_exp(p[0], p[1]); };
  const long double d = sigmoid_l(40) * sigmoid_l(-40);
  const auto g = slope::grad(f, std::vector<double>{40.0, 0.0});
  expect_rel(g(1), sigmoid_l(-40));
  const auto h = slope::hessian(f, std::vector<double>{40.0, 0.0});
  expect_rel(h(0, 0), d);
  expect_rel(h(0, 1), -d);
  const auto hv = slope::hvp(f, std::vector<double>{40.0, 0.0}, std::vector<double>{1, 0});
  expect_rel(hv(0), d);
}

TEST(NumericsPrecision, Norm2OfHugeAndTinyElements) {
  for (double s : {1e200, 1e-200}) {
    SCOPED_TRACE(s);
    const std::vector<double> x{3 * s, 4 * s};
    for (const Fn& f : {Fn([](const Tensor& p) { return norm2(p); }), Fn([](const Tensor& p) {
                          return sum(norm2(p.reshape({1, 2}), 1));
                        })}) {
      const auto [v, g] = slope::value_and_grad(f, x);
      expect_rel(v, 5 * static_cast<long double>(s));
      expect_rel(g(0), 0.6L);
      expect_rel(g(1), 0.8L);
      // H = (I − u uᵀ)/‖x‖, u = x/‖x‖: H₀₀ = 0.64/(5s).
      const auto h = slope::hessian(f, x);
      expect_rel(h(0, 0), 0.64L / (5 * static_cast<long double>(s)));
    }
  }
}

// Tensor outputs come from the array pool, so an op must not read what an earlier sweep left in
// its output: a matmul of a (1,) by a (1, 1) computed 0·c + a·b, and a NaN left by an HVP at a
// NaN point made every later HVP NaN (found by the differential fuzzer).
TEST(NumericsPool, MatmulDoesNotReadWhatThePoolHeld) {
  const xt::xarray<double> E = xt::adapt(std::vector<double>{-0.9}, std::vector<std::size_t>{1, 1});
  auto f = [&](const Tensor& p) {
    return slope::sum(slope::matmul(p.slice(0, 1), E)) + p[1] / 2.0;
  };
  const std::vector<double> x{0.5, 0.25}, v{0.3, -0.7};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double bad : {nan, std::numeric_limits<double>::infinity()}) {
    (void)slope::hvp(f, x, v);
    (void)slope::hvp(f, std::vector<double>{bad, 0.25}, v);
    const auto hv = slope::hvp(f, x, v);
    EXPECT_EQ(hv(0), 0.0);
    EXPECT_EQ(hv(1), 0.0);
    const auto g = slope::value_and_grad(f, x).grad;
    EXPECT_DOUBLE_EQ(g(0), -0.9);
    EXPECT_DOUBLE_EQ(g(1), 0.5);
  }
}

}  // namespace
