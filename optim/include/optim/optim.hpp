// SPDX-License-Identifier: MIT
#pragma once

// Optimizers over an Objective (value, gradient, HVP on a batch of examples). This module never
// sees the tape; slope::as_objective (autodiff/objective.hpp) adapts a Slope loss.
//   slope::optim::LBFGS lbfgs;
//   slope::optim::Result r = lbfgs.minimize(objective, x0, {slope::optim::print_table(std::cout)});

#include <optim/adam.hpp>
#include <optim/callbacks.hpp>
#include <optim/error.hpp>
#include <optim/gradient_descent.hpp>
#include <optim/lbfgs.hpp>
#include <optim/newton.hpp>
#include <optim/objective.hpp>
#include <optim/optimizer.hpp>
#include <optim/run.hpp>
#include <optim/schedule.hpp>
#include <optim/sgd.hpp>
