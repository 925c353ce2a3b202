// SPDX-License-Identifier: MIT
#pragma once

// Limited-memory BFGS: the two-loop recursion over the last `memory` pairs (s, y) gives the
// direction, a line search satisfying the strong Wolfe conditions
//   f(x + αd) ≤ f(x) + c₁·α·∇f(x)ᵀd,   |∇f(x + αd)ᵀd| ≤ c₂·|∇f(x)ᵀd|
// gives the step (pairs with sᵀy ≤ 1e-10·‖s‖‖y‖ are skipped: they carry no curvature). When
// max_line_search runs out, the best step meeting the first (sufficient-decrease) condition is
// taken; without one the run stops with line_search_failed.
//   LBFGS lbfgs({.memory = 10});
// (runs as examples/optimizers.cpp)

#include <slope/optim/optimizer.hpp>

namespace slope::optim {

class LBFGS : public Optimizer {
 public:
  struct Options {
    std::size_t memory = 10;           ///< pairs kept, ≥ 1
    double c1 = 1e-4;                  ///< sufficient decrease, 0 < c1 < c2 < 1
    double c2 = 0.9;                   ///< curvature
    std::size_t max_line_search = 40;  ///< evaluations per line search, ≥ 1
    Stop stop = {};
  };
  LBFGS() : LBFGS(Options{}) {}
  explicit LBFGS(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

}  // namespace slope::optim
