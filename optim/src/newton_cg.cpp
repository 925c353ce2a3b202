// SPDX-License-Identifier: MIT
#include <slope/optim/newton.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "line_search.hpp"
#include "tracker.hpp"
#include "vec.hpp"

namespace slope::optim {

NewtonCG::NewtonCG(Options options) : o_(std::move(options)) {
  const std::string who = "NewtonCG";
  // η ≥ 1 would accept the zero direction as a solve; the forcing term must be a fraction.
  if (!(o_.cg_tolerance >= 0.0 && o_.cg_tolerance < 1.0))
    detail::fail(who, "cg_tolerance must be in [0, 1), got " + core::number(o_.cg_tolerance));
  detail::validate(detail::Backtracking{o_.c1, o_.backtrack, o_.max_backtracks}, who);
  detail::validate(o_.stop, who);
}

Result NewtonCG::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("NewtonCG", f, x0, o_.stop, callbacks);
  if (!f.has_hvp()) detail::fail(t.who(), "the objective provides no Hessian-vector product");
  const std::size_t n = t.dimension();
  std::vector<double> x(x0.begin(), x0.end()), g(n), d(n), r(n), p(n), hp(n), xt(n), gt(n);
  double fx = t.value_and_grad(x, g);
  if (t.observe(0, x, fx, g, 0.0)) return t.finish();

  const std::size_t max_cg = o_.max_cg_iterations > 0 ? o_.max_cg_iterations : n;
  const detail::Backtracking search{o_.c1, o_.backtrack, o_.max_backtracks};
  for (std::size_t k = 1;; ++k) {
    // CG on H d = −g from d = 0, residual r = H d + g. The forcing term √‖g‖ loosens the solve
    // far from a minimiser, where an exact Newton step is wasted, and tightens it near one for
    // superlinear convergence.
    const double gnorm = vec::norm(g);
    const double eta = o_.cg_tolerance > 0.0 ? o_.cg_tolerance : std::min(0.5, std::sqrt(gnorm));
    std::fill(d.begin(), d.end(), 0.0);
    std::copy(g.begin(), g.end(), r.begin());
    for (std::size_t i = 0; i < n; ++i) p[i] = -g[i];
    double rr = gnorm * gnorm;
    for (std::size_t j = 0; j < max_cg; ++j) {
      t.hvp(x, p, hp);
      const double curvature = vec::dot(p, hp);
      // The quadratic model is meaningless with a non-finite H·p; like Newton, stop rather than
      // step on it.
      if (!std::isfinite(curvature) || !vec::finite(hp)) {
        t.stop(StopReason::diverged);
        return t.finish();
      }
      if (curvature <= 0.0) {
        // The model is unbounded along p. The iterate so far is still a descent direction
        // (every CG iterate from 0 is); on the first iteration there is none yet, so take −g.
        if (j == 0)
          for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
        break;
      }
      const double step = rr / curvature;
      vec::axpy(step, p, d);
      vec::axpy(step, hp, r);
      const double rr_next = vec::dot(r, r);
      if (std::sqrt(rr_next) <= eta * gnorm) break;
      const double beta = rr_next / rr;
      rr = rr_next;
      for (std::size_t i = 0; i < n; ++i) p[i] = -r[i] + beta * p[i];
    }

    const std::optional<double> a = detail::descend(t, x, fx, g, d, search, xt, gt);
    if (!a) {
      t.stop(StopReason::line_search_failed);
      return t.finish();
    }
    if (t.observe(k, x, fx, g, *a)) return t.finish();
  }
}

}  // namespace slope::optim
