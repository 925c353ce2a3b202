// SPDX-License-Identifier: MIT
#pragma once

// Models, losses, datasets and the glue to the optimizers.
//   #include <models/models.hpp>
//   using namespace slope::models;
//   auto obj = objective(LinearRegression(1), mse(), cars7());

#include <models/dataset.hpp>
#include <models/fit.hpp>
#include <models/loss.hpp>
#include <models/model.hpp>
