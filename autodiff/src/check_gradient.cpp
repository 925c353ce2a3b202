// SPDX-License-Identifier: MIT
// check_gradient's finite differences: one stencil per coordinate, read three ways (central,
// one-sided from above and from below) so that a kink at x shows as the two sides disagreeing.

#include "check_rules.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace slope::detail {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Each value of f is taken to be off by a few ulps of the largest value of the stencil: a loss
// is a sum, and every term of it rounds.
constexpr double kNoise = 4 * kEps;

// f(x + k·h·e_i) for k = −4..4.
struct Stencil {
  double h;
  std::array<double, 9> f;
  double operator()(int k) const { return f[static_cast<std::size_t>(k + 4)]; }
  double largest() const {
    double m = 0;
    for (double v : f) m = std::max(m, std::fabs(v));
    return m;
  }
};

// Boost.Math's choice for a sixth-order difference, rounded so that x + h is a double (a
// step below x's spacing would be no step at all: then the next double up).
double step_at(double x, double h0) {
  double h = (x + h0) - x;
  if (h == 0) h = std::nextafter(x, std::numeric_limits<double>::infinity()) - x;
  return h;
}

struct Differences {
  Estimate central;  // sixth order
  Estimate left, right;
  double jump;  // δ⁶f/6h: the jump of f' at a kink at x, O(h⁵) where f is smooth
  double jump_noise;
};

Differences differences(const Stencil& s, double x) {
  const double h = s.h;
  const double noise = kNoise * s.largest();
  // Where x + kh itself rounds, f moves by f'·ulp(x)/2: relative error ε(|x| + 4h)/h.
  const double moved = kEps * (std::fabs(x) + 4 * h) / h;
  auto estimate = [&](double value, double truncation, double coefficients) {
    return Estimate{value, truncation + noise * coefficients / h + std::fabs(value) * moved};
  };
  const double y1 = s(1) - s(-1), y2 = s(2) - s(-2), y3 = s(3) - s(-3), y4 = s(4) - s(-4);
  // Error h⁶f⁽⁷⁾/140, with h⁷f⁽⁷⁾ from the mean of two seventh differences.
  const double y7 = (y4 - 6 * y3 + 14 * y2 - 14 * y1) / 2;
  Differences d;
  d.central = estimate((45 * y1 - 9 * y2 + y3) / (60 * h), std::fabs(y7) / (140 * h), 110.0 / 60);
  // Third order from one side; the gap to second order over-estimates its truncation.
  const double r3 = (-11 * s(0) + 18 * s(1) - 9 * s(2) + 2 * s(3)) / (6 * h);
  const double r2 = (-3 * s(0) + 4 * s(1) - s(2)) / (2 * h);
  const double l3 = (11 * s(0) - 18 * s(-1) + 9 * s(-2) - 2 * s(-3)) / (6 * h);
  const double l2 = (3 * s(0) - 4 * s(-1) + s(-2)) / (2 * h);
  d.right = estimate(r3, std::fabs(r3 - r2), 40.0 / 6);
  d.left = estimate(l3, std::fabs(l3 - l2), 40.0 / 6);
  // The sixth difference vanishes on polynomials of degree 5 and is 6h·(f'(x⁺) − f'(x⁻)) on a
  // kink at x: unlike right − left (h³f⁽⁴⁾/2 where f is smooth), it does not mistake a large
  // fourth derivative for a kink.
  d.jump = (s(3) - 6 * s(2) + 15 * s(1) - 20 * s(0) + 15 * s(-1) - 6 * s(-2) + s(-3)) / (6 * h);
  d.jump_noise = noise * 64 / (6 * h);
  return d;
}

bool is_smooth(const Differences& d, const CheckOptions& opt) {
  const double scale = std::max(std::fabs(d.left.value), std::fabs(d.right.value));
  // A NaN jump is no evidence of a kink: the row fails on its NaN instead.
  return !(std::fabs(d.jump) > opt.atol + opt.rtol * scale + d.central.error + d.jump_noise);
}

// At a kink AD is a one-sided derivative or, at a tie, the central one (abs'(0) = 0): it passes
// against whichever it is closest to; an analytic gradient must equal AD.
Scored score_kink(std::size_t i, double ad, const double* analytic, const Differences& d,
                  double step, const CheckOptions& opt) {
  Verdict best = compare(ad, d.left, opt);
  double matched = d.left.value;
  for (const Estimate& e : {d.right, d.central}) {
    const Verdict v = compare(ad, e, opt);
    if (v.badness < best.badness) {
      best = v;
      matched = e.value;
    }
  }
  double scale = std::max(std::fabs(ad), std::fabs(matched));
  if (analytic != nullptr) {
    const Verdict v = compare(*analytic, {ad, 0}, opt);
    best.abs_error = max_keep_nan(best.abs_error, v.abs_error);
    best.badness = std::max(best.badness, v.badness);
    scale = std::max(scale, std::fabs(*analytic));
  }
  CheckRow row{i,
               ad,
               analytic != nullptr ? std::optional<double>(*analytic) : std::nullopt,
               d.central.value,
               best.abs_error,
               scale > 0 ? best.abs_error / scale : best.abs_error,
               best.badness <= 1};
  row.fd_error = d.central.error;
  row.step = step;
  row.smooth = false;
  row.fd_unreliable = best.unreliable;
  return {row, best.badness};
}

// One coordinate's row. The automatic step is widened 4× at a time, up to 256×, while the
// difference is meaningless: around a small slope, a large f drowns a narrow difference in
// rounding (ε|f|/h) that a wider one shrinks. A step the user gave is kept.
Scored check_coordinate(const ValueFn& f, std::vector<double>& at, double f0, std::size_t i,
                        double ad, const double* analytic, const CheckOptions& opt) {
  const double xi = at[i];
  const bool automatic = opt.step == 0;
  // (ε/168)^(1/7) balances the sixth-order truncation against rounding (Boost.Math's step).
  double h0 = automatic ? std::pow(kEps / 168, 1.0 / 7) : opt.step;
  for (int widened = 0;; ++widened, h0 *= 4) {
    Stencil s{step_at(xi, h0), {}};
    for (int k = -4; k <= 4; ++k) {
      at[i] = xi + k * s.h;
      s.f[static_cast<std::size_t>(k + 4)] = k == 0 ? f0 : f(at);
    }
    at[i] = xi;
    const Differences d = differences(s, xi);
    Scored row = is_smooth(d, opt) ? score_smooth(i, ad, analytic, d.central, s.h, opt)
                                   : score_kink(i, ad, analytic, d, s.h, opt);
    row.row.left = d.left.value;
    row.row.right = d.right.value;
    if (!row.row.fd_unreliable || !automatic || widened == 4) return row;
  }
}

}  // namespace

CheckReport compare_gradient(const ValueFn& f, std::span<const double> x,
                             const xt::xarray<double>& ad, const xt::xarray<double>* analytic,
                             const CheckOptions& opt) {
  check_options(opt, "check_gradient");
  if (analytic != nullptr && analytic->size() != x.size())
    throw Error("slope::check_gradient: the analytic gradient has " +
                std::to_string(analytic->size()) + " entries, x has " + std::to_string(x.size()));
  std::vector<double> at(x.begin(), x.end());
  const double f0 = x.empty() ? 0.0 : f(at);
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double* an = analytic != nullptr ? &analytic->flat(i) : nullptr;
    scored.push_back(check_coordinate(f, at, f0, i, ad.flat(i), an, opt));
  }
  return finish(std::move(scored), "gradient", opt);
}

}  // namespace slope::detail
