// SPDX-License-Identifier: MIT
#include <slope/models/loss.hpp>
#include <utility>

namespace slope::models {

Loss::Loss(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {
  if (!fn_) throw Error("slope::models::Loss '" + name_ + "': the loss function is empty");
}

Loss mse() {
  return Loss("mse", [](const Tensor& o, const Tensor& y) { return mean(square(o - y)); });
}

Loss mae() {
  return Loss("mae", [](const Tensor& o, const Tensor& y) { return mean(abs(o - y)); });
}

Loss huber(double delta) {
  if (!(delta > 0.0))
    throw Error("slope::models::huber: delta must be > 0, got " + core::number(delta));
  // With m = min(|r|, δ): m²/2 + δ(|r| − m) is r²/2 inside and δ(|r| − δ/2) outside, no branch.
  return Loss("huber", [delta](const Tensor& o, const Tensor& y) {
    const Tensor a = abs(o - y);
    const Tensor m = minimum(a, delta);
    return mean(0.5 * square(m) + delta * (a - m));
  });
}

Loss log_loss() {
  return Loss("log-loss",
              [](const Tensor& z, const Tensor& y) { return mean(softplus(z) - y * z); });
}

Loss cross_entropy() {
  return Loss("cross-entropy", [](const Tensor& z, const Tensor& Y) {
    const double rows = static_cast<double>(z.shape()[0]);
    return -sum(Y * log_softmax(z, 1)) / rows;
  });
}

Loss loss_named(const std::string& name) {
  if (name == "mse") return mse();
  if (name == "mae") return mae();
  if (name == "huber") return huber();
  if (name == "log-loss" || name == "logloss") return log_loss();
  if (name == "cross-entropy") return cross_entropy();
  throw Error("slope::models: unknown loss '" + name +
              "' (known: mse, mae, huber, log-loss, cross-entropy)");
}

}  // namespace slope::models
