// SPDX-License-Identifier: MIT
// `slope check`: the gradient and Hessian-vector product of a built-in model and loss on a
// dataset, from the replayed tape, against finite differences, at one point. Exit code 0 when
// both agree, 1 when a check fails, 2 for bad input.

#include <boost/program_options.hpp>
#include <iostream>
#include <random>
#include <slope/models.hpp>
#include <string>
#include <vector>

#include <slope/autodiff/check.hpp>

#include "check_output.hpp"
#include "command_line.hpp"
#include "data_options.hpp"
#include "exit_codes.hpp"
#include "numbers.hpp"
#include "usage_error.hpp"

namespace po = boost::program_options;
using namespace slope;

namespace {

// Uniform in [-1, 1) from the seed, written out so every standard library draws the same.
std::vector<double> seeded_point(std::size_t n, std::mt19937_64& engine) {
  std::vector<double> v(n);
  for (double& x : v) x = -1.0 + 2.0 * static_cast<double>(engine() >> 11) * 0x1.0p-53;
  return v;
}

}  // namespace

int run_check(int argc, char** argv) {
  DataOptions data_options;
  std::string loss_name, at, direction;
  double l2 = 0.0;
  CheckOptions tolerances;
  long long show = 20;
  bool standardize = false;
  po::options_description desc("slope check options");
  desc.add_options()("help,h", "this help");
  add_data_options(desc, data_options);
  desc.add_options()("loss", po::value(&loss_name),
                     "mse | mae | huber | log-loss | cross-entropy (default: the model's)")(
      "l2", po::value(&l2), "L2 penalty on the weights (default 0)")(
      "standardize", po::bool_switch(&standardize), "standardize the features first")(
      "at", po::value(&at), "the point: comma-separated parameters (default: seeded in [-1, 1))")(
      "direction", po::value(&direction),
      "v for the Hessian-vector product (default: seeded in [-1, 1))")(
      "rtol", po::value(&tolerances.rtol), "relative tolerance (default 1e-6)")(
      "atol", po::value(&tolerances.atol), "absolute tolerance (default 1e-8)")(
      "show", po::value(&show), "table rows shown per check, worst first (default 20)")(
      "step", po::value(&tolerances.step),
      "finite-difference step (default 0: chosen per check, see slope::CheckOptions)");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, desc, "check", vm)) return kExitOk;
  if (show < 1) throw UsageError("--show must be >= 1, got " + std::to_string(show));
  if (!(tolerances.rtol >= 0) || !(tolerances.atol >= 0))
    throw UsageError("--rtol and --atol must be >= 0");

  models::Dataset data = load_dataset(data_options, vm);
  const auto model = make_model(data_options, data);
  if (standardize) data.X = models::Standardizer::fit(data.X).apply(data.X);
  const models::Loss loss =
      loss_name.empty() ? models::default_loss(*model) : models::loss_named(loss_name);
  auto obj = models::objective(*model, loss, data, l2);

  const std::size_t n = model->parameters();
  std::mt19937_64 engine(data_options.seed);
  const std::vector<double> x = at.empty() ? seeded_point(n, engine) : parse_numbers(at, "--at");
  const std::vector<double> v =
      direction.empty() ? seeded_point(n, engine) : parse_numbers(direction, "--direction");
  if (x.size() != n)
    throw UsageError("--at has " + std::to_string(x.size()) + " numbers, the " + model->name() +
                     " model has " + std::to_string(n) + " parameters");
  if (v.size() != n)
    throw UsageError("--direction has " + std::to_string(v.size()) + " numbers, the " +
                     model->name() + " model has " + std::to_string(n) + " parameters");

  const CheckReport grad = check_gradient(obj, x, tolerances);
  const CheckReport hvp = check_hvp(obj, x, v, tolerances);
  const auto names = model->named_parameters(data.features);
  std::cout << "slope check: " << model->name() << " model, " << loss.name() << " loss on "
            << data.name << " (" << data.size() << " rows" << (standardize ? ", standardized" : "")
            << (l2 > 0 ? ", l2 " + general(l2, 3) : std::string()) << ")\n";
  std::cout << "at ";
  for (std::size_t i = 0; i < n && i < 8; ++i)
    std::cout << (i ? ", " : "") << names[i] << " = " << general(x[i], 12);
  std::cout << (n > 8 ? ", …" : "") << "\nloss " << general(obj.value(x, {}), 12) << "\n\n";
  print_check(std::cout, grad, names, static_cast<std::size_t>(show));
  std::cout << "\n";
  print_check(std::cout, hvp, names, static_cast<std::size_t>(show));
  return grad.ok && hvp.ok ? kExitOk : kExitCheckFailed;
}
