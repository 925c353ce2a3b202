// SPDX-License-Identifier: MIT
// `slope evaluate`: a saved model's metrics on data (MSE, MAE, R² for a linear model; log-loss,
// accuracy and the confusion matrix for a classifier).

#include <boost/program_options.hpp>
#include <iostream>
#include <slope/models.hpp>
#include <sstream>

#include "command_line.hpp"
#include "exit_codes.hpp"
#include "metrics_output.hpp"
#include "model_data.hpp"
#include "output_file.hpp"

namespace po = boost::program_options;
using namespace slope;

int run_evaluate(int argc, char** argv) {
  ModelDataOptions o;
  std::string json;
  po::options_description desc("slope evaluate options");
  desc.add_options()("help,h", "this help");
  add_model_data_options(desc, o);
  desc.add_options()("json", po::value(&json), "write the metrics as JSON");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "evaluate", vm)) return kExitOk;
  if (!json.empty()) check_writable(json, "--json");
  const models::SavedModel model = load_model_file(o, vm);
  const models::Dataset data = load_model_data(o, model, true);
  // Metrics go to a string first: a bad label found while scoring leaves stdout empty.
  std::ostringstream out;
  nlohmann::json metrics = print_metrics(
      out, model, data, "slope evaluate: " + model.kind + " model from " + o.model_file);
  std::cout << out.str();
  if (!json.empty()) {
    metrics["model_file"] = o.model_file;
    metrics["data"] = data.name;
    metrics["kind"] = model.kind;
    write_file(json, metrics.dump(2) + "\n", "--json");
    std::cout << "wrote the metrics to " << json << "\n";
  }
  return kExitOk;
}
