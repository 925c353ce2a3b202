// SPDX-License-Identifier: MIT
// Regression and classification metrics. Inputs are checked before any sum: a NaN or a label
// that is not a class would otherwise come out as a plausible-looking number.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
#include <slope/models/metrics.hpp>
#include <string>

namespace slope::models {

namespace {

std::string shapes(const xt::xarray<double>& y, const char* name, const xt::xarray<double>& p) {
  return "y has shape " + core::shape(y.shape()) + " and " + name + " " + core::shape(p.shape());
}

void check_finite(const std::string& who, const char* name, const xt::xarray<double>& a) {
  const std::size_t columns = a.dimension() == 2 ? a.shape(1) : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isfinite(a.data()[i])) continue;
    const std::string at = a.dimension() == 2
                               ? std::to_string(i / columns) + ", " + std::to_string(i % columns)
                               : std::to_string(i);
    throw Error(who + "row " + std::to_string(i / columns) + ": " + name + "(" + at + ") is " +
                core::number(a.data()[i]) + ", not a finite number");
  }
}

}  // namespace

RegressionMetrics regression_metrics(const xt::xarray<double>& y,
                                     const xt::xarray<double>& predicted) {
  const std::string who = "slope::models::regression_metrics: ";
  if (y.dimension() != 1 || predicted.dimension() != 1 || y.size() != predicted.size() ||
      y.size() == 0)
    throw Error(who + "y and predicted must both be (N,) with N >= 1; " +
                shapes(y, "predicted", predicted));
  check_finite(who, "y", y);
  check_finite(who, "predicted", predicted);

  const std::size_t n = y.size();
  const auto count = static_cast<double>(n);
  double mean = 0, squared = 0, absolute = 0;
  bool constant = true;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = y(i) - predicted(i);
    squared += e * e;
    absolute += std::abs(e);
    mean += y(i);
    constant = constant && y(i) == y(0);
  }
  mean /= count;
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += (y(i) - mean) * (y(i) - mean);

  RegressionMetrics r;
  r.rows = n;
  r.mse = squared / count;
  r.mae = absolute / count;
  r.r2 = constant ? (squared == 0 ? 1.0 : 0.0) : 1.0 - squared / total;
  return r;
}

ClassificationMetrics classification_metrics(const xt::xarray<double>& y,
                                             const xt::xarray<double>& probabilities) {
  const std::string who = "slope::models::classification_metrics: ";
  const xt::xarray<double>& p = probabilities;
  const bool binary = p.dimension() == 1;
  if (y.dimension() != 1 || y.size() == 0 || (p.dimension() != 1 && p.dimension() != 2) ||
      p.shape(0) != y.size() || (!binary && p.shape(1) < 2))
    throw Error(who + "y must be (N,) with N >= 1 and probabilities (N,) or (N, K) with K >= 2; " +
                shapes(y, "probabilities", p));
  check_finite(who, "y", y);
  check_finite(who, "probabilities", p);

  const std::size_t n = y.size();
  const std::size_t k = binary ? 2 : p.shape(1);
  ClassificationMetrics m;
  m.rows = n;
  m.classes = k;
  m.confusion.assign(k, std::vector<std::size_t>(k, 0));
  // The clip keeps one confident mistake from making the mean infinite.
  constexpr double lo = 1e-15, hi = 1.0 - 1e-15;
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string row = "row " + std::to_string(i) + ": ";
    const double label = y(i);
    if (!(label >= 0 && label < static_cast<double>(k)) || label != std::floor(label))
      throw Error(who + row + "label " + core::number(label) + " is not a class index 0.." +
                  std::to_string(k - 1));
    const auto truth = static_cast<std::size_t>(label);
    std::size_t predicted = 0;
    double p_true = 0;
    if (binary) {
      if (!(p(i) >= 0 && p(i) <= 1))
        throw Error(who + row + "P(y = 1) is " + core::number(p(i)) + ", outside [0, 1]");
      predicted = p(i) >= 0.5 ? 1 : 0;
      p_true = truth == 1 ? p(i) : 1.0 - p(i);
    } else {
      double sum = 0;
      for (std::size_t c = 0; c < k; ++c) {
        if (!(p(i, c) >= 0 && p(i, c) <= 1))
          throw Error(who + row + "probability of class " + std::to_string(c) + " is " +
                      core::number(p(i, c)) + ", outside [0, 1]");
        sum += p(i, c);
        if (p(i, c) > p(i, predicted)) predicted = c;
      }
      if (!(std::abs(sum - 1.0) <= 1e-6))
        throw Error(who + row + "probabilities sum to " + core::number(sum) + ", not 1");
      p_true = p(i, truth);
    }
    loss -= std::log(std::clamp(p_true, lo, hi));
    correct += predicted == truth;
    ++m.confusion[truth][predicted];
  }
  m.log_loss = loss / static_cast<double>(n);
  m.accuracy = static_cast<double>(correct) / static_cast<double>(n);
  return m;
}

}  // namespace slope::models
