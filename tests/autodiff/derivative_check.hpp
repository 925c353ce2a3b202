// SPDX-License-Identifier: MIT
#pragma once

// The one helper every derivative test uses: value, gradient (AD vs finite differences) and
// HVP (AD vs differences of AD gradients) at a point, with the report printed on failure.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
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

/// A Function recorded at x and replayed at a nearby point (inside every op's test domain, whose
/// margins are wider than the shift) gives what a fresh recording there gives.
template <class F>
void expect_replay_matches(F& f, const std::vector<double>& x, std::mt19937_64& rng,
                           bool second_order) {
  std::vector<double> x2 = random_direction(x.size(), rng);
  for (std::size_t i = 0; i < x.size(); ++i) x2[i] = x[i] + 1e-3 * x2[i];
  Function recorded = record(f, x);
  const ValueAndGrad fresh = value_and_grad(f, x2);
  const ValueAndGrad replayed = recorded.value_and_grad(x2);
  EXPECT_NEAR(replayed.value, fresh.value, 1e-13 * (1 + std::fabs(fresh.value))) << "replay";
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(replayed.grad(i), fresh.grad(i), 1e-12 * (1 + std::fabs(fresh.grad(i))))
        << "replayed gradient, coordinate " << i;
  if (!second_order) return;
  const std::vector<double> v = random_direction(x.size(), rng);
  const auto want = hvp(f, x2, v);
  const auto got = recorded.hvp(x2, v);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(got(i), want(i), 1e-11 * (1 + std::fabs(want(i))))
        << "replayed HVP, coordinate " << i;
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
  expect_replay_matches(f, x, rng, second_order);
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
