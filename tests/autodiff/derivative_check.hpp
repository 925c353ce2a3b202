// SPDX-License-Identifier: MIT
#pragma once

// The one helper every derivative test uses: value, gradient (AD vs finite differences) and
// HVP (AD vs differences of AD gradients) at a point, with the report printed on failure.

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <vector>

#include <autodiff/autodiff.hpp>

namespace slope::testing {

inline std::vector<double> random_direction(std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  std::vector<double> v(n);
  for (double& x : v) x = normal(rng);
  return v;
}

template <class F>
void expect_derivatives(F&& f, const std::vector<double>& x, std::mt19937_64& rng,
                        bool second_order = true, const CheckOptions& opt = {1e-6, 1e-7}) {
  std::ostringstream where;
  where << "at x = (";
  for (double xi : x) where << xi << " ";
  where << ")";
  SCOPED_TRACE(where.str());
  const CheckReport g = check_gradient(f, x, opt);
  EXPECT_TRUE(g.ok) << g;
  if (second_order) {
    const CheckReport h = check_hvp(f, x, random_direction(x.size(), rng), opt);
    EXPECT_TRUE(h.ok) << h;
  }
}

}  // namespace slope::testing
