// SPDX-License-Identifier: MIT
#pragma once

// The one helper every derivative test uses: value, gradient (AD vs finite differences) and
// HVP (AD vs differences of AD gradients) at a point, with the report printed on failure.

#include <gtest/gtest.h>

#include <cmath>
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
    const std::vector<double> v = random_direction(x.size(), rng);
    const CheckReport h = check_hvp(f, x, v, opt);
    EXPECT_TRUE(h.ok) << h;
    // The two second-order paths agree: tangents recorded with the ops (hvp) and the replayed
    // dual sweeps of one recording (hessian).
    const auto hv = hvp(f, x, v);
    const auto hess = hessian(f, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      double ref = 0, scale = 0;
      for (std::size_t j = 0; j < x.size(); ++j) {
        ref += hess(i, j) * v[j];
        scale += std::fabs(hess(i, j) * v[j]);
      }
      EXPECT_NEAR(hv(i), ref, 1e-12 * (1 + scale)) << "coordinate " << i;
    }
  }
}

}  // namespace slope::testing
