// SPDX-License-Identifier: MIT
#pragma once

// Optimizers over an Objective (value, gradient, HVP on a batch of examples). This module never
// sees the tape; slope::as_objective (<slope/models/loss_objective.hpp>) adapts a Slope loss.
//   slope::optim::LBFGS lbfgs;
//   slope::optim::Result r = lbfgs.minimize(objective, x0, {slope::optim::print_table(std::cout)});
// (runs as examples/optimizers.cpp)

#include <slope/optim/adam.hpp>
#include <slope/optim/callbacks.hpp>
#include <slope/core/error.hpp>
#include <slope/optim/gradient_descent.hpp>
#include <slope/optim/lbfgs.hpp>
#include <slope/optim/newton.hpp>
#include <slope/optim/objective.hpp>
#include <slope/optim/optimizer.hpp>
#include <slope/optim/run.hpp>
#include <slope/optim/schedule.hpp>
#include <slope/optim/sgd.hpp>
