// SPDX-License-Identifier: MIT
#pragma once

// The README's worked example for the tests that use it: seven cars' weight (1000 lb) → mpg and
// the mean squared error of the line w·weight + b, recorded op by op.

#include <array>
#include <cstddef>

#include <slope/autodiff.hpp>

namespace seven_cars {

inline constexpr std::array<double, 7> kPounds = {3.5, 3.69, 3.44, 3.43, 4.34, 4.42, 2.37};
inline constexpr std::array<double, 7> kMpg = {18, 15, 18, 16, 15, 14, 24};

/// MSE = (1/7) Σ (w·x + b − y)², p = (w, b).
inline slope::Var mse(const slope::Tensor& p) {
  slope::Var s = 0.0;
  for (std::size_t i = 0; i < kPounds.size(); ++i) s += square(p[0] * kPounds[i] + p[1] - kMpg[i]);
  return s / static_cast<double>(kPounds.size());
}

}  // namespace seven_cars
