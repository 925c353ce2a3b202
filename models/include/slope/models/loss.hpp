// SPDX-License-Identifier: MIT
#pragma once

// Losses: a mean over rows of a model's output against the targets, on the tape.
//   mse()            mean (o − y)²
//   mae()            mean |o − y|
//   huber(δ)         mean h(o − y), h(r) = r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond
//   log_loss()       binary cross-entropy on logits: mean softplus(o) − y·o
//   cross_entropy()  softmax cross-entropy on logits, one-hot targets: mean −Σ_k Y·log_softmax(O)
// A custom loss is any callable (const Tensor& output, const Tensor& targets) -> Var that is a
// mean over rows:
//   slope::models::Loss cauchy("cauchy", [](const slope::Tensor& o, const slope::Tensor& y) {
//     return slope::mean(slope::log1p(slope::square(o - y)));
//   });
// (runs as examples/models.cpp)

#include <slope/autodiff.hpp>
#include <functional>
#include <string>

namespace slope::models {

class Loss {
 public:
  using Fn = std::function<Var(const Tensor& output, const Tensor& targets)>;
  Loss(std::string name, Fn fn);
  const std::string& name() const { return name_; }
  Var operator()(const Tensor& output, const Tensor& targets) const { return fn_(output, targets); }

 private:
  std::string name_;
  Fn fn_;
};

Loss mse();
Loss mae();
/// δ > 0, else slope::Error.
Loss huber(double delta = 1.0);
Loss log_loss();
Loss cross_entropy();
/// By name: "mse", "mae", "huber", "log-loss" (or "logloss"), "cross-entropy"; else slope::Error
/// listing the names.
Loss loss_named(const std::string& name);

}  // namespace slope::models
