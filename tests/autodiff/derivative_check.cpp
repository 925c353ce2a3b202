// SPDX-License-Identifier: MIT
// The derivative checks of derivative_check.hpp, compiled once.

#include "derivative_check.hpp"

#include <sstream>

namespace slope::testing {

void expect_replay_matches(const Loss& f, const std::vector<double>& x, std::mt19937_64& rng,
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

void expect_derivatives_of(const Loss& f, const std::vector<double>& x, std::mt19937_64& rng,
                           bool second_order, const CheckOptions& opt) {
  std::ostringstream where;
  where << "at x = (";
  for (double xi : x) where << xi << " ";
  where << ")";
  SCOPED_TRACE(where.str());
  const CheckReport g = check_gradient(f, x, opt);
  EXPECT_TRUE(g.ok) << g;
  expect_replay_matches(f, x, rng, second_order);
  if (!second_order) return;
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

}  // namespace slope::testing
