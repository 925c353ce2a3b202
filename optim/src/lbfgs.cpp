// SPDX-License-Identifier: MIT
#include <slope/optim/lbfgs.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "line_search.hpp"
#include "tracker.hpp"
#include "vec.hpp"

namespace slope::optim {

namespace {

// The last `capacity` curvature pairs, oldest first when iterated through at(0 … size−1).
// Storage grows with the pairs actually seen, so a huge `memory` costs nothing up front.
class Pairs {
 public:
  explicit Pairs(std::size_t capacity) : capacity_(capacity) {}

  std::size_t size() const { return s_.size(); }
  void clear() {
    s_.clear();
    y_.clear();
    rho_.clear();
    head_ = 0;
  }
  void push(Span s, Span y, double sy) {
    if (s_.size() < capacity_) {
      s_.emplace_back(s.begin(), s.end());
      y_.emplace_back(y.begin(), y.end());
      rho_.push_back(1.0 / sy);
      return;
    }
    std::copy(s.begin(), s.end(), s_[head_].begin());
    std::copy(y.begin(), y.end(), y_[head_].begin());
    rho_[head_] = 1.0 / sy;
    head_ = (head_ + 1) % capacity_;
  }
  // i-th oldest pair
  std::size_t slot(std::size_t i) const { return (head_ + i) % s_.size(); }
  const std::vector<double>& s(std::size_t i) const { return s_[slot(i)]; }
  const std::vector<double>& y(std::size_t i) const { return y_[slot(i)]; }
  double rho(std::size_t i) const { return rho_[slot(i)]; }

 private:
  std::size_t capacity_;
  std::size_t head_ = 0;  // slot of the oldest pair once the buffer is full
  std::vector<std::vector<double>> s_, y_;
  std::vector<double> rho_;
};

// d = −H·g by the two-loop recursion, H the L-BFGS inverse-Hessian approximation seeded with
// γI, γ = sᵀy/yᵀy of the newest pair (its curvature along the latest step, so that α = 1 is
// usually accepted). `alpha` is scratch of length pairs.size().
void direction(const Pairs& pairs, Span g, MutSpan d, std::vector<double>& alpha) {
  std::copy(g.begin(), g.end(), d.begin());
  const std::size_t m = pairs.size();
  alpha.resize(m);
  for (std::size_t i = m; i-- > 0;) {
    alpha[i] = pairs.rho(i) * vec::dot(pairs.s(i), d);
    vec::axpy(-alpha[i], pairs.y(i), d);
  }
  if (m > 0) {
    const auto& y = pairs.y(m - 1);
    const double gamma = 1.0 / (pairs.rho(m - 1) * vec::dot(y, y));
    for (double& v : d) v *= gamma;
  }
  for (std::size_t i = 0; i < m; ++i) {
    const double beta = pairs.rho(i) * vec::dot(pairs.y(i), d);
    vec::axpy(alpha[i] - beta, pairs.s(i), d);
  }
  for (double& v : d) v = -v;
}

}  // namespace

LBFGS::LBFGS(Options options) : o_(std::move(options)) {
  const std::string who = "LBFGS";
  if (o_.memory == 0) detail::fail(who, "memory must be >= 1, got 0");
  if (!(o_.c1 > 0.0 && o_.c1 < 1.0))
    detail::fail(who, "c1 must be in (0, 1), got " + core::number(o_.c1));
  if (!(o_.c2 > 0.0 && o_.c2 < 1.0))
    detail::fail(who, "c2 must be in (0, 1), got " + core::number(o_.c2));
  if (!(o_.c1 < o_.c2))
    detail::fail(
        who, "c1 must be < c2, got c1 = " + core::number(o_.c1) + ", c2 = " + core::number(o_.c2));
  if (o_.max_line_search == 0) detail::fail(who, "max_line_search must be >= 1, got 0");
  detail::validate(o_.stop, who);
}

Result LBFGS::minimize(Objective& f, Span x0, const Callbacks& callbacks) {
  detail::Tracker t("LBFGS", f, x0, o_.stop, callbacks);
  const std::size_t n = t.dimension();
  std::vector<double> x(x0.begin(), x0.end()), g(n), d(n), xt(n), gt(n), s(n), y(n), scratch;
  double fx = t.value_and_grad(x, g);
  if (t.observe(0, x, fx, g, 0.0)) return t.finish();

  Pairs pairs(o_.memory);
  detail::StrongWolfe wolfe(n, o_.c1, o_.c2, o_.max_line_search);
  for (std::size_t k = 1;; ++k) {
    direction(pairs, g, d, scratch);
    double slope = vec::dot(g, d);
    if (!(slope < 0.0) && pairs.size() > 0) {
      // Rounding in the recursion (or pairs from far away) can spoil the approximation; −g is
      // always a descent direction.
      pairs.clear();
      direction(pairs, g, d, scratch);
      slope = vec::dot(g, d);
    }
    if (!(slope < 0.0)) {  // ‖g‖² underflowed: there is no direction left to search
      t.stop(StopReason::line_search_failed);
      return t.finish();
    }
    // Without pairs the direction is −g, whose length says nothing about a good step: cap the
    // first trial at unit length in x.
    const double alpha = pairs.size() == 0 ? std::min(1.0, 1.0 / vec::norm(g)) : 1.0;
    double ft = 0.0;
    const std::optional<double> a = wolfe.search(t, x, fx, d, slope, alpha, xt, ft, gt);
    if (!a) {
      t.stop(StopReason::line_search_failed);
      return t.finish();
    }

    for (std::size_t i = 0; i < n; ++i) {
      s[i] = xt[i] - x[i];
      y[i] = gt[i] - g[i];
    }
    // A pair must carry positive curvature or the update loses positive definiteness; the relative
    // threshold also drops pairs whose sᵀy is rounding noise.
    const double sy = vec::dot(s, y);
    if (sy > 1e-10 * vec::norm(s) * vec::norm(y)) pairs.push(s, y, sy);

    std::swap(x, xt);
    std::swap(g, gt);
    fx = ft;
    if (t.observe(k, x, fx, g, *a)) return t.finish();
  }
}

}  // namespace slope::optim
