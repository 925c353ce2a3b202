// SPDX-License-Identifier: MIT
#pragma once

// What the dataset tests share: the message of an expected slope::Error, and columns and values
// of arrays as vectors for the matchers.

#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <slope/core/error.hpp>

namespace dataset_fixtures {

/// The message of the slope::Error that f throws ("" and a failure when it throws none).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const slope::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a slope::Error";
  return "";
}

inline std::vector<double> column(const xt::xarray<double>& X, std::size_t j) {
  std::vector<double> out;
  for (std::size_t i = 0; i < X.shape(0); ++i) out.push_back(X(i, j));
  return out;
}

inline std::vector<double> values(const xt::xarray<double>& a) { return {a.begin(), a.end()}; }

}  // namespace dataset_fixtures
