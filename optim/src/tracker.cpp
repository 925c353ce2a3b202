// SPDX-License-Identifier: MIT
#include "tracker.hpp"

#include <cmath>

#include "vec.hpp"

namespace slope::optim::detail {

void fail(const std::string& who, const std::string& what) {
  throw Error("slope::optim::" + who + ": " + what);
}

void validate(const Stop& s, const std::string& who) {
  if (!(s.gradient_tolerance >= 0.0))
    fail(who, "stop.gradient_tolerance must be >= 0, got " + core::number(s.gradient_tolerance));
  if (!(s.loss_tolerance >= 0.0))
    fail(who, "stop.loss_tolerance must be >= 0, got " + core::number(s.loss_tolerance));
  if (s.loss_window == 0) fail(who, "stop.loss_window must be >= 1, got 0");
  if (!(s.max_seconds >= 0.0))
    fail(who, "stop.max_seconds must be >= 0, got " + core::number(s.max_seconds));
}

Tracker::Tracker(std::string who, Objective& f, Span x0, const Stop& stop,
                 const Callbacks& callbacks)
    : who_(std::move(who)),
      f_(f),
      n_(f.dimension()),
      stop_(stop),
      callbacks_(callbacks),
      start_(std::chrono::steady_clock::now()) {
  if (x0.size() != n_)
    fail(who_, "x0 has length " + std::to_string(x0.size()) + ", the objective has dimension " +
                   std::to_string(n_));
  for (std::size_t i = 0; i < n_; ++i)
    if (!std::isfinite(x0[i]))
      fail(who_, "x0[" + std::to_string(i) + "] is " + core::number(x0[i]) + ": the start must be finite");
  last_x_.assign(x0.begin(), x0.end());
}

double Tracker::value(Span x, Batch batch) {
  ++counts_.values;
  return f_.value(x, batch);
}

double Tracker::value_and_grad(Span x, MutSpan g, Batch batch) {
  ++counts_.values;
  ++counts_.gradients;
  return f_.value_and_grad(x, g, batch);
}

void Tracker::hvp(Span x, Span v, MutSpan hv, Batch batch) {
  ++counts_.hvps;
  f_.hvp(x, v, hv, batch);
}

void Tracker::hessian(Span x, MutSpan h) {
  // Counted as the n HVPs it stands for, whether or not the objective forms H directly.
  counts_.hvps += n_;
  f_.hessian(x, h, {});
}

bool Tracker::observe(std::size_t iteration, Span x, double loss, Span g, double step) {
  if (!std::isfinite(loss) || !vec::finite(g) || !vec::finite(x)) {
    if (!seen_) {  // x0 itself: keep it, with what was seen there
      last_.loss = loss;
      last_.gradient_norm = vec::norm(g);
    }
    reason_ = StopReason::diverged;
    return true;
  }
  Record r;
  r.iteration = iteration;
  r.loss = loss;
  r.gradient_norm = vec::norm(g);
  r.step = step;
  if (n_ <= 16) r.x.assign(x.begin(), x.end());
  last_x_.assign(x.begin(), x.end());
  const bool windowed = history_.size() >= stop_.loss_window;
  const double before = windowed ? history_[history_.size() - stop_.loss_window].loss : 0.0;
  history_.push_back(r);
  last_ = r;
  seen_ = true;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  bool stop = false;
  for (const Callback& cb : callbacks_) {
    const State s{iteration, loss, r.gradient_norm, step, x, g, seconds, &counts_};
    if (cb && cb(s)) stop = true;  // every callback sees every iteration, even the last
  }
  if (stop) {
    reason_ = StopReason::callback;
    return true;
  }
  if (r.gradient_norm <= stop_.gradient_tolerance) {
    reason_ = StopReason::gradient_tolerance;
    return true;
  }
  if (stop_.loss_tolerance > 0.0 && windowed &&
      std::abs(before - loss) <=
          stop_.loss_tolerance * std::max(std::abs(before), std::abs(loss))) {
    reason_ = StopReason::loss_stalled;
    return true;
  }
  if (stop_.max_seconds > 0.0 && seconds >= stop_.max_seconds) {
    reason_ = StopReason::time_budget;
    return true;
  }
  if (iteration >= stop_.max_iterations) {
    reason_ = StopReason::max_iterations;
    return true;
  }
  return false;
}

Result Tracker::finish() {
  Result r;
  r.x = last_x_;
  r.value = last_.loss;
  r.gradient_norm = last_.gradient_norm;
  r.iterations = last_.iteration;
  r.evaluations = counts_;
  r.reason = reason_;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  r.history = std::move(history_);
  return r;
}

}  // namespace slope::optim::detail
