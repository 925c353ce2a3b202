// SPDX-License-Identifier: MIT
#pragma once

// The one helper every derivative test uses: value, gradient (AD vs finite differences) and
// HVP (AD vs differences of AD gradients) at a point, with the report printed on failure.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include <slope/autodiff.hpp>

namespace slope::testing {

/// The op list as GoogleTest types, so a typed test runs once per op.
template <class L>
struct AsGtestTypes;
template <class... Ops>
struct AsGtestTypes<ops::TypeList<Ops...>> {
  using type = ::testing::Types<Ops...>;
};

inline std::vector<double> random_direction(std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  std::vector<double> v(n);
  for (double& x : v) x = normal(rng);
  return v;
}

// Points where the finite-difference stencil (±4h, h ≈ 2.8e-3) stays inside the domain: edges,
// the middle, and random points, 11 in all.
inline double margin(const ops::Domain& d) { return 0.02 + 1e-4 * (d.hi - d.lo); }

inline std::vector<double> sample(const ops::Domain& d, std::mt19937_64& rng) {
  const double m = margin(d), lo = d.lo + m, hi = d.hi - m;
  auto inside = [&](double x) { return x >= lo && x <= hi && (d.zero_ok || std::fabs(x) > m); };
  std::vector<double> pts;
  for (double e : {0.0, 1.0, -1.0, lo, hi, 0.5 * (lo + hi)})
    if (inside(e)) pts.push_back(e);
  std::uniform_real_distribution<double> wide(lo, hi), near(std::max(lo, -3.0), std::min(hi, 3.0));
  while (pts.size() < 11) {
    const double x = pts.size() % 2 ? wide(rng) : near(rng);
    if (inside(x)) pts.push_back(x);
  }
  return pts;
}

/// A loss as the derivative checks take it. The checks are compiled once
/// (derivative_check.cpp) rather than once per lambda: the op test alone instantiates them for
/// every op of the list, which made it the longest object to build under the sanitizers.
using Loss = std::function<Var(const Tensor&)>;

/// A Function recorded at x and replayed at a nearby point (inside every op's test domain, whose
/// margins are wider than the shift) gives what a fresh recording there gives.
void expect_replay_matches(const Loss& f, const std::vector<double>& x, std::mt19937_64& rng,
                           bool second_order);

/// Value and gradient against finite differences, the replay against a fresh recording and, with
/// second_order, the HVP against differences of gradients and against the replayed Hessian.
void expect_derivatives_of(const Loss& f, const std::vector<double>& x, std::mt19937_64& rng,
                           bool second_order, const CheckOptions& opt);

template <class F>
void expect_derivatives(F&& f, const std::vector<double>& x, std::mt19937_64& rng,
                        bool second_order = true, const CheckOptions& opt = {1e-6, 1e-7}) {
  const Loss loss = [&f](const Tensor& p) {
    return detail::scalar_result(f(p), "expect_derivatives");
  };
  expect_derivatives_of(loss, x, rng, second_order, opt);
}

}  // namespace slope::testing
