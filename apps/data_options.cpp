// SPDX-License-Identifier: MIT
#include "data_options.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

void add_data_options(po::options_description& desc, DataOptions& o) {
  desc.add_options()("dataset", po::value(&o.dataset),
                     "cars7 (default) | auto-mpg | synthetic-logistic")(
      "data", po::value(&o.data), "CSV file with a header row (instead of --dataset)")(
      "features", po::value(&o.features), "feature columns, comma-separated (default weight)")(
      "label", po::value(&o.label), "label column (default mpg)")(
      "model", po::value(&o.model),
      "linear | logistic | softmax (default linear; logistic on synthetic-logistic)")(
      "rows", po::value(&o.rows), "synthetic-logistic: rows N (default 1000)")(
      "dims", po::value(&o.dims), "synthetic-logistic: features D (default 5)")(
      "seed", po::value(&o.seed),
      "seed for synthetic data, shuffling and check points (default 1)");
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<double> parse_numbers(const std::string& s, const std::string& option) {
  std::vector<double> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    while (used < item.size() && item[used] == ' ') ++used;
    if (item.empty() || used != item.size() || !std::isfinite(v))
      throw UsageError(option + " expects comma-separated finite numbers, got '" + s + "'");
    out.push_back(v);
  }
  if (out.empty()) throw UsageError(option + " expects comma-separated numbers, got nothing");
  return out;
}

models::Dataset load_dataset(const DataOptions& o, const po::variables_map& vm) {
  const bool synthetic = o.data.empty() && o.dataset == "synthetic-logistic";
  if (!synthetic && (vm.count("rows") || vm.count("dims")))
    throw UsageError("--rows and --dims apply to --dataset synthetic-logistic only");
  if (!o.data.empty()) {
    if (vm.count("dataset")) throw UsageError("give --data FILE or --dataset NAME, not both");
    if (o.features.empty())
      throw UsageError("--data needs --features (comma-separated column names)");
    return models::load_csv(o.data, split_commas(o.features), o.label);
  }
  if (synthetic) {
    if (vm.count("features") || vm.count("label"))
      throw UsageError("--dataset synthetic-logistic has columns x1…xD and y; use --dims");
    if (o.rows <= 0 || o.dims <= 0)
      throw UsageError("--rows and --dims must be >= 1, got " + std::to_string(o.rows) + " and " +
                       std::to_string(o.dims));
    return models::synthetic_logistic(static_cast<std::size_t>(o.rows),
                                      static_cast<std::size_t>(o.dims), o.seed);
  }
  const std::vector<std::string> features =
      o.features.empty() ? std::vector<std::string>{"weight"} : split_commas(o.features);
  if (o.dataset == "cars7") {
    if ((!o.features.empty() && features != std::vector<std::string>{"weight"}) || o.label != "mpg")
      throw UsageError("--dataset cars7 has only the feature 'weight' and the label 'mpg'");
    return models::cars7();
  }
  if (o.dataset == "auto-mpg") return models::auto_mpg(features, o.label);
  throw UsageError("unknown --dataset '" + o.dataset +
                   "' (known: cars7, auto-mpg, synthetic-logistic)");
}

std::unique_ptr<models::Model> make_model(const DataOptions& o, const models::Dataset& d) {
  const std::string kind = !o.model.empty()                 ? o.model
                           : d.name == "synthetic-logistic" ? "logistic"
                                                            : "linear";
  if (kind == "linear") return std::make_unique<models::LinearRegression>(d.dimension());
  if (kind == "logistic") return std::make_unique<models::LogisticRegression>(d.dimension());
  if (kind == "softmax") {
    double top = 0;
    for (double v : d.y) top = std::max(top, v);
    // Labels are checked when the objective takes them; this only sizes the output.
    if (!(top >= 0 && top < 1e6))
      throw UsageError("softmax labels must be class indices 0…K−1; the largest label is " +
                       core::number(top));
    return std::make_unique<models::SoftmaxRegression>(d.dimension(),
                                                       static_cast<std::size_t>(top) + 1);
  }
  throw UsageError("unknown --model '" + kind + "' (known: linear, logistic, softmax)");
}
