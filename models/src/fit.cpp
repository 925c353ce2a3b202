// SPDX-License-Identifier: MIT
#include <slope/models/fit.hpp>

namespace slope::models {

Loss default_loss(const Model& model) {
  const std::string k = model.name();
  if (k == "logistic") return log_loss();
  if (k == "softmax") return cross_entropy();
  return mse();
}

LossObjective objective(const Model& model, const Loss& loss, const Dataset& data, double l2) {
  if (!(l2 >= 0.0))
    throw Error("slope::models::objective: l2 must be >= 0, got " + core::number(l2));
  if (data.X.dimension() != 2 || data.X.shape()[1] != model.features())
    throw Error("slope::models::objective: dataset '" + data.name + "' has " +
                std::to_string(data.dimension()) + " features, the " + model.name() +
                " model takes " + std::to_string(model.features()));
  if (data.size() == 0)
    throw Error("slope::models::objective: dataset '" + data.name + "' has no rows");
  std::shared_ptr<const Model> m = model.clone();
  const std::size_t weights =
      model.parameters() -
      (model.name() == "softmax" ? model.parameters() / (model.features() + 1) : 1);
  auto f = [m, loss, l2, weights](const Tensor& p, const Tensor& X, const Tensor& y) {
    Var v = loss(m->output(p, X), y);
    if (l2 > 0.0) v = v + 0.5 * l2 * sum(square(p.slice(0, weights)));
    return v;
  };
  // The placeholders own copies: the objective outlives any temporary dataset it was built from.
  return as_objective(std::move(f), std::vector<double>(model.parameters(), 0.0),
                      Placeholder("X", xt::xarray<double>(data.X)),
                      Placeholder("y", model.target(data.y)));
}

}  // namespace slope::models
