// SPDX-License-Identifier: MIT
// The few checks the example programs make: each failed check prints what it expected and what
// it got, and main() returns examples::failures() (non-zero when any check failed).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace examples {

inline int& failure_count() {
  static int n = 0;
  return n;
}
inline int failures() { return failure_count() == 0 ? 0 : 1; }

/// |got − want| ≤ tol · max(1, |want|).
inline void near(const char* what, double got, double want, double tol = 1e-9) {
  if (std::abs(got - want) <= tol * std::max(1.0, std::abs(want))) return;
  std::fprintf(stderr, "FAILED %s: got %.17g, want %.17g (tolerance %g)\n", what, got, want, tol);
  ++failure_count();
}

inline void that(const char* what, bool ok) {
  if (ok) return;
  std::fprintf(stderr, "FAILED %s\n", what);
  ++failure_count();
}

}  // namespace examples
