// SPDX-License-Identifier: MIT
// Models, losses, data and the glue to the optimizers: the usage examples of
// <slope/models.hpp> and of the headers under <slope/models/> (fit, check, model, dataset, loss,
// loss_objective), each run as written there and checked against numbers known beforehand: the
// seven cars' loss, gradient and Hessian at w = b = 0 worked out from the data, the README's
// gradient-descent run, the losses' formulas, and a least-squares fit that must not depend on
// standardizing the features. Exits non-zero when a result is wrong.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>

#include <slope/models.hpp>
#include <slope/optim.hpp>

#include "expect.hpp"

namespace {

// The seven cars by hand: weight x, mpg y; at w = b = 0 the residual is −y, so
//   f = mean y², ∇f = (−2 mean xy, −2 mean y), H = [[2 mean x², 2 mean x], [2 mean x, 2]].
struct CarsByHand {
  double f = 0, g[2] = {0, 0}, h[2][2] = {{0, 0}, {0, 2}};
  CarsByHand() {
    const auto cars = slope::models::cars7();
    const double n = double(cars.size());
    for (std::size_t i = 0; i < cars.size(); ++i) {
      const double x = cars.X(i, 0), y = cars.y(i);
      f += y * y / n;
      g[0] -= 2 * x * y / n;
      g[1] -= 2 * y / n;
      h[0][0] += 2 * x * x / n;
      h[0][1] += 2 * x / n;
    }
    h[1][0] = h[0][1];
  }
};

void models_and_fit_headers() {
  const CarsByHand by_hand;
  {
    // clang-format off
    // --- <slope/models.hpp>
    using namespace slope::models;
    auto obj = objective(LinearRegression(1), mse(), cars7());
    // clang-format on
    std::vector<double> g(2);
    const double f = obj.value_and_grad(std::vector<double>{0.0, 0.0}, g, {});
    std::printf("models.hpp: at w = b = 0 loss %.5f, gradient (%.4f, %.4f)\n", f, g[0], g[1]);
    examples::near("models.hpp: loss at 0", f, by_hand.f);
    examples::near("models.hpp: README's loss at 0", f, 303.71429, 1e-7);
    examples::near("models.hpp: gradient", g[0], by_hand.g[0]);
    examples::near("models.hpp: gradient", g[1], by_hand.g[1]);
  }
  {
    // clang-format off
    // --- <slope/models/fit.hpp>
    using namespace slope::models;
    auto obj = objective(LinearRegression(1), mse(), cars7());
    slope::optim::GradientDescent gd({.learning_rate = 0.01});
    slope::optim::Result r = gd.minimize(obj, std::vector<double>{0.0, 0.0});
    // clang-format on
    // The README's run: rows 1 and 2, and 1000 iterations to loss 11.79016, w 0.43880, b 15.04499.
    std::printf("fit.hpp: %s after %zu iterations: loss %.5f, w = %.5f, b = %.5f\n",
                slope::optim::to_string(r.reason).c_str(), r.iterations, r.value, r.x[0], r.x[1]);
    examples::that("fit.hpp: 1000 iterations",
                   r.reason == slope::optim::StopReason::max_iterations && r.iterations == 1000);
    examples::near("fit.hpp: row 1 loss", r.history[1].loss, 170.84312, 1e-7);
    examples::near("fit.hpp: row 1 w", r.history[1].x[0], 1.19717, 5e-6);
    examples::near("fit.hpp: row 1 b", r.history[1].x[1], 0.34286, 5e-6);
    examples::near("fit.hpp: row 2 loss", r.history[2].loss, 103.17402, 1e-7);
    examples::near("fit.hpp: loss", r.value, 11.79016, 1e-6);
    examples::near("fit.hpp: w", r.x[0], 0.43880, 5e-6);
    examples::near("fit.hpp: b", r.x[1], 15.04499, 5e-7);
  }
}

void check_header() {
  slope::models::LinearRegression model(1);
  const auto data = slope::models::cars7();
  const std::vector<double> x{-4.0, 30.0};
  auto my_grad = [&data](const std::vector<double>& p) {  // (2/N) Σ (x, 1)(wx + b − y), by hand
    std::vector<double> g{0.0, 0.0};
    const double n = static_cast<double>(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
      const double r = p[0] * data.X(i, 0) + p[1] - data.y(i);
      g[0] += 2 * data.X(i, 0) * r / n;
      g[1] += 2 * r / n;
    }
    return g;
  };
  // clang-format off
  // --- <slope/models/check.hpp>
  auto obj = slope::models::objective(model, slope::models::mse(), data);
  auto rep = slope::check_gradient(obj, x);  // on all examples
  examples::that("check.hpp (models): the gradient passes", rep.ok && rep.rows.size() == 2);
  rep = slope::check_gradient(obj, x, my_grad);  // also your hand-derived gradient
  // clang-format on
  if (!rep.ok) std::cerr << rep;
  examples::that("check.hpp (models): the hand-derived gradient passes",
                 rep.ok && rep.rows[0].analytic.has_value());
  const std::vector<double> v{1.0, -2.0};
  rep = slope::check_hvp(obj, x, v);
  if (!rep.ok) std::cerr << rep;
  examples::that("check.hpp (models): the HVP passes", rep.ok);
}

void model_header() {
  const CarsByHand by_hand;
  // clang-format off
  // --- <slope/models/model.hpp>
  slope::models::LinearRegression m(1);                       // p = (w, b)
  auto loss = [&m](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
    return slope::mean(slope::square(m.output(p, X) - y));    // the output is on the tape
  };
  auto cars = slope::models::cars7();
  slope::Placeholder X("X", cars.X), y("y", cars.y);
  slope::Function F = slope::record(loss, std::vector<double>{0.0, 0.0}, X, y);
  // clang-format on
  const std::vector<double> zero{0.0, 0.0};
  const auto [f, g] = F.value_and_grad(zero);
  const auto H = F.hessian(zero);
  std::printf(
      "model.hpp: at w = b = 0 gradient (%.4f, %.4f), Hessian [[%.4f, %.4f], [%.4f, %.4f]]\n", g(0),
      g(1), H(0, 0), H(0, 1), H(1, 0), H(1, 1));
  examples::near("model.hpp: loss", f, by_hand.f);
  for (std::size_t i = 0; i < 2; ++i) {
    examples::near("model.hpp: gradient", g(i), by_hand.g[i]);
    for (std::size_t j = 0; j < 2; ++j)
      examples::near("model.hpp: Hessian", H(i, j), by_hand.h[i][j]);
  }
  // The README's rounded figures: gradient (−119.7, −34.3), Hessian [[26.70, 7.20], [7.20, 2]].
  examples::near("model.hpp: README gradient", g(0), -119.7, 1e-3);
  examples::near("model.hpp: README gradient", g(1), -34.3, 1e-3);
  examples::near("model.hpp: README Hessian", H(0, 0), 26.70, 1e-3);
  examples::near("model.hpp: README Hessian", H(0, 1), 7.20, 1e-3);

  // The table: parameters and predictions of the three models on one row x = (0.2, 0.4).
  const xt::xarray<double> row{{0.2, 0.4}};
  const std::vector<double> p{1.0, -1.0, 0.5};  // (w₁, w₂, b)
  const slope::models::LinearRegression linear(2);
  const slope::models::LogisticRegression logistic(2);
  examples::that("model.hpp: D + 1 parameters",
                 linear.parameters() == 3 && logistic.parameters() == 3);
  examples::near("model.hpp: linear predicts Xw + b", linear.predict(p, row)(0), 0.3);
  examples::near("model.hpp: logistic predicts P(y = 1)", logistic.predict(p, row)(0),
                 1 / (1 + std::exp(-0.3)));
  // Softmax, K = 3: W row-major 2×3, then b (3); the probabilities are softmax(xW + b).
  const slope::models::SoftmaxRegression softmax(2, 3);
  const std::vector<double> q{1.0, 0.0, -1.0, 0.5, 2.0, 0.0, 0.1, 0.2, 0.3};
  const auto P = softmax.predict(q, row);
  double logits[3], z = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    logits[k] = 0.2 * q[k] + 0.4 * q[3 + k] + q[6 + k];
    z += std::exp(logits[k]);
  }
  examples::that("model.hpp: (D + 1)K parameters", softmax.parameters() == 9);
  for (std::size_t k = 0; k < 3; ++k)
    examples::near("model.hpp: softmax predicts class probabilities", P(0, k),
                   std::exp(logits[k]) / z);
}

void dataset_header() {
  // clang-format off
  // --- <slope/models/dataset.hpp>
  auto data = slope::models::auto_mpg({"weight", "horsepower"});      // X (392, 2), y mpg
  auto [train, test] = slope::models::train_test_split(data, 0.2, 42);
  auto s = slope::models::Standardizer::fit(train.X);
  xt::xarray<double> Z = s.apply(train.X);                           // fit on Z, then
  // (the fit: Newton on the mean squared error of a linear model of Z)
  auto standardized = train;
  standardized.X = Z;
  auto on_z = slope::models::objective(slope::models::LinearRegression(2), slope::models::mse(),
                                       standardized);
  const auto fit = slope::optim::Newton().minimize(on_z, std::vector<double>(3, 0.0));
  const xt::xarray<double> w{fit.x[0], fit.x[1]};
  const double b = fit.x[2];
  auto [w_raw, b_raw] = s.unstandardize(w, b);                       // weights for raw X
  // clang-format on
  std::printf(
      "dataset.hpp: %zu rows, train %zu, test %zu; on Z w = (%.4f, %.4f), b = %.4f; "
      "raw w = (%.6f, %.6f), b = %.4f\n",
      data.size(), train.size(), test.size(), w(0), w(1), b, w_raw(0), w_raw(1), b_raw);
  examples::that("dataset.hpp: X (392, 2)", data.size() == 392 && data.dimension() == 2);
  examples::that("dataset.hpp: test takes round(0.2 · 392) = 78 rows",
                 test.size() == 78 && train.size() == 314);
  for (std::size_t j = 0; j < 2; ++j) {  // Z's columns: mean 0, population deviation 1
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < Z.shape()[0]; ++i) mean += Z(i, j) / double(Z.shape()[0]);
    for (std::size_t i = 0; i < Z.shape()[0]; ++i)
      var += (Z(i, j) - mean) * (Z(i, j) - mean) / double(Z.shape()[0]);
    examples::near("dataset.hpp: standardized mean", mean, 0.0, 1e-12);
    examples::near("dataset.hpp: standardized variance", var, 1.0, 1e-12);
  }
  examples::that("dataset.hpp: the fit on Z converged",
                 fit.reason == slope::optim::StopReason::gradient_tolerance);
  // The raw weights predict what the standardized ones do, row by row, so they are the
  // least-squares fit on the raw features too: same loss, zero gradient.
  for (std::size_t i = 0; i < train.size(); ++i)
    examples::near("dataset.hpp: same prediction",
                   w_raw(0) * train.X(i, 0) + w_raw(1) * train.X(i, 1) + b_raw,
                   w(0) * Z(i, 0) + w(1) * Z(i, 1) + b, 1e-10);
  auto on_raw =
      slope::models::objective(slope::models::LinearRegression(2), slope::models::mse(), train);
  std::vector<double> g(3);
  const double f_raw = on_raw.value_and_grad(std::vector<double>{w_raw(0), w_raw(1), b_raw}, g, {});
  examples::near("dataset.hpp: same loss on raw X", f_raw, fit.value, 1e-10);
  for (std::size_t j = 0; j < 2; ++j)  // ∂f/∂w_raw = (∂f/∂w)/scale: tiny at the minimum
    examples::near("dataset.hpp: gradient on raw X", g[j] * s.scale(j), 0.0, 1e-7);
  examples::near("dataset.hpp: gradient on raw X", g[2], 0.0, 1e-7);
  // Heavier, more powerful cars go fewer miles per gallon.
  examples::that("dataset.hpp: negative weights", w_raw(0) < 0 && w_raw(1) < 0);

  // The CSV error the header quotes: cars.csv whose line 14 (the header is line 1) has 'abc'.
  {
    std::ofstream csv("cars.csv");
    csv << "weight,mpg\n";
    for (int line = 2; line <= 15; ++line) csv << (line == 14 ? "abc" : "3.5") << ",18\n";
  }
  std::string message;
  try {
    slope::models::load_csv("cars.csv", {"weight"}, "mpg");
  } catch (const slope::Error& e) {
    message = e.what();
  }
  std::remove("cars.csv");
  std::printf("dataset.hpp: %s\n", message.c_str());
  examples::that(
      "dataset.hpp: the CSV error names file, line and column",
      message == "slope::models::load_csv: cars.csv:14: column 'weight': 'abc' is not a number");
}

// A loss at output O (a parameter vector reshaped) against targets Y: its value and gradient.
slope::ValueAndGrad loss_at(const slope::models::Loss& loss, const xt::xarray<double>& O,
                            const xt::xarray<double>& Y) {
  const std::vector<double> o(O.begin(), O.end());
  const std::vector<std::size_t> shape(O.shape().begin(), O.shape().end());
  slope::Function F = slope::record(
      [&](const slope::Tensor& p, const slope::Tensor& y) { return loss(p.reshape(shape), y); }, o,
      slope::Placeholder("y", Y));
  return F.value_and_grad(o);
}

// Checks a loss against its formula: value mean ℓ(o_i, y_i), gradient ℓ'(o_i, y_i) / N.
template <class L, class D>
void check_loss(const char* name, const slope::models::Loss& loss, const xt::xarray<double>& o,
                const xt::xarray<double>& y, L ell, D dell) {
  const auto [f, g] = loss_at(loss, o, y);
  double want = 0;
  for (std::size_t i = 0; i < o.size(); ++i) want += ell(o(i), y(i)) / double(o.size());
  std::printf("loss.hpp: %s = %.12f\n", name, f);
  examples::near(name, f, want);
  for (std::size_t i = 0; i < o.size(); ++i)
    examples::near(name, g(i), dell(o(i), y(i)) / double(o.size()));
}

void loss_header() {
  // clang-format off
  // --- <slope/models/loss.hpp>
  slope::models::Loss cauchy("cauchy", [](const slope::Tensor& o, const slope::Tensor& y) {
    return slope::mean(slope::log1p(slope::square(o - y)));
  });
  // clang-format on
  const xt::xarray<double> o{0.5, -1.0, 2.0, 3.5}, y{1.0, 1.0, 0.0, 2.0};
  const xt::xarray<double> labels{1.0, 0.0, 0.0, 1.0};
  const double delta = 1.0;
  auto sigmoid = [](double z) { return 1 / (1 + std::exp(-z)); };
  check_loss(
      "cauchy", cauchy, o, y, [](double a, double b) { return std::log1p((a - b) * (a - b)); },
      [](double a, double b) { return 2 * (a - b) / (1 + (a - b) * (a - b)); });
  check_loss(
      "mse", slope::models::mse(), o, y, [](double a, double b) { return (a - b) * (a - b); },
      [](double a, double b) { return 2 * (a - b); });
  check_loss(
      "mae", slope::models::mae(), o, y, [](double a, double b) { return std::abs(a - b); },
      [](double a, double b) { return a > b ? 1.0 : -1.0; });
  check_loss(
      "huber", slope::models::huber(delta), o, y,
      [delta](double a, double b) {
        const double r = std::abs(a - b);
        return r <= delta ? r * r / 2 : delta * (r - delta / 2);
      },
      [delta](double a, double b) {
        return std::abs(a - b) <= delta ? a - b : delta * (a > b ? 1 : -1);
      });
  check_loss(
      "log_loss", slope::models::log_loss(), o, labels,
      [](double a, double b) { return std::log1p(std::exp(a)) - b * a; },
      [sigmoid](double a, double b) { return sigmoid(a) - b; });

  // cross_entropy: mean over rows of −Σ_k Y log softmax(O); gradient (softmax(O) − Y) / N.
  const xt::xarray<double> O{{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}},
      Y{{0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}};
  const auto [f, g] = loss_at(slope::models::cross_entropy(), O, Y);
  double want = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const double z = std::exp(O(i, 0)) + std::exp(O(i, 1)) + std::exp(O(i, 2));
    for (std::size_t k = 0; k < 3; ++k) {
      want -= Y(i, k) * std::log(std::exp(O(i, k)) / z) / 2;
      examples::near("cross_entropy gradient", g(3 * i + k), (std::exp(O(i, k)) / z - Y(i, k)) / 2);
    }
  }
  std::printf("loss.hpp: cross_entropy = %.12f\n", f);
  examples::near("cross_entropy", f, want);
}

// Points on y = 2x + 1, x spread over [−1, 1]: the fit's minimum is w = 2, b = 1, loss 0.
xt::xarray<double> line_x(std::size_t n) {
  xt::xarray<double> X = xt::xarray<double>::from_shape({n, 1});
  for (std::size_t i = 0; i < n; ++i) X(i, 0) = -1.0 + 2.0 * double(i) / double(n - 1);
  return X;
}

void loss_objective_header() {
  auto rosenbrock = [](const slope::Tensor& p) {
    return 100 * square(p[1] - square(p[0])) + square(1 - p[0]);
  };
  auto mse = [](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
    return slope::mean(slope::square(slope::matmul(X, p.slice(0, 1)) + p[1] - y));
  };
  const xt::xarray<double> X_train = line_x(64);
  const xt::xarray<double> y_train = 2.0 * xt::view(X_train, xt::all(), 0) + 1.0;
  std::vector<double> x0{-1.2, 1.0};
  // clang-format off
  // --- <slope/models/loss_objective.hpp>
  auto obj = slope::as_objective(rosenbrock, x0);        // rosenbrock(p) -> Var
  slope::Placeholder X("X", X_train), y("y", y_train);
  auto fit = slope::as_objective(mse, x0, X, y);         // mse(p, X, y) -> Var
  slope::optim::SGD sgd({.batch_size = 32});
  slope::optim::Result r = sgd.minimize(fit, x0);        // x0: std::vector<double>
  // clang-format on
  std::vector<double> g(2), hv(2);
  const double f = obj.value_and_grad(x0, g, {});
  obj.hvp(x0, std::vector<double>{1.0, 0.0}, hv, {});
  examples::near("loss_objective.hpp: Rosenbrock value", f, 24.2);
  examples::near("loss_objective.hpp: Rosenbrock gradient", g[0], -215.6);
  examples::near("loss_objective.hpp: Rosenbrock gradient", g[1], -88.0);
  examples::near("loss_objective.hpp: Rosenbrock H·(1, 0)", hv[0], 1330.0);
  examples::near("loss_objective.hpp: Rosenbrock H·(1, 0)", hv[1], 480.0);

  std::printf("loss_objective.hpp: SGD %s after %zu epochs: w = %.8f, b = %.8f, %zu recording(s)\n",
              slope::optim::to_string(r.reason).c_str(), r.iterations, r.x[0], r.x[1],
              fit.function().recordings());
  examples::that("loss_objective.hpp: 64 examples", fit.examples() == 64);
  examples::near("loss_objective.hpp: w", r.x[0], 2.0, 1e-4);
  examples::near("loss_objective.hpp: b", r.x[1], 1.0, 1e-4);
  examples::that("loss_objective.hpp: recorded once", fit.function().recordings() == 1);
}

}  // namespace

int main() {
  models_and_fit_headers();
  check_header();
  model_header();
  dataset_header();
  loss_header();
  loss_objective_header();
  return examples::failures();
}
