// SPDX-License-Identifier: MIT
#include "line_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "vec.hpp"

namespace slope::optim::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// φ(α) = f(x + αd) and φ'(α) = ∇f(x + αd)ᵀd at one step α.
struct Sample {
  double a = 0.0;
  double f = 0.0;
  double d = 0.0;
  bool finite = true;
};

// Minimiser of the cubic matching value and slope at p and q (N&W eq. 3.59); NaN when the cubic
// has no minimiser.
double cubic(const Sample& p, const Sample& q) {
  const double d1 = p.d + q.d - 3.0 * (p.f - q.f) / (p.a - q.a);
  const double disc = d1 * d1 - p.d * q.d;
  if (!(disc >= 0.0)) return kNaN;
  const double d2 = std::copysign(std::sqrt(disc), q.a - p.a);
  return q.a - (q.a - p.a) * (q.d + d2 - d1) / (q.d - p.d + 2.0 * d2);
}

// Minimiser of the quadratic matching value and slope at p and the value at q; NaN when it is not
// convex.
double quadratic(const Sample& p, const Sample& q) {
  const double h = q.a - p.a;
  const double excess = q.f - p.f - p.d * h;
  if (!(excess > 0.0)) return kNaN;
  return p.a - p.d * h * h / (2.0 * excess);
}

// A trial inside the bracket. Interpolants can land arbitrarily close to an end, where the bracket
// would barely shrink; keeping a tenth of the width clear of both ends shrinks it by at least that
// much per trial, so the zoom cannot stall.
double interpolate(const Sample& lo, const Sample& hi) {
  const double a = std::min(lo.a, hi.a), b = std::max(lo.a, hi.a), margin = 0.1 * (b - a);
  double c = kNaN;
  if (hi.finite) {  // a non-finite end carries no shape information: bisect
    c = cubic(lo, hi);
    if (!std::isfinite(c)) c = quadratic(lo, hi);
  }
  if (!(c >= a + margin && c <= b - margin)) c = 0.5 * (a + b);
  return c;
}

// The next trial while f is still decreasing at cur: the cubic's guess, but at least 1.1× and at
// most 4× the last increment further out (the Moré–Thuente bounds), so the search neither creeps
// nor leaps.
double extrapolate(const Sample& prev, const Sample& cur) {
  const double w = cur.a - prev.a;
  const double c = cubic(prev, cur);
  return std::isfinite(c) ? std::clamp(c, cur.a + 1.1 * w, cur.a + 4.0 * w) : cur.a + 4.0 * w;
}

bool same(Span a, Span b) { return std::equal(a.begin(), a.end(), b.begin()); }

}  // namespace

std::optional<double> backtrack(Tracker& t, Span x, double fx, Span d, double slope,
                                const Backtracking& o, MutSpan xt, double& ft, MutSpan gt) {
  double a = 1.0;
  for (std::size_t j = 0;; ++j) {
    vec::step(x, a, d, xt);
    // Once the step no longer moves x, every smaller one is the same point: accepting it would
    // stall the run without progress, so the search has failed.
    if (same(x, xt)) return std::nullopt;
    ft = t.value_and_grad(xt, gt);
    if (std::isfinite(ft) && ft <= fx + o.c1 * a * slope) return a;
    if (j >= o.max_backtracks) return std::nullopt;
    a *= o.shrink;
  }
}

StrongWolfe::StrongWolfe(std::size_t dimension, double c1, double c2, std::size_t max_evaluations)
    : c1_(c1), c2_(c2), max_evaluations_(max_evaluations), g_lo_(dimension) {}

std::optional<double> StrongWolfe::search(Tracker& t, Span x, double fx, Span d, double slope,
                                          double alpha, MutSpan xt, double& ft, MutSpan gt) {
  const double decrease = c1_ * slope;    // Armijo: f(x + αd) ≤ fx + α·decrease
  const double curvature = -c2_ * slope;  // strong Wolfe: |φ'(α)| ≤ curvature
  std::size_t evaluations = 0;

  // Evaluates step a into xt, gt; nullopt when the step does not move x (see backtrack).
  auto sample = [&](double a) -> std::optional<Sample> {
    vec::step(x, a, d, xt);
    if (same(x, xt)) return std::nullopt;
    ++evaluations;
    Sample s;
    s.a = a;
    s.f = t.value_and_grad(xt, gt);
    s.d = vec::dot(gt, d);
    s.finite = std::isfinite(s.f) && std::isfinite(s.d) && vec::finite(gt);
    return s;
  };
  // N&W's test for the upper end of a bracket; a non-finite trial is a step too long. The
  // comparison with lo is strict: near convergence f is flat to rounding, and a tie with lo
  // usually still has a gradient worth accepting.
  auto too_long = [&](const Sample& s, const Sample& lo) {
    return !s.finite || s.f > fx + s.a * decrease || s.f > lo.f;
  };
  auto keep = [&](const Sample& s, Sample& lo) {
    lo = s;
    std::copy(gt.begin(), gt.end(), g_lo_.begin());
  };
  auto accept = [&](const Sample& s) {
    ft = s.f;
    return s.a;
  };
  // Out of budget: a step with sufficient decrease still makes progress (its pair may fail the
  // curvature test and then just is not stored), which beats ending the run.
  auto settle = [&](const Sample& lo) -> std::optional<double> {
    if (lo.a == 0.0) return std::nullopt;
    vec::step(x, lo.a, d, xt);
    std::copy(g_lo_.begin(), g_lo_.end(), gt.begin());
    ft = lo.f;
    return lo.a;
  };

  Sample lo{0.0, fx, slope, true}, hi;  // lo: the best step so far, always with sufficient decrease
  for (double a = alpha;;) {
    if (evaluations >= max_evaluations_) return settle(lo);
    const std::optional<Sample> s = sample(a);
    if (!s) return settle(lo);
    if (too_long(*s, lo)) {
      hi = *s;
      break;
    }
    if (std::abs(s->d) <= curvature) return accept(*s);
    if (s->d >= 0.0) {  // past a minimiser of φ: it lies between this step and lo
      hi = lo;
      keep(*s, lo);
      break;
    }
    a = extrapolate(lo, *s);
    keep(*s, lo);
  }

  while (evaluations < max_evaluations_) {
    const double a = interpolate(lo, hi);
    if (a == lo.a || a == hi.a) break;  // the bracket is below the resolution of α
    const std::optional<Sample> s = sample(a);
    if (!s) break;
    if (too_long(*s, lo)) {
      hi = *s;
      continue;
    }
    if (std::abs(s->d) <= curvature) return accept(*s);
    if (s->d * (hi.a - lo.a) >= 0.0) hi = lo;
    keep(*s, lo);
  }
  return settle(lo);
}

std::optional<double> descend(Tracker& t, std::vector<double>& x, double& fx,
                              std::vector<double>& g, std::vector<double>& d, const Backtracking& o,
                              std::vector<double>& xt, std::vector<double>& gt) {
  double slope = vec::dot(g, d);
  if (!(slope < 0.0)) {
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = -g[i];
    slope = -vec::dot(g, g);
  }
  if (!(slope < 0.0)) return std::nullopt;  // g = 0: nowhere to go
  double ft = 0.0;
  const std::optional<double> a = backtrack(t, x, fx, d, slope, o, xt, ft, gt);
  if (a) {
    std::swap(x, xt);
    std::swap(g, gt);
    fx = ft;
  }
  return a;
}

void validate(const Backtracking& o, const std::string& who) {
  if (!(o.c1 > 0.0 && o.c1 < 1.0)) fail(who, "c1 must be in (0, 1), got " + core::number(o.c1));
  if (!(o.shrink > 0.0 && o.shrink < 1.0))
    fail(who, "backtrack must be in (0, 1), got " + core::number(o.shrink));
}

}  // namespace slope::optim::detail
