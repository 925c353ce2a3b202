// SPDX-License-Identifier: MIT
// The built-in datasets (the seven cars of the worked example, the compiled-in Auto MPG CSV), per-feature
// standardization and the seeded train/test split.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numbers>
#include <numeric>
#include <random>
#include <slope/core/error.hpp>
#include <slope/core/format.hpp>
#include <slope/models/dataset.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text.hpp"

namespace slope::models {
namespace detail {

// models/data/auto-mpg.csv, embedded by models/embed_csv.cmake into auto_mpg_data.cpp.
extern const char* const kAutoMpgCsv;

}  // namespace detail

namespace {

/// A uniform integer in [0, bound) from the engine's 64-bit outputs, by rejection: outputs below
/// 2^64 mod bound are drawn again, so every residue is equally likely. bound ≥ 1.
std::uint64_t bounded(std::mt19937_64& engine, std::uint64_t bound) {
  const std::uint64_t threshold = (0 - bound) % bound;  // = 2^64 mod bound
  for (;;) {
    const std::uint64_t r = engine();
    if (r >= threshold) return r % bound;
  }
}

Dataset rows(const Dataset& d, const std::vector<std::size_t>& index, std::size_t begin,
             std::size_t end) {
  Dataset out;
  out.name = d.name;
  out.features = d.features;
  out.label = d.label;
  const std::size_t n = end - begin;
  const std::size_t dim = d.dimension();
  out.X = xt::xarray<double>::from_shape({n, dim});
  out.y = xt::xarray<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = index[begin + i];
    for (std::size_t j = 0; j < dim; ++j) out.X(i, j) = d.X(r, j);
    out.y(i) = d.y(r);
  }
  return out;
}

}  // namespace

std::size_t Dataset::size() const { return X.dimension() == 2 ? X.shape(0) : 0; }

std::size_t Dataset::dimension() const { return X.dimension() == 2 ? X.shape(1) : 0; }

Dataset cars7() {
  Dataset d;
  d.name = "cars7";
  d.features = {"weight"};
  d.label = "mpg";
  const double weight[] = {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37};
  d.X = xt::xarray<double>::from_shape({7, 1});
  std::copy(std::begin(weight), std::end(weight), d.X.begin());
  d.y = xt::xarray<double>{18, 15, 18, 16, 15, 14, 24};
  return d;
}

Dataset auto_mpg(const std::vector<std::string>& features, const std::string& label) {
  return detail::parse_csv_as("slope::models::auto_mpg", detail::kAutoMpgCsv, "auto-mpg", features,
                              label);
}

Standardizer Standardizer::fit(const xt::xarray<double>& X) {
  const std::string who = "slope::models::Standardizer::fit: ";
  if (X.dimension() != 2)
    throw Error(who + "X must be (N, D), got shape " + core::shape(X.shape()));
  const std::size_t n = X.shape(0);
  const std::size_t d = X.shape(1);
  if (n == 0) throw Error(who + "X has no rows, shape " + core::shape(X.shape()));
  Standardizer s;
  s.mean = xt::xarray<double>::from_shape({d});
  s.scale = xt::xarray<double>::from_shape({d});
  for (std::size_t j = 0; j < d; ++j) {
    double sum = 0.0;
    bool constant = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = X(i, j);
      if (!std::isfinite(v)) {
        throw Error(who + "X(" + std::to_string(i) + ", " + std::to_string(j) +
                    ") = " + core::number(v) + " is not finite");
      }
      sum += v;
      constant = constant && v == X(0, j);
    }
    const double mean = sum / static_cast<double>(n);
    double squares = 0.0;
    for (std::size_t i = 0; i < n; ++i) squares += (X(i, j) - mean) * (X(i, j) - mean);
    const double sd = std::sqrt(squares / static_cast<double>(n));
    // A constant column is tested exactly: its computed mean can be off by rounding, which
    // would leave a tiny spurious deviation to divide by.
    s.mean(j) = constant ? X(0, j) : mean;
    s.scale(j) = constant || !(sd > 0.0) ? 1.0 : sd;
  }
  return s;
}

xt::xarray<double> Standardizer::apply(const xt::xarray<double>& X) const {
  const std::string who = "slope::models::Standardizer::apply: ";
  const std::size_t d = mean.dimension() == 1 ? mean.size() : 0;
  if (mean.dimension() != 1 || scale.dimension() != 1 || scale.size() != d) {
    throw Error(who + "the standardizer is not fitted (mean " + core::shape(mean.shape()) +
                ", scale " + core::shape(scale.shape()) + "); use Standardizer::fit");
  }
  if (X.dimension() != 2 || X.shape(1) != d) {
    throw Error(who + "X must be (N, " + std::to_string(d) + "), got shape " +
                core::shape(X.shape()));
  }
  const std::size_t n = X.shape(0);
  auto Z = xt::xarray<double>::from_shape({n, d});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) Z(i, j) = (X(i, j) - mean(j)) / scale(j);
  }
  return Z;
}

std::pair<xt::xarray<double>, double> Standardizer::unstandardize(const xt::xarray<double>& w,
                                                                  double b) const {
  const std::string who = "slope::models::Standardizer::unstandardize: ";
  const std::size_t d = mean.dimension() == 1 ? mean.size() : 0;
  if (mean.dimension() != 1 || scale.dimension() != 1 || scale.size() != d) {
    throw Error(who + "the standardizer is not fitted (mean " + core::shape(mean.shape()) +
                ", scale " + core::shape(scale.shape()) + "); use Standardizer::fit");
  }
  if (w.dimension() != 1 || w.size() != d) {
    throw Error(who + "w must be (" + std::to_string(d) + ",), got shape " +
                core::shape(w.shape()));
  }
  auto raw = xt::xarray<double>::from_shape({d});
  double bias = b;
  for (std::size_t j = 0; j < d; ++j) {
    raw(j) = w(j) / scale(j);
    bias -= raw(j) * mean(j);
  }
  return {std::move(raw), bias};
}

namespace {
// A uniform double in (0, 1) from the top 53 bits, never 0 (log(0) below).
double open_unit(std::mt19937_64& engine) {
  return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
}
}  // namespace

Dataset synthetic_logistic(std::size_t rows, std::size_t dims, std::uint64_t seed) {
  if (rows == 0 || dims == 0)
    throw Error(std::string("slope::models::synthetic_logistic: rows and dims must be >= 1, got ")
                    .append(std::to_string(rows))
                    .append(" and ")
                    .append(std::to_string(dims)));
  std::mt19937_64 engine(seed);
  // Built whole: GCC 12 at -O3 reports a false -Wrestrict on assigning the short names.
  Dataset d{.name = std::string("synthetic-logistic"),
            .features = {},
            .label = std::string(1, 'y'),
            .X = {},
            .y = {}};
  for (std::size_t j = 0; j < dims; ++j)
    d.features.push_back(std::string("x").append(std::to_string(j + 1)));
  std::vector<double> w(dims);
  for (double& wj : w) wj = (engine() >> 63 ? 5.0 : -5.0) / std::sqrt(static_cast<double>(dims));
  d.X = xt::xarray<double>::from_shape({rows, dims});
  d.y = xt::xarray<double>::from_shape({rows});
  double* x = d.X.data();
  for (std::size_t i = 0; i < rows * dims; i += 2) {
    // Box–Muller: two standard normals from two uniforms.
    const double r = std::sqrt(-2.0 * std::log(open_unit(engine)));
    const double t = 2.0 * std::numbers::pi * open_unit(engine);
    x[i] = r * std::cos(t);
    if (i + 1 < rows * dims) x[i + 1] = r * std::sin(t);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    double z = 0.5;
    for (std::size_t j = 0; j < dims; ++j) z += x[i * dims + j] * w[j];
    d.y(i) = open_unit(engine) < 1.0 / (1.0 + std::exp(-z)) ? 1.0 : 0.0;
  }
  return d;
}

std::pair<Dataset, Dataset> train_test_split(const Dataset& d, double test_fraction,
                                             std::uint64_t seed) {
  const std::string who = "slope::models::train_test_split: ";
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw Error(who + "test_fraction must be in [0, 1), got " + core::number(test_fraction));
  }
  if (d.X.dimension() != 2 || d.y.dimension() != 1 || d.y.size() != d.X.shape(0)) {
    throw Error(who + "'" + d.name + "' needs X (N, D) and y (N,), got X " +
                core::shape(d.X.shape()) + " and y " + core::shape(d.y.shape()));
  }
  const std::size_t n = d.size();
  std::size_t n_test = 0;
  if (test_fraction > 0.0) {
    if (n < 2) {
      throw Error(who + "test_fraction = " + core::number(test_fraction) +
                  " needs at least 2 rows, '" + d.name + "' has " + std::to_string(n));
    }
    n_test = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(n)));
    n_test = std::min(std::max<std::size_t>(n_test, 1), n - 1);
  }

  // Fisher–Yates: position i takes a uniform pick among positions 0..i, for i = n−1 down to 1.
  std::vector<std::size_t> index(n);
  std::iota(index.begin(), index.end(), std::size_t{0});
  std::mt19937_64 engine(seed);
  for (std::size_t i = n; i > 1; --i) {
    const auto j = static_cast<std::size_t>(bounded(engine, i));
    std::swap(index[i - 1], index[j]);
  }
  return {rows(d, index, n_test, n), rows(d, index, 0, n_test)};
}

}  // namespace slope::models
