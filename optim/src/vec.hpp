// SPDX-License-Identifier: MIT
#pragma once

// The few vector operations the optimizers need, on spans (dimensions are checked by callers).

#include <cmath>
#include <cstddef>
#include <slope/optim/objective.hpp>

namespace slope::optim::vec {

inline double dot(Span a, Span b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
inline double norm(Span a) { return std::sqrt(dot(a, a)); }
/// y ← y + a·x
inline void axpy(double a, Span x, MutSpan y) {
  for (std::size_t i = 0; i < x.size(); ++i) y[i] += a * x[i];
}
/// z ← x + a·d
inline void step(Span x, double a, Span d, MutSpan z) {
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = x[i] + a * d[i];
}
inline bool finite(Span a) {
  for (double v : a)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace slope::optim::vec
