// SPDX-License-Identifier: MIT
#pragma once

// A Slope loss as an optimizer objective (the one place autodiff meets optim's interface).
//   auto obj = slope::as_objective(rosenbrock, x0);        // rosenbrock(p) -> Var
//   slope::Placeholder X("X", X_train), y("y", y_train);
//   auto fit = slope::as_objective(mse, x0, X, y);         // mse(p, X, y) -> Var
//   slope::optim::SGD sgd({.batch_size = 32});
//   slope::optim::Result r = sgd.minimize(fit, x0);        // x0: std::vector<double>
//
// The loss is recorded once (a Function with OnStale::record_again: it records again only when
// a replay is stale, e.g. a branch guard flips) and replayed for every value, gradient and HVP.
// With placeholders, the examples are the rows of the data (every placeholder has the same
// number of rows) and a batch of example indices binds those rows: a contiguous run is
// referenced in place, any other set is gathered into a buffer the objective keeps. The loss
// must be a mean over the rows it sees (`slope::mean`), so that a batch's value and gradient
// estimate the full ones.
// (runs as examples/models.cpp)

#include <slope/autodiff/function.hpp>
#include <slope/optim/objective.hpp>
#include <string>
#include <vector>

namespace slope {

class LossObjective final : public optim::Objective {
 public:
  template <class F, ParamVector X, class... P>
  requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...)
      LossObjective(F f, const X& x0, const P&... data)
      : data_{data...}, examples_(rows_of(data_)), fn_(record(std::move(f), x0, data...)) {
    init();
  }

  std::size_t dimension() const override { return n_; }
  std::size_t examples() const override { return examples_; }
  double value(optim::Span x, optim::Batch batch) override;
  double value_and_grad(optim::Span x, optim::MutSpan g, optim::Batch batch) override;
  void hvp(optim::Span x, optim::Span v, optim::MutSpan hv, optim::Batch batch) override;
  bool has_hvp() const override { return true; }
  void hessian(optim::Span x, optim::MutSpan h, optim::Batch batch) override;

  /// The recorded function underneath (e.g. recordings() to see how often it re-recorded).
  Function& function() { return fn_; }

 private:
  // The common leading extent of the placeholders, checked before f is first recorded.
  static std::size_t rows_of(const std::vector<Placeholder>& data);
  void init();
  void bind(optim::Batch batch, const char* call);

  std::vector<Placeholder> data_;
  std::size_t examples_ = 0;
  Function fn_;
  std::size_t n_ = 0;
  std::vector<xt::xarray<double>> gathered_;
  // What is bound now, to skip rebinding the same rows: [begin, end) of the data, or gathered.
  std::size_t begin_ = 0, end_ = 0;
  bool gathered_bound_ = false;
};

/// Adapts f (and its data placeholders) to slope::optim::Objective; see LossObjective.
template <class F, ParamVector X, class... P>
requires(std::same_as<std::remove_cvref_t<P>, Placeholder>&&...) LossObjective
    as_objective(F f, const X& x0, const P&... data) {
  return LossObjective(std::move(f), x0, data...);
}

}  // namespace slope
