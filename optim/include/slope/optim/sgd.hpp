// SPDX-License-Identifier: MIT
#pragma once

// Stochastic gradient descent over the examples of a data-based objective.
// Each epoch visits every example once in an order shuffled by a seeded generator, in batches of
// batch_size (the last batch of an epoch is shorter when batch_size does not divide the number of
// examples; it is kept, not dropped). With momentum β (heavy ball):
//   v ← β·v + g,  x ← x − η·v;   Nesterov:  x ← x − η·(g + β·v)   (g at x, after v is updated)
// and weight decay λ adds λ·x to each batch gradient.
//   SGD sgd({.learning_rate = 0.01, .batch_size = 32, .momentum = 0.9, .seed = 7});
// An iteration is an epoch: the stopping rules and callbacks see the loss and gradient on all
// examples at the end of each epoch (row 0: at x0).
// (runs as examples/optimizers.cpp)

#include <cstdint>
#include <slope/optim/optimizer.hpp>
#include <slope/optim/schedule.hpp>

namespace slope::optim {

class SGD : public Optimizer {
 public:
  struct Options {
    Schedule learning_rate = 0.01;  ///< η_t, t counting batch updates
    std::size_t batch_size = 1;     ///< 1: plain SGD; B > 1: mini-batch SGD
    double momentum = 0.0;          ///< β in [0, 1)
    bool nesterov = false;          ///< Nesterov momentum (needs momentum > 0)
    double weight_decay = 0.0;      ///< λ ≥ 0
    std::uint64_t seed = 1;         ///< shuffling; same seed → bit-identical run
    Stop stop = {};
  };
  SGD() : SGD(Options{}) {}
  explicit SGD(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

/// Mini-batch SGD: SGD whose batch size defaults to 32.
class MiniBatchSGD : public SGD {
 public:
  MiniBatchSGD() : SGD(with_batch(SGD::Options{}, 32)) {}
  explicit MiniBatchSGD(SGD::Options options) : SGD(options) {}

 private:
  static SGD::Options with_batch(SGD::Options o, std::size_t b) {
    o.batch_size = b;
    return o;
  }
};

}  // namespace slope::optim
