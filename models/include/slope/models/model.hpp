// SPDX-License-Identifier: MIT
#pragma once

// Models: a parameter vector p and features X (N×D) give an output on the tape.
//   model                    p                       output           predict
//   LinearRegression(D)      (w₁…w_D, b)             Xw + b  (N,)     predictions
//   LogisticRegression(D)    (w₁…w_D, b)             Xw + b  (N,)     P(y = 1)
//   SoftmaxRegression(D, K)  (W row-major D×K, b)    XW + b  (N, K)   class probabilities
// (the logistic and softmax outputs are logits).
//
//   slope::models::LinearRegression m(1);                       // p = (w, b)
//   auto loss = [&m](const slope::Tensor& p, const slope::Tensor& X, const slope::Tensor& y) {
//     return slope::mean(slope::square(m.output(p, X) - y));    // the output is on the tape
//   };
//   auto cars = slope::models::cars7();
//   slope::Placeholder X("X", cars.X), y("y", cars.y);
//   slope::Function F = slope::record(loss, std::vector<double>{0.0, 0.0}, X, y);
// (runs as examples/models.cpp)

#include <slope/autodiff.hpp>
#include <memory>
#include <span>
#include <string>

namespace slope::models {

class Model {
 public:
  virtual ~Model() = default;
  /// "linear", "logistic" or "softmax".
  virtual std::string name() const = 0;
  virtual std::size_t features() const = 0;
  virtual std::size_t parameters() const = 0;
  /// The model's output for parameters p (1-D, length parameters()) and features X (N×D).
  virtual Tensor output(const Tensor& p, const Tensor& X) const = 0;
  /// Predictions at p for features X: values, P(y = 1), or class probabilities (N×K).
  virtual xt::xarray<double> predict(std::span<const double> p,
                                     const xt::xarray<double>& X) const = 0;
  /// The labels as the model's losses take them (softmax: one-hot rows); checks their values and
  /// throws slope::Error naming the first bad label.
  virtual xt::xarray<double> target(const xt::xarray<double>& y) const;
  /// Parameter names, for tables: w (one feature) or w1…wD, then b (softmax: W[i,k], b[k]).
  virtual std::vector<std::string> parameter_names() const;
  /// The same named after the features' columns: the feature names, then "bias" (softmax:
  /// "feature[k]" row-major, then "bias[k]"). Throws slope::Error unless there is one name per
  /// feature.
  virtual std::vector<std::string> named_parameters(const std::vector<std::string>& names) const;
  virtual std::unique_ptr<Model> clone() const = 0;
};

class LinearRegression : public Model {
 public:
  explicit LinearRegression(std::size_t features);
  std::string name() const override { return "linear"; }
  std::size_t features() const override { return d_; }
  std::size_t parameters() const override { return d_ + 1; }
  Tensor output(const Tensor& p, const Tensor& X) const override;
  xt::xarray<double> predict(std::span<const double> p, const xt::xarray<double>& X) const override;
  std::unique_ptr<Model> clone() const override {
    return std::make_unique<LinearRegression>(*this);
  }

 protected:
  std::size_t d_;
};

/// Binary labels in {0, 1}.
class LogisticRegression : public LinearRegression {
 public:
  explicit LogisticRegression(std::size_t features) : LinearRegression(features) {}
  std::string name() const override { return "logistic"; }
  xt::xarray<double> predict(std::span<const double> p, const xt::xarray<double>& X) const override;
  xt::xarray<double> target(const xt::xarray<double>& y) const override;
  std::unique_ptr<Model> clone() const override {
    return std::make_unique<LogisticRegression>(*this);
  }
};

/// Labels are class indices 0…K−1.
class SoftmaxRegression : public Model {
 public:
  SoftmaxRegression(std::size_t features, std::size_t classes);
  std::string name() const override { return "softmax"; }
  std::size_t features() const override { return d_; }
  std::size_t classes() const { return k_; }
  std::size_t parameters() const override { return (d_ + 1) * k_; }
  Tensor output(const Tensor& p, const Tensor& X) const override;
  xt::xarray<double> predict(std::span<const double> p, const xt::xarray<double>& X) const override;
  xt::xarray<double> target(const xt::xarray<double>& y) const override;
  std::vector<std::string> parameter_names() const override;
  std::vector<std::string> named_parameters(const std::vector<std::string>& names) const override;
  std::unique_ptr<Model> clone() const override {
    return std::make_unique<SoftmaxRegression>(*this);
  }

 private:
  std::size_t d_, k_;
};

}  // namespace slope::models
