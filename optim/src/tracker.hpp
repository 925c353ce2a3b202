// SPDX-License-Identifier: MIT
#pragma once

// The bookkeeping every optimizer shares: counted objective calls, the history, the stopping
// rules, callbacks, and the last finite iterate kept for a diverging run.
//
//   Tracker t("LBFGS", f, x0, o.stop, callbacks);
//   double fx = t.value_and_grad(x, g);
//   for (std::size_t k = 0; !t.observe(k, x, fx, g, step); ++k) { ...update x, fx, g... }
//   return t.finish();

#include <chrono>
#include <slope/core/format.hpp>
#include <slope/optim/objective.hpp>
#include <slope/optim/run.hpp>
#include <string>
#include <vector>

namespace slope::optim::detail {

[[noreturn]] void fail(const std::string& who, const std::string& what);
/// Throws unless the stopping rules are in range.
void validate(const Stop& s, const std::string& who);

class Tracker {
 public:
  /// Checks x0 (length and finiteness) against f.
  Tracker(std::string who, Objective& f, Span x0, const Stop& stop, const Callbacks& callbacks);

  double value(Span x, Batch batch = {});
  double value_and_grad(Span x, MutSpan g, Batch batch = {});
  void hvp(Span x, Span v, MutSpan hv, Batch batch = {});
  void hessian(Span x, MutSpan h);
  Objective& objective() { return f_; }
  std::size_t dimension() const { return n_; }
  const std::string& who() const { return who_; }

  /// Records iterate `iteration` (loss and gradient on all examples) and says whether to stop:
  /// a non-finite loss or gradient (diverged), the gradient or loss-change tolerance, the time or
  /// iteration budget, or a callback.
  bool observe(std::size_t iteration, Span x, double loss, Span g, double step);
  /// Ends the run early for a reason the optimizer found (e.g. a failed line search).
  void stop(StopReason r) { reason_ = r; }
  Result finish();

 private:
  std::string who_;
  Objective& f_;
  std::size_t n_;
  Stop stop_;
  const Callbacks& callbacks_;
  std::chrono::steady_clock::time_point start_;
  Evaluations counts_;
  StopReason reason_ = StopReason::max_iterations;
  std::vector<Record> history_;
  bool seen_ = false;  // an iterate has been observed
  Record last_;        // the last finite iterate
  std::vector<double> last_x_;
};

}  // namespace slope::optim::detail
