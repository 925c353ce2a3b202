// SPDX-License-Identifier: MIT
#pragma once

// The options of `slope train`, their checks and the optimizer they choose. Options that make no
// sense are UsageErrors (exit 2) before any work; options the chosen optimizer ignores are a
// one-line warning each on stderr.
//   TrainOptions o;
//   add_train_options(desc, o);
//   ... parse_command_line(argc, argv, desc, "train", vm) ...
//   check_train_options(o, vm);
//   warn_ignored_options(o, vm, std::cerr);
//   auto opt = make_optimizer(o, rows);

#include <boost/program_options.hpp>
#include <iosfwd>
#include <memory>
#include <slope/optim.hpp>
#include <string>

#include "data_options.hpp"

struct TrainOptions {
  DataOptions data;
  std::string loss, optimizer = "gd";
  double lr = 0.01, tol = 1e-8, l2 = 0.0, test_fraction = 0.0;
  long long batch_size = 32, iterations = 1000, epochs = 0, every = 100;
  bool standardize = false, quiet = false;
  std::string json, history, save, plot_loss, plot_fit, plot_surface;
};

void add_train_options(boost::program_options::options_description& desc, TrainOptions& o);

/// UsageError for values no run can use (--iterations 0, --lr -1, --test-fraction 1, …).
void check_train_options(const TrainOptions& o, const boost::program_options::variables_map& vm);

/// One "slope: warning: …" line on `err` per option given that the optimizer ignores.
void warn_ignored_options(const TrainOptions& o, const boost::program_options::variables_map& vm,
                          std::ostream& err);

/// True when the optimizer counts epochs (passes over the data), not iterations.
bool counts_epochs(const TrainOptions& o);

/// The run's budget: --epochs for the stochastic optimizers when given, else --iterations.
std::size_t budget(const TrainOptions& o);

std::unique_ptr<slope::optim::Optimizer> make_optimizer(const TrainOptions& o,
                                                        std::size_t examples);
