// SPDX-License-Identifier: MIT
#pragma once

// What the recorded-Function tests share: an elementwise comparison and random regression data.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include <xtensor/xarray.hpp>
#include <xtensor/xrandom.hpp>

namespace function_fixtures {

using Array = xt::xarray<double>;

/// Every element of got within rel · (1 + |want|) of want's.
inline void expect_close(const Array& got, const Array& want, double rel, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.flat(i), want.flat(i), rel * (1 + std::fabs(want.flat(i))))
        << what << ", element " << i;
}

struct Regression {
  Array X, y;
};

/// n rows of d standard normal features and a standard normal target, from `seed`.
inline Regression regression(std::size_t n, std::size_t d, std::uint64_t seed) {
  xt::random::seed(seed);
  return {xt::random::randn<double>({n, d}), xt::random::randn<double>({n})};
}

}  // namespace function_fixtures
