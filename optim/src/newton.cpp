// SPDX-License-Identifier: MIT
#include <slope/optim/newton.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "line_search.hpp"
#include "tracker.hpp"
#include "vec.hpp"

namespace slope::optim {

namespace {

// Lower-triangular L with LLᵀ = H + μI (row-major n×n); false when H + μI is not numerically
// positive definite. A pivot must clear n·ε times the largest diagonal entry, not just zero: a
// rounding-level pivot of a singular H would otherwise yield a direction dominated by noise.
bool cholesky(Span h, double mu, std::size_t n, MutSpan l) {
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(h[i * n + i] + mu));
  const double floor = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * scale;
  std::fill(l.begin(), l.end(), 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double pivot = h[j * n + j] + mu;
    for (std::size_t k = 0; k < j; ++k) pivot -= l[j * n + k] * l[j * n + k];
    if (!(pivot > floor)) return false;
    const double ljj = std::sqrt(pivot);
    l[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double v = h[i * n + j];
      for (std::size_t k = 0; k < j; ++k) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / ljj;
    }
  }
  return true;
}

// d = −(LLᵀ)⁻¹g by forward then back substitution.
void solve(Span l, Span g, std::size_t n, MutSpan d) {
  for (std::size_t i = 0; i < n; ++i) {
    double v = -g[i];
    for (std::size_t k = 0; k < i; ++k) v -= l[i * n + k] * d[k];
    d[i] = v / l[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    double v = d[i];
    for (std::size_t k = i + 1; k < n; ++k) v -= l[k * n + i] * d[k];
    d[i] = v / l[i * n + i];
  }
}

}  // namespace

Newton::Newton(Options options) : o_(std::move(options)) {
  const std::string who = "Newton";
  if (!(o_.damping > 0.0 && std::isfinite(o_.damping)))
    detail::fail(who, "damping must be > 0 and finite, got " + core::number(o_.damping));
  detail::validate(detail::Backtracking{o_.c1, o_.backtrack, o_.max_backtracks}, who);
  detail::validate(o_.stop, who);
}

Result Newton::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("Newton", f, x0, o_.stop, callbacks);
  const std::size_t n = t.dimension();
  std::vector<double> x(x0.begin(), x0.end()), g(n), d(n), xt(n), gt(n), h(n * n), l(n * n);

  // Without HVPs only an overridden hessian() can work. Trying it at x0 (the Hessian the first
  // iteration needs anyway) turns the failure into an error that names Newton before any work.
  bool have_h = false;
  if (!f.has_hvp()) {
    try {
      t.hessian(x, h);
      have_h = true;
    } catch (const Error& e) {
      detail::fail(t.who(),
                   "the objective provides no Hessian-vector product (has_hvp() is false) and "
                   "its hessian() failed: " +
                       std::string(e.what()));
    }
  }

  double fx = t.value_and_grad(x, g);
  if (t.observe(0, x, fx, g, 0.0)) return t.finish();

  const detail::Backtracking search{o_.c1, o_.backtrack, o_.max_backtracks};
  for (std::size_t k = 1;; ++k) {
    if (!have_h) t.hessian(x, h);
    have_h = false;
    // Damping cannot repair a non-finite H, and a Newton step from it would be meaningless.
    if (!vec::finite(h)) {
      t.stop(StopReason::diverged);
      return t.finish();
    }
    bool factored = cholesky(h, 0.0, n, l);
    // Levenberg: H + μI is positive definite once μ exceeds −λ_min(H), which the ×10 ladder
    // reaches in a few steps; μ → ∞ would only mean H is too large to represent.
    for (double mu = o_.damping; !factored && std::isfinite(mu); mu *= 10.0)
      factored = cholesky(h, mu, n, l);
    if (factored) {
      solve(l, g, n, d);
    } else {
      for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
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
