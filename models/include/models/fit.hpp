// SPDX-License-Identifier: MIT
#pragma once

// The glue: model + loss + data → an optimizer objective. The loss is recorded once with the
// data as placeholders "X" and "y"; every value, gradient and HVP after that is a replay, with
// the optimizer's mini-batch bound in place of the data (no recording per step).
//   auto obj = slope::models::objective(LinearRegression(1), mse(), cars7());
//   auto r = slope::optim::GradientDescent({.learning_rate = 0.01}).minimize(obj,
//   std::vector<double>(2, 0.0));

#include <autodiff/objective.hpp>
#include <models/dataset.hpp>
#include <models/loss.hpp>
#include <models/model.hpp>

namespace slope::models {

/// Objective f(p) = loss(model.output(p, X), target(y)) + (l2 / 2)·‖w‖² (the bias is not
/// penalised). Throws slope::Error when the data do not fit the model (feature count, labels).
LossObjective objective(const Model& model, const Loss& loss, const Dataset& data, double l2 = 0.0);

/// The loss a model takes by default: linear → mse, logistic → log_loss, softmax → cross_entropy.
Loss default_loss(const Model& model);

}  // namespace slope::models
