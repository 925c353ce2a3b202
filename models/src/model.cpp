// SPDX-License-Identifier: MIT
#include <cmath>
#include <slope/models/model.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

namespace slope::models {

namespace {

// Built with append: GCC 12 at -O3 reports a false -Wrestrict on `"w" + std::to_string(i)`.
std::string label(const char* prefix, std::size_t i) {
  return std::string(prefix).append(std::to_string(i));
}

void check_features(const std::string& model, std::size_t d, const xt::xarray<double>& X) {
  if (X.dimension() != 2 || X.shape()[1] != d)
    throw Error("slope::models::" + model + ": features have shape " +
                (X.dimension() == 2
                     ? "(" + std::to_string(X.shape()[0]) + "," + std::to_string(X.shape()[1]) + ")"
                     : std::to_string(X.dimension()) + "-D") +
                ", the model takes (N," + std::to_string(d) + ")");
}

void check_params(const std::string& model, std::size_t n, std::span<const double> p) {
  if (p.size() != n)
    throw Error("slope::models::" + model + ": " + std::to_string(p.size()) +
                " parameters given, the model has " + std::to_string(n));
}

}  // namespace

xt::xarray<double> Model::target(const xt::xarray<double>& y) const { return y; }

std::vector<std::string> Model::parameter_names() const {
  std::vector<std::string> names;
  const std::size_t d = features();
  for (std::size_t i = 0; i < d; ++i)
    names.push_back(d == 1 ? std::string("w") : label("w", i + 1));
  names.push_back("b");
  return names;
}

namespace {
void check_names(const Model& m, const std::vector<std::string>& names) {
  if (names.size() != m.features())
    throw Error("slope::models::Model::named_parameters: " + std::to_string(names.size()) +
                " names for a " + m.name() + " model of " + std::to_string(m.features()) +
                " features");
}
}  // namespace

std::vector<std::string> Model::named_parameters(const std::vector<std::string>& names) const {
  check_names(*this, names);
  std::vector<std::string> out = names;
  out.push_back("bias");
  return out;
}

LinearRegression::LinearRegression(std::size_t features) : d_(features) {
  if (features == 0)
    throw Error("slope::models::LinearRegression: needs at least one feature, got 0");
}

Tensor LinearRegression::output(const Tensor& p, const Tensor& X) const {
  return matmul(X, p.slice(0, d_)) + p[d_];
}

xt::xarray<double> LinearRegression::predict(std::span<const double> p,
                                             const xt::xarray<double>& X) const {
  check_params(name(), parameters(), p);
  check_features(name(), d_, X);
  xt::xarray<double> out = xt::zeros<double>({X.shape()[0]});
  for (std::size_t i = 0; i < X.shape()[0]; ++i) {
    double s = p[d_];
    for (std::size_t j = 0; j < d_; ++j) s += X(i, j) * p[j];
    out(i) = s;
  }
  return out;
}

xt::xarray<double> LogisticRegression::predict(std::span<const double> p,
                                               const xt::xarray<double>& X) const {
  xt::xarray<double> z = LinearRegression::predict(p, X);
  for (double& v : z) v = 1.0 / (1.0 + std::exp(-v));
  return z;
}

xt::xarray<double> LogisticRegression::target(const xt::xarray<double>& y) const {
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y.data()[i] != 0.0 && y.data()[i] != 1.0)
      throw Error("slope::models::logistic: labels must be 0 or 1; label " + std::to_string(i) +
                  " is " + core::number(y.data()[i]));
  return y;
}

SoftmaxRegression::SoftmaxRegression(std::size_t features, std::size_t classes)
    : d_(features), k_(classes) {
  if (features == 0)
    throw Error("slope::models::SoftmaxRegression: needs at least one feature, got 0");
  if (classes < 2)
    throw Error("slope::models::SoftmaxRegression: needs at least 2 classes, got " +
                std::to_string(classes));
}

Tensor SoftmaxRegression::output(const Tensor& p, const Tensor& X) const {
  return matmul(X, p.slice(0, d_ * k_).reshape({d_, k_})) + p.slice(d_ * k_, (d_ + 1) * k_);
}

xt::xarray<double> SoftmaxRegression::predict(std::span<const double> p,
                                              const xt::xarray<double>& X) const {
  check_params(name(), parameters(), p);
  check_features(name(), d_, X);
  const std::size_t n = X.shape()[0];
  xt::xarray<double> out = xt::zeros<double>({n, k_});
  for (std::size_t i = 0; i < n; ++i) {
    double top = -INFINITY;
    for (std::size_t k = 0; k < k_; ++k) {
      double s = p[d_ * k_ + k];
      for (std::size_t j = 0; j < d_; ++j) s += X(i, j) * p[j * k_ + k];
      out(i, k) = s;
      top = std::max(top, s);
    }
    double z = 0;
    for (std::size_t k = 0; k < k_; ++k) z += (out(i, k) = std::exp(out(i, k) - top));
    for (std::size_t k = 0; k < k_; ++k) out(i, k) /= z;
  }
  return out;
}

xt::xarray<double> SoftmaxRegression::target(const xt::xarray<double>& y) const {
  xt::xarray<double> onehot = xt::zeros<double>({y.size(), k_});
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double c = y.data()[i];
    if (!(c >= 0.0 && c < static_cast<double>(k_)) || c != std::floor(c))
      throw Error("slope::models::softmax: labels must be class indices 0.." +
                  std::to_string(k_ - 1) + "; label " + std::to_string(i) + " is " +
                  core::number(c));
    onehot(i, static_cast<std::size_t>(c)) = 1.0;
  }
  return onehot;
}

std::vector<std::string> SoftmaxRegression::parameter_names() const {
  std::vector<std::string> names;
  for (std::size_t j = 0; j < d_; ++j)
    for (std::size_t k = 0; k < k_; ++k)
      names.push_back(label("W", j + 1).append(",").append(std::to_string(k)));
  for (std::size_t k = 0; k < k_; ++k) names.push_back(label("b", k));
  return names;
}

std::vector<std::string> SoftmaxRegression::named_parameters(
    const std::vector<std::string>& names) const {
  check_names(*this, names);
  std::vector<std::string> out;
  for (const std::string& f : names)
    for (std::size_t k = 0; k < k_; ++k) out.push_back(f + "[" + std::to_string(k) + "]");
  for (std::size_t k = 0; k < k_; ++k) out.push_back("bias[" + std::to_string(k) + "]");
  return out;
}

}  // namespace slope::models
