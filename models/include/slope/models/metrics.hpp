// SPDX-License-Identifier: MIT
#pragma once

// How good a fitted model's predictions are on labelled data: mean squared and absolute error and
// R² for regression; log-loss, accuracy and the confusion matrix for classification.
//
//   auto m = slope::models::load_saved_model("model.json");                 // a linear model
//   auto test = slope::models::load_csv("test.csv", m.features, m.label);
//   auto r = slope::models::regression_metrics(test.y, m.predict(test.X));
//   std::cout << r.mse << " " << r.mae << " " << r.r2 << "\n";
//   auto c = slope::models::classification_metrics(y, probabilities);   // c.confusion[true][pred]

#include <cstddef>
#include <vector>
#include <xtensor/xarray.hpp>

namespace slope::models {

struct RegressionMetrics {
  std::size_t rows = 0;
  double mse = 0;  ///< Σ (y − ŷ)² / N
  double mae = 0;  ///< Σ |y − ŷ| / N
  double r2 = 0;  ///< 1 − SSE/SST, SST = Σ (y − mean y)²; see regression_metrics for constant y
};

/// Metrics of predictions against labels, y and predicted both (N,) with N ≥ 1 and finite
/// entries; otherwise slope::Error naming both shapes (or the first non-finite entry).
/// When y is constant (SST = 0) R² has no value of its own; r2 is then 1 if every prediction is
/// exact and 0 otherwise (scikit-learn's choice), so a report never shows NaN or −∞. Constant
/// means all entries equal, tested exactly: a computed SST can come out as rounding noise.
///   regression_metrics({1, 2, 3, 4}, {1, 2, 3, 5})  // mse 0.25, mae 0.25, r2 1 − 1/5 = 0.8
RegressionMetrics regression_metrics(const xt::xarray<double>& y,
                                     const xt::xarray<double>& predicted);

struct ClassificationMetrics {
  std::size_t rows = 0, classes = 0;
  double log_loss = 0;  ///< mean −log p(true class), p clipped as classification_metrics says
  double accuracy = 0;  ///< the fraction of rows whose predicted class is the true one
  std::vector<std::vector<std::size_t>> confusion;  ///< confusion[true class][predicted class]
};

/// Metrics of predicted class probabilities against labels. y: (N,) class labels, N ≥ 1 (0/1 for
/// binary, 0..K−1); probabilities: (N,) P(y = 1) for two classes, or (N, K) with K ≥ 2 and rows
/// that sum to 1 (within 1e-6), every entry in [0, 1]. The predicted class is the argmax (the
/// lowest index on a tie; binary: 1 when p ≥ 0.5). Log-loss = mean −log p(true class) with p
/// clipped to [1e-15, 1 − 1e-15], so one confident mistake costs about 34.5, not infinity, and a
/// perfect row about 1e-15, not 0. Shapes that do not fit, a label that is not a whole class index
/// in range, and probabilities that are not finite, outside [0, 1], or rows that do not sum to 1
/// throw slope::Error naming the row (counted from 0).
ClassificationMetrics classification_metrics(const xt::xarray<double>& y,
                                             const xt::xarray<double>& probabilities);

}  // namespace slope::models
