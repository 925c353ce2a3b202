// SPDX-License-Identifier: MIT
// The mismatch rule of compare.hpp.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "compare.hpp"

namespace fuzz {

void Stats::add(const Stats& o) {
  programs += o.programs, checks += o.checks, illcond += o.illcond, singular += o.singular;
  errors += o.errors, mismatches += o.mismatches;
}

void Comparer::number(const std::string& what, int i, double s, long double l, long double d,
                      long double scale) {
  ++stats_.checks;
  if (!std::isfinite(l)) {
    ++stats_.singular;
    return;
  }
  const long double cond = std::fabs(d - l);
  if (!std::isfinite(d) || cond > 1e-4L * (std::fabs(l) + 1e-2L * scale)) {
    ++stats_.illcond;
    return;
  }
  const long double tol = rtol * std::fabs(l) + 1e-9L * scale + 64 * cond + 1e-12L;
  if (std::isfinite(s) && std::fabs(s - l) <= tol) return;
  if (!std::isfinite(s) && nan_ok && nan_ok()) {
    ++stats_.singular;
    return;
  }
  if (swept(i, s, l) || noise(i, s, l) || far(i, s, l) || reference_off(i, s, d, scale)) {
    ++stats_.illcond;
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s%s: slope %.17g, oracle %.17Lg (double oracle %.17Lg, tol %.3Lg)", what.c_str(),
                i < 0 ? "" : ("[" + std::to_string(i) + "]").c_str(), s, l, d, tol);
  fail(what, buf);
}

bool Comparer::noise(int i, double s, long double l) {
  if (!std::isfinite(s)) return false;
  const double* near = again.at(i);
  if (near == nullptr) return false;
  const long double moved = std::fabs(static_cast<long double>(*near) - s);
  return !(moved < 0.25L * std::fabs(s - l));  // NaN a few ulps away: noise too
}

bool Comparer::far(int i, double s, long double l) {
  if (!std::isfinite(s)) return false;
  const long double* error_there = again_far.at(i);
  if (error_there == nullptr || !std::isfinite(*error_there)) return false;
  const long double error = s - l;
  return !(std::fabs(*error_there - error) < 0.5L * std::fabs(error));
}

bool Comparer::swept(int i, double s, long double l) {
  if (!std::isfinite(s)) return false;
  const long double* sum = sums.at(i);
  return sum != nullptr && std::fabs(s - l) <= 64 * DBL_EPSILON * *sum;
}

bool Comparer::reference_off(int i, double s, long double d, long double scale) {
  if (!std::isfinite(s)) return false;
  const long double* exact_value = exact.at(i);
  if (exact_value == nullptr || !std::isfinite(*exact_value)) return false;
  const long double e = *exact_value;
  const long double tol = rtol * std::fabs(e) + 1e-9L * scale + 64 * std::fabs(d - e) + 1e-12L;
  return std::fabs(s - e) <= tol;
}

void Comparer::vector(const std::string& what, std::span<const double> s,
                      std::span<const long double> l, std::span<const long double> d) {
  long double scale = 0;
  for (long double x : l)
    if (std::isfinite(x)) scale = std::max(scale, std::fabs(x));
  next();
  for (std::size_t i = 0; i < s.size() && i < l.size(); ++i)
    number(what, static_cast<int>(i), s[i], l[i], d[i], scale);
}

void Comparer::fail(const std::string& tag, const std::string& detail) {
  ++stats_.mismatches;
  out_.push_back({tag, detail});
}

}  // namespace fuzz
