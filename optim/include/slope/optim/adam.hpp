// SPDX-License-Identifier: MIT
#pragma once

// Adam (Kingma & Ba): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², x ← x − η·m̂/(√v̂ + ε) with the
// bias-corrected m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
//   Adam adam({.learning_rate = 1e-3, .batch_size = 32});
// batch_size 0 takes full-batch steps (an iteration is a step); batch_size B > 0 runs epochs over
// shuffled examples as SGD does (an iteration is an epoch).
// (runs as examples/optimizers.cpp)

#include <cstdint>
#include <slope/optim/optimizer.hpp>
#include <slope/optim/schedule.hpp>

namespace slope::optim {

class Adam : public Optimizer {
 public:
  struct Options {
    Schedule learning_rate = 1e-3;
    double beta1 = 0.9;          ///< in [0, 1)
    double beta2 = 0.999;        ///< in [0, 1)
    double epsilon = 1e-8;       ///< > 0
    std::size_t batch_size = 0;  ///< 0: full batch
    double weight_decay = 0.0;   ///< λ ≥ 0, added to the gradient as λ·x
    std::uint64_t seed = 1;
    Stop stop = {};
  };
  Adam() : Adam(Options{}) {}
  explicit Adam(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

}  // namespace slope::optim
