// SPDX-License-Identifier: MIT
// The mismatch rule of compare.hpp.

#include <algorithm>
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
  const long double tol = rtol * std::fabs(l) + 1e-9L * scale + 16 * cond + 1e-12L;
  if (std::isfinite(s) && std::fabs(s - l) <= tol) return;
  if (!std::isfinite(s) && nan_ok && nan_ok()) {
    ++stats_.singular;
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s%s: slope %.17g, oracle %.17Lg (double oracle %.17Lg, tol %.3Lg)", what.c_str(),
                i < 0 ? "" : ("[" + std::to_string(i) + "]").c_str(), s, l, d, tol);
  fail(what, buf);
}

void Comparer::vector(const std::string& what, std::span<const double> s,
                      std::span<const long double> l, std::span<const long double> d) {
  long double scale = 0;
  for (long double x : l)
    if (std::isfinite(x)) scale = std::max(scale, std::fabs(x));
  for (std::size_t i = 0; i < s.size() && i < l.size(); ++i)
    number(what, static_cast<int>(i), s[i], l[i], d[i], scale);
}

void Comparer::fail(const std::string& tag, const std::string& detail) {
  ++stats_.mismatches;
  out_.push_back({tag, detail});
}

}  // namespace fuzz
