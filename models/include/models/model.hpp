// SPDX-License-Identifier: MIT
#pragma once

// Models: a parameter vector p and features X (N×D) give an output on the tape.
//   LinearRegression   p = (w₁…w_D, b)          output Xw + b            (N,)   predictions
//   LogisticRegression p = (w₁…w_D, b)          output Xw + b            (N,)   logits; predict →
//   P(y = 1) SoftmaxRegression  p = (W row-major D×K, b) output XW + b            (N, K) logits;
//   predict → class probabilities
//
//   slope::models::LinearRegression m(1);
//   slope::Tensor out = m.output(p, X);   // inside a loss recorded on the tape

#include <autodiff/autodiff.hpp>
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
  std::unique_ptr<Model> clone() const override {
    return std::make_unique<SoftmaxRegression>(*this);
  }

 private:
  std::size_t d_, k_;
};

}  // namespace slope::models
