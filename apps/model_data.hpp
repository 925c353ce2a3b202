// SPDX-License-Identifier: MIT
#pragma once

// What `slope evaluate` and `slope predict` read: a model file written by `slope train --save`
// and data holding the model's feature columns (and, to evaluate, its label column).
//   ModelDataOptions o;
//   add_model_data_options(desc, o);
//   ... parse_command_line(argc, argv, desc, "evaluate", vm) ...
//   const auto model = load_model_file(o, vm);
//   const auto data = load_model_data(o, model, /*labels=*/true);

#include <boost/program_options.hpp>
#include <cstdint>
#include <slope/models.hpp>
#include <string>

struct ModelDataOptions {
  std::string model_file, data, dataset;
  long long rows = 1000;
  std::uint64_t seed = 1;
};

void add_model_data_options(boost::program_options::options_description& desc, ModelDataOptions& o);

/// The model file, read and checked; first a UsageError when --model-file is missing, when not
/// exactly one of --data and --dataset is given, or --rows/--seed without synthetic-logistic.
slope::models::SavedModel load_model_file(const ModelDataOptions& o,
                                          const boost::program_options::variables_map& vm);

/// The rows to score: --data FILE or --dataset NAME, with the model's features (and its label
/// when `labels`).
slope::models::Dataset load_model_data(const ModelDataOptions& o,
                                       const slope::models::SavedModel& model, bool labels);
