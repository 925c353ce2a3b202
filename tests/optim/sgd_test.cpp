// SPDX-License-Identifier: MIT
// SGD, mini-batch SGD, momentum, Nesterov, Adam: determinism, epochs, convergence, options.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <slope/optim.hpp>

#include "problems.hpp"

namespace {

using namespace slope::optim;
using test::Cars;

// Records every batch the optimizer asks for.
struct CountingCars : Cars {
  std::vector<std::vector<std::size_t>> batches;
  double value_and_grad(Span p, MutSpan g, Batch batch) override {
    if (!batch.empty()) batches.emplace_back(batch.begin(), batch.end());
    return Cars::value_and_grad(p, g, batch);
  }
};

Stop epochs(std::size_t n) {
  Stop s;
  s.max_iterations = n;
  s.gradient_tolerance = 0;
  return s;
}

TEST(SGD, SameSeedIsBitIdenticalAndOtherSeedsDiffer) {
  for (std::size_t batch : {1u, 3u}) {
    Cars a, b, c;
    const std::vector<double> x0{0, 0};
    const SGD::Options o{
        .learning_rate = 0.01, .batch_size = batch, .seed = 42, .stop = epochs(20)};
    SGD::Options other = o;
    other.seed = 43;
    const Result r1 = SGD(o).minimize(a, x0), r2 = SGD(o).minimize(b, x0),
                 r3 = SGD(other).minimize(c, x0);
    EXPECT_EQ(r1.x, r2.x) << "batch " << batch;  // bit for bit
    ASSERT_EQ(r1.history.size(), r2.history.size());
    for (std::size_t k = 0; k < r1.history.size(); ++k)
      EXPECT_EQ(r1.history[k].loss, r2.history[k].loss);
    EXPECT_NE(r1.x, r3.x) << "batch " << batch;
  }
}

TEST(SGD, EpochsVisitEveryExampleOnceAndKeepTheShortBatch) {
  CountingCars cars;
  const Result r = SGD({.learning_rate = 0.001, .batch_size = 3, .seed = 7, .stop = epochs(4)})
                       .minimize(cars, std::vector<double>{0, 0});
  ASSERT_EQ(cars.batches.size(), 4u * 3u);  // 7 examples in batches of 3, 3, 1
  for (std::size_t e = 0; e < 4; ++e) {
    std::vector<std::size_t> seen;
    for (std::size_t k = 0; k < 3; ++k) {
      const auto& b = cars.batches[3 * e + k];
      EXPECT_EQ(b.size(), k < 2 ? 3u : 1u);
      seen.insert(seen.end(), b.begin(), b.end());
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6})) << "epoch " << e;
  }
  // The orders differ between epochs (shuffled each epoch).
  EXPECT_NE(cars.batches[0], cars.batches[3]);
  EXPECT_EQ(r.iterations, 4u);
  EXPECT_EQ(r.history.size(), 5u);
  EXPECT_EQ(r.evaluations.gradients, 12u + 5u);  // batches + the full gradient per epoch
}

TEST(SGD, MiniBatchWithMomentumApproachesTheOptimum) {
  Cars cars;
  Stop stop = epochs(3000);
  stop.gradient_tolerance = 1e-4;
  const Result r = SGD({.learning_rate = Schedule::inverse_time(0.02, 0.001),
                        .batch_size = 7,
                        .momentum = 0.9,
                        .stop = stop})
                       .minimize(cars, std::vector<double>{0, 0});
  // batch_size = all examples: momentum gradient descent, deterministic.
  EXPECT_NEAR(r.x[0], test::kOptimumW, 1e-3);
  EXPECT_NEAR(r.x[1], test::kOptimumB, 1e-2);
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
}

TEST(SGD, PlainSgdLossFallsOnTheSeed) {
  Cars cars;
  const Result r = SGD({.learning_rate = 0.005, .batch_size = 1, .seed = 3, .stop = epochs(50)})
                       .minimize(cars, std::vector<double>{0, 0});
  EXPECT_LT(r.history.back().loss, 0.1 * r.history.front().loss);
  EXPECT_TRUE(std::isfinite(r.value));
}

TEST(SGD, NesterovMatchesItsFormulaOnOneStep) {
  // One full-batch step from x0 with β = 0.5: v = g, x1 = x0 − η(g + βv) = x0 − 1.5ηg.
  Cars cars;
  const std::vector<double> x0{1.0, 2.0};
  std::vector<double> g(2);
  cars.value_and_grad(x0, g, {});
  const Result r = SGD({.learning_rate = 0.01,
                        .batch_size = 7,
                        .momentum = 0.5,
                        .nesterov = true,
                        .stop = epochs(1)})
                       .minimize(cars, x0);
  EXPECT_DOUBLE_EQ(r.x[0], x0[0] - 0.01 * 1.5 * g[0]);
  EXPECT_DOUBLE_EQ(r.x[1], x0[1] - 0.01 * 1.5 * g[1]);
  const Result h = SGD({.learning_rate = 0.01, .batch_size = 7, .momentum = 0.5, .stop = epochs(1)})
                       .minimize(cars, x0);
  EXPECT_DOUBLE_EQ(h.x[0], x0[0] - 0.01 * g[0]);
}

TEST(SGD, WeightDecayAddsLambdaX) {
  Cars cars;
  const std::vector<double> x0{1.0, 2.0};
  std::vector<double> g(2);
  cars.value_and_grad(x0, g, {});
  const Result r =
      SGD({.learning_rate = 0.01, .batch_size = 7, .weight_decay = 0.1, .stop = epochs(1)})
          .minimize(cars, x0);
  EXPECT_DOUBLE_EQ(r.x[0], x0[0] - 0.01 * (g[0] + 0.1 * x0[0]));
}

TEST(SGD, MiniBatchSGDDefaultsToBatchesOf32) {
  EXPECT_EQ(MiniBatchSGD().options().batch_size, 32u);
  EXPECT_EQ(SGD().options().batch_size, 1u);
  Cars cars;  // 7 examples: 32 is larger than the data
  EXPECT_THROW(MiniBatchSGD().minimize(cars, std::vector<double>{0, 0}), slope::Error);
}

TEST(SGD, DivergenceKeepsTheLastFiniteEpoch) {
  Cars cars;
  const Result r = SGD({.learning_rate = 10.0, .batch_size = 2, .stop = epochs(10000)})
                       .minimize(cars, std::vector<double>{0, 0});
  EXPECT_EQ(r.reason, StopReason::diverged);
  EXPECT_TRUE(std::isfinite(r.x[0]) && std::isfinite(r.x[1]));
  EXPECT_EQ(r.x, r.history.back().x);
}

TEST(Adam, FullBatchReachesTheSeedOptimum) {
  Cars cars;
  Stop stop;
  stop.max_iterations = 50000;
  stop.gradient_tolerance = 1e-6;
  const Result r =
      Adam({.learning_rate = 0.05, .stop = stop}).minimize(cars, std::vector<double>{0, 0});
  EXPECT_EQ(r.reason, StopReason::gradient_tolerance);
  EXPECT_NEAR(r.x[0], test::kOptimumW, 1e-4);
  EXPECT_NEAR(r.x[1], test::kOptimumB, 1e-4);
  std::printf("Adam on the seed: %zu iterations\n", r.iterations);
}

TEST(Adam, FirstStepIsLearningRateTimesSignOfGradient) {
  // Bias correction makes the first step exactly η·g/(|g| + ε).
  Cars cars;
  const std::vector<double> x0{0, 0};
  std::vector<double> g(2);
  cars.value_and_grad(x0, g, {});
  const Result r = Adam({.learning_rate = 0.1, .stop = epochs(1)}).minimize(cars, x0);
  EXPECT_NEAR(r.x[0], -0.1 * g[0] / (std::abs(g[0]) + 1e-8), 1e-15);
  EXPECT_NEAR(r.x[1], -0.1 * g[1] / (std::abs(g[1]) + 1e-8), 1e-15);
}

TEST(Adam, MiniBatchesAreDeterministic) {
  Cars a, b;
  const Adam::Options o{.learning_rate = 0.05, .batch_size = 2, .seed = 9, .stop = epochs(30)};
  EXPECT_EQ(Adam(o).minimize(a, std::vector<double>{0, 0}).x,
            Adam(o).minimize(b, std::vector<double>{0, 0}).x);
}

TEST(Schedules, FollowTheirFormulas) {
  EXPECT_EQ(Schedule(0.1).at(1000), 0.1);
  EXPECT_DOUBLE_EQ(Schedule::step(0.1, 10, 0.5).at(9), 0.1);
  EXPECT_DOUBLE_EQ(Schedule::step(0.1, 10, 0.5).at(25), 0.025);
  EXPECT_DOUBLE_EQ(Schedule::exponential(0.1, 0.9).at(3), 0.1 * 0.729);
  EXPECT_DOUBLE_EQ(Schedule::inverse_time(0.1, 0.5).at(4), 0.1 / 3.0);
  const Schedule c = Schedule::cosine(0.1, 100, 0.01);
  EXPECT_DOUBLE_EQ(c.at(0), 0.1);
  EXPECT_DOUBLE_EQ(c.at(50), 0.055);
  EXPECT_DOUBLE_EQ(c.at(100), 0.01);
  EXPECT_DOUBLE_EQ(c.at(500), 0.01);
}

}  // namespace
