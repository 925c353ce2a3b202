// SPDX-License-Identifier: MIT
#pragma once

// Full-batch gradient descent, the algorithm of the seven-cars lesson Slope grew from:
// x_{k+1} = x_k − η_k ∇f(x_k).
//   GradientDescent gd({.learning_rate = 0.01});
//   Result r = gd.minimize(f, std::vector<double>{0.0, 0.0});
// (runs as examples/optimizers.cpp)

#include <slope/optim/optimizer.hpp>
#include <slope/optim/schedule.hpp>

namespace slope::optim {

class GradientDescent : public Optimizer {
 public:
  struct Options {
    Schedule learning_rate = 0.01;  ///< η, constant unless a schedule is given
    Stop stop = {};
  };
  GradientDescent() : GradientDescent(Options{}) {}
  explicit GradientDescent(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

}  // namespace slope::optim
