// SPDX-License-Identifier: MIT
#pragma once

// Models, losses, datasets and the glue to the optimizers.
//   #include <slope/models.hpp>
//   using namespace slope::models;
//   auto obj = objective(LinearRegression(1), mse(), cars7());
// (runs as examples/models.cpp)

#include <slope/models/check.hpp>
#include <slope/models/dataset.hpp>
#include <slope/models/fit.hpp>
#include <slope/models/loss.hpp>
#include <slope/models/loss_objective.hpp>
#include <slope/models/metrics.hpp>
#include <slope/models/model.hpp>
#include <slope/models/saved_model.hpp>
