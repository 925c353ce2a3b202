// SPDX-License-Identifier: MIT
#pragma once

// Derivative checks of an optimizer objective (slope::check_gradient and check_hvp for a
// callable loss are in <slope/autodiff/check.hpp>). They live here, where autodiff meets optim:
// checking an Objective needs no recording, only its value, gradient and HVP.
//   auto obj = slope::models::objective(model, slope::models::mse(), data);
//   auto rep = slope::check_gradient(obj, x);  // on all examples
//   rep = slope::check_gradient(obj, x, my_grad);  // also your hand-derived gradient
// (runs as examples/models.cpp)

#include <span>

#include <slope/autodiff/check.hpp>
#include <slope/optim/objective.hpp>

namespace slope {

/// An objective's gradient (value_and_grad on all examples) against finite differences of its
/// value; for a models::objective or an as_objective that is the replayed tape.
CheckReport check_gradient(optim::Objective& f, std::span<const double> x,
                           const CheckOptions& opt = {});

namespace detail {
CheckReport check_objective_gradient(optim::Objective& f, std::span<const double> x,
                                     const xt::xarray<double>* analytic, const CheckOptions& opt);
}  // namespace detail

/// The same, with your hand-derived gradient (called with x as an xt::xarray<double> or a
/// std::vector<double>) compared against the objective's gradient and the finite differences.
template <AnalyticGradient G>
CheckReport check_gradient(optim::Objective& f, std::span<const double> x, G&& analytic,
                           const CheckOptions& opt = {}) {
  const xt::xarray<double> an = detail::call_analytic(analytic, x);
  return detail::check_objective_gradient(f, x, &an, opt);
}

/// An objective's hvp (on all examples) against differences of its gradients along v; throws
/// slope::Error when the objective has no hvp.
CheckReport check_hvp(optim::Objective& f, std::span<const double> x, std::span<const double> v,
                      const CheckOptions& opt = {});

}  // namespace slope
