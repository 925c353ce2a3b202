// SPDX-License-Identifier: MIT
// Metrics against numbers worked out by hand, and the errors for inputs that would give a wrong
// number.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/models/metrics.hpp>

#include "dataset_fixtures.hpp"

namespace {

using dataset_fixtures::error_of;
using slope::models::classification_metrics;
using slope::models::regression_metrics;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Confusion = std::vector<std::vector<std::size_t>>;

// Built from vectors: braces around one number would be ambiguous to xarray's constructors.
xt::xarray<double> vec(const std::vector<double>& v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

xt::xarray<double> matrix(std::size_t rows, std::size_t cols, const std::vector<double>& v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({rows, cols});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

TEST(RegressionMetrics, HandComputed) {
  // Errors 0, 0, 0, -1: SSE 1, mean y 2.5, SST 2.25 + 0.25 + 0.25 + 2.25 = 5.
  const auto r = regression_metrics(vec({1, 2, 3, 4}), vec({1, 2, 3, 5}));
  EXPECT_EQ(r.rows, 4u);
  EXPECT_DOUBLE_EQ(r.mse, 0.25);
  EXPECT_DOUBLE_EQ(r.mae, 0.25);
  EXPECT_DOUBLE_EQ(r.r2, 0.8);

  // Errors 0.5, -0.5, 0, -1: SSE 1.5, |e| sum 2; mean y 2.875, SST 0.015625 + 11.390625 +
  // 0.765625 + 17.015625 = 29.1875.
  const auto s = regression_metrics(vec({3, -0.5, 2, 7}), vec({2.5, 0.0, 2, 8}));
  EXPECT_DOUBLE_EQ(s.mse, 0.375);
  EXPECT_DOUBLE_EQ(s.mae, 0.5);
  EXPECT_NEAR(s.r2, 1.0 - 1.5 / 29.1875, 1e-15);
  EXPECT_NEAR(s.r2, 0.9486081370449679, 1e-15);

  // Predicting the mean everywhere gives R² = 0; worse than the mean, below 0.
  EXPECT_DOUBLE_EQ(regression_metrics(vec({1, 3}), vec({2, 2})).r2, 0.0);
  EXPECT_DOUBLE_EQ(regression_metrics(vec({1, 3}), vec({3, 1})).r2, -3.0);
}

TEST(RegressionMetrics, ConstantLabels) {
  // 0.1 three times: the computed mean is off by rounding, but the column is constant.
  const xt::xarray<double> y = {0.1, 0.1, 0.1};
  EXPECT_EQ(regression_metrics(y, y).r2, 1.0);
  const auto r = regression_metrics(y, vec({0.1, 0.1, 0.2}));
  EXPECT_EQ(r.r2, 0.0);
  EXPECT_NEAR(r.mse, 0.01 / 3, 1e-17);
  EXPECT_NEAR(r.mae, 0.1 / 3, 1e-16);
  // One row is constant too.
  EXPECT_EQ(regression_metrics(vec({5}), vec({7})).r2, 0.0);
}

TEST(RegressionMetrics, BadShapesAndValues) {
  const std::string who = "slope::models::regression_metrics: ";
  EXPECT_EQ(error_of([] {
              regression_metrics(vec({1, 2, 3}), vec({1, 2}));
            }),
            who +
                "y and predicted must both be (N,) with N >= 1; y has shape (3,) and "
                "predicted (2,)");
  EXPECT_EQ(error_of([] {
              regression_metrics(vec({1, 2}), matrix(2, 1, {1, 2}));
            }),
            who +
                "y and predicted must both be (N,) with N >= 1; y has shape (2,) and "
                "predicted (2,1)");
  EXPECT_EQ(error_of([] {
              regression_metrics(xt::xarray<double>::from_shape({0}),
                                 xt::xarray<double>::from_shape({0}));
            }),
            who +
                "y and predicted must both be (N,) with N >= 1; y has shape (0,) and "
                "predicted (0,)");
  EXPECT_EQ(error_of([] {
              regression_metrics(vec({1, 2}), vec({1, NAN}));
            }),
            who + "row 1: predicted(1) is nan, not a finite number");
  EXPECT_EQ(error_of([] {
              regression_metrics(vec({INFINITY, 2}), vec({1, 2}));
            }),
            who + "row 0: y(0) is inf, not a finite number");
}

TEST(ClassificationMetrics, BinaryHandComputed) {
  // p ≥ 0.5 → 1: predicted 1, 0, 0, 1, 1 against 1, 0, 1, 0, 1: rows 0, 1, 4 right.
  const auto m = classification_metrics(vec({1, 0, 1, 0, 1}), vec({0.9, 0.2, 0.4, 0.6, 0.5}));
  EXPECT_EQ(m.rows, 5u);
  EXPECT_EQ(m.classes, 2u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  EXPECT_EQ(m.confusion, (Confusion{{1, 1}, {1, 2}}));
  // p(true class): 0.9, 0.8, 0.4, 0.4, 0.5; −(ln 0.9 + ln 0.8 + 2 ln 0.4 + ln 0.5) / 5.
  EXPECT_NEAR(m.log_loss, 0.5708465422560582, 1e-14);
}

TEST(ClassificationMetrics, ThreeClassesHandComputed) {
  const xt::xarray<double> p = {{0.7, 0.2, 0.1},     // true 0, predicted 0
                                {0.1, 0.3, 0.6},     // true 1, predicted 2
                                {0.2, 0.2, 0.6},     // true 2, predicted 2
                                {0.5, 0.25, 0.25},   // true 2, predicted 0
                                {0.25, 0.5, 0.25}};  // true 1, predicted 1
  const auto m = classification_metrics(vec({0, 1, 2, 2, 1}), p);
  EXPECT_EQ(m.classes, 3u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.6);
  EXPECT_EQ(m.confusion, (Confusion{{1, 0, 0}, {0, 1, 1}, {1, 0, 1}}));
  // −(ln 0.7 + ln 0.3 + ln 0.6 + ln 0.25 + ln 0.5) / 5
  // = (0.3566749439 + 1.2039728043 + 0.5108256238 + 1.3862943611 + 0.6931471806) / 5.
  EXPECT_NEAR(m.log_loss, 0.830182982742099, 1e-14);
}

TEST(ClassificationMetrics, TiesGoToTheLowestClassAndHalfToOne) {
  const auto m =
      classification_metrics(vec({1, 2}), xt::xarray<double>{{0.4, 0.4, 0.2}, {0.0, 0.5, 0.5}});
  EXPECT_EQ(m.confusion, (Confusion{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}));
  const auto b = classification_metrics(vec({0}), vec({0.5}));
  EXPECT_EQ(b.confusion, (Confusion{{0, 1}, {0, 0}}));
  EXPECT_EQ(b.accuracy, 0.0);
}

TEST(ClassificationMetrics, LogLossClipsProbabilities) {
  // A certain mistake costs −ln 1e-15 = 34.538776394910684, not infinity.
  EXPECT_NEAR(classification_metrics(vec({1}), vec({0.0})).log_loss, 34.538776394910684, 1e-12);
  EXPECT_NEAR(classification_metrics(vec({0}), matrix(1, 2, {0.0, 1.0})).log_loss,
              34.538776394910684, 1e-12);
  // A certain hit costs −ln(1 − 1e-15) ≈ 1e-15, not 0.
  const double hit = classification_metrics(vec({1}), vec({1.0})).log_loss;
  EXPECT_GT(hit, 0.0);
  EXPECT_LT(hit, 2e-15);
}

TEST(ClassificationMetrics, BadLabels) {
  const std::string who = "slope::models::classification_metrics: ";
  const xt::xarray<double> p3 = {{0.2, 0.3, 0.5}, {0.2, 0.3, 0.5}};
  EXPECT_EQ(error_of([&] {
              classification_metrics(vec({0, 3}), p3);
            }),
            who + "row 1: label 3 is not a class index 0..2");
  EXPECT_EQ(error_of([&] {
              classification_metrics(vec({1.5, 0}), p3);
            }),
            who + "row 0: label 1.5 is not a class index 0..2");
  EXPECT_EQ(error_of([&] {
              classification_metrics(vec({0, -1}), p3);
            }),
            who + "row 1: label -1 is not a class index 0..2");
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0, 2}), vec({0.1, 0.9}));
            }),
            who + "row 1: label 2 is not a class index 0..1");
  EXPECT_EQ(error_of([&] {
              classification_metrics(vec({0, NAN}), p3);
            }),
            who + "row 1: y(1) is nan, not a finite number");
}

TEST(ClassificationMetrics, BadProbabilitiesAndShapes) {
  const std::string who = "slope::models::classification_metrics: ";
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0, 1}), vec({0.1, 1.2}));
            }),
            who + "row 1: P(y = 1) is 1.2, outside [0, 1]");
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0}), matrix(1, 2, {0.5, 0.4}));
            }),
            who + "row 0: probabilities sum to 0.9, not 1");
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0}), matrix(1, 2, {1.5, -0.5}));
            }),
            who + "row 0: probability of class 0 is 1.5, outside [0, 1]");
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0}), matrix(1, 2, {0.5, NAN}));
            }),
            who + "row 0: probabilities(0, 1) is nan, not a finite number");
  const std::string shapes =
      "y must be (N,) with N >= 1 and probabilities (N,) or (N, K) with "
      "K >= 2; ";
  EXPECT_EQ(error_of([] {
              classification_metrics(vec({0, 1}), vec({0.5}));
            }),
            who + shapes + "y has shape (2,) and probabilities (1,)");
  EXPECT_EQ(error_of([] { classification_metrics(vec({0}), matrix(1, 1, {1.0})); }),
            who + shapes + "y has shape (1,) and probabilities (1,1)");
  EXPECT_EQ(error_of([] {
              classification_metrics(xt::xarray<double>::from_shape({0}),
                                     xt::xarray<double>::from_shape({0}));
            }),
            who + shapes + "y has shape (0,) and probabilities (0,)");
}

}  // namespace
