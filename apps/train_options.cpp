// SPDX-License-Identifier: MIT
#include "train_options.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <slope/core/format.hpp>

#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

bool stochastic(const std::string& k) {
  return k == "sgd" || k == "minibatch" || k == "momentum" || k == "nesterov" || k == "adam";
}
bool takes_lr(const std::string& k) { return k == "gd" || stochastic(k); }
bool takes_batch(const std::string& k) { return stochastic(k) && k != "sgd"; }

}  // namespace

void add_train_options(po::options_description& desc, TrainOptions& o) {
  add_data_options(desc, o.data);
  desc.add_options()("loss", po::value(&o.loss),
                     "mse | mae | huber | log-loss | cross-entropy (default: the model's)")(
      "l2", po::value(&o.l2), "L2 penalty on the weights (default 0)")(
      "optimizer", po::value(&o.optimizer),
      "gd (default) | sgd | minibatch | momentum | nesterov | adam | lbfgs | newton | newton-cg")(
      "lr", po::value(&o.lr), "learning rate of gd and the stochastic optimizers (default 0.01)")(
      "batch-size", po::value(&o.batch_size),
      "mini-batch size of minibatch, momentum, nesterov, adam (default 32, at most the rows)")(
      "iterations", po::value(&o.iterations), "iteration budget (default 1000)")(
      "epochs", po::value(&o.epochs),
      "epoch budget of the stochastic optimizers (default: --iterations)")(
      "tol", po::value(&o.tol), "gradient-norm tolerance (default 1e-8)")(
      "standardize", po::bool_switch(&o.standardize),
      "fit on standardized features (tables and results show the raw features' parameters; "
      "--json and --history also the standardized ones)")(
      "test-fraction", po::value(&o.test_fraction),
      "hold out this fraction of the rows (seeded by --seed) and report metrics on it")(
      "save", po::value(&o.save), "write the fitted model as JSON (for slope evaluate, predict)")(
      "every", po::value(&o.every),
      "a table row every N iterations after the first six (default 100; 0: the first six)")(
      "json", po::value(&o.json), "write the final result as JSON")(
      "history", po::value(&o.history), "write the history as CSV (one row per iteration)")(
      "plot-loss", po::value(&o.plot_loss), "draw the loss curve (PNG, gnuplot)")(
      "plot-fit", po::value(&o.plot_fit), "draw the data and the fitted model (one feature)")(
      "plot-surface", po::value(&o.plot_surface),
      "draw loss contours over (w, b) with the optimizer's path and the optimum (one feature)")(
      "quiet", po::bool_switch(&o.quiet), "only the summary");
}

void check_train_options(const TrainOptions& o, const po::variables_map& vm) {
  const std::string& k = o.optimizer;
  if (!stochastic(k) && k != "gd" && k != "lbfgs" && k != "newton" && k != "newton-cg")
    throw UsageError(
        "unknown --optimizer '" + k +
        "' (known: gd, sgd, minibatch, momentum, nesterov, adam, lbfgs, newton, newton-cg)");
  if (o.every < 0) throw UsageError("--every must be >= 0, got " + std::to_string(o.every));
  if (o.iterations <= 0)
    throw UsageError("--iterations must be >= 1, got " + std::to_string(o.iterations));
  if (vm.count("epochs") && o.epochs <= 0)
    throw UsageError("--epochs must be >= 1, got " + std::to_string(o.epochs));
  if (!(o.lr > 0.0) || !std::isfinite(o.lr))
    throw UsageError("--lr must be > 0, got " + core::number(o.lr));
  if (!(o.tol >= 0.0)) throw UsageError("--tol must be >= 0, got " + core::number(o.tol));
  if (!(o.l2 >= 0.0) || !std::isfinite(o.l2))
    throw UsageError("--l2 must be >= 0, got " + core::number(o.l2));
  if (o.batch_size <= 0)
    throw UsageError("--batch-size must be >= 1, got " + std::to_string(o.batch_size));
  if (!(o.test_fraction >= 0.0 && o.test_fraction < 1.0))
    throw UsageError("--test-fraction must be in [0, 1), got " + core::number(o.test_fraction));
}

void warn_ignored_options(const TrainOptions& o, const po::variables_map& vm, std::ostream& err) {
  const std::string& k = o.optimizer;
  const auto warn = [&](const std::string& option, const std::string& why) {
    if (vm.count(option) && !vm[option].defaulted())
      err << "slope: warning: --" << option << " is ignored by --optimizer " << k << " (" << why
          << ")\n";
  };
  if (!takes_lr(k)) warn("lr", "it chooses its own steps");
  if (!takes_batch(k))
    warn("batch-size", k == "sgd" ? "it takes one row per step; use minibatch"
                                  : "it uses every row at every step");
  if (!stochastic(k)) warn("epochs", "it counts iterations; use --iterations");
  if (stochastic(k) && vm.count("epochs") && vm.count("iterations"))
    err << "slope: warning: --iterations is ignored when --epochs is given\n";
  if (o.every > 0 && o.quiet && vm.count("every"))
    err << "slope: warning: --every is ignored with --quiet (no table)\n";
}

bool counts_epochs(const TrainOptions& o) { return stochastic(o.optimizer); }

std::size_t budget(const TrainOptions& o) {
  return static_cast<std::size_t>(stochastic(o.optimizer) && o.epochs > 0 ? o.epochs
                                                                          : o.iterations);
}

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainOptions& o, std::size_t examples) {
  const std::size_t batch = std::min<std::size_t>(static_cast<std::size_t>(o.batch_size), examples);
  optim::Stop stop;
  stop.gradient_tolerance = o.tol;
  stop.max_iterations = budget(o);
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
