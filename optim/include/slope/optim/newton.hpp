// SPDX-License-Identifier: MIT
#pragma once

// Newton's method with a dense Hessian (Objective::hessian, by default from n HVPs): solve
// (H + μI)d = −g by Cholesky, with μ = 0 when H is positive definite and otherwise raised
// (Levenberg damping) from `damping` by ×10 until the factorisation succeeds; then Armijo
// backtracking from α = 1: f(x + αd) ≤ f(x) + c₁·α·gᵀd, α ← α·backtrack.
//   Newton newton;
//   Result r = newton.minimize(f, x0);
//
// Newton-CG (truncated Newton) never forms H: conjugate gradients on H d = −g using HVPs only,
// stopped when ‖r‖ ≤ η‖g‖ with η = min(0.5, √‖g‖) (superlinear), or cg_tolerance when given; on
// negative curvature (pᵀHp ≤ 0) CG returns the direction so far (−g on its first iteration).
// Armijo backtracking globalises it. The method for large dimensions.
//   NewtonCG ncg({.max_cg_iterations = 200});
//   Result r = ncg.minimize(f, x0);
// (runs as examples/optimizers.cpp)

#include <slope/optim/optimizer.hpp>

namespace slope::optim {

class Newton : public Optimizer {
 public:
  struct Options {
    double damping = 1e-8;            ///< first μ tried when H is not positive definite, > 0
    double c1 = 1e-4;                 ///< Armijo constant in (0, 1)
    double backtrack = 0.5;           ///< step shrink factor in (0, 1)
    std::size_t max_backtracks = 60;  ///< step halvings tried after α = 1
    Stop stop = {};
  };
  Newton() : Newton(Options{}) {}
  explicit Newton(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

class NewtonCG : public Optimizer {
 public:
  struct Options {
    std::size_t max_cg_iterations = 0;  ///< per outer iteration; 0: the dimension
    double cg_tolerance = 0.0;        ///< relative residual in [0, 1); 0: η = min(0.5, √‖g‖)
    double c1 = 1e-4;                 ///< Armijo constant in (0, 1)
    double backtrack = 0.5;           ///< step shrink factor in (0, 1)
    std::size_t max_backtracks = 60;  ///< step shrinks tried after α = 1
    Stop stop = {};
  };
  NewtonCG() : NewtonCG(Options{}) {}
  explicit NewtonCG(Options options);
  Result minimize(Objective& f, Span x0, const Callbacks& callbacks = {}) override;
  const Options& options() const { return o_; }

 private:
  Options o_;
};

}  // namespace slope::optim
