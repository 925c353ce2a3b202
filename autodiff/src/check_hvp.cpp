// SPDX-License-Identifier: MIT
// check_hvp's finite differences: AD gradients at four points along v.

#include "check_rules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <slope/core/format.hpp>

namespace slope::detail {

CheckReport compare_hvp(const GradFn& g, std::span<const double> x, std::span<const double> v,
                        const xt::xarray<double>& ad, const CheckOptions& opt) {
  check_options(opt, "check_hvp");
  if (v.size() != x.size())
    throw Error("slope::check_hvp: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  double vmax = 0;
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (!std::isfinite(v[k]))
      throw Error("slope::check_hvp: v[" + std::to_string(k) + "] is " + core::number(v[k]));
    vmax = std::max(vmax, std::fabs(v[k]));
  }
  if (vmax == 0) throw Error("slope::check_hvp: v is zero");
  // Not scaled by |x|: a large coordinate must not push the stencil across another
  // coordinate's singularity. Divided by ‖v‖∞ so that the largest coordinate moves by the step.
  const double eps = std::numeric_limits<double>::epsilon();
  const double h = (opt.step > 0 ? opt.step : std::pow(eps, 0.2)) / vmax;
  std::vector<double> at(x.size());
  auto g_at = [&](double t) {
    for (std::size_t k = 0; k < x.size(); ++k) at[k] = x[k] + t * v[k];
    return g(at);
  };
  const auto g1 = g_at(h), gm1 = g_at(-h), g2 = g_at(2 * h), gm2 = g_at(-2 * h);
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double fd = (8 * (g1(i) - gm1(i)) - (g2(i) - gm2(i))) / (12 * h);
    // Error bound: rounding in the gradients amplified by 1/h, plus the gap to the
    // second-order difference, which over-estimates the fourth-order truncation error.
    const double scale =
        std::max({std::fabs(g1(i)), std::fabs(gm1(i)), std::fabs(g2(i)), std::fabs(gm2(i))});
    const double fd2 = (g1(i) - gm1(i)) / (2 * h);
    const double fd_err = 18 * eps * scale / (12 * h) + std::fabs(fd - fd2);
    scored.push_back(score_smooth(i, ad.flat(i), nullptr, {fd, fd_err}, h, opt));
  }
  return finish(std::move(scored), "hvp", opt);
}

}  // namespace slope::detail
