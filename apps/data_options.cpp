// SPDX-License-Identifier: MIT
#include "data_options.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
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

namespace {

// --features as given: an empty list or a name given twice is an error, not a default.
std::vector<std::string> chosen_features(const DataOptions& o, const po::variables_map& vm) {
  if (!vm.count("features")) return {"weight"};
  const std::vector<std::string> names = split_commas(o.features);
  if (names.empty()) throw UsageError("--features is empty (give comma-separated column names)");
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (names[i] == names[j]) throw UsageError("--features names '" + names[i] + "' twice");
  return names;
}

}  // namespace

models::Dataset load_dataset(const DataOptions& o, const po::variables_map& vm) {
  const bool synthetic = o.data.empty() && o.dataset == "synthetic-logistic";
  if (!synthetic && (vm.count("rows") || vm.count("dims")))
    throw UsageError("--rows and --dims apply to --dataset synthetic-logistic only");
  if (!o.data.empty()) {
    if (vm.count("dataset")) throw UsageError("give --data FILE or --dataset NAME, not both");
    if (!vm.count("features"))
      throw UsageError("--data needs --features (comma-separated column names)");
    return models::load_csv(o.data, chosen_features(o, vm), o.label);
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
  const std::vector<std::string> features = chosen_features(o, vm);
  if (o.dataset == "cars7") {
    if (features != std::vector<std::string>{"weight"} || o.label != "mpg")
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
    for (std::size_t i = 0; i < d.y.size(); ++i) {
      const double v = d.y(i);
      if (!(v >= 0 && v < 1e6 && v == std::floor(v)))
        throw UsageError("--model softmax takes class indices 0…K−1 as labels; '" + d.label +
                         "' is " + core::number(v) + " in row " + std::to_string(i + 1));
      top = std::max(top, v);
    }
    const auto classes = static_cast<std::size_t>(top) + 1;
    std::vector<bool> seen(classes, false);
    for (double v : d.y) seen[static_cast<std::size_t>(v)] = true;
    const auto empty = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), false));
    // A continuous label (mpg 9…46) read as classes makes dozens of classes with no rows.
    if (empty > 0)
      std::cerr << "slope: warning: --model softmax reads '" << d.label << "' as class indices 0…"
                << classes - 1 << ", but " << empty << " of those " << classes
                << " classes have no rows: is it a class label?\n";
    return std::make_unique<models::SoftmaxRegression>(d.dimension(), classes);
  }
  throw UsageError("unknown --model '" + kind + "' (known: linear, logistic, softmax)");
}
