// SPDX-License-Identifier: MIT
// Models and losses through the glue: the seed's runs, analytic gradients, label checks.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <random>

namespace {

using namespace slope::models;
using slope::optim::Result;
using ::testing::HasSubstr;

std::vector<double> grad_at(slope::LossObjective& f, const std::vector<double>& p) {
  std::vector<double> g(p.size());
  f.value_and_grad(p, g, {});
  return g;
}

Dataset synthetic_logistic(std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  std::uniform_real_distribution<double> u;
  Dataset data;
  data.name = "synthetic";
  data.X = xt::zeros<double>({n, d});
  data.y = xt::zeros<double>({n});
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.3;
    for (std::size_t j = 0; j < d; ++j) s += (data.X(i, j) = z(rng)) * (j % 2 ? 1.0 : -0.5);
    data.y(i) = u(rng) < 1.0 / (1.0 + std::exp(-2.0 * s)) ? 1.0 : 0.0;
  }
  for (std::size_t j = 0; j < d; ++j)
    data.features.push_back(std::string("x").append(std::to_string(j + 1)));
  data.label = "y";
  return data;
}

TEST(Models, SeedGradientDescentThroughTheGlue) {
  auto obj = objective(LinearRegression(1), mse(), cars7());
  slope::optim::Stop stop;
  stop.max_iterations = 2;
  const Result r = slope::optim::GradientDescent({.learning_rate = 0.01, .stop = stop})
                       .minimize(obj, std::vector<double>{0, 0});
  EXPECT_NEAR(r.history[0].loss, 303.714286, 1e-6);
  EXPECT_NEAR(r.history[1].x[0], 1.19717, 1e-5);
  EXPECT_NEAR(r.history[1].x[1], 0.34286, 1e-5);
  EXPECT_NEAR(r.history[1].loss, 170.84, 5e-3);
  EXPECT_NEAR(r.history[2].loss, 103.17, 5e-3);
  const Result n = slope::optim::Newton().minimize(obj, std::vector<double>{0, 0});
  EXPECT_NEAR(n.history[1].x[0], -4.5691, 1e-4);
  EXPECT_NEAR(n.history[1].x[1], 33.5851, 1e-4);
  EXPECT_NEAR(n.history[1].loss, 1.46967, 1e-5);
}

TEST(Models, LogisticGradientIsXtSigmaMinusYOverN) {
  const Dataset d = synthetic_logistic(200, 3, 4);
  auto obj = objective(LogisticRegression(3), log_loss(), d);
  const std::vector<double> p{0.2, -0.1, 0.3, 0.05};
  const auto g = grad_at(obj, p);
  const auto prob = LogisticRegression(3).predict(p, d.X);
  for (std::size_t j = 0; j <= 3; ++j) {
    double want = 0;
    for (std::size_t i = 0; i < 200; ++i) want += (prob(i) - d.y(i)) * (j < 3 ? d.X(i, j) : 1.0);
    EXPECT_NEAR(g[j], want / 200, 1e-12) << j;
  }
}

TEST(Models, LogisticNewtonCgReachesATinyGradient) {
  const Dataset d = synthetic_logistic(2000, 5, 7);
  auto obj = objective(LogisticRegression(5), log_loss(), d);
  slope::optim::Stop stop;
  stop.gradient_tolerance = 1e-8;
  const Result r =
      slope::optim::NewtonCG({.stop = stop}).minimize(obj, std::vector<double>(6, 0.0));
  EXPECT_EQ(r.reason, slope::optim::StopReason::gradient_tolerance);
  EXPECT_LT(r.gradient_norm, 1e-8);
  EXPECT_LE(r.iterations, 15u);
}

TEST(Models, SoftmaxGradientMatchesFiniteDifferences) {
  Dataset d = synthetic_logistic(60, 2, 9);
  for (std::size_t i = 0; i < 60; ++i) d.y(i) = static_cast<double>(i % 3);
  const SoftmaxRegression m(2, 3);
  EXPECT_EQ(m.parameters(), 9u);
  auto obj = objective(m, cross_entropy(), d);
  std::vector<double> p{0.1, -0.2, 0.3, 0.05, 0.4, -0.3, 0.0, 0.1, -0.1};
  const auto g = grad_at(obj, p);
  for (std::size_t j = 0; j < p.size(); ++j) {
    auto hi = p, lo = p;
    hi[j] += 1e-6;
    lo[j] -= 1e-6;
    EXPECT_NEAR(g[j], (obj.value(hi, {}) - obj.value(lo, {})) / 2e-6, 1e-7) << j;
  }
  // At p = 0 every class has probability 1/3: the loss is log 3.
  EXPECT_NEAR(obj.value(std::vector<double>(9, 0.0), {}), std::log(3.0), 1e-12);
  const auto probs = m.predict(p, d.X);
  EXPECT_NEAR(probs(0, 0) + probs(0, 1) + probs(0, 2), 1.0, 1e-15);
}

TEST(Models, LossesFollowTheirFormulas) {
  const Dataset cars = cars7();
  const std::vector<double> p{-4.0, 30.0};
  const auto pred = LinearRegression(1).predict(p, cars.X);
  double mae_want = 0, huber_want = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    const double r = pred(i) - cars.y(i), a = std::abs(r);
    mae_want += a / 7;
    huber_want += (a <= 1.5 ? 0.5 * r * r : 1.5 * (a - 0.75)) / 7;
  }
  auto m = objective(LinearRegression(1), mae(), cars);
  auto h = objective(LinearRegression(1), huber(1.5), cars);
  EXPECT_NEAR(m.value(p, {}), mae_want, 1e-12);
  EXPECT_NEAR(h.value(p, {}), huber_want, 1e-12);
  EXPECT_THROW(huber(0.0), slope::Error);
  EXPECT_EQ(loss_named("log-loss").name(), "log-loss");
  try {
    loss_named("hinge");
    ADD_FAILURE();
  } catch (const slope::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown loss 'hinge'"));
  }
}

TEST(Models, CustomLossWorksLikeABuiltIn) {
  const Loss cauchy("cauchy", [](const slope::Tensor& o, const slope::Tensor& y) {
    return slope::mean(slope::log1p(slope::square(o - y)));
  });
  const Dataset cars = cars7();
  auto obj = objective(LinearRegression(1), cauchy, cars);
  const std::vector<double> p{-3.0, 25.0};
  const auto g = grad_at(obj, p);
  double gw = 0, gb = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    const double r = p[0] * cars.X(i, 0) + p[1] - cars.y(i), s = 2 * r / (1 + r * r) / 7;
    gw += s * cars.X(i, 0);
    gb += s;
  }
  EXPECT_NEAR(g[0], gw, 1e-12);
  EXPECT_NEAR(g[1], gb, 1e-12);
  slope::optim::Stop stop;
  stop.max_iterations = 200;
  const Result r =
      slope::optim::LBFGS({.stop = stop}).minimize(obj, std::vector<double>{-4.0, 30.0});
  EXPECT_LT(r.value, obj.value(std::vector<double>{-4.0, 30.0}, {}));
}

TEST(Models, L2PenalisesWeightsNotTheBias) {
  const Dataset cars = cars7();
  auto plain = objective(LinearRegression(1), mse(), cars);
  auto ridge = objective(LinearRegression(1), mse(), cars, 0.5);
  const std::vector<double> p{2.0, 3.0};
  const auto g0 = grad_at(plain, p), g1 = grad_at(ridge, p);
  EXPECT_NEAR(g1[0] - g0[0], 0.5 * 2.0, 1e-12);
  EXPECT_NEAR(g1[1], g0[1], 1e-12);
  EXPECT_NEAR(ridge.value(p, {}) - plain.value(p, {}), 0.25 * 4.0, 1e-12);
}

TEST(Models, ParametersAreNamedAfterTheFeatures) {
  using V = std::vector<std::string>;
  EXPECT_EQ(LinearRegression(2).named_parameters({"weight", "horsepower"}),
            (V{"weight", "horsepower", "bias"}));
  EXPECT_EQ(LogisticRegression(1).named_parameters({"x"}), (V{"x", "bias"}));
  // Softmax: W row-major (feature by feature, class by class), then one bias per class.
  EXPECT_EQ(SoftmaxRegression(2, 2).named_parameters({"a", "b"}),
            (V{"a[0]", "a[1]", "b[0]", "b[1]", "bias[0]", "bias[1]"}));
  try {
    (void)LinearRegression(2).named_parameters({"weight"});
    FAIL() << "one name for two features must throw";
  } catch (const slope::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("1 names for a linear model of 2 features"));
  }
}

TEST(Models, BadLabelsAndShapesAreErrors) {
  const Dataset cars = cars7();  // mpg labels are not 0/1
  try {
    objective(LogisticRegression(1), log_loss(), cars);
    ADD_FAILURE();
  } catch (const slope::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("labels must be 0 or 1; label 0 is 18"));
  }
  EXPECT_THROW(objective(SoftmaxRegression(1, 3), cross_entropy(), cars), slope::Error);
  EXPECT_THROW(objective(LinearRegression(2), mse(), cars), slope::Error);
  EXPECT_THROW(LinearRegression(0), slope::Error);
  EXPECT_THROW(SoftmaxRegression(2, 1), slope::Error);
}

}  // namespace
