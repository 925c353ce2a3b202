// SPDX-License-Identifier: MIT
#pragma once

// The glue: model + loss + data → an optimizer objective. The loss is recorded once with the
// data as placeholders "X" and "y"; every value, gradient and HVP after that is a replay, with
// the optimizer's mini-batch bound in place of the data (no recording per step).
//   using namespace slope::models;
//   auto obj = objective(LinearRegression(1), mse(), cars7());
//   slope::optim::GradientDescent gd({.learning_rate = 0.01});
//   slope::optim::Result r = gd.minimize(obj, std::vector<double>{0.0, 0.0});
// (runs as examples/models.cpp)

#include <slope/models/loss_objective.hpp>
#include <slope/models/dataset.hpp>
#include <slope/models/loss.hpp>
#include <slope/models/model.hpp>

namespace slope::models {

/// Objective f(p) = loss(model.output(p, X), target(y)) + (l2 / 2)·‖w‖² (the bias is not
/// penalised). Throws slope::Error when the data do not fit the model (feature count, labels).
LossObjective objective(const Model& model, const Loss& loss, const Dataset& data, double l2 = 0.0);

/// The loss a model takes by default: linear → mse, logistic → log_loss, softmax → cross_entropy.
Loss default_loss(const Model& model);

}  // namespace slope::models
