// SPDX-License-Identifier: MIT
// What every optimizer shares: stopping rules, callbacks, history and CSV, invalid options.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <slope/optim.hpp>
#include <sstream>

#include "problems.hpp"

namespace {

using namespace slope::optim;
using test::Cars;
using ::testing::HasSubstr;

#define EXPECT_ERROR(stmt, text)                             \
  try {                                                      \
    stmt;                                                    \
    ADD_FAILURE() << "no slope::Error from " #stmt;          \
  } catch (const slope::Error& e) {                          \
    EXPECT_THAT(e.what(), HasSubstr(text)) << "from " #stmt; \
  }

const std::vector<double> kZero{0.0, 0.0};

TEST(Stop, IterationBudgetOfZeroEvaluatesOnlyTheStart) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 0;
  const Result r = GradientDescent({.stop = stop}).minimize(cars, kZero);
  EXPECT_EQ(r.iterations, 0u);
  EXPECT_EQ(r.history.size(), 1u);
  EXPECT_EQ(r.x, kZero);
  EXPECT_NEAR(r.value, 303.714286, 1e-6);
  EXPECT_EQ(r.reason, StopReason::max_iterations);
}

TEST(Stop, GradientToleranceEndsTheRun) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 1000000;
  stop.gradient_tolerance = 1e-3;
  const Result r = GradientDescent({.stop = stop}).minimize(cars, kZero);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_LE(r.gradient_norm, 1e-3);
  EXPECT_GT(r.history[r.history.size() - 2].gradient_norm, 1e-3);
}

TEST(Stop, TimeBudget) {
  Cars cars;
  Stop stop;
  stop.max_iterations = std::size_t(-1);
  stop.gradient_tolerance = 0;
  stop.max_seconds = 0.05;
  const Result r = GradientDescent({.learning_rate = 1e-9, .stop = stop}).minimize(cars, kZero);
  EXPECT_EQ(r.reason, StopReason::time_budget);
  EXPECT_GE(r.seconds, 0.05);
}

TEST(Stop, CallbackAsksToStop) {
  Cars cars;
  std::size_t calls = 0;
  const Result r =
      GradientDescent().minimize(cars, kZero, {[&](const State& s) {
                                   ++calls;
                                   EXPECT_EQ(s.x.size(), 2u);
                                   EXPECT_EQ(s.evaluations->gradients, s.iteration + 1);
                                   return s.iteration == 7;
                                 }});
  EXPECT_EQ(r.reason, StopReason::callback);
  EXPECT_EQ(r.iterations, 7u);
  EXPECT_EQ(calls, 8u);
  EXPECT_EQ(to_string(r.reason), "callback");
}

TEST(Stop, EarlyStoppingAfterPatience) {
  // A constant objective never improves: patience 3 stops at iteration 3.
  FunctionObjective flat(1, [](Span, MutSpan g) {
    g[0] = 1.0;
    return 5.0;
  });
  Stop stop;
  stop.gradient_tolerance = 0;
  const Result r =
      GradientDescent({.stop = stop}).minimize(flat, std::vector<double>{0.0}, {early_stopping(3)});
  EXPECT_EQ(r.reason, StopReason::callback);
  EXPECT_EQ(r.iterations, 3u);
}

TEST(History, CsvHasARowPerIterationAndTheParameters) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 2;
  const Result r = GradientDescent({.stop = stop}).minimize(cars, kZero);
  const std::string csv = r.csv();
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "iteration,loss,gradient_norm,step,x0,x1");
  std::getline(in, line);
  EXPECT_THAT(line, ::testing::StartsWith("0,303.71428571428"));
  EXPECT_THAT(line, ::testing::EndsWith(",0,0,0"));
  std::getline(in, line);
  EXPECT_THAT(line, ::testing::StartsWith("1,170.8"));
  double w = 0;
  std::sscanf(line.c_str() + line.rfind(',', line.rfind(',') - 1) + 1, "%lf", &w);
  EXPECT_NEAR(w, 1.19717, 1e-5);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);

  const std::string path = ::testing::TempDir() + "slope_history.csv";
  r.write_csv(path);
  std::ifstream f(path);
  std::stringstream back;
  back << f.rdbuf();
  EXPECT_EQ(back.str(), csv);
  EXPECT_ERROR(r.write_csv("/nonexistent-dir/h.csv"), "/nonexistent-dir/h.csv");
}

TEST(History, ParametersKeptOnlyUpToSixteenDimensions) {
  test::Quadratic q17(17), q16(16);
  Stop stop;
  stop.max_iterations = 1;
  EXPECT_TRUE(GradientDescent({.stop = stop})
                  .minimize(q17, std::vector<double>(17, 0.0))
                  .history[1]
                  .x.empty());
  EXPECT_EQ(GradientDescent({.stop = stop})
                .minimize(q16, std::vector<double>(16, 0.0))
                .history[1]
                .x.size(),
            16u);
}

TEST(Callbacks, PrintTableEveryNRows) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 10;
  std::ostringstream out;
  GradientDescent({.stop = stop}).minimize(cars, kZero, {print_table(out, 5)});
  const std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 4);  // header + iterations 0, 5, 10
  EXPECT_THAT(s, HasSubstr("303.714"));
  EXPECT_THAT(s, HasSubstr("x1"));
}

TEST(Callbacks, ProgressBarIsSilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Cars cars;
  Stop stop;
  stop.max_iterations = 20;
  GradientDescent({.stop = stop}).minimize(cars, kZero, {progress_bar(20, f)});
  EXPECT_EQ(std::ftell(f), 0L);
  std::fclose(f);
}

TEST(Objective, DefaultHessianFromHvpsAndNoHvpIsAnError) {
  Cars cars;
  std::vector<double> h(4);
  cars.hessian(kZero, h, {});
  double sxx = 0, sx = 0;
  for (double x : test::kPounds) sxx += x * x, sx += x;
  EXPECT_NEAR(h[0], 2 * sxx / 7, 1e-12);
  EXPECT_NEAR(h[1], 2 * sx / 7, 1e-12);
  EXPECT_EQ(h[1], h[2]);
  EXPECT_NEAR(h[3], 2.0, 1e-12);
  FunctionObjective f(1, [](Span x, MutSpan g) {
    g[0] = 2 * x[0];
    return x[0] * x[0];
  });
  std::vector<double> hv(1);
  EXPECT_FALSE(f.has_hvp());
  EXPECT_ERROR(f.hvp(std::vector<double>{1.0}, std::vector<double>{1.0}, hv, {}),
               "no Hessian-vector product");
  EXPECT_EQ(f.value(std::vector<double>{3.0}, {}), 9.0);
}

TEST(InvalidOptions, NameTheOptionAndTheValue) {
  EXPECT_ERROR(GradientDescent({.learning_rate = 0.0}), "learning_rate must be > 0, got 0");
  EXPECT_ERROR(GradientDescent({.learning_rate = -0.5}), "learning_rate must be > 0, got -0.5");
  EXPECT_ERROR(SGD({.learning_rate = -1.0}), "learning_rate");
  EXPECT_ERROR(SGD({.batch_size = 0}), "batch_size must be >= 1, got 0");
  EXPECT_ERROR(SGD({.momentum = 1.0}), "momentum must be in [0, 1), got 1");
  EXPECT_ERROR(SGD({.nesterov = true}), "nesterov");
  EXPECT_ERROR(SGD({.weight_decay = -1.0}), "weight_decay");
  EXPECT_ERROR(Adam({.beta1 = 1.5}), "beta1 must be in [0, 1), got 1.5");
  EXPECT_ERROR(Adam({.epsilon = 0.0}), "epsilon");
  EXPECT_ERROR(Adam({.learning_rate = 0.0}), "learning_rate");
  Stop stop;
  stop.gradient_tolerance = -1e-3;
  EXPECT_ERROR(GradientDescent({.stop = stop}), "stop.gradient_tolerance must be >= 0, got -0.001");
  stop = Stop{};
  stop.loss_tolerance = -1;
  EXPECT_ERROR(SGD({.stop = stop}), "stop.loss_tolerance");
  stop = Stop{};
  stop.max_seconds = -1;
  EXPECT_ERROR(Adam({.stop = stop}), "stop.max_seconds");
  stop = Stop{};
  stop.loss_window = 0;
  EXPECT_ERROR(GradientDescent({.stop = stop}), "stop.loss_window");
  EXPECT_ERROR(GradientDescent({.learning_rate = Schedule::step(0.1, 0, 0.5)}), "every");
  EXPECT_ERROR(GradientDescent({.learning_rate = Schedule::cosine(0.1, 10, 0.5)}), "min_rate");
  EXPECT_ERROR(GradientDescent({.learning_rate = Schedule::exponential(0.1, 1.5)}), "gamma");

  Cars cars;
  EXPECT_ERROR(SGD({.batch_size = 8}).minimize(cars, kZero),
               "batch_size must be at most the number of examples (7), got 8");
  EXPECT_ERROR(GradientDescent().minimize(cars, std::vector<double>{0.0, 0.0, 0.0}),
               "x0 has length 3, the objective has dimension 2");
  EXPECT_ERROR(GradientDescent().minimize(cars, std::vector<double>{NAN, 0.0}), "x0[0] is nan");
  test::Rosenbrock rb;  // not over examples
  EXPECT_ERROR(SGD().minimize(rb, std::vector<double>{0.0, 0.0}), "examples() = 0");
}

}  // namespace
