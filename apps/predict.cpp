// SPDX-License-Identifier: MIT
// `slope predict`: a saved model's predictions for each row of data, as CSV (one row per input
// row, in order): the prediction of a linear model; P(label = 1) and the class of a logistic
// one; each class's probability and the class of a softmax one.

#include <boost/program_options.hpp>
#include <iostream>
#include <slope/models.hpp>

#include <fmt/format.h>

#include "command_line.hpp"
#include "exit_codes.hpp"
#include "model_data.hpp"
#include "output_file.hpp"
#include "train_output.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

std::string predictions_csv(const models::SavedModel& model, const xt::xarray<double>& p) {
  const std::string predicted = csv_field("predicted " + model.label);
  std::string out;
  if (model.kind == "linear") {
    out = predicted + "\n";
    for (double v : p) out += fmt::format("{}\n", v);
  } else if (model.kind == "logistic") {
    out = csv_field("P(" + model.label + " = 1)") + "," + predicted + "\n";
    for (double v : p) out += fmt::format("{},{}\n", v, v >= 0.5 ? 1 : 0);
  } else {
    const std::size_t k = p.shape(1);
    for (std::size_t c = 0; c < k; ++c)
      out += csv_field(fmt::format("P({} = {})", model.label, c)) + ",";
    out += predicted + "\n";
    for (std::size_t i = 0; i < p.shape(0); ++i) {
      std::size_t best = 0;
      for (std::size_t c = 0; c < k; ++c) {
        out += fmt::format("{},", p(i, c));
        if (p(i, c) > p(i, best)) best = c;
      }
      out += fmt::format("{}\n", best);
    }
  }
  return out;
}

}  // namespace

int run_predict(int argc, char** argv) {
  ModelDataOptions o;
  std::string output;
  po::options_description desc("slope predict options");
  desc.add_options()("help,h", "this help");
  add_model_data_options(desc, o);
  desc.add_options()("output,o", po::value(&output), "write the CSV here (default: stdout)");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "predict", vm)) return kExitOk;
  if (!output.empty()) check_writable(output, "--output");
  const models::SavedModel model = load_model_file(o, vm);
  const models::Dataset data = load_model_data(o, model, false);
  const std::string csv = predictions_csv(model, model.predict(data.X));
  if (output.empty()) {
    std::cout << csv;
  } else {
    write_file(output, csv, "--output");
    std::cerr << "wrote " << data.size() << " predictions to " << output << "\n";
  }
  return kExitOk;
}
