// SPDX-License-Identifier: MIT
// `slope train`: fit a model to a dataset with one of the optimizers and print the run as the
// seed does — iteration, loss, weight(s), bias — then a summary.

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "data_options.hpp"
#include "output_file.hpp"
#include "plot.hpp"
#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

struct Options {
  DataOptions data;
  std::string loss, optimizer = "gd";
  double lr = 0.01, tol = 1e-8, l2 = 0.0;
  long long batch_size = 32, iterations = -1, epochs = -1, every = 100;
  bool standardize = false, quiet = false;
  std::string json, history, plot_loss, plot_fit, plot_surface;
};

std::unique_ptr<optim::Optimizer> make_optimizer(const Options& o, std::size_t examples) {
  if (!(o.lr > 0.0)) throw UsageError("--lr must be > 0, got " + core::number(o.lr));
  if (!(o.tol >= 0.0)) throw UsageError("--tol must be >= 0, got " + core::number(o.tol));
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
    return std::make_unique<optim::SGD>(optim::SGD::Options{
        .learning_rate = o.lr, .batch_size = 1, .seed = o.data.seed, .stop = stop});
  if (k == "minibatch" || k == "momentum" || k == "nesterov")
    return std::make_unique<optim::SGD>(
        optim::SGD::Options{.learning_rate = o.lr,
                            .batch_size = batch,
                            .momentum = k == "minibatch" ? 0.0 : 0.9,
                            .nesterov = k == "nesterov",
                            .seed = o.data.seed,
                            .stop = stop});
  if (k == "adam")
    return std::make_unique<optim::Adam>(optim::Adam::Options{
        .learning_rate = o.lr, .batch_size = batch, .seed = o.data.seed, .stop = stop});
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

// The worked example's table: the first six iterations, then every `every`-th. Up to eight parameters get
// a column each; a larger model shows the gradient norm instead.
optim::Callback table(std::ostream& out, const std::vector<std::string>& names, std::size_t every) {
  const bool wide = names.size() > 8;
  const auto cell = [](const std::string& text, std::size_t width) {
    return std::string(text.size() < width ? width - text.size() : 1, ' ') + text;
  };
  return [&out, names, every, wide, cell, header = true](const optim::State& s) mutable {
    if (header) {
      out << "iteration" << cell("loss", 16);
      if (wide)
        out << cell("gradient norm", 16);
      else
        for (const std::string& n : names) out << cell(n, 12);
      out << '\n';
      header = false;
    }
    if (s.iteration > 6 && (every == 0 || s.iteration % every != 0)) return false;
    out << cell(std::to_string(s.iteration), 9) << cell(fixed(s.loss, 5), 16);
    if (wide) {
      char g[32];
      std::snprintf(g, sizeof g, "%.3e", s.gradient_norm);
      out << cell(g, 16);
    } else {
      for (double v : s.x) out << cell(fixed(v, 5), 12);
    }
    out << '\n';
    return false;
  };
}

// JSON number: finite values as %.17g (round-trips); NaN and ±inf, which JSON lacks, as null.
std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += c;
  }
  return out + "\"";
}

template <class T, class F>
std::string json_array(const std::vector<T>& v, F item) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + item(v[i]);
  return s + "]";
}

}  // namespace

namespace {

bool counts_epochs(const Options& o) {
  return o.epochs >= 0 || (o.optimizer != "gd" && o.optimizer != "lbfgs" &&
                           o.optimizer != "newton" && o.optimizer != "newton-cg");
}

// Everything that can be wrong with the plot options, found before the run starts.
void check_plots(const Options& o, const models::Model& model, std::string& gnuplot) {
  const std::pair<const std::string*, const char*> plots[] = {{&o.plot_loss, "--plot-loss"},
                                                              {&o.plot_fit, "--plot-fit"},
                                                              {&o.plot_surface, "--plot-surface"}};
  for (const auto& [path, option] : plots) {
    if (path->empty()) continue;
    check_writable(*path, option);
    if (gnuplot.empty()) gnuplot = require_gnuplot(option);
  }
  if (!o.plot_fit.empty() && (model.name() == "softmax" || model.features() != 1))
    throw UsageError("--plot-fit draws a linear or logistic model of one feature; this " +
                     model.name() + " model has " + std::to_string(model.features()) + " features");
  if (!o.plot_surface.empty() && model.parameters() != 2)
    throw UsageError(
        "--plot-surface draws the loss over two parameters (one feature and the "
        "bias); this model has " +
        std::to_string(model.parameters()));
}

std::string result_json(const Options& o, const models::Model& model, const models::Loss& loss,
                        const models::Dataset& data, const optim::Result& r,
                        const std::vector<double>& params) {
  const auto str = [](const std::string& s) { return json_string(s); };
  std::string j = "{\n";
  j += "  \"model\": " + json_string(model.name()) + ",\n";
  j += "  \"loss\": " + json_string(loss.name()) + ",\n";
  j += "  \"optimizer\": " + json_string(o.optimizer) + ",\n";
  j += "  \"dataset\": " + json_string(data.name) + ",\n";
  j += "  \"rows\": " + std::to_string(data.size()) + ",\n";
  j += "  \"features\": " + json_array(data.features, str) + ",\n";
  j += "  \"label\": " + json_string(data.label) + ",\n";
  j += "  \"standardized\": " + std::string(o.standardize ? "true" : "false") + ",\n";
  j += "  \"stop_reason\": " + json_string(optim::to_string(r.reason)) + ",\n";
  j += "  \"iterations\": " + std::to_string(r.iterations) + ",\n";
  j += "  \"unit\": " + json_string(counts_epochs(o) ? "epoch" : "iteration") + ",\n";
  j += "  \"loss_value\": " + json_number(r.value) + ",\n";
  j += "  \"gradient_norm\": " + json_number(r.gradient_norm) + ",\n";
  j += "  \"parameter_names\": " + json_array(model.parameter_names(), str) + ",\n";
  j += "  \"parameters\": " + json_array(params, json_number) + ",\n";
  j += "  \"evaluations\": {\"values\": " + std::to_string(r.evaluations.values) +
       ", \"gradients\": " + std::to_string(r.evaluations.gradients) +
       ", \"hvps\": " + std::to_string(r.evaluations.hvps) + "},\n";
  j += "  \"seconds\": " + json_number(r.seconds) + "\n}\n";
  return j;
}

}  // namespace

int run_train(int argc, char** argv) {
  Options o;
  po::options_description desc("slope train options");
  desc.add_options()("help,h", "this help");
  add_data_options(desc, o.data);
  desc.add_options()("loss", po::value(&o.loss),
                     "mse | mae | huber | log-loss | cross-entropy (default: the model's)")(
      "l2", po::value(&o.l2), "L2 penalty on the weights (default 0)")(
      "optimizer", po::value(&o.optimizer),
      "gd (default) | sgd | minibatch | momentum | nesterov | adam | lbfgs | newton | newton-cg")(
      "lr", po::value(&o.lr), "learning rate (default 0.01)")(
      "batch-size", po::value(&o.batch_size), "mini-batch size (default 32, at most the rows)")(
      "iterations", po::value(&o.iterations), "iteration budget (default 1000)")(
      "epochs", po::value(&o.epochs), "epoch budget for the stochastic optimizers")(
      "tol", po::value(&o.tol), "gradient-norm tolerance (default 1e-8)")(
      "standardize", po::bool_switch(&o.standardize),
      "standardize the features (reported parameters are for the raw features)")(
      "every", po::value(&o.every),
      "a table row every N iterations after the first six (default 100)")(
      "json", po::value(&o.json), "write the final result as JSON")(
      "history", po::value(&o.history), "write the history as CSV (one row per iteration)")(
      "plot-loss", po::value(&o.plot_loss), "draw the loss curve (PNG, gnuplot)")(
      "plot-fit", po::value(&o.plot_fit), "draw the data and the fitted model (one feature)")(
      "plot-surface", po::value(&o.plot_surface),
      "draw loss contours over (w, b) with the optimizer's path (one feature)")(
      "quiet", po::bool_switch(&o.quiet), "only the summary");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "train", vm)) return 0;
  if (o.every < 0) throw UsageError("--every must be >= 0, got " + std::to_string(o.every));
  if (o.iterations < -1 || o.epochs < -1)
    throw UsageError("--iterations and --epochs must be >= 0");
  if (!o.json.empty()) check_writable(o.json, "--json");
  if (!o.history.empty()) check_writable(o.history, "--history");

  models::Dataset data = load_dataset(o.data, vm);
  if (data.size() == 0) throw UsageError("the dataset '" + data.name + "' has no rows");
  const models::Dataset raw = data;
  const auto model = make_model(o.data, data);
  std::string gnuplot;
  check_plots(o, *model, gnuplot);
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

  const auto names = model->parameter_names();
  optim::Callbacks callbacks;
  if (!o.quiet) {
    std::cout << "slope train: " << model->name() << " model, " << loss.name() << " loss, "
              << o.optimizer << " on " << data.name << " (" << data.size() << " rows; "
              << data.label << " from ";
    const std::size_t nf = data.features.size();
    for (std::size_t i = 0; i < nf; ++i)
      if (nf <= 8 || i < 3 || i + 1 == nf)
        std::cout << (i ? ", " : "") << data.features[i] << (nf > 8 && i == 2 ? ", …" : "");
    std::cout << (o.standardize ? ", standardized" : "") << ")\n\n";
    callbacks.push_back(table(std::cout, names, static_cast<std::size_t>(o.every)));
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
    const auto [raw_w, b] = scaler->unstandardize(w, params[d]);
    for (std::size_t i = 0; i < d; ++i) params[i] = raw_w(i);
    params[d] = b;
  }
  const std::string unit = counts_epochs(o) ? "epoch" : "iteration";
  std::cout << (o.quiet ? "" : "\n") << "stopped: " << optim::to_string(r.reason) << " after "
            << r.iterations << " " << unit << "s\nloss: " << fixed(r.value, 6) << "\n";
  const std::size_t shown = std::min<std::size_t>(params.size(), 12);
  for (std::size_t i = 0; i < shown; ++i)
    std::cout << names[i] << " = " << fixed(params[i], 6) << (i + 1 < shown ? ", " : "");
  if (shown < params.size())
    std::cout << ", … (" << params.size() << " parameters; --json has all)";
  char tail[128];
  std::snprintf(tail, sizeof tail, "\ngradient norm: %.3g\ntime: %.3f s\n", r.gradient_norm,
                r.seconds);
  std::cout << tail;

  if (!o.history.empty()) {
    write_file(o.history, r.csv(), "--history");
    std::cout << "wrote the history to " << o.history << "\n";
  }
  if (!o.json.empty()) {
    write_file(o.json, result_json(o, *model, loss, data, r, params), "--json");
    std::cout << "wrote the result to " << o.json << "\n";
  }
  const std::string title =
      model->name() + " model, " + loss.name() + " loss, " + o.optimizer + " on " + data.name;
  if (!o.plot_loss.empty()) {
    plot_loss(gnuplot, r, title, unit, o.plot_loss);
    std::cout << "wrote the loss curve to " << o.plot_loss << "\n";
  }
  if (!o.plot_fit.empty()) {
    plot_fit(gnuplot, raw, *model, params, title, o.plot_fit);
    std::cout << "wrote the fit to " << o.plot_fit << "\n";
  }
  if (!o.plot_surface.empty()) {
    std::vector<std::string> axes = names;
    if (o.standardize)
      for (std::string& a : axes) a += " (standardized features)";
    plot_surface(gnuplot, obj, r, axes, title + ": log10 loss and path", o.plot_surface);
    std::cout << "wrote the loss surface to " << o.plot_surface << "\n";
  }
  return 0;
}
