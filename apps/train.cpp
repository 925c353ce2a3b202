// SPDX-License-Identifier: MIT
// `slope train`: fit a model to a dataset with one of the optimizers and print the run as the
// worked example does (iteration, loss, parameters), then a summary; optionally held-out metrics,
// the fitted model, the history, the result and plots. Exit code 3 when the run diverged.

#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>
#include <optional>
#include <slope/models.hpp>
#include <slope/optim.hpp>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.hpp"
#include "data_options.hpp"
#include "exit_codes.hpp"
#include "metrics_output.hpp"
#include "numbers.hpp"
#include "output_file.hpp"
#include "plot.hpp"
#include "progress.hpp"
#include "train_options.hpp"
#include "train_output.hpp"
#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

// Everything that can be wrong with the plot options, found before the run starts.
void check_plots(const TrainOptions& o, const models::Model& model, std::string& gnuplot) {
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

// A run diverged when the optimizer says so, or when its loss ended far above where it began.
bool diverged(const optim::Result& r, double first_loss) {
  return r.reason == optim::StopReason::diverged || !std::isfinite(r.value) ||
         (std::isfinite(first_loss) && r.value > 100 * std::max(first_loss, 1e-12));
}

// The likely cause of a divergence, for the one line on stderr.
std::string divergence_hint(const TrainOptions& o, const models::Dataset& raw) {
  double largest = 0, label = 0;
  for (double v : raw.X) largest = std::max(largest, std::fabs(v));
  for (double v : raw.y) label = std::max(label, std::fabs(v));
  if (std::max(largest, label) > 1e150)
    return fmt::format("the data hold values as large as {}, beyond what the loss can square",
                       general(std::max(largest, label), 3));
  const bool has_lr = o.optimizer == "gd" || counts_epochs(o);
  if (!o.standardize && largest > 10)
    return fmt::format("the features are not standardized (values up to {}): try --standardize{}",
                       general(largest, 3),
                       has_lr ? fmt::format(" or a smaller --lr (now {})", general(o.lr, 3)) : "");
  if (has_lr)
    return fmt::format("the learning rate is too large: try a smaller --lr (now {})",
                       general(o.lr, 3));
  return "the loss or its gradient overflowed: check the data for extreme values";
}

// Logistic regression on classes a line separates has no finite maximum-likelihood fit.
bool separable(const models::SavedModel& fitted, const models::Dataset& data) {
  if (fitted.kind != "logistic") return false;
  const xt::xarray<double> p = fitted.predict(data.X);
  for (std::size_t i = 0; i < data.size(); ++i)
    if ((p(i) >= 0.5) != (data.y(i) == 1.0)) return false;
  return true;
}

void print_heading(const TrainOptions& o, const models::Model& model, const models::Loss& loss,
                   const models::Dataset& data) {
  std::cout << "slope train: " << model.name() << " model, " << loss.name() << " loss, "
            << o.optimizer << " on " << data.name << " (" << data.size() << " rows; " << data.label
            << " from ";
  const std::size_t nf = data.features.size();
  for (std::size_t i = 0; i < nf; ++i)
    if (nf <= 8 || i < 3 || i + 1 == nf)
      std::cout << (i ? ", " : "") << data.features[i] << (nf > 8 && i == 2 ? ", …" : "");
  std::cout << (o.standardize ? "; fitted on standardized features, shown for the raw ones" : "")
            << ")\n\n";
}

}  // namespace

int run_train(int argc, char** argv) {
  TrainOptions o;
  po::options_description desc("slope train options");
  desc.add_options()("help,h", "this help");
  add_train_options(desc, o);
  po::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "train", vm)) return kExitOk;
  check_train_options(o, vm);
  for (const auto& [path, option] :
       {std::pair{&o.json, "--json"}, {&o.history, "--history"}, {&o.save, "--save"}})
    if (!path->empty()) check_writable(*path, option);

  models::Dataset data = load_dataset(o.data, vm);
  if (data.size() == 0) throw UsageError("the dataset '" + data.name + "' has no rows");
  const auto model = make_model(o.data, data);
  std::string gnuplot;
  check_plots(o, *model, gnuplot);
  if (o.standardize && model->name() == "softmax")
    throw UsageError("--standardize supports the linear and logistic models");
  std::optional<models::Dataset> test;
  if (o.test_fraction > 0) {
    if (data.size() < 2)
      throw UsageError("--test-fraction needs at least 2 rows, the data have " +
                       std::to_string(data.size()));
    auto [train_part, test_part] = models::train_test_split(data, o.test_fraction, o.data.seed);
    data = std::move(train_part);
    test = std::move(test_part);
  }
  const models::Dataset raw = data;
  models::SavedModel fitted{.kind = model->name(),
                            .features = data.features,
                            .label = data.label,
                            .classes = 0,
                            .standardizer = std::nullopt,
                            .parameters = {}};
  if (const auto* s = dynamic_cast<const models::SoftmaxRegression*>(model.get()))
    fitted.classes = s->classes();
  if (o.standardize) {
    fitted.standardizer = models::Standardizer::fit(data.X);
    data.X = fitted.standardizer->apply(data.X);
  }
  const models::Loss loss =
      o.loss.empty() ? models::default_loss(*model) : models::loss_named(o.loss);
  if (vm.count("batch-size") && static_cast<std::size_t>(o.batch_size) > data.size())
    throw UsageError("--batch-size " + std::to_string(o.batch_size) + " is larger than the data (" +
                     std::to_string(data.size()) + " rows)");
  auto opt = make_optimizer(o, data.size());
  auto obj = models::objective(*model, loss, data, o.l2);
  warn_ignored_options(o, vm, std::cerr);
  if (data.size() < model->parameters() && o.l2 == 0)
    std::cerr << "slope: warning: " << data.size() << " rows for " << model->parameters()
              << " parameters: the data do not determine the fit (add --l2)\n";

  const auto names = model->named_parameters(data.features);
  // The optimizer's x as every output shows it: for the raw features.
  const ToRaw to_raw = [fitted](optim::Span x) mutable {
    if (x.empty()) return std::vector<double>{};
    fitted.parameters.assign(x.begin(), x.end());
    return fitted.raw_parameters();
  };
  Progress bar(budget(o));
  double first_loss = NAN;
  optim::Callbacks callbacks{[&first_loss](const optim::State& s) {
    if (s.iteration == 0) first_loss = s.loss;
    return false;
  }};
  // The bar first: a table row then erases and redraws the bar at the row's own iteration.
  callbacks.push_back([&bar](const optim::State& s) {
    bar.update(s);
    return false;
  });
  if (!o.quiet) {
    print_heading(o, *model, loss, data);
    callbacks.push_back(table(std::cout, names, static_cast<std::size_t>(o.every), to_raw, bar));
  }
  const optim::Result r =
      opt->minimize(obj, std::vector<double>(model->parameters(), 0.0), callbacks);
  bar.finish(r);

  fitted.parameters = r.x;
  const std::vector<double> raw_params = fitted.raw_parameters();
  const std::string unit = counts_epochs(o) ? "epoch" : "iteration";
  if (!o.quiet) std::cout << "\n";
  print_summary(std::cout, r, unit, o.tol, names, raw_params, o.standardize ? &r.x : nullptr);
  const bool blew_up = diverged(r, first_loss);
  if (!blew_up && o.l2 == 0 && separable(fitted, raw))
    std::cerr << "slope: warning: the training classes are separable: the maximum-likelihood "
                 "weights are infinite, so the fit only stops at a budget (add --l2)\n";
  nlohmann::json held_out;
  if (test && !blew_up) held_out = print_metrics(std::cout, fitted, *test, "held-out");

  if (!o.history.empty()) {
    write_file(o.history, history_csv(r, names, to_raw, o.standardize), "--history");
    std::cout << "wrote the history to " << o.history << "\n";
  }
  if (!o.json.empty()) {
    nlohmann::json j = {{"model", model->name()},
                        {"loss", loss.name()},
                        {"optimizer", o.optimizer},
                        {"dataset", raw.name},
                        {"rows", raw.size()},
                        {"features", raw.features},
                        {"label", raw.label},
                        {"standardized", o.standardize},
                        {"stop_reason", optim::to_string(r.reason)},
                        {"diverged", blew_up},
                        {"iterations", r.iterations},
                        {"unit", unit},
                        {"loss_value", r.value},
                        {"gradient_norm", r.gradient_norm},
                        {"parameter_names", names},
                        {"parameters", raw_params},
                        {"evaluations",
                         {{"values", r.evaluations.values},
                          {"gradients", r.evaluations.gradients},
                          {"hvps", r.evaluations.hvps}}},
                        {"seconds", r.seconds}};
    if (o.standardize) {
      j["standardized_parameters"] = r.x;
      j["standardization"] = {{"mean", std::vector<double>(fitted.standardizer->mean.begin(),
                                                           fitted.standardizer->mean.end())},
                              {"scale", std::vector<double>(fitted.standardizer->scale.begin(),
                                                            fitted.standardizer->scale.end())}};
    }
    if (test && !blew_up) j["held_out"] = held_out;
    write_file(o.json, j.dump(2) + "\n", "--json");
    std::cout << "wrote the result to " << o.json << "\n";
  }
  if (!o.save.empty() && !blew_up) {
    write_file(o.save, models::to_json(fitted), "--save");
    std::cout << "wrote the model to " << o.save << "\n";
  }
  const std::string title =
      model->name() + " model, " + loss.name() + " loss, " + o.optimizer + " on " + raw.name;
  if (!o.plot_loss.empty()) {
    plot_loss(gnuplot, r, title, unit, o.plot_loss);
    std::cout << "wrote the loss curve to " << o.plot_loss << "\n";
  }
  if (!o.plot_fit.empty()) {
    plot_fit(gnuplot, raw, *model, raw_params, title, o.plot_fit);
    std::cout << "wrote the fit to " << o.plot_fit << "\n";
  }
  if (!o.plot_surface.empty()) {
    std::vector<std::string> axes = names;
    if (o.standardize)
      for (std::string& a : axes) a += " (standardized)";
    plot_surface(gnuplot, obj, r, axes, title + ": log10 loss and path", o.plot_surface);
    std::cout << "wrote the loss surface to " << o.plot_surface << "\n";
  }
  if (blew_up) {
    std::cerr << "slope: the run diverged (loss " << general(r.value, 3) << " after "
              << r.iterations << " " << unit << "s" << (o.save.empty() ? "" : "; model not saved")
              << "): " << divergence_hint(o, raw) << "\n";
    return kExitDiverged;
  }
  return kExitOk;
}
