// SPDX-License-Identifier: MIT
#pragma once

// What every optimizer shares: stopping rules, the per-iteration state handed to callbacks, and
// the result with its history.
//
//   slope::optim::Stop stop;            // defaults: 1000 iterations, ‖g‖ ≤ 1e-8
//   stop.loss_tolerance = 1e-9;         // also stop once the loss has stopped changing
//   Result r = GradientDescent({.learning_rate = 0.01, .stop = stop}).minimize(f, x0);
//   r.write_csv("history.csv");
// (runs as examples/optimizers.cpp)

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <slope/optim/objective.hpp>
#include <span>
#include <string>
#include <vector>

namespace slope::optim {

/// Stopping rules; every one that is enabled applies, the first to fire names the reason.
struct Stop {
  /// Budget of iterations (updates); for SGD, mini-batch SGD and Adam on data, of epochs.
  std::size_t max_iterations = 1000;
  /// Converged when ‖∇f(x_k)‖₂ ≤ gradient_tolerance (0 turns it off).
  double gradient_tolerance = 1e-8;
  /// Converged when |f_{k−w} − f_k| ≤ loss_tolerance · max(|f_{k−w}|, |f_k|) with
  /// w = loss_window: the loss has stopped changing (0 turns it off).
  double loss_tolerance = 0.0;
  std::size_t loss_window = 5;
  /// Wall-time budget in seconds (0: none).
  double max_seconds = 0.0;
};

enum class StopReason {
  max_iterations,      ///< the iteration or epoch budget ran out
  gradient_tolerance,  ///< ‖g‖ fell to the tolerance
  loss_stalled,        ///< the relative loss change over the window fell to the tolerance
  time_budget,         ///< max_seconds passed
  callback,            ///< a callback asked to stop
  diverged,  ///< the loss, gradient or curvature became non-finite; x is the last finite iterate
  line_search_failed,  ///< no step along the search direction decreased f enough
};
/// "max_iterations", "gradient_tolerance", …, "diverged".
std::string to_string(StopReason r);

/// Objective calls made by a run. A value_and_grad call counts as one value and one gradient.
struct Evaluations {
  std::size_t values = 0;
  std::size_t gradients = 0;
  std::size_t hvps = 0;
};

/// One row of the history: the iterate after `iteration` updates (row 0 is x0).
struct Record {
  std::size_t iteration = 0;
  double loss = 0.0;
  double gradient_norm = 0.0;
  /// Step size that led here: learning rate or line-search step (0 on row 0).
  double step = 0.0;
  /// The parameters, kept when dimension ≤ 16 (empty otherwise).
  std::vector<double> x;
};

struct Result {
  std::vector<double> x;  ///< the final iterate (the last finite one after divergence)
  double value = 0.0;     ///< f at x (on all examples)
  double gradient_norm = 0.0;
  std::size_t iterations = 0;  ///< updates (epochs for the stochastic optimizers)
  Evaluations evaluations;
  StopReason reason = StopReason::max_iterations;
  double seconds = 0.0;
  std::vector<Record> history;

  /// History as CSV: iteration,loss,gradient_norm,step[,x0,x1,…]; doubles in round-trip form.
  std::string csv() const;
  /// Writes csv() to `path`; throws slope::Error naming the path when it cannot.
  void write_csv(const std::string& path) const;
};

/// What a callback sees after each iteration (each epoch for the stochastic optimizers).
struct State {
  std::size_t iteration = 0;
  double loss = 0.0;
  double gradient_norm = 0.0;
  double step = 0.0;
  Span x;
  Span gradient;
  double seconds = 0.0;
  const Evaluations* evaluations = nullptr;
};

/// Called once per iteration (including iteration 0); returning true stops the run with reason
/// `callback`.
using Callback = std::function<bool(const State&)>;
using Callbacks = std::vector<Callback>;

}  // namespace slope::optim
