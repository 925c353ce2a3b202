// SPDX-License-Identifier: MIT
#pragma once

// When a derivative check's pair of values passes, shared by the gradient and HVP checks (the
// rules are stated in <slope/autodiff/check.hpp>).

#include <span>
#include <string>
#include <vector>

#include <slope/autodiff/check.hpp>

namespace slope::detail {

/// A finite difference and its own error bound.
struct Estimate {
  double value;
  double error;
};

/// One pair compared: how far outside its tolerance (≤ 1 passes; ∞ for NaN, ∞ or a meaningless
/// finite difference) and why.
struct Verdict {
  double abs_error;
  double badness;
  bool unreliable;  // the estimate's error bound is as large as the values compared
};

/// a against b: b's error bound widens the tolerance, but a NaN, an ∞, a meaningless b or a
/// relative error of 100 % never passes.
Verdict compare(double a, Estimate b, const CheckOptions& opt);

/// A row scored for sorting: badness as in Verdict, the worst pair's.
struct Scored {
  CheckRow row;
  double badness;
};

/// The row of a smooth coordinate: AD against the central difference and, when given, the
/// analytic value against AD and against the central difference.
Scored score_smooth(std::size_t i, double ad, const double* analytic, Estimate fd, double step,
                    const CheckOptions& opt);

/// The report: rows worst first, maxima that keep a NaN, ok only when every row is.
CheckReport finish(std::vector<Scored> scored, std::string what, const CheckOptions& opt);

/// Throws slope::Error naming `call` unless the tolerances are ≥ 0 and the step is finite, ≥ 0.
void check_options(const CheckOptions& opt, const char* call);

/// The larger of a and b, NaN when either is: a NaN error must not vanish into a maximum.
double max_keep_nan(double a, double b);

}  // namespace slope::detail
