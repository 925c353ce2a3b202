// SPDX-License-Identifier: MIT
// `slope train`: fit a model to a dataset with one of the optimizers and print the run as the
// seed does — iteration, loss, weight(s), bias — then a summary.

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <models/models.hpp>
#include <optim/optim.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

struct Options {
  std::string dataset = "cars7", data, features, label = "mpg", model = "linear", loss,
              optimizer = "gd";
  double lr = 0.01, tol = 1e-8, l2 = 0.0;
  long long batch_size = 32, iterations = -1, epochs = -1, every = 100;
  unsigned long long seed = 1;
  bool standardize = false, quiet = false;
  std::string json, history;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

models::Dataset load(const Options& o) {
  if (!o.data.empty()) {
    if (o.features.empty())
      throw UsageError("--data needs --features (comma-separated column names)");
    return models::load_csv(o.data, split_commas(o.features), o.label);
  }
  const std::vector<std::string> features =
      o.features.empty() ? std::vector<std::string>{"weight"} : split_commas(o.features);
  if (o.dataset == "cars7") {
    if (!o.features.empty() && features != std::vector<std::string>{"weight"})
      throw UsageError("--dataset cars7 has only the feature 'weight'");
    return models::cars7();
  }
  if (o.dataset == "auto-mpg") return models::auto_mpg(features, o.label);
  throw UsageError("unknown --dataset '" + o.dataset + "' (known: cars7, auto-mpg)");
}

std::unique_ptr<models::Model> make_model(const Options& o, const models::Dataset& d) {
  if (o.model == "linear") return std::make_unique<models::LinearRegression>(d.dimension());
  if (o.model == "logistic") return std::make_unique<models::LogisticRegression>(d.dimension());
  if (o.model == "softmax") {
    double top = 0;
    for (double v : d.y) top = std::max(top, v);
    return std::make_unique<models::SoftmaxRegression>(d.dimension(),
                                                       static_cast<std::size_t>(top) + 1);
  }
  throw UsageError("unknown --model '" + o.model + "' (known: linear, logistic, softmax)");
}

std::unique_ptr<optim::Optimizer> make_optimizer(const Options& o, std::size_t examples) {
  if (!(o.lr > 0.0)) throw UsageError("--lr must be > 0, got " + detail::fmt(o.lr));
  if (!(o.tol >= 0.0)) throw UsageError("--tol must be >= 0, got " + detail::fmt(o.tol));
  if (o.batch_size <= 0)
    throw UsageError("--batch-size must be >= 1, got " + std::to_string(o.batch_size));
  const std::size_t batch = std::min<std::size_t>(static_cast<std::size_t>(o.batch_size), examples);
  optim::Stop stop;
  stop.gradient_tolerance = o.tol;
  const long long budget = o.epochs >= 0 ? o.epochs : o.iterations;
  stop.max_iterations = budget >= 0 ? static_cast<std::size_t>(budget) : 1000;
  const std::string& k = o.optimizer;
  if (k == "gd")
    return std::make_unique<optim::GradientDescent>(
        optim::GradientDescent::Options{.learning_rate = o.lr, .stop = stop});
  if (k == "sgd")
    return std::make_unique<optim::SGD>(
        optim::SGD::Options{.learning_rate = o.lr, .batch_size = 1, .seed = o.seed, .stop = stop});
  if (k == "minibatch" || k == "momentum" || k == "nesterov")
    return std::make_unique<optim::SGD>(
        optim::SGD::Options{.learning_rate = o.lr,
                            .batch_size = batch,
                            .momentum = k == "minibatch" ? 0.0 : 0.9,
                            .nesterov = k == "nesterov",
                            .seed = o.seed,
                            .stop = stop});
  if (k == "adam")
    return std::make_unique<optim::Adam>(optim::Adam::Options{
        .learning_rate = o.lr, .batch_size = batch, .seed = o.seed, .stop = stop});
  if (k == "lbfgs") return std::make_unique<optim::LBFGS>(optim::LBFGS::Options{.stop = stop});
  if (k == "newton") return std::make_unique<optim::Newton>(optim::Newton::Options{.stop = stop});
  if (k == "newton-cg")
    return std::make_unique<optim::NewtonCG>(optim::NewtonCG::Options{.stop = stop});
  throw UsageError(
      "unknown --optimizer '" + k +
      "' (known: gd, sgd, minibatch, momentum, nesterov, adam, lbfgs, newton, newton-cg)");
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The seed's table: the first six iterations, then every `every`-th, then the last.
optim::Callback table(std::ostream& out, const std::vector<std::string>& names, std::size_t every) {
  return [&out, names, every, header = true](const optim::State& s) mutable {
    if (header) {
      out << "iteration  " << std::string(14 - 4, ' ') << "loss";
      for (const std::string& n : names)
        out << std::string(n.size() < 12 ? 12 - n.size() : 1, ' ') << n;
      out << '\n';
      header = false;
    }
    if (s.iteration > 6 && (every == 0 || s.iteration % every != 0)) return false;
    char it[16];
    std::snprintf(it, sizeof it, "%9zu", s.iteration);
    out << it << "  "
        << std::string(std::max<int>(1, 14 - static_cast<int>(fixed(s.loss, 5).size())), ' ')
        << fixed(s.loss, 5);
    for (double v : s.x) {
      const std::string c = fixed(v, 5);
      out << std::string(std::max<int>(1, 12 - static_cast<int>(c.size())), ' ') << c;
    }
    out << '\n';
    return false;
  };
}

std::string json_array(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + detail::fmt(v[i]);
  return s + "]";
}

}  // namespace

int run_train(int argc, char** argv) {
  Options o;
  po::options_description desc("slope train options");
  desc.add_options()("help,h", "this help")("dataset", po::value(&o.dataset),
                                            "cars7 (default) | auto-mpg")(
      "data", po::value(&o.data), "CSV file with a header row")("features", po::value(&o.features),
                                                                "feature columns, comma-separated")(
      "label", po::value(&o.label), "label column (default mpg)")(
      "model", po::value(&o.model), "linear (default) | logistic | softmax")(
      "loss", po::value(&o.loss),
      "mse | mae | huber | log-loss | cross-entropy (default: the model's)")(
      "l2", po::value(&o.l2), "L2 penalty on the weights (default 0)")(
      "optimizer", po::value(&o.optimizer),
      "gd (default) | sgd | minibatch | momentum | nesterov | adam | lbfgs | newton | newton-cg")(
      "lr", po::value(&o.lr), "learning rate (default 0.01)")(
      "batch-size", po::value(&o.batch_size), "mini-batch size (default 32, at most the rows)")(
      "iterations", po::value(&o.iterations), "iteration budget (default 1000)")(
      "epochs", po::value(&o.epochs), "epoch budget for the stochastic optimizers")(
      "tol", po::value(&o.tol), "gradient-norm tolerance (default 1e-8)")(
      "seed", po::value(&o.seed), "seed for shuffling (default 1)")(
      "standardize", po::bool_switch(&o.standardize),
      "standardize the features (reported parameters are for the raw features)")(
      "every", po::value(&o.every),
      "a table row every N iterations after the first six (default 100)")(
      "json", po::value(&o.json), "write the final result as JSON")(
      "history", po::value(&o.history), "write the history as CSV")(
      "quiet", po::bool_switch(&o.quiet), "only the summary");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string("train: ") + e.what());
  }
  if (vm.count("help")) {
    std::cout << "usage: slope train [options]\n" << desc;
    return 0;
  }
  if (o.every < 0) throw UsageError("--every must be >= 0, got " + std::to_string(o.every));
  if (o.iterations < -1 || o.epochs < -1)
    throw UsageError("--iterations and --epochs must be >= 0");

  models::Dataset data = load(o);
  if (data.size() == 0) throw UsageError("the dataset '" + data.name + "' has no rows");
  const auto model = make_model(o, data);
  std::optional<models::Standardizer> scaler;
  if (o.standardize) {
    if (model->name() == "softmax")
      throw UsageError("--standardize supports the linear and logistic models");
    scaler = models::Standardizer::fit(data.X);
    data.X = scaler->apply(data.X);
  }
  const models::Loss loss =
      o.loss.empty() ? models::default_loss(*model) : models::loss_named(o.loss);
  if (o.batch_size > 0 && static_cast<std::size_t>(o.batch_size) > data.size() &&
      vm.count("batch-size"))
    throw UsageError("--batch-size " + std::to_string(o.batch_size) + " is larger than the data (" +
                     std::to_string(data.size()) + " rows)");
  auto opt = make_optimizer(o, data.size());
  auto obj = models::objective(*model, loss, data, o.l2);

  optim::Callbacks callbacks;
  if (!o.quiet) {
    std::cout << "slope train: " << model->name() << " model, " << loss.name() << " loss, "
              << o.optimizer << " on " << data.name << " (" << data.size() << " rows; "
              << data.label << " from ";
    for (std::size_t i = 0; i < data.features.size(); ++i)
      std::cout << (i ? ", " : "") << data.features[i];
    std::cout << ")\n\n";
    callbacks.push_back(
        table(std::cout, model->parameter_names(), static_cast<std::size_t>(o.every)));
    // The bar goes to stderr, and only when stdout is a terminal: piped output stays a clean table.
    const long long budget = o.epochs >= 0 ? o.epochs : o.iterations >= 0 ? o.iterations : 1000;
    if (isatty(fileno(stdout)) && budget >= 10000)
      callbacks.push_back(optim::progress_bar(static_cast<std::size_t>(budget), stderr));
  }
  const optim::Result r =
      opt->minimize(obj, std::vector<double>(model->parameters(), 0.0), callbacks);

  std::vector<double> params = r.x;
  if (scaler) {
    const std::size_t d = model->features();
    xt::xarray<double> w = xt::zeros<double>({d});
    for (std::size_t i = 0; i < d; ++i) w(i) = params[i];
    const auto [raw, b] = scaler->unstandardize(w, params[d]);
    for (std::size_t i = 0; i < d; ++i) params[i] = raw(i);
    params[d] = b;
  }
  const auto names = model->parameter_names();
  std::cout << (o.quiet ? "" : "\n") << "stopped: " << optim::to_string(r.reason) << " after "
            << r.iterations
            << (o.epochs >= 0 || (o.optimizer != "gd" && o.optimizer != "lbfgs" &&
                                  o.optimizer != "newton" && o.optimizer != "newton-cg")
                    ? " epochs"
                    : " iterations")
            << "\nloss: " << fixed(r.value, 6) << "\n";
  for (std::size_t i = 0; i < params.size(); ++i)
    std::cout << names[i] << " = " << fixed(params[i], 6) << (i + 1 < params.size() ? ", " : "\n");
  char tail[128];
  std::snprintf(tail, sizeof tail, "gradient norm: %.3g\ntime: %.3f s\n", r.gradient_norm,
                r.seconds);
  std::cout << tail;

  if (!o.history.empty()) r.write_csv(o.history);
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    if (!f) throw UsageError("cannot write --json file '" + o.json + "'");
    f << "{\n  \"model\": \"" << model->name() << "\",\n  \"loss\": \"" << loss.name()
      << "\",\n  \"optimizer\": \"" << o.optimizer << "\",\n  \"dataset\": \"" << data.name
      << "\",\n  \"stop_reason\": \"" << optim::to_string(r.reason)
      << "\",\n  \"iterations\": " << r.iterations << ",\n  \"value\": " << detail::fmt(r.value)
      << ",\n  \"gradient_norm\": " << detail::fmt(r.gradient_norm)
      << ",\n  \"parameters\": " << json_array(params)
      << ",\n  \"seconds\": " << detail::fmt(r.seconds) << "\n}\n";
  }
  return 0;
}
