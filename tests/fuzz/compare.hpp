// SPDX-License-Identifier: MIT
#pragma once

// When Slope's number and the reference disagree enough to report.
//
// L is the long-double reference, D the same reference computed in double, S Slope's number, and
// scale the largest |L| of the vector S belongs to (the gradient, H·v, the Hessian). For each
// component:
//   - L not finite: a real singularity (or Boost threw at a pole): not compared ("singular").
//   - D not finite, or |D − L| > 1e-4·(|L| + 1e-2·scale): the double evaluation itself is far
//     from the reference, so double can't be judged here ("ill-conditioned", skipped).
//   - S not finite: a mismatch (Slope gives NaN/Inf where the function is smooth and finite),
//     except when some intermediate value of the program, or its derivative, is not finite (an
//     unguarded op off its domain or at a pole of its derivative, sqrt(0), even one the result
//     does not use): a tape sweeps every node, and 0·∞ = NaN reaches the gradient. Those are
//     counted as singular. (The oracle of the sum of all registers tells.)
//   - a mismatch that Slope's own numbers a few ulps away do not repeat (`again`), or whose error
//     Slope does not repeat 1e-4 away (`again_far`): rounding noise, counted as ill-conditioned.
//   - a gradient component within 64·ε of the sum of the |terms| a reverse sweep adds it up from
//     (`sums`): rounding of the sweep's order, a small difference of large terms that forward
//     mode, cancelling before it multiplies, never forms (atan2(x, x) under a huge adjoint: its
//     two shares ±ā/2x reach x one after the other). A wrong rule is off by a part of a term, not
//     by an ulp of the largest one.
//   - a mismatch against L but not against the reference in 50 digits (`exact`): L was off.
//   - otherwise a mismatch when |S − L| > rtol·|L| + 1e-9·scale + 64·|D − L| + 1e-12, with rtol =
//     1e-7 for values and gradients and 1e-5 for H·v and Hessians: second-order rules cancel
//     more, and the double oracle's own error underestimates a differently written rule's
//     (atan2(sin t, sin(sin t)) at t = 2e-5: Slope's H·v is 1e-6 off, Boost's double one 4e-9,
//     because Slope's atan2 rule has partials ~1/t that cancel and Boost's does not):
//     Slope may be as wrong as double rounding makes a careful evaluation, and a bit more. |D − L|
//     is one sample of that rounding: where it is amplified (atanh'(tanh(13)) turns one ulp of
//     tanh into 5e-6 relative), Slope's own forms of the same rules (tanh from exp(−2|a|)) round
//     differently, by a few dozen times that sample: hence 64.

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace fuzz {

struct Stats {
  long programs = 0, checks = 0, illcond = 0, singular = 0, errors = 0, mismatches = 0;
  void add(const Stats& o);
};

struct Mismatch {
  std::string tag;     // what disagreed, without numbers: "fresh grad", "replay stale", ...
  std::string detail;  // with numbers
};

/// Numbers computed only when a mismatch asks for them, once per vector compared.
template <class T>
class Lazy {
 public:
  Lazy& operator=(std::function<std::vector<T>()> get) {
    get_ = std::move(get);
    reset();
    return *this;
  }
  void reset() { done_ = false, values_.clear(); }
  /// Component i (i < 0: the one number of a scalar), or null when there is none.
  const T* at(int i) {
    if (!get_) return nullptr;
    if (!done_) done_ = true, values_ = get_();
    const std::size_t k = i < 0 ? 0 : static_cast<std::size_t>(i);
    return k < values_.size() ? &values_[k] : nullptr;
  }

 private:
  std::function<std::vector<T>()> get_;
  bool done_ = false;
  std::vector<T> values_;
};

class Comparer {
 public:
  explicit Comparer(Stats& stats, std::vector<Mismatch>& out) : stats_(stats), out_(out) {}
  /// Whether a NaN/Inf from Slope is excused (see above); asked only when one turns up.
  std::function<bool()> nan_ok;
  /// Slope's same numbers at a point a few ulps from x (empty if it could not give them); asked
  /// only on a mismatch. When they move by a quarter of the discrepancy, Slope's number is
  /// rounding noise of an ill-conditioned sweep (a cancellation the oracle's forward mode does not
  /// make, cos of a huge argument), not a wrong rule, which gives the same error a few ulps away.
  Lazy<double> again;
  /// Slope's errors against the reference at a point 1e-4 away, relative, with the same branches
  /// (empty otherwise); asked only on a mismatch that `again` does not explain. Rounding that a
  /// few ulps leave in place (a term of 1e-11 added to an adjoint of 0.5 and the 0.5 taken off
  /// again later) lands elsewhere there; a wrong rule repeats its error.
  Lazy<long double> again_far;
  /// The reference in 50 digits (same layout as the vector compared); asked only on a mismatch
  /// that is not noise. When Slope is within tolerance of it, the long-double reference was the
  /// one off (forward mode cancelling), counted as ill-conditioned.
  Lazy<long double> exact;
  /// For a gradient: the sums of |terms| its components were accumulated from (empty for
  /// anything else); asked only on a mismatch.
  Lazy<long double> sums;
  long double rtol = 1e-7L;
  /// One number; `what` names it ("fresh value"), i its index (-1 for a scalar).
  void number(const std::string& what, int i, double s, long double l, long double d,
              long double scale);
  /// A vector against its references.
  void vector(const std::string& what, std::span<const double> s, std::span<const long double> l,
              std::span<const long double> d);
  void fail(const std::string& tag, const std::string& detail);
  /// Drops the lazy numbers of the last vector.
  void next() { again.reset(), again_far.reset(), exact.reset(), sums.reset(); }

 private:
  Stats& stats_;
  std::vector<Mismatch>& out_;
  bool noise(int i, double s, long double l);
  bool reference_off(int i, double s, long double d, long double scale);
  bool far(int i, double s, long double l);
  bool swept(int i, double s, long double l);
};

}  // namespace fuzz
