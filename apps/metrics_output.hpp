// SPDX-License-Identifier: MIT
#pragma once

// How a fitted model scores on data, as `slope evaluate` and `slope train --test-fraction` print
// it: MSE, MAE and R² for a linear model; log-loss, accuracy and the confusion matrix for the
// logistic and softmax models. The same numbers come back as JSON.

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <slope/models.hpp>
#include <string>

/// Prints `heading` and the metrics of `model` on `data` (its features and labels); returns them.
nlohmann::json print_metrics(std::ostream& out, const slope::models::SavedModel& model,
                             const slope::models::Dataset& data, const std::string& heading);
