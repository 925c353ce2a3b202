// SPDX-License-Identifier: MIT
// The rules every derivative check applies to a pair of values, and the report they make
// (check_gradient.cpp and check_hvp.cpp compute the finite differences, check_report.cpp prints).

#include "check_rules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <slope/core/format.hpp>

namespace slope::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

double max_keep_nan(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  return std::max(a, b);
}

Verdict compare(double a, Estimate b, const CheckOptions& opt) {
  const double diff = std::fabs(a - b.value);
  const double scale = std::max(std::fabs(a), std::fabs(b.value));
  Verdict v{diff, 0, false};
  // Nothing confirms a NaN or an infinite slope, not even an equal infinity.
  if (!std::isfinite(a) || !std::isfinite(b.value) || std::isnan(b.error)) {
    v.badness = kInf;
    return v;
  }
  const double tol = opt.atol + opt.rtol * scale + b.error;
  // An error bound as large as the values may not excuse a disagreement: with it the difference
  // would "agree" with anything. (Values that agree within atol + rtol need no excuse.)
  v.unreliable = b.error > opt.atol && b.error >= scale && diff > opt.atol + opt.rtol * scale;
  if (v.unreliable) {
    v.badness = kInf;
    return v;
  }
  v.badness = tol > 0 ? diff / tol : (diff > 0 ? kInf : 0);
  // However loose the tolerance, a value off by all of itself (or of the wrong sign) is wrong.
  if (diff >= scale && scale > opt.atol) v.badness = std::max(v.badness, 1 + diff / scale);
  return v;
}

Scored score_smooth(std::size_t i, double ad, const double* analytic, Estimate fd, double step,
                    const CheckOptions& opt) {
  Verdict worst = compare(ad, fd, opt);
  double scale = std::max(std::fabs(ad), std::fabs(fd.value));
  if (analytic != nullptr) {
    for (const Verdict& v : {compare(*analytic, {ad, 0}, opt), compare(*analytic, fd, opt)}) {
      worst.abs_error = max_keep_nan(worst.abs_error, v.abs_error);
      worst.badness = std::max(worst.badness, v.badness);
      worst.unreliable = worst.unreliable || v.unreliable;
    }
    scale = std::max(scale, std::fabs(*analytic));
  }
  CheckRow row{i,
               ad,
               analytic != nullptr ? std::optional<double>(*analytic) : std::nullopt,
               fd.value,
               worst.abs_error,
               scale > 0 ? worst.abs_error / scale : worst.abs_error,
               worst.badness <= 1};
  row.fd_error = fd.error;
  row.step = step;
  row.fd_unreliable = worst.unreliable;
  return {row, worst.badness};
}

CheckReport finish(std::vector<Scored> scored, std::string what, const CheckOptions& opt) {
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.badness > b.badness; });
  CheckReport r;
  r.what = std::move(what);
  r.options = opt;
  for (const Scored& s : scored) {
    r.ok = r.ok && s.row.ok;
    r.smooth = r.smooth && s.row.smooth;
    r.fd_unreliable = r.fd_unreliable || s.row.fd_unreliable;
    r.max_abs_error = max_keep_nan(r.max_abs_error, s.row.abs_error);
    r.max_rel_error = max_keep_nan(r.max_rel_error, s.row.rel_error);
    r.rows.push_back(s.row);
  }
  if (!r.rows.empty()) r.worst_index = r.rows.front().index;
  return r;
}

void check_options(const CheckOptions& opt, const char* call) {
  if (!(opt.rtol >= 0) || !(opt.atol >= 0))
    throw Error(std::string("slope::") + call + ": tolerances must be >= 0, got rtol " +
                core::number(opt.rtol) + ", atol " + core::number(opt.atol));
  if (!(opt.step >= 0) || std::isinf(opt.step))
    throw Error(std::string("slope::") + call +
                ": step must be finite and >= 0 (0 picks it), got step " + core::number(opt.step));
}

xt::xarray<double> to_xarray(std::span<const double> x) {
  xt::xarray<double> a = xt::xarray<double>::from_shape({x.size()});
  std::copy(x.begin(), x.end(), a.begin());
  return a;
}

}  // namespace slope::detail
