// SPDX-License-Identifier: MIT
#pragma once

// What the saved-model tests share: three models whose numbers test an exact round trip, and a
// comparison bit for bit.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include <slope/models/saved_model.hpp>

#include "dataset_fixtures.hpp"

namespace saved_model_fixtures {

using slope::models::SavedModel;
using slope::models::Standardizer;

inline xt::xarray<double> vec(std::vector<double> v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

/// A rows×cols matrix from row-major values (braces would be ambiguous for one column).
inline xt::xarray<double> matrix(std::size_t rows, std::size_t cols, std::vector<double> v) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({rows, cols});
  std::copy(v.begin(), v.end(), a.begin());
  return a;
}

inline std::vector<std::uint64_t> bits(const std::vector<double>& v) {
  std::vector<std::uint64_t> out;
  for (const double x : v) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

// Values whose shortest decimal form is long, or which a careless writer loses: a third, a
// subnormal, negative zero, the largest double.
inline SavedModel linear_standardized() {
  return {.kind = "linear",
          .features = {"weight", "horse power"},
          .label = "mpg",
          .standardizer = Standardizer{vec({2977.5841836734694, 104.46938775510205}),
                                       vec({848.31840927394, 38.442032569926})},
          .parameters = {-5.8, 1.0 / 3.0, 23.445918367346938}};
}

inline SavedModel logistic() {
  return {.kind = "logistic",
          .features = {"x1", "x2", "x3"},
          .label = "y",
          .parameters = {5e-324, -0.0, std::numeric_limits<double>::max(), 0.1}};
}

inline SavedModel softmax() {
  // W (2×3) row-major, then b (3).
  return {.kind = "softmax",
          .features = {"a", "b"},
          .label = "class",
          .classes = 3,
          .standardizer = Standardizer{vec({1.5, -2.0}), vec({0.5, 4.0})},
          .parameters = {0.3, -1.2, 0.9, 2.0 / 3.0, 0.0, -0.7, 0.05, 0.25, -0.3}};
}

inline void expect_same(const SavedModel& a, const SavedModel& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.features, b.features);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.classes, b.classes);
  EXPECT_EQ(bits(a.parameters), bits(b.parameters));
  ASSERT_EQ(a.standardizer.has_value(), b.standardizer.has_value());
  if (a.standardizer) {
    EXPECT_EQ(bits(dataset_fixtures::values(a.standardizer->mean)),
              bits(dataset_fixtures::values(b.standardizer->mean)));
    EXPECT_EQ(bits(dataset_fixtures::values(a.standardizer->scale)),
              bits(dataset_fixtures::values(b.standardizer->scale)));
  }
}

}  // namespace saved_model_fixtures
