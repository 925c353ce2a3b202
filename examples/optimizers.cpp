// SPDX-License-Identifier: MIT
// The optimizers: the usage examples of <slope/optim.hpp> and of the headers under
// <slope/optim/> (objective, gradient_descent, run, schedule, callbacks, sgd, adam, lbfgs,
// newton), each run as written there on a problem whose answer is known: quadratics (where
// gradient descent has a closed form and Newton takes one step), Rosenbrock (minimum at (1, 1))
// and a line fitted to points on y = 2x + 1 (minimum w = 2, b = 1, loss 0).
// Exits non-zero when a result is wrong.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <slope/models.hpp>
#include <slope/optim.hpp>

#include "expect.hpp"

// clang-format off
// --- <slope/optim/objective.hpp>
using namespace slope::optim;
struct Quadratic : Objective {  // f(x) = x₀² + 4x₁²
  std::size_t dimension() const override { return 2; }
  double value_and_grad(Span x, MutSpan g, Batch) override {
    g[0] = 2 * x[0];
    g[1] = 8 * x[1];
    return x[0] * x[0] + 4 * x[1] * x[1];
  }
};
// clang-format on

namespace {

double norm(Span x) { return std::hypot(x[0], x[1]); }

// f(x) = (x₀ − 1)² + 4(x₁ + 2)² + c: minimum c at (1, −2). From x: gradient descent with rate η
// gives x₀ − 1 ← (1 − 2η)(x₀ − 1) and x₁ + 2 ← (1 − 8η)(x₁ + 2).
FunctionObjective shifted_quadratic(double c) {
  return FunctionObjective(2, [c](Span x, MutSpan g) {
    g[0] = 2 * (x[0] - 1);
    g[1] = 8 * (x[1] + 2);
    return (x[0] - 1) * (x[0] - 1) + 4 * (x[1] + 2) * (x[1] + 2) + c;
  });
}

// Rosenbrock 100(x₁ − x₀²)² + (1 − x₀)² with its gradient and Hessian-vector product by hand.
FunctionObjective rosenbrock() {
  return FunctionObjective(
      2,
      [](Span x, MutSpan g) {
        const double a = x[1] - x[0] * x[0];
        g[0] = -400 * x[0] * a - 2 * (1 - x[0]);
        g[1] = 200 * a;
        return 100 * a * a + (1 - x[0]) * (1 - x[0]);
      },
      [](Span x, Span v, MutSpan hv) {
        const double h00 = 1200 * x[0] * x[0] - 400 * x[1] + 2, h01 = -400 * x[0];
        hv[0] = h00 * v[0] + h01 * v[1];
        hv[1] = h01 * v[0] + 200 * v[1];
      });
}

void check_rosenbrock_minimum(const char* who, const Result& r) {
  std::printf("%s on Rosenbrock: %s after %zu iterations, x = (%.10f, %.10f)\n", who,
              to_string(r.reason).c_str(), r.iterations, r.x[0], r.x[1]);
  examples::that(who, r.reason == StopReason::gradient_tolerance);
  examples::near(who, r.x[0], 1.0, 1e-7);
  examples::near(who, r.x[1], 1.0, 1e-7);
}

void objective_and_optim_headers() {
  Quadratic objective;
  std::vector<double> g(2);
  examples::near("objective.hpp: Quadratic value",
                 objective.value_and_grad(std::vector<double>{3, -2}, g, {}), 25.0);
  examples::near("objective.hpp: Quadratic gradient", g[1], -16.0);

  std::vector<double> x0{3.0, -2.0};
  // clang-format off
  // --- <slope/optim.hpp>
  slope::optim::LBFGS lbfgs;
  slope::optim::Result r = lbfgs.minimize(objective, x0, {slope::optim::print_table(std::cout)});
  // clang-format on
  examples::that("optim.hpp: L-BFGS converges on the quadratic",
                 r.reason == StopReason::gradient_tolerance && r.gradient_norm <= 1e-8);
  examples::near("optim.hpp: minimiser", norm(r.x), 0.0, 1e-8);
}

void gradient_descent_header() {
  auto f = shifted_quadratic(0.0);
  // clang-format off
  // --- <slope/optim/gradient_descent.hpp>
  GradientDescent gd({.learning_rate = 0.01});
  Result r = gd.minimize(f, std::vector<double>{0.0, 0.0});
  // clang-format on
  // x_k = (1 − 0.98^k, −2 + 2·0.92^k); the run stops at the first k with ‖∇f‖ ≤ 1e-8.
  std::printf("gradient_descent.hpp: %s after %zu iterations, x = (%.10f, %.10f)\n",
              to_string(r.reason).c_str(), r.iterations, r.x[0], r.x[1]);
  examples::that(
      "gradient_descent.hpp: stops on the gradient",
      r.reason == StopReason::gradient_tolerance && r.history.size() == r.iterations + 1);
  for (const Record& row : r.history) {
    const double k = double(row.iteration);
    examples::near("gradient_descent.hpp: x0", row.x[0], 1 - std::pow(0.98, k), 1e-12);
    examples::near("gradient_descent.hpp: x1", row.x[1], -2 + 2 * std::pow(0.92, k), 1e-12);
  }
  std::size_t k = 0;
  while (std::hypot(2 * std::pow(0.98, double(k)), 16 * std::pow(0.92, double(k))) > 1e-8) ++k;
  examples::that("gradient_descent.hpp: stops where the closed form says",
                 r.iterations + 1 >= k && r.iterations <= k + 1);
}

void run_header() {
  auto f = shifted_quadratic(10.0);  // the minimum is 10: the loss stalls before ‖g‖ ≤ 1e-8
  std::vector<double> x0{0.0, 0.0};
  // clang-format off
  // --- <slope/optim/run.hpp>
  slope::optim::Stop stop;            // defaults: 1000 iterations, ‖g‖ ≤ 1e-8
  stop.loss_tolerance = 1e-9;         // also stop once the loss has stopped changing
  Result r = GradientDescent({.learning_rate = 0.01, .stop = stop}).minimize(f, x0);
  r.write_csv("history.csv");
  // clang-format on
  std::printf("run.hpp: %s after %zu iterations, loss %.12f\n", to_string(r.reason).c_str(),
              r.iterations, r.value);
  examples::that("run.hpp: stops on the stalled loss", r.reason == StopReason::loss_stalled);
  // It stops at the first k ≥ 5 with |f_{k−5} − f_k| ≤ 1e-9·max(|f_{k−5}|, |f_k|).
  auto stalled = [&r](std::size_t k) {
    const double a = r.history[k - 5].loss, b = r.history[k].loss;
    return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
  };
  const std::size_t k = r.iterations;
  examples::that("run.hpp: the rule holds at the last row", k >= 5 && stalled(k));
  examples::that("run.hpp: and at no row before", k >= 6 && !stalled(k - 1));
  examples::near("run.hpp: loss near the minimum 10", r.value, 10.0, 1e-8);

  // history.csv: a header, then one row per iteration 0…k, losses in round-trip form.
  std::ifstream in("history.csv");
  std::string line, last;
  std::getline(in, line);
  examples::that("run.hpp: history.csv header", line == "iteration,loss,gradient_norm,step,x0,x1");
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    last = line;
  }
  examples::that("run.hpp: history.csv has a row per iteration", rows == k + 1);
  std::istringstream cells(last);
  std::string iteration, loss;
  std::getline(cells, iteration, ',');
  std::getline(cells, loss, ',');
  examples::that("run.hpp: history.csv last row",
                 iteration == std::to_string(k) && std::stod(loss) == r.history.back().loss);
  in.close();
  std::remove("history.csv");
}

void schedule_header() {
  // η_t for the schedules listed in <slope/optim/schedule.hpp>, by their formulas.
  examples::near("schedule.hpp: constant", Schedule::constant(0.1).at(7), 0.1);
  examples::near("schedule.hpp: step", Schedule::step(0.1, 100, 0.5).at(250), 0.1 * 0.25);
  examples::near("schedule.hpp: exponential", Schedule::exponential(0.1, 0.999).at(10),
                 0.1 * std::pow(0.999, 10));
  examples::near("schedule.hpp: inverse_time", Schedule::inverse_time(0.1, 0.01).at(100), 0.05);
  examples::near("schedule.hpp: cosine at T/2", Schedule::cosine(0.1, 1000, 0.001).at(500),
                 0.001 + 0.099 * (1 + std::cos(std::numbers::pi / 2)) / 2);
  examples::near("schedule.hpp: cosine past T", Schedule::cosine(0.1, 1000, 0.001).at(2000), 0.001);
}

void callbacks_header() {
  // Gradient descent on x² with rate 1 jumps between 1 and −1 for ever: the loss never improves,
  // the gradient never shrinks, so only early_stopping(20) can end the run, at iteration 20.
  FunctionObjective f(1, [](Span x, MutSpan g) {
    g[0] = 2 * x[0];
    return x[0] * x[0];
  });
  GradientDescent opt({.learning_rate = 1.0});
  std::vector<double> x0{1.0};
  // clang-format off
  // --- <slope/optim/callbacks.hpp>
  Callbacks watch{print_table(std::cout, 10), progress_bar(1000), early_stopping(20)};
  Result r = opt.minimize(f, x0, watch);
  // clang-format on
  examples::that("callbacks.hpp: early_stopping(20) stops at iteration 20",
                 r.reason == StopReason::callback && r.iterations == 20);
  examples::near("callbacks.hpp: x jumps to −1 and back", r.x[0], 1.0);
}

// Points on y = 2x + 1, x spread over [−1, 1]: the fit's minimum is w = 2, b = 1, loss 0.
struct Line {
  xt::xarray<double> X, y;
  explicit Line(std::size_t n)
      : X(xt::xarray<double>::from_shape({n, 1})), y(xt::xarray<double>::from_shape({n})) {
    for (std::size_t i = 0; i < n; ++i) {
      X(i, 0) = -1.0 + 2.0 * double(i) / double(n - 1);
      y(i) = 2 * X(i, 0) + 1;
    }
  }
};
auto line_mse = [](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
  return slope::mean(slope::square(slope::matmul(X, p.slice(0, 1)) + p[1] - y));
};

void sgd_header() {
  const Line data(64);
  slope::Placeholder X("X", data.X), y("y", data.y);
  auto f = slope::as_objective(line_mse, std::vector<double>{0.0, 0.0}, X, y);
  std::vector<double> x0{0.0, 0.0};
  // clang-format off
  // --- <slope/optim/sgd.hpp>
  SGD sgd({.learning_rate = 0.01, .batch_size = 32, .momentum = 0.9, .seed = 7});
  // clang-format on
  Result r = sgd.minimize(f, x0);
  std::printf("sgd.hpp: %s after %zu epochs, w = %.10f, b = %.10f\n", to_string(r.reason).c_str(),
              r.iterations, r.x[0], r.x[1]);
  examples::near("sgd.hpp: w", r.x[0], 2.0, 1e-6);
  examples::near("sgd.hpp: b", r.x[1], 1.0, 1e-6);
  // A seed gives the same run, bit for bit.
  const Result again =
      SGD({.learning_rate = 0.01, .batch_size = 32, .momentum = 0.9, .seed = 7}).minimize(f, x0);
  examples::that("sgd.hpp: same seed, same run",
                 again.x == r.x && again.iterations == r.iterations);
}

void adam_header() {
  const Line data(32);  // one batch of 32 per epoch: an epoch is one Adam step
  slope::Placeholder X("X", data.X), y("y", data.y);
  auto f = slope::as_objective(line_mse, std::vector<double>{0.0, 0.0}, X, y);
  std::vector<double> x0{1.5, 0.5};
  // clang-format off
  // --- <slope/optim/adam.hpp>
  Adam adam({.learning_rate = 1e-3, .batch_size = 32});
  // clang-format on
  Result r = adam.minimize(f, x0);
  std::printf("adam.hpp: %s after %zu epochs, w = %.10f, b = %.10f, loss %.3g\n",
              to_string(r.reason).c_str(), r.iterations, r.x[0], r.x[1], r.value);
  // Adam's first step is η·m̂/(√v̂ + ε) = η·g/(|g| + ε): η against the sign of each gradient
  // coordinate. At x0 = (1.5, 0.5) both are negative (the line is below every point): +η each.
  examples::that("adam.hpp: one step per epoch", r.history.size() > 1);
  examples::near("adam.hpp: first step, w", r.history[1].x[0], 1.5 + 1e-3, 1e-10);
  examples::near("adam.hpp: first step, b", r.history[1].x[1], 0.5 + 1e-3, 1e-10);
  // Its 1000 steps (each about η while the gradient keeps its sign, shorter as the gradient
  // shrinks) take it from 0.5 away to within 0.02 of the minimum (2, 1), the loss down 1000-fold.
  examples::near("adam.hpp: w", r.x[0], 2.0, 2e-2);
  examples::near("adam.hpp: b", r.x[1], 1.0, 2e-2);
  examples::that("adam.hpp: loss down 1000-fold", r.value < 1e-3 * r.history[0].loss);
}

void lbfgs_header() {
  auto f = rosenbrock();
  // clang-format off
  // --- <slope/optim/lbfgs.hpp>
  LBFGS lbfgs({.memory = 10});
  // clang-format on
  check_rosenbrock_minimum("lbfgs.hpp", lbfgs.minimize(f, std::vector<double>{-1.2, 1.0}));
}

void newton_header() {
  auto f = rosenbrock();
  std::vector<double> x0{-1.2, 1.0};
  {
    // clang-format off
    // --- <slope/optim/newton.hpp>
    Newton newton;
    Result r = newton.minimize(f, x0);
    // clang-format on
    check_rosenbrock_minimum("newton.hpp: Newton", r);
  }
  {
    // clang-format off
    // --- <slope/optim/newton.hpp>
    NewtonCG ncg({.max_cg_iterations = 200});
    Result r = ncg.minimize(f, x0);
    // clang-format on
    check_rosenbrock_minimum("newton.hpp: NewtonCG", r);
  }
  // On a quadratic Newton's first step lands on the minimum.
  FunctionObjective q(
      2,
      [](Span x, MutSpan g) {
        g[0] = 2 * (x[0] - 1);
        g[1] = 8 * (x[1] + 2);
        return (x[0] - 1) * (x[0] - 1) + 4 * (x[1] + 2) * (x[1] + 2);
      },
      [](Span, Span v, MutSpan hv) {
        hv[0] = 2 * v[0];
        hv[1] = 8 * v[1];
      });
  const Result r = Newton().minimize(q, std::vector<double>{5.0, 7.0});
  examples::that("newton.hpp: one step on a quadratic", r.iterations == 1);
  examples::near("newton.hpp: quadratic minimiser x0", r.x[0], 1.0, 1e-12);
  examples::near("newton.hpp: quadratic minimiser x1", r.x[1], -2.0, 1e-12);
}

}  // namespace

int main() {
  objective_and_optim_headers();
  gradient_descent_header();
  run_header();
  schedule_header();
  callbacks_header();
  sgd_header();
  adam_header();
  lbfgs_header();
  newton_header();
  return examples::failures();
}
