// SPDX-License-Identifier: MIT
#pragma once

// What an optimizer minimises. A hand-written objective overrides two functions:
//
//   using namespace slope::optim;
//   struct Quadratic : Objective {  // f(x) = x₀² + 4x₁²
//     std::size_t dimension() const override { return 2; }
//     double value_and_grad(Span x, MutSpan g, Batch) override {
//       g[0] = 2 * x[0];
//       g[1] = 8 * x[1];
//       return x[0] * x[0] + 4 * x[1] * x[1];
//     }
//   };
//
// Data-based objectives also report examples() and evaluate on a batch of example indices (an
// empty batch means every example). slope::as_objective (<slope/models/loss_objective.hpp>)
// adapts a Slope loss.
// (runs as examples/optimizers.cpp)

#include <cstddef>
#include <functional>
#include <slope/core/error.hpp>
#include <slope/core/hessian.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace slope::optim {

using Span = std::span<const double>;
using MutSpan = std::span<double>;
/// Example indices, each below examples(); empty = all examples.
using Batch = std::span<const std::size_t>;

class Objective {
 public:
  virtual ~Objective() = default;

  virtual std::size_t dimension() const = 0;
  /// Number of examples a batch may index; 0 when the objective is not a sum over data.
  virtual std::size_t examples() const { return 0; }

  /// f(x) on the batch and its gradient into g (length dimension()).
  virtual double value_and_grad(Span x, MutSpan g, Batch batch) = 0;
  /// f(x) on the batch. Default: value_and_grad into a scratch gradient.
  virtual double value(Span x, Batch batch) {
    scratch_.resize(dimension());
    return value_and_grad(x, scratch_, batch);
  }
  /// Hessian-vector product ∇²f(x)·v on the batch into hv. Default: throws (has_hvp() is false).
  virtual void hvp(Span, Span, MutSpan, Batch) {
    throw Error("slope::optim::Objective::hvp: this objective provides no Hessian-vector product");
  }
  virtual bool has_hvp() const { return false; }
  /// Dense Hessian, row-major n×n, into h. Default: n HVPs, symmetrised (HVPs agree with the
  /// symmetric Hessian only to rounding; a Cholesky factorisation wants it exactly symmetric).
  virtual void hessian(Span x, MutSpan h, Batch batch) {
    const std::size_t n = dimension();
    if (h.size() != n * n)
      throw Error("slope::optim::Objective::hessian: output has " + std::to_string(h.size()) +
                  " entries, need " + std::to_string(n * n));
    unit_.resize(n);
    column_.resize(n);
    core::hessian_from_hvps(n, h, unit_, column_,
                            [&](Span u, MutSpan col) { hvp(x, u, col, batch); });
  }

 private:
  std::vector<double> scratch_, unit_, column_;
};

/// An objective from callables, for objectives that are a few lines:
///   FunctionObjective f(2, [](Span x, MutSpan g) { ...; return fx; });
class FunctionObjective : public Objective {
 public:
  using ValueAndGrad = std::function<double(Span x, MutSpan g)>;
  using Hvp = std::function<void(Span x, Span v, MutSpan hv)>;
  FunctionObjective(std::size_t dimension, ValueAndGrad value_and_grad, Hvp hvp = {})
      : n_(dimension), fg_(std::move(value_and_grad)), hvp_(std::move(hvp)) {
    if (!fg_) throw Error("slope::optim::FunctionObjective: value_and_grad is empty");
  }

  std::size_t dimension() const override { return n_; }
  double value_and_grad(Span x, MutSpan g, Batch) override { return fg_(x, g); }
  void hvp(Span x, Span v, MutSpan hv, Batch batch) override {
    if (!hvp_) return Objective::hvp(x, v, hv, batch);  // throws: no HVP given
    hvp_(x, v, hv);
  }
  bool has_hvp() const override { return static_cast<bool>(hvp_); }

 private:
  std::size_t n_;
  ValueAndGrad fg_;
  Hvp hvp_;
};

}  // namespace slope::optim
