// SPDX-License-Identifier: MIT
#pragma once

// Line searches along a descent direction d from x, shared by the second-order optimizers. Every
// trial is evaluated through the Tracker (so it is counted) with value_and_grad, and the accepted
// point is left in the caller's buffers, so its value and gradient are never recomputed.
//
//   std::optional<double> a = backtrack(t, x, fx, d, slope, {c1, 0.5, 60}, xt, ft, gt);
//   if (!a) { t.stop(StopReason::line_search_failed); return t.finish(); }

#include <cstddef>
#include <slope/optim/objective.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tracker.hpp"

namespace slope::optim::detail {

struct Backtracking {
  double c1;                   // sufficient decrease
  double shrink;               // α ← α·shrink after a rejected trial
  std::size_t max_backtracks;  // at most max_backtracks + 1 trials
};

/// Throws unless 0 < c1 < 1 and 0 < shrink < 1, naming them as the options c1 and backtrack.
void validate(const Backtracking& o, const std::string& who);

/// Armijo backtracking from α = 1 until f(x + αd) ≤ f(x) + c₁·α·slope, where slope = ∇f(x)ᵀd < 0.
/// A non-finite trial value counts as a step too long. On success returns α, with x + αd in xt,
/// its value in ft and its gradient in gt; nullopt when no trial was acceptable.
std::optional<double> backtrack(Tracker& t, Span x, double fx, Span d, double slope,
                                const Backtracking& o, MutSpan xt, double& ft, MutSpan gt);

/// One globalised (Newton or Newton-CG) step: Armijo backtracking along d, or along −g when d is
/// not a descent direction (rounding in an ill-conditioned solve). On success x, fx and g move to
/// the accepted point (xt and gt are scratch) and α is returned; nullopt when no step was taken.
std::optional<double> descend(Tracker& t, std::vector<double>& x, double& fx,
                              std::vector<double>& g, std::vector<double>& d, const Backtracking& o,
                              std::vector<double>& xt, std::vector<double>& gt);

/// A line search for the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6):
/// extrapolate until a step brackets an acceptable one, then zoom in with safeguarded cubic
/// interpolation. Holds the scratch it needs, so one instance serves a whole run.
class StrongWolfe {
 public:
  StrongWolfe(std::size_t dimension, double c1, double c2, std::size_t max_evaluations);

  /// Searches from x (value fx, slope = ∇f(x)ᵀd < 0) starting with the trial step alpha. Returns
  /// the accepted α with the point, value and gradient in xt, ft, gt, as backtrack does. When the
  /// evaluation budget runs out it settles for the best step with sufficient decrease found, if
  /// any.
  std::optional<double> search(Tracker& t, Span x, double fx, Span d, double slope, double alpha,
                               MutSpan xt, double& ft, MutSpan gt);

 private:
  double c1_, c2_;
  std::size_t max_evaluations_;
  std::vector<double>
      g_lo_;  // gradient at the best step so far, to return it without a re-evaluation
};

}  // namespace slope::optim::detail
