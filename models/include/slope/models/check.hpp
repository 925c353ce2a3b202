// SPDX-License-Identifier: MIT
#pragma once

// Derivative checks of an optimizer objective (slope::check_gradient and check_hvp for a
// callable loss are in <slope/autodiff/check.hpp>). They live here, where autodiff meets optim:
// checking an Objective needs no recording, only its value, gradient and HVP.
//   auto obj = slope::models::objective(model, slope::models::mse(), data);
//   auto rep = slope::check_gradient(obj, x);  // on all examples
// (runs as examples/models.cpp)

#include <span>

#include <slope/autodiff/check.hpp>
#include <slope/optim/objective.hpp>

namespace slope {

/// An objective's gradient (value_and_grad on all examples) against finite differences of its
/// value; for a models::objective or an as_objective that is the replayed tape.
CheckReport check_gradient(optim::Objective& f, std::span<const double> x,
                           const CheckOptions& opt = {});

/// An objective's hvp (on all examples) against differences of its gradients along v; throws
/// slope::Error when the objective has no hvp.
CheckReport check_hvp(optim::Objective& f, std::span<const double> x, std::span<const double> v,
                      const CheckOptions& opt = {});

}  // namespace slope
