// SPDX-License-Identifier: MIT
#include <slope/autodiff/check.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <vector>

#include <boost/math/differentiation/finite_difference.hpp>

namespace slope {

namespace {

// How far a pair (a, b) is outside its tolerance: ≤ 1 passes. `slack` widens the tolerance by
// the finite difference's own error bound.
double badness(double a, double b, double slack, const CheckOptions& opt, double& abs_err) {
  abs_err = std::fabs(a - b);
  const double tol = opt.atol + opt.rtol * std::max(std::fabs(a), std::fabs(b)) + slack;
  if (std::isnan(abs_err)) return std::numeric_limits<double>::infinity();
  return tol > 0 ? abs_err / tol : (abs_err > 0 ? std::numeric_limits<double>::infinity() : 0);
}

struct Scored {
  CheckRow row;
  double badness;
};

CheckReport finish(std::vector<Scored> scored, std::string what, const CheckOptions& opt) {
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.badness > b.badness; });
  CheckReport r;
  r.what = std::move(what);
  r.options = opt;
  for (const Scored& s : scored) {
    r.ok = r.ok && s.row.ok;
    r.max_abs_error = std::max(r.max_abs_error, s.row.abs_error);
    r.max_rel_error = std::max(r.max_rel_error, s.row.rel_error);
    r.rows.push_back(s.row);
  }
  if (!r.rows.empty()) r.worst_index = r.rows.front().index;
  return r;
}

Scored score(std::size_t i, double ad, const double* an, double fd, double fd_err,
             const CheckOptions& opt) {
  double e1 = 0, e2 = 0, e3 = 0;
  double bad = badness(ad, fd, fd_err, opt, e1);
  double scale = std::max(std::fabs(ad), std::fabs(fd));
  if (an != nullptr) {
    bad = std::max({bad, badness(*an, ad, 0, opt, e2), badness(*an, fd, fd_err, opt, e3)});
    scale = std::max(scale, std::fabs(*an));
  }
  const double abs_err = std::max({e1, e2, e3});
  const double rel_err = scale > 0 ? abs_err / scale : abs_err;
  CheckRow row{i,       ad,      an ? std::optional<double>(*an) : std::nullopt, fd, abs_err,
               rel_err, bad <= 1};
  return {row, bad};
}

}  // namespace

namespace detail {

xt::xarray<double> to_xarray(std::span<const double> x) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({x.size()});
  std::copy(x.begin(), x.end(), a.begin());
  return a;
}

CheckReport compare_gradient(const ValueFn& f, std::span<const double> x,
                             const xt::xarray<double>& ad, const xt::xarray<double>* analytic,
                             const CheckOptions& opt) {
  if (opt.rtol < 0 || opt.atol < 0)
    throw Error("slope::check_gradient: tolerances must be >= 0, got rtol " + core::number(opt.rtol) +
                ", atol " + core::number(opt.atol));
  if (analytic != nullptr && analytic->size() != x.size())
    throw Error("slope::check_gradient: the analytic gradient has " +
                std::to_string(analytic->size()) + " entries, x has " + std::to_string(x.size()));
  std::vector<double> at(x.begin(), x.end());
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto fi = [&](double t) {
      at[i] = t;
      return f(at);
    };
    double fd_err = 0;
    const double fd = boost::math::differentiation::finite_difference_derivative(fi, x[i], &fd_err);
    at[i] = x[i];
    scored.push_back(score(i, ad(i), analytic ? &(*analytic)(i) : nullptr, fd, fd_err, opt));
  }
  return finish(std::move(scored), "gradient", opt);
}

CheckReport compare_hvp(const GradFn& g, std::span<const double> x, std::span<const double> v,
                        const xt::xarray<double>& ad, const CheckOptions& opt) {
  if (v.size() != x.size())
    throw Error("slope::check_hvp: v has length " + std::to_string(v.size()) +
                " but x has length " + std::to_string(x.size()));
  double vmax = 0;
  for (double vi : v) vmax = std::max(vmax, std::fabs(vi));
  if (vmax == 0) throw Error("slope::check_hvp: v is zero");
  // Not scaled by |x|: a large coordinate must not push the stencil across another
  // coordinate's singularity.
  const double h = std::pow(std::numeric_limits<double>::epsilon(), 0.2) / vmax;
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
    const double fd_err =
        18 * std::numeric_limits<double>::epsilon() * scale / (12 * h) + std::fabs(fd - fd2);
    scored.push_back(score(i, ad(i), nullptr, fd, fd_err, opt));
  }
  return finish(std::move(scored), "hvp", opt);
}

}  // namespace detail

std::ostream& operator<<(std::ostream& os, const CheckReport& r) {
  const bool has_analytic = !r.rows.empty() && r.rows.front().analytic.has_value();
  std::ostringstream out;
  out << r.what << " check " << (r.ok ? "passed" : "FAILED") << ": worst coordinate "
      << r.worst_index << ", max abs error " << std::setprecision(3) << r.max_abs_error
      << ", max rel error " << r.max_rel_error << " (rtol " << r.options.rtol << ", atol "
      << r.options.atol << ")\n";
  out << std::setw(6) << "index" << std::setw(20) << "AD";
  if (has_analytic) out << std::setw(20) << "analytic";
  out << std::setw(20) << "finite diff" << std::setw(12) << "abs err" << std::setw(12) << "rel err"
      << "  ok\n";
  for (const CheckRow& row : r.rows) {
    out << std::setw(6) << row.index << std::setprecision(12) << std::setw(20) << row.ad;
    if (has_analytic) out << std::setw(20) << *row.analytic;
    out << std::setw(20) << row.fd << std::setprecision(3) << std::setw(12) << row.abs_error
        << std::setw(12) << row.rel_error << "  " << (row.ok ? "yes" : "NO") << "\n";
  }
  return os << out.str();
}

}  // namespace slope
