// SPDX-License-Identifier: MIT
#include "model_data.hpp"

#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

void add_model_data_options(po::options_description& desc, ModelDataOptions& o) {
  desc.add_options()("model-file", po::value(&o.model_file),
                     "the model, as slope train --save wrote it")(
      "data", po::value(&o.data), "CSV file with a header row holding the model's feature columns")(
      "dataset", po::value(&o.dataset),
      "cars7 | auto-mpg | synthetic-logistic (instead of --data)")(
      "rows", po::value(&o.rows), "synthetic-logistic: rows N (default 1000)")(
      "seed", po::value(&o.seed), "synthetic-logistic: seed (default 1)");
}

models::SavedModel load_model_file(const ModelDataOptions& o, const po::variables_map& vm) {
  // Usage first: a missing option is reported before any file is read.
  if (o.model_file.empty())
    throw UsageError("--model-file is required (a slope train --save file)");
  if (o.data.empty() == o.dataset.empty())
    throw UsageError("give --data FILE or --dataset NAME (one of them)");
  if ((vm.count("rows") || vm.count("seed")) && o.dataset != "synthetic-logistic")
    throw UsageError("--rows and --seed apply to --dataset synthetic-logistic only");
  return models::load_saved_model(o.model_file);
}

models::Dataset load_model_data(const ModelDataOptions& o, const models::SavedModel& model,
                                bool labels) {
  const std::string label = labels ? model.label : "";
  if (!o.data.empty()) return models::load_csv(o.data, model.features, label);
  if (o.dataset == "auto-mpg") return models::auto_mpg(model.features, model.label);
  if (o.dataset == "cars7") {
    if (model.features != std::vector<std::string>{"weight"} || model.label != "mpg")
      throw UsageError(
          "--dataset cars7 has only the feature 'weight' and the label 'mpg'; the "
          "model was fitted to other columns");
    return models::cars7();
  }
  if (o.dataset == "synthetic-logistic") {
    if (o.rows <= 0) throw UsageError("--rows must be >= 1, got " + std::to_string(o.rows));
    models::Dataset d =
        models::synthetic_logistic(static_cast<std::size_t>(o.rows), model.features.size(), o.seed);
    if (d.features != model.features || d.label != model.label)
      throw UsageError(
          "--dataset synthetic-logistic has columns x1…xD and y; the model was "
          "fitted to other columns");
    return d;
  }
  throw UsageError("unknown --dataset '" + o.dataset +
                   "' (known: cars7, auto-mpg, synthetic-logistic)");
}
